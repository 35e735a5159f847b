//! How high the liquid stands in a vessel holding a given volume: the head that drives a leak
//! from a hole at its bottom. An upright cylinder fills linearly; a horizontal cylinder (a
//! bullet) and a sphere do not:
//!
//! ```text
//! upright cylinder, radius r:           V = π r² h
//! horizontal cylinder, radius r, L:     V = L (r² acos((r − h)/r) − (r − h) √(2 r h − h²))
//! sphere, radius r:                     V = π h² (3 r − h) / 3
//! ```
//!
//! (the volume of a circular segment times the length, and of a spherical cap; Perry's
//! Chemical Engineers' Handbook, 8th ed., §10 "Tanks", partially filled horizontal and
//! spherical vessels). The level is found by bisection on the volume, which rises with it.

use std::f64::consts::PI;

use crate::{InputError, bisect, not_negative, positive};

/// A vessel's shape, as the level needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Vessel {
    /// An upright cylinder (a storage tank), of this inside diameter, m.
    Upright {
        /// Inside diameter, m.
        diameter_m: f64,
    },
    /// A horizontal cylinder (a bullet), of this inside diameter and length, m.
    Horizontal {
        /// Inside diameter, m.
        diameter_m: f64,
        /// Length, m.
        length_m: f64,
    },
    /// A sphere, of this inside diameter, m.
    Sphere {
        /// Inside diameter, m.
        diameter_m: f64,
    },
}

impl Vessel {
    /// The volume held below a level of `h` metres, m³.
    pub fn volume_below_m3(&self, h: f64) -> f64 {
        match *self {
            Vessel::Upright { diameter_m } => PI * (diameter_m / 2.0).powi(2) * h.max(0.0),
            Vessel::Horizontal { diameter_m, length_m } => {
                let r = diameter_m / 2.0;
                let h = h.clamp(0.0, diameter_m);
                length_m * (r * r * ((r - h) / r).acos() - (r - h) * (2.0 * r * h - h * h).max(0.0).sqrt())
            }
            Vessel::Sphere { diameter_m } => {
                let h = h.clamp(0.0, diameter_m);
                PI * h * h * (1.5 * diameter_m - h) / 3.0
            }
        }
    }

    /// The most it holds, m³ (an upright cylinder's for its `height_m`).
    pub fn capacity_m3(&self, height_m: f64) -> f64 {
        match *self {
            Vessel::Upright { .. } => self.volume_below_m3(height_m),
            Vessel::Horizontal { diameter_m, .. } | Vessel::Sphere { diameter_m } => self.volume_below_m3(diameter_m),
        }
    }

    /// The level of `volume_m3` of liquid, m above the bottom; an error naming the volume when
    /// the vessel (an upright one `height_m` tall) cannot hold it.
    ///
    /// ```
    /// use parktwin_consequence::source::Vessel;
    /// // A bullet or a sphere half full stands at half its diameter.
    /// let bullet = Vessel::Horizontal { diameter_m: 4.0, length_m: 6.0 };
    /// let half = bullet.capacity_m3(0.0) / 2.0;
    /// assert!((bullet.level_m(half, 0.0).unwrap() - 2.0).abs() < 1e-9);
    /// let sphere = Vessel::Sphere { diameter_m: 12.0 };
    /// assert!((sphere.level_m(sphere.capacity_m3(0.0) / 2.0, 0.0).unwrap() - 6.0).abs() < 1e-9);
    /// ```
    pub fn level_m(&self, volume_m3: f64, height_m: f64) -> Result<f64, InputError> {
        let v = not_negative("volume_m3", volume_m3)?;
        let top = match *self {
            Vessel::Upright { diameter_m } => {
                positive("diameter_m", diameter_m)?;
                positive("height_m", height_m)?
            }
            Vessel::Horizontal { diameter_m, length_m } => {
                positive("length_m", length_m)?;
                positive("diameter_m", diameter_m)?
            }
            Vessel::Sphere { diameter_m } => positive("diameter_m", diameter_m)?,
        };
        let capacity = self.capacity_m3(height_m);
        if v > capacity * (1.0 + 1e-9) {
            return Err(InputError::new(
                "volume_m3",
                format!("{v:.1} m³ is more than the vessel holds, {capacity:.1} m³"),
            ));
        }
        Ok(bisect(0.0, top, |h| self.volume_below_m3(h) < v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_empty_and_between() {
        let shapes = [
            (Vessel::Upright { diameter_m: 10.0 }, 12.0),
            (
                Vessel::Horizontal {
                    diameter_m: 4.0,
                    length_m: 6.0,
                },
                0.0,
            ),
            (Vessel::Sphere { diameter_m: 12.0 }, 0.0),
        ];
        for (v, height) in shapes {
            let cap = v.capacity_m3(height);
            assert!(
                v.level_m(0.0, height).expect("a level") < 1e-9,
                "{v:?}: empty is at the bottom"
            );
            let levels: Vec<f64> = (0..=10)
                .map(|k| v.level_m(cap * k as f64 / 10.0, height).expect("a level"))
                .collect();
            assert!(levels.windows(2).all(|w| w[1] > w[0]), "{v:?}: {levels:?}");
            // Each level holds the volume asked for.
            for (k, h) in levels.iter().enumerate() {
                assert!(
                    (v.volume_below_m3(*h) - cap * k as f64 / 10.0).abs() < 1e-6 * cap,
                    "{v:?} {k}"
                );
            }
            assert_eq!(v.level_m(cap * 1.1, height).expect_err("too much").field, "volume_m3");
        }
        // A sphere a quarter full stands at a third of its diameter (x²(3 − x) = 1, x = h/r:
        // h = 0.3264 D), an upright tank at a quarter of its height.
        let s = Vessel::Sphere { diameter_m: 10.0 };
        let h = s.level_m(s.capacity_m3(0.0) / 4.0, 0.0).expect("a level");
        assert!((h / 10.0 - 0.3264).abs() < 0.0005, "{h}");
    }
}
