//! After-action exports over real HTTP and SQLite: the timeline of a period as CSV (alarms with
//! who acknowledged them and when, incidents, passes; no readings) or of a drill, and the threat
//! zones over time as GeoJSON whose outlines carry the times they held.

use parktwin_api::clock::format_utc;
use parktwin_e2e::{send, start_server};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn ago(s: i64) -> String {
    format_utc(OffsetDateTime::now_utc() - Duration::seconds(s))
}

/// GETs text: status, content type, body.
fn get_text(url: &str) -> (u16, String, String) {
    let r = reqwest::blocking::get(url).expect("the server answers");
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (r.status().as_u16(), kind, r.text().expect("text"))
}

/// The CSV's records (the byte-order mark off), each as its cells.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().expect("a header").iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "time",
            "recorded",
            "channel",
            "event",
            "subject",
            "detail",
            "acknowledged_by",
            "acknowledged_at"
        ]
    );
    r.records()
        .map(|x| x.expect("a record").iter().map(String::from).collect())
        .collect()
}

#[test]
fn the_timeline_and_the_zones_over_time_of_an_incident() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let post = |path: &str, token: &str, body: &Value| {
        let (code, answer) = send("POST", &format!("{api}{path}"), Some(token), Some(body));
        assert!(code < 300, "{path}: {code} {answer}");
        answer
    };
    let weather = |t: String, from: f64| json!([{"station": "ws-1", "time": t, "wind_speed_ms": 3.0, "wind_from_deg": from, "temperature_c": 18.0, "cloud_oktas": 8}]);
    post("/weather", &s.ingest, &weather(ago(300), 90.0));
    // A detector in alarm, acknowledged by the operator; readings around it.
    let sensors = send("GET", &format!("{api}/sensors"), None, None).1;
    let gd1 = sensors
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "gd-001"))
        .expect("gd-001");
    let alarm_at = gd1["alarm"].as_f64().expect("threshold");
    for (t, v) in [(240, 0.0), (230, 2.0 * alarm_at), (220, 2.0 * alarm_at)] {
        post(
            "/observations",
            &s.ingest,
            &json!([{"sensor": "gd-001", "time": ago(t), "value": v}]),
        );
    }
    let alarms = send("GET", &format!("{api}/alarms"), None, None).1;
    let alarm = alarms[0]["id"].as_i64().expect("an alarm");
    post(&format!("/alarms/{alarm}/ack"), &s.operator, &json!(null));
    // A chlorine release that follows ws-1; the wind turns; it is closed.
    let inc = post(
        "/incidents",
        &s.operator,
        &json!({"lon": 118.4542447, "lat": 37.5683106, "chemical": "chlorine", "rate_kg_s": 2.0, "start": ago(200)}),
    );
    let id = inc["id"].as_str().expect("id").to_string();
    post("/weather", &s.ingest, &weather(ago(100), 270.0));
    post(&format!("/incidents/{id}/close"), &s.operator, &json!(null));

    let (code, kind, text) = get_text(&format!(
        "{api}/after-action/timeline.csv?from={}",
        ago(600).replace('+', "%2B")
    ));
    assert_eq!((code, kind.as_str()), (200, "text/csv; charset=utf-8"), "{text}");
    let rows = records(&text);
    assert!(
        rows.iter()
            .all(|r| r[3].starts_with("alarm_") || r[3].starts_with("incident_")),
        "no readings or weather: {text}"
    );
    let of_gd1: Vec<&Vec<String>> = rows.iter().filter(|r| r[4] == "gd-001").collect();
    let kinds: Vec<&str> = of_gd1.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(kinds, ["alarm_raised", "alarm_acked"]);
    for r in &of_gd1 {
        assert_eq!(r[6], "test operator", "who acknowledged, on each of the alarm's rows");
        assert!(!r[7].is_empty(), "when");
    }
    let incident: Vec<&Vec<String>> = rows.iter().filter(|r| r[4] == id).collect();
    let kinds: Vec<&str> = incident.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(kinds, ["incident_started", "incident_updated", "incident_closed"]);
    assert!(
        incident[0][5].contains("chlorine") && incident[0][5].contains("from 90°"),
        "{}",
        incident[0][5]
    );
    assert!(incident[1][5].contains("from 270°"), "{}", incident[1][5]);
    // What the release put in its most severe zone was alarmed, after it started.
    let started = rows.iter().position(|r| r[3] == "incident_started").expect("started");
    assert!(
        rows[started..]
            .iter()
            .any(|r| r[3] == "alarm_raised" && r[5].contains("incident_zone"))
    );
    // A period before any of it is empty; a bad window is refused in words.
    let (_, _, early) = get_text(&format!(
        "{api}/after-action/timeline.csv?from={}&to={}",
        ago(7200).replace('+', "%2B"),
        ago(3600).replace('+', "%2B")
    ));
    assert!(records(&early).is_empty());
    let (code, _, why) = get_text(&format!("{api}/after-action/timeline.csv?channel=drill:nope"));
    assert_eq!(code, 400);
    assert!(why.contains("channel"), "{why}");

    // The zones over time: the first outlines held from the start until the wind turned, the
    // second from then until the close; each level of concern in each.
    let (code, kind, text) = get_text(&format!(
        "{api}/after-action/zones.geojson?from={}",
        ago(600).replace('+', "%2B")
    ));
    assert_eq!((code, kind.as_str()), (200, "application/geo+json"), "{text}");
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .expect("GeoJSON")
        .try_into()
        .expect("a collection");
    let prop = |f: &geojson::Feature, k: &str| f.property(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut spans: Vec<(String, String)> = fc
        .features
        .iter()
        .map(|f| (prop(f, "valid_from"), prop(f, "valid_to")))
        .collect();
    spans.dedup();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!(
        spans[0].0,
        inc["start"].as_str().expect("start"),
        "the first held from the release's start"
    );
    assert!(spans[0].0 < spans[1].0, "{spans:?}");
    assert_eq!(
        spans[0].1, spans[1].0,
        "the second outline takes over when the first ends"
    );
    let closed = send("GET", &format!("{api}/incidents/{id}"), None, None).1;
    assert_eq!(
        Some(spans[1].1.as_str()),
        closed["closed"].as_str(),
        "it held until the close"
    );
    assert_eq!(fc.features.len() % 2, 0);
    assert!(
        fc.features
            .iter()
            .all(|f| prop(f, "incident") == id && f.geometry.is_some())
    );

    // The zones as they were drawn at a moment (what `parktwin render --at` draws): when the
    // release was started, the first outline; once the shift was recorded, the second; before
    // the start and after the close, none, in words.
    let zones_at = |t: &str| get_text(&format!("{api}/incidents/{id}/zones?at={}", t.replace('+', "%2B")));
    let log = send(
        "GET",
        &format!("{api}/events?since=0&kind=incident_started,incident_updated"),
        None,
        None,
    )
    .1;
    for (k, e) in log["events"].as_array().expect("events").iter().enumerate() {
        let (code, _, drawn) = zones_at(e["recorded"].as_str().expect("recorded"));
        assert_eq!(code, 200, "{drawn}");
        let drawn: Value = serde_json::from_str(&drawn).expect("JSON");
        let outline = fc
            .features
            .iter()
            .find(|f| prop(f, "valid_from") == spans[k].0)
            .expect("the outline");
        assert_eq!(
            drawn["features"][0]["geometry"],
            serde_json::to_value(outline.geometry.as_ref()).expect("geometry"),
            "the zones drawn when {} was recorded",
            e["kind"]
        );
    }
    let (code, _, why) = zones_at(&ago(3600));
    assert_eq!(code, 404);
    assert!(why.contains("had not been started"), "{why}");
    let (code, _, why) = zones_at(&ago(0));
    assert_eq!(code, 404);
    assert!(why.contains("closed"), "{why}");
}

#[test]
fn a_drills_timeline_is_everything_it_played() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let body = json!({
        "format": "parktwin-scenario/1", "name": "Short drill", "park": "yrd-chem-park",
        "weather": {"wind_speed_ms": 2.5, "wind_from_deg": 225},
        "events": [
            {"at": "+00:00", "type": "message", "to": "everyone", "text": "Drill begins, gather at the east gate."},
            {"at": "+01:00", "type": "task", "team": "fire brigade", "text": "Water curtain at tank-001."},
        ],
    });
    let id = parktwin_e2e::start_drill(&s, &body, 60.0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while send("GET", &format!("{api}/drills/{id}"), None, None).1["state"] != "finished" {
        assert!(std::time::Instant::now() < deadline, "the drill did not finish");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (code, _, text) = get_text(&format!("{api}/after-action/timeline.csv?channel=drill:{id}"));
    assert_eq!(code, 200);
    let rows = records(&text);
    let events: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(
        events,
        ["drill_started", "drill_message", "drill_task", "drill_finished"]
    );
    assert!(rows.iter().all(|r| r[2] == format!("drill:{id}")));
    assert_eq!(rows[2][4], "fire brigade");
    assert!(rows[2][5].contains("Water curtain at tank-001."), "{}", rows[2][5]);
    // Nothing of it is in the live timeline.
    let (_, _, live) = get_text(&format!("{api}/after-action/timeline.csv"));
    assert!(records(&live).is_empty(), "{live}");
}

#[test]
fn a_what_if_draws_the_other_outcome_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let tank = (118.4542447, 37.5683106);
    let (code, inc) = send(
        "POST",
        &format!("{api}/incidents"),
        Some(&s.operator),
        Some(
            &json!({"lon": tank.0, "lat": tank.1, "chemical": "chlorine", "rate_kg_s": 2.0, "start": ago(600),
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}}),
        ),
    );
    assert_eq!(code, 201, "{inc}");
    let id = inc["id"].as_str().expect("id").to_string();
    let head = send("GET", &format!("{api}/events/head"), None, None).1;
    // The mean longitude of the mildest zone's outline, east of the tank when positive.
    let lies_east = |fc: &Value| -> f64 {
        let ring = fc["features"][2]["geometry"]["coordinates"][0][0]
            .as_array()
            .expect("a ring")
            .clone();
        ring.iter().map(|p| p[0].as_f64().expect("lon")).sum::<f64>() / ring.len() as f64 - tank.0
    };
    let real: Value = serde_json::from_str(&get_text(&format!("{api}/incidents/{id}/zones")).2).expect("zones");
    assert!(lies_east(&real) > 0.0, "a south-west wind carries it north-east");

    // What if the wind had come from the north-east, at twice the rate?
    let what = json!({"weather": {"wind_speed_ms": 3.0, "wind_from_deg": 45.0, "stability": "D"}, "rate_kg_s": 4.0});
    let (code, ghost) = send("POST", &format!("{api}/incidents/{id}/what-if"), None, Some(&what));
    assert_eq!(code, 200, "{ghost}");
    assert!(lies_east(&ghost) < 0.0, "the other wind carries it south-west");
    let features = ghost["features"].as_array().expect("features");
    assert_eq!(features.len(), real["features"].as_array().expect("features").len());
    assert!(features.iter().all(|f| f["properties"]["what_if"] == true));
    // Nothing stored: the incident, its zones and the log are as they were.
    assert_eq!(send("GET", &format!("{api}/events/head"), None, None).1, head);
    let again: Value = serde_json::from_str(&get_text(&format!("{api}/incidents/{id}/zones")).2).expect("zones");
    assert_eq!(again, real);

    // Asked from a moment before the release was started, or of no incident, or wrongly.
    let mut early = what.clone();
    early["at"] = json!(ago(3600));
    let (code, why) = send("POST", &format!("{api}/incidents/{id}/what-if"), None, Some(&early));
    assert_eq!(code, 404);
    assert!(
        why["error"]
            .as_str()
            .is_some_and(|e| e.contains("had not been started")),
        "{why}"
    );
    assert_eq!(
        send("POST", &format!("{api}/incidents/inc-99/what-if"), None, Some(&what)).0,
        404
    );
    let (code, why) = send(
        "POST",
        &format!("{api}/incidents/{id}/what-if"),
        None,
        Some(&json!({"weather": {"wind_speed_ms": 3.0, "wind_from_deg": 45.0}, "rate_kg_s": 0})),
    );
    assert_eq!(code, 422);
    assert!(
        why["error"].as_str().is_some_and(|e| e.contains("\"rate_kg_s\"")),
        "{why}"
    );
}
