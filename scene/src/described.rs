//! A descriptor layer's features turned into things to draw, styled by its descriptor: points
//! as markers of the given shape, polygons flat or extruded, lines as ribbons (raised into
//! arcs where the style says so), each with its label's text and where it stands.

use geojson::FeatureCollection;
use parktwin_api::descriptor::Descriptor;
use parktwin_api::frame::LocalFrame;
use serde_json::Map;

use crate::mesh;
use crate::model::{SceneItem, Shading, Shape, lines, point, polygons};

/// Height (metres) flat descriptor polygons and lines are drawn at: above the built-in ground
/// layers (which reach 0.6 m), one centimetre higher per step of z-order so that a later layer
/// lies over an earlier one.
pub fn flat_height(z_order: i32) -> f32 {
    0.8 + 0.01 * z_order.clamp(0, 100) as f32
}

/// Height above a model's origin its label stands at, metres (a model's own height is not
/// known before it loads).
const MODEL_LABEL_HEIGHT: f32 = 12.0;

/// One drawn feature of a descriptor layer, with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribedItem {
    /// What to draw.
    pub item: SceneItem,
    /// The label (English, Chinese) and where it stands in the scene frame.
    pub label: Option<(String, String, [f32; 3])>,
    /// The feature's properties, for identify.
    pub properties: Map<String, serde_json::Value>,
}

fn centre_of(points: impl Iterator<Item = [f64; 2]>) -> Option<[f64; 2]> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for p in points {
        sx += p[0];
        sy += p[1];
        n += 1.0;
    }
    (n > 0.0).then(|| [sx / n, sy / n])
}

/// Draws a descriptor layer's features in the scene frame.
///
/// ```
/// use parktwin_api::descriptor::parse_toml;
/// use parktwin_api::frame::LocalFrame;
/// use parktwin_scene::described::items;
/// let d = parse_toml("x.toml", r##"
/// id = "wells"
/// title = "Wells"
/// group = "environment"
/// source = { file = "wells.geojson" }
/// style = { colour = "#00ff00", marker = { shape = "sphere", size_m = 6 } }
/// "##).unwrap();
/// let fc: geojson::FeatureCollection = r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","id":"w1","geometry":{"type":"Point","coordinates":[118.45,37.57]},"properties":{}}]}"#
///     .parse().unwrap();
/// let drawn = items(&LocalFrame::new(118.45, 37.57), &d, &fc, 0);
/// assert_eq!(drawn.len(), 1);
/// assert_eq!(drawn[0].item.colour, [0, 255, 0]);
/// ```
pub fn items(frame: &LocalFrame, d: &Descriptor, fc: &FeatureCollection, z_order: i32) -> Vec<DescribedItem> {
    let style = &d.style;
    let y = flat_height(z_order);
    let marker = style.marker.clone().unwrap_or_default();
    let line_style = style.line.clone().unwrap_or_default();
    let empty = Map::new();
    let mut out = Vec::new();
    for f in &fc.features {
        let Some(g) = &f.geometry else { continue };
        let id = parktwin_api::validate::feature_id(f).unwrap_or_default().to_string();
        let props = f.properties.as_ref().unwrap_or(&empty);
        let colour = style.colour_of(props);
        let label = style.label_of(props);
        let mut push = |shape: Shape, shading: Shading, anchor: [f32; 3]| {
            out.push(DescribedItem {
                item: SceneItem {
                    layer: d.id.clone(),
                    feature: id.clone(),
                    shape,
                    colour,
                    shading,
                },
                label: label.clone().map(|(en, zh)| (en, zh, anchor)),
                properties: props.clone(),
            });
        };
        if let (Some((c, up)), Some(m)) = (point(frame, &g.value), &style.model) {
            let at = mesh::to_scene(c, up as f32);
            push(
                Shape::Model {
                    at,
                    heading_deg: m.heading_of(props) as f32,
                    scale: m.scale as f32,
                },
                Shading::Lit,
                [at[0], at[1] + MODEL_LABEL_HEIGHT, at[2]],
            );
            continue;
        }
        if let Some((c, up)) = point(frame, &g.value) {
            let (size, height) = marker.size_of(props);
            let (size, height) = (size as f32, height as f32);
            let at = mesh::to_scene(c, up as f32);
            push(
                Shape::Marker {
                    at,
                    size,
                    height,
                    kind: marker.shape,
                },
                Shading::Flat,
                [at[0], at[1] + height, at[2]],
            );
            continue;
        }
        for poly in polygons(frame, &g.value) {
            let Some(c) = centre_of(poly.first().into_iter().flatten().copied()) else {
                continue;
            };
            match &style.extrude {
                Some(e) => {
                    let h = e.of(props).max(0.1) as f32;
                    push(
                        Shape::Mesh(mesh::extrude(&poly, 0.0, h)),
                        Shading::Lit,
                        mesh::to_scene(c, h),
                    );
                }
                None => push(
                    Shape::Mesh(mesh::flat_polygon(&poly, y)),
                    Shading::Flat,
                    mesh::to_scene(c, y),
                ),
            }
        }
        let base = line_style.height_m.unwrap_or(f64::from(y));
        for l in lines(frame, &g.value, base) {
            let width = line_style.width_of(props);
            let path: Vec<[f64; 3]> = if line_style.arc_height_m > 0.0 {
                let flat: Vec<[f64; 2]> = l.iter().map(|p| [p[0], p[1]]).collect();
                mesh::arc(&flat, base, line_style.arc_height_m, 32)
            } else {
                // A line's own heights sit a little above what it overlays (a rack's top tier).
                l.iter().map(|p| [p[0], p[1], p[2] + 0.3]).collect()
            };
            let mid = path[path.len() / 2];
            push(
                Shape::Mesh(mesh::ribbon3(&path, width)),
                Shading::Flat,
                mesh::to_scene([mid[0], mid[1]], mid[2] as f32),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::descriptor::parse_toml;

    fn fc(geoms: &[&str]) -> FeatureCollection {
        let feats: Vec<String> = geoms
            .iter()
            .enumerate()
            .map(|(i, g)| {
                format!(r#"{{"type":"Feature","id":"f{i}","geometry":{g},"properties":{{"kt":200,"name":"N{i}","kind":"a"}}}}"#)
            })
            .collect();
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, feats.join(","))
            .parse()
            .expect("geojson")
    }

    #[test]
    fn lines_become_arcs_as_wide_as_the_property_says() {
        let d = parse_toml(
            "f.toml",
            r##"id = "flows"
title = "Flows"
group = "industry_chain"
source = { file = "f.geojson" }
[style]
colour = "#ff0000"
label = { property = "name" }
[style.line]
arc_height_m = 100
width_by = { property = "kt", scale = 0.05, min_m = 3, max_m = 18 }
"##,
        )
        .expect("descriptor");
        let frame = LocalFrame::new(118.45, 37.57);
        let (lon2, lat2) = frame.to_wgs84(1000.0, 0.0);
        let drawn = items(
            &frame,
            &d,
            &fc(&[&format!(
                r#"{{"type":"LineString","coordinates":[[118.45,37.57],[{lon2},{lat2}]]}}"#
            )]),
            0,
        );
        assert_eq!(drawn.len(), 1);
        let Shape::Mesh(m) = &drawn[0].item.shape else {
            panic!("a mesh")
        };
        let (lo, hi) = m.bounds();
        // 200 kt × 0.05 = 10 m wide (±5 m across the line, which runs east).
        assert!((hi[2] - lo[2] - 10.0).abs() < 0.01, "width {}", hi[2] - lo[2]);
        // Raised to base + 100 m at the middle.
        assert!((hi[1] - flat_height(0) - 100.0).abs() < 0.5, "top {}", hi[1]);
        let (en, _, at) = drawn[0].label.clone().expect("label");
        assert_eq!(en, "N0");
        assert!(
            (at[0] - 500.0).abs() < 1.0 && at[1] > 99.0,
            "label at the arc's top: {at:?}"
        );
    }

    #[test]
    fn polygons_extrude_by_a_property_and_points_take_their_shape() {
        let d = parse_toml(
            "e.toml",
            r##"id = "energy"
title = "Energy"
group = "energy"
source = { file = "e.geojson" }
[style]
colour = "#ffaa00"
extrude = { property = "kt", scale = 0.1 }
marker = { shape = "cone", size_m = 12, height_m = 20 }
"##,
        )
        .expect("descriptor");
        let frame = LocalFrame::new(118.45, 37.57);
        let drawn = items(
            &frame,
            &d,
            &fc(&[
                r#"{"type":"Polygon","coordinates":[[[118.45,37.57],[118.451,37.57],[118.451,37.571],[118.45,37.57]]]}"#,
                r#"{"type":"Point","coordinates":[118.45,37.57]}"#,
            ]),
            0,
        );
        assert_eq!(drawn.len(), 2);
        let Shape::Mesh(m) = &drawn[0].item.shape else {
            panic!("a mesh")
        };
        assert!((m.bounds().1[1] - 20.0).abs() < 1e-3, "200 × 0.1 = 20 m tall");
        assert_eq!(drawn[0].item.shading, Shading::Lit);
        assert!(matches!(
            drawn[1].item.shape,
            Shape::Marker { kind: parktwin_api::descriptor::MarkerShape::Cone, size, height, .. } if size == 12.0 && height == 20.0
        ));
    }
}
