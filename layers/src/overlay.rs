//! Marks over the map that are not features of their own: a ring round each major hazard
//! source in its level's colour, and a ring round what the operator selected.

use std::collections::HashMap;

use bevy::camera::primitives::Aabb;
use bevy::prelude::*;
use parktwin_api::layer::LayerId;
use parktwin_api::model::RiskColour;
use parktwin_scene::{FeatureRef, ParkData, Selection, footprint};

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

fn hazard_rings(
    mut gizmos: Gizmos,
    data: Option<Res<ParkData>>,
    registry: Res<LayerRegistry>,
    q: Query<(&FeatureRef, &GlobalTransform, Option<&Aabb>)>,
    mut levels: Local<HashMap<String, u8>>,
) {
    let Some(data) = data else { return };
    if !registry.is_visible(LayerId::HAZARDS.as_str()) {
        return;
    }
    if levels.is_empty() {
        *levels = data.hazards.iter().map(|h| (h.id.clone(), h.level)).collect();
    }
    for (f, t, aabb) in &q {
        if f.layer != LayerId::HAZARDS {
            continue;
        }
        let (c, r) = footprint(t, aabb, 0.0);
        let level = levels.get(&f.feature).copied().unwrap_or(4);
        let [cr, cg, cb] = RiskColour::from_hazard_level(Some(level)).srgb();
        let at = Vec3::new(c.x, 1.0, c.z);
        gizmos.circle(flat_at(at), r + 25.0, Color::srgb_u8(cr, cg, cb));
        gizmos.circle(flat_at(at), r + 29.0, Color::srgb_u8(cr, cg, cb));
    }
}

/// White double ring round the selected thing, sized to it: one ring round all the entities
/// that draw it (a tank's shell, roof and columns; a unit's pad, structure and vessels).
fn selection_ring(
    mut gizmos: Gizmos,
    selection: Res<Selection>,
    q: Query<(&FeatureRef, &GlobalTransform, Option<&Aabb>)>,
) {
    let Some(sel) = &selection.0 else { return };
    let mut lo = Vec2::splat(f32::MAX);
    let mut hi = Vec2::splat(f32::MIN);
    for (f, t, aabb) in &q {
        if f != sel {
            continue;
        }
        let (centre, r) = footprint(t, aabb, 10.0);
        let c = Vec2::new(centre.x, centre.z);
        lo = lo.min(c - Vec2::splat(r));
        hi = hi.max(c + Vec2::splat(r));
    }
    if lo.x > hi.x {
        return;
    }
    let centre = (lo + hi) / 2.0;
    // The square round every part's circle; the ring round that square's inscribed circle
    // is the old ring for a thing drawn as one entity.
    let r = ((hi - lo) / 2.0).max_element().max(15.0) + 10.0;
    let at = Vec3::new(centre.x, 2.0, centre.y);
    gizmos.circle(flat_at(at), r, Color::WHITE);
    gizmos.circle(flat_at(at), r + 5.0, Color::WHITE);
}
