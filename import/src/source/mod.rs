//! Sources: each file read into layers of features in its own coordinate system, with the
//! attributes as they were (decoded to Unicode). Which park layer a source becomes is the
//! mapping's business, not the reader's.

mod geojson_file;
mod gpkg;
mod shp;

use std::path::Path;

use serde_json::{Map, Value};

use crate::crs::Crs;
use crate::problem::Problem;

/// One feature of a source, as read.
#[derive(Debug, Clone)]
pub struct SourceFeature {
    /// Its position in the source (0-based).
    pub index: usize,
    /// The id the source gives it, if any.
    pub id: Option<String>,
    /// Its geometry in the source's coordinate system; `None` for a feature without one.
    pub geometry: Option<geojson::Value>,
    /// Its attributes.
    pub attributes: Map<String, Value>,
}

impl SourceFeature {
    /// How problems name it: `#index`, and the id where it has one.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("#{} (id \"{id}\")", self.index),
            None => format!("#{}", self.index),
        }
    }
}

/// One layer of a source: a file, a GeoPackage table, or what OpenStreetMap's tags make.
#[derive(Debug)]
pub struct SourceLayer {
    /// The file it came from, as problems name it.
    pub file: String,
    /// Its name: the file's stem, the table's name.
    pub name: String,
    /// The coordinate system it names (a `.prj`, a `crs` member); `None` when it names none.
    pub crs: Option<Crs>,
    /// The names of its attributes (a Shapefile's fields), where the source declares them.
    pub fields: Option<Vec<String>>,
    /// Its features.
    pub features: Vec<SourceFeature>,
}

/// Reads one source file into its layers, by its extension.
pub fn read(path: &Path) -> Result<Vec<SourceLayer>, Problem> {
    let file = path.display().to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !path.exists() {
        return Err(Problem::file(file, "does not exist"));
    }
    if name.ends_with(".geojson") || name.ends_with(".json") {
        geojson_file::read(path).map(|l| vec![l])
    } else if name.ends_with(".shp") {
        shp::read(path).map(|l| vec![l])
    } else if name.ends_with(".gpkg") {
        gpkg::read(path)
    } else {
        Err(Problem::file(
            file,
            "is not a format the import reads: GeoJSON (.geojson, .json), ESRI Shapefile (.shp), GeoPackage (.gpkg), OpenStreetMap (.osm.pbf, .osm)",
        ))
    }
}

/// The stem of a file name: `buildings` of `buildings.geojson` and `a/b/buildings.shp`.
pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}
