//! The video wall (`parktwin wall`, `?wall` in the browser): the map in the middle, key figures,
//! the alarm ticker, the incident on show and the park's clock around it, nothing to click and
//! nothing that waits for a hover. It follows the view the operators send (`GET /api/v1/wall`,
//! polled every second), goes to a new red alarm or incident by itself, and tours bookmarks
//! when nobody has sent it anything for a while (see [`director`]). It never asks anything:
//! when the server is gone it says how old its data is and keeps trying, and catches up from
//! its cursor when the server is back.

pub mod director;
pub mod kpi;
pub mod response;
pub mod screen;
pub mod send;
pub mod tiles;

use std::time::Duration;

use bevy::platform::time::Instant;
use bevy::prelude::*;
use crossbeam_channel::{Receiver, unbounded};
use parktwin_api::client::ApiClient;
use parktwin_api::frame::LocalFrame;
use parktwin_api::wall::{CameraBookmark, WallView};
use parktwin_scene::mesh::scene_point;
use parktwin_scene::{FeatureRef, FlyTo, HomeView, OrbitCamera, ParkData, Selection};

use director::{Director, Shot};

use crate::sync::{FeedControl, FeedStatus, SteerFeed, SyncSet};
use crate::theme::UiSet;

pub use screen::{WallLayout, connection, wall_screen};
pub use send::{bookmark_of, send_view, view_to_send};

/// How often the wall asks for the view: a view sent shows within two seconds (a second for
/// the poll, the flight).
pub const POLL: Duration = Duration::from_secs(1);

/// How the wall is laid out on its displays.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallConfig {
    /// Displays across and down (1×1: one screen).
    pub grid: UVec2,
    /// Pixels hidden by the frames between two displays, across and down.
    pub bezel: UVec2,
    /// Borderless full screen on the primary monitor (else a borderless window of the exact
    /// size asked, at the top left: a canvas spanning several displays).
    pub fullscreen: bool,
}

impl Default for WallConfig {
    fn default() -> Self {
        Self {
            grid: UVec2::ONE,
            bezel: UVec2::ZERO,
            fullscreen: false,
        }
    }
}

/// What the poller sends: the view and the name of the drill it shows, or why it failed.
#[derive(Debug)]
pub enum WallMessage {
    /// The view on the server.
    View(Box<WallView>, Option<String>),
    /// The server did not answer.
    Lost(String),
}

/// The channel from the poller.
#[derive(Resource)]
pub struct WallChannel(pub Receiver<WallMessage>);

/// The wall's state: the view, the connection, what is on show.
#[derive(Resource, Default)]
pub struct WallState {
    /// The view last fetched.
    pub view: Option<WallView>,
    /// The name of the drill on show, if the view shows one.
    pub drill_name: Option<String>,
    /// When the server last answered the poll.
    pub last_ok: Option<Instant>,
    /// Why the last poll failed, while it fails.
    pub error: Option<String>,
    /// What decides the shots.
    pub director: Director,
    /// What is on show, in words, and since when.
    pub on_show: Option<(String, Instant)>,
    /// The layers the view on show asks for: layers that arrive later (descriptor layers load
    /// on their own) are held to it too.
    pub layers: Option<Vec<String>>,
    /// A thing to fly to once it is on the map (trucks come with the live state), with the
    /// side to see it from.
    pub pending_focus: Option<(String, Option<CameraBookmark>)>,
}

/// Starts polling the wall's view.
pub fn spawn_poll(api: &ApiClient) -> Receiver<WallMessage> {
    let (tx, rx) = unbounded();
    let api = api.clone();
    crate::net::spawn("wall-view", move || async move {
        let mut drill: Option<(String, String)> = None;
        loop {
            let msg = match api.wall().await {
                Ok(v) => {
                    let name = match &v.view.drill {
                        None => None,
                        Some(id) if drill.as_ref().is_some_and(|(d, _)| d == id) => drill.as_ref().map(|d| d.1.clone()),
                        Some(id) => match api
                            .get_json::<parktwin_api::scenario::Drill>(&format!("/drills/{id}"))
                            .await
                        {
                            Ok(d) => {
                                drill = Some((id.clone(), d.name.clone()));
                                Some(d.name)
                            }
                            Err(_) => Some(id.clone()),
                        },
                    };
                    WallMessage::View(Box::new(v), name)
                }
                Err(e) => WallMessage::Lost(e.to_string()),
            };
            if tx.send(msg).is_err() {
                return; // the app is gone
            }
            crate::net::sleep(POLL).await;
        }
    });
    rx
}

/// The wall: follows the view, decides the shots, draws the screen.
pub struct WallPlugin {
    /// The layout.
    pub config: WallConfig,
    /// The window size, pixels.
    pub window: UVec2,
    /// The server whose wall view it follows.
    pub api: ApiClient,
    /// Whether it follows the drill its view names (a running wall; a rendered one shows one
    /// moment).
    pub follow: bool,
}

impl Plugin for WallPlugin {
    fn build(&self, app: &mut App) {
        let layout = WallLayout::for_window(self.window, self.config);
        app.insert_resource(self.config)
            .insert_resource(layout)
            .insert_resource(layout.map_frame(self.window, self.config))
            .insert_resource(WallChannel(spawn_poll(&self.api)))
            .init_resource::<WallState>()
            .add_systems(PostStartup, spawn_ui_camera)
            .add_systems(Update, (relayout, poll_wall, direct).chain())
            .add_systems(bevy_egui::EguiPrimaryContextPass, wall_screen.in_set(UiSet::Panel));
        if self.follow {
            app.add_systems(Update, follow_drill.after(poll_wall).before(SyncSet::Steer));
        }
        let tiling = tiles::Tiling::new(self.window, self.config.grid, self.config.bezel);
        if let Ok(t) = tiling
            && !t.is_plain()
        {
            app.insert_resource(tiles::WallTiling(t))
                .add_systems(PostStartup, tiles::spawn_tiles);
        }
        // The wall's panels are egui drawn by a camera of their own over the whole window (the
        // map's cameras may each have a display's viewport).
        app.insert_resource(bevy_egui::EguiGlobalSettings {
            auto_create_primary_context: false,
            ..default()
        });
    }
}

/// Lays the wall out again when its window is not the size it was laid out for (full screen
/// takes the monitor's size; the browser's canvas follows the page).
fn relayout(
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    config: Res<WallConfig>,
    mut layout: ResMut<WallLayout>,
    mut frame: ResMut<parktwin_scene::MapFrame>,
) {
    let Ok(w) = windows.single() else { return };
    // Logical pixels: what the map's frame and egui's points are measured in.
    let size = UVec2::new(w.width() as u32, w.height() as u32);
    if size.x < 64 || size.y < 64 {
        return;
    }
    let new = WallLayout::for_window(size, *config);
    if new != *layout {
        *layout = new;
        *frame = new.map_frame(size, *config);
    }
}

fn spawn_ui_camera(mut commands: Commands) {
    commands.spawn((
        Camera2d,
        Camera {
            order: 100,
            clear_color: ClearColorConfig::None,
            ..default()
        },
        bevy_egui::PrimaryEguiContext,
    ));
}

/// Takes what the poller sent.
pub fn poll_wall(channel: Option<Res<WallChannel>>, mut state: ResMut<WallState>) {
    let Some(channel) = channel else { return };
    while let Ok(msg) = channel.0.try_recv() {
        match msg {
            WallMessage::View(v, drill) => {
                state.view = Some(*v);
                state.drill_name = drill;
                state.last_ok = Some(Instant::now());
                state.error = None;
            }
            WallMessage::Lost(e) => state.error = Some(e),
        }
    }
}

/// The wall's map shows the drill its view names, folded from the drill's own channel, and
/// the park live again once the view names none: its band never stands over the other's data.
pub fn follow_drill(state: Res<WallState>, mut steer: MessageWriter<SteerFeed>, mut shown: Local<Option<String>>) {
    let Some(view) = &state.view else { return };
    if view.view.drill == *shown {
        return;
    }
    shown.clone_from(&view.view.drill);
    steer.write(SteerFeed(match &*shown {
        Some(id) => FeedControl::Drill(id.clone()),
        None => FeedControl::Live,
    }));
}

/// The camera for a bookmark, in the park's frame.
pub fn orbit_of(frame: &LocalFrame, b: &CameraBookmark) -> OrbitCamera {
    OrbitCamera {
        target: scene_point(frame.to_map(b.lon, b.lat), 0.0),
        // The rig's yaw turns counter-clockwise; a heading turns clockwise from north.
        yaw: (-b.heading_deg).to_radians() as f32,
        pitch: b.tilt_deg.to_radians() as f32,
        distance: b.distance_m as f32,
    }
}

/// A view of an incident: from upwind, looking down the wind, the source a third of the way
/// up the screen so that the zones fill the rest.
fn incident_view(frame: &LocalFrame, inc: &parktwin_api::incident::Incident) -> OrbitCamera {
    let (_, from, _) = inc.weather_now();
    let to = (from + 180.0).to_radians();
    let [e, n] = frame.to_map(inc.lon, inc.lat);
    let distance = 3000.0_f32;
    let ahead = f64::from(0.3 * distance);
    OrbitCamera {
        target: scene_point([e + ahead * to.sin(), n + ahead * to.cos()], 0.0),
        yaw: (-(from + 180.0)).to_radians() as f32,
        pitch: 55f32.to_radians(),
        distance,
    }
}

/// Asks the director for the next shot and carries it out.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
pub fn direct(
    mut commands: Commands,
    mut state: ResMut<WallState>,
    data: Option<Res<ParkData>>,
    home: Option<Res<HomeView>>,
    feed: Res<FeedStatus>,
    live: Res<parktwin_layers::live::Live>,
    mut registry: ResMut<parktwin_layers::LayerRegistry>,
    mut shown: ResMut<parktwin_layers::incident::ShownIncident>,
    mut selection: ResMut<Selection>,
    places: crate::pick::Places,
    rig: Query<&OrbitCamera>,
    time: Res<Time<Real>>,
) {
    let (Some(data), Some(home)) = (data, home) else { return };
    let frame = data.park.frame();
    let now = time.elapsed_secs_f64();
    let st = &mut *state;
    let live_ready = feed.last_ok.is_some();
    let shot = st.director.next(st.view.as_ref(), live_ready.then_some(&live.0), now);
    if let Some(shot) = shot {
        let said = match &shot {
            Shot::View(v) => {
                st.layers = v.layers.clone();
                if let Some(id) = &v.incident {
                    shown.0 = Some(id.clone());
                }
                match (&v.focus, &v.camera) {
                    (Some(f), cam) => st.pending_focus = Some((f.clone(), *cam)),
                    (None, Some(cam)) => {
                        commands.insert_resource(FlyTo::new(orbit_of(&frame, cam)));
                    }
                    (None, None) => {}
                }
                let by = st.view.as_ref().map(|v| v.set_by.clone()).unwrap_or_default();
                format!("sent:{by}")
            }
            Shot::Alarm(a) => {
                st.pending_focus = Some((a.source.clone(), None));
                format!("alarm:{}", a.source)
            }
            Shot::Incident(id) => {
                shown.0 = Some(id.clone());
                if let Some(inc) = live.0.incidents.get(id) {
                    commands.insert_resource(FlyTo::new(incident_view(&frame, inc)));
                }
                format!("incident:{id}")
            }
            Shot::Tour(stop) => {
                commands.insert_resource(FlyTo::new(orbit_of(&frame, &stop.camera)));
                format!("tour:{}", stop.name)
            }
            Shot::Home => {
                commands.insert_resource(FlyTo::new(home.0));
                "home:".to_string()
            }
        };
        st.on_show = Some((said, Instant::now()));
    }
    // The view's layers, and only those (checked each frame: a layer may come late).
    if let Some(layers) = &st.layers {
        let wrong: Vec<(String, bool)> = registry
            .layers()
            .iter()
            .filter(|l| l.visible != layers.contains(&l.info.id))
            .map(|l| (l.info.id.clone(), !l.visible))
            .collect();
        for (id, on) in wrong {
            registry.set_visible(&id, on);
        }
    }
    // A thing to fly to, once it is drawn.
    if let Some((id, cam)) = st.pending_focus.clone()
        && let Some((f, _, _)) = places.iter().find(|(f, _, _)| f.feature == id)
    {
        let f: FeatureRef = f.clone();
        match (cam, crate::pick::place_of(&f, &places)) {
            (Some(b), Some(at)) => {
                let mut to = orbit_of(&frame, &b);
                to.target = Vec3::new(at.x, 0.0, at.z);
                commands.insert_resource(FlyTo::new(to));
                selection.0 = Some(f);
            }
            _ => crate::pick::select_and_fly(f, &places, &rig, &mut commands, &mut selection),
        }
        st.pending_focus = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sending_keeps_the_walls_tour_and_drops_layers_the_server_does_not_know() {
        let camera = CameraBookmark {
            lon: 118.45,
            lat: 37.57,
            distance_m: 800.0,
            heading_deg: 0.0,
            tilt_deg: 50.0,
        };
        let current = parktwin_api::wall::WallRequest {
            drill: Some("drill-1".into()),
            tour: vec![parktwin_api::wall::TourStop {
                name: "Farm".into(),
                camera,
            }],
            idle_s: 300,
            ..Default::default()
        };
        let shown = ["tanks", "hydrants", "vehicles"].map(String::from);
        let v = view_to_send(
            camera,
            &shown,
            &["tanks".into(), "roads".into()],
            Some("inc-2".into()),
            None,
            Some(&current),
        );
        assert_eq!(v.layers, Some(vec!["tanks".to_string(), "vehicles".to_string()]));
        assert_eq!(
            (v.incident.as_deref(), v.drill.as_deref()),
            (Some("inc-2"), Some("drill-1"))
        );
        assert_eq!((v.tour.len(), v.idle_s), (1, 300));
    }

    #[test]
    fn a_bookmark_comes_back_from_the_camera_it_makes() {
        let frame = LocalFrame::new(118.45, 37.57);
        let b = CameraBookmark {
            lon: 118.4542447,
            lat: 37.5683106,
            distance_m: 900.0,
            heading_deg: 45.0,
            tilt_deg: 60.0,
        };
        let cam = orbit_of(&frame, &b);
        // Heading 45° looks north-east: the camera stands south-west of what it looks at.
        let eye = cam.transform().translation;
        assert!(eye.x < cam.target.x && eye.z > cam.target.z, "{eye} vs {}", cam.target);
        let back = bookmark_of(&frame, &cam);
        assert!(
            (back.lon - b.lon).abs() < 1e-6 && (back.lat - b.lat).abs() < 1e-6,
            "{back:?}"
        );
        assert!((back.distance_m - 900.0).abs() < 1e-3);
        assert!(
            (back.heading_deg - 45.0).abs() < 0.05 && (back.tilt_deg - 60.0).abs() < 1e-3,
            "{back:?}"
        );
    }
}
