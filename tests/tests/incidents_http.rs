//! Incidents over real HTTP and SQLite: who may start one, what a bad request is told, the zones
//! and who is inside them (checked against georust's geometry, not ParkTwin's own), the alarms
//! for what stands in the red zone, following the weather, and closing.

use geo::{Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use parktwin_api::clock::format_utc;
use parktwin_api::incident::{Incident, ZoneOccupants};
use parktwin_api::model::{Alarm, EventPage, Role};
use parktwin_e2e::{send, start_server};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn ago(s: i64) -> String {
    format_utc(OffsetDateTime::now_utc() - Duration::seconds(s))
}

fn get(url: &str) -> Value {
    let (status, v) = send("GET", url, None, None);
    assert_eq!(status, 200, "{url}: {v}");
    v
}

/// The tank the release comes from.
const TANK: (f64, f64) = (118.4542447, 37.5683106);

fn chlorine(weather: Option<Value>) -> Value {
    let mut v = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine",
                       "rate_kg_s": 3.0, "origin": "tank-001"});
    if let Some(w) = weather {
        v["weather"] = w;
    }
    v
}

/// A zone feature's area as georust sees it.
fn area(feature: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> LineString<f64> {
        r.as_array()
            .expect("ring")
            .iter()
            .map(|p| Coord {
                x: p[0].as_f64().expect("lon"),
                y: p[1].as_f64().expect("lat"),
            })
            .collect::<Vec<_>>()
            .into()
    };
    MultiPolygon(
        feature["geometry"]["coordinates"]
            .as_array()
            .expect("multipolygon")
            .iter()
            .map(|p| {
                let rings = p.as_array().expect("rings");
                Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    )
}

#[test]
fn an_operator_starts_an_incident_and_everyone_sees_its_zones_and_who_is_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let op = store.create_token(Role::Operator, "Duty officer Li").expect("token");
    let viewer = store.create_token(Role::Viewer, "Wall").expect("token");
    let url = format!("{api}/incidents");
    // A truck 400 m downwind of the tank (wind from 261°), one 300 m upwind.
    let frame = parktwin_api::frame::LocalFrame::new(TANK.0, TANK.1);
    let (dx, dy) = ((81f64).to_radians().sin(), (81f64).to_radians().cos());
    let down = frame.to_wgs84(400.0 * dx, 400.0 * dy);
    let up = frame.to_wgs84(-300.0 * dx, -300.0 * dy);
    let (status, _) = send(
        "POST",
        &format!("{api}/vehicles/positions"),
        Some(&s.ingest),
        Some(&json!([
            {"plate": "鲁E12345", "time": ago(5), "lon": down.0, "lat": down.1, "speed_kmh": 0.0},
            {"plate": "鲁E67890", "time": ago(5), "lon": up.0, "lat": up.1, "speed_kmh": 0.0},
        ])),
    );
    assert_eq!(status, 200);

    let weather = json!({"wind_speed_ms": 2.0, "wind_from_deg": 261.0, "stability": "E", "temperature_c": 20.0});
    let good = chlorine(Some(weather));
    assert_eq!(send("POST", &url, None, Some(&good)).0, 401);
    let (status, body) = send("POST", &url, Some(&viewer), Some(&good));
    assert_eq!(status, 403, "{body}");
    // Bad requests name the field, and nothing is stored.
    let mut bad = good.clone();
    bad["rate_kg_s"] = json!(-2);
    let (status, body) = send("POST", &url, Some(&op), Some(&bad));
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("rate_kg_s")),
        "{body}"
    );
    let (status, body) = send("POST", &url, Some(&op), Some(&chlorine(None)));
    assert_eq!(status, 422, "no station has reported and no weather given");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("weather")), "{body}");
    assert_eq!(get(&url), json!([]));

    let (status, body) = send("POST", &url, Some(&op), Some(&good));
    assert_eq!(status, 201, "{body}");
    let inc: Incident = serde_json::from_value(body).expect("incident");
    assert_eq!((inc.id.as_str(), inc.created_by.as_str()), ("inc-1", "Duty officer Li"));
    assert_eq!(inc.weather.stability.as_deref(), Some("E"));
    let listed: Vec<Incident> = serde_json::from_value(get(&url)).expect("list");
    assert_eq!(listed, vec![inc.clone()]);

    // The zones: three nested levels, AEGL-3 first, reaching downwind.
    let zones = get(&format!("{url}/inc-1/zones"));
    let features = zones["features"].as_array().expect("features");
    let names: Vec<&str> = features
        .iter()
        .filter_map(|f| f["properties"]["name"].as_str())
        .collect();
    assert_eq!(names, ["AEGL-3", "AEGL-2", "AEGL-1"]);
    // Chlorine flashing from its tank slumps: ALOHA's switch takes the heavy-gas model.
    assert_eq!(
        features[0]["properties"]["cloud_model"], "britter_mcquaid",
        "{}",
        features[0]["properties"]
    );
    let areas: Vec<MultiPolygon<f64>> = features.iter().map(area).collect();
    assert!(
        areas[0].contains(&Point::new(down.0, down.1)),
        "the truck downwind is in the red zone"
    );
    assert!(!areas[2].contains(&Point::new(up.0, up.1)));

    // Who is inside, against georust: each place in the most severe zone that holds it.
    let inside: Vec<ZoneOccupants> = serde_json::from_value(get(&format!("{url}/inc-1/inside"))).expect("inside");
    let mut expected: Vec<Vec<String>> = vec![Vec::new(); 3];
    let most_severe = |hit: &dyn Fn(&MultiPolygon<f64>) -> bool| areas.iter().position(hit);
    for layer in ["sensitive_targets", "detectors", "enterprises"] {
        let fc = get(&format!("{api}/layers/{layer}"));
        for f in fc["features"].as_array().expect("features") {
            let id = f["id"].as_str().expect("id").to_string();
            let g = &f["geometry"];
            let k = if g["type"] == "Point" {
                let p = Point::new(
                    g["coordinates"][0].as_f64().expect("lon"),
                    g["coordinates"][1].as_f64().expect("lat"),
                );
                most_severe(&|a| a.contains(&p))
            } else {
                let parcel = area(&json!({"geometry": {"coordinates": [g["coordinates"].clone()]}}));
                most_severe(&|a| a.intersects(&parcel))
            };
            if let Some(k) = k {
                expected[k].push(id);
            }
        }
    }
    for v in get(&format!("{api}/vehicles")).as_array().expect("vehicles") {
        let p = Point::new(v["lon"].as_f64().expect("lon"), v["lat"].as_f64().expect("lat"));
        if let Some(k) = most_severe(&|a| a.contains(&p)) {
            expected[k].push(v["plate"].as_str().expect("plate").to_string());
        }
    }
    assert_eq!(inside.len(), 3);
    for (zone, want) in inside.iter().zip(&expected) {
        let mut got: Vec<String> = zone.occupants.iter().map(|o| o.id.clone()).collect();
        let mut want = want.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "zone {}", zone.zone);
    }
    let all: Vec<&str> = inside
        .iter()
        .flat_map(|z| &z.occupants)
        .map(|o| o.kind.as_str())
        .collect();
    for kind in ["sensitive_target", "detector", "enterprise", "vehicle"] {
        assert!(all.contains(&kind), "the test release reaches a {kind}: {all:?}");
    }
    let village = inside
        .iter()
        .flat_map(|z| &z.occupants)
        .find(|o| o.kind == "sensitive_target")
        .expect("a sensitive target");
    assert!(village.people.is_some(), "people counted where known");

    // Alarms for what is in the red zone: the truck downwind, not the one upwind.
    let alarms: Vec<Alarm> = serde_json::from_value(get(&format!("{api}/alarms"))).expect("alarms");
    let zone_alarms: Vec<&str> = alarms
        .iter()
        .filter(|a| a.rule == parktwin_api::kinds::AlarmRule::IncidentZone)
        .map(|a| a.source.as_str())
        .collect();
    assert!(zone_alarms.contains(&"inc-1/vehicle/鲁E12345"), "{zone_alarms:?}");
    assert!(!zone_alarms.iter().any(|s| s.contains("鲁E67890")));
    let red: Vec<&str> = inside[0]
        .occupants
        .iter()
        .filter(|o| o.kind != "enterprise")
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        zone_alarms.len(),
        red.len(),
        "one alarm per thing in the red zone: {red:?}"
    );
    // The truck drives out of the red zone: its alarm closes.
    let (status, _) = send(
        "POST",
        &format!("{api}/vehicles/positions"),
        Some(&s.ingest),
        Some(&json!([{"plate": "鲁E12345", "time": ago(1), "lon": up.0, "lat": up.1, "speed_kmh": 20.0}])),
    );
    assert_eq!(status, 200);
    let open: Vec<Alarm> = serde_json::from_value(get(&format!("{api}/alarms?state=open"))).expect("alarms");
    assert!(!open.iter().any(|a| a.source == "inc-1/vehicle/鲁E12345"));

    // Closing it closes its alarms and takes it off the open list.
    let (status, closed) = send("POST", &format!("{url}/inc-1/close"), Some(&op), None);
    assert_eq!(status, 200);
    assert!(closed["closed"].is_string());
    assert_eq!(get(&format!("{url}?state=open")), json!([]));
    let open: Vec<Alarm> = serde_json::from_value(get(&format!("{api}/alarms?state=open"))).expect("alarms");
    assert!(
        !open
            .iter()
            .any(|a| a.rule == parktwin_api::kinds::AlarmRule::IncidentZone)
    );
    assert_eq!(send("GET", &format!("{url}/inc-9/zones"), None, None).0, 404);
    let kinds: Vec<String> = serde_json::from_value::<EventPage>(get(&format!("{api}/events?since=0")))
        .expect("events")
        .events
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("incident"))
        .collect();
    assert_eq!(kinds, ["incident_started", "incident_closed"]);
}

#[test]
fn an_incident_follows_the_nearest_station_and_its_zones_turn_with_the_wind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let op = store.create_token(Role::Operator, "Duty officer Li").expect("token");
    let report = |station: &str, t: String, from: f64| json!([{"station": station, "time": t, "wind_speed_ms": 3.0, "wind_from_deg": from, "temperature_c": 18.0, "cloud_oktas": 8}]);
    for (st, from) in [("ws-1", 90.0), ("ws-2", 270.0)] {
        assert_eq!(
            send(
                "POST",
                &format!("{api}/weather"),
                Some(&s.ingest),
                Some(&report(st, ago(120), from))
            )
            .0,
            200
        );
    }
    let mut req = chlorine(None);
    req["start"] = json!(ago(60));
    let (status, body) = send("POST", &format!("{api}/incidents"), Some(&op), Some(&req));
    assert_eq!(status, 201, "{body}");
    let inc: Incident = serde_json::from_value(body).expect("incident");
    // The tank is nearer ws-1 (1 km east-south-east) than ws-2 (2 km west-north-west).
    assert_eq!(inc.station.as_deref(), Some("ws-1"));
    assert_eq!(inc.weather.wind_from_deg, 90.0);
    assert_eq!(
        inc.weather.stability.as_deref(),
        Some("D"),
        "overcast is D by day or night"
    );
    let reach_dir = |zones: &Value| -> f64 {
        // The mean longitude of the mildest zone's ring, relative to the tank.
        let ring = &zones["features"][2]["geometry"]["coordinates"][0][0];
        let pts = ring.as_array().expect("ring");
        pts.iter().map(|p| p[0].as_f64().expect("lon")).sum::<f64>() / pts.len() as f64 - TANK.0
    };
    let before = get(&format!("{api}/incidents/inc-1/zones"));
    assert!(reach_dir(&before) < 0.0, "wind from the east: the zones lie west");
    // The other station's report changes nothing; a 5° flutter at ws-1 neither.
    send(
        "POST",
        &format!("{api}/weather"),
        Some(&s.ingest),
        Some(&report("ws-2", ago(30), 180.0)),
    );
    send(
        "POST",
        &format!("{api}/weather"),
        Some(&s.ingest),
        Some(&report("ws-1", ago(25), 95.0)),
    );
    let same: Incident = serde_json::from_value(get(&format!("{api}/incidents/inc-1"))).expect("incident");
    assert!(same.shifts.is_empty());
    // The wind at ws-1 turns to the west: a shift, and the zones now lie east.
    send(
        "POST",
        &format!("{api}/weather"),
        Some(&s.ingest),
        Some(&report("ws-1", ago(10), 270.0)),
    );
    let shifted: Incident = serde_json::from_value(get(&format!("{api}/incidents/inc-1"))).expect("incident");
    assert_eq!(shifted.shifts.len(), 1);
    assert!((shifted.shifts[0].at_s - 50.0).abs() < 2.0, "{:?}", shifted.shifts);
    assert_eq!(shifted.weather_now().1, 270.0);
    let after = get(&format!("{api}/incidents/inc-1/zones"));
    assert!(reach_dir(&after) > 0.0, "wind from the west: the zones lie east");
    let events: EventPage = serde_json::from_value(get(&format!("{api}/events?since=0"))).expect("events");
    assert_eq!(events.events.iter().filter(|e| e.kind == "incident_updated").count(), 1);
}

#[test]
fn a_fireball_draws_circles_of_heat_and_lists_who_they_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let op = store.create_token(Role::Operator, "Duty officer Li").expect("token");
    let url = format!("{api}/incidents");
    // Two trucks: one 150 m north of the sphere, upwind; one 5 km south. A fire's heat
    // reaches as far every way, whichever way the wind blows.
    let frame = parktwin_api::frame::LocalFrame::new(TANK.0, TANK.1);
    let near = frame.to_wgs84(0.0, 150.0);
    let far = frame.to_wgs84(0.0, -5_000.0);
    let (status, _) = send(
        "POST",
        &format!("{api}/vehicles/positions"),
        Some(&s.ingest),
        Some(&json!([
            {"plate": "鲁E11111", "time": ago(5), "lon": near.0, "lat": near.1, "speed_kmh": 0.0},
            {"plate": "鲁E22222", "time": ago(5), "lon": far.0, "lat": far.1, "speed_kmh": 0.0},
        ])),
    );
    assert_eq!(status, 200);
    let weather = json!({"wind_speed_ms": 3.0, "wind_from_deg": 180.0, "temperature_c": 20.0});
    // Chlorine does not burn: refused, naming the field, and nothing stored.
    let bad = json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "hazard": "fireball",
                     "mass_kg": 20000, "weather": weather});
    let (status, body) = send("POST", &url, Some(&op), Some(&bad));
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("chlorine does not burn")),
        "{body}"
    );

    let ball = json!({"lon": TANK.0, "lat": TANK.1, "chemical": "propane", "hazard": "fireball",
                      "mass_kg": 20000, "weather": weather, "origin": "tank-040"});
    let (status, body) = send("POST", &url, Some(&op), Some(&ball));
    assert_eq!(status, 201, "{body}");
    let inc: Incident = serde_json::from_value(body).expect("incident");
    assert_eq!(
        (inc.hazard, inc.levels.as_str()),
        (parktwin_api::incident::Hazard::Fireball, "thermal")
    );
    let zones = get(&format!("{url}/{}/zones", inc.id));
    let features = zones["features"].as_array().expect("features");
    let names: Vec<&str> = features
        .iter()
        .filter_map(|f| f["properties"]["name"].as_str())
        .collect();
    assert_eq!(names, ["10 kW/m²", "5 kW/m²", "2 kW/m²"]);
    let mut radii = Vec::new();
    for f in features {
        let p = &f["properties"];
        assert_eq!(
            (p["unit"].as_str(), p["hazard"].as_str()),
            (Some("W/m2"), Some("fireball"))
        );
        // A circle: every vertex as far from the sphere (great-circle distance, georust's).
        let r = p["farthest_downwind_m"].as_f64().expect("a reach");
        let ring = &f["geometry"]["coordinates"][0][0];
        for v in ring.as_array().expect("a ring") {
            let d = geo::Distance::distance(
                &geo::Haversine,
                Point::new(TANK.0, TANK.1),
                Point::new(v[0].as_f64().expect("lon"), v[1].as_f64().expect("lat")),
            );
            assert!(
                (d / r - 1.0).abs() < 0.005,
                "{d} m from the centre against a radius of {r} m"
            );
        }
        radii.push(r);
    }
    assert!(
        radii[0] > 150.0 && radii[0] < radii[1] && radii[1] < radii[2] && radii[2] < 5_000.0,
        "{radii:?}"
    );

    // The truck upwind 150 m off is in the red zone and alarmed; the one 5 km off is nowhere.
    let inside: Vec<ZoneOccupants> = serde_json::from_value(get(&format!("{url}/{}/inside", inc.id))).expect("inside");
    let ids = |k: usize| -> Vec<&str> { inside[k].occupants.iter().map(|o| o.id.as_str()).collect() };
    assert!(ids(0).contains(&"鲁E11111"), "{inside:?}");
    assert!(!inside.iter().flat_map(|z| &z.occupants).any(|o| o.id == "鲁E22222"));
    let alarms: Vec<Alarm> = serde_json::from_value(get(&format!("{api}/alarms"))).expect("alarms");
    assert!(
        alarms
            .iter()
            .any(|a| a.source == format!("{}/vehicle/鲁E11111", inc.id))
    );

    // What if the sphere held half as much: a smaller red circle; a rate does not fit a ball.
    let what_if = format!("{url}/{}/what-if", inc.id);
    let (status, body) = send("POST", &what_if, None, Some(&json!({"mass_kg": 10000})));
    assert_eq!(status, 200, "{body}");
    let smaller = body["features"][0]["properties"]["farthest_downwind_m"]
        .as_f64()
        .expect("a reach");
    assert!(smaller < radii[0], "{smaller} against {}", radii[0]);
    let (status, body) = send("POST", &what_if, None, Some(&json!({"rate_kg_s": 5})));
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("rate_kg_s")),
        "{body}"
    );
}
