//! The live layers: gas detectors coloured by their reading, hazmat trucks moving smoothly
//! between fixes. They draw [`Live`], the state the one reducer keeps.

use std::collections::HashMap;

use bevy::prelude::*;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_api::model::SensorLevel;
use parktwin_scene::mesh::scene_point;
use parktwin_scene::{FeatureRef, LayerMember, ParkData, PointMarker};

/// The live state the map draws.
#[derive(Resource, Debug, Clone, Default)]
pub struct Live(pub LiveState);

/// Colour of a detector by its level.
pub fn level_colour(level: SensorLevel) -> [u8; 3] {
    match level {
        SensorLevel::NoData => [150, 150, 150],
        SensorLevel::Normal => [40, 200, 90],
        SensorLevel::Warning => [255, 200, 0],
        SensorLevel::Alarm => [255, 20, 20],
    }
}

/// Colour of hazmat trucks on the map.
pub const VEHICLE: [u8; 3] = [0, 235, 255];

/// Size of a detector's marker at rest, metres (as the scene draws it).
pub const DETECTOR_SIZE: f32 = 5.0;

/// How much larger a detector's marker is drawn at a level.
pub fn level_scale(level: SensorLevel) -> f32 {
    match level {
        SensorLevel::Alarm => 5.0,
        SensorLevel::Warning => 3.0,
        _ => 1.0,
    }
}

/// The orange of a dangerous-goods placard (GB 13392), on every tracked truck's roof.
pub const PLACARD: [u8; 3] = [255, 120, 0];

/// How many past fixes a truck's trail shows.
pub const TRAIL_FIXES: usize = 20;

/// A vehicle on the map.
#[derive(Component, Debug, Clone)]
pub struct VehicleMarker {
    /// Its plate.
    pub plate: String,
    /// Where its latest fix puts it, scene frame.
    pub target: Vec3,
    /// Its heading, radians clockwise from north.
    pub heading: f32,
    /// Its last fixes, oldest first (the trail).
    pub trail: std::collections::VecDeque<Vec3>,
    /// The time of the fix it was last given (a truck whose fix has not changed is skipped).
    pub fixed_at: String,
}

impl VehicleMarker {
    /// Takes a new fix: the old target joins the trail (a fix at the same place adds nothing).
    pub fn fix(&mut self, at: Vec3) {
        if at.distance(self.target) > 0.5 {
            self.trail.push_back(self.target);
            while self.trail.len() > TRAIL_FIXES {
                self.trail.pop_front();
            }
            self.target = at;
        }
    }
}

/// Draws the live layers.
pub struct LiveLayersPlugin;

impl Plugin for LiveLayersPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Live>().add_systems(
            Update,
            (
                colour_detectors,
                place_vehicles,
                move_vehicles,
                draw_trails,
                flash_gates,
            )
                .chain(),
        );
    }
}

#[derive(Default)]
/// One material per detector level, made on first use.
pub struct LevelMaterials(HashMap<SensorLevel, Handle<StandardMaterial>>);
/// Colours and sizes each detector's marker by its level when the live state changes.
pub fn colour_detectors(
    live: Res<Live>,
    mut mats: Local<LevelMaterials>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut q: Query<(Ref<FeatureRef>, &mut MeshMaterial3d<StandardMaterial>, &mut Transform)>,
) {
    for (f, mut m, mut t) in &mut q {
        if f.layer != LayerId::DETECTORS || !(live.is_changed() || f.is_added()) {
            continue;
        }
        let level = live.0.sensors.get(&f.feature).map_or(SensorLevel::NoData, |s| s.level);
        let handle = mats
            .0
            .entry(level)
            .or_insert_with(|| {
                let c = level_colour(level);
                materials.add(StandardMaterial {
                    base_color: Color::srgb_u8(c[0], c[1], c[2]),
                    unlit: true,
                    ..default()
                })
            })
            .clone();
        if m.0 != handle {
            m.0 = handle;
        }
        // A detector in warning or alarm grows so that it is seen from across the park.
        let size = DETECTOR_SIZE * level_scale(level);
        if (t.scale.x - size).abs() > 1e-3 {
            t.scale = Vec3::splat(size);
            t.translation.y = size / 2.0;
        }
    }
}

/// How many truck markers are given their latest fix per frame: after a second's fixes, 10,000
/// trucks are placed over four frames (the easing hides it) instead of stalling one.
pub const PLACE_PER_FRAME: usize = 2_500;

/// Where the round of placing markers stands: the next marker, and how many are still to visit.
#[derive(Default)]
pub struct PlaceRound {
    next: usize,
    to_visit: usize,
}

/// Gives each truck's marker its latest fix, [`PLACE_PER_FRAME`] markers a frame, starting a
/// round whenever the live state changes; spawns markers for new trucks and despawns those of
/// trucks gone.
#[allow(clippy::too_many_arguments)]
pub fn place_vehicles(
    mut commands: Commands,
    live: Res<Live>,
    data: Option<Res<ParkData>>,
    mut q: Query<(Entity, &mut VehicleMarker)>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut assets: Local<Option<TruckAssets>>,
    mut round: Local<PlaceRound>,
) {
    let Some(data) = data else { return };
    let frame = data.park.frame();
    let markers = q.iter().count();
    // The park can arrive after the first live state: place what is known as soon as it does.
    if live.is_changed() || data.is_added() {
        round.to_visit = markers;
        if markers < live.0.vehicles.len() {
            let seen: std::collections::HashSet<&str> = q.iter().map(|(_, m)| m.plate.as_str()).collect();
            let assets = assets
                .get_or_insert_with(|| truck_assets(&mut meshes, &mut materials))
                .clone();
            for (plate, v) in live.0.vehicles.iter().filter(|(p, _)| !seen.contains(p.as_str())) {
                spawn_truck(&mut commands, &assets, &frame, plate, v);
            }
        }
    }
    if round.to_visit == 0 || markers == 0 {
        return;
    }
    let take = round.to_visit.min(PLACE_PER_FRAME);
    let start = round.next % markers;
    let wrapped = (start + take).saturating_sub(markers);
    for (e, mut m) in q.iter_mut().skip(start).take(take) {
        give_fix(&mut commands, &live.0, &frame, e, &mut m);
    }
    for (e, mut m) in q.iter_mut().take(wrapped) {
        give_fix(&mut commands, &live.0, &frame, e, &mut m);
    }
    round.next = (start + take) % markers;
    round.to_visit -= take;
}

/// The truck symbol: a map symbol, not a scale model. A truck is drawn 30 m long so it shows
/// from the home view, in a cyan no parcel, pipe or detector uses, with the hazmat placard on its
/// roof toward the rear (where tankers carry it), leaving the middle of the symbol cyan.
fn truck_assets(meshes: &mut Assets<Mesh>, materials: &mut Assets<StandardMaterial>) -> TruckAssets {
    let flat = |c: [u8; 3]| StandardMaterial {
        base_color: Color::srgb_u8(c[0], c[1], c[2]),
        unlit: true,
        ..default()
    };
    (
        meshes.add(Cuboid::new(12.0, 8.0, 30.0)),
        materials.add(flat(VEHICLE)),
        meshes.add(Cuboid::new(6.0, 1.0, 8.0)),
        materials.add(flat(PLACARD)),
    )
}

/// Spawns the marker of a truck seen for the first time, at its fix.
fn spawn_truck(
    commands: &mut Commands,
    (mesh, mat, placard, orange): &TruckAssets,
    frame: &parktwin_api::frame::LocalFrame,
    plate: &str,
    v: &parktwin_api::model::VehiclePosition,
) {
    let at = scene_point(frame.to_map(v.lon, v.lat), 4.0);
    let heading = (v.heading_deg as f32).to_radians();
    commands.spawn((
        Mesh3d(mesh.clone()),
        MeshMaterial3d(mat.clone()),
        Transform::from_translation(at).with_rotation(Quat::from_rotation_y(-heading)),
        VehicleMarker {
            plate: plate.to_string(),
            target: at,
            heading,
            trail: Default::default(),
            fixed_at: v.time.clone(),
        },
        children![(
            Mesh3d(placard.clone()),
            MeshMaterial3d(orange.clone()),
            Transform::from_xyz(0.0, 4.5, 9.0),
        )],
        LayerMember(LayerId::VEHICLES.into()),
        PointMarker,
        FeatureRef {
            layer: LayerId::VEHICLES.into(),
            feature: plate.to_string(),
        },
    ));
}

/// Gives one marker its truck's latest fix (nothing when the fix is the one it has), or
/// despawns it when the truck is gone.
fn give_fix(
    commands: &mut Commands,
    live: &LiveState,
    frame: &parktwin_api::frame::LocalFrame,
    e: Entity,
    m: &mut Mut<VehicleMarker>,
) {
    let Some(v) = live.vehicles.get(&m.plate) else {
        commands.entity(e).despawn();
        return;
    };
    if m.fixed_at == v.time {
        return;
    }
    m.fix(scene_point(frame.to_map(v.lon, v.lat), 4.0));
    m.fixed_at.clone_from(&v.time);
    if v.speed_kmh > 0.5 {
        m.heading = (v.heading_deg as f32).to_radians(); // a standing truck keeps its heading
    }
}

/// The truck symbol's meshes and materials: body, placard.
type TruckAssets = (
    Handle<Mesh>,
    Handle<StandardMaterial>,
    Handle<Mesh>,
    Handle<StandardMaterial>,
);

/// What the gate flashes remember: each gate's count seen, and when it last flashed.
#[derive(Default)]
struct GateFlashes {
    seen: HashMap<String, usize>,
    flashes: HashMap<String, f32>,
}

/// Eases each truck toward its latest fix, so it glides rather than jumps once a second.
pub fn move_vehicles(time: Res<Time>, mut q: Query<(&VehicleMarker, &mut Transform)>) {
    let k = 1.0 - (-4.0 * time.delta_secs()).exp();
    for (m, mut t) in &mut q {
        if t.translation.distance(m.target) > 200.0 {
            t.translation = m.target; // a jump (a new fix after an outage): no gliding across the park
        } else {
            t.translation = t.translation.lerp(m.target, k);
        }
        t.rotation = Quat::from_rotation_y(-m.heading);
    }
}

/// Each truck's trail: its last fixes, fading toward the oldest.
fn draw_trails(
    mut gizmos: Gizmos,
    registry: Option<Res<crate::LayerRegistry>>,
    q: Query<(&VehicleMarker, &Transform)>,
) {
    if registry.is_some_and(|r| !r.is_visible(LayerId::VEHICLES.as_str())) {
        return;
    }
    for (m, t) in &q {
        let n = m.trail.len();
        let points = m.trail.iter().copied().chain(std::iter::once(t.translation));
        let colours = (0..=n).map(|i| {
            let a = 0.15 + 0.85 * i as f32 / n.max(1) as f32;
            Color::srgba_u8(VEHICLE[0], VEHICLE[1], VEHICLE[2], (a * 255.0) as u8)
        });
        gizmos.linestrip_gradient(points.zip(colours));
    }
}

/// How long a gate's ring pulses after a pass, seconds.
pub const GATE_FLASH_S: f32 = 3.0;

/// Pulses a ring at a gate when a vehicle passes it.
fn flash_gates(
    mut gizmos: Gizmos,
    live: Res<Live>,
    time: Res<Time>,
    gates: Query<(&FeatureRef, &GlobalTransform), With<PointMarker>>,
    mut state: Local<GateFlashes>,
) {
    let GateFlashes { seen, flashes } = &mut *state;
    let now = time.elapsed_secs();
    if live.is_changed() {
        for (gate, (i, o)) in live.0.gate_counts() {
            let total = i + o;
            // The first count seen is history, not a pass now.
            if seen.insert(gate.clone(), total).is_some_and(|before| total > before) {
                flashes.insert(gate, now);
            }
        }
    }
    flashes.retain(|gate, at| {
        let age = now - *at;
        if let Some((_, t)) = gates
            .iter()
            .find(|(f, _)| f.layer == LayerId::GATES && f.feature == *gate)
        {
            let p = Vec3::new(t.translation().x, 0.0, t.translation().z);
            let k = (age / GATE_FLASH_S).clamp(0.0, 1.0);
            let colour = Color::srgba(1.0, 1.0, 1.0, 1.0 - k);
            gizmos.circle(crate::overlay::flat_at(p + Vec3::Y * 2.0), 20.0 + 80.0 * k, colour);
        }
        age < GATE_FLASH_S
    });
}
