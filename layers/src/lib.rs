//! ParkTwin's map layers: one registry for every layer — built in, described by a file, or
//! added by a plugin — with its id, titles, scenario group, legend, visibility, z-order,
//! opacity, how a picked feature is identified and whether it follows time; and the plugin that
//! applies the registry to the entities drawn for each layer.
//!
//! An integrator's plugin adds a layer with [`MapLayerAppExt::add_map_layer`], tags its
//! entities with [`LayerMember`] and [`parktwin_scene::FeatureRef`], and the layer tree, the
//! toggles, the opacity slider and identify work for it as for any other (see
//! `docs/layers.md`).

pub mod described;
pub mod incident;
pub mod live;
#[cfg(not(target_arch = "wasm32"))]
pub mod models;
pub mod overlay;

use std::collections::HashSet;

use bevy::prelude::*;
use parktwin_api::descriptor::{IdentifyField, VisibleRange};
use parktwin_api::layer::LayerId;
use parktwin_api::model::{LayerGroup, LayerInfo};
use parktwin_scene::style::{LegendItem, legend};
use parktwin_scene::{FeatureProperties, FeatureRef, LayerMember, OrbitCamera, ParkData, Selection};

/// One row of what identify shows: label, label in Chinese, value.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifyRow {
    /// Label.
    pub label: String,
    /// Label in Chinese.
    pub label_zh: String,
    /// Value, with its unit.
    pub value: String,
}

/// How a picked feature of a layer is identified.
#[derive(Debug, Clone)]
pub enum Identify {
    /// By the client's own panels (the built-in layers: a detector's chart, a truck's track).
    BuiltIn,
    /// By listed properties of the entity's [`FeatureProperties`] (all of them when empty).
    Properties(Vec<IdentifyField>),
    /// By the layer's own function of the world and the picked entity (plugin layers).
    Custom(fn(&World, Entity) -> Vec<IdentifyRow>),
}

impl PartialEq for Identify {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Identify::BuiltIn, Identify::BuiltIn) => true,
            (Identify::Properties(a), Identify::Properties(b)) => a == b,
            (Identify::Custom(a), Identify::Custom(b)) => std::ptr::fn_addr_eq(*a, *b),
            _ => false,
        }
    }
}

/// One layer as the map knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLayer {
    /// The catalog entry (id, titles, group, default visibility).
    pub info: LayerInfo,
    /// Whether the operator wants it drawn.
    pub visible: bool,
    /// Drawing order: higher draws over lower; the layer tree lists layers in this order.
    pub z_order: i32,
    /// 0 (transparent) to 1.
    pub opacity: f32,
    /// What its colours mean.
    pub legend: Vec<LegendItem>,
    /// How a picked feature is identified.
    pub identify: Identify,
    /// Whether its features change with time (a replay moves them with its clock).
    pub follows_time: bool,
    /// Camera distances at which it is drawn (always when none).
    pub visible_range: Option<VisibleRange>,
    /// Whether the camera is within [`MapLayer::visible_range`] now.
    pub in_range: bool,
}

impl MapLayer {
    /// A layer with the defaults: visible as its catalog says, opaque, identified by the
    /// client's own panels, fixed in time, always in range.
    pub fn new(info: LayerInfo, z_order: i32, legend: Vec<LegendItem>) -> Self {
        Self {
            visible: info.default_visible,
            info,
            z_order,
            opacity: 1.0,
            legend,
            identify: Identify::BuiltIn,
            follows_time: false,
            visible_range: None,
            in_range: true,
        }
    }

    /// Whether it is drawn now: wanted, and the camera within its range.
    pub fn shown(&self) -> bool {
        self.visible && self.in_range
    }
}

/// The built-in layers whose features follow time (live data).
pub const LIVE_LAYERS: [LayerId; 3] = [LayerId::DETECTORS, LayerId::VEHICLES, LayerId::GATES];

/// Every layer of the map, in drawing order.
#[derive(Resource, Debug, Clone, Default)]
pub struct LayerRegistry {
    layers: Vec<MapLayer>,
}

impl LayerRegistry {
    /// A registry from the server's catalog, each layer at its default visibility. Descriptor
    /// layers of the catalog are left to [`described`], which adds them as their data comes.
    pub fn from_catalog(catalog: &[LayerInfo]) -> Self {
        let mut r = Self::default();
        r.merge_catalog(catalog);
        r
    }

    /// Adds the catalog's built-in layers (z-order by catalog position), keeping the layers
    /// already registered (plugins', descriptors') and what the operator set on them.
    pub fn merge_catalog(&mut self, catalog: &[LayerInfo]) {
        for (z, info) in catalog.iter().filter(|i| i.descriptor.is_none()).enumerate() {
            let mut l = MapLayer::new(info.clone(), z as i32, legend(&info.id));
            l.follows_time = LIVE_LAYERS.iter().any(|id| info.id == *id);
            self.insert(l);
        }
    }

    /// Adds a layer, or replaces the one with its id (keeping the operator's visibility and
    /// opacity for it).
    pub fn insert(&mut self, mut layer: MapLayer) {
        if let Some(old) = self.layers.iter_mut().find(|l| l.info.id == layer.info.id) {
            layer.visible = old.visible;
            layer.opacity = old.opacity;
            layer.in_range = old.in_range;
            *old = layer;
        } else {
            self.layers.push(layer);
        }
        // Stable: equal z-orders keep the order they came in.
        self.layers.sort_by_key(|l| l.z_order);
    }

    /// Removes a layer; returns whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let n = self.layers.len();
        self.layers.retain(|l| l.info.id != id);
        n != self.layers.len()
    }

    /// All layers, in drawing order.
    pub fn layers(&self) -> &[MapLayer] {
        &self.layers
    }

    /// The layer with this id.
    pub fn get(&self, id: &str) -> Option<&MapLayer> {
        self.layers.iter().find(|l| l.info.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut MapLayer> {
        self.layers.iter_mut().find(|l| l.info.id == id)
    }

    /// Shows or hides a layer; returns false for an unknown id.
    pub fn set_visible(&mut self, id: &str, visible: bool) -> bool {
        self.get_mut(id).map(|l| l.visible = visible).is_some()
    }

    /// Sets a layer's opacity (clamped to 0–1); returns false for an unknown id.
    pub fn set_opacity(&mut self, id: &str, opacity: f32) -> bool {
        self.get_mut(id).map(|l| l.opacity = opacity.clamp(0.0, 1.0)).is_some()
    }

    /// Whether a layer is drawn now (unknown layers are).
    pub fn is_visible(&self, id: &str) -> bool {
        self.get(id).is_none_or(MapLayer::shown)
    }

    /// The layers whose [`MapLayer::in_range`] changes at this camera distance.
    fn range_flips(&self, distance: f32) -> Vec<String> {
        self.layers
            .iter()
            .filter(|l| l.visible_range.is_none_or(|r| r.contains(f64::from(distance))) != l.in_range)
            .map(|l| l.info.id.clone())
            .collect()
    }

    /// The layers grouped by scenario, groups in the order they first appear.
    pub fn by_group(&self) -> Vec<(LayerGroup, Vec<&MapLayer>)> {
        let mut out: Vec<(LayerGroup, Vec<&MapLayer>)> = Vec::new();
        for l in &self.layers {
            match out.iter_mut().find(|(g, _)| *g == l.info.group) {
                Some((_, v)) => v.push(l),
                None => out.push((l.info.group, vec![l])),
            }
        }
        out
    }
}

/// Adds layers to the map from a plugin.
pub trait MapLayerAppExt {
    /// Registers a layer: it appears in the layer tree and its entities (tagged with
    /// [`LayerMember`]) follow its visibility and opacity.
    fn add_map_layer(&mut self, layer: MapLayer) -> &mut Self;
}

impl MapLayerAppExt for App {
    fn add_map_layer(&mut self, layer: MapLayer) -> &mut Self {
        self.init_resource::<LayerRegistry>();
        self.world_mut().resource_mut::<LayerRegistry>().insert(layer);
        self
    }
}

/// What identify found for the selection, for layers that are not identified by the client's
/// own panels.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Identified {
    /// The feature.
    pub of: Option<FeatureRef>,
    /// Its rows.
    pub rows: Vec<IdentifyRow>,
    /// The selection last looked at.
    checked: Option<FeatureRef>,
}

/// Keeps the registry in step with the loaded park and applies visibility and opacity to the
/// entities.
pub struct LayersPlugin;

/// The systems that give layers' entities their visibility and opacity: what changes an
/// entity's visibility for another reason runs after them.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayersApplied;

impl Plugin for LayersPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LayerRegistry>()
            .init_resource::<Identified>()
            .add_systems(
                Update,
                (
                    registry_from_park.run_if(resource_added::<ParkData>),
                    layers_in_range,
                    apply_visibility,
                    apply_opacity,
                )
                    .chain()
                    .in_set(LayersApplied),
            )
            .add_systems(PostUpdate, identify_selection);
    }
}

fn registry_from_park(data: Res<ParkData>, mut registry: ResMut<LayerRegistry>) {
    let catalog: Vec<LayerInfo> = data.layers.iter().map(|(info, _)| info.clone()).collect();
    registry.merge_catalog(&catalog);
}

/// Flips [`MapLayer::in_range`] as the camera crosses a layer's visible range (the registry
/// changes only on a crossing).
fn layers_in_range(rig: Query<&OrbitCamera>, mut registry: ResMut<LayerRegistry>) {
    let Ok(rig) = rig.single() else { return };
    for id in registry.range_flips(rig.distance) {
        if let Some(l) = registry.get_mut(&id) {
            l.in_range = !l.in_range;
        }
    }
}

fn apply_visibility(registry: Res<LayerRegistry>, mut q: Query<(Ref<LayerMember>, &mut Visibility)>) {
    for (member, mut vis) in &mut q {
        if !registry.is_changed() && !member.is_added() {
            continue;
        }
        let want = if registry.is_visible(&member.0) {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *vis != want {
            *vis = want;
        }
    }
}

/// Gives each layer's materials its opacity (blended below 1). Materials are per layer
/// ([`parktwin_scene::SceneAssets`]), so one layer's slider never fades another.
fn apply_opacity(
    registry: Res<LayerRegistry>,
    q: Query<(Ref<LayerMember>, Ref<MeshMaterial3d<StandardMaterial>>)>,
    materials: Option<ResMut<Assets<StandardMaterial>>>,
) {
    let Some(mut materials) = materials else { return };
    let mut done: HashSet<AssetId<StandardMaterial>> = HashSet::new();
    for (member, mat) in &q {
        if !registry.is_changed() && !member.is_added() && !mat.is_changed() {
            continue;
        }
        if !done.insert(mat.id()) {
            continue;
        }
        let opacity = registry.get(&member.0).map_or(1.0, |l| l.opacity);
        let Some(m) = materials.get(mat.id()) else { continue };
        let want = if opacity < 1.0 {
            AlphaMode::Blend
        } else {
            AlphaMode::Opaque
        };
        if ((m.base_color.alpha() - opacity).abs() > 1e-3 || m.alpha_mode != want)
            && let Some(mut m) = materials.get_mut(mat.id())
        {
            m.base_color.set_alpha(opacity);
            m.alpha_mode = want;
        }
    }
}

/// Identifies the selection by its layer's [`Identify`], when the selection changes.
fn identify_selection(world: &mut World) {
    let Some(selection) = world.get_resource::<Selection>().map(|s| s.0.clone()) else {
        return;
    };
    if world.resource::<Identified>().checked == selection && !world.is_resource_changed::<Selection>() {
        return;
    }
    let rows = selection.as_ref().and_then(|f| {
        let how = world.resource::<LayerRegistry>().get(&f.layer)?.identify.clone();
        let entity = world
            .query::<(Entity, &FeatureRef)>()
            .iter(world)
            .find(|(_, r)| *r == f)
            .map(|(e, _)| e)?;
        match how {
            Identify::BuiltIn => None,
            Identify::Properties(fields) => {
                let props = world.get::<FeatureProperties>(entity)?;
                Some(
                    parktwin_api::descriptor::identify_rows(&fields, &props.0)
                        .into_iter()
                        .map(|(label, label_zh, value)| IdentifyRow { label, label_zh, value })
                        .collect(),
                )
            }
            Identify::Custom(f) => Some(f(world, entity)),
        }
    });
    let mut id = world.resource_mut::<Identified>();
    let want = Identified {
        of: rows.is_some().then(|| selection.clone()).flatten(),
        rows: rows.unwrap_or_default(),
        checked: selection,
    };
    if *id != want {
        *id = want;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, group: LayerGroup, visible: bool) -> LayerInfo {
        LayerInfo {
            id: id.into(),
            title: id.into(),
            title_zh: id.into(),
            group,
            default_visible: visible,
            feature_count: 1,
            descriptor: None,
        }
    }

    #[test]
    fn registry_groups_and_toggles() {
        let mut r = LayerRegistry::from_catalog(&[
            info("roads", LayerGroup::Base, true),
            info("tanks", LayerGroup::Safety, true),
            info("cameras", LayerGroup::ClosedManagement, false),
            info("buildings", LayerGroup::Base, true),
        ]);
        let groups = r.by_group();
        assert_eq!(groups.len(), 3);
        assert_eq!(
            groups[0].1.iter().map(|l| l.info.id.as_str()).collect::<Vec<_>>(),
            ["roads", "buildings"]
        );
        assert!(!r.is_visible("cameras"));
        assert!(r.set_visible("cameras", true) && r.is_visible("cameras"));
        assert!(!r.set_visible("nope", true));
        assert_eq!(r.get("tanks").map(|l| l.legend[0].label.as_str()), Some("Storage tank"));
    }

    #[test]
    fn plugin_layers_survive_the_catalog_and_sort_by_z_order() {
        let mut app = App::new();
        app.add_plugins(LayersPlugin);
        let mut mine = MapLayer::new(info("hydrants", LayerGroup::Emergency, true), 50, Vec::new());
        mine.identify = Identify::Custom(|_, _| Vec::new());
        app.add_map_layer(mine);
        let mut r = app.world_mut().resource_mut::<LayerRegistry>();
        r.merge_catalog(&[
            info("roads", LayerGroup::Base, true),
            info("tanks", LayerGroup::Safety, true),
        ]);
        let ids: Vec<&str> = r.layers().iter().map(|l| l.info.id.as_str()).collect();
        assert_eq!(ids, ["roads", "tanks", "hydrants"]);
        assert!(r.set_opacity("hydrants", 1.7));
        assert_eq!(r.get("hydrants").map(|l| l.opacity), Some(1.0));
        assert!(matches!(
            r.get("hydrants").map(|l| &l.identify),
            Some(Identify::Custom(_))
        ));
        assert!(r.remove("hydrants") && !r.remove("hydrants"));
    }

    #[test]
    fn a_layer_out_of_its_camera_range_is_hidden() {
        let mut r = LayerRegistry::default();
        let mut l = MapLayer::new(info("valves", LayerGroup::PipeGallery, true), 0, Vec::new());
        l.visible_range = Some(VisibleRange {
            min_m: 0.0,
            max_m: Some(2500.0),
        });
        r.insert(l);
        assert!(r.is_visible("valves"));
        assert_eq!(r.range_flips(1000.0), Vec::<String>::new());
        assert_eq!(r.range_flips(4000.0), ["valves"]);
        if let Some(l) = r.get_mut("valves") {
            l.in_range = false;
        }
        assert!(!r.is_visible("valves"));
        assert!(
            r.set_visible("valves", true) && !r.is_visible("valves"),
            "still out of range"
        );
    }

    #[test]
    fn hiding_a_layer_hides_its_entities() {
        let mut app = App::new();
        app.add_plugins(LayersPlugin);
        app.insert_resource(LayerRegistry::from_catalog(&[info("tanks", LayerGroup::Safety, true)]));
        let e = app
            .world_mut()
            .spawn((LayerMember("tanks".into()), Visibility::Inherited))
            .id();
        app.update();
        assert_eq!(app.world().get::<Visibility>(e), Some(&Visibility::Inherited));
        app.world_mut()
            .resource_mut::<LayerRegistry>()
            .set_visible("tanks", false);
        app.update();
        assert_eq!(app.world().get::<Visibility>(e), Some(&Visibility::Hidden));
    }
}
