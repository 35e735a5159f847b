//! `parktwin render`: one frame of a view, saved as PNG, then exit.
//!
//! A frame is taken only once the picture has settled: after the park is spawned, a screenshot
//! is captured every few frames and the file is written when two in a row are identical
//! (shader pipelines compile in the background, so the first frames can miss meshes).
//!
//! Two steps may follow the settled picture: a click on the map (`--click`), injected as the
//! window system would send it, after which the picture settles again; and the timing of a
//! number of frames (`--time-frames`), printed as one JSON line, for the frame benchmarks.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use crate::loader::LoadStatus;

/// Frames between two captures.
const FRAMES_BETWEEN: u32 = 10;

/// The render job.
#[derive(Resource, Debug)]
pub struct RenderJob {
    /// Where the PNG goes.
    pub out: PathBuf,
    /// Give up after this long.
    pub timeout: Duration,
    started: Instant,
    spawned: bool,
    frames: u32,
    in_flight: bool,
    last: Option<u64>,
    done: bool,
    click: Option<Vec2>,
    /// Frames of the click being sent: the pointer moves, the button goes down, then up.
    clicking: Option<u8>,
    time_frames: u32,
    timing: Option<Vec<f64>>,
    /// Where to write the map labels drawn in the frame, as JSON (`--labels-out`).
    pub labels_out: Option<PathBuf>,
}

impl RenderJob {
    /// A job writing to `out`, failing after `timeout`; it clicks at `click` once the picture
    /// has settled, and times `time_frames` frames before it exits.
    pub fn new(out: PathBuf, timeout: Duration, click: Option<Vec2>, time_frames: u32) -> Self {
        Self {
            out,
            timeout,
            started: Instant::now(),
            spawned: false,
            frames: 0,
            in_flight: false,
            last: None,
            done: false,
            click,
            clicking: None,
            time_frames,
            timing: None,
            labels_out: None,
        }
    }
}

/// Frame times, milliseconds: how many, the mean, the median, the 99th percentile, the worst.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrameStats {
    /// Frames timed.
    pub frames: usize,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile (nearest rank), ms.
    pub p99_ms: f64,
    /// Worst, ms.
    pub max_ms: f64,
}

impl FrameStats {
    /// The statistics of frame times in milliseconds (`None` for none).
    ///
    /// ```
    /// use parktwin::render::FrameStats;
    /// let s = FrameStats::of(&[4.0, 2.0, 3.0, 1.0]).unwrap();
    /// assert_eq!((s.frames, s.mean_ms, s.p50_ms, s.max_ms), (4, 2.5, 2.0, 4.0));
    /// ```
    pub fn of(ms: &[f64]) -> Option<Self> {
        if ms.is_empty() {
            return None;
        }
        let mut v = ms.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Some(Self {
            frames: v.len(),
            mean_ms: v.iter().sum::<f64>() / v.len() as f64,
            p50_ms: rank(0.5),
            p99_ms: rank(0.99),
            max_ms: v[v.len() - 1],
        })
    }
}

/// Says why a render failed (on stderr: the app is gone by the time `run` returns) and asks the
/// app to exit with an error.
fn fail(exit: &mut MessageWriter<AppExit>, why: String) {
    eprintln!("parktwin: render failed: {why}");
    error!("render failed: {why}");
    exit.write(AppExit::error());
}

/// Takes the screenshots and exits.
pub struct RenderPlugin;

impl Plugin for RenderPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            Update,
            (say_renderer, note_spawned, send_click, time_frames, capture).chain(),
        );
    }
}

/// The line that names the renderer a frame was drawn with, on stderr (tests and benchmarks
/// say which renderer gave their pictures and numbers).
pub const RENDERER_LINE: &str = "parktwin: rendering with ";

fn say_renderer(info: Option<Res<bevy::render::renderer::RenderAdapterInfo>>, mut said: Local<bool>) {
    if *said {
        return;
    }
    if let Some(info) = info {
        eprintln!(
            "{RENDERER_LINE}{} ({:?}, {:?}, driver {} {})",
            info.name, info.backend, info.device_type, info.driver, info.driver_info
        );
        *said = true;
    }
}

fn note_spawned(mut job: ResMut<RenderJob>, mut ev: MessageReader<parktwin_scene::ParkSpawned>) {
    if ev.read().next().is_some() {
        job.spawned = true;
    }
}

#[allow(clippy::too_many_arguments)] // a Bevy system: each argument is a resource it reads
fn capture(
    mut commands: Commands,
    mut job: ResMut<RenderJob>,
    status: Res<LoadStatus>,
    described: Res<parktwin_layers::described::DescribedLayers>,
    live: Res<parktwin_layers::live::Live>,
    zones: Res<parktwin_layers::incident::IncidentZones>,
    feed: Res<crate::sync::FeedStatus>,
    offscreen: Option<Res<crate::offscreen::Offscreen>>,
    (shown, routes): (
        Option<Res<parktwin_layers::incident::ShownIncident>>,
        Option<Res<crate::incident::card::Resources>>,
    ),
    (basemap, models): (
        Option<Res<crate::basemap::BasemapStatus>>,
        Res<parktwin_layers::models::ModelStatus>,
    ),
    mut exit: MessageWriter<AppExit>,
) {
    if job.done {
        return;
    }
    if job.started.elapsed() > job.timeout {
        let why = match &*status {
            LoadStatus::Retrying { error, .. } => error.clone(),
            LoadStatus::SignInNeeded { error, .. } => {
                format!("{error} (the server reads only with a token: give --token)")
            }
            LoadStatus::Loading { .. } => "the park did not finish loading".to_string(),
            LoadStatus::Ready if !described.settled => "the descriptor layers did not load".to_string(),
            LoadStatus::Ready if basemap.as_ref().is_some_and(|b| !b.settled) => {
                "the basemap's tiles did not load".to_string()
            }
            LoadStatus::Ready if !models.settled => "the layers' models did not load".to_string(),
            LoadStatus::Ready => "the picture did not settle".to_string(),
        };
        job.done = true;
        fail(
            &mut exit,
            format!("no frame rendered within {} s: {why}", job.timeout.as_secs()),
        );
        return;
    }
    // Descriptor layers come on a thread of their own: wait for their first load, and for the
    // feed to have brought all of its moment, every open incident's zones with it.
    // And for the routes of the incident on show, which the map draws once they are read.
    let routes_ready = match (&shown, &routes) {
        (Some(shown), Some(routes)) => shown
            .0
            .as_deref()
            .filter(|id| {
                live.0
                    .incidents
                    .get(*id)
                    .is_some_and(|i| !i.created_by.starts_with("drill "))
            })
            .is_none_or(|id| routes.read_for(id)),
        _ => true,
    };
    let incidents_ready = routes_ready && feed.done && live.0.incidents.keys().all(|id| zones.0.contains_key(id));
    // And for the basemap's tiles, when the server has a basemap.
    let basemap_ready = basemap.is_none_or(|b| b.settled);
    if !job.spawned
        || job.in_flight
        || job.clicking.is_some()
        || !described.settled
        || !incidents_ready
        || !basemap_ready
        || !models.settled
    {
        return;
    }
    job.frames += 1;
    if job.frames < FRAMES_BETWEEN {
        return;
    }
    job.frames = 0;
    job.in_flight = true;
    let shot = match offscreen {
        Some(image) => Screenshot::image(image.0.clone()),
        None => Screenshot::primary_window(),
    };
    commands.spawn(shot).observe(on_captured);
}

/// Sends the click, a step a frame, as the window system would: the pointer moves there, the
/// left button goes down, then up; the frame after, the click is seen. The pointer is the
/// render's own ([`crate::pick::InjectedPointer`]), and egui is told where it is.
fn send_click(
    mut job: ResMut<RenderJob>,
    windows: Query<Entity, With<bevy::window::PrimaryWindow>>,
    mut pointer: ResMut<crate::pick::InjectedPointer>,
    mut window_events: MessageWriter<bevy::window::WindowEvent>,
    mut buttons: MessageWriter<bevy::input::mouse::MouseButtonInput>,
) {
    use bevy::input::ButtonState;
    use bevy::input::mouse::MouseButtonInput;
    let (Some(step), Some(at)) = (job.clicking, job.click) else {
        return;
    };
    let Ok(window) = windows.single() else { return };
    if step >= 4 {
        // Clicked: the picture settles again before it is taken.
        pointer.0 = None;
        job.click = None;
        job.clicking = None;
        job.last = None;
        return;
    }
    pointer.0 = Some(at);
    // egui reads the window's events: it must see the pointer on the map, not over the panel.
    window_events.write(bevy::window::WindowEvent::CursorMoved(bevy::window::CursorMoved {
        window,
        position: at,
        delta: None,
    }));
    if step == 1 || step == 2 {
        buttons.write(MouseButtonInput {
            button: MouseButton::Left,
            state: if step == 1 {
                ButtonState::Pressed
            } else {
                ButtonState::Released
            },
            window,
        });
    }
    job.clicking = Some(step + 1);
}

/// Notes each frame's time while the frames are timed; prints the statistics and exits after
/// the last.
fn time_frames(mut job: ResMut<RenderJob>, time: Res<Time<Real>>, mut exit: MessageWriter<AppExit>) {
    let wanted = job.time_frames as usize;
    let Some(times) = job.timing.as_mut() else { return };
    times.push(time.delta_secs_f64() * 1000.0);
    // The first delta spans the frame that started the timing: it is not counted.
    if times.len() > wanted {
        let stats = FrameStats::of(&times[1..]);
        println!("{}", serde_json::to_string(&stats).unwrap_or_default());
        job.timing = None;
        job.done = true;
        exit.write(AppExit::Success);
    }
}

fn on_captured(
    shot: On<ScreenshotCaptured>,
    mut job: ResMut<RenderJob>,
    labels: Option<Res<crate::panel::labels::DrawnLabels>>,
    mut exit: MessageWriter<AppExit>,
) {
    job.in_flight = false;
    let Some(data) = shot.image.data.as_ref() else { return };
    let hash = fnv1a(data);
    if job.last != Some(hash) {
        job.last = Some(hash);
        return;
    }
    if job.click.is_some() {
        job.clicking = Some(0);
        return;
    }
    job.done = true;
    let result = shot
        .image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())
        .and_then(|img| img.to_rgb8().save(&job.out).map_err(|e| e.to_string()))
        .and_then(|()| match &job.labels_out {
            Some(path) => {
                // Each label drawn in the frame: its text and its box, in pixels.
                let drawn: Vec<serde_json::Value> = labels
                    .as_deref()
                    .map(|l| l.0.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|(text, r)| serde_json::json!({"text": text, "box": [r.min.x, r.min.y, r.max.x, r.max.y]}))
                    .collect();
                std::fs::write(path, serde_json::Value::from(drawn).to_string())
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            None => Ok(()),
        });
    match result {
        Ok(()) => {
            info!("rendered {}", job.out.display());
            if job.time_frames > 0 {
                job.timing = Some(Vec::with_capacity(job.time_frames as usize + 1));
            } else {
                exit.write(AppExit::Success);
            }
        }
        Err(e) => fail(&mut exit, format!("cannot write {}: {e}", job.out.display())),
    }
}

/// FNV-1a: a fast fingerprint to tell two frames apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
