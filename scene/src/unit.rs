//! A process unit drawn as a plant on its plot, where the data gives only the plot and a
//! height: a pad in the unit's legend colour, a steel structure of floors along the plot's long
//! axis, a row of columns (towers) on one side of it and horizontal drums on the other. It is a
//! picture of what a unit is like, not a survey of this one (the towers stand 1.6 times the
//! unit's height, floors every 6 m, bays of 8 m: drawing choices); a unit whose plot is not a
//! rectangle keeps its block.

use bevy::math::Vec2;

use crate::mesh::{self, MeshData};
use crate::rack::RackFrame;
use crate::solid::Placed;
use crate::style::Srgb;
use crate::tank::{self, TankKind, TankSize};

/// What a unit's plot is drawn with.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitPlant {
    /// The structure's steel, one mesh.
    pub structure: MeshData,
    /// Towers and drums, shared solids with their colours.
    pub vessels: Vec<(Placed, Srgb)>,
}

/// Floors of the structure, metres apart.
const FLOOR: f64 = 6.0;
/// Towers over the unit's height.
const TOWER_OVER_UNIT: f32 = 1.6;

/// The plant on a rectangular plot `ring` (east, north metres) of a unit `height` metres tall;
/// `None` when the plot is not a rectangle.
pub fn plant(ring: &[[f64; 2]], height: f32) -> Option<UnitPlant> {
    let c = mesh::rectangle(ring)?.map(|p| Vec2::new(p[0] as f32, p[1] as f32));
    let (along, across) = (c[1] - c[0], c[3] - c[0]);
    let (length, width) = (along.length(), across.length());
    let (u, v) = (along / length, across / width);
    let centre = (c[0] + c[1] + c[2] + c[3]) / 4.0;
    let at = |a: f32, b: f32| {
        let p = centre + u * a + v * b;
        [f64::from(p.x), f64::from(p.y)]
    };
    let floors = ((f64::from(height) / FLOOR).floor() as u32).max(1);
    let frame = RackFrame {
        width: f64::from(width * 0.25).min(24.0),
        height: FLOOR.min(f64::from(height)),
        tiers: floors,
        tier_spacing: FLOOR,
        bent_spacing: 8.0,
    };
    let structure = frame.mesh(&[at(-0.3 * length, 0.0), at(0.3 * length, 0.0)]);
    let mut vessels = Vec::new();
    let tower = TankSize {
        diameter: (width * 0.04).clamp(2.5, 6.0),
        height: height * TOWER_OVER_UNIT,
        azimuth_deg: 0.0,
    };
    for k in [-0.2, 0.0, 0.2] {
        vessels.extend(tank::parts(
            TankKind::VerticalVessel,
            at(k * length, 0.25 * width),
            tower,
        ));
    }
    // Drums lie along the structure: the axis's bearing, clockwise from north.
    let drum = TankSize {
        diameter: 3.0,
        height: 12.0,
        azimuth_deg: u.x.atan2(u.y).to_degrees(),
    };
    for k in [-0.15, 0.15] {
        vessels.extend(tank::parts(TankKind::Bullet, at(k * length, -0.25 * width), drum));
    }
    Some(UnitPlant { structure, vessels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::math::Vec3;

    #[test]
    fn a_units_plant_stands_on_its_plot_with_towers_over_its_structure() {
        // A plot 140 m east–west and 160 m north–south, 18 m tall.
        let plot = [[0.0, 0.0], [140.0, 0.0], [140.0, 160.0], [0.0, 160.0], [0.0, 0.0]];
        let p = plant(&plot, 18.0).expect("a rectangle");
        let (lo, hi) = p.structure.bounds();
        // Floors at 6, 12 and 18 m; along the long (north) axis over 60 % of it.
        assert!((hi[1] - 18.15).abs() < 1e-3, "{hi:?}");
        assert!((hi[2] - lo[2] - 0.6 * 160.0).abs() < 1.0, "{lo:?} {hi:?}");
        let mut top = Vec3::splat(f32::MIN);
        let mut bottom = Vec3::splat(f32::MAX);
        for (v, _) in &p.vessels {
            let (a, b) = v.bounds();
            top = top.max(b);
            bottom = bottom.min(a);
        }
        assert!(top.y > 18.0 * 1.6 && top.y < 18.0 * 1.6 + 2.0, "towers {}", top.y);
        // Everything on the plot (scene z is −north).
        assert!(
            bottom.x > 0.0 && top.x < 140.0 && -top.z > 0.0 && -bottom.z < 160.0,
            "{bottom:?} {top:?}"
        );
        assert!(plant(&[[0.0, 0.0], [10.0, 0.0], [3.0, 9.0], [0.0, 0.0]], 10.0).is_none());
    }
}
