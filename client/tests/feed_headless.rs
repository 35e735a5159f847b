//! The client's feed in a headless Bevy app (no window): while readings, fixes, weather and
//! alarms stream into the server, the app's live state, folded event by event through the one
//! reducer, ends up equal to the server's own state.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use parktwin::feed::{FeedChannel, FeedStatus, poll_feed, spawn_feed};
use parktwin_api::client::{ApiClient, block_on};
use parktwin_layers::live::Live;
use serde_json::json;

fn stamp(ago_s: i64) -> String {
    parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(ago_s))
}

/// The client's feed and reducer in a Bevy app without a window.
fn headless_client(server: &str) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .init_resource::<Live>()
        .init_resource::<FeedStatus>()
        .insert_resource(FeedChannel(spawn_feed(server, false)))
        .add_systems(Update, poll_feed);
    app
}

#[test]
fn the_headless_client_state_matches_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let mut app = headless_client(&server.url);

    let http = reqwest::blocking::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        let r = http
            .post(format!("{}/api/v1{path}", server.url))
            .bearer_auth(&server.ingest)
            .json(&body)
            .send()
            .expect("server answers");
        assert!(r.status().is_success(), "{path}: {}", r.status());
    };
    // Five rounds of data while the app runs: detectors rising into alarm and back, trucks
    // moving, weather changing.
    for round in 0..5i64 {
        let t = stamp(60 - round * 10);
        let value = [0.1, 1.0, 50.0, 50.0, 0.1][round as usize];
        let readings: Vec<_> = (1..=40)
            .map(|k| json!({"sensor": format!("gd-{k:03}"), "time": t, "value": value * k as f64 / 40.0}))
            .collect();
        post("/observations", json!(readings));
        post(
            "/vehicles/positions",
            json!([{"plate": "鲁E·F1", "time": t, "lon": 118.44 + 0.001 * round as f64, "lat": 37.565, "speed_kmh": 25}]),
        );
        post(
            "/weather",
            json!([{"station": "ws-1", "time": t, "wind_speed_ms": 2.0 + round as f64, "wind_from_deg": 250, "temperature_c": 12}]),
        );
        let until = Instant::now() + Duration::from_millis(1200);
        while Instant::now() < until {
            app.update();
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    let api = ApiClient::new(&server.url);
    let truth = block_on(api.live_snapshot()).expect("server state");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        app.update();
        let live = &app.world().resource::<Live>().0;
        if live.cursor >= truth.cursor {
            assert_eq!(live.cursor, truth.cursor);
            assert_eq!(
                live.digest(),
                truth.digest(),
                "the client folded the log into the server's state"
            );
            assert!(!live.vehicles.is_empty() && !live.weather.is_empty());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the feed did not catch up: {} of {}",
            live.cursor,
            truth.cursor
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = app.world().resource::<FeedStatus>();
    assert!(status.error.is_none() && status.last_ok.is_some());
}

#[test]
fn the_headless_client_follows_the_demo_simulator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_demo_server(dir.path(), 5).expect("server");
    let mut app = headless_client(&server.url);
    // Twelve seconds of the simulated park: detectors read twice, trucks move, the wind is
    // reported, a waybill or a gate pass may come.
    let until = Instant::now() + Duration::from_secs(12);
    while Instant::now() < until {
        app.update();
        std::thread::sleep(Duration::from_millis(20));
    }
    let api = ApiClient::new(&server.url);
    // The server's state: its snapshot, then the log up to where the client stands (the
    // simulator does not wait for the comparison). Everything the snapshot holds is at or
    // before the head read after it, so the client is compared once it is past that head.
    let mut truth = block_on(api.live_snapshot()).expect("server state");
    let head: serde_json::Value = block_on(api.get_json("/events/head")).expect("head");
    let head = head["seq"].as_i64().expect("seq");
    let deadline = Instant::now() + Duration::from_secs(10);
    let client = loop {
        app.update();
        let c = &app.world().resource::<Live>().0;
        if c.cursor >= head {
            break c.clone();
        }
        assert!(Instant::now() < deadline, "the client did not catch up");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(client.vehicles.len() >= 2, "the client saw the trucks");
    assert!(client.sensors.values().filter(|s| s.value.is_some()).count() > 150);
    while truth.cursor < client.cursor {
        let page = block_on(api.events_since(truth.cursor)).expect("events");
        let before = truth.cursor;
        for e in page.events.iter().filter(|e| e.seq <= client.cursor) {
            truth.apply(e);
        }
        if truth.cursor == before {
            break;
        }
    }
    assert_eq!(truth.cursor, client.cursor);
    assert_eq!(client.digest(), truth.digest(), "the client's state is the server's");
}
