//! Who reads what, over real HTTP and SQLite, on a server whose reads need a token
//! (`--private-reads`): an enterprise-scoped viewer reads its own enterprise's detail and the
//! park's shared picture, and nothing of another enterprise's own; a park-wide viewer reads
//! everything; no token, or a revoked one, reads nothing but the API's contract.

use parktwin_api::clock::format_utc;
use parktwin_api::model::{Alarm, EventPage, HazardSource, Role, SensorState, Session, VehiclePosition};
use parktwin_e2e::start_private_server;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn ago(s: i64) -> String {
    format_utc(OffsetDateTime::now_utc() - Duration::seconds(s))
}

/// GETs `path` under the API with `token` (none when empty): status and body text.
fn read(api: &str, path: &str, token: &str) -> (u16, String) {
    let mut req = reqwest::blocking::Client::new().get(format!("{api}{path}"));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    let r = req.send().expect("the server answers");
    (r.status().as_u16(), r.text().expect("a body"))
}

/// GETs and decodes `path`, which must answer 200.
fn get<T: serde::de::DeserializeOwned>(api: &str, path: &str, token: &str) -> T {
    let (status, body) = read(api, path, token);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn post(api: &str, path: &str, token: &str, body: &Value) {
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .expect("the server answers");
    assert_eq!(r.status().as_u16(), 200, "{path}: {}", r.text().unwrap_or_default());
}

/// The ids of a layer's features, and each feature's `enterprise` property.
fn layer(api: &str, id: &str, token: &str) -> Vec<(String, Option<String>)> {
    let fc: Value = get(api, &format!("/layers/{id}"), token);
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or_default().to_string(),
                f["properties"]["enterprise"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn an_enterprise_viewer_reads_its_own_detail_and_the_shared_picture_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_private_server(dir.path()).expect("server");
    let api = format!("{}/api/v1", server.url);
    let store = parktwin_e2e::open_store(dir.path());
    let park_viewer = store.create_token(Role::Viewer, "park control room").expect("token");
    let mine = store
        .create_enterprise_viewer("Binhai Chlor-Alkali HSE desk", "ent-01")
        .expect("store")
        .expect("ent-01 is an enterprise of the park");

    // No token: nothing but the contract, and the refusal says why.
    let (status, body) = read(&api, "/layers/detectors", "");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("--private-reads"), "{body}");
    assert_eq!(read(&api, "/openapi.json", "").0, 200, "the contract stays public");
    // A what-if is posted but only reads: a token, as for every read.
    let what_if = |token: &str| {
        let mut req = reqwest::blocking::Client::new()
            .post(format!("{api}/incidents/inc-9/what-if"))
            .json(&json!({"rate_kg_s": 1.0}));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let r = req.send().expect("the server answers");
        (r.status().as_u16(), r.text().expect("a body"))
    };
    let (status, body) = what_if("");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("--private-reads"), "{body}");
    let (status, body) = what_if(&park_viewer);
    assert_eq!(status, 404, "a reader gets as far as the unknown incident: {body}");

    // Whose token it is.
    let session: Session = get(&api, "/session", &mine);
    assert_eq!(
        (session.role, session.enterprise.as_deref()),
        (Role::Viewer, Some("ent-01"))
    );
    assert_eq!(get::<Session>(&api, "/session", &park_viewer).enterprise, None);

    // The map: own features, and those nobody owns; the park's are the same for both.
    let all = layer(&api, "detectors", &park_viewer);
    let seen = layer(&api, "detectors", &mine);
    let own: Vec<_> = all
        .iter()
        .filter(|d| d.1.as_deref() == Some("ent-01"))
        .cloned()
        .collect();
    assert!(!own.is_empty() && own.len() < all.len());
    assert_eq!(seen, own, "ent-01's detectors and no other's");
    let tanks = layer(&api, "tanks", &mine);
    assert!(!tanks.is_empty() && tanks.iter().all(|t| t.1.as_deref() == Some("ent-01")));
    for shared in [
        "boundary",
        "roads",
        "gates",
        "enterprises",
        "sensitive_targets",
        "emergency_resources",
    ] {
        assert_eq!(
            layer(&api, shared, &mine),
            layer(&api, shared, &park_viewer),
            "{shared} is the park's shared picture"
        );
    }
    // A pipe whose owner is another enterprise, named by its company name, is not seen; the
    // park's utility pipes are.
    let pipes: Value = get(&api, "/layers/pipes", &mine);
    let owners: std::collections::BTreeSet<&str> = pipes["features"]
        .as_array()
        .expect("pipes")
        .iter()
        .filter_map(|f| f["properties"]["owner"].as_str())
        .collect();
    assert_eq!(owners, ["Park Utilities Co."].into());

    // Hazard sources: its own; another's by id is refused, saying why.
    let hazards: Vec<HazardSource> = get(&api, "/hazards", &mine);
    assert!(!hazards.is_empty() && hazards.iter().all(|h| h.enterprise == "ent-01"));
    let theirs = get::<Vec<HazardSource>>(&api, "/hazards", &park_viewer)
        .into_iter()
        .find(|h| h.enterprise != "ent-01")
        .expect("another enterprise's hazard source");
    let (status, body) = read(&api, &format!("/hazards/{}", theirs.id), &mine);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("another enterprise"), "{body}");
    assert_eq!(read(&api, &format!("/hazards/{}", hazards[0].id), &mine).0, 200);

    // Live data: a detector of each enterprise goes into alarm, and a truck drives by.
    let other = all
        .iter()
        .find(|d| d.1.as_deref() == Some("ent-02"))
        .expect("an ent-02 detector")
        .0
        .clone();
    let sensors: Vec<SensorState> = get(&api, "/sensors", &park_viewer);
    let alarm_of = |id: &str| {
        sensors
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.alarm)
            .expect("an alarm threshold")
    };
    let ours = own[0].0.clone();
    post(
        &api,
        "/observations",
        &server.ingest,
        &json!([
            {"sensor": ours, "time": ago(20), "value": alarm_of(&ours) * 2.0},
            {"sensor": other, "time": ago(20), "value": alarm_of(&other) * 2.0},
        ]),
    );
    post(
        &api,
        "/vehicles/positions",
        &server.ingest,
        &json!([{"plate": "鲁E12345", "time": ago(10), "lon": 118.45, "lat": 37.57, "speed_kmh": 20.0, "heading_deg": 90.0}]),
    );

    let sensors_seen: Vec<SensorState> = get(&api, "/sensors", &mine);
    assert!(sensors_seen.iter().any(|s| s.id == ours));
    assert!(!sensors_seen.iter().any(|s| s.id == other));
    assert!(
        sensors_seen.iter().any(|s| s.layer == "weather_stations"),
        "the park's weather stations are shared"
    );
    let (status, body) = read(&api, &format!("/sensors/{other}/observations"), &mine);
    assert_eq!(status, 403, "{body}");
    let alarms: Vec<Alarm> = get(&api, "/alarms", &mine);
    let sources: Vec<&str> = alarms.iter().map(|a| a.source.as_str()).collect();
    assert_eq!(sources, [ours.as_str()], "its own detector's alarm only");
    assert_eq!(get::<Vec<Alarm>>(&api, "/alarms", &park_viewer).len(), 2);
    let vehicles: Vec<VehiclePosition> = get(&api, "/vehicles", &mine);
    assert!(vehicles.iter().any(|v| v.plate == "鲁E12345"), "the traffic is shared");

    // The feed: the other enterprise's reading and alarm are left out, and the cursor still
    // passes them, so that a scoped client neither sees them nor asks for them again.
    let page: EventPage = get(&api, "/events?since=0", &mine);
    let everything: EventPage = get(&api, "/events?since=0", &park_viewer);
    assert_eq!(page.next, everything.next, "the cursor passes every event read");
    let subjects: Vec<String> = page
        .events
        .iter()
        .map(|e| {
            let p = &e.payload;
            format!(
                "{}:{}",
                e.kind,
                p["sensor"]
                    .as_str()
                    .or(p["source"].as_str())
                    .or(p["plate"].as_str())
                    .unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            format!("observation:{ours}"),
            format!("alarm_raised:{ours}"),
            "position:鲁E12345".to_string()
        ]
    );
    assert_eq!(everything.events.len(), 5);

    // The after-action timeline: its own alarm, not the other's.
    let (status, csv) = read(&api, "/after-action/timeline.csv", &mine);
    assert_eq!(status, 200, "{csv}");
    assert!(csv.contains(&ours) && !csv.contains(&other), "{csv}");

    // A revoked token reads nothing.
    let id = store
        .tokens()
        .expect("tokens")
        .into_iter()
        .find(|t| t.enterprise.as_deref() == Some("ent-01"))
        .expect("the scoped token is listed with its enterprise")
        .id;
    store
        .revoke_token(&id)
        .expect("store")
        .expect("a token with that id")
        .expect("revoked");
    let (status, body) = read(&api, "/sensors", &mine);
    assert_eq!(status, 401, "{body}");
}

#[test]
fn a_scoped_token_is_only_for_a_viewer_of_an_enterprise_the_park_has() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _server = start_private_server(dir.path()).expect("server");
    let store = parktwin_e2e::open_store(dir.path());
    let why = store
        .create_enterprise_viewer("nobody", "ent-99")
        .expect("store")
        .expect_err("no such enterprise");
    assert!(why.contains("ent-99") && why.contains("ent-01"), "{why}");
    // Nothing was stored.
    assert!(store.tokens().expect("tokens").iter().all(|t| t.name != "nobody"));
}
