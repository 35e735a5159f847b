//! The camera rig: orbit, pan and zoom around a target on the ground, and the park's "home"
//! view. The maths is in plain functions so tests can tell where the home view puts a point.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;

/// Vertical field of view of the map camera, radians.
pub const FOV_Y: f32 = std::f32::consts::FRAC_PI_4;

/// Metres on the ground per point of the picture at the point looked at, for a camera
/// `distance` metres from it and a picture `height` points high (the scale bar's, and the
/// basemap's zoom level).
pub fn metres_per_point(distance: f32, height: f32) -> f64 {
    2.0 * f64::from(distance) * f64::from(FOV_Y / 2.0).tan() / f64::from(height.max(1.0))
}
/// Near clip plane, metres.
#[cfg(not(target_arch = "wasm32"))]
pub const NEAR: f32 = 1.0;
/// The near plane in the browser, metres. WebGL2 has no clip control, so the [0, 1] depth of
/// the reversed-Z projection is squeezed through GL's [-1, 1] and loses most of its precision
/// far away: with a 1 m near plane, the flat layers stacked 0.1–0.2 m apart fight over depth
/// a few kilometres out. Depth resolution grows with the near distance; the closest the
/// camera gets is 30 m, so 20 m costs nothing on screen.
#[cfg(target_arch = "wasm32")]
pub const NEAR: f32 = 20.0;

/// An orbiting camera: where it looks, from which side, how steeply, from how far.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct OrbitCamera {
    /// The point looked at, scene frame.
    pub target: Vec3,
    /// Heading of the view, radians: 0 looks north, π/2 looks west... (camera south of target).
    pub yaw: f32,
    /// Angle below the horizon, radians.
    pub pitch: f32,
    /// Distance from the target, metres.
    pub distance: f32,
}

impl OrbitCamera {
    /// The camera's transform.
    pub fn transform(&self) -> Transform {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        let eye = self.target + self.distance * Vec3::new(sy * cp, sp, cy * cp);
        Transform::from_translation(eye).looking_at(self.target, Vec3::Y)
    }
}

/// The "home" view: the whole extent (`lo`..`hi`, metres east/north) seen from the south at
/// 55° below the horizon, framed in a viewport of `size` pixels whose right `inset` pixels
/// are covered by the side panel.
///
/// The framing is found by projecting the extent's corners and adjusting the distance and a
/// sideways shift of the target until they fill the free part of the viewport with a margin.
pub fn home_view(lo: [f64; 2], hi: [f64; 2], size: Vec2, inset: f32) -> OrbitCamera {
    home_view_in(lo, hi, size, Rect::new(0.0, 0.0, size.x - inset, size.y))
}

/// The home view framed in `free`, the part of a canvas of `size` pixels that no panel covers
/// (the wall has panels on three sides of the map).
pub fn home_view_in(lo: [f64; 2], hi: [f64; 2], size: Vec2, free: Rect) -> OrbitCamera {
    let w = (hi[0] - lo[0]) as f32;
    let centre = Vec3::new(((lo[0] + hi[0]) / 2.0) as f32, 0.0, -((lo[1] + hi[1]) / 2.0) as f32);
    let corners = [
        Vec3::new(lo[0] as f32, 0.0, -(lo[1] as f32)),
        Vec3::new(hi[0] as f32, 0.0, -(lo[1] as f32)),
        Vec3::new(hi[0] as f32, 0.0, -(hi[1] as f32)),
        Vec3::new(lo[0] as f32, 0.0, -(hi[1] as f32)),
    ];
    let margin = 0.04 * free.height();
    let (x0, x1) = (
        free.min.x + margin,
        (free.max.x - margin).max(free.min.x + margin + 1.0),
    );
    let (y0, y1) = (
        free.min.y + margin,
        (free.max.y - margin).max(free.min.y + margin + 1.0),
    );
    let mut cam = OrbitCamera {
        target: centre,
        yaw: 0.0,
        pitch: 55f32.to_radians(),
        distance: w.max(100.0),
    };
    for _ in 0..60 {
        let t = cam.transform();
        let pts: Vec<Vec2> = corners.iter().filter_map(|c| project(&t, size, *c)).collect();
        if pts.len() < corners.len() {
            cam.distance *= 1.5;
            continue;
        }
        let (mut lo_s, mut hi_s) = (Vec2::splat(f32::MAX), Vec2::splat(f32::MIN));
        for p in &pts {
            lo_s = lo_s.min(*p);
            hi_s = hi_s.max(*p);
        }
        let scale = ((hi_s.x - lo_s.x) / (x1 - x0)).max((hi_s.y - lo_s.y) / (y1 - y0));
        // Metres on the ground per pixel at the target, to turn a pixel offset into a shift.
        let m_per_px = 2.0 * cam.distance * (FOV_Y / 2.0).tan() / size.y;
        let dx = (lo_s.x + hi_s.x) / 2.0 - (x0 + x1) / 2.0;
        let dy = (lo_s.y + hi_s.y) / 2.0 - (y0 + y1) / 2.0;
        if (scale - 1.0).abs() < 0.002 && dx.abs() < 0.5 && dy.abs() < 0.5 {
            break;
        }
        // Moving the target east moves the park left on screen; south, up.
        cam.target += Vec3::X * dx * m_per_px + Vec3::Z * dy * m_per_px / cam.pitch.sin();
        cam.distance *= scale.clamp(0.5, 2.0);
    }
    cam
}

/// Where a scene point lands in a viewport of `size` pixels for a camera at `cam` with the
/// map camera's projection; `None` when it is behind the camera.
pub fn project(cam: &Transform, size: Vec2, p: Vec3) -> Option<Vec2> {
    let view = cam.to_matrix().inverse();
    let proj = Mat4::perspective_infinite_reverse_rh(FOV_Y, size.x / size.y, NEAR);
    let clip = proj * view * p.extend(1.0);
    if clip.w <= 0.0 {
        return None;
    }
    let ndc = clip.truncate() / clip.w;
    Some(Vec2::new((ndc.x + 1.0) / 2.0 * size.x, (1.0 - ndc.y) / 2.0 * size.y))
}

/// Set by the UI while the pointer is over a panel, so dragging a slider does not move the map.
#[derive(Resource, Default, Debug)]
pub struct PointerOverUi(pub bool);

/// A flight of the camera to another view (search, fly-to from an alarm), eased over
/// [`FLIGHT_S`]; the distance changes geometrically so that zooming in feels even.
#[derive(Resource, Debug, Clone, Copy)]
pub struct FlyTo {
    /// Where the flight ends.
    pub to: OrbitCamera,
    from: Option<OrbitCamera>,
    t: f32,
}

/// How long a flight takes, seconds.
pub const FLIGHT_S: f32 = 1.2;

/// How far from a thing the camera stops when it flies there, metres.
pub const CLOSE_DISTANCE: f32 = 450.0;

impl FlyTo {
    /// A flight to `to`.
    pub fn new(to: OrbitCamera) -> Self {
        Self { to, from: None, t: 0.0 }
    }

    /// A flight from the current view to look at `at` from [`CLOSE_DISTANCE`], from the same side.
    pub fn close_to(current: &OrbitCamera, at: Vec3) -> Self {
        Self::new(OrbitCamera {
            target: Vec3::new(at.x, 0.0, at.z),
            distance: CLOSE_DISTANCE,
            pitch: current.pitch.max(0.7),
            ..*current
        })
    }
}

/// The view `t` (0..1) of the way from `a` to `b`, smoothstep-eased.
pub fn flight_view(a: &OrbitCamera, b: &OrbitCamera, t: f32) -> OrbitCamera {
    let t = t.clamp(0.0, 1.0);
    let e = t * t * (3.0 - 2.0 * t);
    OrbitCamera {
        target: a.target.lerp(b.target, e),
        yaw: a.yaw + (b.yaw - a.yaw) * e,
        pitch: a.pitch + (b.pitch - a.pitch) * e,
        distance: a.distance * (b.distance / a.distance).powf(e),
    }
}

/// The home view once the park is known.
#[derive(Resource, Debug, Clone, Copy)]
pub struct HomeView(pub OrbitCamera);

/// The camera rig: spawns the camera and moves it with the mouse and keyboard.
pub struct CameraRigPlugin;

impl Plugin for CameraRigPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PointerOverUi>()
            .add_systems(Startup, spawn_camera)
            .add_systems(Update, (controls, go_home, fly, apply_orbit).chain());
    }
}

fn spawn_camera(mut commands: Commands) {
    let rig = OrbitCamera {
        target: Vec3::ZERO,
        yaw: 0.0,
        pitch: 0.9,
        distance: 5000.0,
    };
    commands.spawn((
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: FOV_Y,
            near: NEAR,
            far: 200_000.0,
            ..default()
        }),
        // Map colours must match the legend: no tone mapping.
        bevy::core_pipeline::tonemapping::Tonemapping::None,
        rig.transform(),
        rig,
    ));
}

fn controls(
    mut rig: Query<&mut OrbitCamera>,
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    over_ui: Res<PointerOverUi>,
    time: Res<Time>,
) {
    let Ok(mut cam) = rig.single_mut() else { return };
    let dt = time.delta_secs();
    if !over_ui.0 {
        let d = motion.delta;
        if buttons.pressed(MouseButton::Left) {
            cam.yaw -= d.x * 0.005;
            cam.pitch = (cam.pitch + d.y * 0.005).clamp(0.1, 1.55);
        }
        if buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle) {
            let by = Vec2::new(-d.x, -d.y) * cam.distance * 0.0012;
            pan(&mut cam, by);
        }
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        if lines != 0.0 {
            cam.distance = (cam.distance * 0.88f32.powf(lines)).clamp(30.0, 60_000.0);
        }
    }
    let mut kp = Vec2::ZERO;
    if keys.pressed(KeyCode::KeyW) || keys.pressed(KeyCode::ArrowUp) {
        kp.y += 1.0;
    }
    if keys.pressed(KeyCode::KeyS) || keys.pressed(KeyCode::ArrowDown) {
        kp.y -= 1.0;
    }
    if keys.pressed(KeyCode::KeyD) || keys.pressed(KeyCode::ArrowRight) {
        kp.x += 1.0;
    }
    if keys.pressed(KeyCode::KeyA) || keys.pressed(KeyCode::ArrowLeft) {
        kp.x -= 1.0;
    }
    if kp != Vec2::ZERO {
        let by = kp * cam.distance * 0.6 * dt;
        pan(&mut cam, by);
    }
}

/// Moves the target across the ground, `by.x` to the camera's right and `by.y` forward.
fn pan(cam: &mut OrbitCamera, by: Vec2) {
    let (sy, cy) = cam.yaw.sin_cos();
    let forward = Vec3::new(-sy, 0.0, -cy);
    let right = Vec3::new(cy, 0.0, -sy);
    cam.target += right * by.x + forward * by.y;
}

fn go_home(keys: Res<ButtonInput<KeyCode>>, home: Option<Res<HomeView>>, mut rig: Query<&mut OrbitCamera>) {
    let Some(home) = home else { return };
    let take = home.is_added() || keys.just_pressed(KeyCode::KeyH) || keys.just_pressed(KeyCode::Home);
    if take && let Ok(mut cam) = rig.single_mut() {
        *cam = home.0;
    }
}

fn fly(mut commands: Commands, flight: Option<ResMut<FlyTo>>, time: Res<Time>, mut rig: Query<&mut OrbitCamera>) {
    let (Some(mut flight), Ok(mut cam)) = (flight, rig.single_mut()) else {
        return;
    };
    let from = *flight.from.get_or_insert(*cam);
    flight.t += time.delta_secs() / FLIGHT_S;
    *cam = flight_view(&from, &flight.to, flight.t);
    if flight.t >= 1.0 {
        commands.remove_resource::<FlyTo>();
    }
}

fn apply_orbit(mut q: Query<(&OrbitCamera, &mut Transform), Changed<OrbitCamera>>) {
    for (rig, mut t) in &mut q {
        *t = rig.transform();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flight_starts_where_the_camera_is_and_ends_close_to_the_thing() {
        let a = OrbitCamera {
            target: Vec3::ZERO,
            yaw: 0.2,
            pitch: 0.9,
            distance: 5000.0,
        };
        let b = FlyTo::close_to(&a, Vec3::new(800.0, 4.0, -400.0)).to;
        assert_eq!(flight_view(&a, &b, 0.0), a);
        assert_eq!(flight_view(&a, &b, 1.0).target, Vec3::new(800.0, 0.0, -400.0));
        assert!((flight_view(&a, &b, 1.0).distance - CLOSE_DISTANCE).abs() < 1e-3);
        // Halfway in time, halfway in the ratio of distances: geometric, not linear.
        let mid = flight_view(&a, &b, 0.5).distance;
        assert!((mid - (5000.0f32 * CLOSE_DISTANCE).sqrt()).abs() < 1.0, "{mid}");
    }

    #[test]
    fn home_view_frames_the_whole_park_beside_the_panel() {
        let (lo, hi) = ([-1600.0, -1200.0], [1600.0, 1200.0]);
        let size = Vec2::new(1280.0, 720.0);
        let cam = home_view(lo, hi, size, 300.0).transform();
        let (mut min_x, mut max_x) = (f32::MAX, f32::MIN);
        for (e, n) in [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])] {
            let px = project(&cam, size, Vec3::new(e as f32, 0.0, -(n as f32))).expect("in front");
            assert!(
                px.x >= 0.0 && px.x <= size.x - 300.0 && px.y >= 0.0 && px.y <= size.y,
                "corner {e},{n} at {px}"
            );
            min_x = min_x.min(px.x);
            max_x = max_x.max(px.x);
        }
        // It fills the free part of the screen, not a corner of it.
        assert!(max_x - min_x > 0.8 * (size.x - 300.0), "{min_x}..{max_x}");
        // North is up the screen: the far (north) edge is above the near (south) edge.
        let north = project(&cam, size, Vec3::new(0.0, 0.0, -1200.0)).expect("north");
        let south = project(&cam, size, Vec3::new(0.0, 0.0, 1200.0)).expect("south");
        assert!(north.y < south.y);
    }
}
