//! The device registry over real HTTP (SQLite here, PostgreSQL in `scripts/test-postgres`):
//! the demo park's detectors, air-quality stations and outfalls registered at the seed; a
//! device added, changed and removed at runtime by an admin, each change in the log; a CSV
//! imported whole, and one with a bad row refused whole, naming row and field; an
//! enterprise's viewer seeing its own.

use parktwin_api::device::{Device, DeviceKind, DeviceState};
use parktwin_api::model::Role;
use parktwin_e2e::{open_store, send, start_server};
use serde_json::{Value, json};

fn ok(method: &str, url: &str, token: &str, body: Option<&Value>) -> Value {
    let (code, v) = send(method, url, Some(token), body);
    assert!((200..300).contains(&code), "{method} {url}: {code} {v}");
    v
}

fn post_csv(url: &str, token: &str, csv: &str) -> (u16, Value) {
    let r = reqwest::blocking::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .expect("answers");
    let code = r.status().as_u16();
    (code, r.json().unwrap_or(Value::Null))
}

fn devices(api: &str, token: &str) -> Vec<Device> {
    serde_json::from_value(ok("GET", &format!("{api}/devices"), token, None)).expect("devices")
}

#[test]
fn devices_are_registered_changed_imported_and_removed_at_runtime_each_change_in_the_log() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "registrar").expect("as set up");
    let viewer = store.create_token(Role::Viewer, "visitor").expect("as set up");

    // The seed's: every detector (its thresholds as high and high-high), the stations, the
    // outfalls.
    let seeded = devices(&api, &viewer);
    let count = |k: DeviceKind| seeded.iter().filter(|d| d.kind == k).count();
    assert_eq!(count(DeviceKind::GasDetector), 194);
    assert_eq!(count(DeviceKind::AirQuality), 6);
    assert!(count(DeviceKind::Outfall) >= 3, "{}", count(DeviceKind::Outfall));
    let gd = seeded.iter().find(|d| d.id == "gd-001").expect("gd-001");
    let c = gd.quantity("concentration").expect("its concentration");
    assert_eq!(
        (c.unit.as_str(), c.thresholds.high, c.thresholds.high_high),
        ("ppm", Some(5.0), Some(10.0))
    );
    assert_eq!(gd.location.feature.as_deref(), Some("gd-001"));

    // A tank's level gauge, added by an admin; not by an operator; not twice.
    let gauge = json!({"id": "lt-101", "kind": "tank_level", "name": "Chlorine-T01 level", "name_zh": "液氯储罐T01液位",
        "location": {"layer": "tanks", "feature": "tank-001"}, "enterprise": "ent-01",
        "quantities": [{"name": "level", "unit": "%", "thresholds": {"low_low": 5, "low": 10, "high": 85, "high_high": 95}}]});
    assert_eq!(
        send("POST", &format!("{api}/devices"), Some(&s.operator), Some(&gauge)).0,
        403
    );
    let added: Device =
        serde_json::from_value(ok("POST", &format!("{api}/devices"), &admin, Some(&gauge))).expect("a device");
    assert_eq!(added.state, DeviceState::InService);
    assert_eq!(
        send("POST", &format!("{api}/devices"), Some(&admin), Some(&gauge)).0,
        409
    );
    // Problems of its own and against the park, each named.
    let mut bad = gauge.clone();
    bad["id"] = json!("lt-102");
    bad["location"] = json!({"layer": "tanks", "feature": "tank-999"});
    bad["enterprise"] = json!("ent-99");
    bad["quantities"][0]["thresholds"]["high"] = json!(99);
    let (code, why) = send("POST", &format!("{api}/devices"), Some(&admin), Some(&bad));
    assert_eq!(code, 422, "{why}");
    let words = why["error"].as_str().unwrap_or_default();
    for part in [
        "quantities[0].thresholds: low_low ≤ low ≤ high ≤ high_high, and 99 > 95",
        "enterprise: \"ent-99\" is not one of the park's enterprises",
        "location.feature: \"tank-999\" is not a feature of the tanks layer",
    ] {
        assert!(words.contains(part), "no \"{part}\" in {words}");
    }
    assert!(
        !devices(&api, &viewer).iter().any(|d| d.id == "lt-102"),
        "nothing stored"
    );

    // Into maintenance; the path's id must be the body's.
    let mut changed = gauge.clone();
    changed["state"] = json!("maintenance");
    assert_eq!(
        send("PUT", &format!("{api}/devices/lt-999"), Some(&admin), Some(&changed)).0,
        422
    );
    let d: Device =
        serde_json::from_value(ok("PUT", &format!("{api}/devices/lt-101"), &admin, Some(&changed))).expect("a device");
    assert_eq!(d.state, DeviceState::Maintenance);
    let one: Device =
        serde_json::from_value(ok("GET", &format!("{api}/devices/lt-101"), &viewer, None)["device"].clone())
            .expect("a device");
    assert_eq!(one, d);

    // A CSV with a bad row: nothing of it stored, the row and field named.
    let import = format!("{api}/devices/import");
    let csv = "id,kind,name,lon,lat,quantity,unit,high,high_high\n\
               pt-201,pipe_pressure,Chlorine line P1,118.4561,37.5690,pressure,MPa,1.2,1.4\n\
               em-01,electricity_meter,Ent-01 main meter,118.4501,37.5650,energy,kWh,,\n\
               em-02,electricity_meter,Ent-02 main meter,abc,37.5651,energy,kWh,,\n";
    let (code, why) = post_csv(&import, &admin, csv);
    assert_eq!(code, 422, "{why}");
    assert!(
        why["error"]
            .as_str()
            .unwrap_or_default()
            .contains("row 4, lon: \"abc\" is not a number"),
        "{why}"
    );
    assert!(
        !devices(&api, &viewer).iter().any(|d| d.id == "pt-201"),
        "all or nothing"
    );
    assert_eq!(post_csv(&import, &s.operator, csv).0, 403);
    let good = csv.replace("abc", "118.4650");
    let (code, receipt) = post_csv(&import, &admin, &good);
    assert_eq!(code, 200, "{receipt}");
    assert_eq!(receipt, json!({"added": 3, "changed": 0}));
    let (_, again) = post_csv(&import, &admin, &good);
    assert_eq!(again, json!({"added": 0, "changed": 3}));
    let pipe = devices(&api, &viewer)
        .into_iter()
        .find(|d| d.id == "pt-201")
        .expect("imported");
    assert_eq!(
        pipe.quantity("pressure").map(|q| q.thresholds.high_high),
        Some(Some(1.4))
    );

    // Removed; gone; its events in the log.
    assert_eq!(
        send("DELETE", &format!("{api}/devices/lt-101"), Some(&admin), None).0,
        204
    );
    assert_eq!(
        send("GET", &format!("{api}/devices/lt-101"), Some(&viewer), None).0,
        404
    );
    assert_eq!(
        send("DELETE", &format!("{api}/devices/lt-101"), Some(&admin), None).0,
        404
    );
    let log = ok(
        "GET",
        &format!("{api}/events?since=0&kind=device_added,device_changed,device_removed"),
        &viewer,
        None,
    );
    let kinds: Vec<(String, String)> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["payload"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let of = |id: &str| {
        kinds
            .iter()
            .filter(|(_, d)| d == id)
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("lt-101"), ["device_added", "device_changed", "device_removed"]);
    assert_eq!(of("em-02"), ["device_added", "device_changed"]);

    // An enterprise's viewer sees its own devices and the park's, not another's.
    let ent = store
        .create_enterprise_viewer("ent-02 viewer", "ent-02")
        .expect("as set up")
        .expect("as set up");
    let theirs = devices(&api, &ent);
    assert!(
        theirs
            .iter()
            .all(|d| d.enterprise.as_deref().is_none_or(|e| e == "ent-02"))
    );
    assert!(theirs.iter().any(|d| d.enterprise.as_deref() == Some("ent-02")));
    assert!(theirs.iter().any(|d| d.id == "pt-201"), "the park's own");
    assert_eq!(send("GET", &format!("{api}/devices/gd-001"), Some(&ent), None).0, 403);
}
