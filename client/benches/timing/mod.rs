//! Times the real client's frames: `parktwin render ARGS --time-frames N`, its statistics line
//! and the renderer it names. Shared by the frame-time benchmarks.
//!
//! `PARKTWIN_OFFSCREEN=1` renders with `--offscreen` (no window, no display: a GPU server's
//! way); each frame then waits for the GPU to finish it (see `client/src/offscreen.rs`).

use std::process::Command;

use parktwin::render::FrameStats;

/// Runs `parktwin render` with `args` and `--time-frames frames`; the statistics and the
/// renderer's name.
pub fn time_render(args: &[&str], frames: u32) -> (FrameStats, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .arg("render")
        .args(offscreen().then_some("--offscreen"))
        .args(args)
        .args(["--time-frames", &frames.to_string()])
        .output()
        .expect("parktwin runs");
    assert!(
        run.status.success(),
        "render failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .expect("the frame statistics");
    let stats: FrameStats = serde_json::from_str(line).expect("statistics");
    let renderer = String::from_utf8_lossy(&run.stderr)
        .lines()
        .find_map(|l| l.strip_prefix(parktwin::render::RENDERER_LINE).map(str::to_string))
        .unwrap_or_else(|| "an unnamed renderer".into());
    (stats, renderer)
}

/// The frames timed per case: `PARKTWIN_BENCH_FRAMES`, or `default`.
pub fn frames(default: u32) -> u32 {
    std::env::var("PARKTWIN_BENCH_FRAMES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Whether the renders are offscreen (`PARKTWIN_OFFSCREEN=1`).
pub fn offscreen() -> bool {
    std::env::var("PARKTWIN_OFFSCREEN").is_ok_and(|v| v == "1")
}

/// Exits with a message when there is no display to render on and the renders are not
/// offscreen.
pub fn need_display(bench: &str) {
    if !offscreen() && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "{bench} needs a display: run it under `xvfb-run -a` (see the file's header), or set PARKTWIN_OFFSCREEN=1"
        );
        std::process::exit(2);
    }
}

/// What the frames were drawn into, for the table's header.
pub fn target() -> &'static str {
    if offscreen() {
        "offscreen image (each frame waits for the GPU)"
    } else {
        "window"
    }
}

/// Keeps a case's settled frame as `NAME.png` in the folder `PARKTWIN_BENCH_SHOTS`, when set:
/// the picture the timed frames drew, to look at beside the numbers.
pub fn keep_shot(frame: &std::path::Path, name: &str) {
    if let Some(dir) = std::env::var_os("PARKTWIN_BENCH_SHOTS") {
        let to = std::path::Path::new(&dir).join(format!("{name}.png"));
        if let Err(e) = std::fs::copy(frame, &to) {
            eprintln!("cannot keep {}: {e}", to.display());
        }
    }
}
