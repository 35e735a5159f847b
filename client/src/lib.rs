//! ParkTwin's client: composes the scene, the layers, the panel and (for `render`) the frame
//! capture into one Bevy app.

pub mod described;
#[cfg(test)]
mod egui_screen;
pub mod feed;
pub mod i18n;
pub mod incident_form;
pub mod incident_ui;
#[cfg(not(target_arch = "wasm32"))]
pub mod layercheck;
pub mod loader;
pub mod net;
#[cfg(not(target_arch = "wasm32"))]
pub mod offscreen;
pub mod pick;
#[cfg(not(target_arch = "wasm32"))]
pub mod plume;
#[cfg(not(target_arch = "wasm32"))]
pub mod render;
pub mod search;
pub mod timeline;
pub mod ui;
pub mod wall;
#[cfg(target_arch = "wasm32")]
pub mod web;

use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::{EguiPlugin, EguiPrimaryContextPass};

use loader::{LoadStatus, LoaderChannel, poll_loader, spawn_loader};

/// The server the client talks to, and the token its reads carry: the one it was started with
/// (`--token`), which a server running with `--private-reads` needs, and which, for an
/// enterprise's viewer, scopes what the map shows.
#[derive(Resource, Debug, Clone)]
pub struct ServerUrl(pub String, pub Option<String>);

impl ServerUrl {
    /// A client of the server whose reads carry the token.
    pub fn api(&self) -> parktwin_api::client::ApiClient {
        parktwin_api::client::ApiClient::new(&self.0).reading_with(self.1.clone())
    }
}

/// What the app is for.
#[derive(Debug, Clone)]
pub enum Mode {
    /// An interactive window.
    Interactive,
    /// Render one frame to a PNG and exit.
    Render {
        /// The PNG to write.
        out: PathBuf,
        /// Give up after this long.
        timeout: Duration,
        /// The moment the incidents' field is drawn for, Unix seconds (default: when the
        /// snapshot is taken).
        field_at: Option<f64>,
        /// Draw the field as read-out values, everything else hidden (checking the GPU).
        field_readout: bool,
        /// Once the picture has settled, click here (window pixels) and let it settle again.
        click: Option<Vec2>,
        /// Once the picture has settled, time this many more frames and print their statistics.
        time_frames: u32,
        /// Show the park as it was at this time (RFC 3339), replayed from the event log.
        at: Option<String>,
        /// Draw what the incidents would have been, as ghosts beside the real zones.
        what_if: Option<Box<parktwin_api::incident::WhatIf>>,
        /// Show a drill as it stands (its id and name), under its band, instead of the park.
        drill: Option<(String, String)>,
        /// Draw into an image, with no window or display ([`offscreen`]).
        offscreen: bool,
    },
}

impl Mode {
    /// Whether the app draws into an image, with no window or display.
    pub fn is_offscreen(&self) -> bool {
        matches!(self, Mode::Render { offscreen: true, .. })
    }
}

/// How to start the app.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The server's base URL.
    pub server: String,
    /// Window size in pixels.
    pub size: (u32, u32),
    /// Interactive or render.
    pub mode: Mode,
    /// An operator's token, for acknowledging alarms.
    pub token: Option<String>,
    /// The panel's language at start.
    pub lang: i18n::Lang,
    /// A thing to select (and fly to) once the park is on screen: a feature id or a plate.
    pub select: Option<String>,
    /// A folder of layer descriptors to draw beside the server's layers (`--layers DIR`).
    pub layers_dir: Option<PathBuf>,
    /// Run as the video wall, laid out so (`parktwin wall`, `?wall`).
    pub wall: Option<wall::WallConfig>,
}

/// The operator's token, if the client was given one.
#[derive(Resource, Debug, Clone, Default)]
pub struct OperatorToken(pub Option<String>);

/// The outcome of the last operator action (acknowledge), for the panel.
#[derive(Resource, Debug, Clone, Default)]
pub struct ActionStatus(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

/// Checks that there is a display to open a window on, with a message that says what to do.
pub fn check_display() -> anyhow::Result<()> {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!("no display: set DISPLAY, or run headless under `xvfb-run -a`");
    }
    Ok(())
}

/// Builds the app.
pub fn build_app(cfg: &AppConfig) -> App {
    let mut app = App::new();
    let server = ServerUrl(cfg.server.clone(), cfg.token.clone());
    let render = matches!(cfg.mode, Mode::Render { .. });
    let window = Window {
        title: "ParkTwin — one map of the park".into(),
        resolution: WindowResolution::new(cfg.size.0, cfg.size.1).with_scale_factor_override(1.0),
        present_mode: if render {
            PresentMode::AutoNoVsync
        } else {
            PresentMode::AutoVsync
        },
        resizable: !render && cfg.wall.is_none(),
        // The wall: no frame, and either the whole primary monitor or the exact canvas asked
        // for from the top left (one window spanning several displays).
        decorations: cfg.wall.is_none(),
        mode: match cfg.wall {
            Some(w) if w.fullscreen && !render => {
                bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Primary)
            }
            _ => bevy::window::WindowMode::Windowed,
        },
        position: match cfg.wall {
            Some(_) => bevy::window::WindowPosition::At(IVec2::ZERO),
            None => bevy::window::WindowPosition::Automatic,
        },
        // In the browser: draw into the page's canvas, sized by the page, and keep the
        // browser's own handling of keys and wheel (scrolling, shortcuts) off the map.
        #[cfg(target_arch = "wasm32")]
        canvas: Some("#parktwin".into()),
        #[cfg(target_arch = "wasm32")]
        fit_canvas_to_parent: true,
        #[cfg(target_arch = "wasm32")]
        prevent_default_event_handling: true,
        ..default()
    };
    let plugins = DefaultPlugins
        .set(WindowPlugin {
            primary_window: Some(window),
            ..default()
        })
        .set(bevy::log::LogPlugin {
            filter: "wgpu=error,naga=warn,bevy_render=warn".into(),
            ..default()
        });
    #[cfg(not(target_arch = "wasm32"))]
    let plugins = if cfg.mode.is_offscreen() {
        offscreen::without_window(plugins, cfg.size)
    } else {
        plugins
    };
    app.add_plugins(plugins)
        .add_plugins(EguiPlugin::default())
        .add_plugins((
            parktwin_scene::CameraRigPlugin,
            parktwin_scene::ParkScenePlugin,
            parktwin_layers::LayersPlugin,
        ))
        .insert_resource(server.clone())
        .insert_resource(OperatorToken(cfg.token.clone()))
        .init_resource::<ActionStatus>()
        .insert_resource(LoadStatus::Loading {
            server: cfg.server.clone(),
            step: String::new(),
            done: 0,
            total: 0,
        })
        .insert_resource(LoaderChannel(spawn_loader(&server.api())))
        .add_plugins((
            parktwin_layers::live::LiveLayersPlugin,
            parktwin_layers::overlay::OverlayPlugin,
            parktwin_layers::described::DescribedLayersPlugin,
            parktwin_layers::incident::IncidentLayerPlugin,
        ))
        .insert_resource(described::DescribedChannel(described::spawn_described(
            &server.api(),
            cfg.layers_dir.clone(),
            !render,
        )))
        .insert_resource(feed::FeedStatus {
            last_ok: None,
            error: None,
            // Marks the single-snapshot mode: the moment replayed, or now, filled in when the
            // snapshot comes.
            snapshot_at: match &cfg.mode {
                Mode::Render { at, .. } => Some(at.clone().unwrap_or_default()),
                Mode::Interactive => None,
            },
            ..default()
        })
        .insert_resource(feed::spawn_feed(
            &server.api(),
            feed_start(cfg),
            match &cfg.mode {
                Mode::Render { what_if, .. } => what_if.as_deref().cloned(),
                Mode::Interactive => None,
            },
        ))
        .insert_resource(cfg.lang)
        .insert_resource(StartSelection(cfg.select.clone()))
        .add_systems(Update, select_at_start)
        .init_resource::<pick::Inspect>()
        .init_resource::<pick::ClickedPoint>()
        .init_resource::<pick::InjectedPointer>()
        .insert_gizmo_config(pick::OnTopGizmos, pick::on_top_config())
        .init_resource::<incident_form::FormState>()
        .init_resource::<ui::LayerToggleRects>()
        .add_systems(Update, (poll_loader, feed::poll_feed, described::poll_described))
        .add_systems(Update, (pick::inspect_selection, pick::draw_track).chain());
    match cfg.wall {
        // The wall: nothing to click, its own screen round the map.
        Some(w) => {
            app.insert_resource(wall::WallChannel(wall::spawn_poll(&server.api())))
                .add_plugins(wall::WallPlugin {
                    config: w,
                    window: UVec2::new(cfg.size.0, cfg.size.1),
                });
            // The running wall follows the drill on show; a rendered wall shows one moment.
            if !render {
                app.add_systems(
                    Update,
                    (
                        wall::follow_drill.after(wall::poll_wall).before(feed::poll_feed),
                        feed::drill_field_clock.after(feed::poll_feed),
                    ),
                );
            }
        }
        None => {
            app.insert_resource(parktwin_scene::MapFrame::right_panel(ui::PANEL_WIDTH))
                .add_systems(Update, pick::pick_on_click.before(pick::inspect_selection))
                .add_systems(
                    EguiPrimaryContextPass,
                    (ui::install_fonts, ui::panel, incident_form::incident_form).chain(),
                );
            // The timeline: interactive, the bar and the band; a rendered past moment, the band.
            match &cfg.mode {
                Mode::Interactive => {
                    app.add_plugins(timeline::TimelinePlugin { still: None });
                }
                Mode::Render {
                    drill: Some((id, name)),
                    ..
                } => {
                    app.add_plugins(timeline::TimelinePlugin {
                        still: Some(timeline::Playhead::drill_shown(id, name)),
                    });
                }
                Mode::Render { at: Some(t), .. } => {
                    app.add_plugins(timeline::TimelinePlugin {
                        still: Some(timeline::Playhead::still(feed::unix_of(t))),
                    });
                }
                Mode::Render { at: None, .. } => {}
            }
        }
    }
    parktwin_layers::MapLayerAppExt::add_map_layer(&mut app, parktwin_layers::incident::incident_layer());
    #[cfg(target_arch = "wasm32")]
    app.add_systems(Last, (web::publish_state, web::publish_gpu));
    #[cfg(not(target_arch = "wasm32"))]
    if let Mode::Render {
        out,
        timeout,
        field_at,
        field_readout,
        click,
        time_frames,
        at: _,
        what_if: _,
        drill: _,
        offscreen: _,
    } = &cfg.mode
    {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9;
        app.insert_resource(parktwin_layers::incident::FieldClock(Some(field_at.unwrap_or(now))))
            .insert_resource(feed::RenderedAt(now))
            .insert_resource(parktwin_layers::incident::FieldReadout(*field_readout));
        if *field_readout {
            app.add_systems(Update, only_the_field);
        }
        app.insert_resource(render::RenderJob::new(out.clone(), *timeout, *click, *time_frames))
            .add_plugins(render::RenderPlugin);
    }
    app
}

/// Where the app's feed starts: following the log, or one moment (now, or a past one).
fn feed_start(cfg: &AppConfig) -> feed::FeedStart {
    match &cfg.mode {
        Mode::Interactive => feed::FeedStart::Follow,
        Mode::Render {
            drill: Some((id, _)), ..
        } => feed::FeedStart::Drill(id.clone()),
        Mode::Render { at: Some(t), .. } => feed::FeedStart::At(t.clone()),
        Mode::Render { at: None, .. } => feed::FeedStart::Once,
    }
}

/// A thing to select and fly to as soon as it is on the map (`parktwin render --select`).
#[derive(Resource, Debug, Clone, Default)]
pub struct StartSelection(pub Option<String>);

fn select_at_start(
    mut commands: Commands,
    mut wanted: ResMut<StartSelection>,
    places: pick::Places,
    rig: Query<&parktwin_scene::OrbitCamera>,
    mut selection: ResMut<parktwin_scene::Selection>,
) {
    let Some(id) = &wanted.0 else { return };
    // Trucks appear with the live snapshot, after the park: wait until the thing is drawn.
    let Some((f, _, _)) = places.iter().find(|(f, _, _)| f.feature == *id) else {
        return;
    };
    pick::select_and_fly(f.clone(), &places, &rig, &mut commands, &mut selection);
    wanted.0 = None;
}

/// Read-out mode: every layer but the incidents' hidden, so that nothing stands over the field.
#[cfg(not(target_arch = "wasm32"))]
fn only_the_field(mut registry: ResMut<parktwin_layers::LayerRegistry>) {
    let ids: Vec<String> = registry
        .layers()
        .iter()
        .filter(|l| l.info.id != "incidents" && l.visible)
        .map(|l| l.info.id.clone())
        .collect();
    for id in ids {
        registry.set_visible(&id, false);
    }
}
