//! The client's per-frame CPU cost of the live layers, headless (no window, no GPU): folding a
//! second's events through the one reducer, giving the markers their new fixes, colouring the
//! detectors, and easing every truck toward its fix on each frame. For 200, 2,000 and 10,000
//! moving trucks and 500 detectors, against the same app with no trucks as the baseline.
//!
//! `cargo bench -p parktwin --bench frame` prints a table. Trails and rings are drawn with
//! gizmos, which need the renderer; they are not in these numbers.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use parktwin_api::live::LiveState;
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
    fold_ms: f64,
    tick_frame_ms: f64,
    frame_ms: f64,
}

fn measure(trucks: usize) -> Row {
    let mut app = app(trucks);
    let mut seq = app.world().resource::<Live>().0.cursor;
    let (mut fold, mut tick, mut other, mut n_other) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, 0u32);
    for s in 1..=SECONDS {
        let events = second_of_events(seq, s, trucks);
        seq = events.last().map_or(seq, |e| e.seq);
        let t0 = Instant::now();
        {
            let mut live = app.world_mut().resource_mut::<Live>();
            events.iter().for_each(|e| live.0.apply(e));
        }
        fold += t0.elapsed();
        let t0 = Instant::now();
        app.update();
        tick += t0.elapsed();
        for _ in 1..FRAMES_PER_SECOND {
            let t0 = Instant::now();
            app.update();
            other += t0.elapsed();
            n_other += 1;
        }
    }
    let ms = |d: Duration, n: u32| d.as_secs_f64() * 1000.0 / f64::from(n);
    Row {
        trucks,
        fold_ms: ms(fold, SECONDS as u32),
        tick_frame_ms: ms(tick, SECONDS as u32),
        frame_ms: ms(other, n_other),
    }
}

fn main() {
    let rows: Vec<Row> = [0, 200, 2_000, 10_000].into_iter().map(measure).collect();
    let base = &rows[0];
    println!(
        "ParkTwin client, live layers per frame (headless, {DETECTORS} detectors, {FRAMES_PER_SECOND} frames a second)"
    );
    println!(
        "| trucks | fold a second's events (ms) | frame with new fixes (ms) | other frames (ms) | average frame (ms) | × no trucks |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    let avg = |r: &Row| {
        (r.fold_ms + r.tick_frame_ms + r.frame_ms * (FRAMES_PER_SECOND - 1) as f64) / FRAMES_PER_SECOND as f64
    };
    for r in &rows {
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
            r.trucks,
            r.fold_ms,
            r.tick_frame_ms,
            r.frame_ms,
            avg(r),
            avg(r) / avg(base)
        );
    }
}
