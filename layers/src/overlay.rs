//! Marks over the map that are not features of their own: a ring round each major hazard
//! source in its level's colour, and a ring round what the operator selected.

use std::collections::HashMap;

use bevy::camera::primitives::Aabb;
use bevy::prelude::*;
use parktwin_api::model::RiskColour;
use parktwin_scene::{FeatureRef, ParkData, Selection};

use crate::LayerRegistry;

/// Draws the hazard rings and the selection ring.
pub struct OverlayPlugin;

impl Plugin for OverlayPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, (hazard_rings, selection_ring));
    }
}

/// An isometry that lays a gizmo circle flat on the ground at `p`.
pub fn flat_at(p: Vec3) -> Isometry3d {
    Isometry3d::new(p, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2))
}

/// The scene position of each point feature of a layer, by feature id.
pub fn point_places(data: &ParkData, layer: &str) -> HashMap<String, Vec3> {
    let frame = data.park.frame();
    let mut out = HashMap::new();
    for (info, fc) in &data.layers {
        if info.id != layer {
            continue;
        }
        for f in &fc.features {
            let (Some(id), Some(geojson::Value::Point(p))) = (
                f.id.as_ref().map(|i| match i {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                }),
                f.geometry.as_ref().map(|g| &g.value),
            ) else {
                continue;
            };
            let [e, n] = frame.to_map(p[0], p[1]);
            out.insert(id, Vec3::new(e as f32, 0.0, -(n as f32)));
        }
    }
    out
}

/// A ring round each polygon feature of the `hazards` layer: its centre, radius and level.
pub fn hazard_ring_places(data: &ParkData) -> Vec<(Vec3, f32, u8)> {
    let frame = data.park.frame();
    let level: HashMap<&str, u8> = data.hazards.iter().map(|h| (h.id.as_str(), h.level)).collect();
    let mut out = Vec::new();
    for (info, fc) in &data.layers {
        if info.id != "hazards" {
            continue;
        }
        for f in &fc.features {
            let id = match &f.id {
                Some(geojson::feature::Id::String(s)) => s.as_str(),
                _ => continue,
            };
            let Some(geojson::Value::Polygon(rings)) = f.geometry.as_ref().map(|g| &g.value) else {
                continue;
            };
            let pts: Vec<Vec2> = rings[0]
                .iter()
                .map(|p| {
                    let [e, n] = frame.to_map(p[0], p[1]);
                    Vec2::new(e as f32, -(n as f32))
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            let c = pts.iter().copied().sum::<Vec2>() / pts.len() as f32;
            let r = pts.iter().map(|p| p.distance(c)).fold(0.0, f32::max);
            out.push((Vec3::new(c.x, 1.0, c.y), r + 25.0, level.get(id).copied().unwrap_or(4)));
        }
    }
    out
}

fn hazard_rings(
    mut gizmos: Gizmos,
    data: Option<Res<ParkData>>,
    registry: Res<LayerRegistry>,
    mut places: Local<Option<Vec<(Vec3, f32, u8)>>>,
) {
    let Some(data) = data else { return };
    if !registry.is_visible("hazards") {
        return;
    }
    for (at, r, level) in places.get_or_insert_with(|| hazard_ring_places(&data)).iter() {
        let [cr, cg, cb] = RiskColour::from_hazard_level(Some(*level)).srgb();
        gizmos.circle(flat_at(*at), *r, Color::srgb_u8(cr, cg, cb));
        gizmos.circle(flat_at(*at), *r + 4.0, Color::srgb_u8(cr, cg, cb));
    }
}

/// White double ring round the selected thing, sized to it.
fn selection_ring(
    mut gizmos: Gizmos,
    selection: Res<Selection>,
    q: Query<(&FeatureRef, &GlobalTransform, Option<&Aabb>)>,
) {
    let Some(sel) = &selection.0 else { return };
    for (f, t, aabb) in &q {
        if f != sel {
            continue;
        }
        let (centre, r) = match aabb {
            Some(b) => {
                let c = t.transform_point(Vec3::from(b.center));
                let half = Vec3::from(b.half_extents) * t.scale();
                (c, Vec2::new(half.x, half.z).length())
            }
            None => (t.translation(), 10.0),
        };
        let r = r.max(15.0) + 10.0;
        let at = Vec3::new(centre.x, 2.0, centre.z);
        gizmos.circle(flat_at(at), r, Color::WHITE);
        gizmos.circle(flat_at(at), r + 5.0, Color::WHITE);
    }
}
