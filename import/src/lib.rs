//! `parktwin-import`: a real park's GIS data into a ParkTwin park folder.
//!
//! Sources (GeoJSON, ESRI Shapefile) are read into [`source`] layers in their own coordinate
//! system; [`crs`] converts every position to WGS84; a [`mapping`] (or the file names, where
//! they already are ParkTwin's layers, [`schema`]) says which park layer each becomes; [`park`]
//! writes the folder, all or nothing. Every problem found is reported at once, with its file,
//! feature and field ([`problem`]).

pub mod crs;
pub mod hazards;
pub mod mapping;
pub mod park;
pub mod problem;
pub mod schema;
pub mod source;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use geojson::Feature;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::crs::Crs;
use crate::mapping::{LayerMap, Mapping};
use crate::problem::{ImportError, Problem};
use crate::schema::{PARK_LAYERS, ParkLayer, park_layer};
use crate::source::{SourceFeature, SourceLayer};

/// What `parktwin-server park import` was asked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The park folder to write (`--assets` of the server).
    pub out: PathBuf,
    /// The park's name (the folder's name when absent).
    pub name: Option<String>,
    /// The coordinate system of sources that name none (WGS84 when absent).
    pub crs: Option<String>,
    /// The mapping file.
    pub mapping: Option<PathBuf>,
    /// Report, write nothing.
    pub check: bool,
    /// The source files.
    pub sources: Vec<PathBuf>,
}

/// One source layer read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// Its file.
    pub file: String,
    /// Its layer name.
    pub layer: String,
    /// The park layer it became.
    pub target: String,
    /// The coordinate system its positions were read in.
    pub crs: String,
    /// Its features imported.
    pub features: usize,
}

/// A graded major hazard source.
#[derive(Debug, Clone, Serialize)]
pub struct HazardLevel {
    /// Its id.
    pub id: String,
    /// GB 18218-2018's level (1 most severe), with its R.
    pub level: u8,
    /// R of GB 18218-2018 §4.2.
    pub r: f64,
}

/// What an import did (or, with `--check`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The park written.
    pub park: parktwin_api::model::Park,
    /// Whether the folder was written (not with `--check`).
    pub written: bool,
    /// Each source layer and what it became.
    pub sources: Vec<SourceSummary>,
    /// Each park layer and its features.
    pub layers: BTreeMap<String, usize>,
    /// Features left out, and why.
    pub skipped: Vec<Problem>,
    /// The hazard sources graded.
    pub hazards: Vec<HazardLevel>,
    /// What the data lacked, and what was assumed instead.
    pub notes: Vec<Problem>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "park \"{}\" (id {}), origin {:.6}°E {:.6}°N",
            self.park.name, self.park.id, self.park.origin[0], self.park.origin[1]
        )?;
        for s in &self.sources {
            writeln!(
                f,
                "  {} [{}] → {}: {} features, read in {}",
                s.file, s.layer, s.target, s.features, s.crs
            )?;
        }
        for l in PARK_LAYERS.iter().filter(|l| self.layers.contains_key(l.id)) {
            writeln!(f, "  layer {}: {} features", l.id, self.layers[l.id])?;
        }
        for h in &self.hazards {
            writeln!(f, "  hazard source {}: level {} (R = {:.1})", h.id, h.level, h.r)?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(f, "  {} features left out:", self.skipped.len())?;
            for s in &self.skipped {
                writeln!(f, "    {s}")?;
            }
        }
        if self.written {
            write!(f, "written")
        } else {
            write!(f, "checked; nothing written")
        }
    }
}

/// Applies `f` to every position of a geometry.
fn positions_mut(
    v: &mut geojson::Value,
    f: &mut impl FnMut(&mut Vec<f64>) -> Result<(), String>,
) -> Result<(), String> {
    use geojson::Value as G;
    match v {
        G::Point(p) => f(p),
        G::MultiPoint(ps) | G::LineString(ps) => ps.iter_mut().try_for_each(f),
        G::MultiLineString(ls) | G::Polygon(ls) => ls.iter_mut().flatten().try_for_each(f),
        G::MultiPolygon(ps) => ps.iter_mut().flatten().flatten().try_for_each(f),
        G::GeometryCollection(gs) => gs.iter_mut().try_for_each(|g| positions_mut(&mut g.value, f)),
    }
}

/// Calls `f` with every position of a geometry.
fn positions(v: &geojson::Value, f: &mut impl FnMut(&[f64])) {
    use geojson::Value as G;
    match v {
        G::Point(p) => f(p),
        G::MultiPoint(ps) | G::LineString(ps) => ps.iter().for_each(|p| f(p)),
        G::MultiLineString(ls) | G::Polygon(ls) => ls.iter().flatten().for_each(|p| f(p)),
        G::MultiPolygon(ps) => ps.iter().flatten().flatten().for_each(|p| f(p)),
        G::GeometryCollection(gs) => gs.iter().for_each(|g| positions(&g.value, f)),
    }
}

/// Degrees to 1e-9 (about 0.1 mm): finer than any park's survey, coarse enough to keep files small.
fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// A feature id derived from its content: the same feature gives the same id in every import.
fn derived_id(layer: &str, f: &SourceFeature) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_string(&f.geometry).unwrap_or_default());
    h.update([0]);
    h.update(serde_json::to_string(&f.attributes).unwrap_or_default());
    let hex: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{layer}-{hex}")
}

fn text_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The park layer a source layer becomes: the mapping's entry for it, or its own name where
/// that is a park layer's id (ParkTwin's schema, taken as it is).
fn target<'m>(layer: &SourceLayer, mapping: &'m Mapping) -> Option<(&'static ParkLayer, Option<&'m LayerMap>)> {
    let file_name = std::path::Path::new(&layer.file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if let Some(m) = mapping
        .layers
        .iter()
        .find(|m| m.source == layer.name || m.source == file_name)
    {
        return park_layer(&m.target).map(|l| (l, Some(m)));
    }
    park_layer(&layer.name).map(|l| (l, None))
}

/// One source layer's features as the park layer's.
fn convert_layer(
    layer: SourceLayer,
    target: &'static ParkLayer,
    map: Option<&LayerMap>,
    default_crs: &Crs,
    problems: &mut Vec<Problem>,
    skipped: &mut Vec<Problem>,
) -> (SourceSummary, Vec<Feature>) {
    let crs = layer.crs.as_ref().unwrap_or(default_crs);
    let file = layer.file.clone();
    skipped.extend(layer.skipped.iter().cloned());
    // A mapping naming an attribute the source does not have is a typo, named once for the layer.
    if let Some(m) = map {
        let known: HashSet<&str> = match &layer.fields {
            Some(fields) => fields.iter().map(String::as_str).collect(),
            None => layer
                .features
                .iter()
                .flat_map(|f| f.attributes.keys().map(String::as_str))
                .collect(),
        };
        let named =
            m.id.iter()
                .map(|f| ("id", f))
                .chain(m.fields.iter().map(|(k, f)| (k.as_str(), f)));
        for (field, spec) in named {
            if let Some(a) = &spec.attribute
                && !known.contains(a.as_str())
                && !layer.features.is_empty()
            {
                let mut have: Vec<_> = known.iter().copied().collect();
                have.sort_unstable();
                problems.push(
                    Problem::file(
                        &file,
                        format!(
                            "the mapping takes it from attribute \"{a}\", which the source does not have (it has: {})",
                            have.join(", ")
                        ),
                    )
                    .field(field),
                );
            }
        }
    }
    let mut out = Vec::with_capacity(layer.features.len());
    for f in layer.features {
        let label = f.label();
        let Some(mut geometry) = f.geometry.clone() else {
            skipped.push(Problem::file(&file, "has no geometry").at(label));
            continue;
        };
        let converted = positions_mut(&mut geometry, &mut |p: &mut Vec<f64>| {
            if p.len() < 2 {
                return Err(format!("has a position with {} numbers", p.len()));
            }
            let (lon, lat) = crs.to_wgs84(p[0], p[1])?;
            *p = vec![round9(lon), round9(lat)];
            Ok(())
        });
        if let Err(reason) = converted {
            problems.push(Problem::file(&file, reason).at(label));
            continue;
        }
        let mut props = Map::new();
        let mut bad = false;
        let id = match map {
            None => f.id.clone().or_else(|| f.attributes.get("id").and_then(text_id)),
            Some(m) => match &m.id {
                None => None,
                Some(spec) => match spec.value(&f.attributes) {
                    Ok(v) => v.as_ref().and_then(text_id),
                    Err(reason) => {
                        problems.push(Problem::file(&file, reason).at(&label).field("id"));
                        bad = true;
                        None
                    }
                },
            },
        };
        match map {
            None => props = f.attributes.clone(),
            Some(m) => {
                if m.keep_attributes {
                    props = f.attributes.clone();
                }
                for (name, spec) in &m.fields {
                    match spec.value(&f.attributes) {
                        Ok(Some(v)) => {
                            props.insert(name.clone(), v);
                        }
                        Ok(None) => {}
                        Err(reason) => {
                            problems.push(Problem::file(&file, reason).at(&label).field(name));
                            bad = true;
                        }
                    }
                }
            }
        }
        props.remove("id");
        if bad {
            continue;
        }
        let id = id.unwrap_or_else(|| derived_id(target.id, &f));
        out.push(Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geometry)),
            id: Some(geojson::feature::Id::String(id)),
            properties: Some(props),
            foreign_members: None,
        });
    }
    let summary = SourceSummary {
        file,
        layer: layer.name,
        target: target.id.to_string(),
        crs: crs.name().to_string(),
        features: out.len(),
    };
    (summary, out)
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "park".into() } else { s }
}

/// Reads every source, converts and maps it, and (unless `check`) writes the park folder.
/// Every problem is reported at once; on any, nothing is written.
pub fn import(opts: &Options) -> Result<Summary, ImportError> {
    let mut problems = Vec::new();
    let fail = |problems: Vec<Problem>| Err(ImportError { problems });
    if opts.sources.is_empty() {
        return fail(vec![Problem::file("(command line)", "names no source files")]);
    }
    let default_crs = match opts.crs.as_deref().map(Crs::parse) {
        None => Crs::wgs84(),
        Some(Ok(c)) => c,
        Some(Err(e)) => return fail(vec![Problem::file("(command line)", e).field("--crs")]),
    };
    let mapping = match &opts.mapping {
        None => Mapping::default(),
        Some(path) => match mapping::read(path) {
            Ok(m) => m,
            Err(p) => {
                problems.extend(p);
                Mapping::default()
            }
        },
    };
    if let Err(p) = park::replaceable(&opts.out) {
        problems.push(p);
    }
    let mut layers: BTreeMap<&'static str, Vec<Feature>> = BTreeMap::new();
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    let mut attributions: Vec<String> = Vec::new();
    for path in &opts.sources {
        let read = match source::read(path) {
            Ok(l) => l,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        for layer in read {
            if let Some(a) = &layer.attribution
                && !attributions.contains(a)
            {
                attributions.push(a.clone());
            }
            if layer.features.is_empty() {
                skipped.extend(layer.skipped);
                continue;
            }
            let Some((target, map)) = target(&layer, &mapping) else {
                problems.push(Problem::file(
                    &layer.file,
                    format!(
                        "layer \"{}\" is not a park layer ({}); a mapping (--mapping) says which one it becomes",
                        layer.name,
                        schema::park_layer_ids()
                    ),
                ));
                continue;
            };
            let (summary, features) = convert_layer(layer, target, map, &default_crs, &mut problems, &mut skipped);
            sources.push(summary);
            layers.entry(target.id).or_default().extend(features);
        }
    }
    if layers.values().all(Vec::is_empty) && problems.is_empty() {
        problems.push(Problem::file("(all sources)", "hold no features to import"));
    }
    let chemicals: parktwin_api::model::ChemicalTable = match serde_json::from_str(park::CHEMICALS_JSON) {
        Ok(t) => t,
        Err(e) => return fail(vec![Problem::file("chemicals.json", e.to_string())]),
    };
    let notes = hazards::derive(&mut layers, &chemicals);
    let mut hazards = Vec::new();
    for f in layers.get("hazards").into_iter().flatten() {
        let id = parktwin_api::validate::feature_id(f).unwrap_or_default().to_string();
        let empty = Map::new();
        let props = f.properties.as_ref().unwrap_or(&empty);
        match parktwin_api::grading::hazard_from_feature(&id, props, &chemicals) {
            Ok(h) => hazards.push(HazardLevel {
                id,
                level: h.level,
                r: h.r,
            }),
            Err(reason) => problems.push(Problem::file("layer hazards", reason).at(format!("id \"{id}\""))),
        }
    }
    // Ids unique within each layer; then each layer written out once, and read back as the
    // server will read it.
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut texts: Vec<(&'static ParkLayer, usize, String)> = Vec::new();
    for l in &PARK_LAYERS {
        let Some(features) = layers.remove(l.id) else { continue };
        let id = l.id;
        let mut seen = HashSet::new();
        for f in &features {
            if let Some(geojson::feature::Id::String(fid)) = &f.id
                && !seen.insert(fid.as_str())
            {
                problems.push(
                    Problem::file(
                        format!("layer {id}"),
                        "repeats this id: ids must be unique within a layer",
                    )
                    .at(format!("id \"{fid}\"")),
                );
            }
            if let Some(g) = &f.geometry {
                positions(&g.value, &mut |p: &[f64]| {
                    bbox = [
                        bbox[0].min(p[0]),
                        bbox[1].min(p[1]),
                        bbox[2].max(p[0]),
                        bbox[3].max(p[1]),
                    ];
                });
            }
        }
        let count = features.len();
        let text = geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
        .to_string();
        if let Err(e) = parktwin_api::validate::parse_layer_file(&format!("layer {id}"), &text) {
            let mut p = Problem::file(e.file, e.reason);
            p.feature = e.feature;
            problems.push(p);
        }
        texts.push((l, count, text));
    }
    if !problems.is_empty() {
        return fail(problems);
    }
    let name = opts.name.clone().unwrap_or_else(|| {
        opts.out
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("park")
            .to_string()
    });
    let round6 = |x: f64| (x * 1e6).round() / 1e6;
    let park = parktwin_api::model::Park {
        id: slug(&name),
        name: name.clone(),
        name_zh: name,
        origin: [round6((bbox[0] + bbox[2]) / 2.0), round6((bbox[1] + bbox[3]) / 2.0)],
        bbox,
        timezone: "Asia/Shanghai".into(),
        attribution: (!attributions.is_empty()).then(|| attributions.join("; ")),
    };
    let summary = Summary {
        park: park.clone(),
        written: !opts.check,
        sources,
        layers: texts.iter().map(|(l, n, _)| (l.id.to_string(), *n)).collect(),
        skipped,
        hazards,
        notes,
    };
    if !opts.check {
        park::write_folder(&opts.out, &park, &texts).map_err(|p| ImportError { problems: vec![p] })?;
    }
    Ok(summary)
}
