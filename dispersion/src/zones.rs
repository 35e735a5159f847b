//! Threat zones: where the ground-level concentration reaches each level of concern, as
//! contoured polygons (holes kept), their farthest downwind reach, and who is inside.

use contour::ContourBuilder;
// georust's `geo` for membership: the park's geometry (`parktwin_api::geometry`) brings it
// into every build, the browser's included, so a hand-written ring test saves nothing.
use geo::{Coord, Intersects, LineString, MapCoords, MultiPolygon, Point, Polygon};
use parktwin_api::frame::LocalFrame;
use serde_json::json;

use crate::grid::Grid;
use crate::wind::along_across;

/// What a zone's level measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelUnit {
    /// A concentration in air, mg/m³ (a cloud's zones).
    MgM3,
    /// A thermal radiation flux, W/m² (a fire's).
    WM2,
    /// A peak side-on overpressure, Pa (a blast's).
    Pa,
}

impl LevelUnit {
    /// As the zones' GeoJSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelUnit::MgM3 => "mg/m3",
            LevelUnit::WM2 => "W/m2",
            LevelUnit::Pa => "Pa",
        }
    }

    /// The unit written `s`, if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        [LevelUnit::MgM3, LevelUnit::WM2, LevelUnit::Pa]
            .into_iter()
            .find(|u| u.as_str() == s)
    }
}

/// One threat zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// The level's name, e.g. "AEGL-3", "10 kW/m²", "8 psi".
    pub name: String,
    /// The level, in [`Zone::unit`].
    pub threshold: f64,
    /// What the level measures.
    pub unit: LevelUnit,
    /// Where the level is reached or passed: metres east/north of the source.
    pub area: MultiPolygon<f64>,
    /// The farthest downwind reach of the zone, m (0 when empty): a fire's or a blast's, which
    /// reach as far every way, their radius.
    pub farthest_downwind_m: f64,
    /// The zone runs into the edge of the grid it was drawn on: it reaches further than
    /// [`Zone::farthest_downwind_m`], past what the model draws (ALOHA says "greater than
    /// 10 km").
    pub beyond_edge: bool,
}

impl Zone {
    /// Its reach in metres as a person reads it: "850", or "> 11500" for a zone that runs past
    /// the edge of what was drawn.
    pub fn reach_label(&self) -> String {
        if self.beyond_edge {
            format!("> {:.0}", self.farthest_downwind_m)
        } else {
            format!("{:.0}", self.farthest_downwind_m)
        }
    }
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
            // A cell above the level on the grid's border is closed along the border, past the
            // outermost cell centres; inside, the contour runs between centres.
            let (x_last, y_last) = (s.x0 + (s.nx - 1) as f64 * s.step, s.y0 + (s.ny - 1) as f64 * s.step);
            let margin = s.step / 4.0;
            let beyond_edge = area.0.iter().flat_map(|p| p.exterior().points()).any(|p| {
                p.x() < s.x0 - margin || p.x() > x_last + margin || p.y() < s.y0 - margin || p.y() > y_last + margin
            });
            let farthest = area
                .0
                .iter()
                .flat_map(|p| p.exterior().points())
                .map(|p| along_across(p.x(), p.y(), wind_from_deg).0)
                .fold(0.0, f64::max);
            Zone {
                name: name.clone(),
                threshold: *threshold,
                unit: LevelUnit::MgM3,
                area,
                farthest_downwind_m: farthest,
                beyond_edge,
            }
        })
        .collect())
}

/// Vertices of a circular zone: 1° apart, 17 m at the edge of a 1 km zone.
pub const CIRCLE_VERTICES: usize = 360;

/// A zone that reaches `radius_m` every way from the source: a fire's or a blast's.
///
/// ```
/// use parktwin_dispersion::zones::{LevelUnit, circle_zone, contains};
/// let z = circle_zone("10 kW/m²", 10_000.0, LevelUnit::WM2, 120.0);
/// assert!(contains(&z.area, 0.0, -119.0) && !contains(&z.area, 0.0, -121.0));
/// assert_eq!(z.farthest_downwind_m, 120.0);
/// ```
pub fn circle_zone(name: &str, threshold: f64, unit: LevelUnit, radius_m: f64) -> Zone {
    let ring: Vec<Coord<f64>> = (0..CIRCLE_VERTICES)
        .map(|k| {
            let a = std::f64::consts::TAU * k as f64 / CIRCLE_VERTICES as f64;
            Coord {
                x: radius_m * a.cos(),
                y: radius_m * a.sin(),
            }
        })
        .collect();
    outline_zone(name, threshold, unit, ring, radius_m)
}

/// A zone whose edge runs through `vertices` (metres east/north of the source, in turn round
/// it; the ring is closed here), reaching `farthest_m` at most: nothing where that is 0.
pub fn outline_zone(
    name: &str,
    threshold: f64,
    unit: LevelUnit,
    mut vertices: Vec<Coord<f64>>,
    farthest_m: f64,
) -> Zone {
    if let Some(first) = vertices.first().copied() {
        vertices.push(first);
    }
    Zone {
        name: name.into(),
        threshold,
        unit,
        area: if farthest_m > 0.0 {
            MultiPolygon(vec![Polygon::new(LineString(vertices), vec![])])
        } else {
            MultiPolygon(vec![])
        },
        farthest_downwind_m: farthest_m.max(0.0),
        beyond_edge: false,
    }
}

/// Whether a point (metres east/north of the source) is inside an area, holes excluded; a
/// point on an edge counts as in.
pub fn contains(area: &MultiPolygon<f64>, east: f64, north: f64) -> bool {
    area.intersects(&Point::new(east, north))
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
                "threshold": z.threshold,
                "unit": z.unit.as_str(),
                "farthest_downwind_m": (z.farthest_downwind_m * 10.0).round() / 10.0,
                "beyond_model_limit": z.beyond_edge,
            });
            if z.unit == LevelUnit::MgM3 {
                // The name GIS exports of a cloud's zones have always carried.
                props["threshold_mg_m3"] = z.threshold.into();
            }
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
            // Zones stored before fires and blasts were modelled carry threshold_mg_m3 only.
            let unit = p["unit"].as_str().map_or(Some(LevelUnit::MgM3), LevelUnit::parse)?;
            Some(Zone {
                name: p["name"].as_str()?.to_string(),
                threshold: p["threshold"].as_f64().or_else(|| p["threshold_mg_m3"].as_f64())?,
                unit,
                area: MultiPolygon(polys),
                farthest_downwind_m: p["farthest_downwind_m"].as_f64().unwrap_or(0.0),
                beyond_edge: p["beyond_model_limit"].as_bool().unwrap_or(false),
            })
        })
        .collect()
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
            // A parcel is in a zone when they share any ground (holes are not the parcel's).
            Some(parcel) => {
                let local = parcel.polygons().map_coords(|c| {
                    let [x, y] = frame.to_map(c.x, c.y);
                    geo::Coord { x, y }
                });
                zones.iter().position(|z| z.area.intersects(&local))
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

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::incident::Candidate;
    use serde_json::json;

    /// A square ring, metres about the source.
    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    }

    /// Two nested zones downwind: the inner (most severe) 100–300 m east with a hole where
    /// the plume has lifted, the outer 0–600 m.
    fn zones() -> Vec<Zone> {
        let zone = |name: &str, area: Polygon<f64>| Zone {
            name: name.into(),
            threshold: 1.0,
            unit: LevelUnit::MgM3,
            area: MultiPolygon(vec![area]),
            farthest_downwind_m: 0.0,
            beyond_edge: false,
        };
        vec![
            zone(
                "AEGL-3",
                Polygon::new(
                    square(100.0, -50.0, 300.0, 50.0),
                    vec![square(180.0, -10.0, 220.0, 10.0)],
                ),
            ),
            zone("AEGL-2", Polygon::new(square(0.0, -200.0, 600.0, 200.0), vec![])),
        ]
    }

    #[test]
    fn a_point_is_in_the_most_severe_zone_that_holds_it_and_not_in_a_hole() {
        let z = zones();
        assert_eq!(zone_of(&z, 150.0, 0.0), Some(0));
        assert_eq!(
            zone_of(&z, 200.0, 0.0),
            Some(1),
            "the inner zone's hole is the outer zone's"
        );
        assert_eq!(zone_of(&z, 500.0, 150.0), Some(1));
        assert_eq!(zone_of(&z, 100.0, 0.0), Some(0), "an edge counts as in");
        assert_eq!(zone_of(&z, -10.0, 0.0), None, "upwind");
    }

    #[test]
    fn occupants_are_listed_once_points_by_position_and_parcels_by_any_shared_ground() {
        let source = (118.5, 37.5);
        let frame = LocalFrame::new(source.0, source.1);
        let wgs = |x: f64, y: f64| {
            let (lon, lat) = frame.to_wgs84(x, y);
            json!([lon, lat])
        };
        let ring = |x0: f64, y0: f64, x1: f64, y1: f64| {
            json!([wgs(x0, y0), wgs(x1, y0), wgs(x1, y1), wgs(x0, y1), wgs(x0, y0)])
        };
        let point = |id: &str, x: f64, y: f64| {
            let f = json!({"type": "Feature", "properties": {"name": id},
                           "geometry": {"type": "Point", "coordinates": wgs(x, y)}});
            Candidate::from_feature("detectors", id, &f).expect("a detector")
        };
        let parcel = |id: &str, geometry: serde_json::Value| {
            let f = json!({"type": "Feature", "properties": {"name": id, "population": 40}, "geometry": geometry});
            Candidate::from_feature("enterprises", id, &f).expect("an enterprise")
        };
        let candidates = [
            point("in-red", 150.0, 0.0),
            point("in-the-hole", 200.0, 0.0),
            point("outside", -50.0, 0.0),
            // Its corner only reaches into the red zone: it is in it, though its centre is not.
            parcel(
                "corner",
                json!({"type": "Polygon", "coordinates": [ring(280.0, 40.0, 400.0, 150.0)]}),
            ),
            // A MultiPolygon whose second part lies in the orange zone.
            parcel(
                "two-sites",
                json!({"type": "MultiPolygon", "coordinates": [
                    [ring(-400.0, -400.0, -300.0, -300.0)], [ring(400.0, 100.0, 450.0, 150.0)]]}),
            ),
            // Beyond the orange zone: in none.
            parcel(
                "far",
                json!({"type": "Polygon", "coordinates": [ring(700.0, 0.0, 800.0, 100.0)]}),
            ),
        ];
        let out = occupants(&zones(), source, &candidates);
        let ids = |k: usize| out[k].occupants.iter().map(|o| o.id.as_str()).collect::<Vec<_>>();
        assert_eq!(out[0].zone, "AEGL-3");
        assert_eq!(ids(0), ["in-red", "corner"]);
        assert_eq!(ids(1), ["in-the-hole", "two-sites"]);
        let corner = &out[0].occupants[1];
        assert_eq!((corner.kind.as_str(), corner.people), ("enterprise", Some(40)));
    }
}
