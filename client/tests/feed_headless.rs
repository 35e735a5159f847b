//! The client's feed in a headless Bevy app (no window): while readings, fixes, weather and
//! alarms stream into the server, the app's live state, folded event by event through the one
//! reducer, ends up equal to the server's own state; and the state replayed from the log to a
//! moment is the one the app had live at that moment.

mod support;

use std::time::{Duration, Instant};

use bevy::prelude::*;
use parktwin::sync::{FeedStatus, SyncPlugin, Timekeeping};
use parktwin_api::client::{ApiClient, block_on};
use parktwin_layers::live::Live;
use serde_json::json;

fn stamp(ago_s: i64) -> String {
    parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(ago_s))
}

/// The client's feed and reducer in a Bevy app without a window.
fn headless_client(server: &str) -> App {
    reading_client(&ApiClient::new(server))
}

/// [`headless_client`] reading through `api` (its token, if it has one).
fn reading_client(api: &ApiClient) -> App {
    let mut app = App::new();
    // With the map's playhead, live until a test moves it as the timeline would.
    app.add_plugins(MinimalPlugins).add_plugins(SyncPlugin {
        time: Timekeeping::Steered,
        ..SyncPlugin::follow(api)
    });
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

/// A recording to replay: a drill all along (its events interleave with the live ones, on
/// their own channel, and must change neither state), the demo simulator's ten minutes of the
/// park in each of three rounds, a red alarm in the second; after each round, the moment and
/// the state the live client had then.
struct Recording {
    _dir: tempfile::TempDir,
    server: parktwin_e2e::TestServer,
    app: App,
    moments: Vec<(String, parktwin_api::live::LiveState)>,
}

fn record_three_moments() -> Recording {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let api = ApiClient::new(&server.url);
    let drill = support::upload_demo_drill(&server.url, &server.operator);
    let start = format!("{}/api/v1/drills/{drill}/start?speed=60", server.url);
    assert_eq!(parktwin_e2e::send("POST", &start, Some(&server.operator), None).0, 200);

    // The live client, started on the empty log; the simulator feeds the park through the
    // store as fast as it takes it.
    let mut app = headless_client(&server.url);
    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("store");
    let mut sim = parktwin_server::sim::Simulator::new(&store, 11).expect("simulator");
    let mut clock = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let mut moments = Vec::new();
    for round in 0..3 {
        for _ in 0..600 {
            sim.feed(&store, clock).expect("the store takes the feed");
            clock += time::Duration::seconds(1);
        }
        if round == 1 {
            support::raise_red_alarm(&server.url, &server.ingest);
        }
        // The client catches up with the live log; the moment is noted, with its state.
        let deadline = Instant::now() + Duration::from_secs(30);
        let live = loop {
            app.update();
            let live = app.world().resource::<Live>().0.clone();
            let rest = block_on(api.events_since(live.cursor)).expect("events");
            if rest.events.is_empty() {
                break live;
            }
            assert!(Instant::now() < deadline, "the client did not catch up");
            std::thread::sleep(Duration::from_millis(20));
        };
        let at = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
        // What comes after is recorded after the noted moment (times are to the millisecond).
        std::thread::sleep(Duration::from_millis(5));
        moments.push((at, live));
    }
    Recording {
        _dir: dir,
        server,
        app,
        moments,
    }
}

#[test]
fn replayed_to_a_moment_the_state_is_the_one_the_client_had_live() {
    let Recording { server, moments, .. } = record_three_moments();
    let api = ApiClient::new(&server.url);
    let mut last_cursor = 0;
    for (at, live) in &moments {
        let replayed = block_on(api.state_at(at, &|_, _| {})).expect("the replay");
        assert_eq!(
            replayed.cursor, live.cursor,
            "the replay to {at} ends where the client stood"
        );
        assert_eq!(
            replayed.digest(),
            live.digest(),
            "the state at {at}, replayed, is the one seen live"
        );
        assert!(live.cursor > last_cursor && !live.vehicles.is_empty());
        last_cursor = live.cursor;
    }
    // The three moments differ: the replay is of each, not of the end.
    assert_ne!(moments[0].1.digest(), moments[2].1.digest());
    // The timeline's next mark after the second moment: an alarm raised after it (the red
    // one at the latest), and the replay to when it was recorded shows it open.
    let mark = block_on(api.next_mark(moments[1].1.cursor))
        .expect("events")
        .expect("an alarm after the second moment");
    assert_eq!((mark.kind.as_str(), mark.channel.as_str()), ("alarm_raised", "live"));
    assert!(mark.seq > moments[1].1.cursor && mark.seq <= moments[2].1.cursor);
    let then = block_on(api.state_at(&mark.recorded, &|_, _| {})).expect("the replay");
    assert!(
        then.alarms
            .contains_key(&mark.payload["id"].as_i64().expect("alarm id"))
    );
}

/// Runs the app until `done` holds of its state, or fails saying `what`.
fn run_until(app: &mut App, what: &str, done: impl Fn(&parktwin_api::live::LiveState, &FeedStatus) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.update();
        if done(&app.world().resource::<Live>().0, app.world().resource::<FeedStatus>()) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_timeline_seeks_back_and_forth_through_the_recording_and_returns_to_live() {
    use parktwin::sync::Playhead;
    let Recording {
        server,
        mut app,
        moments,
        ..
    } = record_three_moments();
    let api = ApiClient::new(&server.url);
    // The map's timeline (its playhead) on the client that watched it all live.
    let unix = |t: &str| parktwin_api::clock::unix_seconds(t);
    let now = || time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9;
    let seek = |app: &mut App, t: f64| {
        let mut p = app.world_mut().resource_mut::<Playhead>();
        p.playing = false;
        p.seek(t, now());
    };

    // Back to the second moment: the state rebuilt from the recording is the one seen live.
    seek(&mut app, unix(&moments[1].0));
    let want = moments[1].1.digest();
    run_until(&mut app, "the second moment was not rebuilt", |live, s| {
        s.current && live.digest() == want
    });
    assert_eq!(app.world().resource::<Live>().0.cursor, moments[1].1.cursor);
    let field = app.world().resource::<parktwin_layers::incident::FieldClock>().0;
    assert_eq!(
        field,
        Some(unix(&moments[1].0)),
        "the field is drawn for the moment shown"
    );
    assert!(
        !app.world().resource::<FeedStatus>().showing.is_live(),
        "the panel says it is not live"
    );

    // Further back, to the first.
    seek(&mut app, unix(&moments[0].0));
    let want = moments[0].1.digest();
    run_until(&mut app, "the first moment was not rebuilt", |live, s| {
        s.current && live.digest() == want
    });

    // Forward to the third: the log is folded on from where the map stands (no new request),
    // and it stops at the moment, not at the log's end.
    let generation = app.world().resource::<FeedStatus>().generation;
    seek(&mut app, unix(&moments[2].0));
    let want = moments[2].1.digest();
    run_until(&mut app, "the third moment was not reached by playing on", |live, _| {
        live.digest() == want
    });
    assert_eq!(app.world().resource::<FeedStatus>().generation, generation);
    support::raise_red_alarm(&server.url, &server.ingest);
    for _ in 0..30 {
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        app.world().resource::<Live>().0.digest(),
        want,
        "what was recorded after the moment waits for the playhead"
    );

    // The next mark after the first moment (an alarm raised after it): shown open.
    seek(&mut app, unix(&moments[0].0));
    run_until(&mut app, "back to the first moment", |live, s| {
        s.current && live.cursor == moments[0].1.cursor
    });
    let cursor = app.world().resource::<Live>().0.cursor;
    let mark = block_on(api.next_mark(cursor)).expect("events").expect("a mark");
    let alarm = mark.payload["id"].as_i64().expect("alarm id");
    seek(&mut app, unix(&mark.recorded));
    run_until(&mut app, "the mark's alarm was not shown", |live, _| {
        live.alarms.contains_key(&alarm)
    });
    assert!(app.world().resource::<Live>().0.cursor <= moments[2].1.cursor);

    // Live again: the map catches up with the server, the panel says live.
    app.world_mut().resource_mut::<Playhead>().go_live();
    let truth = block_on(api.live_snapshot()).expect("server state");
    run_until(&mut app, "live was not resumed", |live, s| {
        s.current && live.cursor >= truth.cursor
    });
    assert_eq!(app.world().resource::<Live>().0.digest(), truth.digest());
    assert!(app.world().resource::<FeedStatus>().showing.is_live());
    assert_eq!(app.world().resource::<parktwin_layers::incident::FieldClock>().0, None);
}

#[test]
fn a_drill_is_shown_from_its_own_channel_and_live_stays_untouched() {
    use parktwin::sync::Playhead;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let api = ApiClient::new(&server.url);
    let mut app = headless_client(&server.url);
    app.init_resource::<parktwin_layers::incident::IncidentZones>();
    run_until(&mut app, "the live state did not come", |_, s| s.current);

    // The chlorine drill, played 60× (its half hour in half a minute), shown on the map.
    let drill = support::upload_demo_drill(&server.url, &server.operator);
    let start = format!("{}/api/v1/drills/{drill}/start?speed=60", server.url);
    assert_eq!(parktwin_e2e::send("POST", &start, Some(&server.operator), None).0, 200);
    app.world_mut()
        .resource_mut::<Playhead>()
        .show_drill(&drill, "Chlorine tank leak");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, d) = parktwin_e2e::send("GET", &format!("{}/api/v1/drills/{drill}", server.url), None, None);
        if d["state"] == "finished" {
            break;
        }
        assert!(Instant::now() < deadline, "the drill did not finish: {d}");
        app.update();
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, head) = parktwin_e2e::send("GET", &format!("{}/api/v1/events/head", server.url), None, None);
    let head = head["seq"].as_i64().expect("head");
    run_until(&mut app, "the drill's events were not all folded", |live, s| {
        s.current && live.cursor >= head
    });

    let shown = app.world().resource::<Live>().0.clone();
    // The release became the drill's incident: stopped at +25 min, the wind turned at +10.
    let inc = &shown.incidents[&format!("{drill}/T01-flange")];
    assert_eq!((inc.chemical.as_str(), inc.rate_kg_s), ("chlorine", Some(3.0)));
    // Timed on the drill's own clock, as the scenario has them, though it played 60× faster.
    let duration = inc.duration_s.expect("the release was stopped");
    assert!((duration - 1500.0).abs() < 0.01, "stopped at +25:00: {duration}");
    assert_eq!(inc.shifts.len(), 1);
    assert_eq!(inc.shifts[0].wind_from_deg, 270.0);
    assert!((inc.shifts[0].at_s - 600.0).abs() < 0.01, "the wind turned at +10:00");
    let clock = app
        .world()
        .resource::<FeedStatus>()
        .drill_clock
        .expect("the drill's clock");
    assert_eq!(clock.speed, 60.0);
    let end = clock.at(clock.started + 3600.0) - clock.started;
    assert!(
        (1800.0..1900.0).contains(&end),
        "the clock stopped where the drill ended: {end}"
    );
    // Its zones, computed on the map by the server's model, reach downwind of the tank.
    let zones = &app.world().resource::<parktwin_layers::incident::IncidentZones>().0[&inc.id];
    let features = zones["features"].as_array().expect("features");
    assert!(!features.is_empty(), "the drill's release has zones: {zones}");
    assert!(features.iter().all(|f| f["properties"]["incident"] == inc.id.as_str()));
    // The readings, the truck and the injected alarm, as the drill played them.
    assert_eq!(shown.sensors["gd-005"].value, Some(0.2), "gd-005's last reading");
    assert_eq!(shown.sensors["gd-006"].value, Some(2.5));
    assert_eq!(shown.vehicles["鲁E·D1234"].lon, 118.464);
    assert!(shown.alarms.values().any(|a| a.source == "鲁E·D1234" && a.id < 0));
    assert_eq!(shown.weather["ws-1"].wind_from_deg, 270.0);
    // Its tasks and messages, the drill's own (numbered below zero), serving its release.
    let teams: Vec<&str> = shown.tasks_of(&inc.id).iter().map(|t| t.team.as_str()).collect();
    assert_eq!(teams, ["fire brigade", "security", "evacuation"], "in the order given");
    assert!(shown.tasks.values().all(|t| t.id < 0 && t.incident == drill));
    let said: Vec<&str> = shown.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said[1].starts_with("Wind now from the west"), "{said:?}");

    // Live knows nothing of it; back to live, the map is live's again.
    let truth = block_on(api.live_snapshot()).expect("server state");
    assert!(truth.incidents.is_empty() && truth.alarms.is_empty());
    assert!(
        truth.tasks.is_empty() && truth.messages.is_empty(),
        "a drill's tasks and messages are never live"
    );
    assert!(!truth.vehicles.contains_key("鲁E·D1234"));
    assert_eq!(truth.sensors["gd-005"].value, None);
    app.world_mut().resource_mut::<Playhead>().go_live();
    run_until(&mut app, "live was not resumed", |live, s| {
        s.current && live.digest() == truth.digest()
    });
}

#[test]
fn an_enterprise_viewers_client_holds_its_own_detail_and_not_another_enterprises() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_private_server(dir.path()).expect("server");
    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("store");
    let token = store
        .create_enterprise_viewer("Binhai Chlor-Alkali HSE desk", "ent-01")
        .expect("store")
        .expect("ent-01 is an enterprise");
    let owners = store.index().expect("index").owners.clone();
    let (ours, theirs) = ("gd-001", "gd-017");
    assert_eq!(
        (owners.owner(ours), owners.owner(theirs)),
        (Some("ent-01"), Some("ent-02"))
    );
    let api = ApiClient::new(&server.url).reading_with(Some(token));
    let mut app = reading_client(&api);
    // A client without a token is refused, and says why.
    let mut anonymous = headless_client(&server.url);

    let (status, _) = parktwin_e2e::send(
        "POST",
        &format!("{}/api/v1/observations", server.url),
        Some(&server.ingest),
        Some(&json!([
            {"sensor": ours, "time": stamp(30), "value": 50.0},
            {"sensor": theirs, "time": stamp(30), "value": 50.0},
        ])),
    );
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        app.update();
        anonymous.update();
        let live = &app.world().resource::<Live>().0;
        let refused = anonymous.world().resource::<FeedStatus>().error.is_some();
        // Its reading and its alarm (a snapshot taken while the batch was stored may hold one
        // and bring the other with the next page).
        let read = live.sensors.get(ours).is_some_and(|s| s.value.is_some());
        if read && live.alarms.values().any(|a| a.source == ours) && refused {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the viewer's client never showed its own alarm ({:?}, {:?}), or the anonymous one was never refused",
            live.alarms,
            app.world().resource::<FeedStatus>().error
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let live = &app.world().resource::<Live>().0;
    assert!(live.sensors.contains_key(ours) && !live.sensors.contains_key(theirs));
    assert!(live.alarms.values().all(|a| a.source != theirs));
    let truth = block_on(api.live_snapshot()).expect("the viewer's snapshot");
    assert_eq!(
        live.digest(),
        truth.digest(),
        "the client holds what the server lets it read:\n{:?}\n{:?}\n{:?}\n{:?}",
        live.sensors.get(ours),
        truth.sensors.get(ours),
        live.alarms,
        truth.alarms
    );
    assert!(app.world().resource::<FeedStatus>().error.is_none());
    let refused = anonymous
        .world()
        .resource::<FeedStatus>()
        .error
        .clone()
        .unwrap_or_default();
    assert!(refused.contains("--private-reads"), "{refused}");
}
