//! The render test: `parktwin render` against a running server draws the park, and the pixels
//! where the home view puts the parcels and the tanks have their colours. Needs a display:
//! `scripts/test` runs it under Xvfb with Mesa's software Vulkan.

mod support;

use std::path::Path;
use std::process::Command;

use bevy::math::{Vec2, Vec3};
use geojson::Value;
use parktwin::loader::load_park;
use parktwin::theme::PANEL_WIDTH;
use parktwin_api::client::{ApiClient, block_on};
use parktwin_scene::ParkData;
use parktwin_scene::camera::home_view;
use support::{assert_home_view_shows_the_park, close, on_map_in, pixel, plume_drawn_to_the_north_east};

const W: u32 = 1280;
const H: u32 = 720;

fn need_display() {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "the render tests draw real frames and need a display: run scripts/test (Xvfb) or set DISPLAY"
    );
}

fn render(server: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    render_with(None, server, out, extra)
}

/// Renders with a wgpu backend named as `WGPU_BACKEND` takes it (`gl`, `vulkan`), or wgpu's
/// choice (Vulkan here).
fn render_with(backend: Option<&str>, server: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parktwin"));
    match backend {
        Some(b) => cmd.env("WGPU_BACKEND", b),
        None => cmd.env_remove("WGPU_BACKEND"),
    };
    cmd.args(["render", "--server", server, "--out"])
        .arg(out)
        .args(["--size", &format!("{W}x{H}")])
        .args(extra);
    let run = cmd.output().expect("parktwin runs");
    // Xvfb, the tests' display, has once refused a connection when a dozen renders opened at
    // once on two busy cores (winit: "Failed to build event loop"): that is the fixture's, not
    // the client's, so the render is tried once more. A client that cannot open a window fails
    // both times.
    if !run.status.success() && String::from_utf8_lossy(&run.stderr).contains("Failed to build event loop") {
        return cmd.output().expect("parktwin runs");
    }
    run
}

/// Renders the home view to `out` and reads it back; the render must succeed.
fn render_png(server: &str, out: &Path) -> image::RgbImage {
    let run = render(server, out, &[]);
    assert!(
        run.status.success(),
        "render failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    image::open(out).expect("a PNG").to_rgb8()
}

/// Where the home view puts a map point in the `W`×`H` render (see [`support::on_map_in`]).
fn on_map(data: &ParkData, e: f64, n: f64, up: f64) -> Option<Vec2> {
    on_map_in(data, (W, H), e, n, up)
}

#[test]
fn home_view_shows_parcels_in_their_risk_colours_and_the_tanks() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let out = dir.path().join("home.png");
    let img = render_png(&server.url, &out);
    assert_eq!(img.dimensions(), (W, H));
    if let Some(copy) = std::env::var_os("PARKTWIN_SCREENSHOT_OUT") {
        std::fs::copy(&out, copy).expect("copy the screenshot");
    }

    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park loads");
    assert_home_view_shows_the_park(&img, &data);
}

#[test]
fn render_fails_with_a_clear_message_when_the_server_is_unreachable() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let run = render("http://127.0.0.1:9", &dir.path().join("x.png"), &["--timeout", "6"]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("render failed") && err.contains("http://127.0.0.1:9/api/v1/park"),
        "{err}"
    );
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn render_refuses_an_unknown_view_and_a_missing_folder() {
    let run = render("http://127.0.0.1:9", Path::new("/no/such/folder/x.png"), &[]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("/no/such/folder"));
    let run = render("http://127.0.0.1:9", Path::new("x.png"), &["--view", "sideways"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown view \"sideways\""));
}

/// Posts a fix of a truck heading north at 20 km/h, `e`, `n` metres from the park's origin,
/// five seconds ago.
fn put_truck(server: &parktwin_e2e::TestServer, data: &ParkData, plate: &str, e: f64, n: f64) {
    let (lon, lat) = data.park.frame().to_wgs84(e, n);
    let stamp = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(5));
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/vehicles/positions", server.url))
        .bearer_auth(&server.ingest)
        .json(&serde_json::json!([{"plate": plate, "time": stamp, "lon": lon, "lat": lat, "speed_kmh": 20, "heading_deg": 0}]))
        .send()
        .expect("ingest");
    assert!(r.status().is_success());
}

#[test]
fn live_view_shows_a_truck_and_a_detector_in_alarm() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park loads");
    let frame = data.park.frame();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 5;
    let stamp = parktwin_api::clock::format_utc(time::OffsetDateTime::from_unix_timestamp(now as i64).expect("time"));

    // A detector in the open part of the map, driven past its alarm threshold.
    let detectors = &data
        .layers
        .iter()
        .find(|(l, _)| l.id == "detectors")
        .expect("detectors")
        .1;
    let (id, px_detector, alarm) = detectors
        .features
        .iter()
        .find_map(|f| {
            let Some(Value::Point(c)) = f.geometry.as_ref().map(|g| &g.value) else {
                return None;
            };
            let [e, n] = frame.to_map(c[0], c[1]);
            let px = on_map(&data, e, n, 22.0)?;
            let id = match &f.id {
                Some(geojson::feature::Id::String(s)) => s.clone(),
                _ => return None,
            };
            let alarm = f.properties.as_ref()?.get("alarm")?.as_f64()?;
            (px.x > 100.0 && px.x < 800.0 && px.y > 150.0).then_some((id, px, alarm))
        })
        .expect("a detector in view");
    let client = reqwest::blocking::Client::new();
    let r = client
        .post(format!("{}/api/v1/observations", server.url))
        .bearer_auth(&server.ingest)
        .json(&serde_json::json!([{"sensor": id, "time": stamp, "value": alarm * 2.0}]))
        .send()
        .expect("ingest");
    assert!(r.status().is_success());

    // A hazmat truck on Central Avenue, 800 m south of the park's middle.
    put_truck(&server, &data, "鲁E·T0001", 0.0, -800.0);

    let out = dir.path().join("live.png");
    let img = render_png(&server.url, &out);
    let red = parktwin_layers::live::level_colour(parktwin_api::model::SensorLevel::Alarm);
    let got = pixel(&img, px_detector);
    assert!(
        close(got, red, 16),
        "detector {id} at {px_detector}: {got:?}, want the alarm red {red:?}"
    );
    let px_truck = on_map(&data, 0.0, -800.0, 8.0).expect("truck in view");
    let got = pixel(&img, px_truck);
    let cyan = parktwin_layers::live::VEHICLE;
    assert!(close(got, cyan, 16), "truck at {px_truck}: {got:?}, want {cyan:?}");
}

#[test]
fn a_selected_truck_is_flown_to_and_ringed_in_the_chinese_panel() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park loads");
    put_truck(&server, &data, "鲁E·S0001", 800.0, 0.0);
    let out = dir.path().join("selected.png");
    let run = render(&server.url, &out, &["--lang", "zh", "--select", "鲁E·S0001"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let img = image::open(&out).expect("png").to_rgb8();
    let centre = Vec2::new(img.width() as f32 / 2.0, img.height() as f32 / 2.0);
    let near = |c: [u8; 3], r0: f32, r1: f32| {
        img.enumerate_pixels()
            .filter(|(x, y, p)| {
                let d = Vec2::new(*x as f32, *y as f32).distance(centre);
                d >= r0 && d <= r1 && close(p.0, c, 20)
            })
            .count()
    };
    // The camera flew to the truck: it is in the middle of the picture, cyan, and its rear
    // carries the orange placard.
    let cyan = parktwin_layers::live::VEHICLE;
    assert!(near(cyan, 0.0, 40.0) > 100, "no truck in the middle of the picture");
    let orange = parktwin_layers::live::PLACARD;
    assert!(near(orange, 0.0, 40.0) > 10, "no placard near the centre");
    // And a white ring goes round it.
    assert!(
        near([255, 255, 255], 40.0, 120.0) > 60,
        "no selection ring round the truck"
    );
}

/// For each row of the image, how many of the panel's pixels have a hue.
fn panel_rows(img: &image::RgbImage, hue: &dyn Fn(f32, f32, f32) -> bool) -> Vec<usize> {
    let mut count = vec![0usize; img.height() as usize];
    for (x, y, p) in img.enumerate_pixels() {
        let [r, g, b] = p.0.map(f32::from);
        if x as f32 >= img.width() as f32 - PANEL_WIDTH && hue(r, g, b) {
            count[y as usize] += 1;
        }
    }
    count
}

#[test]
fn a_selected_detector_shows_its_last_hour_against_its_thresholds() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    // gd-001's last half hour: background, a rise, back down (all under its thresholds).
    let readings: Vec<_> = (0..30)
        .map(|k| {
            // Up to now, so that the detector is not offline while the frame is rendered.
            let t = time::OffsetDateTime::now_utc() - time::Duration::minutes(29 - k);
            let value = if (12..18).contains(&k) { 0.5 } else { 0.02 };
            serde_json::json!({"sensor": "gd-001", "time": parktwin_api::clock::format_utc(t), "value": value})
        })
        .collect();
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/observations", server.url))
        .bearer_auth(&server.ingest)
        .json(&readings)
        .send()
        .expect("ingest");
    assert!(r.status().is_success());
    let out = dir.path().join("detector.png");
    let run = render(&server.url, &out, &["--select", "gd-001"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let img = image::open(&out).expect("png").to_rgb8();
    // In the panel, the chart: its warning (amber) and alarm (red) thresholds as lines across
    // it, the alarm's above the warning's, and the readings (green) below them. The plot draws
    // its lines a little dimmed, so colours are told by hue. (And the picture settled, chart
    // and all, or the render had failed.)
    let rows = |hue: &dyn Fn(f32, f32, f32) -> bool| panel_rows(&img, hue);
    let longest = |count: &[usize]| (0..count.len()).max_by_key(|y| count[*y]).expect("rows");
    let amber = rows(&|r, g, b| r > 150.0 && (0.7..0.85).contains(&(g / r)) && b < 30.0);
    let red = rows(&|r, g, b| r > 150.0 && g / r < 0.3 && (g - b).abs() < 10.0);
    let green = rows(&|r, g, b| (r - 80.0).abs() < 30.0 && (g - 220.0).abs() < 30.0 && (b - 120.0).abs() < 30.0);
    let (warn_y, alarm_y) = (longest(&amber), longest(&red));
    assert!(
        amber[warn_y] > 150,
        "no warning line across the chart: {} px",
        amber[warn_y]
    );
    assert!(
        red[alarm_y] > 150,
        "no alarm line across the chart: {} px",
        red[alarm_y]
    );
    assert!(
        alarm_y < warn_y,
        "the alarm line ({alarm_y}) is above the warning line ({warn_y})"
    );
    let trace: usize = green[warn_y..].iter().sum();
    assert!(trace > 100, "no readings drawn under the thresholds: {trace} px");
}

/// A descriptor layer from `--layers DIR` is on screen in its colour, and a broken descriptor
/// beside it is reported without breaking the map.
#[test]
fn a_descriptor_layer_is_drawn_and_a_broken_one_is_only_reported() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let layers = dir.path().join("layers");
    std::fs::create_dir(&layers).expect("mkdir");
    let frame = data.park.frame();
    let (lon, lat) = frame.to_wgs84(0.0, 0.0);
    std::fs::write(
        layers.join("beacon.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","id":"b1","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"properties":{{"state":"on","name":"Beacon"}}}}]}}"#
        ),
    )
    .expect("write");
    std::fs::write(
        layers.join("beacon.toml"),
        r##"id = "beacon"
title = "Test beacon"
group = "services"
[source]
file = "beacon.geojson"
[style.colour_by]
property = "state"
categories = [{ value = "on", colour = "#ff00ff", label = "On" }]
[style.marker]
shape = "box"
size_m = 120
height_m = 240
"##,
    )
    .expect("write");
    std::fs::write(
        layers.join("broken.toml"),
        "id = \"broken\"\ntitle = \"B\"\ngroup = \"energy\"\n[source]\nfile = \"nowhere.geojson\"\n",
    )
    .expect("write");
    let out = dir.path().join("beacon.png");
    let run = render(&server.url, &out, &["--layers", &layers.display().to_string()]);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "render failed: {log}");
    assert!(
        log.contains("broken.toml:5: source.file: cannot read"),
        "the broken descriptor is reported with file, line and field: {log}"
    );
    let img = image::open(&out).expect("a PNG").to_rgb8();
    let top = on_map(&data, 0.0, 0.0, 200.0).expect("the park centre is on the map");
    let px = pixel(&img, top);
    assert!(close(px, [255, 0, 255], 12), "the beacon's colour at {top:?}: {px:?}");
    // The demo park's own layers are still there around it: the ground inside the fence.
    let magenta = img.pixels().filter(|p| close(p.0, [255, 0, 255], 12)).count();
    assert!(
        magenta > 200 && magenta < (W * H / 10) as usize,
        "{magenta} beacon pixels"
    );
}

/// A glTF model placed by a descriptor (`[style.model]`) loads through Bevy's glTF loader and
/// is drawn where its point is, turned as its property says; a model that is missing or is no
/// glTF is reported with its descriptor, and the map still renders.
#[test]
fn a_glb_model_is_drawn_where_its_descriptor_places_it_and_a_bad_one_is_reported() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let layers = dir.path().join("layers");
    std::fs::create_dir(&layers).expect("mkdir");
    // A slab 320 m long east–west as exported, 60 m wide and 40 m tall, in magenta.
    std::fs::write(
        layers.join("slab.glb"),
        parktwin_e2e::glb::unlit_box([320.0, 40.0, 60.0], [1.0, 0.0, 1.0]),
    )
    .expect("write");
    std::fs::write(layers.join("bad.glb"), b"not a glTF file at all").expect("write");
    let (lon, lat) = data.park.frame().to_wgs84(0.0, 0.0);
    std::fs::write(
        layers.join("slab.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","id":"s1","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"properties":{{"turn":90}}}}]}}"#
        ),
    )
    .expect("write");
    let descriptor = |id: &str, model: &str| {
        format!(
            "id = \"{id}\"\ntitle = \"{id}\"\ngroup = \"services\"\n[source]\nfile = \"slab.geojson\"\n[style.model]\nfile = \"{model}\"\nheading_by = \"turn\"\n"
        )
    };
    std::fs::write(layers.join("slab.toml"), descriptor("slab", "slab.glb")).expect("write");
    std::fs::write(layers.join("bad.toml"), descriptor("bad", "bad.glb")).expect("write");
    std::fs::write(layers.join("gone.toml"), descriptor("gone", "gone.glb")).expect("write");
    let out = dir.path().join("model.png");
    let run = render(&server.url, &out, &["--layers", &layers.display().to_string()]);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "render failed: {log}");
    assert!(
        log.contains("gone.toml: style.model.file: cannot read") && log.contains("gone.glb"),
        "the missing model is reported with its descriptor and field: {log}"
    );
    assert!(
        log.contains("bad.toml: style.model.file: bad.glb cannot be drawn"),
        "the model that is no glTF is reported with its descriptor and field: {log}"
    );
    let img = image::open(&out).expect("a PNG").to_rgb8();
    let magenta = |e: f64, n: f64| {
        let at = on_map(&data, e, n, 40.0).expect("on the map");
        close(pixel(&img, at), [255, 0, 255], 12)
    };
    // Turned 90° clockwise, the slab's length runs north–south through the point.
    assert!(magenta(0.0, 0.0), "the model's top over its point");
    assert!(
        magenta(0.0, 120.0) && magenta(0.0, -120.0),
        "its length north and south of the point"
    );
    assert!(
        !magenta(120.0, 0.0) && !magenta(-120.0, 0.0),
        "nothing of it east or west"
    );
}

/// The labels a render drew (`--labels-out`): each text and its box in pixels.
fn drawn_labels(path: &Path) -> Vec<(String, [f32; 4])> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("the labels")).expect("JSON");
    v.as_array()
        .expect("a list")
        .iter()
        .map(|l| {
            let b: Vec<f32> = l["box"]
                .as_array()
                .expect("a box")
                .iter()
                .map(|x| x.as_f64().expect("a number") as f32)
                .collect();
            (
                l["text"].as_str().expect("a text").to_string(),
                [b[0], b[1], b[2], b[3]],
            )
        })
        .collect()
}

/// No two of the labels overlap, and each box has its text's pixels in the image.
fn labels_apart_and_drawn(img: &image::RgbImage, labels: &[(String, [f32; 4])]) {
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            let apart = ra[2] <= rb[0] || rb[2] <= ra[0] || ra[3] <= rb[1] || rb[3] <= ra[1];
            assert!(apart, "\"{a}\" {ra:?} overlaps \"{b}\" {rb:?}");
        }
        // Light text (white, the names' cream): some of the box's pixels are light.
        let bright = (ra[1].max(0.0) as u32..(ra[3] as u32).min(img.height()))
            .flat_map(|y| (ra[0].max(0.0) as u32..(ra[2] as u32).min(img.width())).map(move |x| (x, y)))
            .filter(|(x, y)| img.get_pixel(*x, *y).0.iter().all(|c| *c >= 190))
            .count();
        assert!(
            bright >= 4,
            "\"{a}\" at {ra:?}: {bright} bright pixels, its text is not there"
        );
    }
}

#[test]
fn the_maps_labels_never_overlap_at_park_scale_or_over_the_tank_farm() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    // A reading at every detector, gd-005 in alarm and gd-006 in warning: close up over the
    // tank farm, their labels crowd together.
    let (_, sensors) = parktwin_e2e::send("GET", &format!("{}/api/v1/sensors", server.url), None, None);
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    let readings: Vec<serde_json::Value> = sensors
        .as_array()
        .expect("sensors")
        .iter()
        .filter(|d| d["layer"] == "detectors")
        .map(|d| {
            let (warn, alarm) = (d["warn"].as_f64().unwrap_or(1.0), d["alarm"].as_f64().unwrap_or(2.0));
            let value = match d["id"].as_str() {
                Some("gd-005") => alarm * 1.5,
                Some("gd-006") => warn * 1.1,
                _ => warn * 0.1,
            };
            serde_json::json!({"sensor": d["id"], "time": now, "value": value})
        })
        .collect();
    let (code, e) = parktwin_e2e::send(
        "POST",
        &format!("{}/api/v1/observations", server.url),
        Some(&server.ingest),
        Some(&serde_json::Value::from(readings)),
    );
    assert_eq!(code, 200, "{e}");
    for (view, extra) in [("home", vec![]), ("tank farm", vec!["--select", "gd-005"])] {
        let out = dir.path().join(format!("{view}.png"));
        let labels_at = dir.path().join(format!("{view}.json"));
        let mut args = vec!["--labels-out", labels_at.to_str().expect("a path")];
        args.extend(extra);
        let run = render(&server.url, &out, &args);
        assert!(run.status.success(), "{view}: {}", String::from_utf8_lossy(&run.stderr));
        let img = image::open(&out).expect("a PNG").to_rgb8();
        let labels = drawn_labels(&labels_at);
        assert!(labels.len() >= 5, "{view}: {} labels drawn: {labels:?}", labels.len());
        labels_apart_and_drawn(&img, &labels);
        if view == "tank farm" {
            assert!(
                labels.iter().filter(|(t, _)| t.starts_with("gd-")).count() >= 3,
                "the detectors' readings close up: {labels:?}"
            );
        }
    }
}

/// Starts an incident over HTTP with an operator's token made in the store.
fn start_incident(dir: &Path, server: &str, body: serde_json::Value) -> parktwin_api::incident::Incident {
    let token = parktwin_server::Store::open(&dir.join("parktwin.sqlite"))
        .expect("open")
        .create_token(parktwin_api::model::Role::Operator, "render test")
        .expect("token");
    let r = reqwest::blocking::Client::new()
        .post(format!("{server}/api/v1/incidents"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .expect("server answers");
    assert_eq!(r.status().as_u16(), 201);
    r.json().expect("incident")
}

/// The tank the test releases come from.
const TANK: (f64, f64) = (118.4542447, 37.5683106);

/// Starts the tests' release: chlorine at 5 kg/s from [`TANK`] for the last hour, in a 3 m/s
/// wind from the south-west (class D), so that its plume lies north-east; drawn as the Gaussian
/// cloud whose field these tests check (the switch would take the heavy-gas model for it).
fn chlorine_from_the_tank(dir: &Path, server: &str) -> parktwin_api::incident::Incident {
    let start = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
    start_incident(
        dir,
        server,
        serde_json::json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "cloud_model": "gaussian", "rate_kg_s": 5.0, "start": start,
                           "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}}),
    )
}

#[test]
fn an_incident_is_drawn_on_the_map_with_its_zones() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let before = render_png(&server.url, &dir.path().join("before.png"));
    chlorine_from_the_tank(dir.path(), &server.url);
    let out = dir.path().join("incident.png");
    let after = render_png(&server.url, &out);
    if let Some(copy) = std::env::var_os("PARKTWIN_INCIDENT_SCREENSHOT_OUT") {
        std::fs::copy(&out, copy).expect("copy the screenshot");
    }
    plume_drawn_to_the_north_east(&data, TANK, &before, &after);
    // The legend over the map's lower left corner (and so in the PNG export): the levels'
    // line colours as the map draws them (field.wgsl's, linear 0.85/0/0, 1/0.5/0, 1/0.9/0).
    let swatch = |img: &image::RgbImage, c: [u8; 3]| {
        img.enumerate_pixels()
            .filter(|(x, y, p)| *x < 320 && *y > H - 200 && close(p.0, c, 16))
            .count()
    };
    for c in [[238, 0, 0], [255, 188, 0], [255, 243, 0]] {
        let (b, a) = (swatch(&before, c), swatch(&after, c));
        assert!(
            a >= 40 && a > b + 30,
            "the legend's {c:?} swatch: {b} px before, {a} px after"
        );
    }
}

/// The share of a route's points (sampled every 10 m) with a pixel of `colour` within 2 px
/// where the home view puts them (those under the panel or out of view left out).
fn route_drawn(img: &image::RgbImage, data: &ParkData, route: &[[f64; 2]], colour: [u8; 3]) -> f64 {
    let frame = data.park.frame();
    let pts: Vec<[f64; 2]> = route.iter().map(|p| frame.to_map(p[0], p[1])).collect();
    let (mut seen, mut hit) = (0, 0);
    for w in pts.windows(2) {
        let d = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        for k in 0..(d / 10.0).ceil() as usize {
            let f = (k as f64 * 10.0 / d).min(1.0);
            let (e, n) = (w[0][0] + (w[1][0] - w[0][0]) * f, w[0][1] + (w[1][1] - w[0][1]) * f);
            let Some(at) = on_map(data, e, n, 3.0) else { continue };
            if at.x < 3.0 || at.y < 3.0 || at.x > W as f32 - PANEL_WIDTH - 3.0 || at.y > H as f32 - 3.0 {
                continue;
            }
            seen += 1;
            let near = (-2..=2).any(|dx: i32| {
                (-2..=2).any(|dy: i32| {
                    let p = img.get_pixel((at.x as i32 + dx) as u32, (at.y as i32 + dy) as u32).0;
                    close(p, colour, 30)
                })
            });
            hit += usize::from(near);
        }
    }
    assert!(seen > 20, "the route is in view: {seen} points");
    hit as f64 / seen as f64
}

#[test]
fn a_dispatched_engines_road_route_is_drawn_in_its_tasks_colour() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let inc = chlorine_from_the_tank(dir.path(), &server.url);
    let api = format!("{}/api/v1", server.url);
    let (code, task) = parktwin_e2e::send(
        "POST",
        &format!("{api}/incidents/{}/tasks", inc.id),
        Some(&server.operator),
        Some(&serde_json::json!({"team": "fire brigade", "text": "Water curtain", "resources": ["ev-01"]})),
    );
    assert_eq!(code, 201, "{task}");
    let (code, _) = parktwin_e2e::send(
        "POST",
        &format!("{api}/tasks/{}/status", task["id"]),
        Some(&server.operator),
        Some(&serde_json::json!({"status": "en_route"})),
    );
    assert_eq!(code, 200);
    let routes: Vec<parktwin_api::response::ResourceRoute> =
        block_on(ApiClient::new(&server.url).incident_resources(&inc.id)).expect("routes");
    let engine = routes.iter().find(|r| r.id == "ev-01").expect("Engine 1");
    assert_eq!(engine.status, "en_route");
    let line: Vec<[f64; 2]> = serde_json::from_value(engine.route["coordinates"].clone()).expect("a line");
    let orange = parktwin::theme::route("en_route");
    let orange = [orange.r(), orange.g(), orange.b()];

    let img = render_png(&server.url, &dir.path().join("route.png"));
    let drawn = route_drawn(&img, &data, &line, orange);
    assert!(
        drawn > 0.7,
        "{:.0} % of Engine 1's route drawn in orange",
        drawn * 100.0
    );
    // Closed, the incident's routes go with it.
    let (code, _) = parktwin_e2e::send(
        "POST",
        &format!("{api}/incidents/{}/close", inc.id),
        Some(&server.operator),
        None,
    );
    assert_eq!(code, 200);
    let img = render_png(&server.url, &dir.path().join("closed.png"));
    let left = route_drawn(&img, &data, &line, orange);
    assert!(
        left < 0.3,
        "{:.0} % still orange after the incident closed",
        left * 100.0
    );
}

/// The row with the longest unbroken run of the panel's pixels of a hue, and that run's length
/// (a line across a chart, not text).
fn longest_run(img: &image::RgbImage, hue: &dyn Fn(f32, f32, f32) -> bool) -> (u32, u32) {
    let x0 = img.width() - PANEL_WIDTH as u32;
    (0..img.height())
        .map(|y| {
            let (mut best, mut run) = (0, 0);
            for x in x0..img.width() {
                let [r, g, b] = img.get_pixel(x, y).0.map(f32::from);
                run = if hue(r, g, b) { run + 1 } else { 0 };
                best = best.max(run);
            }
            (y, best)
        })
        .max_by_key(|(_, n)| *n)
        .unwrap_or((0, 0))
}

/// A click anywhere on the map while an incident is on: the panel charts the threat there
/// against the levels of concern (red above orange above yellow), and the map marks the place.
#[test]
fn a_click_on_the_map_charts_the_threat_there() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let start = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::minutes(20));
    start_incident(
        dir.path(),
        &server.url,
        serde_json::json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "cloud_model": "gaussian", "rate_kg_s": 5.0, "start": start,
                           "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}}),
    );
    let [e, n] = data.park.frame().to_map(TANK.0, TANK.1);
    let d = 45f64.to_radians();
    let p = on_map(&data, e + d.sin() * 700.0, n + d.cos() * 700.0, 0.0).expect("downwind on the map");
    let out = dir.path().join("clicked.png");
    let run = render(&server.url, &out, &["--click", &format!("{},{}", p.x, p.y)]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let clicked = image::open(&out).expect("png").to_rgb8();
    if let Some(copy) = std::env::var_os("PARKTWIN_CLICK_SCREENSHOT_OUT") {
        std::fs::copy(&out, copy).expect("copy the screenshot");
    }
    let unclicked = render_png(&server.url, &dir.path().join("unclicked.png"));
    let red = |r: f32, g: f32, b: f32| r > 150.0 && g / r < 0.3 && (g - b).abs() < 12.0;
    let orange = |r: f32, g: f32, b: f32| r > 150.0 && (0.45..0.7).contains(&(g / r)) && b < 0.35 * r;
    let yellow = |r: f32, g: f32, b: f32| r > 150.0 && (0.82..0.98).contains(&(g / r)) && b < 0.35 * r;
    let lines: Vec<(u32, u32)> = [&red as &dyn Fn(f32, f32, f32) -> bool, &orange, &yellow]
        .iter()
        .map(|h| longest_run(&clicked, *h))
        .collect();
    for ((y, len), name) in lines.iter().zip(["AEGL-3 (red)", "AEGL-2 (orange)", "AEGL-1 (yellow)"]) {
        assert!(
            *len > 80,
            "no {name} line across the threat chart: longest {len} px at row {y}"
        );
    }
    assert!(
        lines[0].0 < lines[1].0 && lines[1].0 < lines[2].0,
        "the levels are in order, most severe on top: {lines:?}"
    );
    for h in [&red as &dyn Fn(f32, f32, f32) -> bool, &orange, &yellow] {
        let (_, len) = longest_run(&unclicked, h);
        assert!(len < 60, "without a click there is no chart ({len} px line)");
    }
    // The cross where the click landed.
    let cyan = (-8i32..=8)
        .flat_map(|dy| (-8i32..=8).map(move |dx| (dx, dy)))
        .filter(|(dx, dy)| {
            let [r, g, b] = pixel(&clicked, p + Vec2::new(*dx as f32, *dy as f32));
            r < 90 && g > 190 && b > 190
        })
        .count();
    assert!(cyan >= 6, "the click is marked on the map ({cyan} cyan pixels)");
}

/// A pixel's ray in the home view, met with the plane at `height`: metres east and north.
fn ground_at(data: &ParkData, px: f32, py: f32, height: f32) -> Option<(f64, f64)> {
    let (lo, hi) = data.home_extent();
    let size = Vec2::new(W as f32, H as f32);
    let cam = home_view(lo, hi, size, PANEL_WIDTH).transform();
    let t = (parktwin_scene::camera::FOV_Y / 2.0).tan();
    let ndc = Vec2::new((px + 0.5) / size.x * 2.0 - 1.0, 1.0 - (py + 0.5) / size.y * 2.0);
    let dir = cam.rotation * Vec3::new(ndc.x * t * size.x / size.y, ndc.y * t, -1.0).normalize();
    if dir.y >= 0.0 {
        return None;
    }
    let k = (height - cam.translation.y) / dir.y;
    let p = cam.translation + dir * k;
    Some((f64::from(p.x), -f64::from(p.z)))
}

/// The GPU's field against the CPU reference, pixel by pixel, for a steady plume and for puffs
/// after a wind shift... and an instantaneous puff: read-out mode codes log10 of the
/// concentration in red (coarse) and green (fine).
#[test]
fn the_gpu_field_matches_the_cpu_reference_at_sampled_pixels() {
    gpu_field_matches_the_cpu(None, "Vulkan");
    // WebGL2 (OpenGL ES 3) is checked in the browser build's tests: wgpu's GL backend finds
    // llvmpipe under Xvfb but no surface to present to.
}

fn gpu_field_matches_the_cpu(backend: Option<&str>, expect_backend: &str) {
    use parktwin_dispersion::incident::field_at;
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let frame = data.park.frame();
    let now = time::OffsetDateTime::now_utc();
    let at = parktwin_api::clock::format_utc(now);
    let cases = [
        serde_json::json!({"lon": TANK.0, "lat": TANK.1, "chemical": "chlorine", "cloud_model": "gaussian", "rate_kg_s": 5.0, "height_m": 2.0,
            "start": parktwin_api::clock::format_utc(now - time::Duration::hours(1)),
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}}),
        serde_json::json!({"lon": TANK.0, "lat": TANK.1, "chemical": "ammonia", "mass_kg": 2000.0,
            "start": parktwin_api::clock::format_utc(now - time::Duration::seconds(300)),
            "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 300.0, "stability": "E"}}),
    ];
    for (k, body) in cases.into_iter().enumerate() {
        let inc = start_incident(dir.path(), &server.url, body);
        let out = dir.path().join(format!("readout-{k}.png"));
        let run = render_with(backend, &server.url, &out, &["--field-readout", "--field-at", &at]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "render failed: {stderr}");
        let renderer = stderr
            .lines()
            .find(|l| l.starts_with(parktwin::render::RENDERER_LINE))
            .expect("the render names its renderer");
        assert!(
            renderer.contains(&format!("({expect_backend},")),
            "drawn with the wrong backend: {renderer}"
        );
        eprintln!("{renderer}");
        let img = image::open(&out).expect("a PNG").to_rgb8();
        let t_s = inc.seconds_at(&at).expect("seconds");
        let field = field_at(&inc, t_s, parktwin_layers::incident::MAX_PUFFS).expect("field");
        let [se, sn] = frame.to_map(inc.lon, inc.lat);
        let mut compared = 0;
        let mut worst: f64 = 0.0;
        for py in (0..H).step_by(7) {
            for px in (0..(W - PANEL_WIDTH as u32 - 4)).step_by(7) {
                let [r, g, b] = img.get_pixel(px, py).0;
                let Some((e, n)) = ground_at(&data, px as f32, py as f32, parktwin_layers::incident::FIELD_HEIGHT)
                else {
                    continue;
                };
                let cpu = field.concentration(e - se, n - sn);
                if b != 255 || cpu < 1e-2 {
                    continue;
                }
                let gpu_log = (f64::from(r) + f64::from(g) / 255.0) / 255.0 * 10.0 - 4.0;
                let err = (gpu_log - cpu.log10()).abs();
                worst = worst.max(err);
                compared += 1;
            }
        }
        eprintln!("case {k}: {compared} pixels compared, worst log10 difference {worst:.5}");
        assert!(
            compared >= 30,
            "case {k}: only {compared} pixels of the field to compare"
        );
        // 0.01 in log10 is 2.3 %: the σ table's interpolation and f32 arithmetic.
        assert!(
            worst < 0.01,
            "case {k}: the GPU differs from the CPU by {worst} in log10 at worst"
        );
        let close = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/incidents/{}/close", server.url, inc.id))
            .bearer_auth(
                parktwin_server::Store::open(&dir.path().join("parktwin.sqlite"))
                    .expect("open")
                    .create_token(parktwin_api::model::Role::Operator, "closer")
                    .expect("token"),
            )
            .send()
            .expect("close");
        assert!(close.status().is_success());
    }
}

#[test]
fn a_past_moment_is_rendered_as_it_was_replayed_from_the_log() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    // Then: a truck on Central Avenue, a chlorine release an hour old.
    put_truck(&server, &data, "鲁E·T0002", 0.0, -800.0);
    let inc = chlorine_from_the_tank(dir.path(), &server.url);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let then = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Since: the truck has driven 600 m east and the incident is closed.
    put_truck(&server, &data, "鲁E·T0002", 600.0, -800.0);
    let token = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite"))
        .and_then(|s| s.create_token(parktwin_api::model::Role::Operator, "render test"))
        .expect("token");
    let (code, _) = parktwin_e2e::send(
        "POST",
        &format!("{}/api/v1/incidents/{}/close", server.url, inc.id),
        Some(&token),
        None,
    );
    assert_eq!(code, 200);

    let now = render_png(&server.url, &dir.path().join("now.png"));
    let out = dir.path().join("then.png");
    let run = render(&server.url, &out, &["--at", &then]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let past = image::open(&out).expect("a PNG").to_rgb8();

    // The release is drawn as it was then, and not now that it is closed.
    plume_drawn_to_the_north_east(&data, TANK, &now, &past);
    let cyan = parktwin_layers::live::VEHICLE;
    let (at_a, at_b) = (
        on_map(&data, 0.0, -800.0, 8.0).expect("in view"),
        on_map(&data, 600.0, -800.0, 8.0).expect("in view"),
    );
    assert!(
        close(pixel(&past, at_a), cyan, 16),
        "then, the truck was at A: {:?}",
        pixel(&past, at_a)
    );
    assert!(!close(pixel(&past, at_b), cyan, 16), "then, it was not yet at B");
    assert!(
        close(pixel(&now, at_b), cyan, 16),
        "now it is at B: {:?}",
        pixel(&now, at_b)
    );
    assert!(!close(pixel(&now, at_a), cyan, 16), "and no longer at A");

    // The past moment says so in a band over the map; the present has none.
    let band = parktwin::theme::REPLAY_BAND.to_array();
    let band = [band[0], band[1], band[2]];
    let banded = |img: &image::RgbImage| {
        (0..W - PANEL_WIDTH as u32)
            .step_by(4)
            .filter(|&x| close(img.get_pixel(x, 1).0, band, 6))
            .count() as f64
            / f64::from((W - PANEL_WIDTH as u32) / 4)
    };
    assert!(banded(&past) > 0.9, "the REPLAY band spans the map: {}", banded(&past));
    assert!(banded(&now) < 0.05, "no band on the present: {}", banded(&now));

    // A time that is not one is refused in words.
    let run = render(&server.url, &dir.path().join("x.png"), &["--at", "yesterday"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--at \"yesterday\""));
}

#[test]
fn a_what_if_is_drawn_as_a_ghost_beside_the_real_zones() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let before = render_png(&server.url, &dir.path().join("before.png"));
    chlorine_from_the_tank(dir.path(), &server.url);
    let plain = render_png(&server.url, &dir.path().join("plain.png"));
    // What if the wind had come from the north-east?
    let out = dir.path().join("what-if.png");
    let what = r#"{"weather": {"wind_speed_ms": 3.0, "wind_from_deg": 45.0, "stability": "D"}}"#;
    let run = render(&server.url, &out, &["--what-if", what]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let ghosted = image::open(&out).expect("a PNG").to_rgb8();

    // The ghost's pixels, by which side of the tank they lie on along the real wind.
    let ghost = bevy::color::ColorToPacked::to_u8_array(parktwin_layers::incident::GHOST.to_srgba());
    let ghost = [ghost[0], ghost[1], ghost[2]];
    let [e, n] = data.park.frame().to_map(TANK.0, TANK.1);
    let d = 500.0 * std::f64::consts::FRAC_1_SQRT_2;
    let (sw, ne) = (
        on_map(&data, e - d, n - d, 1.5).expect("south-west of the tank in view"),
        on_map(&data, e + d, n + d, 1.5).expect("north-east of the tank in view"),
    );
    let mid = (sw + ne) / 2.0;
    let axis = ne - sw;
    let sides = |img: &image::RgbImage| {
        let (mut south_west, mut north_east) = (0, 0);
        for (x, y, p) in img.enumerate_pixels() {
            if (x as f32) < img.width() as f32 - PANEL_WIDTH && close(p.0, ghost, 24) {
                if (Vec2::new(x as f32, y as f32) - mid).dot(axis) < 0.0 {
                    south_west += 1;
                } else {
                    north_east += 1;
                }
            }
        }
        (south_west, north_east)
    };
    let (sw_plain, ne_plain) = sides(&plain);
    assert!(
        sw_plain + ne_plain < 20,
        "no ghost without a what-if: {sw_plain} + {ne_plain}"
    );
    let (sw_ghost, ne_ghost) = sides(&ghosted);
    assert!(
        sw_ghost > 150 && sw_ghost > 4 * ne_ghost,
        "the ghost lies south-west, where the other wind carries it: {sw_ghost} px south-west, {ne_ghost} north-east"
    );
    // The real release is drawn as before, to the north-east.
    plume_drawn_to_the_north_east(&data, TANK, &before, &ghosted);

    let run = render(&server.url, &dir.path().join("x.png"), &["--what-if", "{}"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--what-if: field"));
}

#[test]
fn a_drill_is_rendered_under_its_band_with_its_own_release_and_live_is_not() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    // The chlorine drill at 60×, stopped at about +8:30 of its scenario: the flange at the
    // tank has leaked for eight minutes in the wind from the south-west it starts with.
    let drill = support::upload_demo_drill(&server.url, &server.operator);
    let started = std::time::Instant::now();
    let start = format!("{}/api/v1/drills/{drill}/start?speed=60", server.url);
    assert_eq!(parktwin_e2e::send("POST", &start, Some(&server.operator), None).0, 200);
    std::thread::sleep(std::time::Duration::from_millis(8500).saturating_sub(started.elapsed()));
    let stop = format!("{}/api/v1/drills/{drill}/stop", server.url);
    assert_eq!(parktwin_e2e::send("POST", &stop, Some(&server.operator), None).0, 200);

    let live = render_png(&server.url, &dir.path().join("live.png"));
    let out = dir.path().join("drill.png");
    let run = render(&server.url, &out, &["--drill", &drill]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let shown = image::open(&out).expect("a PNG").to_rgb8();

    // The drill's release is drawn downwind of its tank; live has no release at all.
    plume_drawn_to_the_north_east(&data, TANK, &live, &shown);
    // And the picture says it is a drill, across the map.
    let amber = parktwin::theme::DRILL_BAND.to_array();
    let amber = [amber[0], amber[1], amber[2]];
    let map_w = W - PANEL_WIDTH as u32;
    let banded = |img: &image::RgbImage| {
        (0..map_w)
            .step_by(4)
            .filter(|&x| close(img.get_pixel(x, 1).0, amber, 6))
            .count() as f64
            / f64::from(map_w / 4)
    };
    assert!(banded(&shown) > 0.9, "the DRILL band spans the map: {}", banded(&shown));
    assert!(banded(&live) < 0.05, "no band on the park live: {}", banded(&live));

    // A drill that is not one is refused in words.
    let run = render(&server.url, &dir.path().join("x.png"), &["--drill", "drill-9"]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("--drill drill-9") && err.contains("404"), "{err}");
}

/// Renders with `--offscreen` and no display at all: no `DISPLAY`, no `WAYLAND_DISPLAY`.
fn render_offscreen_png(server: &str, out: &Path) -> image::RgbImage {
    let run = Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WGPU_BACKEND")
        .args(["render", "--offscreen", "--server", server, "--out"])
        .arg(out)
        .args(["--size", &format!("{W}x{H}")])
        .output()
        .expect("parktwin runs");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "offscreen render failed: {err}");
    assert!(
        err.contains(parktwin::render::RENDERER_LINE),
        "names its renderer: {err}"
    );
    image::open(out).expect("a PNG").to_rgb8()
}

#[test]
fn offscreen_needs_no_display_and_draws_what_the_window_draws() {
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park");
    let before = render_offscreen_png(&server.url, &dir.path().join("before.png"));
    assert_eq!(before.dimensions(), (W, H));
    assert_home_view_shows_the_park(&before, &data);
    // An incident's field, drawn by its own shader, comes out in the image too.
    chlorine_from_the_tank(dir.path(), &server.url);
    let after = render_offscreen_png(&server.url, &dir.path().join("after.png"));
    plume_drawn_to_the_north_east(&data, TANK, &before, &after);
    // The same moment in a window: the same picture, the panel included, but for the
    // seconds the panel's clock may have moved and the plume's growth between the renders.
    let windowed = render_png(&server.url, &dir.path().join("window.png"));
    let differ = after
        .pixels()
        .zip(windowed.pixels())
        .filter(|(a, b)| !close(a.0, b.0, 24))
        .count();
    let share = differ as f64 / f64::from(W * H);
    assert!(
        share < 0.01,
        "{differ} pixels ({:.2} %) differ between the offscreen and the windowed frame",
        share * 100.0
    );
}

#[test]
fn a_park_imported_from_openstreetmap_is_drawn_with_its_buildings_and_its_credit() {
    use geo::{Area, InteriorPoint};
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let assets = support::import_osm_sample(dir.path());
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).expect("mkdir");
    let server = parktwin_e2e::start_server(&data_dir, Some(assets.clone())).expect("server");
    let img = render_png(&server.url, &dir.path().join("osm.png"));
    let data = block_on(load_park(&ApiClient::new(&server.url), &|_, _, _| {})).expect("park loads");
    assert_eq!(data.park.attribution.as_deref(), Some("© OpenStreetMap contributors"));

    // Each building of 300 m² or more: the roof over a point inside it is a lit building's
    // light grey, not the dark ground or a road.
    let frame = data.park.frame();
    let buildings = &data
        .layers
        .iter()
        .find(|(l, _)| l.id == "buildings")
        .expect("buildings")
        .1;
    let (mut seen, mut lit, mut wrong) = (0, 0, Vec::new());
    for f in &buildings.features {
        let Some(Value::Polygon(rings)) = f.geometry.as_ref().map(|g| &g.value) else {
            continue;
        };
        let outline: Vec<geo::Coord> = rings[0]
            .iter()
            .map(|p| {
                let [e, n] = frame.to_map(p[0], p[1]);
                geo::Coord { x: e, y: n }
            })
            .collect();
        let poly = geo::Polygon::new(geo::LineString::new(outline), vec![]);
        let Some(inside) = poly.interior_point() else { continue };
        let h = f
            .properties
            .as_ref()
            .and_then(|p| p.get("height_m"))
            .and_then(|v| v.as_f64())
            .unwrap_or(10.0);
        if poly.unsigned_area() < 300.0 {
            continue;
        }
        let Some(px) = on_map(&data, inside.x(), inside.y(), h) else {
            continue;
        };
        seen += 1;
        let c = pixel(&img, px);
        let grey = c.iter().all(|v| *v >= 100) && c.iter().max().unwrap_or(&0) - c.iter().min().unwrap_or(&0) <= 50;
        if grey {
            lit += 1;
        } else {
            wrong.push((c, px));
        }
    }
    assert!(seen >= 100, "only {seen} buildings on the map part of the image");
    assert!(
        lit * 10 >= seen * 7,
        "{lit} of {seen} roofs lit; not: {:?}",
        &wrong[..wrong.len().min(10)]
    );

    // The credit in the map's bottom right corner: against the same park rendered without it,
    // a dark band over most of the corner with the label's colour in it.
    // (The first server's database is seeded already: the folder can change under it.)
    support::drop_credit(&assets);
    let bare_dir = dir.path().join("bare");
    std::fs::create_dir(&bare_dir).expect("mkdir");
    let bare = parktwin_e2e::start_server(&bare_dir, Some(assets.clone())).expect("server");
    let without = render_png(&bare.url, &dir.path().join("bare.png"));
    let (changed, text) = support::credit_drawn(&img, &without, W - PANEL_WIDTH as u32 - 6, H - 6, 1.0);
    assert!(
        changed > 0.6 && text >= 40,
        "the credit: {changed:.2} of its corner changed, {text} text pixels"
    );
}

#[test]
fn the_basemaps_tiles_lie_under_their_longitude_and_latitude_and_its_credit_is_shown() {
    use parktwin_e2e::tiles::write_mbtiles;
    need_display();
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = parktwin_e2e::start_server(&dir.path().join("plain"), None).expect("server");
    let data = block_on(load_park(&ApiClient::new(&plain.url), &|_, _, _| {})).expect("park loads");
    let [w, s, e, n] = data.park.bbox;
    // One zoom level only, so that the map cannot but draw it: each tile of one colour.
    const Z: u8 = 15;
    let tiles = dir.path().join("check.mbtiles");
    write_mbtiles(
        &tiles,
        "Check",
        "© check tiles",
        Z..=Z,
        [w - 0.05, s - 0.05, e + 0.05, n + 0.05],
    );
    let server = parktwin_e2e::start_tiles_server(&dir.path().join("tiled"), &tiles).expect("server");
    // The same tiles as an online source, which the map fetches from there (`--basemap-url`).
    let template = format!("{}/api/v1/tiles/{{z}}/{{x}}/{{y}}", server.url);
    let online =
        parktwin_e2e::start_online_basemap_server(&dir.path().join("online"), &template, Z, Z).expect("server");
    let without = render_png(&plain.url, &dir.path().join("plain.png"));
    for (what, url) in [("served", &server.url), ("online", &online.url)] {
        let with = render_png(url, &dir.path().join(format!("{what}.png")));
        tiles_under_their_places(&with, &without, &data, Z, what);
    }
}

/// Checks a render with a basemap of one colour per tile of zoom `z` against the same view
/// without one.
fn tiles_under_their_places(with: &image::RgbImage, without: &image::RgbImage, data: &ParkData, z: u8, what: &str) {
    use parktwin_e2e::tiles::{tile_at, tile_colour};
    let [w, s, e, n] = data.park.bbox;
    // Wherever the plain map shows its bare ground, the basemap's map shows the tile under
    // that longitude and latitude: points on a grid over the park and around it, each well
    // inside its tile (the tiles' edges are blended by the texture's filtering), away from the
    // scale bar and the credit.
    let frame = data.park.frame();
    let ground = parktwin_scene::style::GROUND;
    let (mut checked, mut on_tile, mut on_ground) = (0, 0, 0);
    for i in 0..=60 {
        for j in 0..=60 {
            let lon = w - 0.01 + (e - w + 0.02) * f64::from(i) / 60.0;
            let lat = s - 0.01 + (n - s + 0.02) * f64::from(j) / 60.0;
            let ((x, y), (fx, fy)) = tile_at(lon, lat, z);
            if !(0.2..0.8).contains(&fx) || !(0.2..0.8).contains(&fy) {
                continue;
            }
            let [me, mn] = frame.to_map(lon, lat);
            let Some(p) = on_map(data, me, mn, 0.0) else { continue };
            if p.y > (H - 100) as f32 || p.y < 5.0 || p.x < 5.0 {
                continue;
            }
            if !close(pixel(without, p), ground, 2) {
                continue; // something of the park's is drawn there
            }
            checked += 1;
            let want = tile_colour(z, x, y);
            if close(pixel(with, p), want, 8) {
                on_tile += 1;
            }
            if close(pixel(without, p), want, 8) {
                on_ground += 1;
            }
        }
    }
    assert!(checked >= 8, "{what}: only {checked} points to check");
    assert!(
        on_tile * 10 >= checked * 9,
        "{what}: {on_tile} of {checked} points show their tile's colour"
    );
    assert_eq!(on_ground, 0, "without the basemap no point shows a tile's colour");
    let (changed, text) = support::credit_drawn(with, without, W - PANEL_WIDTH as u32 - 6, H - 6, 1.0);
    assert!(
        changed > 0.2 && text > 20,
        "{what}: the basemap's credit: {changed:.2} of its box, {text} pixels of text"
    );
}
