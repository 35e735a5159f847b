//! A heavy cloud's threat zones: whether the release is dense enough to slump along the ground
//! (ALOHA's switch between its Gaussian and heavy-gas models), and the footprint of Britter &
//! McQuaid's plume and puff ([`crate::britter_mcquaid`]) at each level of concern.
//!
//! **The switch.** ALOHA weighs the cloud's slumping against the wind's mixing by a Richardson
//! number (NOAA & EPA, *ALOHA Technical Documentation*, NOAA TM NOS OR&R 43, 2013, §4.4.1, as
//! the HAZEL re-implementation quotes it, `js/engine/engineDispersionChoice.js`):
//!
//! ```text
//! Ri = H ĝ / u*²     ĝ = g (ρ_cloud − ρ_air) / ρ_air     H = √(E π / (4 ρ_cloud u₁₀))
//! ```
//!
//! for a continuous release of `E` kg/s, with `u*` the wind's friction velocity, taken as
//! `0.03 u₁₀` (Deacon's neutral form, which the same document uses for a puddle's evaporation,
//! §3.3.1); above 1 the heavy-gas model is taken. A cloud lighter than air is never dense. The
//! document gives `H` for continuous sources; an instantaneous release is judged by Britter and
//! McQuaid's own criterion for a puff, `(g₀′ V₀^(1/3))^(1/2) / u ≥ 0.20`.
//!
//! **The footprint** (the workbook's plume geometry, as CCPS 1999 and GasDispersion.jl
//! `britter_mcquaid_plume.jl` give it): with `D = (q₀/u)^(1/2)` and `l_b = g₀′ q₀ / u³`, the
//! plume reaches `L_U = D/2 + 2 l_b` upwind, is `L_H0 = D + 8 l_b` wide each side at the source
//! (held upwind, as TNO and GasDispersion.jl take it) and `L_H = L_H0 + 2.5 l_b^(1/3) x^(2/3)`
//! downwind. The workbook's plume is a top hat across: a level's zone is the plume's whole width
//! as far downwind as its centreline holds the level. A puff's zone is the ground its slumping,
//! drifting cylinder covers (centre at `0.4 u t`, radius `R(t)`) until its concentration falls
//! below the level: the hull of its circles.

use geo::{ConvexHull, Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon};

use crate::britter_mcquaid::{DensePlume, DensePuff};
use crate::incident::MAX_ZONE_M;
use crate::wind::downwind_unit;
use crate::zones::{LevelUnit, Zone};

/// ALOHA's threshold: above it, the heavy-gas model.
pub const CRITICAL_RICHARDSON: f64 = 1.0;

/// The wind's friction velocity over its speed at 10 m (Deacon's neutral form at 10 m).
pub const FRICTION_OVER_WIND: f64 = 0.03;

/// Standard gravity, m/s².
const G: f64 = 9.806_65;

/// Which model a release calls for, and why.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DenseSwitch {
    /// The number the choice was made on: the Richardson number of a continuous release, or
    /// Britter & McQuaid's puff criterion for an instantaneous one.
    pub criterion: f64,
    /// The threshold it is compared with.
    pub threshold: f64,
    /// Dense: the heavy-gas model.
    pub dense: bool,
}

/// ALOHA's switch for a continuous release of `rate_kg_s` of a cloud of `cloud_kg_m3` into air
/// of `air_kg_m3` in a wind of `wind_10m` m/s.
///
/// ```
/// use parktwin_dispersion::dense_zones::continuous_switch;
/// // 3 kg/s of chlorine vapour (2.95 kg/m³) in a 2 m/s wind: Ri in the thousands, dense.
/// let s = continuous_switch(3.0, 2.95, 1.204, 2.0);
/// assert!(s.dense && s.criterion > 1000.0);
/// // Ammonia vapour is lighter than air: never dense.
/// assert!(!continuous_switch(3.0, 0.71, 1.204, 2.0).dense);
/// ```
pub fn continuous_switch(rate_kg_s: f64, cloud_kg_m3: f64, air_kg_m3: f64, wind_10m: f64) -> DenseSwitch {
    let g_hat = G * (cloud_kg_m3 - air_kg_m3) / air_kg_m3;
    let h = (rate_kg_s * std::f64::consts::PI / (4.0 * cloud_kg_m3 * wind_10m)).sqrt();
    let u_star = FRICTION_OVER_WIND * wind_10m;
    let ri = h * g_hat / (u_star * u_star);
    DenseSwitch {
        criterion: ri,
        threshold: CRITICAL_RICHARDSON,
        dense: g_hat > 0.0 && ri > CRITICAL_RICHARDSON,
    }
}

/// The switch for an instantaneous release: Britter & McQuaid's puff criterion.
pub fn instantaneous_switch(puff: &DensePuff) -> DenseSwitch {
    DenseSwitch {
        criterion: puff.density_criterion(),
        threshold: 0.20,
        dense: puff.reduced_gravity > 0.0 && puff.is_dense(),
    }
}

/// Turns (along the wind, across it) into (east, north) for a wind from `wind_from_deg`.
fn to_east_north(wind_from_deg: f64) -> impl Fn(f64, f64) -> Coord<f64> {
    let (dx, dy) = downwind_unit(wind_from_deg);
    move |a, c| Coord {
        x: a * dx + c * dy,
        y: a * dy - c * dx,
    }
}

/// The plume's zone at a level (volume fraction `ratio`), named `name`, `level_mg_m3` its
/// threshold: the plume's width as far as its centreline holds the level, cut at the model's
/// 10 km (and said so).
pub fn plume_zone(plume: &DensePlume, name: &str, level_mg_m3: f64, ratio: f64, wind_from_deg: f64) -> Zone {
    let reach = plume.reach_m(ratio).unwrap_or(0.0);
    let beyond = reach > MAX_ZONE_M;
    let x_max = reach.min(MAX_ZONE_M);
    let (q, u, g) = (plume.volume_rate_m3_s, plume.wind_speed_ms, plume.reduced_gravity);
    let d = plume.length_scale_m();
    let lb = (g * q / u.powi(3)).max(0.0);
    let (l_up, l_h0) = (d / 2.0 + 2.0 * lb, d + 8.0 * lb);
    let half = |x: f64| l_h0 + 2.5 * lb.cbrt() * x.max(0.0).powf(2.0 / 3.0);
    let area = if x_max > 0.0 {
        let at = to_east_north(wind_from_deg);
        let steps = 48;
        let xs: Vec<f64> = (0..=steps).map(|k| x_max * k as f64 / steps as f64).collect();
        let mut ring: Vec<Coord<f64>> = vec![at(-l_up, -l_h0)];
        ring.extend(xs.iter().map(|&x| at(x, -half(x))));
        ring.extend(xs.iter().rev().map(|&x| at(x, half(x))));
        ring.push(at(-l_up, l_h0));
        ring.push(at(-l_up, -l_h0));
        MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
    } else {
        MultiPolygon(vec![])
    };
    cloud_zone(name, level_mg_m3, area, x_max, beyond)
}

/// The puff's zone at a level: the hull of the ground its cloud covers while it holds the level.
pub fn puff_zone(puff: &DensePuff, name: &str, level_mg_m3: f64, ratio: f64, wind_from_deg: f64) -> Zone {
    let reach = puff.reach_m(ratio).unwrap_or(0.0);
    let beyond = reach > MAX_ZONE_M;
    let x_max = reach.min(MAX_ZONE_M);
    // When the leading edge gets there: it moves on as the cloud drifts and spreads.
    let t_end = if x_max > 0.0 {
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        while puff.leading_edge_m(hi) < x_max {
            hi *= 2.0;
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if puff.leading_edge_m(mid) < x_max {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    } else {
        0.0
    };
    let area = if x_max > 0.0 {
        let at = to_east_north(wind_from_deg);
        let points: Vec<Point<f64>> = (0..=40)
            .flat_map(|k| {
                let t = t_end * k as f64 / 40.0;
                let (centre, r) = (0.4 * puff.wind_speed_ms * t, puff.radius_m(t));
                (0..36).map(move |j| {
                    let a = std::f64::consts::TAU * j as f64 / 36.0;
                    (centre + r * a.cos(), r * a.sin())
                })
            })
            .map(|(a, c)| Point::from(at(a, c)))
            .collect();
        MultiPolygon(vec![MultiPoint(points).convex_hull()])
    } else {
        MultiPolygon(vec![])
    };
    cloud_zone(name, level_mg_m3, area, x_max, beyond)
}

/// A heavy cloud's zone of `area`, reaching `x_max` downwind (`beyond` the model's 10 km).
fn cloud_zone(name: &str, level_mg_m3: f64, area: MultiPolygon<f64>, x_max: f64, beyond: bool) -> Zone {
    Zone {
        name: name.into(),
        threshold: level_mg_m3,
        unit: LevelUnit::MgM3,
        area,
        farthest_downwind_m: x_max,
        beyond_edge: beyond,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::britter_mcquaid::reduced_gravity;
    use crate::zones::contains;

    #[test]
    fn a_plumes_zone_is_as_wide_and_reaches_as_far_upwind_as_the_workbook_says() {
        // A cold LNG vapour plume of the Burro trials' size: 55.62 m³/s, 1.76 kg/m³ in air of
        // 1.22, a 1.8 m/s wind.
        let plume = DensePlume::new(55.62, reduced_gravity(1.76, 1.22), 1.8, 111.0 / 307.0);
        let d = plume.length_scale_m();
        let lb = plume.reduced_gravity * 55.62 / 1.8f64.powi(3);
        let z = plume_zone(&plume, "5 % LFL", 1.0, 0.05 * 0.05, 270.0);
        // Wind from the west: downwind is east. At 100 m downwind the half-width is L_H.
        let half = d + 8.0 * lb + 2.5 * lb.cbrt() * 100f64.powf(2.0 / 3.0);
        assert!(
            contains(&z.area, 100.0, 0.98 * half) && !contains(&z.area, 100.0, 1.02 * half),
            "{half}"
        );
        // Upwind it reaches L_U, not farther.
        let up = d / 2.0 + 2.0 * lb;
        assert!(contains(&z.area, -0.98 * up, 0.0) && !contains(&z.area, -1.02 * up, 0.0));
        assert!(contains(&z.area, 0.98 * z.farthest_downwind_m, 0.0));
        assert!(!contains(&z.area, 1.02 * z.farthest_downwind_m, 0.0));
    }

    #[test]
    fn a_puffs_zone_drifts_downwind_and_is_wider_than_its_source() {
        let puff = DensePuff::new(2_000.0 / 3.6, reduced_gravity(3.6, 1.204), 3.0, 239.0 / 293.0);
        let z = puff_zone(&puff, "AEGL-2", 5.8, 2e-6, 0.0);
        // Wind from the north: downwind is south.
        let x = z.farthest_downwind_m;
        assert!(x > 100.0, "{x}");
        assert!(contains(&z.area, 0.0, -0.5 * x));
        assert!(!contains(&z.area, 0.0, 0.5 * x), "nothing far upwind");
        assert!(contains(&z.area, puff.radius_m(0.0) * 0.9, 0.0), "the cloud's own spot");
    }

    #[test]
    fn ammonia_vapour_stays_gaussian_and_a_strong_wind_mixes_a_dense_cloud() {
        assert!(!continuous_switch(5.0, 0.71, 1.204, 3.0).dense);
        let calm = continuous_switch(0.01, 1.3, 1.204, 1.0);
        let gale = continuous_switch(0.01, 1.3, 1.204, 20.0);
        assert!(calm.criterion > gale.criterion);
        assert!(!gale.dense, "{gale:?}");
    }
}
