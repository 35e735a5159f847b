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

/// The zones of a FeatureCollection written by [`zones_geojson`] (as the server serves them),
/// back in metres east/north of the source at `source_lon_lat`. Features that are not
/// (Multi)Polygons with a name and threshold are skipped.
pub fn zones_from_geojson(fc: &serde_json::Value, source_lon_lat: (f64, f64)) -> Vec<Zone> {
    use geo_types::{Coord, Polygon};
    let frame = LocalFrame::new(source_lon_lat.0, source_lon_lat.1);
    let ring = |r: &serde_json::Value| -> LineString<f64> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let [x, y] = frame.to_map(p.get(0)?.as_f64()?, p.get(1)?.as_f64()?);
                Some(Coord { x, y })
            })
            .collect::<Vec<_>>()
            .into()
    };
    let polygon = |rings: &serde_json::Value| -> Option<Polygon<f64>> {
        let rings = rings.as_array()?;
        let (outer, holes) = rings.split_first()?;
        Some(Polygon::new(ring(outer), holes.iter().map(ring).collect()))
    };
    fc["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let g = &f["geometry"];
            let polys: Vec<Polygon<f64>> = match g["type"].as_str()? {
                "MultiPolygon" => g["coordinates"].as_array()?.iter().filter_map(polygon).collect(),
                "Polygon" => vec![polygon(&g["coordinates"])?],
                _ => return None,
            };
            let p = &f["properties"];
            Some(Zone {
                name: p["name"].as_str()?.to_string(),
                threshold_mg_m3: p["threshold_mg_m3"].as_f64()?,
                area: MultiPolygon(polys),
                farthest_downwind_m: p["farthest_downwind_m"].as_f64().unwrap_or(0.0),
            })
        })
        .collect()
}

/// Whether segments ab and cd cross (touching counts).
fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    ((d1 > 0.0) != (d2 > 0.0) || d1 == 0.0 || d2 == 0.0) && ((d3 > 0.0) != (d4 > 0.0) || d3 == 0.0 || d4 == 0.0)
}

/// Whether an area and a simple polygon (its ring, metres) share any ground: a vertex of one
/// inside the other, or edges that cross.
pub fn overlaps(area: &MultiPolygon<f64>, ring: &[(f64, f64)]) -> bool {
    if ring.iter().any(|&(x, y)| contains(area, x, y)) {
        return true;
    }
    let ring_ls: LineString<f64> = ring
        .iter()
        .map(|&(x, y)| geo_types::Coord { x, y })
        .collect::<Vec<_>>()
        .into();
    let edges = |ls: &LineString<f64>| -> Vec<((f64, f64), (f64, f64))> {
        ls.0.windows(2).map(|w| ((w[0].x, w[0].y), (w[1].x, w[1].y))).collect()
    };
    let theirs = edges(&ring_ls);
    area.0.iter().any(|p| {
        p.exterior().0.iter().any(|c| in_ring(&ring_ls, c.x, c.y))
            || std::iter::once(p.exterior())
                .chain(p.interiors())
                .flat_map(edges)
                .any(|(a, b)| theirs.iter().any(|&(c, d)| segments_cross(a, b, c, d)))
    })
}

/// Who and what is inside each zone: every candidate listed once, in the most severe zone
/// that holds it (a point inside, or a parcel that overlaps). Zones are in metres around the
/// source at `source_lon_lat`; candidates are WGS84.
pub fn occupants(
    zones: &[Zone],
    source_lon_lat: (f64, f64),
    candidates: &[parktwin_api::incident::Candidate],
) -> Vec<parktwin_api::incident::ZoneOccupants> {
    let frame = LocalFrame::new(source_lon_lat.0, source_lon_lat.1);
    let mut out: Vec<parktwin_api::incident::ZoneOccupants> = zones
        .iter()
        .map(|z| parktwin_api::incident::ZoneOccupants {
            zone: z.name.clone(),
            occupants: Vec::new(),
        })
        .collect();
    for c in candidates {
        let o = &c.occupant;
        let hit = match &c.parcel {
            Some(parcel) => {
                let ring: Vec<(f64, f64)> = parcel
                    .iter()
                    .map(|p| {
                        let [x, y] = frame.to_map(p[0], p[1]);
                        (x, y)
                    })
                    .collect();
                zones.iter().position(|z| overlaps(&z.area, &ring))
            }
            None => {
                let [x, y] = frame.to_map(o.lon, o.lat);
                zone_of(zones, x, y)
            }
        };
        if let Some(k) = hit {
            out[k].occupants.push(o.clone());
        }
    }
    out
}
