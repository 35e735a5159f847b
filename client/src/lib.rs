//! ParkTwin's client: composes the scene, the layers, the sync core, the panel and (for
//! `render`) the frame capture into one Bevy app, each concern one plugin ([`build_app`]).
//! `docs/architecture.md` draws the modules, their plugins and the order of their sets.

pub mod basemap;
pub mod described;
#[cfg(test)]
mod egui_screen;
pub mod export;
#[cfg(not(target_arch = "wasm32"))]
pub mod hazard;
pub mod i18n;
pub mod incident;
#[cfg(not(target_arch = "wasm32"))]
pub mod layercheck;
pub mod loader;
pub mod net;
#[cfg(not(target_arch = "wasm32"))]
pub mod offscreen;
pub mod panel;
pub mod pick;
#[cfg(not(target_arch = "wasm32"))]
pub mod plume;
#[cfg(not(target_arch = "wasm32"))]
pub mod render;
pub mod search;
pub mod signin;
pub mod sync;
pub mod theme;
pub mod timeline;
pub mod wall;
#[cfg(target_arch = "wasm32")]
pub mod web;

use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;

pub use net::{ActionStatus, OperatorToken, ServerUrl};

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
        /// Write the map labels drawn in the frame here, as JSON (text and box in pixels).
        labels_out: Option<PathBuf>,
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
    let server = ServerUrl::new(&cfg.server, cfg.token.clone());
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
    let interactive = matches!(cfg.mode, Mode::Interactive);
    // The models' in-memory asset source goes in before Bevy's asset plugin.
    #[cfg(not(target_arch = "wasm32"))]
    parktwin_layers::models::register_model_source(&mut app);
    app.add_plugins(plugins)
        .add_plugins(EguiPlugin::default())
        .add_plugins((
            parktwin_scene::CameraRigPlugin,
            parktwin_scene::ParkScenePlugin,
            parktwin_layers::LayersPlugin,
            parktwin_layers::live::LiveLayersPlugin,
            parktwin_layers::overlay::OverlayPlugin,
            parktwin_layers::described::DescribedLayersPlugin,
            parktwin_layers::incident::IncidentLayerPlugin,
        ))
        .insert_resource(server.clone())
        .insert_resource(server.1.clone())
        .insert_resource(OperatorToken(cfg.token.clone()))
        .init_resource::<ActionStatus>()
        .insert_resource(cfg.lang)
        .add_plugins((
            theme::ThemePlugin,
            basemap::BasemapPlugin,
            // The operator's map and the wall both sign in where the server asks it.
            signin::SignInPlugin,
            loader::LoaderPlugin { api: server.api() },
            described::DescribedPlugin {
                api: server.api(),
                dir: cfg.layers_dir.clone(),
                watch: !render,
                at: match &cfg.mode {
                    Mode::Render {
                        at: Some(t),
                        drill: None,
                        ..
                    } => Some(t.clone()),
                    _ => None,
                },
            },
            sync::SyncPlugin {
                api: server.api(),
                start: feed_start(cfg),
                what_if: match &cfg.mode {
                    Mode::Render { what_if, .. } => what_if.as_deref().cloned(),
                    Mode::Interactive => None,
                },
                time: timekeeping(cfg),
            },
            pick::IdentifyPlugin {
                click: cfg.wall.is_none(),
                select: cfg.select.clone(),
            },
        ));
    match cfg.wall {
        // The wall: nothing to click, its own screen round the map; the running wall follows
        // the drill on show, a rendered wall shows one moment.
        Some(w) => {
            app.add_plugins(wall::WallPlugin {
                config: w,
                window: UVec2::new(cfg.size.0, cfg.size.1),
                api: server.api(),
                follow: !render,
            });
        }
        None => {
            app.add_plugins((
                panel::PanelPlugin,
                incident::IncidentPlugin,
                wall::send::SendToWallPlugin,
            ));
            // The timeline: interactive, the bar and the band; a rendered past moment or
            // drill, the band.
            let still = matches!(
                &cfg.mode,
                Mode::Render { at: Some(_), .. } | Mode::Render { drill: Some(_), .. }
            );
            if interactive || still {
                app.add_plugins(timeline::TimelinePlugin { bar: interactive });
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
        labels_out,
    } = &cfg.mode
    {
        let now = parktwin_api::clock::now_unix();
        app.insert_resource(parktwin_layers::incident::FieldClock(Some(field_at.unwrap_or(now))))
            .insert_resource(sync::RenderedAt(now))
            .insert_resource(parktwin_layers::incident::FieldReadout(*field_readout));
        if *field_readout {
            app.add_systems(Update, only_the_field);
        }
        let mut job = render::RenderJob::new(out.clone(), *timeout, *click, *time_frames);
        job.labels_out = labels_out.clone();
        app.insert_resource(job).add_plugins(render::RenderPlugin);
    }
    app
}

/// How the map's place in time is kept: the operator's timeline, a rendered moment standing
/// still, or none (the wall and a render of now show what the feed brings).
fn timekeeping(cfg: &AppConfig) -> sync::Timekeeping {
    match &cfg.mode {
        Mode::Interactive if cfg.wall.is_none() => sync::Timekeeping::Steered,
        Mode::Interactive => sync::Timekeeping::None,
        Mode::Render { .. } if cfg.wall.is_some() => sync::Timekeeping::None,
        Mode::Render {
            drill: Some((id, name)),
            ..
        } => sync::Timekeeping::Still(sync::Playhead::drill_shown(id, name)),
        Mode::Render { at: Some(t), .. } => {
            sync::Timekeeping::Still(sync::Playhead::still(parktwin_api::clock::unix_seconds(t)))
        }
        Mode::Render { at: None, .. } => sync::Timekeeping::None,
    }
}

/// Where the app's feed starts: following the log, or one moment (now, or a past one).
fn feed_start(cfg: &AppConfig) -> sync::FeedStart {
    match &cfg.mode {
        Mode::Interactive => sync::FeedStart::Follow,
        Mode::Render {
            drill: Some((id, _)), ..
        } => sync::FeedStart::Drill(id.clone()),
        Mode::Render { at: Some(t), .. } => sync::FeedStart::At(t.clone()),
        Mode::Render { at: None, .. } => sync::FeedStart::Once,
    }
}

/// Read-out mode: every layer but the incidents' hidden, so that nothing stands over the field.
#[cfg(not(target_arch = "wasm32"))]
fn only_the_field(mut registry: ResMut<parktwin_layers::LayerRegistry>) {
    let ids: Vec<String> = registry
        .layers()
        .iter()
        .filter(|l| l.info.id != parktwin_api::layer::LayerId::INCIDENTS && l.visible)
        .map(|l| l.info.id.clone())
        .collect();
    for id in ids {
        registry.set_visible(&id, false);
    }
}
