//! The emergency resources' routes to an incident over real HTTP, checked against the quickest
//! ways a Python program computes apart from the server on the same roads (shapely nodes them,
//! networkx finds the paths: `tests/route_check.py`, run with the tests' Python environment).

use std::io::Write;
use std::process::{Command, Stdio};

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use parktwin_api::model::Role;
use parktwin_api::response::ResourceRoute;
use parktwin_e2e::{open_store, start_server};
use serde_json::{Value, json};

/// The chlorine tank of the demo park's incident tests.
const TANK: (f64, f64) = (118.4542447, 37.5683106);

fn get(url: &str) -> Value {
    let r = reqwest::blocking::get(url).expect("the server answers");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().expect("JSON")
}

/// A GeoJSON (Multi)Polygon as georust's MultiPolygon, WGS84.
fn multipolygon(g: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> LineString<f64> {
        r.as_array()
            .expect("a ring")
            .iter()
            .map(|p| Coord {
                x: p[0].as_f64().expect("lon"),
                y: p[1].as_f64().expect("lat"),
            })
            .collect()
    };
    let polygon = |p: &Value| {
        let rings = p.as_array().expect("rings");
        Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
    };
    match g["type"].as_str() {
        Some("Polygon") => MultiPolygon::new(vec![polygon(&g["coordinates"])]),
        Some("MultiPolygon") => g["coordinates"]
            .as_array()
            .expect("polygons")
            .iter()
            .map(polygon)
            .collect(),
        other => panic!("a zone's geometry: {other:?}"),
    }
}

/// The Python environment's interpreter (`scripts/setup-python` installs shapely and networkx).
fn python() -> String {
    let venv = std::env::var("PARKTWIN_VENV")
        .unwrap_or_else(|_| format!("{}/.cache/parktwin/venv", std::env::var("HOME").expect("HOME")));
    format!("{venv}/bin/python")
}

#[test]
fn each_resource_takes_the_quickest_way_round_the_most_severe_zone_that_an_independent_dijkstra_finds() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let op = open_store(dir.path())
        .create_token(Role::Operator, "duty officer")
        .expect("as set up");
    let release = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine", "rate_kg_s": 3.0,
                         "origin": "tank-001",
                         "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 261.0, "stability": "E", "temperature_c": 20.0}});
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/incidents"))
        .bearer_auth(&op)
        .json(&release)
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<Value>().expect("JSON")["id"]
        .as_str()
        .expect("an id")
        .to_string();

    let routes: Vec<ResourceRoute> =
        serde_json::from_value(get(&format!("{api}/incidents/{id}/resources"))).expect("routes");
    let resources = get(&format!("{api}/layers/emergency_resources"));
    assert_eq!(
        routes.len(),
        resources["features"].as_array().map_or(0, Vec::len),
        "a route for every resource"
    );
    assert!(routes.windows(2).all(|w| w[0].time_s <= w[1].time_s), "quickest first");
    let zone_name = routes[0].zone.clone().expect("the incident's most severe zone");
    let zones = get(&format!("{api}/incidents/{id}/zones"));
    let severe = zones["features"]
        .as_array()
        .expect("zones")
        .iter()
        .find(|f| f["properties"]["name"] == zone_name.as_str() || f["properties"]["level"] == zone_name.as_str())
        .unwrap_or_else(|| panic!("the zone {zone_name} in {zones}"));
    let area = multipolygon(&severe["geometry"]);
    assert!(
        area.contains(&Point::new(TANK.0, TANK.1)),
        "the AEGL-3 zone covers the tank"
    );

    for r in &routes {
        // Stops at the zone's edge, never inside it, unless there was no other way.
        assert!(r.stops_at_zone, "{}: the zone covers the source", r.id);
        assert!(
            !area.contains(&Point::new(r.destination[0], r.destination[1])),
            "{}",
            r.id
        );
        let line = r.route["coordinates"].as_array().expect("a LineString");
        let first = resources["features"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["id"] == r.id.as_str()))
            .expect("the resource")["geometry"]["coordinates"]
            .clone();
        assert_eq!(line.first(), Some(&first), "{} starts where the resource is", r.id);
        assert_eq!(
            line.last(),
            Some(&json!(r.destination)),
            "{} ends at its destination",
            r.id
        );
        if !r.through_zone {
            let l: LineString<f64> = line
                .iter()
                .map(|c| Coord {
                    x: c[0].as_f64().expect("lon"),
                    y: c[1].as_f64().expect("lat"),
                })
                .collect();
            assert!(
                !l.points().any(|p| area.contains(&p)),
                "{} keeps out of {zone_name}",
                r.id
            );
        }
    }

    // The same trips, computed apart from the server.
    let polygons: Vec<Value> = match severe["geometry"]["type"].as_str() {
        Some("Polygon") => vec![severe["geometry"]["coordinates"].clone()],
        _ => severe["geometry"]["coordinates"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    };
    let trips: Vec<Value> = routes
        .iter()
        .map(|r| json!([r.route["coordinates"][0], r.destination]))
        .collect();
    let request = json!({"roads": get(&format!("{api}/layers/roads")), "avoid": polygons,
                         "origin": [TANK.0, TANK.1], "trips": trips});
    let mut child = Command::new(python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/route_check.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs (scripts/setup-python)");
    child
        .stdin
        .take()
        .expect("its stdin")
        .write_all(request.to_string().as_bytes())
        .expect("the request");
    let out = child.wait_with_output().expect("its answer");
    assert!(out.status.success(), "route_check.py failed");
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    for (r, t) in routes.iter().zip(&theirs) {
        let (d, secs) = (
            t["distance_m"].as_f64().expect("a way"),
            t["time_s"].as_f64().expect("a time"),
        );
        assert!(
            (r.distance_m - d).abs() <= 1.0 + d * 1e-3,
            "{}: the server's {} m, networkx's {d:.1} m",
            r.id,
            r.distance_m
        );
        assert!(
            (r.time_s - secs).abs() <= 1.0 + secs * 1e-3,
            "{}: {} s against {secs:.1} s",
            r.id,
            r.time_s
        );
        assert_eq!(r.through_zone, t["through"].as_bool().unwrap_or(false), "{}", r.id);
    }
    let unknown = reqwest::blocking::get(format!("{api}/incidents/no-such/resources")).expect("answers");
    assert_eq!(unknown.status().as_u16(), 404);
}
