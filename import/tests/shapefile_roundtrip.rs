//! A park the test makes itself, written to Shapefiles (and a GeoPackage) in CGCS2000 / 3-degree Gauss–Krüger CM
//! 117E (EPSG:4548) with GBK attributes by GDAL's `ogr2ogr` (Debian's `gdal-bin`), imported
//! back: every coordinate within 1 cm of the original, every attribute equal, the Chinese text
//! intact; and broken inputs refused by name with nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

use parktwin_import::{Options, import};
use serde_json::{Value, json};

fn metres(a: &[f64], b: &[f64]) -> f64 {
    let r = 6_371_008.8;
    let dx = (a[0] - b[0]).to_radians() * r * ((a[1] + b[1]) / 2.0).to_radians().cos();
    let dy = (a[1] - b[1]).to_radians() * r;
    dx.hypot(dy)
}

/// A square ring of `half` degrees around a centre, closed, counter-clockwise.
fn square(lon: f64, lat: f64, half: f64) -> Value {
    json!([
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half]
    ])
}

/// The test's own park, in ParkTwin's layer schema, WGS84.
fn the_park() -> Vec<(&'static str, Value)> {
    let mut buildings = Vec::new();
    for i in 0..12 {
        let lon = 118.401 + 0.0013 * f64::from(i);
        let lat = 37.541 + 0.0007 * f64::from(i % 4);
        let mut rings = vec![square(lon, lat, 0.0002)];
        if i == 3 {
            // A courtyard: a hole, clockwise.
            rings.push(json!([
                [lon - 0.00005, lat - 0.00005],
                [lon - 0.00005, lat + 0.00005],
                [lon + 0.00005, lat + 0.00005],
                [lon + 0.00005, lat - 0.00005],
                [lon - 0.00005, lat - 0.00005]
            ]));
        }
        buildings.push(json!({"type": "Feature", "properties": {
            "id": format!("b-{i:02}"), "name_zh": format!("{}号厂房", i + 1), "use": if i % 2 == 0 { "workshop" } else { "office" },
            "floors": i % 5 + 1, "height_m": 4.5 * f64::from(i % 5 + 1) + 0.3 },
            "geometry": {"type": "Polygon", "coordinates": rings}}));
    }
    let tanks: Vec<Value> = [("氯气储罐1", "chlorine", 30.5), ("液氨储罐", "ammonia", 48.25), ("苯储罐", "benzene", 612.0)]
        .iter()
        .enumerate()
        .map(|(i, (name, chem, t))| {
            json!({"type": "Feature", "properties": {"id": format!("t-{i}"), "name": name, "chemical": chem,
                "inventory_t": t, "diameter_m": 4.0 + f64::from(u8::try_from(i).unwrap_or(0)), "height_m": 12.0},
                "geometry": {"type": "Point", "coordinates": [118.4123 + 0.0004 * i as f64, 37.5555 + 0.00031 * i as f64]}})
        })
        .collect();
    let roads = vec![
        json!({"type": "Feature", "properties": {"id": "r-1", "name": "纬三路", "width_m": 12},
        "geometry": {"type": "LineString", "coordinates": [[118.40, 37.55], [118.41, 37.5512], [118.425, 37.5533]]}}),
    ];
    let enterprises = vec![
        json!({"type": "Feature", "properties": {"id": "e-1", "name": "滨海化工有限公司", "risk": "orange"},
        "geometry": {"type": "MultiPolygon", "coordinates": [[square(118.405, 37.545, 0.002)], [square(118.415, 37.545, 0.0015)]]}}),
    ];
    let fc = |features: Vec<Value>| json!({"type": "FeatureCollection", "features": features});
    vec![
        ("buildings", fc(buildings)),
        ("tanks", fc(tanks)),
        ("roads", fc(roads)),
        ("enterprises", fc(enterprises)),
    ]
}

/// Writes the park as GeoJSON and then, through ogr2ogr, as GBK Shapefiles in EPSG:4548.
fn shapefiles(dir: &Path) -> Vec<(&'static str, Value, PathBuf)> {
    the_park()
        .into_iter()
        .map(|(layer, fc)| {
            let src = dir.join(format!("{layer}.src.geojson"));
            std::fs::write(&src, fc.to_string()).expect("write");
            let shp = dir.join(format!("{layer}.shp"));
            let out = Command::new("ogr2ogr")
                .args([
                    "-f",
                    "ESRI Shapefile",
                    "-s_srs",
                    "EPSG:4326",
                    "-t_srs",
                    "EPSG:4548",
                    "-lco",
                    "ENCODING=GBK",
                ])
                .arg(&shp)
                .arg(&src)
                .output()
                .expect("ogr2ogr runs (Debian's gdal-bin; scripts/setup-debian installs it)");
            assert!(
                out.status.success(),
                "ogr2ogr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (layer, fc, shp)
        })
        .collect()
}

const MAPPING: &str = r#"
# A Shapefile's field names stop at 10 characters: inventory_t arrived as "inventory_".
[[layer]]
source = "tanks"
target = "tanks"
id = { attribute = "id" }
keep_attributes = true
[layer.fields]
inventory_t = { attribute = "inventory_" }
"#;

fn read_layer(out: &Path, layer: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("park").join("layers").join(format!("{layer}.geojson")))
        .expect("layer written");
    let v: Value = serde_json::from_str(&text).expect("json");
    v["features"].as_array().expect("features").clone()
}

fn all_positions(g: &Value, out: &mut Vec<Vec<f64>>) {
    match g {
        Value::Array(a) if a.first().is_some_and(Value::is_number) => {
            out.push(a.iter().map(|n| n.as_f64().expect("number")).collect());
        }
        Value::Array(a) => a.iter().for_each(|x| all_positions(x, out)),
        _ => {}
    }
}

/// Every feature of the originals came back: each attribute equal, each vertex within 1 cm.
fn assert_same(out: &Path, originals: &[(&str, Value)]) {
    let mut worst: f64 = 0.0;
    for (layer, original) in originals {
        let imported = read_layer(out, layer);
        let features = original["features"].as_array().expect("features");
        assert_eq!(imported.len(), features.len(), "{layer}");
        for f in features {
            let id = f["properties"]["id"].as_str().expect("id");
            let back = imported
                .iter()
                .find(|g| g["id"] == id)
                .unwrap_or_else(|| panic!("{layer} {id} imported"));
            // Every attribute equal, Chinese text intact.
            for (k, v) in f["properties"].as_object().expect("props") {
                if k == "id" {
                    continue;
                }
                let got = &back["properties"][k.as_str()];
                let same = match (v.as_f64(), got.as_f64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => v == got,
                };
                assert!(same, "{layer} {id}: {k} was {v}, came back {got}");
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            all_positions(&f["geometry"]["coordinates"], &mut a);
            all_positions(&back["geometry"]["coordinates"], &mut b);
            assert_eq!(a.len(), b.len(), "{layer} {id}: the same vertices");
            // Shapefiles turn the rings round (outer rings clockwise); compare as sets.
            for p in &a {
                let d = b.iter().map(|q| metres(p, q)).fold(f64::MAX, f64::min);
                worst = worst.max(d);
            }
            assert_eq!(back["geometry"]["type"], f["geometry"]["type"], "{layer} {id}");
        }
    }
    assert!(worst < 0.01, "worst vertex {worst} m from the original");
}

#[test]
fn a_gbk_shapefile_park_in_gauss_kruger_comes_back_within_a_centimetre() {
    let dir = tempfile::tempdir().expect("tmp");
    let shps = shapefiles(dir.path());
    let cpg = std::fs::read_to_string(dir.path().join("tanks.cpg")).expect("ogr2ogr writes a .cpg");
    assert_eq!(cpg.trim(), "GBK");
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).expect("write");
    let out = dir.path().join("my-park");
    let summary = import(&Options {
        out: out.clone(),
        name: Some("滨海测试园区".into()),
        crs: None,
        mapping: Some(mapping),
        check: false,
        sources: shps.iter().map(|(_, _, p)| p.clone()).collect(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.written);
    assert_eq!(summary.layers["buildings"], 12);
    assert!(
        summary.sources.iter().all(|s| s.crs == "CGCS2000_3_Degree_GK_CM_117E"),
        "{summary}"
    );
    // The server reads the folder: the park's manifest and chemical table are there.
    assert!(out.join("chemicals.json").is_file());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("park/park.json")).expect("park.json")).expect("json");
    assert_eq!(manifest["park"]["name"], "滨海测试园区");
    let origin = manifest["park"]["origin"].as_array().expect("origin");
    assert!((origin[0].as_f64().expect("lon") - 118.41).abs() < 0.02, "{origin:?}");

    let originals: Vec<_> = shps.iter().map(|(l, fc, _)| (*l, fc.clone())).collect();
    assert_same(&out, &originals);
    // The tanks say what they hold and no farm: each a storage unit of its own, graded (GB
    // 18218-2018: 30.5 t of chlorine is 6.1 times its 5 t), and the summary says so.
    assert_eq!(summary.hazards.len(), 3, "{summary}");
    assert!(
        summary.notes.iter().any(|n| n.reason.contains("of its own")),
        "{summary}"
    );
    assert_eq!(read_layer(&out, "hazards").len(), 3);
    // The courtyard is still a hole.
    let b3 = read_layer(&out, "buildings")
        .into_iter()
        .find(|b| b["id"] == "b-03")
        .expect("b-03");
    assert_eq!(b3["geometry"]["coordinates"].as_array().expect("rings").len(), 2);
}

#[test]
fn without_a_cpg_gbk_text_is_recognised() {
    let dir = tempfile::tempdir().expect("tmp");
    let shps = shapefiles(dir.path());
    std::fs::remove_file(dir.path().join("roads.cpg")).expect("rm");
    let out = dir.path().join("p");
    let roads = shps.iter().find(|(l, _, _)| *l == "roads").expect("roads").2.clone();
    let s = import(&Options {
        out: out.clone(),
        sources: vec![roads],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.layers["roads"], 1);
    assert_eq!(read_layer(&out, "roads")[0]["properties"]["name"], "纬三路");
}

/// Every file of a folder and its bytes, to see that nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn broken_inputs_are_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let shps = shapefiles(dir.path());
    let path = |l: &str| shps.iter().find(|(n, _, _)| *n == l).expect("layer").2.clone();
    // A park imported before: a failed import must leave it as it was.
    let out = dir.path().join("park");
    import(&Options {
        out: out.clone(),
        sources: vec![path("roads")],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&out);

    // A truncated .shp.
    let cut = dir.path().join("cut");
    std::fs::create_dir(&cut).expect("mkdir");
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        std::fs::copy(
            dir.path().join(format!("buildings.{ext}")),
            cut.join(format!("buildings.{ext}")),
        )
        .expect("copy");
    }
    let shp = std::fs::read(cut.join("buildings.shp")).expect("read");
    std::fs::write(cut.join("buildings.shp"), &shp[..shp.len() - 100]).expect("cut");
    // A .dbf with fewer records than shapes: the tanks' shapes with the roads' attributes.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).expect("mkdir");
    for ext in ["shp", "shx", "prj", "cpg"] {
        std::fs::copy(
            dir.path().join(format!("tanks.{ext}")),
            mixed.join(format!("tanks.{ext}")),
        )
        .expect("copy");
    }
    std::fs::copy(dir.path().join("roads.dbf"), mixed.join("tanks.dbf")).expect("copy");
    // A mapping naming an attribute the source does not have.
    let mapping = dir.path().join("bad.toml");
    std::fs::write(&mapping, "[[layer]]\nsource = \"enterprises\"\ntarget = \"enterprises\"\n[layer.fields]\nname_zh = { attribute = \"QYMC\" }\n").expect("write");

    let err = import(&Options {
        out: out.clone(),
        mapping: Some(mapping),
        sources: vec![cut.join("buildings.shp"), mixed.join("tanks.shp"), path("enterprises")],
        ..Options::default()
    })
    .expect_err("broken inputs");
    let text = err.to_string();
    assert_eq!(err.problems.len(), 3, "{text}");
    let cut_p = &err.problems[0];
    assert!(
        cut_p.file.ends_with("cut/buildings.shp") && cut_p.feature.is_some(),
        "{text}"
    );
    assert!(
        err.problems[1].file.ends_with("mixed/tanks.dbf")
            && err.problems[1].reason.contains("1 records for the 3 shapes"),
        "{text}"
    );
    let m = &err.problems[2];
    assert!(
        m.file.ends_with("enterprises.shp") && m.field.as_deref() == Some("name_zh") && m.reason.contains("QYMC"),
        "{text}"
    );
    assert_eq!(snapshot(&out), before, "the park folder is as it was");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains("importing"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // --check reports and writes nothing, even when all is well.
    let fresh = dir.path().join("fresh");
    let s = import(&Options {
        out: fresh.clone(),
        check: true,
        sources: vec![path("roads")],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!s.written && !fresh.exists());
}

#[test]
fn a_geopackage_in_gauss_kruger_comes_back_within_a_centimetre() {
    let dir = tempfile::tempdir().expect("tmp");
    let gpkg = dir.path().join("park.gpkg");
    let park = the_park();
    for (layer, fc) in &park {
        let src = dir.path().join(format!("{layer}.src.geojson"));
        std::fs::write(&src, fc.to_string()).expect("write");
        let mut cmd = Command::new("ogr2ogr");
        cmd.args([
            "-f",
            "GPKG",
            "-s_srs",
            "EPSG:4326",
            "-t_srs",
            "EPSG:4548",
            "-nln",
            layer,
        ]);
        if gpkg.exists() {
            cmd.arg("-update");
        }
        let out = cmd.arg(&gpkg).arg(&src).output().expect("ogr2ogr runs");
        assert!(
            out.status.success(),
            "ogr2ogr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mapping = dir.path().join("m.toml");
    // GeoPackage keeps the full field names: only the ids need saying.
    std::fs::write(
        &mapping,
        "[[layer]]\nsource = \"tanks\"\ntarget = \"tanks\"\nid = { attribute = \"id\" }\nkeep_attributes = true\n",
    )
    .expect("write");
    let out = dir.path().join("p");
    let s = import(&Options {
        out: out.clone(),
        mapping: Some(mapping),
        sources: vec![gpkg],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(s.sources.iter().all(|x| x.crs == "EPSG:4548"), "{s}");
    assert_eq!(s.sources.len(), 4, "{s}");
    assert_same(&out, &park);
    let b = &read_layer(&out, "buildings")[0];
    assert!(
        b["properties"].get("fid").is_none(),
        "the row number is no attribute: {b}"
    );
}

#[test]
fn derived_ids_are_the_same_on_every_import() {
    let dir = tempfile::tempdir().expect("tmp");
    let shps = shapefiles(dir.path());
    let buildings = shps
        .iter()
        .find(|(l, _, _)| *l == "buildings")
        .expect("buildings")
        .2
        .clone();
    // A mapping that names no id: each is derived from the feature's content.
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, "[[layer]]\nsource = \"buildings\"\ntarget = \"buildings\"\n[layer.fields]\nname_zh = { attribute = \"name_zh\" }\n").expect("write");
    let ids = |out: &str| -> Vec<String> {
        let out = dir.path().join(out);
        import(&Options {
            out: out.clone(),
            mapping: Some(mapping.clone()),
            sources: vec![buildings.clone()],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        read_layer(&out, "buildings")
            .iter()
            .map(|f| f["id"].as_str().expect("id").to_string())
            .collect()
    };
    let (a, b) = (ids("a"), ids("b"));
    assert_eq!(a, b);
    assert_eq!(a.len(), 12);
    assert!(a.iter().all(|id| id.starts_with("buildings-")), "{a:?}");
    assert_eq!(
        a.iter().collect::<std::collections::HashSet<_>>().len(),
        12,
        "each its own"
    );
}
