//! `parktwin layers check`: the demo park's descriptors pass and are listed with their sources,
//! feature counts and legends; a broken folder fails with each error's file, line and field,
//! and the good layers in it are still listed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn check(dir: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .args(["layers", "check"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("parktwin runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn demo_descriptors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/park/descriptors")
}

#[test]
fn the_demo_park_descriptors_pass() {
    let (ok, text) = check(&demo_descriptors(), &["--offline"]);
    assert!(ok, "{text}");
    // The devices' layers are the server's.
    for (id, kind) in [
        ("air_quality", "air_quality"),
        ("outfalls", "outfall"),
        ("energy_use", "electricity_meter"),
        ("substations", "substation_load"),
        ("tank_gauges", "tank_level"),
        ("tank_conditions", "tank_temperature,tank_pressure"),
        ("pipe_gauges", "pipe_pressure,pipe_flow,pipe_temperature"),
        ("utility_meters", "steam_meter,water_meter"),
        ("voc_monitors", "voc_monitor"),
    ] {
        assert!(
            text.contains(&format!(
                "source:   server /api/v1/devices/geojson?kind={kind} (not fetched: offline)"
            )),
            "{id}: {text}"
        );
    }
    for (id, count) in [
        ("rack_inspections", 17),
        ("isolation_valves", 17),
        ("fence_segments", 39),
        ("camera_coverage", 35),
        ("emergency_supplies", 6),
        ("emergency_vehicles", 8),
        ("material_flows", 22),
    ] {
        let block = text
            .split("\n")
            .skip_while(|l| !l.starts_with(&format!("{id} — ")))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            block.contains(&format!("source:   file {id}.geojson ({count} features)")),
            "{id}: {block}\n---\n{text}"
        );
    }
    assert!(text.contains("#ff2020 Exceeding a limit / 超标"), "{text}");
    assert!(text.contains("16 layer(s) good, 0 error(s)"), "{text}");
}

#[test]
fn a_broken_folder_fails_naming_file_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::copy(
        demo_descriptors().join("isolation_valves.toml"),
        p.join("isolation_valves.toml"),
    )
    .expect("copy");
    std::fs::copy(demo_descriptors().join("outfalls.geojson"), p.join("outfalls.geojson")).expect("copy");
    std::fs::copy(
        demo_descriptors().join("isolation_valves.geojson"),
        p.join("isolation_valves.geojson"),
    )
    .expect("copy");
    std::fs::write(
        p.join("bad_colour.toml"),
        "id = \"meters\"\ntitle = \"Meters\"\ngroup = \"energy\"\n[source]\nfile = \"outfalls.geojson\"\n[style]\ncolour = \"green\"\n",
    )
    .expect("write");
    std::fs::write(
        p.join("typo.toml"),
        "id = \"typo\"\ntitle = \"Typo\"\ngroup = \"energy\"\n[source]\nfile = \"outfalls.geojson\"\n[style.colour_by]\nproperty = \"stat\"\ncategories = [{ value = \"normal\", colour = \"#00ff00\" }]\n",
    )
    .expect("write");
    std::fs::write(
        p.join("server.toml"),
        "id = \"remote\"\ntitle = \"Remote\"\ngroup = \"energy\"\n[source]\nendpoint = \"/api/v1/layers/remote\"\n",
    )
    .expect("write");
    let (ok, text) = check(p, &["--server", "http://127.0.0.1:9"]);
    assert!(!ok, "{text}");
    let name = |f: &str| p.join(f).display().to_string();
    assert!(
        text.contains(&format!(
            "error: {}:7: style.colour: \"green\" is not a colour",
            name("bad_colour.toml")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error: {}:7: style.colour_by.property: no feature of the source has the property \"stat\"",
            name("typo.toml")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error: {}: source: cannot reach the ParkTwin server at http://127.0.0.1:9/api/v1/layers/remote",
            name("server.toml")
        )),
        "{text}"
    );
    assert!(text.contains("isolation_valves — "), "the good layer is listed: {text}");
    assert!(text.contains("1 layer(s) good, 3 error(s)"), "{text}");
}

/// The issue's user's way: OpenStreetMap buildings exported by GDAL (`ogr2ogr -f GeoJSON`,
/// which writes the old `crs` member naming CRS84) behind a descriptor: plain WGS84, accepted.
#[test]
fn geojson_written_by_gdal_with_a_crs84_member_passes() {
    let dir = tempfile::tempdir().expect("tmp");
    let osm = dir.path().join("yard.osm");
    std::fs::write(
        &osm,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="37.5700" lon="118.4500"/><node id="2" lat="37.5700" lon="118.4510"/>
  <node id="3" lat="37.5710" lon="118.4510"/><node id="4" lat="37.5710" lon="118.4500"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="building" v="warehouse"/><tag k="name" v="Store"/></way>
</osm>"#,
    )
    .expect("write");
    let gj = dir.path().join("osm_buildings.geojson");
    let out = Command::new("ogr2ogr")
        .args(["-f", "GeoJSON", "-lco", "ID_FIELD=osm_way_id", "-lco", "ID_TYPE=String"])
        .arg(&gj)
        .arg(&osm)
        .arg("multipolygons")
        .output()
        .expect("ogr2ogr runs (Debian's gdal-bin)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&gj).expect("written");
    assert!(
        text.contains("urn:ogc:def:crs:OGC:1.3:CRS84"),
        "GDAL writes the crs member: {text}"
    );
    std::fs::write(
        dir.path().join("osm_buildings.toml"),
        "id = \"osm_buildings\"\ntitle = \"OSM buildings\"\ngroup = \"base\"\n[source]\nfile = \"osm_buildings.geojson\"\n",
    )
    .expect("write");
    let (ok, text) = check(dir.path(), &["--offline"]);
    assert!(ok && text.contains("osm_buildings"), "{text}");
}
