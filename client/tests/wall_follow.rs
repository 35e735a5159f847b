//! The wall follows the operators and survives its server: the wall's own systems (the view
//! poller, the feed, the director) in a headless app against a real server on loopback.

mod support;

use std::time::{Duration, Instant};

use bevy::prelude::*;
use parktwin::sync::FeedStatus;
use parktwin::wall::{WallState, orbit_of};
use parktwin_api::client::{ApiClient, block_on};
use parktwin_api::wall::{CameraBookmark, WallRequest};
use parktwin_e2e::{RestartableServer, send};
use parktwin_layers::LayerRegistry;
use parktwin_scene::{FlyTo, OrbitCamera};
use support::wall_app;

/// Runs frames until `done` holds, for at most `limit`; returns how long it took.
fn run_until(app: &mut App, limit: Duration, what: &str, mut done: impl FnMut(&mut App) -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        app.update();
        if done(app) {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    panic!("{what}: not within {limit:?}");
}

fn flying_to(app: &App) -> Option<OrbitCamera> {
    app.world().get_resource::<FlyTo>().map(|f| f.to)
}

#[test]
fn a_view_sent_to_the_wall_is_followed_within_two_seconds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = RestartableServer::start(dir.path()).expect("server");
    let (mut app, data) = wall_app(&s.server.url);
    run_until(&mut app, Duration::from_secs(20), "the wall's first poll", |app| {
        app.world().resource::<WallState>().last_ok.is_some()
    });
    let camera = CameraBookmark {
        lon: 118.4542447,
        lat: 37.5683106,
        distance_m: 700.0,
        heading_deg: 120.0,
        tilt_deg: 40.0,
    };
    let view = WallRequest {
        camera: Some(camera),
        layers: Some(vec!["boundary".into(), "tanks".into(), "detectors".into()]),
        ..Default::default()
    };
    let sent = block_on(ApiClient::new(&s.server.url).put_wall(&view, &s.server.operator)).expect("sent");
    let want = orbit_of(&data.park.frame(), &camera);
    let took = run_until(&mut app, Duration::from_secs(10), "following the view", |app| {
        flying_to(app).is_some_and(|to| (to.target - want.target).length() < 0.5 && (to.distance - 700.0).abs() < 0.5)
    });
    assert!(took <= Duration::from_secs(2), "the wall took {took:?} to follow");
    let registry = app.world().resource::<LayerRegistry>();
    assert!(registry.is_visible("tanks") && registry.is_visible("detectors"));
    assert!(
        !registry.is_visible("buildings") && !registry.is_visible("roads"),
        "the others hidden"
    );
    let state = app.world().resource::<WallState>();
    assert_eq!(state.view.as_ref().map(|v| v.rev), Some(sent.rev));
    assert!(state.on_show.as_ref().is_some_and(|(s, _)| s == "sent:test operator"));
}

#[test]
fn the_wall_reconnects_after_a_server_restart_and_catches_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = RestartableServer::start(dir.path()).expect("server");
    let (mut app, _) = wall_app(&s.server.url);
    run_until(&mut app, Duration::from_secs(20), "the first snapshot", |app| {
        app.world().resource::<FeedStatus>().last_ok.is_some() && app.world().resource::<WallState>().last_ok.is_some()
    });
    s.stop();
    run_until(
        &mut app,
        Duration::from_secs(15),
        "noticing the server is gone",
        |app| {
            app.world().resource::<FeedStatus>().error.is_some() && app.world().resource::<WallState>().error.is_some()
        },
    );
    let (said, good) = parktwin::wall::connection(
        app.world().resource::<FeedStatus>(),
        app.world().resource::<WallState>(),
        parktwin::i18n::Lang::En,
    );
    assert!(!good && said.starts_with("RECONNECTING · data"), "{said}");

    // Back, with a reading and a view sent while the wall was away.
    s.restart().expect("restart");
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    let (code, e) = send(
        "POST",
        &format!("{}/api/v1/observations", s.server.url),
        Some(&s.server.ingest),
        Some(&serde_json::json!([{"sensor": "gd-001", "time": now, "value": 12.5}])),
    );
    assert_eq!(code, 200, "{e}");
    let sent = block_on(ApiClient::new(&s.server.url).put_wall(
        &WallRequest {
            layers: Some(vec!["tanks".into()]),
            ..Default::default()
        },
        &s.server.operator,
    ))
    .expect("sent");
    run_until(
        &mut app,
        Duration::from_secs(20),
        "catching up after the restart",
        |app| {
            let live = &app.world().resource::<parktwin_layers::live::Live>().0;
            let wall = app.world().resource::<WallState>();
            live.sensors.get("gd-001").and_then(|s| s.value) == Some(12.5)
                && wall.view.as_ref().is_some_and(|v| v.rev == sent.rev)
                && app.world().resource::<FeedStatus>().error.is_none()
        },
    );
    let (said, good) = parktwin::wall::connection(
        app.world().resource::<FeedStatus>(),
        app.world().resource::<WallState>(),
        parktwin::i18n::Lang::En,
    );
    assert!(good && said.starts_with("LIVE"), "{said}");
}

#[test]
fn send_to_wall_sends_the_operators_view_and_keeps_the_walls_tour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = RestartableServer::start(dir.path()).expect("server");
    let url = format!("{}/api/v1/wall", s.server.url);
    let tour = serde_json::json!({"tour": [{"name": "Tank farm", "camera": {"lon": 118.45, "lat": 37.57, "distance_m": 2000, "tilt_deg": 50}}], "idle_s": 600});
    let (code, e) = send("PUT", &url, Some(&s.server.operator), Some(&tour));
    assert_eq!(code, 200, "{e}");
    let (mut app, _) = wall_app(&s.server.url);
    let camera = CameraBookmark {
        lon: 118.4542447,
        lat: 37.5683106,
        distance_m: 600.0,
        heading_deg: 10.0,
        tilt_deg: 45.0,
    };
    let shown = ["tanks", "hydrants", "vehicles"].map(String::from).to_vec();
    // A feed's token may not move the wall: the refusal says whose may.
    let refused = block_on(parktwin::wall::send_view(
        &s.server.url,
        &s.server.ingest,
        camera,
        shown.clone(),
        None,
        None,
    ))
    .expect_err("a feed's token");
    assert!(refused.contains("403") && refused.contains("operator"), "{refused}");
    let sent = block_on(parktwin::wall::send_view(
        &s.server.url,
        &s.server.operator,
        camera,
        shown,
        None,
        Some("gd-001".into()),
    ))
    .expect("sent");
    let (_, on_server) = send("GET", &url, None, None);
    assert_eq!(on_server["rev"], sent.rev);
    assert_eq!(
        on_server["view"]["layers"],
        serde_json::json!(["tanks", "vehicles"]),
        "hydrants is not the server's"
    );
    assert_eq!(on_server["view"]["focus"], "gd-001");
    assert_eq!(on_server["view"]["tour"][0]["name"], "Tank farm", "the tour stays");
    assert_eq!(on_server["view"]["idle_s"], 600);
    // The wall takes it: it will fly to the detector from the operator's side once it is drawn.
    run_until(&mut app, Duration::from_secs(10), "the wall taking the view", |app| {
        app.world()
            .resource::<WallState>()
            .pending_focus
            .as_ref()
            .is_some_and(|(f, cam)| f == "gd-001" && *cam == Some(camera))
    });
}

#[test]
fn a_new_red_alarm_takes_the_wall_to_its_detector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = RestartableServer::start(dir.path()).expect("server");
    let (mut app, _) = wall_app(&s.server.url);
    run_until(&mut app, Duration::from_secs(20), "the first snapshot", |app| {
        app.world().resource::<FeedStatus>().last_ok.is_some()
    });
    // Let the director see the park as it is (nothing red yet).
    for _ in 0..5 {
        app.update();
    }
    let id = support::raise_red_alarm(&s.server.url, &s.server.ingest);
    run_until(
        &mut app,
        Duration::from_secs(10),
        "the wall going to the red alarm",
        |app| {
            let w = app.world().resource::<WallState>();
            w.on_show.as_ref().is_some_and(|(s, _)| *s == format!("alarm:{id}"))
                && w.pending_focus.as_ref().is_some_and(|(f, _)| *f == id)
        },
    );
}

#[test]
fn an_idle_wall_tours_its_bookmarks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = RestartableServer::start(dir.path()).expect("server");
    let stop = |name: &str, lon: f64| serde_json::json!({"name": name, "camera": {"lon": lon, "lat": 37.57, "distance_m": 1500, "tilt_deg": 50}});
    let view = serde_json::json!({
        "tour": [stop("West farm", 118.44), stop("East farm", 118.46)],
        "tour_dwell_s": 5, "idle_s": 10
    });
    let (code, e) = send(
        "PUT",
        &format!("{}/api/v1/wall", s.server.url),
        Some(&s.server.operator),
        Some(&view),
    );
    assert_eq!(code, 200, "{e}");
    let (mut app, data) = wall_app(&s.server.url);
    let frame = data.park.frame();
    let at = |lon: f64| {
        orbit_of(
            &frame,
            &CameraBookmark {
                lon,
                lat: 37.57,
                distance_m: 1500.0,
                heading_deg: 0.0,
                tilt_deg: 50.0,
            },
        )
    };
    // Ten seconds after the view came, the first stop; five more, the second.
    let first = run_until(&mut app, Duration::from_secs(25), "the tour's first stop", |app| {
        flying_to(app).is_some_and(|to| (to.target - at(118.44).target).length() < 1.0)
    });
    assert!(
        first >= Duration::from_secs(9),
        "the tour began before the wall was idle: {first:?}"
    );
    run_until(&mut app, Duration::from_secs(15), "the tour's second stop", |app| {
        flying_to(app).is_some_and(|to| (to.target - at(118.46).target).length() < 1.0)
    });
    let shown = app.world().resource::<WallState>().on_show.clone().map(|(s, _)| s);
    assert_eq!(shown.as_deref(), Some("tour:East farm"));
}

#[test]
fn a_wall_layout_that_cannot_be_is_refused_in_words() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_parktwin"))
            .arg("wall")
            .args(args)
            .output()
            .expect("parktwin runs");
        assert!(!out.status.success(), "{args:?} must be refused");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(run(&["--grid", "4x2"]).contains("need --canvas"));
    assert!(run(&["--canvas", "7681x2160", "--grid", "4x2"]).contains("does not split into 4x2 displays"));
    assert!(run(&["--canvas", "7680x2160", "--grid", "0x2"]).contains("out of range"));
    assert!(run(&["--canvas", "7680x2160", "--grid", "4x2", "--bezel", "40xwide"]).contains("is not a number"));
}

#[test]
fn a_drill_sent_to_the_wall_is_shown_instead_of_live_and_live_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = RestartableServer::start(dir.path()).expect("server");
    let (mut app, _) = wall_app(&s.server.url);
    run_until(&mut app, Duration::from_secs(20), "the wall's first poll", |app| {
        app.world().resource::<WallState>().last_ok.is_some()
    });
    let drill = support::upload_demo_drill(&s.server.url, &s.server.operator);
    let start = format!("{}/api/v1/drills/{drill}/start?speed=60", s.server.url);
    assert_eq!(send("POST", &start, Some(&s.server.operator), None).0, 200);
    let api = ApiClient::new(&s.server.url);
    let with_drill = WallRequest {
        drill: Some(drill.clone()),
        ..Default::default()
    };
    block_on(api.put_wall(&with_drill, &s.server.operator)).expect("sent");
    // The drill's release and readings come on the wall's map; live has none of them.
    let release = format!("{drill}/T01-flange");
    run_until(
        &mut app,
        Duration::from_secs(30),
        "the drill on the wall's map",
        |app| {
            let live = &app.world().resource::<parktwin_layers::live::Live>().0;
            live.incidents.contains_key(&release) && live.sensors["gd-005"].value.is_some()
        },
    );
    // The drill's tasks on the wall's response card, as its scenario gives them (+2:00 and
    // +2:30: seconds at 60×).
    run_until(
        &mut app,
        Duration::from_secs(30),
        "the drill's tasks on the wall",
        |app| {
            let live = &app.world().resource::<parktwin_layers::live::Live>().0;
            let card = parktwin::wall::response::ResponseCard::of(live, &release, parktwin::i18n::Lang::En);
            card.is_some_and(|c| {
                c.tasks
                    .iter()
                    .any(|(l, _)| l.contains("fire brigade: Water curtain downwind of tank-001"))
                    && c.tasks
                        .iter()
                        .any(|(l, _)| l.contains("security: Close the Hazmat Gate"))
            })
        },
    );
    let truth = block_on(api.live_snapshot()).expect("live");
    assert!(truth.incidents.is_empty() && truth.sensors["gd-005"].value.is_none());
    assert!(truth.tasks.is_empty(), "the drill's tasks are not live");
    assert!(
        app.world().resource::<FeedStatus>().drill_clock.is_some(),
        "the drill's clock times its field"
    );

    // A view without the drill: the park live again.
    block_on(api.put_wall(&WallRequest::default(), &s.server.operator)).expect("sent");
    run_until(
        &mut app,
        Duration::from_secs(10),
        "live back on the wall's map",
        |app| {
            let live = &app.world().resource::<parktwin_layers::live::Live>().0;
            app.world().resource::<FeedStatus>().current
                && live.incidents.is_empty()
                && live.sensors["gd-005"].value.is_none()
        },
    );
}
