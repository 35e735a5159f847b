//! A gas pipeline ruptured: the rate over time as the pipe's gas rushes out, and, where a
//! reservoir (a plant, a header) keeps feeding it, the flow the pipe's friction lets through
//! from then on.
//!
//! **The pipe's own gas** (ALOHA's model, after Wilson's double exponential fitted to Bell's
//! pipeline model: NOAA TM NOS OR&R 43, *ALOHA Technical Documentation*, 2013, §3.5.2):
//!
//! ```text
//! Q(t) = Q₀ / (1 + α) · [exp(−t / (α² β)) + α exp(−t / β)]
//! Q₀ = P₀ A_h √(γ M / (R T) · Γ⁻¹)          Γ = ((γ + 1) / 2)^((γ + 1)/(γ − 1))
//! β  = ⅔ τ_p K_F Γ^(3/2) K_H⁻³ [(1 + K_H² / (K_F Γ))^(3/2) − 1]
//! τ_p = L / c,  c = √(γ R T / M),  K_F = d / (γ μ L),  K_H = A_h / A_p
//! α  = M_T / (β Q₀),  M_T = P₀ A_p L M / (R T)
//! ```
//!
//! so that the release carries the pipe's inventory `M_T` exactly. `μ` is the Darcy friction
//! factor of a fully rough pipe, `μ = 0.25 / (0.57 − log₁₀(ε / d))²` (Blevins, *Applied Fluid
//! Dynamics Handbook*, 1984, as §3.5.2 takes it), with ALOHA's roughness `ε` 0.1 mm for a
//! normal pipe and 2 mm for a rough one. §3.5.2 prints the large-hole limit of `β` as
//! `⅔ τ_p √K_F`; the formula above tends to `⅔ τ_p / √K_F` (Wilson's), which a test checks.
//!
//! **A pipe fed by a reservoir** goes on flowing once its own gas has gone, at the rate an
//! isothermal ideal gas flows down a pipe of that length, choked at the break. The momentum
//! balance `dp + ρ v dv + μ ρ v² dx / (2 d) = 0` with `p = ρ a²` (`a = √(R T / M)`) integrates
//! to
//!
//! ```text
//! μ L / d = (1 − Mᵢ²) / Mᵢ² + ln Mᵢ²          Mᵢ = v₁ / a at the reservoir's end
//! Q = A_p ρ₁ v₁,  ρ₁ = ρ_r p₁ / p_r,  p₁ = p_r − ½ ρ_r v₁²
//! ```
//!
//! (choking at `Mᵢ = 1`, i.e. at `1/√γ` of the adiabatic speed of sound: the limit of
//! isothermal flow in a pipe). ALOHA §3.5.2 writes this balance for the gas's temperature at
//! the break, with `γ μ L / d` on the left and the choked speed `c / γ`; the derivation gives
//! neither `γ`, and this module follows the derivation. How ALOHA joins the two is not
//! written: here the rate is the larger of the pipe's own gas and the reservoir's flow.
//!
//! ALOHA ends a release after an hour; so does [`GasPipeline::curve`]'s default horizon, which
//! a caller may widen. What this leaves out: the gas's cooling as it expands at the break (it
//! leaves colder, and denser, than the pipe held it).

use super::hole_area;
use crate::{ATMOSPHERE_PA, InputError, R, positive};

/// ALOHA's roughness of a pipe in normal condition, m.
pub const NORMAL_ROUGHNESS_M: f64 = 1e-4;

/// ALOHA's roughness of a rough pipe, m.
pub const ROUGH_ROUGHNESS_M: f64 = 2e-3;

/// How long ALOHA follows a release, s.
pub const ALOHA_HORIZON_S: f64 = 3600.0;

/// The Darcy friction factor of a fully rough pipe of `diameter_m` with roughness
/// `roughness_m` (Blevins 1984, as ALOHA takes it).
///
/// ```
/// use parktwin_consequence::source::gas_pipeline::{darcy_friction_factor, NORMAL_ROUGHNESS_M};
/// // ALOHA's range for pipes in normal condition: 0.01 to 0.02.
/// for d in [0.05, 0.2, 1.0] {
///     let mu = darcy_friction_factor(NORMAL_ROUGHNESS_M, d).unwrap();
///     assert!(mu > 0.01 && mu < 0.025, "{d} m: {mu}");
/// }
/// ```
pub fn darcy_friction_factor(roughness_m: f64, diameter_m: f64) -> Result<f64, InputError> {
    let e = positive("roughness_m", roughness_m)?;
    let d = positive("diameter_m", diameter_m)?;
    if e >= d {
        return Err(InputError::new(
            "roughness_m",
            format!("{e} m is not less than the pipe's {d} m bore"),
        ));
    }
    Ok(0.25 / (0.57 - (e / d).log10()).powi(2))
}

/// A pipe and the gas in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pipeline {
    /// The bore, m.
    pub diameter_m: f64,
    /// The length from the break to the nearest closed valve (or the reservoir), m.
    pub length_m: f64,
    /// The wall's roughness, m ([`NORMAL_ROUGHNESS_M`], [`ROUGH_ROUGHNESS_M`]).
    pub roughness_m: f64,
    /// The gas's pressure before the break, Pa absolute.
    pub pressure_pa: f64,
    /// The gas's temperature, K.
    pub temperature_k: f64,
    /// The gas's molar mass, kg/mol.
    pub molar_mass_kg_mol: f64,
    /// The gas's heat capacity ratio cp/cv.
    pub heat_capacity_ratio: f64,
}

/// A ruptured gas pipeline's release.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GasPipeline {
    /// The rate at the break's first moment, kg/s.
    pub initial_rate_kg_s: f64,
    /// The gas the pipe held, kg.
    pub inventory_kg: f64,
    /// Wilson's release time constant β, s.
    pub time_constant_s: f64,
    /// Wilson's mass conservation factor α.
    pub alpha: f64,
    /// The Darcy friction factor.
    pub friction_factor: f64,
    /// The flow a reservoir keeps feeding through the pipe, kg/s, where one does.
    pub fed_rate_kg_s: Option<f64>,
}

impl GasPipeline {
    /// The release from `pipe` broken by a hole of `hole_diameter_m` (the whole bore: `None`),
    /// fed by a reservoir at the pipe's pressure where `fed`.
    ///
    /// ```
    /// use parktwin_consequence::source::gas_pipeline::{GasPipeline, Pipeline, NORMAL_ROUGHNESS_M};
    /// // A kilometre of 200 mm ammonia vapour line at 6 bar absolute and 20 °C, cut through.
    /// let pipe = Pipeline {
    ///     diameter_m: 0.2, length_m: 1000.0, roughness_m: NORMAL_ROUGHNESS_M,
    ///     pressure_pa: 6e5, temperature_k: 293.15, molar_mass_kg_mol: 0.017031, heat_capacity_ratio: 1.31,
    /// };
    /// let closed = GasPipeline::new(pipe, None, false).unwrap();
    /// assert!((closed.released_kg(1e6) / closed.inventory_kg - 1.0).abs() < 1e-9);
    /// assert!(closed.rate_kg_s(60.0) < closed.initial_rate_kg_s / 10.0);
    /// let fed = GasPipeline::new(pipe, None, true).unwrap();
    /// assert_eq!(fed.rate_kg_s(3000.0), fed.fed_rate_kg_s.unwrap());
    /// ```
    pub fn new(pipe: Pipeline, hole_diameter_m: Option<f64>, fed: bool) -> Result<Self, InputError> {
        let d = positive("diameter_m", pipe.diameter_m)?;
        let length = positive("length_m", pipe.length_m)?;
        let p0 = positive("pressure_pa", pipe.pressure_pa)?;
        let t = positive("temperature_k", pipe.temperature_k)?;
        let m = positive("molar_mass_kg_mol", pipe.molar_mass_kg_mol)?;
        let g = pipe.heat_capacity_ratio;
        if !(g.is_finite() && g > 1.0) {
            return Err(InputError::new(
                "heat_capacity_ratio",
                format!("cp/cv must be above 1, not {g}"),
            ));
        }
        let hole = positive("hole_diameter_m", hole_diameter_m.unwrap_or(d))?;
        if hole > d {
            return Err(InputError::new(
                "hole_diameter_m",
                format!("{hole} m is larger than the pipe's {d} m bore"),
            ));
        }
        // Choked at the break, the model's premise: above the critical pressure ratio.
        let choked_above = ATMOSPHERE_PA * ((g + 1.0) / 2.0).powf(g / (g - 1.0));
        if p0 <= choked_above {
            return Err(InputError::new(
                "pressure_pa",
                format!(
                    "{:.0} kPa absolute does not choke the flow at the break (above {:.0} kPa it does): \
                     the model is for a pipe under pressure; take a gas leak through a hole",
                    p0 / 1000.0,
                    choked_above / 1000.0
                ),
            ));
        }
        let mu = darcy_friction_factor(pipe.roughness_m, d)?;
        let big_gamma = ((g + 1.0) / 2.0).powf((g + 1.0) / (g - 1.0));
        let (a_p, a_h) = (hole_area(d), hole_area(hole));
        let c = (g * R * t / m).sqrt();
        let tau = length / c;
        let kf = d / (g * mu * length);
        let kh = a_h / a_p;
        let beta = 2.0 / 3.0
            * tau
            * kf
            * big_gamma.powf(1.5)
            * kh.powi(-3)
            * ((1.0 + kh * kh / (kf * big_gamma)).powf(1.5) - 1.0);
        let q0 = p0 * a_h * (g * m / (R * t) / big_gamma).sqrt();
        let inventory = p0 * a_p * length * m / (R * t);
        let fed_rate = if fed {
            Some(isothermal_choked_flow(mu * length / d, p0, t, m, a_p)?)
        } else {
            None
        };
        Ok(Self {
            initial_rate_kg_s: q0,
            inventory_kg: inventory,
            time_constant_s: beta,
            alpha: inventory / (beta * q0),
            friction_factor: mu,
            fed_rate_kg_s: fed_rate,
        })
    }

    /// The rate `t_s` seconds after the break, kg/s.
    pub fn rate_kg_s(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        let (a, b) = (self.alpha, self.time_constant_s);
        let own = self.initial_rate_kg_s / (1.0 + a) * ((-t_s / (a * a * b)).exp() + a * (-t_s / b).exp());
        own.max(self.fed_rate_kg_s.unwrap_or(0.0))
    }

    /// The pipe's own gas released by `t_s` seconds after the break, kg (the reservoir's
    /// flow not counted).
    pub fn released_kg(&self, t_s: f64) -> f64 {
        let t = t_s.max(0.0);
        let (a, b) = (self.alpha, self.time_constant_s);
        self.initial_rate_kg_s * a * b / (1.0 + a) * (a * (1.0 - (-t / (a * a * b)).exp()) + (1.0 - (-t / b).exp()))
    }

    /// The rate over time, `[seconds since the break, kg/s]`, at `points` + 1 moments spaced
    /// ever wider from the break to `horizon_s` (ALOHA's hour: [`ALOHA_HORIZON_S`]), or to
    /// when all but a thousandth of a closed pipe's gas is out if that is sooner.
    ///
    /// ```
    /// use parktwin_consequence::source::gas_pipeline::{GasPipeline, Pipeline, NORMAL_ROUGHNESS_M, ALOHA_HORIZON_S};
    /// let pipe = Pipeline {
    ///     diameter_m: 0.2, length_m: 1000.0, roughness_m: NORMAL_ROUGHNESS_M,
    ///     pressure_pa: 6e5, temperature_k: 293.15, molar_mass_kg_mol: 0.017031, heat_capacity_ratio: 1.31,
    /// };
    /// let curve = GasPipeline::new(pipe, None, false).unwrap().curve(40, ALOHA_HORIZON_S);
    /// assert_eq!(curve.len(), 41);
    /// assert!(curve.windows(2).all(|w| w[1][0] > w[0][0] && w[1][1] <= w[0][1]));
    /// ```
    pub fn curve(&self, points: usize, horizon_s: f64) -> Vec<[f64; 2]> {
        let n = points.max(2);
        let end = match self.fed_rate_kg_s {
            Some(_) => horizon_s,
            None => {
                // When all but a thousandth is out: the released mass rises with time.
                let (mut lo, mut hi) = (0.0, 1.0);
                while self.released_kg(hi) < 0.999 * self.inventory_kg && hi < horizon_s {
                    hi *= 2.0;
                }
                while hi - lo > 1e-3 * hi {
                    let mid = 0.5 * (lo + hi);
                    if self.released_kg(mid) < 0.999 * self.inventory_kg {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                hi.min(horizon_s)
            }
        };
        // From a tenth of the fast time constant, widening geometrically.
        let first = (0.1 * self.alpha * self.alpha * self.time_constant_s).min(end / n as f64);
        let ratio = (end / first).powf(1.0 / (n - 1) as f64);
        std::iter::once(0.0)
            .chain((0..n).map(|i| if i + 1 == n { end } else { first * ratio.powi(i as i32) }))
            .map(|t| [t, self.rate_kg_s(t)])
            .collect()
    }
}

/// The steady flow of an ideal gas from a reservoir at `p_r` (Pa absolute), `t_k`, through a pipe
/// of friction `μ L / d` = `friction_length` and cross-section `area_m2`, choked at its end,
/// kg/s (the module's isothermal balance, solved for the speed at the reservoir's end).
fn isothermal_choked_flow(friction_length: f64, p_r: f64, t_k: f64, m: f64, area_m2: f64) -> Result<f64, InputError> {
    // (1 − x)/x + ln x falls from infinity at x → 0 to 0 at x = 1: halve the bracket.
    let f = |x: f64| (1.0 - x) / x + x.ln() - friction_length;
    let (mut lo, mut hi) = (1e-12, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    let mi = (0.5 * (lo + hi)).sqrt();
    let a = (R * t_k / m).sqrt();
    let rho_r = p_r * m / (R * t_k);
    let v1 = mi * a;
    let p1 = p_r - 0.5 * rho_r * v1 * v1;
    if p1 <= 0.0 {
        return Err(InputError::new(
            "length_m",
            "the pipe is too short for the isothermal model",
        ));
    }
    Ok(area_m2 * rho_r * p1 / p_r * v1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{GasHole, ideal_gas_density};

    /// A kilometre of 200 mm line with ALOHA's normal roughness, methane-like gas at 50 bar.
    fn line(length_m: f64, pressure_pa: f64) -> Pipeline {
        Pipeline {
            diameter_m: 0.2,
            length_m,
            roughness_m: NORMAL_ROUGHNESS_M,
            pressure_pa,
            temperature_k: 288.15,
            molar_mass_kg_mol: 0.01604,
            heat_capacity_ratio: 1.31,
        }
    }

    #[test]
    fn the_first_moment_is_a_choked_hole_of_the_bore_and_the_release_carries_the_inventory() {
        let pipe = line(1000.0, 50e5);
        let r = GasPipeline::new(pipe, None, false).expect("a release");
        // The choked rate through a round hole of the bore, discharge coefficient 1, by the
        // orifice model written apart from this one.
        let hole = GasHole::new(
            50e5,
            ideal_gas_density(50e5, 288.15, 0.01604),
            1.31,
            1.0,
            0.2,
            ATMOSPHERE_PA,
        )
        .expect("a hole");
        assert!((r.rate_kg_s(0.0) / hole.rate_kg_s() - 1.0).abs() < 1e-9, "{r:?}");
        // The pipe's inventory by the ideal gas law, all of it out in the end, and the
        // trapezoid over the curve carrying it within a few per cent.
        let inventory = ideal_gas_density(50e5, 288.15, 0.01604) * hole_area(0.2) * 1000.0;
        assert!((r.inventory_kg / inventory - 1.0).abs() < 1e-9);
        let curve = r.curve(60, 1e6);
        let carried: f64 = curve
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((carried / inventory - 1.0).abs() < 0.03, "{carried} of {inventory}");
        assert!((r.released_kg(curve.last().expect("an end")[0]) / inventory - 0.999).abs() < 1e-3);
    }

    #[test]
    fn the_printed_equations_evaluated_apart_give_the_same_numbers() {
        // §3.5.2's equations evaluated by a separate script (Python, from the printed page) for
        // a kilometre of 200 mm methane line at 50 bar and 15 °C: β 16.3228 s, Q₀ 271.934 kg/s,
        // M_T 1051.65 kg, α 0.23693, Q(10 s) 28.231 kg/s, Q(60 s) 1.3193 kg/s.
        let r = GasPipeline::new(line(1000.0, 50e5), None, false).expect("a release");
        for (ours, theirs) in [
            (r.time_constant_s, 16.3228),
            (r.initial_rate_kg_s, 271.934),
            (r.inventory_kg, 1051.65),
            (r.alpha, 0.23693),
            (r.rate_kg_s(10.0), 28.231),
            (r.rate_kg_s(60.0), 1.3193),
            (r.friction_factor, 0.016683),
        ] {
            assert!((ours / theirs - 1.0).abs() < 2e-4, "{ours} against {theirs}");
        }
    }

    #[test]
    fn the_time_constant_meets_wilsons_limits() {
        // A small hole: β → τ_p K_H⁻¹ √Γ; the whole bore of a long pipe: β → ⅔ τ_p / √K_F.
        let g: f64 = 1.31;
        let big_gamma = ((g + 1.0) / 2.0).powf((g + 1.0) / (g - 1.0));
        let pipe = line(200.0, 50e5);
        let c = (g * R * 288.15 / 0.01604).sqrt();
        let small = GasPipeline::new(pipe, Some(0.006), false).expect("a release");
        let kh = (0.006f64 / 0.2).powi(2);
        let limit = 200.0 / c / kh * big_gamma.sqrt();
        assert!((small.time_constant_s / limit - 1.0).abs() < 0.01, "{small:?} {limit}");
        let long = line(200_000.0, 50e5);
        let whole = GasPipeline::new(long, None, false).expect("a release");
        let kf = 0.2 / (g * whole.friction_factor * 200_000.0);
        let limit = 2.0 / 3.0 * 200_000.0 / c / kf.sqrt();
        assert!((whole.time_constant_s / limit - 1.0).abs() < 0.05, "{whole:?} {limit}");
    }

    #[test]
    fn longer_lasts_longer_higher_pressure_releases_more_and_a_reservoir_keeps_it_going() {
        let short = GasPipeline::new(line(500.0, 50e5), None, false).expect("a release");
        let long = GasPipeline::new(line(5000.0, 50e5), None, false).expect("a release");
        assert!(long.time_constant_s > short.time_constant_s);
        assert_eq!(
            long.initial_rate_kg_s, short.initial_rate_kg_s,
            "the first moment knows no length"
        );
        let high = GasPipeline::new(line(500.0, 80e5), None, false).expect("a release");
        assert!(high.initial_rate_kg_s > short.initial_rate_kg_s && high.inventory_kg > short.inventory_kg);
        // Fed: the flow settles on the reservoir's, less than the first moment's, and less
        // through a longer pipe.
        let fed_short = GasPipeline::new(line(500.0, 50e5), None, true).expect("a release");
        let fed_long = GasPipeline::new(line(5000.0, 50e5), None, true).expect("a release");
        let (qs, ql) = (
            fed_short.fed_rate_kg_s.expect("fed"),
            fed_long.fed_rate_kg_s.expect("fed"),
        );
        assert!(ql < qs && qs < fed_short.initial_rate_kg_s, "{qs} {ql}");
        assert_eq!(fed_long.rate_kg_s(3000.0), ql);
        // A very short pipe passes nearly what isothermal choking allows: ρ a per unit area.
        let stub = GasPipeline::new(line(0.01, 50e5), None, true).expect("a release");
        let a = (R * 288.15 / 0.01604).sqrt();
        let ideal = hole_area(0.2) * ideal_gas_density(50e5, 288.15, 0.01604) * a;
        let fed = stub.fed_rate_kg_s.expect("fed");
        assert!(fed < ideal && fed > 0.5 * ideal, "{fed} {ideal}");
    }

    #[test]
    fn the_friction_balance_holds_at_the_speed_solved_for() {
        // μ L / d = (1 − x)/x + ln x at x = Mᵢ², recovered from the flow.
        let pipe = line(1000.0, 50e5);
        let r = GasPipeline::new(pipe, None, true).expect("a release");
        let q = r.fed_rate_kg_s.expect("fed");
        let (a, rho) = ((R * 288.15 / 0.01604).sqrt(), ideal_gas_density(50e5, 288.15, 0.01604));
        // Solve q = A ρ_r (p₁ / p_r) v₁, p₁ = p_r − ½ ρ_r v₁², for v₁ by fixed point.
        let k = q / (hole_area(0.2) * rho);
        let mut v1 = k;
        for _ in 0..100 {
            v1 = k * 50e5 / (50e5 - 0.5 * rho * v1 * v1);
        }
        let x = (v1 / a).powi(2);
        let lhs = r.friction_factor * 1000.0 / 0.2;
        assert!(((1.0 - x) / x + x.ln() - lhs).abs() < 1e-6 * lhs, "{x} {lhs}");
    }

    #[test]
    fn nonsense_is_refused_by_name() {
        let pipe = line(1000.0, 50e5);
        assert_eq!(
            GasPipeline::new(pipe, Some(0.3), false).expect_err("too big").field,
            "hole_diameter_m"
        );
        assert_eq!(
            GasPipeline::new(line(1000.0, 1.5e5), None, false)
                .expect_err("not choked")
                .field,
            "pressure_pa"
        );
        assert_eq!(
            GasPipeline::new(line(-1.0, 50e5), None, false)
                .expect_err("no length")
                .field,
            "length_m"
        );
        assert_eq!(
            GasPipeline::new(
                Pipeline {
                    heat_capacity_ratio: 1.0,
                    ..pipe
                },
                None,
                false
            )
            .expect_err("no ratio")
            .field,
            "heat_capacity_ratio"
        );
    }
}
