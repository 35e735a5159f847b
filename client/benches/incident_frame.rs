//! The cost of an incident on screen: frame times of the real client (`parktwin render
//! --time-frames`) drawing the home view with an open incident of 1, 100 and 600 puffs, against
//! the same view with no incident, each against its own real server on loopback.
//!
//! Run it where a renderer is (a GPU, or Mesa's lavapipe under Xvfb):
//! `xvfb-run -a -s "-screen 0 1920x1080x24" cargo bench --profile dev -p parktwin --bench incident_frame`.
//! It prints a table; `PARKTWIN_BENCH_FRAMES` sets the frames timed per case (default 120).
//!
//! The incidents: 1 puff is an instantaneous release; 100 and 600 are continuous releases of
//! 500 s and 3,000 s whose wind turned a minute in, which the field cuts into a puff every
//! 5 s. Each field is drawn as it is two minutes after the release ended (frozen with
//! `--field-at`, so that every frame draws the same picture), and the CPU recomputes it every
//! frame as the live client does.

mod timing;

use parktwin::render::FrameStats;
use parktwin_api::clock::format_utc;
use parktwin_api::incident::Incident;
use parktwin_api::model::Role;
use parktwin_layers::incident::MAX_PUFFS;
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// The tank the releases come from (demo park, tank-001).
const TANK: (f64, f64) = (118.4542447, 37.5683106);
const SIZE: &str = "1280x720";

struct Row {
    case: &'static str,
    puffs: usize,
    stats: FrameStats,
    renderer: String,
}

fn post(url: &str, token: Option<&str>, body: serde_json::Value) -> serde_json::Value {
    let mut r = reqwest::blocking::Client::new().post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().expect("the server answers");
    let status = r.status();
    let v: serde_json::Value = r.json().expect("JSON");
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

/// Starts a server with the case's incident, renders, and times the frames.
fn measure(case: &'static str, release_s: Option<f64>, frames: u32) -> Row {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", server.url);
    let token = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite"))
        .expect("store")
        .create_token(Role::Operator, "bench")
        .expect("token");
    let t0 = OffsetDateTime::now_utc() - Duration::hours(2);
    let mut field_at = OffsetDateTime::now_utc();
    let mut puffs = 0;
    let report = |t: OffsetDateTime, from: f64| {
        let reports: Vec<_> = ["ws-1", "ws-2"]
            .iter()
            .map(|s| json!({"station": s, "time": format_utc(t), "wind_speed_ms": 3.0, "wind_from_deg": from, "temperature_c": 10.0}))
            .collect();
        post(&format!("{api}/weather"), Some(&server.ingest), json!(reports));
    };
    let incident = match release_s {
        None => None,
        // One puff: an instantaneous release in a fixed wind.
        Some(0.0) => {
            field_at = t0 + Duration::minutes(5);
            Some(post(
                &format!("{api}/incidents"),
                Some(&token),
                json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "cloud_model": "gaussian", "mass_kg": 2000.0, "start": format_utc(t0),
                       "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}}),
            ))
        }
        // A continuous release following the station, whose wind turns a minute in.
        Some(d) => {
            report(t0 - Duration::minutes(1), 225.0);
            let inc = post(
                &format!("{api}/incidents"),
                Some(&token),
                json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "cloud_model": "gaussian", "rate_kg_s": 2.0, "duration_s": d,
                       "start": format_utc(t0)}),
            );
            report(t0 + Duration::minutes(1), 250.0);
            field_at = t0 + Duration::seconds_f64(d + 120.0);
            Some(inc)
        }
    };
    if let Some(v) = incident {
        let id = v["id"].as_str().expect("id").to_string();
        let inc: Incident = reqwest::blocking::get(format!("{api}/incidents/{id}"))
            .and_then(|r| r.json())
            .expect("the incident");
        let t = (field_at - t0).as_seconds_f64();
        puffs = parktwin_dispersion::incident::field_at(&inc, t, MAX_PUFFS)
            .expect("field")
            .puffs
            .len();
    }
    let out = dir.path().join("frame.png");
    let field_at = format_utc(field_at);
    let (stats, renderer) = timing::time_render(
        &[
            "--server",
            &server.url,
            "--size",
            SIZE,
            "--out",
            &out.to_string_lossy(),
            "--field-at",
            &field_at,
            "--timeout",
            "300",
        ],
        frames,
    );
    eprintln!("{case}: {puffs} puffs, {stats:?}");
    timing::keep_shot(&out, &format!("incident-{puffs}-puffs"));
    Row {
        case,
        puffs,
        stats,
        renderer,
    }
}

fn main() {
    timing::need_display("incident_frame");
    let frames = timing::frames(120);
    let rows = [
        measure("no incident", None, frames),
        measure("instantaneous release", Some(0.0), frames),
        measure("500 s release, wind shift", Some(500.0), frames),
        measure("3,000 s release, wind shift", Some(3000.0), frames),
    ];
    let base = rows[0].stats.mean_ms;
    println!("ParkTwin client, home view {SIZE}, frame times over {frames} frames (ms)");
    println!("Renderer: {}, {}", rows[0].renderer, timing::target());
    println!("| case | puffs | mean | median | p99 | worst | mean × no incident |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            r.case,
            r.puffs,
            r.stats.mean_ms,
            r.stats.p50_ms,
            r.stats.p99_ms,
            r.stats.max_ms,
            r.stats.mean_ms / base
        );
    }
}
