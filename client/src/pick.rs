//! Picking and identify: a click on the map selects what is under the pointer (a point marker
//! within a few pixels first, then the mesh the pointer's ray hits); the selection's history
//! (a detector's last hour, a truck's track) is fetched in the background for the panel.
//!
//! Other plugins select (and fly to) a thing with a [`SelectFeature`] message: search, an
//! alarm's Go, `parktwin render --select`.

use std::time::Duration;

use bevy::platform::time::Instant;

use bevy::picking::mesh_picking::ray_cast::{MeshRayCast, MeshRayCastSettings};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use crossbeam_channel::{Receiver, bounded};
use parktwin_api::layer::LayerId;
use parktwin_api::model::{Observation, VehiclePosition};
use parktwin_scene::mesh::{map_point, scene_point};
use parktwin_scene::{FeatureRef, FlyTo, OrbitCamera, ParkData, PointMarker, PointerOverUi, Selection, footprint};

use crate::net::ServerUrl;
use crate::sync::FeedStatus;

/// How near (pixels) the pointer must be to a point marker to pick it.
pub const PICK_RADIUS_PX: f32 = 14.0;
/// How far (pixels) the pointer may move between press and release for a click (more is a drag).
pub const CLICK_SLOP_PX: f32 = 5.0;

/// The item nearest to `cursor` among `points` (screen positions), if within `radius` pixels.
///
/// ```
/// use bevy::math::Vec2;
/// use parktwin::pick::nearest_on_screen;
/// let pts = [("a", Vec2::new(100.0, 100.0)), ("b", Vec2::new(108.0, 100.0))];
/// assert_eq!(nearest_on_screen(Vec2::new(105.0, 101.0), pts, 14.0), Some("b"));
/// assert_eq!(nearest_on_screen(Vec2::new(300.0, 300.0), pts, 14.0), None);
/// ```
pub fn nearest_on_screen<T>(cursor: Vec2, points: impl IntoIterator<Item = (T, Vec2)>, radius: f32) -> Option<T> {
    points
        .into_iter()
        .map(|(t, p)| (t, p.distance(cursor)))
        .filter(|(_, d)| *d <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

/// Where on the ground the last click landed (scene position, WGS84 lon/lat): the place for
/// the threat at a point and for an incident started at a bare point.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct ClickedPoint(pub Option<(Vec3, [f64; 2])>);

/// A pointer position that stands in for the window's while `parktwin render --click` clicks:
/// the windowing system's pointer is shared by every window on a display (the render tests
/// run side by side on one), the render's own is this.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct InjectedPointer(pub Option<Vec2>);

/// The ground under a scene position: its WGS84 longitude and latitude.
pub fn ground_lonlat(data: &ParkData, at: Vec3) -> [f64; 2] {
    let [e, n] = map_point(at);
    let (lon, lat) = data.park.frame().to_wgs84(e, n);
    [lon, lat]
}

/// Selects what a click lands on (a click on empty ground clears the selection) and notes
/// where on the ground it landed.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
pub fn pick_on_click(
    buttons: Res<ButtonInput<MouseButton>>,
    windows: Query<&Window, With<PrimaryWindow>>,
    over_ui: Res<PointerOverUi>,
    cameras: Query<(&Camera, &GlobalTransform)>,
    features: Query<(
        Entity,
        &FeatureRef,
        &GlobalTransform,
        &InheritedVisibility,
        Has<PointMarker>,
    )>,
    mut ray_cast: MeshRayCast,
    mut selection: ResMut<Selection>,
    data: Option<Res<ParkData>>,
    mut clicked: ResMut<ClickedPoint>,
    injected: Res<InjectedPointer>,
    mut pressed_at: Local<Option<Vec2>>,
) {
    let Ok(window) = windows.single() else { return };
    let Some(cursor) = injected.0.or_else(|| window.cursor_position()) else {
        return;
    };
    if buttons.just_pressed(MouseButton::Left) {
        *pressed_at = (!over_ui.0).then_some(cursor);
    }
    if !buttons.just_released(MouseButton::Left) {
        return;
    }
    let Some(start) = pressed_at.take() else { return };
    if start.distance(cursor) > CLICK_SLOP_PX || over_ui.0 {
        return;
    }
    let Ok((camera, cam_t)) = cameras.single() else { return };
    let markers = features.iter().filter_map(|(_, f, t, vis, marker)| {
        if !vis.get() || !marker {
            return None;
        }
        camera
            .world_to_viewport(cam_t, t.translation())
            .ok()
            .map(|s| (f.clone(), s))
    });
    let ray = camera.viewport_to_world(cam_t, cursor).ok();
    let hit = ray.and_then(|ray| {
        let filter = |e: Entity| features.contains(e);
        let settings = MeshRayCastSettings::default().with_filter(&filter);
        ray_cast.cast_ray(ray, &settings).first().map(|(e, h)| (*e, h.point))
    });
    // The ground under what was hit, or where the pointer's ray meets the ground.
    let ground = hit.map(|(_, p)| Vec3::new(p.x, 0.0, p.z)).or_else(|| {
        let ray = ray?;
        let d = ray.intersect_plane(Vec3::ZERO, InfinitePlane3d::new(Vec3::Y))?;
        Some(ray.get_point(d))
    });
    if let (Some(at), Some(d)) = (ground, &data) {
        clicked.0 = Some((at, ground_lonlat(d, at)));
    }
    let picked = nearest_on_screen(cursor, markers, PICK_RADIUS_PX)
        .or_else(|| features.get(hit?.0).ok().map(|(_, f, ..)| f.clone()));
    if selection.0 != picked {
        selection.0 = picked;
    }
}

/// What the panel shows of the selection beyond its properties.
#[derive(Debug, Clone, Default)]
pub enum History {
    /// Nothing to fetch for this kind of thing.
    #[default]
    None,
    /// Being fetched.
    Loading,
    /// A detector's last hour, as fetched at a time (the chart's zero, so that it holds still
    /// between fetches).
    Readings(Vec<Observation>, time::OffsetDateTime),
    /// A truck's last hour.
    Track(Vec<VehiclePosition>),
    /// A device's last day: each quantity's minutes, as fetched at a time.
    Device(Vec<parktwin_api::readings::Series>, time::OffsetDateTime),
    /// The server did not answer.
    Failed(String),
}

/// The selection's history and where it is being fetched.
#[derive(Resource, Default)]
pub struct Inspect {
    /// The feature the history is of.
    pub of: Option<FeatureRef>,
    /// The history.
    pub history: History,
    /// A truck's track in the scene frame, converted once when it arrives.
    track: Vec<Vec3>,
    pending: Option<Receiver<History>>,
    fetched: Option<Instant>,
}

/// How much of a device's history its charts show.
pub const DEVICE_DAY_S: i64 = 86_400;

/// Whether a descriptor layer's features are the server's devices (its source is
/// `/api/v1/devices/geojson`): then each feature's id is a device's.
pub fn is_device_layer(d: &parktwin_api::descriptor::Descriptor) -> bool {
    d.source
        .endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("/api/v1/devices/geojson"))
}

/// How often a selected detector's chart or truck's track is fetched again.
pub const REFRESH: Duration = Duration::from_secs(10);

/// Fetches the selection's history when it changes, and (while the map is live) again every
/// [`REFRESH`].
pub fn inspect_selection(
    selection: Res<Selection>,
    server: Res<ServerUrl>,
    data: Option<Res<ParkData>>,
    described: Option<Res<parktwin_layers::described::DescribedLayers>>,
    feed: Res<FeedStatus>,
    mut inspect: ResMut<Inspect>,
) {
    if let Some(rx) = &inspect.pending
        && let Ok(h) = rx.try_recv()
    {
        inspect.track = match (&h, &data) {
            (History::Track(fixes), Some(d)) => {
                let frame = d.park.frame();
                fixes
                    .iter()
                    .map(|v| scene_point(frame.to_map(v.lon, v.lat), 3.0))
                    .collect()
            }
            _ => Vec::new(),
        };
        inspect.history = h;
        inspect.pending = None;
    }
    let changed = selection.0 != inspect.of;
    // A rendered frame shows one moment: its history is fetched once.
    let live = feed.showing.is_live();
    let stale = live && inspect.fetched.is_some_and(|t| t.elapsed() >= REFRESH) && inspect.pending.is_none();
    if !changed && !stale {
        return;
    }
    if changed {
        inspect.of = selection.0.clone();
        inspect.history = History::None;
        inspect.track.clear();
    }
    let Some(f) = selection.0.clone() else {
        inspect.fetched = None;
        return;
    };
    enum Of {
        Readings,
        Track,
        Device,
    }
    let device = described
        .as_ref()
        .and_then(|d| d.get(f.layer.as_str()))
        .is_some_and(|l| is_device_layer(&l.descriptor));
    let of = if f.layer == LayerId::DETECTORS {
        Of::Readings
    } else if f.layer == LayerId::VEHICLES {
        Of::Track
    } else if device {
        Of::Device
    } else {
        inspect.fetched = None;
        return;
    };
    if changed {
        inspect.history = History::Loading;
    }
    let (tx, rx) = bounded(1);
    let api = server.api();
    crate::net::spawn("history", move || async move {
        let at = time::OffsetDateTime::now_utc();
        let h = match of {
            Of::Readings => api
                .recent_observations(&f.feature, 3600)
                .await
                .map(|obs| History::Readings(obs, at)),
            Of::Track => api.recent_track(&f.feature, 3600).await.map(History::Track),
            Of::Device => device_day(&api, &f.feature).await.map(|s| History::Device(s, at)),
        };
        let _ = tx.send(h.unwrap_or_else(|e| History::Failed(e.to_string())));
    });
    inspect.pending = Some(rx);
    inspect.fetched = Some(Instant::now());
}

/// A device's quantities over the last day, a minute a point.
async fn device_day(
    api: &parktwin_api::client::ApiClient,
    id: &str,
) -> Result<Vec<parktwin_api::readings::Series>, parktwin_api::client::ClientError> {
    let report = api.device_report(id).await?;
    let mut out = Vec::new();
    for q in &report.device.quantities {
        out.push(
            api.device_series(id, &q.name, DEVICE_DAY_S, parktwin_api::readings::Step::Minute)
                .await?,
        );
    }
    Ok(out)
}

/// Gizmos drawn over everything (the clicked place): a marker hidden behind a building would
/// leave the operator guessing where the chart is of.
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct OnTopGizmos;

/// The config of [`OnTopGizmos`]: in front of all geometry, a little thicker.
pub fn on_top_config() -> GizmoConfig {
    GizmoConfig {
        depth_bias: -1.0,
        line: GizmoLineConfig {
            width: 3.0,
            ..default()
        },
        ..default()
    }
}

/// Draws the selected truck's fetched track, and a cross where the last click landed (sized
/// to stay the same on screen at any zoom, over everything).
pub fn draw_track(
    mut gizmos: Gizmos,
    mut on_top: Gizmos<OnTopGizmos>,
    inspect: Res<Inspect>,
    clicked: Res<ClickedPoint>,
    rig: Query<&OrbitCamera>,
) {
    gizmos.linestrip(inspect.track.iter().copied(), Color::WHITE);
    if let Some((at, _)) = clicked.0 {
        let half = rig.single().map_or(6.0, |r| (r.distance * 0.008).max(2.0));
        let at = at + Vec3::Y * 2.5;
        for d in [Vec3::X + Vec3::Z, Vec3::X - Vec3::Z] {
            on_top.line(at - d * half, at + d * half, Color::srgb(0.0, 1.0, 1.0));
        }
    }
}

/// Where each feature's entity is drawn.
pub type Places<'w, 's> = Query<
    'w,
    's,
    (
        &'static FeatureRef,
        &'static GlobalTransform,
        Option<&'static bevy::camera::primitives::Aabb>,
    ),
>;

/// Where a thing is on the map now (a truck where its marker is), for flying to it.
pub fn place_of(f: &FeatureRef, places: &Places) -> Option<Vec3> {
    places
        .iter()
        .find(|(g, _, _)| *g == f)
        .map(|(_, t, aabb)| footprint(t, aabb, 0.0).0)
}

/// Selects a thing and flies the camera to it (search, an alarm's Go, `render --select`).
pub fn select_and_fly(
    f: FeatureRef,
    places: &Places,
    rig: &Query<&OrbitCamera>,
    commands: &mut Commands,
    selection: &mut Selection,
) {
    if let (Some(at), Ok(cam)) = (place_of(&f, places), rig.single()) {
        commands.insert_resource(FlyTo::close_to(cam, at));
    }
    selection.0 = Some(f);
}

/// Selects a thing, and flies the camera to it when `fly` (search, an alarm's Go).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct SelectFeature {
    /// The thing.
    pub feature: FeatureRef,
    /// Whether to fly there.
    pub fly: bool,
}

/// A thing to select and fly to as soon as it is on the map (`parktwin render --select`): a
/// feature id or a plate.
#[derive(Resource, Debug, Clone, Default)]
pub struct StartSelection(pub Option<String>);

/// Picking, identify and selection on the operator's map; with `click`, a click selects (a
/// rendered frame selects only what it is told to).
pub struct IdentifyPlugin {
    /// Whether clicks on the map pick.
    pub click: bool,
    /// A thing to select once it is drawn.
    pub select: Option<String>,
}

impl Plugin for IdentifyPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<SelectFeature>()
            .insert_resource(StartSelection(self.select.clone()))
            .init_resource::<Inspect>()
            .init_resource::<ClickedPoint>()
            .init_resource::<InjectedPointer>()
            .insert_gizmo_config(OnTopGizmos, on_top_config())
            .add_systems(
                Update,
                (select_at_start, select_features).chain().before(inspect_selection),
            )
            .add_systems(Update, (inspect_selection, draw_track).chain());
        if self.click {
            app.add_systems(Update, pick_on_click.before(inspect_selection));
        }
    }
}

/// Carries out the selections asked for.
fn select_features(
    mut asked: MessageReader<SelectFeature>,
    mut commands: Commands,
    places: Places,
    rig: Query<&OrbitCamera>,
    mut selection: ResMut<Selection>,
) {
    for s in asked.read() {
        if s.fly {
            select_and_fly(s.feature.clone(), &places, &rig, &mut commands, &mut selection);
        } else {
            selection.0 = Some(s.feature.clone());
        }
    }
}

/// Selects and flies to the thing asked for at start, once it is drawn (trucks appear with the
/// live snapshot, after the park).
fn select_at_start(mut wanted: ResMut<StartSelection>, places: Places, mut asked: MessageWriter<SelectFeature>) {
    let Some(id) = &wanted.0 else { return };
    let Some((f, _, _)) = places.iter().find(|(f, _, _)| f.feature == *id) else {
        return;
    };
    asked.write(SelectFeature {
        feature: f.clone(),
        fly: true,
    });
    wanted.0 = None;
}
