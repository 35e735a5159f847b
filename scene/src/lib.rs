//! ParkTwin's 3D scene: the park model turned into meshes (plain functions in [`mesh`] and
//! [`model`]), its styling ([`style`]), the camera rig ([`camera`]) and the Bevy plugin that
//! spawns a loaded park.

pub mod basemap;
pub mod camera;
pub mod described;
pub mod mesh;
pub mod model;
pub mod rack;
pub mod solid;
pub mod style;
pub mod tank;
pub mod unit;

use std::collections::HashMap;

use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use parktwin_api::model::{HazardSource, LayerInfo, Park};

pub use camera::{CameraRigPlugin, FlyTo, HomeView, OrbitCamera, PointerOverUi};
use model::{Shading, Shape};

/// The park as loaded from the server: metadata, catalog and every layer's features.
#[derive(Resource, Debug, Clone)]
pub struct ParkData {
    /// The park.
    pub park: Park,
    /// Each layer with its features, in drawing order.
    pub layers: Vec<(LayerInfo, geojson::FeatureCollection)>,
    /// The graded major hazard sources.
    pub hazards: Vec<HazardSource>,
}

impl ParkData {
    /// The extent used for the home view: the fence when there is one, else the bounding box.
    pub fn home_extent(&self) -> ([f64; 2], [f64; 2]) {
        let frame = self.park.frame();
        let fence = self.layers.iter().find(|(l, _)| l.id == "boundary");
        if let Some((_, fc)) = fence {
            let items = model::layer_items(&frame, "boundary", fc);
            let mut lo = [f64::MAX; 2];
            let mut hi = [f64::MIN; 2];
            for it in &items {
                if let Shape::Mesh(m) = &it.shape {
                    let (a, b) = m.bounds();
                    lo = [lo[0].min(f64::from(a[0])), lo[1].min(f64::from(-b[2]))];
                    hi = [hi[0].max(f64::from(b[0])), hi[1].max(f64::from(-a[2]))];
                }
            }
            if lo[0] < hi[0] {
                return (lo, hi);
            }
        }
        model::park_extent(&frame, self.park.bbox)
    }
}

/// The map's place on screen: how far, in logical pixels, the panels over its sides reach in
/// (the desktop's panel on the right; the wall's cards on three sides), and the canvas the
/// picture spans when it is larger than the window (a wall's bezels). The home view frames the
/// park in what is left.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct MapFrame {
    /// Covered on the left.
    pub left: f32,
    /// Covered on the right.
    pub right: f32,
    /// Covered at the top.
    pub top: f32,
    /// Covered at the bottom.
    pub bottom: f32,
    /// The canvas the picture spans, when it is not the window.
    pub canvas: Option<Vec2>,
}

impl MapFrame {
    /// A panel on the right, `width` wide.
    pub fn right_panel(width: f32) -> Self {
        Self {
            right: width,
            ..default()
        }
    }

    /// The free part of a canvas of `size`.
    pub fn free(&self, size: Vec2) -> Rect {
        Rect::new(self.left, self.top, size.x - self.right, size.y - self.bottom)
    }
}

/// The thing the operator picked on the map (or in search, or from an alarm), if any.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Selection(pub Option<FeatureRef>);

/// Marks the map's own ground: the plain under everything and the park's surface inside its
/// fence, which a basemap replaces while it is shown.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ground;

/// Marks an entity as part of a layer; the layer registry shows and hides by it.
#[derive(Component, Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayerMember(pub String);

/// Marks an entity drawn as a marker standing at a point (a detector, a gate, a truck…), as
/// opposed to a mesh drawn in place: picking, labels and flights take its translation as
/// where it is.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct PointMarker;

/// Marks where a descriptor layer's glTF model stands; the model is attached to it once loaded
/// (on the desktop; see `parktwin_layers::models`).
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct ModelSpot;

/// Where a feature's entity stands and how far it reaches across the ground: the centre of its
/// bounding box and the box's horizontal half-diagonal, or its translation and
/// `fallback_radius` before the box is computed.
pub fn footprint(
    t: &GlobalTransform,
    aabb: Option<&bevy::camera::primitives::Aabb>,
    fallback_radius: f32,
) -> (Vec3, f32) {
    match aabb {
        Some(b) => {
            let half = Vec3::from(b.half_extents) * t.scale();
            (
                t.transform_point(Vec3::from(b.center)),
                Vec2::new(half.x, half.z).length(),
            )
        }
        None => (t.translation(), fallback_radius),
    }
}

/// The map feature an entity draws.
#[derive(Component, Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeatureRef {
    /// Layer id.
    pub layer: String,
    /// Feature id.
    pub feature: String,
}

/// Sent once the park's entities exist.
#[derive(Message, Debug, Clone)]
pub struct ParkSpawned {
    /// Number of entities spawned.
    pub entities: usize,
}

/// Spawns the loaded park: ground, sun, and one entity per drawn feature.
pub struct ParkScenePlugin;

impl Plugin for ParkScenePlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<ParkSpawned>()
            .init_resource::<MapFrame>()
            .init_resource::<Selection>()
            .init_resource::<SceneAssets>()
            .insert_resource(ClearColor(Color::srgb_u8(18, 22, 30)))
            .insert_resource(GlobalAmbientLight {
                brightness: 900.0,
                ..default()
            })
            .add_systems(Startup, spawn_sun)
            .add_systems(Update, spawn_park.run_if(resource_added::<ParkData>));
    }
}

fn spawn_sun(mut commands: Commands) {
    commands.spawn((
        DirectionalLight {
            illuminance: 4_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(0.6, 1.0, 0.4).looking_at(Vec3::ZERO, Vec3::Y),
    ));
}

/// A Bevy mesh from plain mesh data.
pub fn to_bevy_mesh(m: &mesh::MeshData) -> Mesh {
    let topology = match m.topology {
        mesh::Topology::Triangles => PrimitiveTopology::TriangleList,
        mesh::Topology::Lines => PrimitiveTopology::LineList,
    };
    Mesh::new(topology, RenderAssetUsages::RENDER_WORLD)
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, m.positions.clone())
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, m.normals.clone())
        .with_inserted_indices(Indices::U32(m.indices.clone()))
}

/// Meshes and materials shared by the entities drawn for layers: one unit mesh per solid
/// (markers, tank parts, pipes), and one material per layer and colour (per layer, so that a
/// layer's opacity is its own). Entities that share both are drawn as one instanced batch.
#[derive(Resource, Default)]
pub struct SceneAssets {
    solids: HashMap<solid::Solid, Handle<Mesh>>,
    materials: HashMap<(String, [u8; 3], bool), Handle<StandardMaterial>>,
}

/// A label drawn on the map for an entity: English, Chinese, and where it stands.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct MapLabel {
    /// English text.
    pub en: String,
    /// Chinese text.
    pub zh: String,
    /// Where it stands, scene frame.
    pub at: Vec3,
}

/// A feature's properties, kept on its entity for identify (descriptor and plugin layers).
#[derive(Component, Debug, Clone, Default, PartialEq)]
pub struct FeatureProperties(pub serde_json::Map<String, serde_json::Value>);

/// Spawns one scene item with its layer and feature tags; returns the entity.
pub fn spawn_item(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    assets: &mut SceneAssets,
    item: model::SceneItem,
) -> Entity {
    let lit = item.shading == Shading::Lit;
    let c = item.colour;
    let mat = assets
        .materials
        .entry((item.layer.clone(), c, lit))
        .or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color: Color::srgb_u8(c[0], c[1], c[2]),
                unlit: !lit,
                perceptual_roughness: 0.85,
                ..default()
            })
        })
        .clone();
    let tags = (
        LayerMember(item.layer.clone()),
        FeatureRef {
            layer: item.layer,
            feature: item.feature,
        },
    );
    match item.shape {
        Shape::Mesh(m) => commands
            .spawn((Mesh3d(meshes.add(to_bevy_mesh(&m))), MeshMaterial3d(mat), tags))
            .id(),
        Shape::Marker { at, size, height, kind } => {
            let unit = unit_solid(meshes, assets, kind.into());
            let t = Transform::from_translation(Vec3::from(at) + Vec3::Y * height / 2.0)
                .with_scale(Vec3::new(size, height, size));
            commands
                .spawn((Mesh3d(unit), MeshMaterial3d(mat), t, tags, PointMarker))
                .id()
        }
        Shape::Solid(p) => {
            let unit = unit_solid(meshes, assets, p.solid);
            let t = Transform::from_translation(p.centre)
                .with_rotation(p.rotation)
                .with_scale(p.scale);
            commands.spawn((Mesh3d(unit), MeshMaterial3d(mat), t, tags)).id()
        }
        Shape::Model { at, heading_deg, scale } => {
            // Clockwise seen from above is a negative turn about +Y.
            let t = Transform::from_translation(Vec3::from(at))
                .with_rotation(Quat::from_rotation_y(-heading_deg.to_radians()))
                .with_scale(Vec3::splat(scale));
            commands
                .spawn((t, Visibility::default(), tags, PointMarker, ModelSpot))
                .id()
        }
    }
}

/// The shared mesh of a unit solid, made on first use.
fn unit_solid(meshes: &mut Assets<Mesh>, assets: &mut SceneAssets, s: solid::Solid) -> Handle<Mesh> {
    assets
        .solids
        .entry(s)
        .or_insert_with(|| meshes.add(solid::unit_mesh(s)))
        .clone()
}

#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
fn spawn_park(
    mut commands: Commands,
    data: Res<ParkData>,
    windows: Query<&Window>,
    frame_on_screen: Res<MapFrame>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut assets: ResMut<SceneAssets>,
    mut spawned: MessageWriter<ParkSpawned>,
) {
    let frame = data.park.frame();
    // The ground under everything: 40 km square.
    let ground = mesh::flat_polygon(
        &[vec![
            [-20_000.0, -20_000.0],
            [20_000.0, -20_000.0],
            [20_000.0, 20_000.0],
            [-20_000.0, 20_000.0],
        ]],
        0.0,
    );
    let g = style::GROUND;
    commands.spawn((
        Mesh3d(meshes.add(to_bevy_mesh(&ground))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb_u8(g[0], g[1], g[2]),
            unlit: true,
            ..default()
        })),
        Ground,
    ));
    let mut count = 0;
    for (info, fc) in &data.layers {
        for item in model::layer_items(&frame, &info.id, fc) {
            // The boundary's surface (its fence is a line) is the park's ground.
            let surface = item.layer == "boundary"
                && matches!(&item.shape, model::Shape::Mesh(m) if m.topology == mesh::Topology::Triangles);
            let e = spawn_item(&mut commands, &mut meshes, &mut materials, &mut assets, item);
            if surface {
                commands.entity(e).insert(Ground);
            }
            count += 1;
        }
    }
    let size = frame_on_screen.canvas.unwrap_or_else(|| {
        windows
            .iter()
            .next()
            .map(|w| Vec2::new(w.width(), w.height()))
            .unwrap_or(Vec2::new(1280.0, 720.0))
    });
    let (lo, hi) = data.home_extent();
    commands.insert_resource(HomeView(camera::home_view_in(lo, hi, size, frame_on_screen.free(size))));
    spawned.write(ParkSpawned { entities: count });
    info!("park spawned: {count} entities for {} layers", data.layers.len());
}
