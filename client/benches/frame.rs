//! The client's per-frame CPU cost of the live layers, headless (no window, no GPU): folding a
//! second's events through the one reducer (decoded on the feed thread, folded a frame's budget
//! at a time, as the client does), giving the markers their new fixes, colouring the
//! detectors, and easing every truck toward its fix on each frame. For 200, 2,000 and 10,000
//! moving trucks and 500 detectors, against the same app with no trucks as the baseline.
//!
//! `cargo bench -p parktwin --bench frame` prints a table. Trails and rings are drawn with
//! gizmos, which need the renderer; they are not in these numbers.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use parktwin::sync::{Decoded, FOLD_PER_FRAME, fold_some};
use parktwin_api::clock::unix_seconds as unix_of;
use parktwin_api::live::{Change, LiveState};
use parktwin_api::model::{Event, Park, SensorLevel, SensorState};
use parktwin_layers::live::{Live, colour_detectors, move_vehicles, place_vehicles};
use parktwin_scene::{FeatureRef, ParkData};

const DETECTORS: usize = 500;
const FRAMES_PER_SECOND: usize = 60;
const SECONDS: usize = 6;

fn park() -> Park {
    Park {
        id: "bench".into(),
        name: "Bench park".into(),
        name_zh: "测试园区".into(),
        origin: [118.45, 37.57],
        bbox: [118.42, 37.55, 118.48, 37.59],
        timezone: "Asia/Shanghai".into(),
        attribution: None,
    }
}

/// One second of the feed: a fix for every truck, and a fifth of the detectors read.
fn second_of_events(seq0: i64, second: usize, trucks: usize) -> Vec<Event> {
    let frame = park().frame();
    let t = format!("2026-11-26T12:00:{:02}.000Z", second % 60);
    let mut out = Vec::with_capacity(trucks + DETECTORS / 5);
    for k in 0..trucks {
        let angle = k as f64 * 0.37 + second as f64 * 0.01;
        let r = 200.0 + (k % 1500) as f64;
        let (lon, lat) = frame.to_wgs84(r * angle.cos(), r * angle.sin());
        out.push(
            serde_json::json!({"plate": format!("B{k:05}"), "time": t, "lon": lon, "lat": lat,
                                    "speed_kmh": 30.0, "heading_deg": 90.0}),
        );
    }
    let mut events: Vec<Event> = out
        .into_iter()
        .map(|p| ("position", p))
        .chain((0..DETECTORS / 5).map(|k| {
            let id = (second * DETECTORS / 5 + k) % DETECTORS;
            (
                "observation",
                serde_json::json!({"sensor": format!("gd-{id:03}"), "time": t, "value": (k % 13) as f64 * 0.1}),
            )
        }))
        .enumerate()
        .map(|(i, (kind, payload))| Event {
            seq: seq0 + i as i64 + 1,
            time: t.clone(),
            recorded: t.clone(),
            channel: "live".into(),
            kind: kind.into(),
            payload,
        })
        .collect();
    events.shrink_to_fit();
    events
}

fn app(trucks: usize) -> App {
    let sensors: Vec<SensorState> = (0..DETECTORS)
        .map(|i| SensorState {
            id: format!("gd-{i:03}"),
            layer: "detectors".into(),
            kind: "toxic_gas".into(),
            unit: Some("ppm".into()),
            warn: Some(0.5),
            alarm: Some(1.0),
            value: None,
            time: None,
            level: SensorLevel::NoData,
        })
        .collect();
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(Assets::<Mesh>::default())
        .insert_resource(Assets::<StandardMaterial>::default())
        .insert_resource(Live(LiveState::from_snapshot(0, sensors, vec![], vec![])))
        .insert_resource(ParkData {
            park: park(),
            layers: vec![],
            hazards: vec![],
        })
        .add_systems(Update, (colour_detectors, place_vehicles, move_vehicles).chain());
    for i in 0..DETECTORS {
        app.world_mut().spawn((
            FeatureRef {
                layer: "detectors".into(),
                feature: format!("gd-{i:03}"),
            },
            MeshMaterial3d::<StandardMaterial>::default(),
            Transform::from_xyz(i as f32, 2.5, 0.0),
        ));
    }
    // The trucks' first fixes, so that their markers exist before timing starts.
    let first = second_of_events(0, 0, trucks);
    {
        let mut live = app.world_mut().resource_mut::<Live>();
        first.iter().for_each(|e| live.0.apply(e));
    }
    app.update();
    app.update();
    app
}

struct Row {
    trucks: usize,
    decode_ms: f64,
    p99_ms: f64,
    worst_ms: f64,
    average_ms: f64,
}

fn measure(trucks: usize) -> Row {
    let mut app = app(trucks);
    let mut seq = app.world().resource::<Live>().0.cursor;
    let mut backlog = std::collections::VecDeque::new();
    let mut decode = Duration::ZERO;
    let mut frames = Vec::with_capacity(SECONDS * FRAMES_PER_SECOND);
    for s in 1..=SECONDS {
        let events = second_of_events(seq, s, trucks);
        seq = events.last().map_or(seq, |e| e.seq);
        // The feed thread's share: decoding the page.
        let t0 = Instant::now();
        backlog.extend(events.iter().map(|e| Decoded {
            seq: e.seq,
            recorded: unix_of(&e.recorded),
            change: Change::of(e),
        }));
        decode += t0.elapsed();
        // Each frame: fold in what the frame's budget allows (as `poll_feed` does), then run
        // the live layers.
        for _ in 0..FRAMES_PER_SECOND {
            let t0 = Instant::now();
            if !backlog.is_empty() {
                let mut live = app.world_mut().resource_mut::<Live>();
                fold_some(&mut backlog, &mut live.0, FOLD_PER_FRAME, None);
            }
            app.update();
            frames.push(t0.elapsed());
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let average_ms = ms(frames.iter().sum()) / frames.len() as f64;
    frames.sort();
    Row {
        trucks,
        decode_ms: ms(decode) / SECONDS as f64,
        p99_ms: ms(frames[frames.len() * 99 / 100]),
        worst_ms: ms(frames[frames.len() - 1]),
        average_ms,
    }
}

fn main() {
    let rows: Vec<Row> = [0, 200, 2_000, 10_000].into_iter().map(measure).collect();
    let base = &rows[0];
    println!(
        "ParkTwin client, live layers per frame (headless, {DETECTORS} detectors, {FRAMES_PER_SECOND} frames a second, \
         at most {FOLD_PER_FRAME} events folded a frame)"
    );
    println!(
        "| trucks | decode a second's page, feed thread (ms) | p99 frame (ms) | worst frame (ms) | average frame (ms) | × no trucks |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
            r.trucks,
            r.decode_ms,
            r.p99_ms,
            r.worst_ms,
            r.average_ms,
            r.average_ms / base.average_ms
        );
    }
}
