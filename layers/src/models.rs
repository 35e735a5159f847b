//! glTF models that descriptor layers place at their points (`[style.model]`: a building's BIM
//! export, a pump), drawn through Bevy's own glTF loader. The layer task fetches a model's
//! bytes (a file beside a local descriptor, or over HTTP from the server or a URL) and they are
//! handed to the loader through an in-memory asset source, `parktwin://`, so that one path
//! serves the desktop and the browser alike. Each placement is an entity with the layer's tags
//! whose children are the model's scene; a model that cannot be read is reported with the
//! layer's descriptor problems.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use bevy::asset::io::memory::{Dir, MemoryAssetReader};
use bevy::asset::io::{AssetSourceBuilder, AssetSourceId};
use bevy::asset::{AssetPath, LoadState};
use bevy::gltf::{Gltf, GltfAssetLabel};
use bevy::prelude::*;
use bevy::world_serialization::{WorldAsset, WorldAssetRoot, WorldInstance};
use parktwin_api::descriptor::DescriptorError;
use parktwin_scene::ModelSpot;

use crate::described::{Described, DescribedLayers};

/// The asset source the models are read from.
pub const SOURCE: &str = "parktwin";

/// The in-memory folder behind [`SOURCE`], and each layer's model loaded from it.
#[derive(Resource, Clone, Default)]
pub struct ModelFiles {
    dir: Dir,
    /// By layer id: the path its bytes were put at, the file loaded from them (whose state
    /// tells a failure) and its first scene.
    loaded: HashMap<String, (PathBuf, Handle<Gltf>, Handle<WorldAsset>)>,
}

/// Registers the `parktwin://` asset source. It must come before Bevy's `AssetPlugin` (that
/// is, before `DefaultPlugins`).
pub fn register_model_source(app: &mut App) {
    let files = ModelFiles::default();
    let dir = files.dir.clone();
    app.register_asset_source(
        AssetSourceId::from(SOURCE),
        AssetSourceBuilder::new(move || Box::new(MemoryAssetReader { root: dir.clone() })),
    )
    .insert_resource(files);
}

/// The path a layer's model bytes are put at: named by the layer and by the bytes' hash, so
/// that a changed model is a new asset (the memory source is not watched).
pub fn model_path(layer: &str, bytes: &[u8]) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let safe: String = layer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("models/{safe}-{:016x}.glb", h.finish()))
}

impl ModelFiles {
    /// A layer's model file and its first scene, loading them from `bytes` when they are new.
    pub fn scene(&mut self, assets: &AssetServer, layer: &str, bytes: &[u8]) -> (Handle<Gltf>, Handle<WorldAsset>) {
        let path = model_path(layer, bytes);
        if let Some((p, file, scene)) = self.loaded.get(layer)
            && *p == path
        {
            return (file.clone(), scene.clone());
        }
        self.forget(layer);
        self.dir.insert_asset(&path, bytes.to_vec());
        let asset = AssetPath::from(path.clone()).with_source(AssetSourceId::from(SOURCE));
        let file: Handle<Gltf> = assets.load(asset.clone());
        let scene = assets.load(GltfAssetLabel::Scene(0).from_asset(asset));
        self.loaded
            .insert(layer.to_string(), (path, file.clone(), scene.clone()));
        (file, scene)
    }

    /// Forgets a removed layer's model.
    pub fn forget(&mut self, layer: &str) {
        if let Some((old, ..)) = self.loaded.remove(layer) {
            self.dir.remove_asset(&old);
        }
    }
}

/// Spots whose model is not attached yet.
type Unplaced = (With<ModelSpot>, Without<PlacedModel>);

/// Gives each spot a layer's model stands on (drawn by the layer's `draw_described`) the
/// layer's model, loaded once a layer; forgets the models of layers that are gone.
pub fn attach_models(
    mut commands: Commands,
    described: Res<DescribedLayers>,
    spots: Query<(Entity, &Described), Unplaced>,
    server: Res<AssetServer>,
    mut models: ResMut<ModelFiles>,
) {
    let gone: Vec<String> = models
        .loaded
        .keys()
        .filter(|id| described.get(id).is_none())
        .cloned()
        .collect();
    for id in gone {
        models.forget(&id);
    }
    // A layer's bytes are hashed once a pass, not once a point.
    let mut this_pass: HashMap<String, (Handle<Gltf>, Handle<WorldAsset>)> = HashMap::new();
    for (e, of) in &spots {
        let Some(layer) = described.get(&of.0) else { continue };
        let (Some(bytes), Some(m)) = (&layer.model, &layer.descriptor.style.model) else {
            continue;
        };
        let (gltf, scene) = this_pass
            .entry(of.0.clone())
            .or_insert_with(|| models.scene(&server, &of.0, bytes))
            .clone();
        commands.entity(e).insert((
            WorldAssetRoot(scene),
            PlacedModel {
                layer: of.0.clone(),
                origin: layer.origin.clone(),
                file: m.file.clone(),
                gltf,
            },
        ));
    }
}

/// Whether every placed model has been spawned or has failed to load: a rendered frame
/// waits for it.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ModelStatus {
    /// Every placement spawned or failed.
    pub settled: bool,
}

/// Marks a placement: the layer whose model it shows and where the descriptor came from.
#[derive(Component, Debug, Clone)]
pub struct PlacedModel {
    /// The layer.
    pub layer: String,
    /// The descriptor's file or the server's catalog.
    pub origin: String,
    /// The model file the descriptor names.
    pub file: String,
    /// The loaded file.
    pub gltf: Handle<Gltf>,
}

/// Keeps [`ModelStatus`] up to date, and the models that failed among the layers' problems.
pub fn model_status(
    server: Res<AssetServer>,
    placed: Query<(&PlacedModel, &WorldAssetRoot, Has<WorldInstance>)>,
    mut status: ResMut<ModelStatus>,
    mut described: ResMut<DescribedLayers>,
) {
    let mut settled = true;
    let mut problems: Vec<DescriptorError> = Vec::new();
    for (p, root, spawned) in &placed {
        let failed = [server.load_state(p.gltf.id()), server.load_state(root.0.id())]
            .into_iter()
            .find_map(|s| match s {
                LoadState::Failed(e) => Some(e),
                _ => None,
            });
        match failed {
            // One problem a layer, however many points place its model.
            Some(e) if !problems.iter().any(|q| q.file == p.origin) => problems.push(DescriptorError {
                file: p.origin.clone(),
                line: None,
                field: Some("style.model.file".into()),
                reason: format!("{} cannot be drawn: {e}", p.file),
            }),
            None if !spawned => settled = false,
            _ => {}
        }
    }
    status.set_if_neq(ModelStatus { settled });
    if described.model_problems != problems {
        for p in &problems {
            warn!("layer model: {p}");
        }
        described.model_problems = problems;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_model_gets_a_new_path_and_odd_layer_ids_a_safe_one() {
        let a = model_path("pump houses", b"glTF one");
        assert_eq!(a, model_path("pump houses", b"glTF one"));
        assert_ne!(a, model_path("pump houses", b"glTF two"));
        let name = a.to_string_lossy().into_owned();
        assert!(
            name.starts_with("models/pump_houses-") && name.ends_with(".glb"),
            "{name}"
        );
    }
}
