//! Sources: each file read into layers of features in its own coordinate system, with the
//! attributes as they were (decoded to Unicode). Which park layer a source becomes is the
//! mapping's business, not the reader's.

mod geojson_file;
mod gpkg;
mod osm;
mod shp;

use std::path::Path;

use geo::{Contains, Coord, LineString, Winding};
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
    /// What the reader left out, and why (an open fence line, a multipolygon that does not close).
    pub skipped: Vec<Problem>,
    /// The credit its licence asks the map to show ("© OpenStreetMap contributors").
    pub attribution: Option<String>,
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
    } else if name.ends_with(".osm.pbf") || name.ends_with(".pbf") {
        osm::read_pbf(path)
    } else if name.ends_with(".osm") {
        osm::read_xml(path)
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

/// Positions as GeoJSON's.
pub(crate) fn ring(points: impl Iterator<Item = (f64, f64)>) -> Vec<Vec<f64>> {
    points.map(|(x, y)| vec![x, y]).collect()
}

/// A ring: whether it is an outer one, and its positions.
pub(crate) type Ring = (bool, Vec<(f64, f64)>);

/// Rings as GeoJSON polygons: each outer ring with the holes inside it, outer rings
/// counter-clockwise and holes clockwise (RFC 7946 §3.1.6; ESRI has it the other way round,
/// OpenStreetMap either way). A Shapefile's polygon and OpenStreetMap's multipolygon alike.
pub(crate) fn polygons(rings: Vec<Ring>) -> geojson::Value {
    let as_line = |pts: &[(f64, f64)]| LineString::new(pts.iter().map(|&(x, y)| Coord { x, y }).collect());
    let mut polys: Vec<(geo::Polygon, Vec<LineString>)> = Vec::new();
    let mut holes = Vec::new();
    for (outer, pts) in rings {
        if outer {
            let mut l = as_line(&pts);
            l.make_ccw_winding();
            polys.push((geo::Polygon::new(l, vec![]), Vec::new()));
        } else {
            let mut l = as_line(&pts);
            l.make_cw_winding();
            holes.push(l);
        }
    }
    for hole in holes {
        let first = hole.0.first().copied().map(geo::Point::from);
        let owner = polys
            .iter()
            .position(|(p, _)| first.is_some_and(|pt| p.contains(&pt)))
            .or(polys.len().checked_sub(1));
        if let Some(i) = owner {
            polys[i].1.push(hole);
        }
    }
    let to_rings = |(p, holes): (geo::Polygon, Vec<LineString>)| {
        let mut rings = vec![ring(p.exterior().0.iter().map(|c| (c.x, c.y)))];
        rings.extend(holes.into_iter().map(|h| ring(h.0.into_iter().map(|c| (c.x, c.y)))));
        rings
    };
    let mut out: Vec<_> = polys.into_iter().map(to_rings).collect();
    if out.len() == 1 {
        geojson::Value::Polygon(out.remove(0))
    } else {
        geojson::Value::MultiPolygon(out)
    }
}
