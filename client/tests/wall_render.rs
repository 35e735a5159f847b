//! The wall rendered for real (`parktwin render --wall`, Mesa's software Vulkan under Xvfb):
//! at 3840×1080 the map is in the middle with the park where the wall's home view puts it, the
//! key-figure cards down the left, the ticker along the bottom with the red alarm in it; a
//! drill on show bands the top in amber; on two displays with bezels the map runs on behind
//! the seam.

mod support;

use std::path::Path;
use std::process::Command;

use bevy::math::UVec2;
use parktwin::loader::load_park;
use parktwin::wall::{WallConfig, WallLayout};
use parktwin_api::client::{ApiClient, block_on};
use parktwin_e2e::{send, start_server};
use support::{MapView, assert_park_shown_on, close, runs_at};

const WALL: (u32, u32) = (3840, 1080);

fn render_wall(server: &str, out: &Path, extra: &[&str]) -> image::RgbImage {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the wall's render tests draw real frames and need a display: run scripts/test (Xvfb) or set DISPLAY"
    );
    let run = Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .args(["render", "--wall", "--server", server, "--out"])
        .arg(out)
        .args(["--size", &format!("{}x{}", WALL.0, WALL.1)])
        .args(extra)
        .output()
        .expect("parktwin runs");
    assert!(
        run.status.success(),
        "render failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    image::open(out).expect("a PNG").to_rgb8()
}

/// Pixels in a box that pass `test`.
fn count_in(
    img: &image::RgbImage,
    x: std::ops::Range<u32>,
    y: std::ops::Range<u32>,
    test: impl Fn([u8; 3]) -> bool,
) -> usize {
    y.flat_map(|y| x.clone().map(move |x| (x, y)))
        .filter(|(x, y)| test(img.get_pixel(*x, *y).0))
        .count()
}

fn rgb(c: bevy_egui::egui::Color32) -> [u8; 3] {
    [c.r(), c.g(), c.b()]
}

fn red_text(p: [u8; 3]) -> bool {
    p[0] > 200 && p[1] < 120 && p[2] < 120
}

#[test]
fn the_wall_at_3840x1080_shows_the_park_the_cards_and_the_ticker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    support::raise_red_alarm(&s.url, &s.ingest);
    let img = render_wall(&s.url, &dir.path().join("wall.png"), &[]);
    assert_eq!(img.dimensions(), WALL);
    let data = block_on(load_park(&ApiClient::new(&s.url), &|_, _, _| {})).expect("park");
    let cfg = WallConfig::default();
    let layout = WallLayout::for_window(UVec2::new(WALL.0, WALL.1), cfg);

    // The map in the middle: the parcels and tanks where the wall's home view puts them.
    assert_park_shown_on(&img, &data, &MapView::wall(WALL, cfg));

    // Five key-figure cards down the left column.
    let card = rgb(parktwin::wall::screen::CARD);
    // Between the side's margin (10 points) and the card's (12), where no text is.
    let cards = runs_at(&img, (16.0 * layout.zoom) as u32, card, 40);
    assert_eq!(cards, 5, "cards in the left column");
    // The open-alarms card counts the red alarm in red.
    let left = 0..layout.left as u32;
    assert!(count_in(&img, left, layout.top as u32..WALL.1 - layout.bottom as u32, red_text) > 50);

    // The top band with the clock in white at its left.
    let band = rgb(parktwin::wall::screen::BAND);
    assert!(close(img.get_pixel(WALL.0 / 2, 3).0, band, 6), "the band at the top");
    let white = count_in(&img, 0..300, 0..layout.top as u32, |p| p.iter().all(|c| *c > 200));
    assert!(white > 200, "the clock: {white} white pixels");

    // The ticker along the bottom, the red alarm running in it.
    let ticker_rows = WALL.1 - layout.bottom as u32 + 2..WALL.1 - 2;
    let ticker = rgb(parktwin::wall::screen::TICKER);
    let bg = count_in(&img, 0..WALL.0, ticker_rows.clone(), |p| close(p, ticker, 6));
    assert!(bg > (WALL.0 as usize * ticker_rows.len()) / 2, "the ticker's band");
    let text = count_in(&img, 0..WALL.0, ticker_rows, red_text);
    assert!(text > 500, "the red alarm in the ticker: {text} red pixels");
}

#[test]
fn a_drill_shown_on_two_displays_is_banded_and_the_map_runs_on_behind_the_bezel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let drill = support::upload_demo_drill(&s.url, &s.operator);
    let (code, v) = send(
        "PUT",
        &format!("{}/api/v1/wall", s.url),
        Some(&s.operator),
        Some(&serde_json::json!({"drill": drill})),
    );
    assert_eq!(code, 200, "{v}");
    let img = render_wall(
        &s.url,
        &dir.path().join("drill.png"),
        &["--grid", "2x1", "--bezel", "240x0"],
    );
    let cfg = WallConfig {
        grid: UVec2::new(2, 1),
        bezel: UVec2::new(240, 0),
        fullscreen: false,
    };
    let layout = WallLayout::for_window(UVec2::new(WALL.0, WALL.1), cfg);
    // The band is amber from end to end (its words in black aside).
    let drill_amber = rgb(parktwin::wall::screen::DRILL);
    let amber = (0..WALL.0)
        .step_by(16)
        .filter(|x| close(img.get_pixel(*x, 3).0, drill_amber, 6))
        .count();
    assert!(
        amber * 10 >= (WALL.0 as usize / 16) * 9,
        "the DRILL band: {amber} amber samples"
    );
    // So is a frame round the map.
    let mid_y = WALL.1 / 2;
    let frame_px = img.get_pixel(layout.left as u32 + 12, mid_y).0;
    assert!(
        close(frame_px, drill_amber, 10),
        "the frame round the map: {frame_px:?}"
    );
    // The park is where the view over the whole canvas (the bezel's 240 pixels included) puts
    // it on each display: the map is one picture across the seam.
    let data = block_on(load_park(&ApiClient::new(&s.url), &|_, _, _| {})).expect("park");
    assert_park_shown_on(&img, &data, &MapView::wall(WALL, cfg));
}

#[test]
fn the_wall_credits_a_park_imported_from_openstreetmap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let assets = support::import_osm_sample(dir.path());
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).expect("mkdir");
    let s = start_server(&data_dir, Some(assets.clone())).expect("server");
    let img = render_wall(&s.url, &dir.path().join("wall.png"), &[]);
    // The same park without its credit (the first server's database is seeded already).
    support::drop_credit(&assets);
    let bare_dir = dir.path().join("bare");
    std::fs::create_dir(&bare_dir).expect("mkdir");
    let bare = start_server(&bare_dir, Some(assets)).expect("server");
    let without = render_wall(&bare.url, &dir.path().join("bare.png"), &[]);
    let layout = WallLayout::for_window(UVec2::new(WALL.0, WALL.1), WallConfig::default());
    // In the map's bottom right corner, inside the right-hand cards and above the ticker.
    let right = WALL.0 - layout.right as u32 - (6.0 * layout.zoom) as u32;
    let bottom = WALL.1 - layout.bottom as u32 - (6.0 * layout.zoom) as u32;
    let (changed, text) = support::credit_drawn(&img, &without, right, bottom, layout.zoom);
    assert!(
        changed > 0.6 && text >= 80,
        "the credit: {changed:.2} of its corner changed, {text} text pixels"
    );
}
