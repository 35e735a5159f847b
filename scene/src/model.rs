//! The park model: a layer's GeoJSON features turned into things to draw, in the scene frame.

use geojson::{FeatureCollection, Value};
use parktwin_api::descriptor::MarkerShape;
use parktwin_api::frame::LocalFrame;
use parktwin_api::model::RiskColour;
use serde_json::{Map, Value as Json};

use crate::mesh::{self, MeshData};
use crate::rack::RackFrame;
use crate::solid::Placed;
use crate::style::{self, Srgb};
use crate::tank::{self, TankKind, TankSize};

/// The shape of one drawn feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A mesh of its own (polygons, extrusions, lines, cylinders).
    Mesh(MeshData),
    /// A marker box standing at a point: `at` is the centre of its base in the scene frame.
    Marker {
        /// Base centre, scene frame.
        at: [f32; 3],
        /// Width and depth, metres.
        size: f32,
        /// Height, metres.
        height: f32,
        /// Its shape.
        kind: MarkerShape,
    },
    /// A shared unit solid, scaled and placed (a tank's shell or roof, a pipe): instanced.
    Solid(Placed),
    /// A descriptor layer's glTF model at a point: its origin at `at` (scene frame), turned
    /// `heading_deg` clockwise seen from above and scaled by `scale`. The layer's model is
    /// attached to the entity once loaded.
    Model {
        /// Where its origin stands, scene frame.
        at: [f32; 3],
        /// Turned clockwise seen from above, degrees.
        heading_deg: f32,
        /// Metres per model unit.
        scale: f32,
    },
}

/// Whether a shape is lit by the sun or drawn in its flat legend colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shading {
    /// Lit: solid things (buildings, tanks).
    Lit,
    /// Unlit: map symbology on the ground, lines and markers, exactly the legend colour.
    Flat,
}

/// One feature, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneItem {
    /// The layer it belongs to.
    pub layer: String,
    /// The feature's id.
    pub feature: String,
    /// What to draw.
    pub shape: Shape,
    /// Its colour.
    pub colour: Srgb,
    /// Lit or flat.
    pub shading: Shading,
}

/// Height (metres above ground) each flat layer is drawn at, so that they stack without
/// fighting for the same depth.
pub fn ground_height(layer: &str) -> f32 {
    match layer {
        "boundary" => 0.05,
        "roads" => 0.35,
        "enterprises" => 0.2,
        "parking" => 0.3,
        "hazards" => 0.6,
        _ => 0.4,
    }
}

fn num(props: &Map<String, Json>, key: &str, default: f64) -> f64 {
    props.get(key).and_then(Json::as_f64).unwrap_or(default)
}

fn text<'a>(props: &'a Map<String, Json>, key: &str) -> &'a str {
    props.get(key).and_then(Json::as_str).unwrap_or("")
}

fn ring_local(frame: &LocalFrame, ring: &[Vec<f64>]) -> Vec<[f64; 2]> {
    ring.iter().map(|p| frame.to_map(p[0], p[1])).collect()
}

fn rings_local(frame: &LocalFrame, poly: &[Vec<Vec<f64>>]) -> Vec<Vec<[f64; 2]>> {
    poly.iter().map(|r| ring_local(frame, r)).collect()
}

/// Polygons of a geometry (Polygon or MultiPolygon), in local metres.
pub(crate) fn polygons(frame: &LocalFrame, v: &Value) -> Vec<Vec<Vec<[f64; 2]>>> {
    match v {
        Value::Polygon(p) => vec![rings_local(frame, p)],
        Value::MultiPolygon(ps) => ps.iter().map(|p| rings_local(frame, p)).collect(),
        _ => Vec::new(),
    }
}

/// Lines of a geometry (LineString or MultiLineString) as `[east, north, up]`; a missing
/// third coordinate is `default_up`.
pub(crate) fn lines(frame: &LocalFrame, v: &Value, default_up: f64) -> Vec<Vec<[f64; 3]>> {
    let conv = |l: &Vec<Vec<f64>>| -> Vec<[f64; 3]> {
        l.iter()
            .map(|p| {
                let [e, n] = frame.to_map(p[0], p[1]);
                [e, n, p.get(2).copied().unwrap_or(default_up)]
            })
            .collect()
    };
    match v {
        Value::LineString(l) => vec![conv(l)],
        Value::MultiLineString(ls) => ls.iter().map(conv).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn point(frame: &LocalFrame, v: &Value) -> Option<([f64; 2], f64)> {
    match v {
        Value::Point(p) => Some((frame.to_map(p[0], p[1]), p.get(2).copied().unwrap_or(0.0))),
        _ => None,
    }
}

/// Turns one layer's features into scene items, styled by the layer's id. Features with a
/// geometry the layer does not draw are skipped.
pub fn layer_items(frame: &LocalFrame, layer: &str, fc: &FeatureCollection) -> Vec<SceneItem> {
    let mut out = Vec::new();
    let empty = Map::new();
    for f in &fc.features {
        let Some(g) = &f.geometry else { continue };
        let id = match &f.id {
            Some(geojson::feature::Id::String(s)) => s.clone(),
            Some(geojson::feature::Id::Number(n)) => n.to_string(),
            None => String::new(),
        };
        let props = f.properties.as_ref().unwrap_or(&empty);
        let mut push = |shape: Shape, colour: Srgb, shading: Shading| {
            out.push(SceneItem {
                layer: layer.to_string(),
                feature: id.clone(),
                shape,
                colour,
                shading,
            });
        };
        let y = ground_height(layer);
        match layer {
            "boundary" => {
                for poly in polygons(frame, &g.value) {
                    push(
                        Shape::Mesh(mesh::flat_polygon(&poly, y)),
                        style::PARK_GROUND,
                        Shading::Flat,
                    );
                    let fence: Vec<[f64; 3]> = poly[0]
                        .iter()
                        .map(|p| [p[0], p[1], num(props, "fence_height_m", 2.5)])
                        .collect();
                    push(Shape::Mesh(mesh::polyline(&fence)), style::FENCE, Shading::Flat);
                }
            }
            "roads" => {
                for l in lines(frame, &g.value, 0.0) {
                    let flat: Vec<[f64; 2]> = l.iter().map(|p| [p[0], p[1]]).collect();
                    push(
                        Shape::Mesh(mesh::ribbon(&flat, num(props, "width_m", 10.0), y)),
                        style::ROAD,
                        Shading::Flat,
                    );
                }
            }
            "enterprises" => {
                let risk: RiskColour = props
                    .get("risk")
                    .and_then(|r| serde_json::from_value(r.clone()).ok())
                    .unwrap_or(RiskColour::Blue);
                for poly in polygons(frame, &g.value) {
                    push(
                        Shape::Mesh(mesh::flat_polygon(&poly, y)),
                        style::risk(risk),
                        Shading::Flat,
                    );
                }
            }
            "parking" => {
                for poly in polygons(frame, &g.value) {
                    push(Shape::Mesh(mesh::flat_polygon(&poly, y)), style::PARKING, Shading::Flat);
                }
            }
            "buildings" | "units" => {
                let h = num(props, "height_m", 10.0) as f32;
                let colour = match (layer, text(props, "enterprise")) {
                    ("units", _) => style::UNIT,
                    (_, "park") => style::SERVICE_BUILDING,
                    _ => style::BUILDING,
                };
                for poly in polygons(frame, &g.value) {
                    let shed = (layer == "buildings" && poly.len() == 1 && style::pitched_roof(text(props, "use")))
                        .then(|| mesh::gable(&poly[0], h, style::SHED_ROOF_SLOPE))
                        .flatten();
                    let plant = (layer == "units" && poly.len() == 1)
                        .then(|| crate::unit::plant(&poly[0], h))
                        .flatten();
                    if let Some(plant) = plant {
                        push(Shape::Mesh(mesh::flat_polygon(&poly, y)), colour, Shading::Flat);
                        push(Shape::Mesh(plant.structure), style::STEEL, Shading::Lit);
                        for (part, c) in plant.vessels {
                            push(Shape::Solid(part), c, Shading::Lit);
                        }
                        continue;
                    }
                    match shed {
                        Some(roof) => {
                            let mut walls = mesh::walls(&poly, 0.0, roof.eave);
                            walls.append(&roof.ends);
                            push(Shape::Mesh(walls), colour, Shading::Lit);
                            push(Shape::Mesh(roof.slopes), style::SHED_ROOF, Shading::Lit);
                        }
                        None => push(Shape::Mesh(mesh::extrude(&poly, 0.0, h)), colour, Shading::Lit),
                    }
                }
            }
            "hazards" => {
                let colour = style::hazard_level(props.get("level").and_then(Json::as_u64).unwrap_or(4));
                for poly in polygons(frame, &g.value) {
                    let outline: Vec<[f64; 3]> = poly[0].iter().map(|p| [p[0], p[1], f64::from(y)]).collect();
                    push(Shape::Mesh(mesh::polyline(&outline)), colour, Shading::Flat);
                }
            }
            "tanks" => {
                if let Some((c, _)) = point(frame, &g.value) {
                    let roof = props
                        .get("roof")
                        .or_else(|| props.get("type"))
                        .and_then(Json::as_str)
                        .unwrap_or("");
                    let size = TankSize {
                        diameter: num(props, "diameter_m", 10.0) as f32,
                        height: num(props, "height_m", 10.0) as f32,
                        azimuth_deg: num(props, "azimuth_deg", 90.0) as f32,
                    };
                    for (part, colour) in tank::parts(TankKind::of(roof), c, size) {
                        push(Shape::Solid(part), colour, Shading::Lit);
                    }
                }
            }
            "pipe_racks" => {
                let rack = RackFrame {
                    width: num(props, "width_m", 6.0),
                    height: num(props, "height_m", 7.0),
                    tiers: num(props, "tiers", 2.0).clamp(1.0, 8.0) as u32,
                    tier_spacing: num(props, "tier_spacing_m", 1.5),
                    bent_spacing: num(props, "bent_spacing_m", 6.0),
                };
                for l in lines(frame, &g.value, rack.height) {
                    let flat: Vec<[f64; 2]> = l.iter().map(|p| [p[0], p[1]]).collect();
                    push(Shape::Mesh(rack.mesh(&flat)), style::RACK, Shading::Lit);
                    // The centre line too: a pixel wide at any distance, where the frame's
                    // members are thinner than a pixel.
                    push(Shape::Mesh(mesh::polyline(&l)), style::RACK, Shading::Flat);
                }
            }
            "pipes" => {
                let colour = style::pipe_medium(text(props, "medium"));
                // Nominal size (DN, mm) as the pipe's outside diameter, near enough to see.
                let diameter = (num(props, "dn", 100.0) / 1000.0).clamp(0.05, 2.0) as f32;
                for l in lines(frame, &g.value, 7.0) {
                    for w in l.windows(2) {
                        let [a, b] = [w[0], w[1]].map(|p| mesh::scene_point([p[0], p[1]], p[2] as f32));
                        push(Shape::Solid(Placed::between(a, b, diameter)), colour, Shading::Lit);
                    }
                    push(Shape::Mesh(mesh::polyline(&l)), colour, Shading::Flat);
                }
            }
            _ => {
                let (colour, size, height) = match layer {
                    "gates" => (style::gate(text(props, "kind")), 14.0, 10.0),
                    "detectors" => (style::detector(text(props, "kind")), 5.0, 5.0),
                    "cameras" => (style::CAMERA, 4.0, 8.0),
                    "weather_stations" => (style::WEATHER, 6.0, 14.0),
                    "emergency_resources" => (style::resource(text(props, "kind")), 16.0, 16.0),
                    "sensitive_targets" => (style::SENSITIVE, 30.0, 40.0),
                    _ => ([200, 200, 200], 6.0, 6.0),
                };
                if let Some((c, _)) = point(frame, &g.value) {
                    push(
                        Shape::Marker {
                            at: mesh::to_scene(c, 0.0),
                            size,
                            height,
                            kind: MarkerShape::Box,
                        },
                        colour,
                        Shading::Flat,
                    );
                } else {
                    for poly in polygons(frame, &g.value) {
                        push(Shape::Mesh(mesh::flat_polygon(&poly, y)), colour, Shading::Flat);
                    }
                    for l in lines(frame, &g.value, f64::from(y)) {
                        push(Shape::Mesh(mesh::polyline(&l)), colour, Shading::Flat);
                    }
                }
            }
        }
    }
    out
}

/// The park's extent on the map, `(min, max)` of east/north in metres, from its bounding box.
pub fn park_extent(frame: &LocalFrame, bbox: [f64; 4]) -> ([f64; 2], [f64; 2]) {
    let corners = [
        frame.to_map(bbox[0], bbox[1]),
        frame.to_map(bbox[2], bbox[1]),
        frame.to_map(bbox[2], bbox[3]),
        frame.to_map(bbox[0], bbox[3]),
    ];
    let mut lo = [f64::MAX; 2];
    let mut hi = [f64::MIN; 2];
    for c in corners {
        for k in 0..2 {
            lo[k] = lo[k].min(c[k]);
            hi[k] = hi[k].max(c[k]);
        }
    }
    (lo, hi)
}
