//! A pool fire's flame in the wind: longer and leaning downwind, and what a target on the ground
//! sees of it.
//!
//! **Length and tilt** (as ALOHA takes them, NOAA TM NOS OR&R 43, 2013, §6.5.2): with the wind
//! at 10 m `u`, the burning rate `m″` and the air's density `ρₐ`,
//!
//! ```text
//! u* = u / (g m″ D / ρₐ)^(1/3)                       (taken as 1 below 1)
//! L  = 55 D (m″ / (ρₐ √(g D)))^0.67 u*^(−0.21)        Thomas (1963) in wind
//! cos θ = 1 / √u*                                     American Gas Association (1973)
//! ```
//!
//! **The flame** is a cylinder of the pool's radius `R` whose horizontal sections are circles
//! sliding downwind with height (a sheared cylinder, as ALOHA's "tilted cylinder which
//! intersects a plane parallel to the ground in a circle" and the TNO Yellow Book's Appendix
//! 6.1 take it), `L` long along its axis. A point of its side at angle `φ` round the pool and
//! height `z` is `(R cos φ + z tan θ, R sin φ, z)`, its outward normal along
//! `(cos φ, sin φ, −tan θ cos φ)`.
//!
//! **The view factor**: as ALOHA, the side is cut into 40 × 25 tiles and the integrand summed
//! at each; only the tiles facing the target count. The sum, taken as a vector
//! `V = Σ d̂ cos β_f dA / (π r²)` (`d̂` from the target to the tile), gives the view factor of a
//! small target facing any way `n` as `n · V`, the most any target receives `|V|` — for an
//! upright flame exactly `√(Fv² + Fh²)` of the closed forms, which a test checks. The tests also
//! check the Yellow Book's worked examples (CPR 14E, 2005, §6.6.3 a tilted pool fire and
//! §6.6.2's jet flame, their view factors).

use std::f64::consts::PI;

use crate::{G, InputError, positive};

/// Tiles round the flame.
const AROUND: usize = 40;
/// Tiles up the flame.
const UP: usize = 25;

/// The flame of a pool fire in the wind.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TiltedFlame {
    /// The pool's radius, m.
    pub radius_m: f64,
    /// The flame's length along its axis, m.
    pub length_m: f64,
    /// Its lean from the vertical, downwind, radians.
    pub tilt_rad: f64,
    /// The dimensionless wind `u*` (at least 1).
    pub wind_number: f64,
}

impl TiltedFlame {
    /// The flame over a pool `diameter_m` across burning `burning_rate_kg_m2_s`, in a wind of
    /// `wind_10m` m/s through air of `air_density_kg_m3`.
    ///
    /// ```
    /// use parktwin_consequence::fire::tilted_flame::TiltedFlame;
    /// // 20 m of benzene (0.0799 kg/(m²·s)) in a 5 m/s wind: leaning about 40°, 33 m long.
    /// let f = TiltedFlame::in_wind(20.0, 0.0799, 5.0, 1.204).unwrap();
    /// assert!(f.tilt_rad.to_degrees() > 35.0 && f.tilt_rad.to_degrees() < 50.0, "{f:?}");
    /// // No wind: upright.
    /// assert_eq!(TiltedFlame::in_wind(20.0, 0.0799, 0.0, 1.204).unwrap().tilt_rad, 0.0);
    /// ```
    pub fn in_wind(
        diameter_m: f64,
        burning_rate_kg_m2_s: f64,
        wind_10m: f64,
        air_density_kg_m3: f64,
    ) -> Result<Self, InputError> {
        let d = positive("diameter_m", diameter_m)?;
        let m = positive("burning_rate_kg_m2_s", burning_rate_kg_m2_s)?;
        let rho = positive("air_density_kg_m3", air_density_kg_m3)?;
        if !(wind_10m.is_finite() && wind_10m >= 0.0) {
            return Err(InputError::new(
                "wind_10m",
                format!("must be 0 or more, not {wind_10m}"),
            ));
        }
        let u_star = (wind_10m / (G * m * d / rho).cbrt()).max(1.0);
        let length = 55.0 * d * (m / (rho * (G * d).sqrt())).powf(0.67) * u_star.powf(-0.21);
        Ok(Self {
            radius_m: d / 2.0,
            length_m: length,
            tilt_rad: (1.0 / u_star.sqrt()).acos(),
            wind_number: u_star,
        })
    }

    /// The flame's height above the pool, m.
    pub fn height_m(&self) -> f64 {
        self.length_m * self.tilt_rad.cos()
    }

    /// The view factor vector `V` of the flame from a small target on the ground at
    /// `downwind_m` along the wind and `crosswind_m` across it from the pool's centre: a target
    /// facing `n` (a unit vector: downwind, crosswind, up) sees `n · V` of the flame.
    pub fn view_vector(&self, downwind_m: f64, crosswind_m: f64) -> [f64; 3] {
        let (r, h, t) = (self.radius_m, self.height_m(), self.tilt_rad.tan());
        let (dphi, dz) = (2.0 * PI / AROUND as f64, h / UP as f64);
        let mut v = [0.0; 3];
        for i in 0..AROUND {
            let phi = (i as f64 + 0.5) * dphi;
            let (c, s) = (phi.cos(), phi.sin());
            let stretch = (1.0 + c * c * t * t).sqrt();
            let normal = [c / stretch, s / stretch, -t * c / stretch];
            let area = r * stretch * dphi * dz;
            for j in 0..UP {
                // The bottom row at the ground (as ALOHA): a target at the ground sees it there.
                let z = if j == 0 { 0.0 } else { (j as f64 + 0.5) * dz };
                let p = [r * c + z * t, r * s, z];
                // From the tile to the target.
                let d = [downwind_m - p[0], crosswind_m - p[1], -p[2]];
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                let dist = r2.sqrt();
                let cos_f = (normal[0] * d[0] + normal[1] * d[1] + normal[2] * d[2]) / dist;
                if cos_f <= 0.0 {
                    continue;
                }
                let w = cos_f * area / (PI * r2 * dist);
                // The target looks back along −d.
                for k in 0..3 {
                    v[k] -= d[k] * w;
                }
            }
        }
        v
    }

    /// The most a small target on the ground there sees of the flame (turned towards it), 0
    /// to 1; 1 inside the pool.
    ///
    /// ```
    /// use parktwin_consequence::fire::tilted_flame::TiltedFlame;
    /// let f = TiltedFlame::in_wind(20.0, 0.0799, 5.0, 1.204).unwrap();
    /// // Downwind, under the leaning flame, a target sees more than upwind at the same distance.
    /// assert!(f.view_factor(40.0, 0.0) > 2.0 * f.view_factor(-40.0, 0.0));
    /// ```
    pub fn view_factor(&self, downwind_m: f64, crosswind_m: f64) -> f64 {
        if downwind_m.hypot(crosswind_m) <= self.radius_m {
            return 1.0;
        }
        let [a, b, c] = self.view_vector(downwind_m, crosswind_m);
        (a * a + b * b + c * c).sqrt().min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fire::pool_fire::cylinder_view_factors;

    fn flame(radius_m: f64, length_m: f64, tilt_deg: f64) -> TiltedFlame {
        TiltedFlame {
            radius_m,
            length_m,
            tilt_rad: tilt_deg.to_radians(),
            wind_number: 1.0,
        }
    }

    #[test]
    fn upright_it_gives_the_closed_forms() {
        // An upright flame: V's parts are the closed forms' Fv (along the line to the target)
        // and Fh (up), none across.
        for (h, s) in [(2.0, 1.5), (3.0, 3.0), (2.0, 8.0)] {
            let f = flame(10.0, 10.0 * h, 0.0);
            let (fv, fh) = cylinder_view_factors(10.0, 10.0 * h, 10.0 * s);
            let v = f.view_vector(10.0 * s, 0.0);
            assert!((-v[0] / fv - 1.0).abs() < 0.01, "h {h} s {s}: {v:?} against {fv}");
            assert!((v[2] / fh - 1.0).abs() < 0.02, "h {h} s {s}: {v:?} against {fh}");
            assert!(v[1].abs() < 1e-12);
        }
    }

    #[test]
    fn the_yellow_books_tilted_pool_fire_is_seen_as_it_prints() {
        // CPR 14E §6.6.3: a pool 42.445 m across, the flame 46.7725 m long leaning 50.8286°
        // towards a target 100 m from the pool's centre: Fv 0.091915, Fh 0.029146.
        let f = flame(42.445 / 2.0, 46.7725, 50.8286);
        let v = f.view_vector(100.0, 0.0);
        assert!((-v[0] / 0.091915 - 1.0).abs() < 0.005, "{v:?}");
        assert!((v[2] / 0.029146 - 1.0).abs() < 0.005, "{v:?}");
        // Leaning away, upwind of it, a target sees far less.
        let away = f.view_vector(-100.0, 0.0);
        assert!(away[0] < 0.5 * 0.091915, "{away:?}");
        // §6.6.2's jet flame as a cylinder: L/R 11.18, X/R 14.43166, leaning 2.00843°:
        // Fv 0.02665, Fh 0.00934.
        let f = flame(1.0, 11.18, 2.00843);
        let v = f.view_vector(14.43166, 0.0);
        assert!((-v[0] / 0.02665 - 1.0).abs() < 0.005, "{v:?}");
        assert!((v[2] / 0.00934 - 1.0).abs() < 0.005, "{v:?}");
    }

    #[test]
    fn the_wind_leans_it_and_lengthens_nothing_below_its_threshold() {
        let calm = TiltedFlame::in_wind(20.0, 0.0799, 0.5, 1.204).expect("a flame");
        assert_eq!(calm.wind_number, 1.0);
        let windy = TiltedFlame::in_wind(20.0, 0.0799, 8.0, 1.204).expect("a flame");
        assert!(
            windy.tilt_rad
                > TiltedFlame::in_wind(20.0, 0.0799, 4.0, 1.204)
                    .expect("a flame")
                    .tilt_rad
        );
        assert!(
            windy.length_m < calm.length_m,
            "u*^-0.21: a strong wind shortens the flame's axis"
        );
        // Crosswind, a target sees the same on either side.
        let (a, b) = (windy.view_factor(10.0, 30.0), windy.view_factor(10.0, -30.0));
        assert!((a - b).abs() < 1e-12);
        assert_eq!(
            TiltedFlame::in_wind(20.0, 0.0799, -1.0, 1.204)
                .expect_err("a negative wind")
                .field,
            "wind_10m"
        );
    }
}
