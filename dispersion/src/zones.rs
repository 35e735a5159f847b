//! Threat zones: where the ground-level concentration reaches each level of concern, as
//! contoured polygons (holes kept), their farthest downwind reach, and who is inside.

use contour::ContourBuilder;
use geo_types::{LineString, MultiPolygon};
use parktwin_api::frame::LocalFrame;
use serde_json::json;

use crate::grid::Grid;
use crate::wind::along_across;

/// One threat zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// The level's name, e.g. "AEGL-3".
    pub name: String,
    /// The level, mg/m³.
    pub threshold_mg_m3: f64,
    /// Where the concentration is at or above the level: metres east/north of the source.
    pub area: MultiPolygon<f64>,
    /// The farthest downwind reach of the zone, m (0 when empty).
    pub farthest_downwind_m: f64,
}

/// Why zones could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// The contouring failed (an empty or mis-sized grid).
    #[error("cannot contour the grid: {0}")]
    Contour(String),
}

/// Contours `grid` at each level (name, mg/m³), most severe first as given. A cell is inside a
/// zone exactly when its value is at or above the level.
pub fn threat_zones(grid: &Grid, levels: &[(String, f64)], wind_from_deg: f64) -> Result<Vec<Zone>, ZoneError> {
    let s = grid.spec;
    // contour puts value k at the pixel [k, k+1): shift by half a cell so that pixel centres
    // fall on the cell centres.
    let builder = ContourBuilder::new(s.nx, s.ny, true)
        .x_origin(s.x0 - s.step / 2.0)
        .y_origin(s.y0 - s.step / 2.0)
        .x_step(s.step)
        .y_step(s.step);
    let thresholds: Vec<f64> = levels.iter().map(|(_, v)| *v).collect();
    let contours = builder
        .contours(&grid.values, &thresholds)
        .map_err(|e| ZoneError::Contour(format!("{e:?}")))?;
    Ok(levels
        .iter()
        .zip(contours)
        .map(|((name, threshold), c)| {
            let (area, _) = c.into_inner();
            let farthest = area
                .0
                .iter()
                .flat_map(|p| p.exterior().points())
                .map(|p| along_across(p.x(), p.y(), wind_from_deg).0)
                .fold(0.0, f64::max);
            Zone {
                name: name.clone(),
                threshold_mg_m3: *threshold,
                area,
                farthest_downwind_m: farthest,
            }
        })
        .collect())
}

/// Even–odd ray casting for one ring. (georust's `geo` has `Contains`, but it would bring the
/// whole crate into the browser build for this one test.)
fn in_ring(ring: &LineString<f64>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for w in ring.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
    }
    inside
}

/// Whether a point (metres east/north of the source) is inside an area, holes excluded.
pub fn contains(area: &MultiPolygon<f64>, east: f64, north: f64) -> bool {
    area.0
        .iter()
        .any(|p| in_ring(p.exterior(), east, north) && !p.interiors().iter().any(|h| in_ring(h, east, north)))
}

/// The index of the first (most severe) zone that holds the point, if any.
pub fn zone_of(zones: &[Zone], east: f64, north: f64) -> Option<usize> {
    zones.iter().position(|z| contains(&z.area, east, north))
}

/// The zones as an RFC 7946 FeatureCollection in WGS84: one (Multi)Polygon feature per level
/// with its name, threshold and farthest downwind reach. The source is at `source_lon_lat`.
pub fn zones_geojson(
    zones: &[Zone],
    source_lon_lat: (f64, f64),
    extra: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let frame = LocalFrame::new(source_lon_lat.0, source_lon_lat.1);
    let ring = |r: &LineString<f64>| -> Vec<[f64; 2]> {
        let mut pts: Vec<[f64; 2]> = r
            .points()
            .map(|p| {
                let (lon, lat) = frame.to_wgs84(p.x(), p.y());
                [(lon * 1e7).round() / 1e7, (lat * 1e7).round() / 1e7]
            })
            .collect();
        if pts.first() != pts.last()
            && let Some(f) = pts.first().copied()
        {
            pts.push(f);
        }
        pts
    };
    let features: Vec<serde_json::Value> = zones
        .iter()
        .map(|z| {
            let polys: Vec<Vec<Vec<[f64; 2]>>> = z
                .area
                .0
                .iter()
                .map(|p| {
                    std::iter::once(ring(p.exterior()))
                        .chain(p.interiors().iter().map(ring))
                        .collect()
                })
                .collect();
            let mut props = json!({
                "name": z.name,
                "threshold_mg_m3": z.threshold_mg_m3,
                "farthest_downwind_m": (z.farthest_downwind_m * 10.0).round() / 10.0,
            });
            if let Some(obj) = props.as_object_mut() {
                obj.extend(extra.clone());
            }
            json!({
                "type": "Feature",
                "id": z.name,
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
                "properties": props,
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}
