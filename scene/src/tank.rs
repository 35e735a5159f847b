//! A storage tank drawn by its type, sized from its attributes: the shell and roof of a
//! vertical tank, a sphere on its columns, a horizontal bullet on its saddles. Each part is a
//! [`Placed`] unit solid, so a park's tanks are a handful of instanced meshes.
//!
//! The proportions the attributes do not give are drawn from the design codes that set them:
//! - a self-supporting cone roof at its least slope, 1 in 6 (9.5°; API 650, 13th ed., 5.10.5.1:
//!   "not less than 9.5° nor more than 37°");
//! - a dome roof as a spherical cap of radius 1.0 D (API 650 5.10.6.1 allows 0.8 D to 1.2 D),
//!   which rises D·(1 − √0.75) ≈ 0.134 D; an internal floating roof's fixed roof and a
//!   refrigerated tank's outer roof are drawn as such domes;
//! - a pressure vessel's ends as standard 2:1 ellipsoidal heads, each D/4 deep (GB/T 25198-2023,
//!   EHA heads);
//! - a sphere carried on columns at its equator (GB/T 12337-2014's column-supported spheres),
//!   its bottom drawn a fifth of its diameter above the ground (a drawing choice, not a code's).

use bevy::math::{Quat, Vec3};

use crate::mesh::to_scene;
use crate::solid::{Placed, Solid};
use crate::style::{self, Srgb};

/// The kinds of tank the map draws differently, from a tank's `roof` (or `type`) attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TankKind {
    /// Vertical, fixed cone roof (`"fixed cone"`, `"cone"`, `"fixed roof"`).
    ConeRoof,
    /// Vertical with a dome: an internal floating roof under a fixed dome, a dome roof, a
    /// refrigerated double-walled tank (`"internal floating"`, `"dome"`, `"refrigerated…"`).
    DomeRoof,
    /// Vertical and open at the top, its deck floating on the liquid (`"external floating"`,
    /// `"floating"`).
    FloatingRoof,
    /// A vertical pressure vessel with an ellipsoidal head (`"pressurised"`, `"vertical vessel"`).
    VerticalVessel,
    /// A sphere (`"sphere"`).
    Sphere,
    /// A horizontal cylinder with ellipsoidal heads (`"horizontal bullet"`, `"bullet"`,
    /// `"horizontal"`).
    Bullet,
    /// Anything else: a plain cylinder, as a tank of unknown build.
    Plain,
}

impl TankKind {
    /// The kind a tank's `roof` attribute names (case and spacing ignored).
    ///
    /// ```
    /// use parktwin_scene::tank::TankKind;
    /// assert_eq!(TankKind::of("Horizontal bullet"), TankKind::Bullet);
    /// assert_eq!(TankKind::of("refrigerated double wall"), TankKind::DomeRoof);
    /// assert_eq!(TankKind::of(""), TankKind::Plain);
    /// ```
    pub fn of(roof: &str) -> Self {
        let r = roof.trim().to_ascii_lowercase();
        let r = r.replace(['_', '-'], " ");
        match r.as_str() {
            "fixed cone" | "cone" | "fixed roof" | "cone roof" => Self::ConeRoof,
            "internal floating" | "dome" | "dome roof" => Self::DomeRoof,
            "external floating" | "floating" | "floating roof" => Self::FloatingRoof,
            "pressurised" | "pressurized" | "vertical vessel" => Self::VerticalVessel,
            "sphere" | "spherical" => Self::Sphere,
            "horizontal bullet" | "bullet" | "horizontal" => Self::Bullet,
            _ if r.starts_with("refrigerated") => Self::DomeRoof,
            _ => Self::Plain,
        }
    }
}

/// A tank's attributes that set its shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TankSize {
    /// Shell diameter, metres.
    pub diameter: f32,
    /// Shell height, metres; a bullet's length along its axis.
    pub height: f32,
    /// A bullet's axis, degrees clockwise from north (default east–west, 90°).
    pub azimuth_deg: f32,
}

/// A cone roof's rise per metre of radius (API 650 5.10.5.1's least slope, 9.5°).
pub const CONE_ROOF_SLOPE: f32 = 1.0 / 6.0;
/// A dome roof's rise over its diameter: a cap of radius 1.0 D (API 650 5.10.6.1).
pub const DOME_RISE: f32 = 0.133_974_6;
/// A 2:1 ellipsoidal head's depth over the vessel's diameter (GB/T 25198).
pub const HEAD_DEPTH: f32 = 0.25;
/// A sphere's bottom above the ground over its diameter (drawing choice).
pub const SPHERE_CLEARANCE: f32 = 0.2;
/// Height of a bullet's saddles under its shell, metres (drawing choice).
const SADDLE_HEIGHT: f32 = 0.6;

/// The parts of one tank standing at `centre` (east, north metres): each unit solid where it
/// stands, with its colour.
pub fn parts(kind: TankKind, centre: [f64; 2], size: TankSize) -> Vec<(Placed, Srgb)> {
    let d = size.diameter.max(0.5);
    let h = size.height.max(0.5);
    let base = Vec3::from(to_scene(centre, 0.0));
    let up = |y: f32| base + Vec3::Y * y;
    let shell = |height: f32| Placed::upright(Solid::Cylinder, up(height / 2.0), Vec3::new(d, height, d));
    match kind {
        TankKind::Plain => vec![(shell(h), style::TANK)],
        TankKind::ConeRoof => {
            let rise = d / 2.0 * CONE_ROOF_SLOPE;
            vec![
                (shell(h), style::TANK),
                (
                    Placed::upright(Solid::Cone, up(h + rise / 2.0), Vec3::new(d, rise, d)),
                    style::TANK_ROOF,
                ),
            ]
        }
        TankKind::DomeRoof => {
            // The lower half of the scaled sphere lies inside the shell.
            let rise = d * DOME_RISE;
            vec![
                (shell(h), style::TANK),
                (
                    Placed::upright(Solid::Sphere, up(h), Vec3::new(d, 2.0 * rise, d)),
                    style::TANK_ROOF,
                ),
            ]
        }
        TankKind::FloatingRoof => vec![
            (shell(h), style::TANK),
            // The deck seen from above inside the shell's rim: a dark disc on the shell's top.
            (
                Placed::upright(Solid::Cylinder, up(h + 0.05), Vec3::new(d * 0.92, 0.1, d * 0.92)),
                style::FLOATING_DECK,
            ),
        ],
        TankKind::VerticalVessel => vec![
            (shell(h), style::TANK),
            (
                Placed::upright(Solid::Sphere, up(h), Vec3::new(d, 2.0 * HEAD_DEPTH * d, d)),
                style::TANK,
            ),
        ],
        TankKind::Sphere => {
            let clearance = SPHERE_CLEARANCE * d;
            let equator = clearance + d / 2.0;
            let mut out = vec![(Placed::upright(Solid::Sphere, up(equator), Vec3::splat(d)), style::TANK)];
            // Columns at the equator, one every 45°, as thick as a twentieth of the diameter.
            for k in 0..8 {
                let a = k as f32 * std::f32::consts::FRAC_PI_4;
                let at = base + Vec3::new(a.cos(), 0.0, a.sin()) * (d / 2.0);
                out.push((Placed::between(at, at + Vec3::Y * equator, d / 20.0), style::STEEL));
            }
            out
        }
        TankKind::Bullet => {
            // Turned from east (+x) to its azimuth, clockwise from north seen from above.
            let turn = Quat::from_rotation_y((90.0 - size.azimuth_deg).to_radians());
            let axis = turn * Vec3::X;
            let centre_y = SADDLE_HEIGHT + d / 2.0;
            let mid = up(centre_y);
            let half = axis * (h / 2.0);
            let head = |end: Vec3| Placed {
                solid: Solid::Sphere,
                centre: end,
                rotation: turn,
                scale: Vec3::new(2.0 * HEAD_DEPTH * d, d, d),
            };
            let saddle = |along: f32| Placed {
                solid: Solid::Cuboid,
                centre: base + axis * along + Vec3::Y * (SADDLE_HEIGHT + d / 4.0) / 2.0,
                rotation: turn,
                scale: Vec3::new(0.3, SADDLE_HEIGHT + d / 4.0, d * 0.8),
            };
            vec![
                (Placed::between(mid - half, mid + half, d), style::TANK),
                (head(mid - half), style::TANK),
                (head(mid + half), style::TANK),
                (saddle(-h / 3.0), style::STEEL),
                (saddle(h / 3.0), style::STEEL),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(d: f32, h: f32) -> TankSize {
        TankSize {
            diameter: d,
            height: h,
            azimuth_deg: 90.0,
        }
    }

    /// The bounds of all of a tank's parts.
    fn extent(parts: &[(Placed, Srgb)]) -> (Vec3, Vec3) {
        parts
            .iter()
            .fold((Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)), |(lo, hi), (p, _)| {
                let (a, b) = p.bounds();
                (lo.min(a), hi.max(b))
            })
    }

    #[test]
    fn a_cone_roof_rises_one_in_six_over_a_shell_of_the_tanks_height() {
        let p = parts(TankKind::ConeRoof, [100.0, 200.0], size(12.0, 10.0));
        let (lo, hi) = extent(&p);
        assert!((hi.y - (10.0 + 6.0 / 6.0)).abs() < 1e-3, "top {}", hi.y);
        assert!(lo.y.abs() < 1e-4);
        assert!((hi.x - lo.x - 12.0).abs() < 0.05, "{}", hi.x - lo.x);
        // Centred on the tank's point: east 100, north 200 (scene z = −north).
        assert!(((lo.x + hi.x) / 2.0 - 100.0).abs() < 1e-3 && ((lo.z + hi.z) / 2.0 + 200.0).abs() < 1e-3);
    }

    #[test]
    fn a_dome_rises_0_134_of_its_diameter_and_a_floating_deck_lies_inside_the_rim() {
        let (_, hi) = extent(&parts(TankKind::DomeRoof, [0.0, 0.0], size(26.0, 22.0)));
        assert!((hi.y - (22.0 + 26.0 * DOME_RISE)).abs() < 1e-3, "{}", hi.y);
        let floating = parts(TankKind::FloatingRoof, [0.0, 0.0], size(40.0, 18.0));
        let (deck, colour) = floating[1];
        let (lo, hi) = deck.bounds();
        assert_eq!(colour, style::FLOATING_DECK);
        assert!(hi.x - lo.x < 40.0 && lo.y >= 18.0 - 1e-4);
    }

    #[test]
    fn a_sphere_stands_on_eight_columns_reaching_its_equator() {
        let p = parts(TankKind::Sphere, [0.0, 0.0], size(14.0, 14.0));
        let (lo, hi) = extent(&p);
        assert!((hi.y - (14.0 * 0.2 + 14.0)).abs() < 1e-3, "{}", hi.y);
        assert!(lo.y.abs() < 1e-3);
        let columns: Vec<_> = p.iter().filter(|(_, c)| *c == style::STEEL).collect();
        assert_eq!(columns.len(), 8);
        for (c, _) in columns {
            let (a, b) = c.bounds();
            assert!(a.y.abs() < 1e-3 && (b.y - (2.8 + 7.0)).abs() < 1e-3);
        }
    }

    #[test]
    fn a_bullet_lies_along_its_azimuth_with_heads_beyond_its_shell() {
        // 6 m shell, 4 m across, axis east–west: 6 + 2 × 1 m of heads along x.
        let east = extent(&parts(TankKind::Bullet, [0.0, 0.0], size(4.0, 6.0)));
        assert!((east.1.x - east.0.x - 8.0).abs() < 0.05, "{:?}", east);
        assert!((east.1.z - east.0.z - 4.0).abs() < 0.05, "{:?}", east);
        assert!((east.1.y - (SADDLE_HEIGHT + 4.0)).abs() < 1e-3);
        // Turned north–south: the length now runs along z.
        let north = extent(&parts(
            TankKind::Bullet,
            [0.0, 0.0],
            TankSize {
                azimuth_deg: 0.0,
                ..size(4.0, 6.0)
            },
        ));
        assert!((north.1.z - north.0.z - 8.0).abs() < 0.05, "{:?}", north);
    }

    #[test]
    fn every_roof_the_demo_names_has_a_kind() {
        for roof in [
            "horizontal bullet",
            "sphere",
            "internal floating",
            "refrigerated double wall",
            "pressurised",
            "fixed cone",
        ] {
            assert_ne!(TankKind::of(roof), TankKind::Plain, "{roof}");
        }
    }
}
