//! GeoJSON: RFC 7946, or the 2008 format with a `crs` member naming its coordinate system.

use std::path::Path;

use geojson::GeoJson;
use serde_json::Value;

use super::{SourceFeature, SourceLayer, stem};
use crate::crs::Crs;
use crate::problem::Problem;

pub(super) fn read(path: &Path) -> Result<SourceLayer, Problem> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Problem::file(&file, format!("cannot be read: {e}")))?;
    let raw: Value =
        serde_json::from_str(&text).map_err(|e| Problem::file(&file, format!("is not valid JSON: {e}")))?;
    let crs = match raw.get("crs") {
        None => None,
        Some(member) => {
            let name = parktwin_api::validate::crs_member_name(member).ok_or_else(|| {
                Problem::file(
                    &file,
                    format!("has a \"crs\" member that names no coordinate system: {member}"),
                )
                .field("crs")
            })?;
            Some(Crs::parse(&name).map_err(|e| Problem::file(&file, e).field("crs"))?)
        }
    };
    let gj = GeoJson::from_json_value(raw).map_err(|e| Problem::file(&file, format!("is not GeoJSON: {e}")))?;
    let features = match gj {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(_) => {
            return Err(Problem::file(
                &file,
                "is a bare geometry: a FeatureCollection or a Feature is needed",
            ));
        }
    };
    let features = features
        .into_iter()
        .enumerate()
        .map(|(index, f)| SourceFeature {
            index,
            id: f.id.map(|id| match id {
                geojson::feature::Id::String(s) => s,
                geojson::feature::Id::Number(n) => n.to_string(),
            }),
            geometry: f.geometry.map(|g| g.value),
            attributes: f.properties.unwrap_or_default(),
        })
        .collect();
    Ok(SourceLayer {
        file,
        name: stem(path),
        crs,
        fields: None,
        features,
        skipped: Vec::new(),
        attribution: None,
    })
}
