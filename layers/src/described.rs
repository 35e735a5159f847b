//! Descriptor layers on the map: whatever fetches them (the client's loader thread, from a
//! folder or the server's catalog) puts each one here with its features; this plugin draws it,
//! registers it, and redraws it when it changes. A layer that fails to load is only reported:
//! the previous good version (if any) stays drawn, and every other layer keeps working.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use geojson::FeatureCollection;
use parktwin_api::descriptor::{Descriptor, DescriptorError};
use parktwin_api::model::LayerInfo;
use parktwin_scene::{FeatureProperties, MapLabel, ParkData, SceneAssets, spawn_item};

use crate::{Identify, LayerRegistry, MapLayer};

/// The z-order of a descriptor layer that names none: over the built-in layers.
pub const DEFAULT_Z: i32 = 100;

/// A descriptor layer with its features.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribedLayer {
    /// The descriptor.
    pub descriptor: Descriptor,
    /// Where it came from: the descriptor file, or the server's catalog.
    pub origin: String,
    /// Its features, as last fetched.
    pub features: FeatureCollection,
    /// The bytes of the glTF model its style places at its points, as fetched.
    pub model: Option<std::sync::Arc<[u8]>>,
}

impl DescribedLayer {
    /// A device layer with the readings folded into the live state written over its
    /// features' (device → quantity → value and time; see
    /// [`parktwin_api::readings::overlay_reading`]): a drill's tank rising shows on the map and
    /// in the panel's views. `None` when it is no device layer or nothing changes.
    pub fn with_readings(
        &self,
        readings: &std::collections::HashMap<String, BTreeMap<String, (f64, String)>>,
    ) -> Option<DescribedLayer> {
        if self.descriptor.source.device_kinds().is_empty() || readings.is_empty() {
            return None;
        }
        let mut out = self.clone();
        let mut changed = false;
        for f in &mut out.features.features {
            let Some(of) = parktwin_api::validate::feature_id(f).and_then(|id| readings.get(id)) else {
                continue;
            };
            let props = f.properties.get_or_insert_with(Default::default);
            for (q, (value, time)) in of {
                changed |= parktwin_api::readings::overlay_reading(props, q, *value, time);
            }
        }
        changed.then_some(out)
    }
}

/// Every descriptor layer the map has, and every descriptor problem to report.
#[derive(Resource, Debug, Default)]
pub struct DescribedLayers {
    layers: BTreeMap<String, DescribedLayer>,
    dirty: BTreeSet<String>,
    /// Descriptors that could not be used (file, line, field, reason).
    pub problems: Vec<DescriptorError>,
    /// Layers whose model could not be drawn (see [`crate::models`]).
    pub model_problems: Vec<DescriptorError>,
    /// Whether the first load is over (all sources fetched once); a rendered frame waits for it.
    pub settled: bool,
}

impl DescribedLayers {
    /// Adds or replaces a layer; it is redrawn on the next frame.
    pub fn put(&mut self, layer: DescribedLayer) {
        let id = layer.descriptor.id.clone();
        if self.layers.get(&id) != Some(&layer) {
            self.layers.insert(id.clone(), layer);
            self.dirty.insert(id);
        }
    }

    /// Every problem: the descriptors' and their models'.
    pub fn all_problems(&self) -> Vec<DescriptorError> {
        self.problems.iter().chain(&self.model_problems).cloned().collect()
    }

    /// Removes a layer (its file was deleted).
    pub fn remove(&mut self, id: &str) {
        if self.layers.remove(id).is_some() {
            self.dirty.insert(id.to_string());
        }
    }

    /// The layer with this id.
    pub fn get(&self, id: &str) -> Option<&DescribedLayer> {
        self.layers.get(id)
    }

    /// The layers, by id.
    pub fn iter(&self) -> impl Iterator<Item = &DescribedLayer> {
        self.layers.values()
    }
}

/// Marks an entity drawn for a descriptor layer (by the layer's id).
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Described(pub String);

/// The registry entry of a descriptor layer.
pub fn map_layer(d: &Descriptor, feature_count: usize) -> MapLayer {
    let mut l = MapLayer::new(
        LayerInfo::from_descriptor(d, feature_count),
        d.z_order.unwrap_or(DEFAULT_Z),
        d.legend(),
    );
    l.opacity = d.opacity;
    l.identify = Identify::Properties(d.identify.clone());
    l.follows_time = d.follows_time;
    l.visible_range = d.style.visible_range;
    l
}

/// In the browser, which has no glTF loader (see layers/Cargo.toml), a layer's model is listed
/// among the layer problems; its points are not drawn.
#[cfg(target_arch = "wasm32")]
fn models_not_in_browser(mut described: ResMut<DescribedLayers>) {
    if !described.is_changed() {
        return;
    }
    let problems: Vec<DescriptorError> = described
        .layers
        .values()
        .filter(|l| l.descriptor.style.model.is_some())
        .map(|l| DescriptorError {
            file: l.origin.clone(),
            line: None,
            field: Some("style.model".into()),
            reason: "glTF models are drawn by the desktop client; the browser build leaves the loader out".into(),
        })
        .collect();
    if described.model_problems != problems {
        described.model_problems = problems;
    }
}

/// Draws descriptor layers as they come and go.
pub struct DescribedLayersPlugin;

impl Plugin for DescribedLayersPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<DescribedLayers>()
            .init_resource::<SceneAssets>()
            .add_systems(Update, draw_described.before(crate::apply_visibility));
        #[cfg(not(target_arch = "wasm32"))]
        app.init_resource::<crate::models::ModelStatus>()
            .init_resource::<crate::models::ModelFiles>()
            .add_systems(
                Update,
                (
                    crate::models::attach_models.after(draw_described),
                    crate::models::model_status,
                )
                    .chain(),
            );
        #[cfg(target_arch = "wasm32")]
        app.add_systems(Update, models_not_in_browser);
    }
}

#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
fn draw_described(
    mut commands: Commands,
    data: Option<Res<ParkData>>,
    mut described: ResMut<DescribedLayers>,
    drawn: Query<(Entity, &Described)>,
    mut registry: ResMut<LayerRegistry>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut assets: ResMut<SceneAssets>,
) {
    let Some(data) = data else { return };
    if described.dirty.is_empty() {
        return;
    }
    let frame = data.park.frame();
    let dirty = std::mem::take(&mut described.dirty);
    for id in dirty {
        for (e, d) in &drawn {
            if d.0 == id {
                commands.entity(e).despawn();
            }
        }
        let Some(layer) = described.layers.get(&id) else {
            registry.remove(&id);
            info!("layer {id} removed");
            continue;
        };
        let d = &layer.descriptor;
        let entry = map_layer(d, layer.features.features.len());
        // A changed descriptor takes its own visibility and opacity; a refresh of its data
        // keeps what the operator set.
        let same = registry
            .get(&id)
            .is_some_and(|old| old.info.descriptor.as_ref() == Some(d));
        if !same {
            registry.remove(&id);
        }
        let z = entry.z_order;
        registry.insert(entry);
        let mut count = 0;
        for item in parktwin_scene::described::items(&frame, d, &layer.features, z) {
            let e = spawn_item(&mut commands, &mut meshes, &mut materials, &mut assets, item.item);
            let mut ec = commands.entity(e);
            ec.insert((Described(id.clone()), FeatureProperties(item.properties)));
            if let Some((en, zh, at)) = item.label {
                ec.insert(MapLabel {
                    en,
                    zh,
                    at: Vec3::from(at),
                });
            }
            count += 1;
        }
        info!("layer {id}: {count} features drawn from {}", layer.origin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(endpoint: &str) -> DescribedLayer {
        let toml = format!("id = \"d\"\ntitle = \"D\"\ngroup = \"safety\"\n[source]\nendpoint = \"{endpoint}\"\n");
        DescribedLayer {
            descriptor: parktwin_api::descriptor::parse_toml("d.toml", &toml).expect("a descriptor"),
            origin: "test".into(),
            features: serde_json::from_value(serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "LT-1", "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
                 "properties": {"level": 73.0, "level_band": "normal", "level_high": 85.0, "limits": "normal",
                    "time": "2026-12-07T10:00:00.000Z"}},
                {"type": "Feature", "id": "LT-2", "geometry": {"type": "Point", "coordinates": [118.46, 37.56]},
                 "properties": {"level": 40.0, "level_band": "normal", "limits": "normal"}},
            ]}))
            .expect("features"),
            model: None,
        }
    }

    #[test]
    fn a_drills_readings_are_written_over_the_device_layer_they_belong_to() {
        let mut readings = std::collections::HashMap::new();
        readings.insert(
            "LT-1".to_string(),
            BTreeMap::from([("level".to_string(), (90.0, "2026-12-07T10:15:00.000Z".to_string()))]),
        );
        let l = layer("/api/v1/devices/geojson?kind=tank_level");
        let over = l.with_readings(&readings).expect("changed");
        let p = over.features.features[0].properties.as_ref().expect("properties");
        assert_eq!(
            (p["level"].as_f64(), p["level_band"].as_str()),
            (Some(90.0), Some("high"))
        );
        assert_eq!(p["limits"], "exceedance");
        assert_eq!(
            over.features.features[1], l.features.features[1],
            "another tank untouched"
        );
        assert!(over.with_readings(&readings).is_none(), "written once");
        assert!(
            layer("/api/v1/layers/tanks").with_readings(&readings).is_none(),
            "no device layer"
        );
    }
}
