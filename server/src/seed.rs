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
    /// The park's emergency plans (`park/plans.json`, where there is one), checked.
    pub plans: Vec<parktwin_api::emergency::Plan>,
    /// The devices the park starts with (`crate::demo_devices`): its detectors, tanks' and
    /// pipes' gauges, cameras, and the stations, outfalls, meters, substations and fence zones
    /// of its descriptors.
    pub devices: Vec<parktwin_api::device::Device>,
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
    let plans = read_plans(assets, &layers, &hazards, &chemicals)?;
    let mut described = std::collections::HashMap::new();
    for id in ["air_quality", "outfalls", "energy_use", "substations", "fence_segments"] {
        let path = assets
            .join("park")
            .join(crate::DESCRIPTOR_DIR)
            .join(format!("{id}.geojson"));
        if path.exists() {
            let file = path.display().to_string();
            described.insert(id, parse_layer_file(&file, &read(&path)?)?);
        }
    }
    let layer = |id: &str| -> &[Feature] {
        layers
            .iter()
            .find(|(l, _)| l.id == id)
            .map_or(&[], |(_, f)| f.as_slice())
    };
    let descriptor = |id: &str| -> &[Feature] { described.get(id).map_or(&[], Vec::as_slice) };
    let devices = crate::demo_devices::demo_devices(&crate::demo_devices::DemoSources {
        layer: &layer,
        descriptor: &descriptor,
    });
    Ok(SeedData {
        park: manifest.park,
        chemicals,
        layers,
        hazards,
        plans,
        devices,
    })
}

/// The emergency plans of `park/plans.json` (none when there is no such file), each checked
/// against the park: its hazard sources, chemicals and resources (the emergency resources'
/// layer and the emergency vehicles' descriptor file).
fn read_plans(
    assets: &Path,
    layers: &[(LayerManifestEntry, Vec<Feature>)],
    hazards: &[HazardSource],
    chemicals: &ChemicalTable,
) -> Result<Vec<parktwin_api::emergency::Plan>, SeedError> {
    use parktwin_api::emergency::{Plan, PlanContext, is_plan_id};
    let path = assets.join("park").join("plans.json");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let plans: Vec<Plan> = json(&path)?;
    let mut resources: Vec<String> = layers
        .iter()
        .filter(|(l, _)| l.id == "emergency_resources")
        .flat_map(|(_, fs)| fs.iter().filter_map(|f| feature_id(f).map(str::to_string)))
        .collect();
    let vehicles = assets
        .join("park")
        .join(crate::DESCRIPTOR_DIR)
        .join("emergency_vehicles.geojson");
    if vehicles.exists() {
        let v: serde_json::Value = json(&vehicles)?;
        resources.extend(
            v["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["id"].as_str().map(str::to_string)),
        );
    }
    let hazard_ids: Vec<String> = hazards.iter().map(|h| h.id.clone()).collect();
    let chemical_names: Vec<String> = chemicals.chemicals.iter().map(|c| c.name.clone()).collect();
    let park = PlanContext {
        hazard_sources: &hazard_ids,
        chemicals: &chemical_names,
        resources: &resources,
    };
    for (i, p) in plans.iter().enumerate() {
        let mut problems = p.body.problems(park);
        if !is_plan_id(&p.id) {
            problems.insert(0, "id: 1 to 64 letters, digits, '-' or '_'".into());
        }
        if plans[..i].iter().any(|q| q.id == p.id) {
            problems.insert(0, "id: another plan has it".into());
        }
        if !problems.is_empty() {
            return Err(SeedError {
                file: path.display().to_string(),
                feature: Some(format!("plan #{i} (id \"{}\")", p.id)),
                reason: problems.join("; "),
            });
        }
    }
    Ok(plans)
}
