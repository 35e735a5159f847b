//! The demo park as a chemical-park engineer would check it: the right things, in believable
//! numbers, where they belong; and the committed files are exactly what the generator writes.

use std::path::PathBuf;

use geojson::{FeatureCollection, Value};
use parktwin_api::frame::LocalFrame;
use parktwin_api::model::{ChemicalTable, ParkManifest};
use serde_json::Value as Json;

fn assets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn table() -> ChemicalTable {
    serde_json::from_str(&std::fs::read_to_string(assets().join("chemicals.json")).expect("read")).expect("table")
}

fn layer(id: &str) -> FeatureCollection {
    let path = assets().join("park/layers").join(format!("{id}.geojson"));
    let text = std::fs::read_to_string(&path).expect("read layer");
    parktwin_api::validate::parse_layer_file(id, &text).expect("RFC 7946 valid");
    text.parse().expect("GeoJSON")
}

fn prop<'a>(f: &'a geojson::Feature, k: &str) -> &'a Json {
    f.properties.as_ref().and_then(|p| p.get(k)).unwrap_or(&Json::Null)
}

fn frame() -> LocalFrame {
    LocalFrame::new(118.45, 37.57)
}

fn fence() -> Vec<[f64; 2]> {
    let fc = layer("boundary");
    match &fc.features[0].geometry.as_ref().expect("geometry").value {
        Value::Polygon(p) => p[0].iter().map(|c| frame().to_map(c[0], c[1])).collect(),
        other => panic!("fence is {other:?}"),
    }
}

fn inside(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut c = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            c = !c;
        }
    }
    c
}

fn point(f: &geojson::Feature) -> [f64; 2] {
    match &f.geometry.as_ref().expect("geometry").value {
        Value::Point(p) => frame().to_map(p[0], p[1]),
        other => panic!("{other:?} is not a point"),
    }
}

fn line_length(v: &Value) -> f64 {
    match v {
        Value::LineString(l) => l
            .windows(2)
            .map(|w| {
                let (a, b) = (frame().to_map(w[0][0], w[0][1]), frame().to_map(w[1][0], w[1][1]));
                ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
            })
            .sum(),
        _ => 0.0,
    }
}

#[test]
fn committed_files_are_what_the_generator_writes() {
    let files = parktwin_parkgen::park::generate(&table()).expect("generate");
    for (name, text) in files {
        let committed = std::fs::read_to_string(assets().join("park").join(&name)).expect("committed file");
        assert!(
            committed == text,
            "assets/park/{name} differs from the generator's output: run `cargo run -p parktwin-parkgen`"
        );
    }
}

#[test]
fn the_park_is_fenced_on_the_yellow_river_delta() {
    let manifest: ParkManifest =
        serde_json::from_str(&std::fs::read_to_string(assets().join("park/park.json")).expect("read"))
            .expect("manifest");
    assert!((manifest.park.origin[0] - 118.45).abs() < 0.05 && (manifest.park.origin[1] - 37.57).abs() < 0.05);
    let ring = fence();
    let area: f64 = ring
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0;
    assert!((5e6..=10e6).contains(&area), "fenced area {area} m²");
    let roads = layer("roads");
    let road_km: f64 = roads
        .features
        .iter()
        .map(|f| line_length(&f.geometry.as_ref().expect("g").value))
        .sum::<f64>()
        / 1e3;
    assert!(road_km > 15.0, "{road_km} km of road");
}

#[test]
fn enterprises_buildings_tanks_and_units() {
    let ents = layer("enterprises");
    assert!((15..=25).contains(&ents.features.len()));
    let mut colours: Vec<&str> = ents
        .features
        .iter()
        .map(|f| prop(f, "risk").as_str().expect("risk"))
        .collect();
    colours.sort();
    colours.dedup();
    assert_eq!(colours, ["blue", "orange", "red", "yellow"]);
    assert!(
        ents.features
            .iter()
            .all(|f| prop(f, "name").is_string() && prop(f, "name_zh").is_string())
    );

    let buildings = layer("buildings");
    assert!(buildings.features.len() >= 150);
    assert!(
        buildings
            .features
            .iter()
            .all(|f| prop(f, "height_m").as_f64().is_some_and(|h| h > 2.0 && h < 100.0))
    );

    let tanks = layer("tanks");
    assert!(tanks.features.len() >= 60);
    let chems = table();
    for t in &tanks.features {
        assert!(prop(t, "diameter_m").as_f64().is_some_and(|d| d > 1.0));
        assert!(prop(t, "height_m").as_f64().is_some_and(|h| h > 1.0));
        assert!(prop(t, "inventory_t").as_f64().is_some_and(|q| q > 0.0));
        let chem = prop(t, "chemical").as_str().expect("chemical");
        assert!(chems.get(chem).is_some(), "{chem} is not in the chemical table");
        assert!(inside(&fence(), point(t)), "tank outside the fence");
    }
    assert!(!layer("units").features.is_empty());
}

#[test]
fn pipe_racks_carry_pipes_with_their_data() {
    let racks = layer("pipe_racks");
    let km: f64 = racks
        .features
        .iter()
        .map(|f| line_length(&f.geometry.as_ref().expect("g").value))
        .sum::<f64>()
        / 1e3;
    assert!(km >= 8.0, "{km} km of pipe rack");
    let pipes = layer("pipes");
    for p in &pipes.features {
        for k in ["line_number", "medium", "rack"] {
            assert!(prop(p, k).is_string(), "{k}");
        }
        assert!(prop(p, "dn").as_u64().is_some() && prop(p, "design_pressure_mpa").as_f64().is_some());
        match &p.geometry.as_ref().expect("g").value {
            Value::LineString(l) => assert!(l.iter().all(|c| c.len() == 3 && c[2] > 5.0), "pipes run up on the rack"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn gates_parking_emergency_resources_and_targets() {
    let gates = layer("gates");
    assert!((4..=6).contains(&gates.features.len()));
    assert!(gates.features.iter().any(|g| prop(g, "kind") == "hazmat"));
    assert!(
        gates
            .features
            .iter()
            .any(|g| prop(g, "kind") == "emergency" && prop(g, "normally_open") == false)
    );
    assert_eq!(layer("parking").features.len(), 1);
    let res = layer("emergency_resources");
    assert!(res.features.iter().any(|r| prop(r, "kind") == "fire_station"));
    assert!(
        res.features
            .iter()
            .filter(|r| prop(r, "kind") == "supply_depot")
            .count()
            >= 2
    );
    let targets = layer("sensitive_targets");
    assert!(targets.features.len() >= 10);
    let ring = fence();
    assert!(
        targets.features.iter().all(|t| !inside(&ring, point(t))),
        "sensitive targets lie outside the fence"
    );
    for kind in ["village", "school", "hospital"] {
        assert!(targets.features.iter().any(|t| prop(t, "kind") == kind), "{kind}");
    }
}

#[test]
fn detectors_weather_stations_and_cameras() {
    let det = layer("detectors");
    assert!(det.features.len() >= 150);
    for d in &det.features {
        let (warn, alarm) = (
            prop(d, "warn").as_f64().expect("warn"),
            prop(d, "alarm").as_f64().expect("alarm"),
        );
        assert!(warn > 0.0 && alarm > warn);
        assert!(matches!(prop(d, "unit").as_str(), Some("ppm" | "%LEL")));
    }
    assert_eq!(layer("weather_stations").features.len(), 2);
    assert!(!layer("cameras").features.is_empty());
}

#[test]
fn the_chemical_table_names_its_sources() {
    let t = table();
    for name in [
        "chlorine",
        "ammonia",
        "hydrogen sulfide",
        "hydrogen chloride",
        "hydrogen fluoride",
        "sulfur dioxide",
        "phosgene",
        "benzene",
        "methanol",
        "acrylonitrile",
        "ethylene oxide",
        "propane",
    ] {
        let c = t.get(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(c.molar_mass > 1.0);
        assert!(c.aegl_60min_ppm[2].is_some(), "{name} has an AEGL-3");
    }
    // Chlorine, the park's worst case, with its published 60-minute AEGLs (0.5 / 2 / 20 ppm).
    assert_eq!(
        t.get("chlorine").map(|c| c.aegl_60min_ppm),
        Some([Some(0.5), Some(2.0), Some(20.0)])
    );
    for source in ["AEGL", "ERPG", "GB 18218-2018", "GBZ 2.1"] {
        assert!(t.sources.iter().any(|s| s.contains(source)), "{source} named");
    }
}

#[test]
fn the_air_quality_stations_report_hj_633s_aqi_and_a_primary_pollutant_only_over_50() {
    let path = assets().join("park/descriptors/air_quality.geojson");
    let fc: FeatureCollection = std::fs::read_to_string(&path).expect("read").parse().expect("GeoJSON");
    assert!(fc.features.len() >= 6);
    let (mut clean, mut over) = (0, 0);
    for f in &fc.features {
        let v = |k: &str| prop(f, k).as_f64();
        let r = parktwin_api::aqi::hourly(&parktwin_api::aqi::Hourly {
            pm25: v("pm25_ug_m3"),
            so2: v("so2_ug_m3"),
            no2: v("no2_ug_m3"),
            ..Default::default()
        })
        .expect("an AQI");
        assert_eq!(prop(f, "aqi").as_u64(), Some(u64::from(r.aqi)), "{:?}", f.id);
        if r.aqi <= 50 {
            clean += 1;
            assert!(
                prop(f, "primary_pollutant").is_null(),
                "{:?}: AQI {} names none",
                f.id,
                r.aqi
            );
        } else {
            over += 1;
            assert!(
                prop(f, "primary_pollutant").as_str().is_some_and(|p| !p.is_empty()),
                "{:?}",
                f.id
            );
        }
    }
    assert!(
        clean > 0 && over > 0,
        "both cases in the demo: {clean} at 50 or less, {over} over"
    );
}
