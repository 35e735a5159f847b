//! A liquefied gas leaking as it flashes: a saturated liquid, stored under its own vapour
//! pressure, boils in the hole or the pipe stub it leaves by, and what comes out is a mixture of
//! liquid and vapour. The flow is choked by the boiling, far below what Bernoulli gives for the
//! liquid alone.
//!
//! Fauske's homogeneous non-equilibrium model, as ALOHA takes it (NOAA & EPA, *ALOHA Technical
//! Documentation*, NOAA TM NOS OR&R 43, 2013, §3.4.5, as the HAZEL re-implementation gives it,
//! `js/engine/engineSourceTank.js`; Fauske 1985, Fauske & Epstein 1987):
//!
//! ```text
//! G = (h_fg / v_fg) (N c_p T)^(−1/2)                               mass flux, kg/(m²·s)
//! N = h_fg² v_f / (2 ΔP C_d² v_fg² T c_p) + L / L_e                L_e = 0.1 m, C_d = 0.61
//! ```
//!
//! with `h_fg` the heat of vaporisation, `v_fg = v_g − v_f` the specific volume gained on
//! boiling (the vapour an ideal gas at the tank's pressure), `c_p` the liquid's heat capacity,
//! `T` its temperature, `ΔP` the tank's pressure over the air's and `L` the length of pipe
//! between the tank and the break. At `L ≥ 0.1 m` the mixture reaches equilibrium on the way
//! out and `N → 1`: Fauske's equilibrium rate model, `G = (h_fg / v_fg) (c_p T)^(−1/2)`. Through
//! a hole in the wall (`L = 0`) there is no time to boil and the flux is larger.

use super::hole_area;
use crate::{ATMOSPHERE_PA, InputError, R, not_negative, positive};

/// The length of pipe over which a flashing flow reaches equilibrium, m (Fauske).
pub const EQUILIBRIUM_LENGTH_M: f64 = 0.1;

/// The discharge coefficient ALOHA takes for the two-phase flow.
pub const TWO_PHASE_DISCHARGE: f64 = 0.61;

/// A saturated liquid, as the two-phase model needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaturatedLiquid {
    /// Its temperature, K.
    pub temperature_k: f64,
    /// Its vapour pressure there (the tank's pressure), Pa.
    pub pressure_pa: f64,
    /// The liquid's density, kg/m³.
    pub liquid_density_kg_m3: f64,
    /// The heat of vaporisation, J/kg.
    pub heat_of_vaporisation_j_kg: f64,
    /// The liquid's heat capacity, J/(kg·K).
    pub heat_capacity_j_kg_k: f64,
    /// The molar mass, kg/mol.
    pub molar_mass_kg_mol: f64,
}

/// A flashing leak through a hole or a pipe stub.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TwoPhaseLeak {
    /// The mass flux, kg/(m²·s).
    pub mass_flux_kg_m2_s: f64,
    /// The rate, kg/s.
    pub rate_kg_s: f64,
    /// Fauske's non-equilibrium parameter N (1 at equilibrium).
    pub non_equilibrium: f64,
    /// The equilibrium model's flux for comparison, kg/(m²·s).
    pub equilibrium_flux_kg_m2_s: f64,
}

impl TwoPhaseLeak {
    /// The leak of `liquid` through a hole of `hole_diameter_m` at the end of `pipe_length_m` of
    /// pipe (0 for a hole in the tank's wall).
    ///
    /// ```
    /// use parktwin_consequence::source::two_phase::{SaturatedLiquid, TwoPhaseLeak};
    /// // Propane at 21 °C and 8 bar, through 10 cm of pipe: about 6,700 kg/(m²·s).
    /// let propane = SaturatedLiquid { temperature_k: 294.26, pressure_pa: 800e3,
    ///     liquid_density_kg_m3: 493.0, heat_of_vaporisation_j_kg: 425_623.58,
    ///     heat_capacity_j_kg_k: 2500.0, molar_mass_kg_mol: 0.0441 };
    /// let leak = TwoPhaseLeak::new(propane, 0.025, 0.1).unwrap();
    /// assert!((leak.mass_flux_kg_m2_s - 6_695.7).abs() < 1.0);
    /// ```
    pub fn new(liquid: SaturatedLiquid, hole_diameter_m: f64, pipe_length_m: f64) -> Result<Self, InputError> {
        let t = positive("temperature_k", liquid.temperature_k)?;
        let p = positive("pressure_pa", liquid.pressure_pa)?;
        let rho_l = positive("liquid_density_kg_m3", liquid.liquid_density_kg_m3)?;
        let hfg = positive("heat_of_vaporisation_j_kg", liquid.heat_of_vaporisation_j_kg)?;
        let cp = positive("heat_capacity_j_kg_k", liquid.heat_capacity_j_kg_k)?;
        let m = positive("molar_mass_kg_mol", liquid.molar_mass_kg_mol)?;
        let d = positive("hole_diameter_m", hole_diameter_m)?;
        let l = not_negative("pipe_length_m", pipe_length_m)?;
        let dp = p - ATMOSPHERE_PA;
        if dp <= 0.0 {
            return Err(InputError::new(
                "pressure_pa",
                format!("{p:.0} Pa is not above the air's: the liquid does not flash as it leaks"),
            ));
        }
        let v_l = 1.0 / rho_l;
        let v_fg = R * t / (p * m) - v_l;
        let cd = TWO_PHASE_DISCHARGE;
        let n = hfg * hfg * v_l / (2.0 * dp * cd * cd * v_fg * v_fg * t * cp) + l / EQUILIBRIUM_LENGTH_M;
        let flux = hfg / v_fg / (n * cp * t).sqrt();
        Ok(Self {
            mass_flux_kg_m2_s: flux,
            rate_kg_s: flux * hole_area(d),
            non_equilibrium: n,
            equilibrium_flux_kg_m2_s: hfg / v_fg / (cp * t).sqrt(),
        })
    }
}

/// The heat of vaporisation at `t_k`, from its value `at_boiling_j_kg` at the normal boiling
/// point `boiling_k`, by Watson's correlation, `ΔHv(T) = ΔHv(Tb) ((Tc − T)/(Tc − Tb))^0.38`
/// (Watson, *Ind. Eng. Chem.* 35, 1943; the exponent 0.38 as Poling, Prausnitz & O'Connell,
/// *The Properties of Gases and Liquids*, 5th ed., ch. 7, take it), `critical_k` the critical
/// temperature; 0 at and above it.
///
/// ```
/// use parktwin_consequence::source::two_phase::watson_heat_of_vaporisation;
/// // Propane (Tb 231.04 K, Tc 369.83 K): 426 kJ/kg at its boiling point, less at 20 °C.
/// let h = watson_heat_of_vaporisation(426e3, 231.04, 369.83, 293.15);
/// assert!(h < 426e3 && h > 330e3, "{h}");
/// ```
pub fn watson_heat_of_vaporisation(at_boiling_j_kg: f64, boiling_k: f64, critical_k: f64, t_k: f64) -> f64 {
    if t_k >= critical_k {
        return 0.0;
    }
    at_boiling_j_kg * ((critical_k - t_k) / (critical_k - boiling_k)).powf(0.38)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn propane() -> SaturatedLiquid {
        // HAZEL's propane (tests/tankTests.js): 18,770 J/mol over 44.10 g/mol, 493 kg/m³,
        // 2,500 J/(kg·K), 8 bar at 294.26 K.
        SaturatedLiquid {
            temperature_k: 294.26,
            pressure_pa: 800e3,
            liquid_density_kg_m3: 493.0,
            heat_of_vaporisation_j_kg: 18_770.0 / 0.0441,
            heat_capacity_j_kg_k: 2500.0,
            molar_mass_kg_mol: 0.0441,
        }
    }

    #[test]
    fn the_flux_falls_with_the_pipe_to_the_equilibrium_models() {
        // The model's own numbers for HAZEL's propane: 16,010 kg/(m²·s) through a hole in the
        // wall, 6,696 through 10 cm of pipe, the equilibrium model 7,371, 3,229 through 50 cm.
        let at = |l: f64| TwoPhaseLeak::new(propane(), 0.025, l).expect("a leak");
        assert!((at(0.0).mass_flux_kg_m2_s - 16_010.5).abs() < 2.0);
        assert!((at(0.1).mass_flux_kg_m2_s - 6_695.7).abs() < 1.0);
        assert!((at(0.5).mass_flux_kg_m2_s - 3_228.8).abs() < 1.0);
        assert!((at(0.0).equilibrium_flux_kg_m2_s - 7_371.3).abs() < 1.0);
        // Far less than the liquid alone would leak by Bernoulli through the same hole.
        let bernoulli = 0.61 * (2.0 * 493.0 * (800e3 - ATMOSPHERE_PA)).sqrt();
        assert!(at(0.1).mass_flux_kg_m2_s < 0.5 * bernoulli, "{bernoulli}");
        // A bigger hole leaks faster, in proportion to its area.
        let (small, big) = (
            at(0.1).rate_kg_s,
            TwoPhaseLeak::new(propane(), 0.05, 0.1).expect("a leak").rate_kg_s,
        );
        assert!((big / small - 4.0).abs() < 1e-9);
    }

    #[test]
    fn nonsense_is_refused_by_name() {
        let mut p = propane();
        p.pressure_pa = 90e3;
        assert_eq!(
            TwoPhaseLeak::new(p, 0.025, 0.0).expect_err("not above the air").field,
            "pressure_pa"
        );
        assert_eq!(
            TwoPhaseLeak::new(propane(), -0.025, 0.0).expect_err("a hole").field,
            "hole_diameter_m"
        );
        assert_eq!(
            TwoPhaseLeak::new(propane(), 0.025, -1.0).expect_err("a pipe").field,
            "pipe_length_m"
        );
    }
}
