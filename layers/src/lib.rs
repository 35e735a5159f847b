//! ParkTwin's map layers: one registry for every layer (id, titles, scenario group, legend,
//! visibility, z-order), and the plugin that applies it to the entities drawn for each layer.

pub mod live;
pub mod overlay;

use bevy::prelude::*;
use parktwin_api::model::{LayerGroup, LayerInfo};
use parktwin_scene::style::{LegendItem, legend};
use parktwin_scene::{LayerMember, ParkData};

/// One layer as the map knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLayer {
    /// The catalog entry (id, titles, group, default visibility).
    pub info: LayerInfo,
    /// Whether it is drawn now.
    pub visible: bool,
    /// Drawing order: later layers draw over earlier ones.
    pub z_order: usize,
    /// What its colours mean.
    pub legend: Vec<LegendItem>,
}

/// Every layer of the map, in drawing order.
#[derive(Resource, Debug, Clone, Default)]
pub struct LayerRegistry {
    layers: Vec<MapLayer>,
}

impl LayerRegistry {
    /// A registry from the server's catalog, each layer at its default visibility.
    pub fn from_catalog(catalog: &[LayerInfo]) -> Self {
        let layers = catalog
            .iter()
            .enumerate()
            .map(|(z, info)| MapLayer {
                info: info.clone(),
                visible: info.default_visible,
                z_order: z,
                legend: legend(&info.id),
            })
            .collect();
        Self { layers }
    }

    /// All layers, in drawing order.
    pub fn layers(&self) -> &[MapLayer] {
        &self.layers
    }

    /// The layer with this id.
    pub fn get(&self, id: &str) -> Option<&MapLayer> {
        self.layers.iter().find(|l| l.info.id == id)
    }

    /// Shows or hides a layer; returns false for an unknown id.
    pub fn set_visible(&mut self, id: &str, visible: bool) -> bool {
        match self.layers.iter_mut().find(|l| l.info.id == id) {
            Some(l) => {
                l.visible = visible;
                true
            }
            None => false,
        }
    }

    /// Whether a layer is drawn (unknown layers are).
    pub fn is_visible(&self, id: &str) -> bool {
        self.get(id).is_none_or(|l| l.visible)
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

/// Keeps the registry in step with the loaded park and applies visibility to the entities.
pub struct LayersPlugin;

impl Plugin for LayersPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LayerRegistry>().add_systems(
            Update,
            (registry_from_park.run_if(resource_added::<ParkData>), apply_visibility).chain(),
        );
    }
}

fn registry_from_park(data: Res<ParkData>, mut registry: ResMut<LayerRegistry>) {
    let catalog: Vec<LayerInfo> = data.layers.iter().map(|(info, _)| info.clone()).collect();
    *registry = LayerRegistry::from_catalog(&catalog);
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
