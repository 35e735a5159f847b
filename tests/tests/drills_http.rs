//! Drill runs over real HTTP and SQLite: an operator uploads a scenario (checked, every error
//! named), starts it, and its events come on the channel `drill:<id>` at their offsets, while
//! the live channel, the live detectors and the alarms stay untouched; a stopped drill plays
//! nothing more.

use std::time::{Duration, Instant};

use parktwin_api::model::{Alarm, EventPage, Role, SensorLevel, SensorState};
use parktwin_api::scenario::{Drill, DrillState};
use parktwin_e2e::{send, start_server};
use serde_json::{Value, json};

/// The drill's events, as any client reads them from its channel.
fn drill_events(api: &str, id: &str) -> EventPage {
    serde_json::from_value(send("GET", &format!("{api}/events?since=0&channel=drill:{id}"), None, None).1)
        .expect("page")
}

fn scenario(events: Value) -> Value {
    json!({
        "format": "parktwin-scenario/1",
        "name": "Short chlorine drill",
        "park": "yrd-chem-park",
        "weather": {"wind_speed_ms": 2.5, "wind_from_deg": 225},
        "events": events,
    })
}

fn seconds(t: &str) -> f64 {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .expect("a time")
        .unix_timestamp_nanos() as f64
        / 1e9
}

#[test]
fn a_drill_plays_its_events_on_its_own_channel_at_their_offsets_and_leaves_live_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let store = parktwin_e2e::open_store(dir.path());
    let viewer = store.create_token(Role::Viewer, "wall").expect("token");
    let body = scenario(json!([
        {"at": "+00:00", "type": "release_start", "release": "leak", "lon": 118.4542447, "lat": 37.5683106,
         "chemical": "chlorine", "rate_kg_s": 3.0, "origin": "tank-001"},
        // Far over gd-005's alarm threshold: live, this would raise an alarm.
        {"at": "+00:01", "type": "reading", "sensor": "gd-005", "value": 50.0},
        {"at": "+00:02", "type": "weather", "station": "ws-1", "wind_speed_ms": 3.5, "wind_from_deg": 270},
        {"at": "+00:03", "type": "message", "to": "everyone", "text": "Wind from the west now."},
    ]));
    let url = format!("{api}/drills");
    assert_eq!(send("POST", &url, None, Some(&body)).0, 401);
    assert_eq!(send("POST", &url, Some(&viewer), Some(&body)).0, 403);
    // A bad scenario: every error, each with the event and the field; nothing stored.
    let mut bad = body.clone();
    bad["events"][1]["sensor"] = "gd-999".into();
    bad["events"][2]["wind_from_deg"] = 400.into();
    let (status, err) = send("POST", &format!("{url}?file=short.json"), Some(&s.operator), Some(&bad));
    assert_eq!(status, 422, "{err}");
    let msg = err["error"].as_str().expect("error");
    assert!(msg.contains("short.json: event 1 (reading): field \"sensor\""), "{msg}");
    assert!(
        msg.contains("short.json: event 2 (weather): field \"wind_from_deg\""),
        "{msg}"
    );
    assert_eq!(send("GET", &url, None, None).1, json!([]));

    let (status, d) = send("POST", &url, Some(&s.operator), Some(&body));
    assert_eq!(status, 201, "{d}");
    let d: Drill = serde_json::from_value(d).expect("drill");
    assert_eq!(
        (d.id.as_str(), d.state, d.events, d.channel.as_str()),
        ("drill-1", DrillState::Ready, 4, "drill:drill-1")
    );
    assert_eq!(d.created_by, "test operator");
    let start = format!("{url}/drill-1/start");
    assert_eq!(
        send("POST", &format!("{start}?speed=100"), Some(&s.operator), None).0,
        400
    );
    let (status, d) = send("POST", &start, Some(&s.operator), None);
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        send("POST", &start, Some(&s.operator), None).0,
        409,
        "a running drill does not start twice"
    );

    // Wait for the end of the run.
    let began = Instant::now();
    let drill = loop {
        let d: Drill = serde_json::from_value(send("GET", &format!("{url}/drill-1"), None, None).1).expect("drill");
        if d.state == DrillState::Finished {
            break d;
        }
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "the drill did not finish: {d:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(drill.played, 4);
    let page = drill_events(&api, "drill-1");
    let kinds: Vec<&str> = page.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "drill_started",
            "drill_release_start",
            "drill_reading",
            "drill_weather",
            "drill_message",
            "drill_finished"
        ]
    );
    // Each at its offset from the start (one speed), within a few tenths of a second.
    let t0 = seconds(&page.events[0].time);
    for (e, offset) in page.events[1..5].iter().zip([0.0, 1.0, 2.0, 3.0]) {
        let late = seconds(&e.time) - t0 - offset;
        assert!(
            (-0.05..0.5).contains(&late),
            "{} came {late:+.2} s off its offset",
            e.kind
        );
        assert_eq!(e.payload["drill"], "drill-1");
    }
    assert_eq!(page.events[2].payload["sensor"], "gd-005");
    // Live is untouched: no live event, gd-005 still without data, no alarm.
    let live: EventPage =
        serde_json::from_value(send("GET", &format!("{api}/events?since=0&channel=live"), None, None).1).expect("page");
    assert!(live.events.is_empty(), "{:?}", live.events);
    let sensors: Vec<SensorState> =
        serde_json::from_value(send("GET", &format!("{api}/sensors"), None, None).1).expect("sensors");
    let gd5 = sensors.iter().find(|x| x.id == "gd-005").expect("gd-005");
    assert_eq!(gd5.level, SensorLevel::NoData);
    let alarms: Vec<Alarm> =
        serde_json::from_value(send("GET", &format!("{api}/alarms?state=all"), None, None).1).expect("alarms");
    assert!(alarms.is_empty());
}

#[test]
fn a_stopped_drill_plays_nothing_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // A minute apart, played 60× faster: a second apart.
    let body = scenario(json!([
        {"at": "+00:00", "type": "message", "to": "everyone", "text": "Drill begins."},
        {"at": "+01:00", "type": "task", "team": "fire brigade", "text": "Water curtain."},
    ]));
    let (status, _) = send("POST", &format!("{api}/drills"), Some(&s.operator), Some(&body));
    assert_eq!(status, 201);
    let (status, d) = send(
        "POST",
        &format!("{api}/drills/drill-1/start?speed=60"),
        Some(&s.operator),
        None,
    );
    assert_eq!(status, 200, "{d}");
    std::thread::sleep(Duration::from_millis(400));
    let (status, d) = send("POST", &format!("{api}/drills/drill-1/stop"), Some(&s.operator), None);
    assert_eq!(status, 200, "{d}");
    let d: Drill = serde_json::from_value(d).expect("drill");
    assert_eq!((d.state, d.played), (DrillState::Stopped, 1));
    assert_eq!(
        send("POST", &format!("{api}/drills/drill-1/stop"), Some(&s.operator), None).0,
        409
    );
    std::thread::sleep(Duration::from_millis(1200));
    let page = drill_events(&api, "drill-1");
    let kinds: Vec<&str> = page.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["drill_started", "drill_message", "drill_stopped"]);
    assert_eq!(send("GET", &format!("{api}/drills/drill-9"), None, None).0, 404);
}
