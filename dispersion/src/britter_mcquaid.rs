//! A dense gas — heavier than the air it is released into, as chlorine, a cold ammonia or LNG
//! cloud, propane — slumps and spreads along the ground instead of rising and mixing as a
//! Gaussian plume does. Britter and McQuaid's workbook correlations give the concentration on
//! the ground downwind of a continuous release (a plume) or an instantaneous one (a puff) from
//! the curves fitted to the field trials (Thorney Island, Burro, Porton, …).
//!
//! R. E. Britter and J. McQuaid, *Workbook on the Dispersion of Dense Gases*, HSE Contract
//! Research Report 17/1988; the curves as the piecewise-linear fits US EPA's TSCREEN made of
//! them, which CCPS, *Guidelines for Consequence Analysis of Chemical Releases* (1999), p. 118,
//! and Crowl & Louvar, *Chemical Process Safety*, 3rd ed., §5 "Dense Gas Dispersion", print:
//!
//! ```text
//! g₀′ = g (ρ₀ − ρₐ) / ρₐ                          the release's reduced gravity
//! continuous:     D = (q₀/u)^(1/2)   α = 0.2 log₁₀(g₀′² q₀ / u⁵)   β = log₁₀(x / D)
//! instantaneous:  D = V₀^(1/3)       α = 0.5 log₁₀(g₀′ V₀^(1/3) / u²)   β = log₁₀(x / D)
//! ```
//!
//! with `q₀` the release's volume rate (m³/s), `V₀` its volume (m³), `u` the wind at 10 m. For
//! each concentration ratio `Cm/C₀` on the curves, β is a piecewise-linear function of α; between
//! the curves the ratio is read linearly against β. Close to the source (`x/D ≤ 30` for a plume)
//! the workbook's near-field `Cm/C₀ = 306 / (306 + (x/D)²)` (plume) or `3.24 / (3.24 + (x/D)²)`
//! (puff, not below the first curve) holds; beyond the last curve the cloud is no longer dense
//! and the workbook stops — the ratio is carried on as `1/x²` there, continuous at the last
//! curve (as GasDispersion.jl does), and said so by [`Reading::beyond_curves`].
//!
//! A cloud colder than the air (a refrigerated or flashing release) is corrected for the heat it
//! takes up: `C = C′ / (C′ + (1 − C′) T₀/Tₐ)` (the workbook, §5.5).
//!
//! Whether a release is dense enough for the model (Britter & McQuaid, as Crowl & Louvar give
//! them): a plume when `(g₀′ q₀ / (u³ D))^(1/3) ≥ 0.15`, a puff when `(g₀′ V₀^(1/3))^(1/2) / u ≥
//! 0.20`; a release lasting `T` is a plume at `x` when `u T / x ≥ 2.5` and a puff when it is
//! `≤ 0.6`.

/// Standard gravity, m/s².
const G: f64 = 9.806_65;

/// One curve: the concentration ratio, and β over α in segments `(α up to, slope, intercept)`
/// (the first segment holds for every α below its end, the last beyond 1 too).
type Curve = (f64, &'static [(f64, f64, f64)]);

/// The continuous release's curves (CCPS 1999 p. 118; TSCREEN's fits).
const PLUME: [Curve; 6] = [
    (0.10, &[(-0.55, 0.0, 1.75), (-0.14, 0.24, 1.88), (1.0, -0.50, 1.78)]),
    (
        0.05,
        &[
            (-0.68, 0.0, 1.92),
            (-0.29, 0.36, 2.16),
            (-0.18, 0.0, 2.06),
            (1.0, -0.56, 1.96),
        ],
    ),
    (
        0.02,
        &[
            (-0.69, 0.0, 2.08),
            (-0.31, 0.45, 2.39),
            (-0.16, 0.0, 2.25),
            (1.0, -0.54, 2.16),
        ],
    ),
    (
        0.01,
        &[
            (-0.70, 0.0, 2.25),
            (-0.29, 0.49, 2.59),
            (-0.20, 0.0, 2.45),
            (1.0, -0.52, 2.35),
        ],
    ),
    (
        0.005,
        &[
            (-0.67, 0.0, 2.40),
            (-0.28, 0.59, 2.80),
            (-0.15, 0.0, 2.63),
            (1.0, -0.48, 2.56),
        ],
    ),
    (
        0.002,
        &[
            (-0.69, 0.0, 2.60),
            (-0.25, 0.39, 2.87),
            (-0.13, 0.0, 2.77),
            (1.0, -0.50, 2.71),
        ],
    ),
];

/// The instantaneous release's curves (CCPS 1999 p. 118; TSCREEN's fits).
const PUFF: [Curve; 7] = [
    (0.10, &[(-0.44, 0.0, 0.70), (0.43, 0.26, 0.81), (1.0, 0.0, 0.93)]),
    (0.05, &[(-0.56, 0.0, 0.85), (0.31, 0.26, 1.00), (1.0, -0.12, 1.12)]),
    (0.02, &[(-0.66, 0.0, 0.95), (0.32, 0.36, 1.19), (1.0, -0.26, 1.38)]),
    (0.01, &[(-0.71, 0.0, 1.15), (0.37, 0.34, 1.39), (1.0, -0.38, 1.66)]),
    (0.005, &[(-0.52, 0.0, 1.48), (0.24, 0.26, 1.62), (1.0, -0.30, 1.75)]),
    (0.002, &[(0.27, 0.0, 1.83), (1.0, -0.32, 1.92)]),
    (0.001, &[(-0.10, 0.0, 2.075), (1.0, -0.27, 2.05)]),
];

/// Where the plume's near field ends, in x/D.
const PLUME_NEAR_FIELD: f64 = 30.0;

fn beta(segments: &[(f64, f64, f64)], alpha: f64) -> f64 {
    let (_, m, b) = segments
        .iter()
        .find(|(end, _, _)| alpha <= *end)
        .or(segments.last())
        .copied()
        .unwrap_or((0.0, 0.0, 0.0));
    m * alpha + b
}

/// The release's reduced gravity, m/s², from its density and the air's.
pub fn reduced_gravity(release_kg_m3: f64, air_kg_m3: f64) -> f64 {
    G * (release_kg_m3 - air_kg_m3) / air_kg_m3
}

/// The concentration on the ground at a distance downwind.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Reading {
    /// The concentration, as a share of the release's own (volume fraction of the pure
    /// release: multiply by its concentration at the source for a pre-diluted one).
    pub ratio: f64,
    /// Past the last of the workbook's curves: the cloud is no longer dense there and the
    /// ratio is carried on as 1/x², not read from the trials.
    pub beyond_curves: bool,
}

impl Reading {
    /// The reading of the isothermal curves corrected for a release at `temperature_ratio`
    /// times the air's temperature (the workbook, §5.5).
    fn released_at(self, temperature_ratio: f64) -> Self {
        Self {
            ratio: self.ratio / (self.ratio + (1.0 - self.ratio) * temperature_ratio),
            ..self
        }
    }
}

/// The workbook's curves at one α, as (β, ratio) points in β order, with the near field before
/// them, and how the ratio is read at `x/D`.
#[derive(Debug, Clone, PartialEq)]
struct Curves {
    points: Vec<(f64, f64)>,
    near_end: f64,
    /// The near field reads `k / (k + (x/D)²)`: 306 for the plume, 3.24 for the puff.
    near_k: f64,
    /// The near field never reads below the first curve (the puff's).
    floor_at_first: bool,
}

impl Curves {
    fn read(&self, x_over_d: f64) -> Reading {
        let (b_first, c_first) = self.points[0];
        let (b_last, c_last) = self.points[self.points.len() - 1];
        let x_far = 10f64.powf(b_last);
        if x_over_d <= self.near_end {
            let c = self.near_k / (self.near_k + x_over_d * x_over_d);
            return Reading {
                ratio: if self.floor_at_first { c.max(c_first) } else { c },
                beyond_curves: false,
            };
        }
        if x_over_d >= x_far {
            return Reading {
                ratio: c_last * (x_far / x_over_d).powi(2),
                beyond_curves: true,
            };
        }
        let b = x_over_d.log10().max(b_first);
        let ratio = self
            .points
            .windows(2)
            .find(|w| b <= w[1].0)
            .map(|w| {
                let ((b0, c0), (b1, c1)) = (w[0], w[1]);
                if b1 > b0 {
                    c0 + (c1 - c0) * (b - b0) / (b1 - b0)
                } else {
                    c1
                }
            })
            .unwrap_or(c_last);
        Reading {
            ratio,
            beyond_curves: false,
        }
    }
}

/// A continuous dense release: the steady plume downwind.
#[derive(Debug, Clone, PartialEq)]
pub struct DensePlume {
    /// The release's volume rate at the source, m³/s.
    pub volume_rate_m3_s: f64,
    /// The wind at 10 m, m/s.
    pub wind_speed_ms: f64,
    /// The release's reduced gravity, m/s².
    pub reduced_gravity: f64,
    /// The release's temperature over the air's (1 for a release at the air's temperature).
    pub temperature_ratio: f64,
    curves: Curves,
}

impl DensePlume {
    /// The plume of `volume_rate_m3_s` released with reduced gravity `reduced_gravity`
    /// ([`reduced_gravity`]) in a wind of `wind_speed_ms` at 10 m, at `temperature_ratio` times
    /// the air's temperature (kelvin over kelvin). All must be above 0.
    pub fn new(volume_rate_m3_s: f64, reduced_gravity: f64, wind_speed_ms: f64, temperature_ratio: f64) -> Self {
        let (q, g, u) = (volume_rate_m3_s, reduced_gravity, wind_speed_ms);
        let alpha = 0.2 * (g * g * q / u.powi(5)).log10();
        let mut points: Vec<(f64, f64)> = PLUME.iter().map(|(c, s)| (beta(s, alpha), *c)).collect();
        let near_k = 306.0;
        // The near field ends at x/D = 30, or where the first curve starts if that is nearer.
        let near_end = if PLUME_NEAR_FIELD < 10f64.powf(points[0].0) {
            points.insert(
                0,
                (PLUME_NEAR_FIELD.log10(), near_k / (near_k + PLUME_NEAR_FIELD.powi(2))),
            );
            PLUME_NEAR_FIELD
        } else {
            10f64.powf(points[0].0)
        };
        Self {
            volume_rate_m3_s: q,
            wind_speed_ms: u,
            reduced_gravity: g,
            temperature_ratio,
            curves: Curves {
                points,
                near_end,
                near_k,
                floor_at_first: false,
            },
        }
    }

    /// The length scale `D = (q₀/u)^(1/2)`, m.
    pub fn length_scale_m(&self) -> f64 {
        (self.volume_rate_m3_s / self.wind_speed_ms).sqrt()
    }

    /// `(g₀′ q₀ / (u³ D))^(1/3)`: 0.15 or more, and the release is dense enough for the model.
    pub fn density_criterion(&self) -> f64 {
        (self.reduced_gravity * self.volume_rate_m3_s / (self.wind_speed_ms.powi(3) * self.length_scale_m())).cbrt()
    }

    /// Whether the release is dense enough for the model (else a Gaussian plume describes it).
    pub fn is_dense(&self) -> bool {
        self.density_criterion() >= 0.15
    }

    /// The concentration on the ground `distance_m` downwind, as a volume fraction of the pure
    /// release, corrected for its temperature.
    pub fn at(&self, distance_m: f64) -> Reading {
        self.curves
            .read(distance_m / self.length_scale_m())
            .released_at(self.temperature_ratio)
    }

    /// How far downwind the concentration on the ground stays at `ratio` (volume fraction) or
    /// more, m: `None` for a ratio not between 0 and 1.
    pub fn reach_m(&self, ratio: f64) -> Option<f64> {
        reach(|x| self.at(x).ratio, ratio, self.length_scale_m())
    }
}

/// How far a reading that falls with distance, `at(x)`, stays at `ratio` or more, bracketed
/// from `scale` metres by doubling and halved to the last bit; `None` for a ratio not between
/// 0 and 1 (every reading is 1 at the source).
fn reach(at: impl Fn(f64) -> f64, ratio: f64, scale: f64) -> Option<f64> {
    if !(ratio > 0.0 && ratio < 1.0) {
        return None;
    }
    let (mut lo, mut hi) = (0.0_f64, scale);
    while at(hi) >= ratio {
        lo = hi;
        hi *= 2.0;
        if hi > 1e8 {
            return None;
        }
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if at(mid) >= ratio {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// An instantaneous dense release: the puff, read at its leading edge as it slumps and drifts.
#[derive(Debug, Clone, PartialEq)]
pub struct DensePuff {
    /// The cloud's volume at the source, m³.
    pub volume_m3: f64,
    /// The wind at 10 m, m/s.
    pub wind_speed_ms: f64,
    /// The cloud's reduced gravity, m/s².
    pub reduced_gravity: f64,
    /// The cloud's temperature over the air's.
    pub temperature_ratio: f64,
    curves: Curves,
}

impl DensePuff {
    /// The puff of `volume_m3` with `reduced_gravity` in a wind of `wind_speed_ms` at 10 m, at
    /// `temperature_ratio` times the air's temperature. All must be above 0.
    pub fn new(volume_m3: f64, reduced_gravity: f64, wind_speed_ms: f64, temperature_ratio: f64) -> Self {
        let alpha = 0.5 * (reduced_gravity * volume_m3.cbrt() / wind_speed_ms.powi(2)).log10();
        let points: Vec<(f64, f64)> = PUFF.iter().map(|(c, s)| (beta(s, alpha), *c)).collect();
        let near_end = 10f64.powf(points[0].0);
        Self {
            volume_m3,
            wind_speed_ms,
            reduced_gravity,
            temperature_ratio,
            curves: Curves {
                points,
                near_end,
                near_k: 3.24,
                floor_at_first: true,
            },
        }
    }

    /// `(g₀′ V₀^(1/3))^(1/2) / u`: 0.20 or more, and the release is dense enough for the model.
    pub fn density_criterion(&self) -> f64 {
        (self.reduced_gravity * self.volume_m3.cbrt()).sqrt() / self.wind_speed_ms
    }

    /// Whether the release is dense enough for the model.
    pub fn is_dense(&self) -> bool {
        self.density_criterion() >= 0.20
    }

    /// The cloud's radius `seconds` after the release, m: `R² = R₀² + 1.2 (g₀′ V₀)^(1/2) t`,
    /// with `R₀ = (3V₀/4π)^(1/3)`.
    pub fn radius_m(&self, seconds: f64) -> f64 {
        let r0 = (3.0 * self.volume_m3 / (4.0 * std::f64::consts::PI)).cbrt();
        (r0 * r0 + 1.2 * (self.reduced_gravity * self.volume_m3).sqrt() * seconds).sqrt()
    }

    /// The distance of the cloud's leading edge downwind `seconds` after the release, m: its
    /// centre drifts at 0.4 u.
    pub fn leading_edge_m(&self, seconds: f64) -> f64 {
        0.4 * self.wind_speed_ms * seconds + self.radius_m(seconds)
    }

    /// The concentration in the cloud as its leading edge passes `distance_m` downwind.
    pub fn at(&self, distance_m: f64) -> Reading {
        self.curves
            .read(distance_m / self.volume_m3.cbrt())
            .released_at(self.temperature_ratio)
    }

    /// How far downwind the passing cloud holds `ratio` (volume fraction) or more, m.
    pub fn reach_m(&self, ratio: f64) -> Option<f64> {
        reach(|x| self.at(x).ratio, ratio, self.volume_m3.cbrt())
    }
}

/// Whether a release lasting `duration_s` is read as a plume at `distance_m` (`u T / x ≥ 2.5`),
/// as a puff (`≤ 0.6`), or neither (between: the smaller of the two).
pub fn continuous_at(wind_speed_ms: f64, duration_s: f64, distance_m: f64) -> Option<bool> {
    let r = wind_speed_ms * duration_s / distance_m;
    if r >= 2.5 {
        Some(true)
    } else if r <= 0.6 {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The air at 1 atm and `t` kelvin, kg/m³ (ideal gas, 28.960 g/mol).
    fn air(t: f64) -> f64 {
        0.028_960 * 101_325.0 / (8.314_462_618_153_24 * t)
    }

    #[test]
    fn the_curves_are_the_published_fits() {
        // β of each curve at α = −0.40 and 0.0 (CCPS 1999 p. 118), the values GasDispersion.jl's
        // tests hold too.
        let at = |table: &[Curve], alpha: f64| table.iter().map(|(_, s)| beta(s, alpha)).collect::<Vec<_>>();
        let close = |a: Vec<f64>, b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(close(at(&PLUME, -0.40), &[1.784, 2.016, 2.21, 2.394, 2.564, 2.714]));
        assert!(close(at(&PLUME, 0.0), &[1.78, 1.96, 2.16, 2.35, 2.56, 2.71]));
        assert!(close(at(&PUFF, 0.0), &[0.81, 1.00, 1.19, 1.39, 1.62, 1.83, 2.05]));
        assert!(close(at(&PUFF, 0.75), &[0.93, 1.03, 1.185, 1.375, 1.525, 1.68, 1.8475]));
    }

    #[test]
    fn the_burro_lng_spill_reaches_its_lower_flammable_limit_near_367_m() {
        // CCPS 1999 p. 122 (the Burro LNG trials): 0.23 m³/s of LNG (425.6 kg/m³) boiling off at
        // 1.76 kg/m³ and −162 °C into a 10.9 m/s wind at 298 K. The book finds the 5 % LFL at
        // about 367 m; the same inputs give, at 45.2 m, 367 m and 1,200 m, the concentrations
        // GasDispersion.jl's tests hold (near field, the curves, past the last curve).
        let q = 0.23 * 425.6 / 1.76;
        let plume = DensePlume::new(q, reduced_gravity(1.76, air(298.0)), 10.9, (273.15 - 162.0) / 298.0);
        assert!(plume.is_dense(), "{}", plume.density_criterion());
        assert_eq!(continuous_at(10.9, 174.0, 367.0), Some(true));
        for (x, expected, beyond) in [
            (45.2, 0.672_023_454_459_469_6, false),
            (367.0, 0.050_717_667_650_511_944, false),
            (1200.0, 0.004_921_409_666_659_286, true),
        ] {
            let r = plume.at(x);
            // GasDispersion.jl takes g = 9.80616; this crate the standard 9.80665.
            assert!(
                (r.ratio / expected - 1.0).abs() < 1e-3,
                "{x} m: {} vs {expected}",
                r.ratio
            );
            assert_eq!(r.beyond_curves, beyond, "{x} m");
        }
        let lfl = plume.reach_m(0.05).expect("a reach");
        assert!((lfl - 367.0).abs() < 10.0, "{lfl}");
        // Farther is thinner, everywhere.
        let c: Vec<f64> = (1..400).map(|k| plume.at(k as f64 * 5.0).ratio).collect();
        assert!(c.windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn the_potchefstroom_ammonia_puff_as_the_workbook_works_it() {
        // The workbook's Potchefstroom example (via GasDispersion.jl's tests): 72,500 m³ of an
        // ammonia–air mixture at 1.434 kg/m³ in a 2 m/s wind at 293.15 K, its ammonia 1/16.4 of
        // it; at 160 m downwind the cloud holds 0.00308 ammonia.
        let puff = DensePuff::new(7.25e4, reduced_gravity(1.434, air(293.15)), 2.0, 1.0);
        assert!(puff.is_dense(), "{}", puff.density_criterion());
        let c = |x: f64| puff.at(x).ratio / 16.4;
        let edge = puff.leading_edge_m(200.0);
        assert!(
            (c(edge) / 0.003_083_024_516_701_819_5 - 1.0).abs() < 2e-3,
            "{}",
            c(edge)
        );
        // Near the source it reads the first curve, not more dilute.
        assert!((c(puff.leading_edge_m(124.0)) - 0.1 / 16.4).abs() < 1e-12);
    }

    #[test]
    fn a_light_or_windblown_release_is_not_dense() {
        // Ammonia gas at the air's temperature is lighter than air: no dense plume.
        assert!(reduced_gravity(0.71, air(293.15)) < 0.0);
        // Chlorine, 2.5 times the air: 1 kg/s (0.34 m³/s) in a 3 m/s wind slumps; 10 g/s in a
        // 10 m/s wind is mixed before it can.
        let g = reduced_gravity(2.95, air(293.15));
        assert!(DensePlume::new(0.34, g, 3.0, 1.0).is_dense());
        assert!(!DensePlume::new(0.0034, g, 10.0, 1.0).is_dense());
        assert_eq!(continuous_at(3.0, 600.0, 10_000.0), Some(false));
        assert_eq!(continuous_at(3.0, 600.0, 1_500.0), None);
    }
}
