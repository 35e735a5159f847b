//! Shared unit solids, placed by a transform: every tank shell, roof, sphere, saddle and pipe
//! of the park is one of a few meshes, scaled, turned and moved, so that the renderer draws
//! each kind in one instanced batch instead of a mesh per object.

use bevy::math::{Quat, Vec3};

/// A unit solid, 1 m across each axis and centred on the origin (as Bevy's primitives are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Solid {
    /// An upright cylinder, radius 0.5, height 1, closed at both ends.
    Cylinder,
    /// An upright cone, base radius 0.5 at y = −0.5, apex at y = 0.5.
    Cone,
    /// A sphere of radius 0.5 (scaled unevenly: a dome, an ellipsoidal head).
    Sphere,
    /// A cube of side 1.
    Cuboid,
}

impl From<parktwin_api::descriptor::MarkerShape> for Solid {
    fn from(m: parktwin_api::descriptor::MarkerShape) -> Self {
        use parktwin_api::descriptor::MarkerShape;
        match m {
            MarkerShape::Box => Solid::Cuboid,
            MarkerShape::Cylinder => Solid::Cylinder,
            MarkerShape::Sphere => Solid::Sphere,
            MarkerShape::Cone => Solid::Cone,
        }
    }
}

/// One solid where it stands: the unit solid scaled by `scale` (metres along its own axes),
/// turned by `rotation` and moved to `centre`, in the scene frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Which unit solid.
    pub solid: Solid,
    /// Its centre, scene frame.
    pub centre: Vec3,
    /// Its turn about its centre.
    pub rotation: Quat,
    /// Its size along its own axes, metres.
    pub scale: Vec3,
}

impl Placed {
    /// An unturned solid of `size` (x, up, z) centred at `centre`.
    pub fn upright(solid: Solid, centre: Vec3, size: Vec3) -> Self {
        Self {
            solid,
            centre,
            rotation: Quat::IDENTITY,
            scale: size,
        }
    }

    /// A cylinder of `diameter` from `a` to `b` (a pipe, a column, a horizontal vessel's shell).
    ///
    /// ```
    /// use bevy::math::Vec3;
    /// use parktwin_scene::solid::Placed;
    /// let pipe = Placed::between(Vec3::new(0.0, 8.0, 0.0), Vec3::new(100.0, 8.0, 0.0), 0.25);
    /// let (lo, hi) = pipe.bounds();
    /// assert!((lo.x - 0.0).abs() < 1e-3 && (hi.x - 100.0).abs() < 1e-3);
    /// assert!((hi.y - lo.y - 0.25).abs() < 1e-3);
    /// ```
    pub fn between(a: Vec3, b: Vec3, diameter: f32) -> Self {
        let d = b - a;
        Self {
            solid: Solid::Cylinder,
            centre: (a + b) / 2.0,
            rotation: Quat::from_rotation_arc(Vec3::Y, d.normalize_or(Vec3::Y)),
            scale: Vec3::new(diameter, d.length(), diameter),
        }
    }

    /// The axis-aligned bounds `(min, max)` of the placed solid, from its unit shape's
    /// extremes (exact for the upright and level ones the park draws).
    pub fn bounds(&self) -> (Vec3, Vec3) {
        let mut lo = Vec3::splat(f32::MAX);
        let mut hi = Vec3::splat(f32::MIN);
        let round = matches!(self.solid, Solid::Cylinder | Solid::Sphere | Solid::Cone);
        // A round solid's extremes lie on its axis-aligned circle; sample it finely.
        let samples: Vec<Vec3> = if round {
            (0..64)
                .flat_map(|i| {
                    let a = i as f32 / 64.0 * std::f32::consts::TAU;
                    let (x, z) = (0.5 * a.cos(), 0.5 * a.sin());
                    match self.solid {
                        Solid::Sphere => {
                            vec![Vec3::new(x, 0.0, z), Vec3::new(x, z, 0.0), Vec3::new(0.0, x, z)]
                        }
                        Solid::Cone => vec![Vec3::new(x, -0.5, z), Vec3::new(0.0, 0.5, 0.0)],
                        _ => vec![Vec3::new(x, -0.5, z), Vec3::new(x, 0.5, z)],
                    }
                })
                .collect()
        } else {
            (0..8)
                .map(|i| {
                    Vec3::new(
                        if i & 1 == 0 { -0.5 } else { 0.5 },
                        if i & 2 == 0 { -0.5 } else { 0.5 },
                        if i & 4 == 0 { -0.5 } else { 0.5 },
                    )
                })
                .collect()
        };
        for p in samples {
            let w = self.centre + self.rotation * (p * self.scale);
            lo = lo.min(w);
            hi = hi.max(w);
        }
        (lo, hi)
    }
}

/// The unit mesh of a solid (see [`Solid`]): one per kind, shared by every placement.
pub fn unit_mesh(solid: Solid) -> bevy::prelude::Mesh {
    use bevy::prelude::*;
    match solid {
        Solid::Cylinder => Cylinder::new(0.5, 1.0).mesh().resolution(32).into(),
        Solid::Cone => Cone::new(0.5, 1.0).mesh().resolution(32).into(),
        Solid::Sphere => Sphere::new(0.5).mesh().uv(32, 16),
        Solid::Cuboid => Cuboid::new(1.0, 1.0, 1.0).into(),
    }
}
