//! `parktwin render`: one frame of a view, saved as PNG, then exit.
//!
//! A frame is taken only once the picture has settled: after the park is spawned, a screenshot
//! is captured every few frames and the file is written when two in a row are identical
//! (shader pipelines compile in the background, so the first frames can miss meshes).

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
}

impl RenderJob {
    /// A job writing to `out`, failing after `timeout`.
    pub fn new(out: PathBuf, timeout: Duration) -> Self {
        Self {
            out,
            timeout,
            started: Instant::now(),
            spawned: false,
            frames: 0,
            in_flight: false,
            last: None,
            done: false,
        }
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
        app.add_systems(Update, (note_spawned, capture).chain());
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
    feed: Res<crate::feed::FeedStatus>,
    mut exit: MessageWriter<AppExit>,
) {
    if job.done {
        return;
    }
    if job.started.elapsed() > job.timeout {
        let why = match &*status {
            LoadStatus::Retrying { error, .. } => error.clone(),
            LoadStatus::Loading { .. } => "the park did not finish loading".to_string(),
            LoadStatus::Ready if !described.settled => "the descriptor layers did not load".to_string(),
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
    // live snapshot with every open incident's zones.
    let incidents_ready = feed.last_ok.is_some() && live.0.incidents.keys().all(|id| zones.0.contains_key(id));
    if !job.spawned || job.in_flight || !described.settled || !incidents_ready {
        return;
    }
    job.frames += 1;
    if job.frames < FRAMES_BETWEEN {
        return;
    }
    job.frames = 0;
    job.in_flight = true;
    commands.spawn(Screenshot::primary_window()).observe(on_captured);
}

fn on_captured(shot: On<ScreenshotCaptured>, mut job: ResMut<RenderJob>, mut exit: MessageWriter<AppExit>) {
    job.in_flight = false;
    let Some(data) = shot.image.data.as_ref() else { return };
    let hash = fnv1a(data);
    if job.last != Some(hash) {
        job.last = Some(hash);
        return;
    }
    job.done = true;
    let result = shot
        .image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())
        .and_then(|img| img.to_rgb8().save(&job.out).map_err(|e| e.to_string()));
    match result {
        Ok(()) => {
            info!("rendered {}", job.out.display());
            exit.write(AppExit::Success);
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
