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

/// Starts a release as an operator: its id.
fn start_release(api: &str, op: &str, release: &Value) -> String {
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/incidents"))
        .bearer_auth(op)
        .json(release)
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().expect("JSON")["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

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
fn python() -> std::path::PathBuf {
    parktwin_e2e::venv_bin("python")
}

/// A server over a fresh database: its API's base URL and an operator's token (the folder
/// lives as long as the test holds it).
fn started() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let op = open_store(dir.path())
        .create_token(Role::Operator, "duty officer")
        .expect("as set up");
    (dir, format!("{}/api/v1", s.url), op)
}

#[test]
fn each_resource_takes_the_quickest_way_round_the_most_severe_zone_that_an_independent_dijkstra_finds() {
    let (_dir, api, op) = started();
    let release = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine", "rate_kg_s": 3.0,
                         "origin": "tank-001",
                         "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 261.0, "stability": "E", "temperature_c": 20.0}});
    let id = start_release(&api, &op, &release);

    let routes: Vec<ResourceRoute> =
        serde_json::from_value(get(&format!("{api}/incidents/{id}/resources"))).expect("routes");
    // The resources: the stations, depots, teams and shelters, and the emergency vehicles.
    let features: Vec<Value> = ["emergency_resources", "emergency_vehicles"]
        .iter()
        .flat_map(|l| {
            get(&format!("{api}/layers/{l}"))["features"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(features.len(), 15);
    assert_eq!(routes.len(), features.len(), "a route for every resource");
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
        let first = features
            .iter()
            .find(|f| f["id"] == r.id.as_str())
            .expect("the resource")["geometry"]["coordinates"]
            .clone();
        assert_eq!(line.first(), Some(&first), "{} starts where the resource is", r.id);
        assert_eq!(r.fix, None, "{}: no live fix, from its station", r.id);
        assert_eq!(
            r.plate.is_some(),
            r.id.starts_with("ev-"),
            "{}: the vehicles have plates",
            r.id
        );
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

#[test]
fn each_place_inside_is_told_to_shelter_or_evacuate_by_its_indoor_concentration_and_given_its_assembly_point() {
    let (_dir, api, op) = started();
    // A large chlorine release in a light wind at night: a long reach over the park.
    let release = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine", "rate_kg_s": 20.0,
                         "duration_s": 1200.0, "origin": "tank-001",
                         "weather": {"wind_speed_ms": 1.5, "wind_from_deg": 261.0, "stability": "F", "temperature_c": 15.0}});
    let id = start_release(&api, &op, &release);
    let actions: Vec<parktwin_api::response::ProtectiveAction> =
        serde_json::from_value(get(&format!("{api}/incidents/{id}/protective-actions"))).expect("actions");
    // Every sensitive target and enterprise the zones hold, once.
    let inside = get(&format!("{api}/incidents/{id}/inside"));
    let mut places: Vec<String> = inside
        .as_array()
        .expect("zones")
        .iter()
        .flat_map(|z| z["occupants"].as_array().cloned().unwrap_or_default())
        .filter(|o| o["kind"] == "sensitive_target" || o["kind"] == "enterprise")
        .map(|o| o["id"].as_str().unwrap_or_default().to_string())
        .collect();
    places.sort();
    let mut told: Vec<String> = actions.iter().map(|a| a.id.clone()).collect();
    told.sort();
    assert!(!told.is_empty(), "the cloud reaches places: {inside}");
    assert_eq!(told, places);
    let zones = get(&format!("{api}/incidents/{id}/zones"));
    let features = zones["features"].as_array().expect("zones");
    let aegl2 = features
        .iter()
        .find(|f| f["properties"]["name"] == "AEGL-2")
        .and_then(|f| f["properties"]["threshold"].as_f64())
        .expect("the AEGL-2 zone's level");
    let outermost = multipolygon(&features.last().expect("a zone")["geometry"]);
    // Indoors a building of 0.5 air changes an hour lets in at most 1 − e^(−0.5 h⁻¹ · t) of the
    // outdoor peak over t (here the 20 minutes of release and the half hour after).
    let most_let_in = 1.0 - (-0.5f64 * (1200.0 + 1800.0) / 3600.0).exp();
    let mut evacuate = 0;
    for a in &actions {
        assert_eq!(a.level_mg_m3, Some(aegl2), "{}", a.id);
        let (out, ind) = (
            a.outdoor_peak_mg_m3.expect("a cloud"),
            a.indoor_peak_mg_m3.expect("indoors"),
        );
        assert!(
            ind <= out * most_let_in * 1.001 + 1e-12,
            "{}: {ind} indoors from {out} outdoors",
            a.id
        );
        assert_eq!(a.action == "shelter_in_place", ind < aegl2, "{}: {a:?}", a.id);
        if a.action == "evacuate" {
            evacuate += 1;
            let to = a
                .assembly
                .as_ref()
                .unwrap_or_else(|| panic!("{}: an assembly point", a.id));
            let end = to.route["coordinates"]
                .as_array()
                .and_then(|c| c.last().cloned())
                .expect("a route");
            let p = Point::new(end[0].as_f64().expect("lon"), end[1].as_f64().expect("lat"));
            assert!(!outermost.contains(&p), "{}: {} is outside every zone", a.id, to.id);
        } else {
            assert!(a.assembly.is_none());
        }
    }
    eprintln!(
        "{} places: {evacuate} to evacuate, {} to shelter",
        actions.len(),
        actions.len() - evacuate
    );
}

#[test]
fn head_counts_at_the_assembly_points_are_reported_kept_and_in_the_timeline() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let op = store
        .create_token(Role::Operator, "assembly warden")
        .expect("as set up");
    let viewer = store.create_token(Role::Viewer, "visitor").expect("as set up");
    let c = reqwest::blocking::Client::new();
    let release = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine", "rate_kg_s": 3.0,
                         "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 261.0, "stability": "E", "temperature_c": 20.0}});
    let id = start_release(&api, &op, &release);
    let count = |token: &str, body: Value| {
        let r = c
            .post(format!("{api}/incidents/{id}/head-counts"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .expect("answers");
        (r.status().as_u16(), r.json::<Value>().unwrap_or_default())
    };
    assert_eq!(count(&viewer, json!({"point": "er-shelter-1", "count": 40})).0, 403);
    let (status, body) = count(&op, json!({"point": "er-fire-station", "count": 40}));
    assert_eq!(status, 422, "a fire station is no assembly point: {body}");
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("er-fire-station")),
        "{body}"
    );
    assert_eq!(count(&op, json!({"point": "er-shelter-1", "count": 40})).0, 201);
    assert_eq!(count(&op, json!({"point": "er-shelter-2", "count": 12})).0, 201);
    assert_eq!(count(&op, json!({"point": "er-shelter-1", "count": 57})).0, 201);
    let now: Vec<parktwin_api::response::HeadCount> =
        serde_json::from_value(get(&format!("{api}/incidents/{id}/head-counts"))).expect("counts");
    let seen: Vec<(&str, u32, &str)> = now.iter().map(|h| (h.point.as_str(), h.count, h.by.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("er-shelter-1", 57, "assembly warden"),
            ("er-shelter-2", 12, "assembly warden")
        ]
    );
    let r = reqwest::blocking::get(format!("{api}/incidents/no-such/head-counts")).expect("answers");
    assert_eq!(r.status().as_u16(), 404);
    let from = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::minutes(5));
    let to = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() + time::Duration::minutes(1));
    let csv = reqwest::blocking::get(format!("{api}/after-action/timeline.csv?from={from}&to={to}"))
        .and_then(|r| r.text())
        .expect("the timeline");
    assert!(csv.contains("57 people counted at er-shelter-1"), "{csv}");
}
