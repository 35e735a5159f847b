//! Reading and checking the park assets the database is seeded from.

use std::path::Path;

use geojson::Feature;

use parktwin_api::grading::hazard_from_feature;
use parktwin_api::model::{ChemicalTable, HazardSource, LayerManifestEntry, Park, ParkManifest};
use parktwin_api::validate::{LayerFileError, feature_id, parse_layer_file};

/// A seed that failed: the file, the feature and the reason.
pub type SeedError = LayerFileError;

/// Everything the database is seeded with, checked.
#[derive(Debug, Clone)]
pub struct SeedData {
    /// The park.
    pub park: Park,
    /// The chemical table.
    pub chemicals: ChemicalTable,
    /// Each layer with its features, in drawing order.
    pub layers: Vec<(LayerManifestEntry, Vec<Feature>)>,
    /// The graded major hazard sources (from the `hazards` layer).
    pub hazards: Vec<HazardSource>,
}

fn read(path: &Path) -> Result<String, SeedError> {
    std::fs::read_to_string(path).map_err(|e| SeedError {
        file: path.display().to_string(),
        feature: None,
        reason: format!("cannot read: {e}"),
    })
}

fn json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SeedError> {
    serde_json::from_str(&read(path)?).map_err(|e| SeedError {
        file: path.display().to_string(),
        feature: None,
        reason: e.to_string(),
    })
}

/// Reads `park/park.json`, `chemicals.json` and every layer file under `assets`, checking each
/// layer against RFC 7946 and grading the hazard sources. Nothing is written anywhere.
pub fn load_assets(assets: &Path) -> Result<SeedData, SeedError> {
    let manifest_path = assets.join("park").join("park.json");
    let manifest: ParkManifest = json(&manifest_path)?;
    let chemicals: ChemicalTable = json(&assets.join("chemicals.json"))?;
    let mut layers = Vec::new();
    let mut hazards = Vec::new();
    for entry in manifest.layers {
        if layers.iter().any(|(l, _): &(LayerManifestEntry, _)| l.id == entry.id) {
            return Err(SeedError {
                file: manifest_path.display().to_string(),
                feature: None,
                reason: format!("layer id \"{}\" appears twice", entry.id),
            });
        }
        let path = manifest_path.parent().unwrap_or(assets).join(&entry.file);
        let file = path.display().to_string();
        let mut features = parse_layer_file(&file, &read(&path)?)?;
        if entry.id == "hazards" {
            for (i, f) in features.iter_mut().enumerate() {
                let id = feature_id(f).unwrap_or_default().to_string();
                let props = f.properties.get_or_insert_with(Default::default);
                let h = hazard_from_feature(&id, props, &chemicals).map_err(|reason| SeedError {
                    file: file.clone(),
                    feature: Some(format!("#{i} (id \"{id}\")")),
                    reason,
                })?;
                props.insert("r".into(), h.r.into());
                props.insert("level".into(), h.level.into());
                props.insert("alpha".into(), h.alpha.into());
                hazards.push(h);
            }
        }
        layers.push((entry, features));
    }
    Ok(SeedData {
        park: manifest.park,
        chemicals,
        layers,
        hazards,
    })
}
