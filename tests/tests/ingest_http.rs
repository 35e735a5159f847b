//! Ingest over real HTTP and SQLite: batches are stored whole or not at all, every stored record
//! is one event in the ordered log, and the latest-state and history endpoints agree with it.

use parktwin_api::clock::format_utc;
use parktwin_api::model::{EventPage, IngestReceipt, SensorLevel, SensorState, VehiclePosition};
use parktwin_e2e::start_server;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn ago(s: i64) -> String {
    format_utc(OffsetDateTime::now_utc() - Duration::seconds(s))
}

/// Posts as a machine feed, with an ingest token.
fn post(token: &str, url: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::blocking::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .expect("server answers");
    (r.status().as_u16(), r.json().expect("JSON"))
}

/// A point of the park `e` metres east and `n` north of its origin, WGS84 `[lon, lat]`, by
/// the park's own frame as the server serves it.
fn park_point(api: &str) -> impl Fn(f64, f64) -> [f64; 2] {
    let frame = get::<parktwin_api::model::Park>(&format!("{api}/park")).frame();
    move |e, n| {
        let (lon, lat) = frame.to_wgs84(e, n);
        [lon, lat]
    }
}

fn get<T: serde::de::DeserializeOwned>(url: &str) -> T {
    let r = reqwest::blocking::get(url).expect("server answers");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().expect("JSON")
}

#[test]
fn observations_become_events_and_sensor_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // gd-001 is a chlorine detector: warn 0.34 ppm, alarm 0.69 ppm.
    let sensors: Vec<SensorState> = get(&format!("{api}/sensors"));
    let gd1 = sensors.iter().find(|x| x.id == "gd-001").expect("gd-001");
    let warn = gd1.warn.expect("warn");
    assert_eq!(gd1.level, SensorLevel::NoData);
    assert!(sensors.iter().any(|x| x.layer == "weather_stations"));

    let (status, body) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([
            {"sensor": "gd-001", "time": ago(60), "value": 0.01},
            {"sensor": "gd-001", "time": ago(30), "value": warn * 1.1},
            {"sensor": "gd-002", "time": ago(30), "value": 0.0},
        ]),
    );
    assert_eq!(status, 200, "{body}");
    let receipt: IngestReceipt = serde_json::from_value(body).expect("receipt");
    assert_eq!(receipt.accepted, 3);

    let page: EventPage = get(&format!("{api}/events?since=0"));
    // Three readings, and the warning the second one raised.
    let kinds: Vec<&str> = page.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["observation", "observation", "alarm_raised", "observation"]);
    assert!(page.events.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(page.next, receipt.last_seq);
    assert!(page.events.iter().all(|e| e.channel == "live"));
    let empty: EventPage = get(&format!("{api}/events?since={}", page.next));
    assert!(
        empty.events.is_empty() && empty.next == page.next,
        "the cursor resumes where it was"
    );
    let one: EventPage = get(&format!("{api}/events?since=0&limit=1"));
    assert_eq!(one.events.len(), 1);

    let sensors: Vec<SensorState> = get(&format!("{api}/sensors"));
    let gd1 = sensors.iter().find(|x| x.id == "gd-001").expect("gd-001");
    assert_eq!(gd1.level, SensorLevel::Warning);
    assert!((gd1.value.expect("value") - warn * 1.1).abs() < 1e-12);

    let history: Vec<Value> = get(&format!("{api}/sensors/gd-001/observations"));
    assert_eq!(history.len(), 2, "the last hour, oldest first");
    assert!(history[0]["value"].as_f64() < history[1]["value"].as_f64());
}

#[test]
fn a_batch_with_one_bad_record_stores_nothing_and_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([
            {"sensor": "gd-001", "time": ago(10), "value": 0.2},
            {"sensor": "gd-999", "time": ago(10), "value": 0.2},
        ]),
    );
    assert_eq!(status, 422);
    let msg = body["error"].as_str().expect("error");
    assert!(
        msg.contains("record 1") && msg.contains("gd-999") && msg.contains("\"sensor\""),
        "{msg}"
    );
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert!(page.events.is_empty(), "the good record 0 was not stored either");

    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/observations"))
        .bearer_auth(&s.ingest)
        .header("content-type", "application/json")
        .body("[{\"sensor\":")
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 400);
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([{"sensor": "gd-001", "time": ago(-3600), "value": 1}]),
    );
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.contains("ahead of the server's clock"))
    );
    let (status, _) = post(&s.ingest, &format!("{api}/events"), &json!([]));
    assert_eq!(status, 405);
    let r = reqwest::blocking::get(format!("{api}/events?since=-4")).expect("answers");
    assert_eq!(r.status().as_u16(), 400);
    let r = reqwest::blocking::get(format!("{api}/sensors/gd-999/observations")).expect("answers");
    assert_eq!(r.status().as_u16(), 404);
    let r = reqwest::blocking::get(format!("{api}/sensors/gd-001/observations?from=noon")).expect("answers");
    assert_eq!(r.status().as_u16(), 400);
}

#[test]
fn positions_give_latest_vehicles_and_tracks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let fixes = json!([
        {"plate": "鲁E·A1234", "time": ago(90), "lon": 118.4700, "lat": 37.5650, "speed_kmh": 30, "heading_deg": 270},
        {"plate": "鲁E·A1234", "time": ago(60), "lon": 118.4690, "lat": 37.5650, "speed_kmh": 32, "heading_deg": 270},
        {"plate": "鲁E·B5678", "time": ago(60), "lon": 118.4400, "lat": 37.5800},
    ]);
    let (status, body) = post(&s.ingest, &format!("{api}/vehicles/positions"), &fixes);
    assert_eq!(status, 200, "{body}");
    let vehicles: Vec<VehiclePosition> = get(&format!("{api}/vehicles"));
    assert_eq!(vehicles.len(), 2);
    let a = vehicles.iter().find(|v| v.plate == "鲁E·A1234").expect("A1234");
    assert!((a.lon - 118.469).abs() < 1e-9, "the latest fix");
    let plate = "%E9%B2%81E%C2%B7A1234";
    let track: Vec<VehiclePosition> = get(&format!("{api}/vehicles/{plate}/track"));
    assert_eq!(track.len(), 2);
    assert!(track[0].time < track[1].time);
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert_eq!(page.events.iter().filter(|e| e.kind == "position").count(), 3);

    let (status, body) = post(
        &s.ingest,
        &format!("{api}/vehicles/positions"),
        &json!([{"plate": "鲁E·C9", "time": ago(5), "lon": 118.4, "lat": 97.5}]),
    );
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.contains("\"lat\"") && m.contains("record 0"))
    );
}

#[test]
fn a_detector_raises_escalates_and_closes_one_alarm() {
    use parktwin_api::model::{Alarm, AlarmTier};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let sensors: Vec<SensorState> = get(&format!("{api}/sensors"));
    let gd = sensors.iter().find(|x| x.id == "gd-001").expect("gd-001");
    let (warn, alarm) = (gd.warn.expect("warn"), gd.alarm.expect("alarm"));
    let readings = json!([
        {"sensor": "gd-001", "time": ago(50), "value": warn * 0.1},
        {"sensor": "gd-001", "time": ago(40), "value": warn * 1.2},
        {"sensor": "gd-001", "time": ago(30), "value": warn * 1.3},
        {"sensor": "gd-001", "time": ago(20), "value": alarm * 1.5},
    ]);
    let (status, body) = post(&s.ingest, &format!("{api}/observations"), &readings);
    assert_eq!(status, 200, "{body}");
    let open: Vec<Alarm> = get(&format!("{api}/alarms"));
    assert_eq!(open.len(), 1, "raised once while the condition lasts: {open:?}");
    assert_eq!((open[0].tier, open[0].source.as_str()), (AlarmTier::Alarm, "gd-001"));

    // A late reading from before does not clear it; a fresh normal one does.
    let (status, _) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([{"sensor": "gd-001", "time": ago(45), "value": 0.0}]),
    );
    assert_eq!(status, 200);
    assert_eq!(get::<Vec<Alarm>>(&format!("{api}/alarms")).len(), 1);
    let (status, _) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([{"sensor": "gd-001", "time": ago(5), "value": 0.0}]),
    );
    assert_eq!(status, 200);
    assert!(get::<Vec<Alarm>>(&format!("{api}/alarms")).is_empty());
    let all: Vec<Alarm> = get(&format!("{api}/alarms?state=all"));
    assert_eq!(all.len(), 1);
    assert!(all[0].closed.is_some());

    let page: EventPage = get(&format!("{api}/events?since=0"));
    let kinds: Vec<&str> = page
        .events
        .iter()
        .filter(|e| e.kind.starts_with("alarm"))
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["alarm_raised", "alarm_escalated", "alarm_closed"]);
    let r = reqwest::blocking::get(format!("{api}/alarms?state=maybe")).expect("answers");
    assert_eq!(r.status().as_u16(), 400);
}

#[test]
fn speeding_inside_the_fence_raises_an_alarm_and_outside_does_not() {
    use parktwin_api::model::{Alarm, AlarmTier};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // 118.45, 37.57 is the middle of the park; 118.50 is on the highway outside the fence.
    let fixes = json!([
        {"plate": "鲁E·S1", "time": ago(40), "lon": 118.45, "lat": 37.57, "speed_kmh": 28},
        {"plate": "鲁E·S1", "time": ago(30), "lon": 118.4505, "lat": 37.57, "speed_kmh": 42},
        {"plate": "鲁E·S1", "time": ago(20), "lon": 118.451, "lat": 37.57, "speed_kmh": 61},
        {"plate": "鲁E·H9", "time": ago(20), "lon": 118.50, "lat": 37.55, "speed_kmh": 80},
    ]);
    let (status, body) = post(&s.ingest, &format!("{api}/vehicles/positions"), &fixes);
    assert_eq!(status, 200, "{body}");
    let open: Vec<Alarm> = get(&format!("{api}/alarms"));
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (open[0].source.as_str(), open[0].tier, open[0].rule.as_str()),
        ("鲁E·S1", AlarmTier::Alarm, "vehicle_speeding")
    );
    let (status, _) = post(
        &s.ingest,
        &format!("{api}/vehicles/positions"),
        &json!([{"plate": "鲁E·S1", "time": ago(10), "lon": 118.452, "lat": 37.57, "speed_kmh": 25}]),
    );
    assert_eq!(status, 200);
    assert!(
        get::<Vec<Alarm>>(&format!("{api}/alarms")).is_empty(),
        "back under the limit closes it"
    );
}

#[test]
fn weather_reports_are_checked_stored_and_the_latest_served() {
    use parktwin_api::model::WeatherReport;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let reports = json!([
        {"station": "ws-1", "time": ago(70), "wind_speed_ms": 2.0, "wind_from_deg": 250, "temperature_c": 11.0},
        {"station": "ws-1", "time": ago(10), "wind_speed_ms": 3.5, "wind_from_deg": 270, "temperature_c": 12.0, "cloud_oktas": 4},
    ]);
    let (status, body) = post(&s.ingest, &format!("{api}/weather"), &reports);
    assert_eq!(status, 200, "{body}");
    let latest: Vec<WeatherReport> = get(&format!("{api}/weather/latest"));
    assert_eq!(latest.len(), 1);
    assert_eq!((latest[0].wind_speed_ms, latest[0].cloud_oktas), (3.5, Some(4)));
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/weather"),
        &json!([{"station": "ws-9", "time": ago(5), "wind_speed_ms": 2.0, "wind_from_deg": 90, "temperature_c": 10.0}]),
    );
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.contains("ws-9") && m.contains("\"station\""))
    );
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/weather"),
        &json!([{"station": "ws-1", "time": ago(5), "wind_speed_ms": 2.0, "wind_from_deg": 400, "temperature_c": 10.0}]),
    );
    assert_eq!(status, 422);
    assert!(body["error"].as_str().is_some_and(|m| m.contains("wind_from_deg")));
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert_eq!(page.events.iter().filter(|e| e.kind == "weather").count(), 2);
}

#[test]
fn only_an_operator_token_acknowledges_an_alarm() {
    use parktwin_api::model::{Alarm, Role};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let operator = store.create_token(Role::Operator, "Duty officer Wang").expect("token");
    let feed = store.create_token(Role::Ingest, "DCS gateway").expect("token");
    let (status, _) = post(
        &s.ingest,
        &format!("{api}/observations"),
        &json!([{"sensor": "gd-001", "time": ago(5), "value": 99.0}]),
    );
    assert_eq!(status, 200);
    let open: Vec<Alarm> = get(&format!("{api}/alarms"));
    let url = format!("{api}/alarms/{}/ack", open[0].id);
    let client = reqwest::blocking::Client::new();
    let ack = |token: Option<&str>| {
        let mut r = client.post(&url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().expect("answers");
        (r.status().as_u16(), r.json::<Value>().expect("JSON"))
    };
    let (status, body) = ack(None);
    assert_eq!(status, 401, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("Bearer")));
    assert_eq!(ack(Some("pt_not-a-token")).0, 401);
    let (status, body) = ack(Some(&feed));
    assert_eq!(status, 403, "{body}");
    let (status, body) = ack(Some(&operator));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["acknowledged"]["by"], "Duty officer Wang");
    let first_at = body["acknowledged"]["at"].clone();
    let (_, again) = ack(Some(&operator));
    assert_eq!(
        again["acknowledged"]["at"], first_at,
        "the first acknowledgement stands"
    );
    let r = client
        .post(format!("{api}/alarms/999/ack"))
        .bearer_auth(&operator)
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 404);
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert_eq!(page.events.iter().filter(|e| e.kind == "alarm_acked").count(), 1);
    // Tokens are kept hashed: the database does not hold the token itself.
    let n = parktwin_e2e::count(
        dir.path(),
        &format!("SELECT count(*) FROM tokens WHERE hash = '{operator}'"),
    );
    assert_eq!(n, 0);
    assert_eq!(
        parktwin_e2e::count(dir.path(), "SELECT count(*) FROM tokens"),
        4,
        "the server's two and this test's two"
    );
}

#[test]
fn a_hazmat_truck_without_a_waybill_raises_an_alarm_at_the_gate() {
    use parktwin_api::model::{Alarm, AlarmTier};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // W1 and W5 registered their waybills; W5 shows another number at the gate.
    let waybill = |id: &str, plate: &str| {
        json!({"id": id, "plate": plate, "un_number": "UN1017", "cargo": "liquid chlorine", "tonnes": 20.0,
               "valid_from": ago(3600), "valid_to": ago(-3600), "route": [[118.46, 37.56], [118.45, 37.57]]})
    };
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/waybills"),
        &json!([
            waybill("YD2026112600042", "鲁E·W1"),
            waybill("YD2026112600043", "鲁E·W5")
        ]),
    );
    assert_eq!(status, 200, "{body}");
    let passes = json!([
        {"time": ago(30), "plate": "鲁E·W1", "direction": "in", "hazmat": true, "cargo": "liquid chlorine",
         "un_number": "UN1017", "tonnes": 20.0, "waybill": "YD2026112600042"},
        {"time": ago(20), "plate": "鲁E·W2", "direction": "in", "hazmat": true, "cargo": "methanol",
         "un_number": "UN1230", "tonnes": 25.0},
        {"time": ago(15), "plate": "鲁E·W3", "direction": "in", "hazmat": false},
        {"time": ago(10), "plate": "鲁E·W2", "direction": "in", "hazmat": true, "un_number": "UN1230"},
        {"time": ago(9), "plate": "鲁E·W5", "direction": "in", "hazmat": true, "waybill": "YD-FORGED"},
    ]);
    let (status, body) = post(&s.ingest, &format!("{api}/gates/gate-hazmat/passes"), &passes);
    assert_eq!(status, 200, "{body}");
    let open: Vec<Alarm> = get(&format!("{api}/alarms"));
    let mut raised: Vec<(&str, &str, AlarmTier)> = open
        .iter()
        .map(|a| (a.rule.as_str(), a.source.as_str(), a.tier))
        .collect();
    raised.sort();
    assert_eq!(
        raised,
        [
            ("hazmat_without_waybill", "鲁E·W2", AlarmTier::Alarm),
            ("hazmat_without_waybill", "鲁E·W5", AlarmTier::Alarm)
        ],
        "one alarm for the truck without a waybill (not raised twice), one for the forged number"
    );
    let page: EventPage = get(&format!("{api}/events?since=0"));
    let pass = page.events.iter().find(|e| e.kind == "pass").expect("pass event");
    assert_eq!(pass.payload["gate"], "gate-hazmat");

    let (status, body) = post(&s.ingest, &format!("{api}/gates/gate-nowhere/passes"), &passes);
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/gates/gate-hazmat/passes"),
        &json!([{"time": ago(5), "plate": "鲁E·W4", "direction": "in", "hazmat": true, "un_number": "chlorine"}]),
    );
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("un_number")),
        "{body}"
    );
}

#[test]
fn waybills_are_registered_checked_and_served() {
    use parktwin_api::model::Waybill;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let wb = json!({"id": "YD7", "plate": "鲁E·R1", "un_number": "UN1005", "cargo": "anhydrous ammonia",
                    "tonnes": 24.5, "valid_from": ago(60), "valid_to": ago(-7200), "destination": "tank farm T-3",
                    "route": [[118.46, 37.56], [118.45, 37.57]]});
    let (status, body) = post(&s.ingest, &format!("{api}/waybills"), &json!([wb]));
    assert_eq!(status, 200, "{body}");
    let mut bad = wb.clone();
    bad["id"] = json!("YD8");
    bad["route"] = json!([[118.46, 37.56], [318.45, 37.57]]);
    let (status, body) = post(&s.ingest, &format!("{api}/waybills"), &json!([wb, bad]));
    assert_eq!(status, 422);
    let msg = body["error"].as_str().unwrap_or_default();
    assert!(msg.contains("record 1 (waybill \"YD8\"): field \"route[1]\""), "{msg}");
    let all: Vec<Waybill> = get(&format!("{api}/waybills"));
    assert_eq!(all.len(), 1, "nothing of the refused batch was stored: {all:?}");
    let one: Waybill = get(&format!("{api}/waybills/YD7"));
    assert_eq!((one.plate.as_str(), one.tonnes), ("鲁E·R1", 24.5));
    let mine: Vec<Waybill> = get(&format!("{api}/waybills?plate=%E9%B2%81E%C2%B7R1"));
    assert_eq!(mine.len(), 1);
    let r = reqwest::blocking::get(format!("{api}/waybills/YD9")).expect("answer");
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn off_route_and_stopped_trucks_raise_alarms_that_close_when_they_recover() {
    use parktwin_api::model::{Alarm, AlarmTier};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let at = park_point(&api);
    // The planned route: up the middle avenue from -400 m to +400 m north.
    let wb = json!({"id": "YD-R", "plate": "鲁E·R2", "un_number": "UN1017", "cargo": "liquid chlorine",
                    "tonnes": 20.0, "valid_from": ago(3600), "valid_to": ago(-3600),
                    "route": [at(0.0, -400.0), at(0.0, 400.0)]});
    assert_eq!(post(&s.ingest, &format!("{api}/waybills"), &json!([wb])).0, 200);
    let fix = |t: i64, e: f64, n: f64, speed: f64| {
        let p = at(e, n);
        json!({"plate": "鲁E·R2", "time": ago(t), "lon": p[0], "lat": p[1], "speed_kmh": speed})
    };
    let open = || -> Vec<(String, AlarmTier)> {
        get::<Vec<Alarm>>(&format!("{api}/alarms"))
            .into_iter()
            .map(|a| (a.rule, a.tier))
            .collect()
    };
    let send = |fixes: Value| {
        let (status, body) = post(&s.ingest, &format!("{api}/vehicles/positions"), &fixes);
        assert_eq!(status, 200, "{body}");
    };
    // On the route, then 30 m beside it (a GPS error): nothing.
    send(json!([fix(1000, 0.0, -300.0, 25.0), fix(990, 30.0, -200.0, 25.0)]));
    assert!(open().is_empty(), "{:?}", open());
    // 120 m off: a warning; 500 m off: an alarm; back on the route: closed.
    send(json!([fix(980, 120.0, -100.0, 25.0)]));
    assert_eq!(open(), [("vehicle_off_route".to_string(), AlarmTier::Warning)]);
    send(json!([fix(970, 500.0, 0.0, 25.0)]));
    assert_eq!(open(), [("vehicle_off_route".to_string(), AlarmTier::Alarm)]);
    send(json!([fix(960, 10.0, 100.0, 25.0)]));
    assert!(open().is_empty(), "{:?}", open());
    // Standing still on the avenue: four minutes is loading, six is a reminder, eleven a
    // warning; moving again closes it.
    send(json!([fix(900, 0.0, 200.0, 0.0), fix(660, 0.0, 200.0, 0.0)]));
    assert!(open().is_empty(), "{:?}", open());
    send(json!([fix(540, 0.0, 200.0, 0.0)]));
    assert_eq!(open(), [("vehicle_stopped".to_string(), AlarmTier::Reminder)]);
    // Standing since its last moving fix (960 s ago), not since its first still one (900).
    let stood: Vec<f64> = get::<Vec<Alarm>>(&format!("{api}/alarms"))
        .iter()
        .map(|a| a.value)
        .collect();
    assert_eq!(stood, [420.0], "seconds still at the fix 540 s ago");
    send(json!([fix(230, 0.0, 200.0, 0.0)]));
    assert_eq!(open(), [("vehicle_stopped".to_string(), AlarmTier::Warning)]);
    send(json!([fix(220, 0.0, 250.0, 20.0)]));
    assert!(open().is_empty(), "{:?}", open());
}

#[test]
fn a_truck_standing_in_the_parking_lot_is_no_alarm() {
    use parktwin_api::model::{Alarm, Park};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let frame = get::<Park>(&format!("{api}/park")).frame();
    // The hazmat parking lot's middle, by the demo park's plan.
    let (lon, lat) = frame.to_wgs84(1300.0, -900.0);
    let fix =
        |t: i64, speed: f64| json!({"plate": "鲁E·P1", "time": ago(t), "lon": lon, "lat": lat, "speed_kmh": speed});
    let (status, body) = post(
        &s.ingest,
        &format!("{api}/vehicles/positions"),
        &json!([fix(3000, 10.0), fix(2000, 0.0), fix(10, 0.0)]),
    );
    assert_eq!(status, 200, "{body}");
    let open: Vec<Alarm> = get(&format!("{api}/alarms"));
    assert!(open.is_empty(), "{open:?}");
}

/// Only machine feeds (and admins) write readings, positions, weather, passes and waybills:
/// without a token 401, with another role's 403, with a revoked one 401, and nothing stored.
#[test]
fn only_a_feeds_token_writes_and_a_refused_write_stores_nothing() {
    use parktwin_api::model::Role;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let viewer = store.create_token(Role::Viewer, "lobby screen").expect("token");
    let admin = store.create_token(Role::Admin, "park IT").expect("token");
    let writes = [
        (
            "observations",
            json!([{"sensor": "gd-001", "time": ago(5), "value": 0.1}]),
        ),
        (
            "vehicles/positions",
            json!([{"plate": "鲁E12345", "time": ago(5), "lon": 118.45, "lat": 37.57}]),
        ),
        (
            "weather",
            json!([{"station": "ws-1", "time": ago(5), "wind_speed_ms": 3.0, "wind_from_deg": 200.0, "temperature_c": 9.0}]),
        ),
        (
            "gates/gate-hazmat/passes",
            json!([{"time": ago(5), "plate": "鲁E12345", "direction": "in", "hazmat": true}]),
        ),
        ("waybills", json!([])),
    ];
    let send = |path: &str, body: &Value, token: Option<&str>| {
        let mut r = reqwest::blocking::Client::new()
            .post(format!("{api}/{path}"))
            .json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().expect("answers");
        (r.status().as_u16(), r.json::<Value>().expect("JSON"))
    };
    for (path, body) in &writes {
        let (status, err) = send(path, body, None);
        assert_eq!(status, 401, "{path} without a token: {err}");
        assert!(err["error"].as_str().is_some_and(|m| m.contains("Bearer")), "{err}");
        for (who, token) in [("viewer", &viewer), ("operator", &s.operator)] {
            let (status, err) = send(path, body, Some(token));
            assert_eq!(status, 403, "{path} with a {who}'s token: {err}");
            assert!(err["error"].as_str().is_some_and(|m| m.contains("ingest")), "{err}");
        }
    }
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert!(
        page.events.is_empty(),
        "refused writes store nothing: {:?}",
        page.events
    );
    // The feed's and an admin's tokens write; a revoked feed token is refused.
    for (path, body) in &writes[..4] {
        assert_eq!(send(path, body, Some(&s.ingest)).0, 200, "{path}");
    }
    assert_eq!(send("observations", &writes[0].1, Some(&admin)).0, 200);
    let id = store
        .tokens()
        .expect("tokens")
        .into_iter()
        .find(|t| t.name == "test feed")
        .expect("the feed's token")
        .id;
    assert!(matches!(store.revoke_token(&id), Ok(Some(Ok(_)))));
    let (status, err) = send("observations", &writes[0].1, Some(&s.ingest));
    assert_eq!(status, 401, "{err}");
}

/// What axum itself refuses is answered in JSON too, naming what is wrong: a body over the
/// limit (and nothing of it stored); an alarm id that is not one is unknown.
#[test]
fn an_oversized_body_or_a_bad_id_gets_a_json_error_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let one = json!({"sensor": "gd-001", "time": ago(5), "value": 0.1});
    let n = parktwin_server::MAX_BODY_BYTES / one.to_string().len() + 1000;
    let huge = Value::Array(vec![one; n]);
    let (status, body) = post(&s.ingest, &format!("{api}/observations"), &huge);
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("limit of 8 MiB")),
        "{body}"
    );
    let page: EventPage = get(&format!("{api}/events?since=0"));
    assert!(page.events.is_empty(), "nothing of an oversized batch is stored");
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/alarms/first/ack"))
        .bearer_auth(&s.operator)
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().expect("a JSON error");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("first")), "{body}");
}

/// The rules read a batch's vehicles once and keep what each fix changes: a truck's whole
/// journey in one batch, among another truck's fixes, raises and closes the same alarms, at
/// the same values, as the same journey sent a fix at a time.
#[test]
fn a_journey_in_one_batch_raises_the_alarms_it_raises_a_fix_at_a_time() {
    use parktwin_api::model::Alarm;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let at = park_point(&api);
    for plate in ["鲁E·B1", "鲁E·F1"] {
        let wb = json!({"id": format!("YD-{plate}"), "plate": plate, "un_number": "UN1017",
                        "cargo": "liquid chlorine", "tonnes": 20.0, "valid_from": ago(3600),
                        "valid_to": ago(-3600), "route": [at(0.0, -400.0), at(0.0, 400.0)]});
        assert_eq!(post(&s.ingest, &format!("{api}/waybills"), &json!([wb])).0, 200);
    }
    // (seconds ago, east, north, km/h): off the route and back, a late fix that decides
    // nothing, standing still to a reminder and a warning, moving off, speeding and slowing.
    let journey = [
        (1000, 0.0, -300.0, 25.0),
        (980, 120.0, -100.0, 25.0),
        (970, 500.0, 0.0, 25.0),
        (975, 900.0, 0.0, 90.0),
        (960, 10.0, 100.0, 25.0),
        (900, 0.0, 200.0, 0.0),
        (540, 0.0, 200.0, 0.0),
        (230, 0.0, 200.0, 0.0),
        (220, 0.0, 250.0, 20.0),
        (200, 0.0, 260.0, 60.0),
        (190, 0.0, 270.0, 20.0),
    ];
    let fix = |plate: &str, &(t, e, n, speed): &(i64, f64, f64, f64)| {
        let p = at(e, n);
        json!({"plate": plate, "time": ago(t), "lon": p[0], "lat": p[1], "speed_kmh": speed})
    };
    let send = |fixes: Vec<Value>| {
        let (status, body) = post(&s.ingest, &format!("{api}/vehicles/positions"), &json!(fixes));
        assert_eq!(status, 200, "{body}");
    };
    // Each of the batch's fixes beside one of a truck parked outside the fence.
    let outside = at(5000.0, 5000.0);
    send(
        journey
            .iter()
            .enumerate()
            .flat_map(|(k, f)| {
                let other = json!({"plate": "鲁E·P0", "time": ago(f.0 + k as i64), "lon": outside[0],
                                   "lat": outside[1], "speed_kmh": 0.0});
                [fix("鲁E·B1", f), other]
            })
            .collect(),
    );
    for f in &journey {
        send(vec![fix("鲁E·F1", f)]);
    }
    let alarms_of = |plate: &str| -> Vec<(String, String, String, f64, Option<String>)> {
        let page: EventPage = get(&format!(
            "{api}/events?since=0&kind=alarm_raised,alarm_escalated,alarm_closed"
        ));
        page.events
            .into_iter()
            .filter_map(|e| {
                let a: Alarm = serde_json::from_value(e.payload).expect("an alarm");
                let tier = serde_json::to_value(a.tier)
                    .expect("tier")
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                (a.source == plate).then_some((e.kind, a.rule, tier, a.value, a.closed))
            })
            .collect()
    };
    let one_batch = alarms_of("鲁E·B1");
    let kinds: Vec<(&str, &str, &str)> = one_batch
        .iter()
        .map(|(k, r, t, _, _)| (k.as_str(), r.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("alarm_raised", "vehicle_off_route", "warning"),
            ("alarm_escalated", "vehicle_off_route", "alarm"),
            ("alarm_closed", "vehicle_off_route", "alarm"),
            ("alarm_raised", "vehicle_stopped", "reminder"),
            ("alarm_escalated", "vehicle_stopped", "warning"),
            ("alarm_closed", "vehicle_stopped", "warning"),
            ("alarm_raised", "vehicle_speeding", "alarm"),
            ("alarm_closed", "vehicle_speeding", "alarm"),
        ],
        "{one_batch:?}"
    );
    // The reminder's value: standing since the last moving fix, 960 s ago, at the fix 540 s ago.
    assert_eq!(one_batch[3].3, 420.0, "{one_batch:?}");
    let strip_closed = |v: Vec<(String, String, String, f64, Option<String>)>| {
        v.into_iter()
            .map(|(k, r, t, x, c)| (k, r, t, x, c.is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip_closed(one_batch), strip_closed(alarms_of("鲁E·F1")));
    // The truck outside the fence raised nothing, and no alarm is left open.
    assert!(alarms_of("鲁E·P0").is_empty());
    assert!(get::<Vec<Alarm>>(&format!("{api}/alarms?state=open")).is_empty());
}
