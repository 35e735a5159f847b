//! The wall's memory stays flat: a bounded soak. A real server on loopback is fed hours of the
//! demo park's life (readings, trucks, weather, gate passes and the alarms they raise) at many
//! times real speed, while a headless wall folds it all in, decides its shots and lays out its
//! screen every frame. Every byte the process holds is counted; after a warm-up it must not
//! grow beyond a bound while the feed keeps pouring in.

mod support;

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bevy_egui::egui;
use parktwin::sync::FeedStatus;
use parktwin::wall::{WallLayout, WallState};
use parktwin_e2e::start_server;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// Counts every byte the process allocates and frees.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The bytes the process holds now.
fn held() -> i64 {
    let s = GLOBAL.stats();
    // A reallocation is counted in these two already (its growth or its shrinking).
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// How long the soak runs, and when its baseline is taken.
const SOAK: Duration = Duration::from_secs(120);
const WARM_UP: Duration = Duration::from_secs(30);
/// How much the process may grow after the warm-up.
const BOUND_BYTES: i64 = 6 * 1024 * 1024;

#[test]
fn memory_stays_flat_under_hours_of_fast_forwarded_feed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(dir.path(), None).expect("server");
    // The feed: the demo simulator, its clock starting eight hours back and running as fast as
    // the store takes it (about 400 times real speed here), then in step with the real one.
    // Most of those hours pour in after the baseline is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let played = Arc::new(AtomicUsize::new(0));
    let feeder = {
        let (stop, played) = (stop.clone(), played.clone());
        let db = dir.path().join("parktwin.sqlite");
        std::thread::spawn(move || {
            let store = parktwin_server::Store::open(&db).expect("store");
            let mut sim = parktwin_server::sim::Simulator::new(&store, 7).expect("simulator");
            let mut t = time::OffsetDateTime::now_utc() - time::Duration::hours(8);
            let mut seconds = 0usize;
            while !stop.load(Ordering::Relaxed) {
                sim.feed(&store, t).expect("the store takes the feed");
                seconds += 1;
                played.store(seconds, Ordering::Relaxed);
                t += time::Duration::seconds(1);
                let now = time::OffsetDateTime::now_utc();
                if t > now {
                    std::thread::sleep((t - now).try_into().unwrap_or(Duration::ZERO));
                }
            }
        })
    };

    let (mut app, _) = support::wall_app(&server.url);
    let layout = WallLayout::for_window(bevy::math::UVec2::new(3840, 1080), Default::default());
    let ctx = egui::Context::default();
    let start = Instant::now();
    let mut baseline: Option<i64> = None;
    let mut samples = Vec::new();
    let mut next_sample = WARM_UP;
    let mut frames = 0u64;
    while start.elapsed() < SOAK {
        app.update();
        frames += 1;
        // Lay the screen out as the wall does each frame (the ticker, the cards, the card of
        // the incident), without a GPU to paint it on.
        let world = app.world();
        let screen = parktwin::wall::screen::gather(
            world.get_resource::<parktwin_scene::ParkData>(),
            &world.resource::<parktwin_layers::live::Live>().0,
            None,
            world.resource::<FeedStatus>(),
            world.resource::<WallState>(),
            &parktwin_layers::incident::IncidentView::default(),
            None,
            time::OffsetDateTime::now_utc(),
            start.elapsed().as_secs_f64(),
            parktwin::i18n::Lang::Zh,
        );
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(2560.0, 720.0))),
            ..Default::default()
        };
        let mut out = ctx.run_ui(input, |ui| parktwin::wall::screen::draw(ui, &screen, &layout));
        // No painter here: the font atlas's updates are dropped on purpose.
        out.textures_delta.clear();
        if start.elapsed() >= next_sample {
            let held = held();
            baseline.get_or_insert(held);
            samples.push((start.elapsed().as_secs(), held / 1024, played.load(Ordering::Relaxed)));
            next_sample += Duration::from_secs(15);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::Relaxed);
    feeder.join().expect("the feeder ends");
    let end = held();
    let base = baseline.expect("a baseline");
    let seconds = played.load(Ordering::Relaxed);
    eprintln!("soak: {frames} frames, {seconds} s of the park played; (s, KiB held, played): {samples:?}");

    // The feed was real work: hours of the park went through the wall.
    assert!(seconds > 6 * 3600, "only {seconds} s of the park were played");
    let world = app.world();
    let live = &world.resource::<parktwin_layers::live::Live>().0;
    assert!(live.cursor > 10_000, "the wall folded {} events", live.cursor);
    assert!(world.resource::<FeedStatus>().error.is_none());
    // What the wall keeps is bounded by the park, not by time.
    let wall = world.resource::<WallState>();
    assert!(wall.director.remembered() <= live.alarms.len() + live.incidents.len());
    // Trucks gone two hours are forgotten (the simulator sends one in every few minutes).
    assert!(live.vehicles.len() <= 80, "{} vehicles", live.vehicles.len());
    // Waybills are kept for a day after they end: none older is held.
    let rfc = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).expect("a stored time")
    };
    let newest = live
        .waybills
        .values()
        .map(|w| rfc(&w.valid_from))
        .max()
        .expect("waybills");
    assert!(
        live.waybills
            .values()
            .all(|w| rfc(&w.valid_to) >= newest - time::Duration::days(1)),
        "a waybill ended more than a day before the newest began"
    );
    // And the process does not grow.
    assert!(
        end - base <= BOUND_BYTES,
        "the process grew by {} KiB after the warm-up (bound {} KiB): {samples:?}",
        (end - base) / 1024,
        BOUND_BYTES / 1024
    );
}
