//! The wall's cost per frame: frame times of the real client (`parktwin render --time-frames`)
//! drawing the demo park at a wall's 3840×1080, as the desktop client (the baseline: the same
//! pixels, the panel on the right), as the wall (its cards, ticker and band, egui at 1.5×), and
//! as a wall of two displays with a 240-pixel bezel (one camera per display), each against its
//! own real server on loopback with an open red alarm in the ticker.
//!
//! Run it where a renderer is (a GPU, or Mesa's lavapipe under Xvfb):
//! `xvfb-run -a -s "-screen 0 1920x1080x24" cargo bench --profile dev -p parktwin --bench wall_frame`.
//! It prints a table; `PARKTWIN_BENCH_FRAMES` sets the frames timed per case (default 60).

mod timing;

use parktwin::render::FrameStats;

const SIZE: &str = "3840x1080";

fn measure(case: &'static str, extra: &[&str], frames: u32) -> (&'static str, FrameStats, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    // A red alarm for the ticker: gd-001 reads far over its thresholds.
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    let (code, e) = parktwin_e2e::send(
        "POST",
        &format!("{}/api/v1/observations", server.url),
        Some(&server.ingest),
        Some(&serde_json::json!([{"sensor": "gd-001", "time": now, "value": 1000.0}])),
    );
    assert_eq!(code, 200, "{e}");
    let out = dir.path().join("frame.png");
    let mut args = vec!["--server", &server.url, "--size", SIZE, "--out"];
    let out = out.to_string_lossy().to_string();
    args.push(&out);
    args.extend_from_slice(&["--timeout", "300"]);
    args.extend_from_slice(extra);
    let (stats, renderer) = timing::time_render(&args, frames);
    eprintln!("{case}: {stats:?}");
    timing::keep_shot(std::path::Path::new(&out), &format!("wall-{}", extra.len()));
    (case, stats, renderer)
}

fn main() {
    timing::need_display("wall_frame");
    let frames = timing::frames(60);
    let rows = [
        measure("desktop client (baseline)", &[], frames),
        measure("wall", &["--wall"], frames),
        measure(
            "wall, 2×1 displays, 240 px bezel",
            &["--wall", "--grid", "2x1", "--bezel", "240x0"],
            frames,
        ),
    ];
    let base = rows[0].1.mean_ms;
    println!("ParkTwin client, demo park at {SIZE}, frame times over {frames} frames (ms)");
    println!("Renderer: {}, {}", rows[0].2, timing::target());
    println!("| case | mean | median | p99 | worst | mean × desktop |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (case, s, _) in &rows {
        println!(
            "| {case} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            s.mean_ms,
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.mean_ms / base
        );
    }
}
