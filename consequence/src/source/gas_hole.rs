//! Gas leaking through a hole: choked (sonic) when the pressure outside is below the critical
//! ratio of the pressure inside, subsonic above it.
//!
//! Isentropic flow of an ideal gas through an orifice (Crowl & Louvar, *Chemical Process
//! Safety: Fundamentals with Applications*, §4-5 "Flow of Gases or Vapors through Holes";
//! CCPS, *Guidelines for Consequence Analysis of Chemical Releases*, 1999, §2.1.1), with `r`
//! the ratio of the pressure outside to the pressure inside:
//!
//! ```text
//! choked when  r < (2/(k+1))^(k/(k−1))
//! choked:      Qm = C_d A √(ρ₁ P₁ k (2/(k+1))^((k+1)/(k−1)))
//! subsonic:    Qm = C_d A √(ρ₁ P₁ (2k/(k−1)) (r^(2/k) − r^((k+1)/k)))
//! ```
//!
//! The rate is at the moment given: a vessel's pressure falls as it empties, which the caller
//! follows by asking again at the new pressure.

use super::hole_area;
use crate::{InputError, R, positive};

/// A hole through which a gas leaks, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GasHole {
    inside: f64,
    density: f64,
    k: f64,
    cd: f64,
    area: f64,
    outside: f64,
}

/// An ideal gas's density, kg/m³, at absolute pressure `p_pa`, temperature `t_k` and molar mass
/// `molar_mass_kg_mol`.
///
/// ```
/// // Dry air at 0 °C and one atmosphere: 1.29 kg/m³.
/// let rho = parktwin_consequence::source::ideal_gas_density(101_325.0, 273.15, 0.028_965);
/// assert!((rho - 1.2922).abs() < 1e-3);
/// ```
pub fn ideal_gas_density(p_pa: f64, t_k: f64, molar_mass_kg_mol: f64) -> f64 {
    p_pa * molar_mass_kg_mol / (R * t_k)
}

impl GasHole {
    /// A hole of `hole_diameter_m` in a vessel of gas at absolute pressure `inside_pa` and
    /// density `density_kg_m3`, with heat capacity ratio `k` (cp/cv, above 1), discharge
    /// coefficient `discharge_coefficient` (0 to 1), leaking to absolute pressure `outside_pa`.
    pub fn new(
        inside_pa: f64,
        density_kg_m3: f64,
        k: f64,
        discharge_coefficient: f64,
        hole_diameter_m: f64,
        outside_pa: f64,
    ) -> Result<Self, InputError> {
        let inside = positive("inside_pa", inside_pa)?;
        let density = positive("density_kg_m3", density_kg_m3)?;
        if !(k.is_finite() && k > 1.0) {
            return Err(InputError::new(
                "heat_capacity_ratio",
                format!("cp/cv must be above 1, not {k}"),
            ));
        }
        let cd = positive("discharge_coefficient", discharge_coefficient)?;
        if cd > 1.0 {
            return Err(InputError::new(
                "discharge_coefficient",
                format!("{cd} is above 1: no hole passes more than an ideal one"),
            ));
        }
        let d = positive("hole_diameter_m", hole_diameter_m)?;
        let outside = positive("outside_pa", outside_pa)?;
        if outside > inside {
            return Err(InputError::new(
                "outside_pa",
                format!("{outside} Pa outside is more than the {inside} Pa inside: nothing leaks out"),
            ));
        }
        Ok(Self {
            inside,
            density,
            k,
            cd,
            area: hole_area(d),
            outside,
        })
    }

    /// The pressure outside below which the flow is choked, Pa.
    pub fn choked_pressure_pa(&self) -> f64 {
        self.inside * (2.0 / (self.k + 1.0)).powf(self.k / (self.k - 1.0))
    }

    /// Whether the flow is choked (sonic at the hole).
    pub fn is_choked(&self) -> bool {
        self.outside < self.choked_pressure_pa()
    }

    /// The mass flow, kg/s.
    pub fn rate_kg_s(&self) -> f64 {
        let k = self.k;
        let g = if self.is_choked() {
            k * (2.0 / (k + 1.0)).powf((k + 1.0) / (k - 1.0))
        } else {
            let r = self.outside / self.inside;
            (2.0 * k / (k - 1.0)) * (r.powf(2.0 / k) - r.powf((k + 1.0) / k))
        };
        self.cd * self.area * (self.density * self.inside * g.max(0.0)).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ATMOSPHERE_PA;

    #[test]
    fn ccps_guidelines_a_choked_leak_through_a_10_mm_hole() {
        // CCPS, Guidelines for Consequence Analysis of Chemical Releases (1999), p. 47 (as the
        // GasDispersion.jl test suite carries it): 8.90 kg/m³ at 501 kPa, k = 1.15,
        // C_d = 0.85, a 10 mm hole to the atmosphere: choked below 287,766.0 Pa, 0.0900280 kg/s.
        let hole = GasHole::new(501_000.0, 8.90, 1.15, 0.85, 0.01, ATMOSPHERE_PA).expect("a hole");
        assert!(
            (hole.choked_pressure_pa() - 287_766.0).abs() < 0.5,
            "{}",
            hole.choked_pressure_pa()
        );
        assert!(hole.is_choked());
        assert!((hole.rate_kg_s() - 0.090_028_0).abs() < 1e-7, "{}", hole.rate_kg_s());
    }

    #[test]
    fn crowl_and_louvar_example_4_4_nitrogen_at_200_psig() {
        // Crowl & Louvar, Chemical Process Safety, Example 4-4: nitrogen at 200 psig and
        // 80 °F through a 0.1-in hole, C₀ = 1, k = 1.4: choked (113 psia), 0.0380 lbm/s.
        let psi = 6_894.757;
        let inside = 214.7 * psi;
        let rho = ideal_gas_density(inside, (80.0 - 32.0) / 1.8 + 273.15, 0.028_013);
        let hole = GasHole::new(inside, rho, 1.4, 1.0, 0.1 * 0.0254, 14.7 * psi).expect("a hole");
        assert!(hole.is_choked());
        assert!((hole.choked_pressure_pa() / psi - 113.4).abs() < 0.1);
        let lbm_s = hole.rate_kg_s() / 0.453_592_37;
        assert!((lbm_s - 0.0380).abs() / 0.0380 < 0.005, "{lbm_s} lbm/s");
    }

    #[test]
    fn subsonic_meets_choked_at_the_critical_ratio_and_falls_to_zero_with_no_difference() {
        let at = |outside: f64| GasHole::new(200_000.0, 2.3, 1.4, 0.61, 0.02, outside).expect("hole");
        let critical = at(150_000.0).choked_pressure_pa();
        let below = at(critical * 0.999_999).rate_kg_s();
        let above = at(critical * 1.000_001).rate_kg_s();
        assert!((below - above).abs() / below < 1e-6, "{below} against {above}");
        // Below the critical pressure the rate no longer depends on the outside.
        assert_eq!(at(50_000.0).rate_kg_s(), at(100_000.0).rate_kg_s());
        // Above it, the rate falls as the outside nears the inside, and stops at equal pressure.
        let rates: Vec<f64> = [120_000.0, 150_000.0, 180_000.0, 199_000.0, 200_000.0]
            .map(|p| at(p).rate_kg_s())
            .to_vec();
        assert!(rates.windows(2).all(|w| w[1] < w[0]), "{rates:?}");
        assert_eq!(rates[4], 0.0);
    }

    #[test]
    fn nonsense_is_refused_naming_the_field() {
        let refuse = |r: Result<GasHole, InputError>| r.expect_err("refused").field;
        assert_eq!(
            refuse(GasHole::new(5e5, 9.0, 1.15, 0.85, -0.01, ATMOSPHERE_PA)),
            "hole_diameter_m"
        );
        assert_eq!(
            refuse(GasHole::new(5e5, 9.0, 0.9, 0.85, 0.01, ATMOSPHERE_PA)),
            "heat_capacity_ratio"
        );
        assert_eq!(
            refuse(GasHole::new(5e4, 9.0, 1.15, 0.85, 0.01, ATMOSPHERE_PA)),
            "outside_pa"
        );
        assert_eq!(
            refuse(GasHole::new(5e5, 9.0, 1.15, 1.5, 0.01, ATMOSPHERE_PA)),
            "discharge_coefficient"
        );
    }
}
