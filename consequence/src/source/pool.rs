//! A puddle: how far a spilled liquid spreads, and how fast it goes into the air.
//!
//! **Spreading** (ALOHA's, Briscoe & Shaw 1980, as NOAA TM NOS OR&R 43 §3.4.4.2 gives it and
//! the HAZEL re-implementation quotes it): the pool's edge runs out at `dr/dt = √(2 g h)`, `h`
//! its mean depth, until it is 5 mm deep or a bund stops it. For a spill all at once, `V` held,
//! that integrates to
//!
//! ```text
//! r(t) = (8 g V / π)^(1/4) t^(1/2)            until  r = √(V / (π · 0.005 m))
//! ```
//!
//! **Evaporation** of a pool below its boiling point, by the mass-transfer coefficient of
//! Mackay & Matsugu (1973), in SI as OILTRANS writes it (Berry et al. 2012):
//!
//! ```text
//! k = 0.0048 u^(7/9) Z^(−1/9) Sc^(−2/3)   m/s      E = k M Pᵥ / (R T)   kg/(m²·s)
//! ```
//!
//! with `u` the wind at 10 m, `Z` the pool's size along the wind and `Sc` the vapour's Schmidt
//! number in air; and by Crowl & Louvar's screening form (*Chemical Process Safety*, 4th ed.,
//! 2019, §3 "Evaporation", `K = K₀ (M₀/M)^(1/3)` with water's `K₀` = 0.83 cm/s, `M₀` = 18 g/mol).
//!
//! **A boiling pool** (a liquefied gas spilled at its boiling point) boils off with the heat the
//! ground conducts into it, the ground a semi-infinite solid suddenly cooled (CCPS, *Guidelines
//! for Consequence Analysis of Chemical Releases*, 1999, eqs. 2.38–2.39):
//!
//! ```text
//! q(t) = k_s (T_g − T_b) / √(π α_s t)          E(t) = q(t) / ΔHv
//! ```

use std::f64::consts::PI;

use crate::{G, InputError, R, not_negative, positive};

/// The depth at which a spreading pool stops, m (ALOHA's 5 mm).
pub const MIN_DEPTH_M: f64 = 0.005;

/// Water's mass-transfer coefficient in Crowl & Louvar's screening form, m/s.
pub const WATER_K0_M_S: f64 = 0.0083;

/// The radius of a pool of `volume_m3` spilled all at once, `t_s` seconds on, m: spreading
/// until it is [`MIN_DEPTH_M`] deep, or as wide as `bund_radius_m` allows.
///
/// ```
/// use parktwin_consequence::source::pool::spread_radius_m;
/// // 10 m³ after 10 s: (8 g 10 / π)^(1/4) √10 = 12.571 m; it stops at 25.2 m (5 mm deep).
/// assert!((spread_radius_m(10.0, 10.0, None).unwrap() - 12.571).abs() < 0.001);
/// assert!((spread_radius_m(10.0, 1e6, None).unwrap() - 25.231).abs() < 0.001);
/// assert_eq!(spread_radius_m(10.0, 1e6, Some(8.0)).unwrap(), 8.0);
/// ```
pub fn spread_radius_m(volume_m3: f64, t_s: f64, bund_radius_m: Option<f64>) -> Result<f64, InputError> {
    let cap = settled_radius_m(volume_m3, bund_radius_m)?;
    let t = not_negative("t_s", t_s)?;
    Ok((spread_coefficient(volume_m3)? * t.sqrt()).min(cap))
}

/// `a = (8 g V / π)^(1/4)` of a pool of `volume_m3` spreading as `r = a √t`, m/s^(1/2).
pub fn spread_coefficient(volume_m3: f64) -> Result<f64, InputError> {
    Ok((8.0 * G * positive("volume_m3", volume_m3)? / PI).powf(0.25))
}

/// The radius a pool of `volume_m3` settles at once it has spread: [`MIN_DEPTH_M`] deep, or as
/// wide as `bund_radius_m` allows.
pub fn settled_radius_m(volume_m3: f64, bund_radius_m: Option<f64>) -> Result<f64, InputError> {
    let largest = (positive("volume_m3", volume_m3)? / (PI * MIN_DEPTH_M)).sqrt();
    Ok(match bund_radius_m {
        Some(b) => positive("bund_radius_m", b)?.min(largest),
        None => largest,
    })
}

/// Mackay & Matsugu's mass-transfer coefficient, m/s, for a wind of `wind_10m` m/s over a pool
/// `pool_size_m` long along it, the vapour's Schmidt number `schmidt` in air.
pub fn mackay_matsugu_m_s(wind_10m: f64, pool_size_m: f64, schmidt: f64) -> Result<f64, InputError> {
    let u = positive("wind_10m", wind_10m)?;
    let z = positive("pool_size_m", pool_size_m)?;
    let sc = positive("schmidt", schmidt)?;
    Ok(0.0048 * u.powf(7.0 / 9.0) * z.powf(-1.0 / 9.0) * sc.powf(-2.0 / 3.0))
}

/// Crowl & Louvar's screening mass-transfer coefficient for a vapour of molar mass
/// `molar_mass_g_mol`, m/s: water's, scaled by `(18 / M)^(1/3)`.
pub fn crowl_louvar_m_s(molar_mass_g_mol: f64) -> Result<f64, InputError> {
    Ok(WATER_K0_M_S * (18.0 / positive("molar_mass_g_mol", molar_mass_g_mol)?).cbrt())
}

/// The rate a pool of `area_m2` evaporates at, kg/s, for a mass-transfer coefficient
/// `k_m_s`, the liquid's vapour pressure `vapour_pressure_pa` at its temperature `liquid_k` and
/// molar mass `molar_mass_kg_mol` (the air carrying the vapour off as fast as it comes: the
/// concentration far above the pool is none).
///
/// ```
/// use parktwin_consequence::source::pool::{crowl_louvar_m_s, evaporation_kg_s};
/// // Crowl & Louvar's form, as ChemE_Calculations checks it: 65 g/mol, 1 m², 5 kPa, 300 K:
/// // 0.705 g/s.
/// let k = crowl_louvar_m_s(65.0).unwrap();
/// let e = evaporation_kg_s(k, 1.0, 5_000.0, 300.0, 0.065).unwrap();
/// assert!((e * 1000.0 - 0.70494).abs() < 0.0005, "{e}");
/// ```
pub fn evaporation_kg_s(
    k_m_s: f64,
    area_m2: f64,
    vapour_pressure_pa: f64,
    liquid_k: f64,
    molar_mass_kg_mol: f64,
) -> Result<f64, InputError> {
    let k = positive("k_m_s", k_m_s)?;
    let a = not_negative("area_m2", area_m2)?;
    let p = not_negative("vapour_pressure_pa", vapour_pressure_pa)?;
    let t = positive("liquid_k", liquid_k)?;
    let m = positive("molar_mass_kg_mol", molar_mass_kg_mol)?;
    Ok(k * a * p * m / (R * t))
}

/// Air's kinematic viscosity, m²/s, and water vapour's diffusivity in air, m²/s: the values
/// ALOHA's puddle model takes (TM NOS OR&R 43 §3.3.1, as the HAZEL re-implementation gives them).
const AIR_KINEMATIC_VISCOSITY_M2_S: f64 = 1.5e-5;
const WATER_DIFFUSIVITY_M2_S: f64 = 2.39e-5;

/// A vapour's Schmidt number in air: its diffusivity by Graham's law from water's, as ALOHA
/// takes it, against air's kinematic viscosity.
///
/// ```
/// // Benzene (78.11 g/mol): 1.31.
/// let sc = parktwin_consequence::source::pool::schmidt_in_air(78.11).unwrap();
/// assert!((sc - 1.31).abs() < 0.01, "{sc}");
/// ```
pub fn schmidt_in_air(molar_mass_g_mol: f64) -> Result<f64, InputError> {
    let m = positive("molar_mass_g_mol", molar_mass_g_mol)?;
    Ok(AIR_KINEMATIC_VISCOSITY_M2_S / (WATER_DIFFUSIVITY_M2_S * (18.015 / m).sqrt()))
}

/// A spilled liquid's pool as it evaporates: spread until it settles, then going into the air
/// by Mackay & Matsugu at a steady rate until it is gone.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EvaporatingPool {
    /// The pool's radius, m.
    pub radius_m: f64,
    /// The rate it evaporates at, kg/s.
    pub rate_kg_s: f64,
    /// How long until it has all gone, s.
    pub seconds: f64,
}

impl EvaporatingPool {
    /// The pool of `mass_kg` of a liquid of `density_kg_m3`, vapour pressure
    /// `vapour_pressure_pa` at `liquid_k`, molar mass `molar_mass_g_mol`, in a wind of
    /// `wind_10m`, held by a bund of `bund_radius_m` where there is one.
    ///
    /// ```
    /// use parktwin_consequence::source::pool::EvaporatingPool;
    /// // 10 t of benzene (879 kg/m³, 10 kPa at 20 °C) in a 3 m/s wind, a 20 m bund.
    /// let pool = EvaporatingPool::of_spill(10_000.0, 879.0, 10_000.0, 293.15, 78.11, 3.0, Some(10.0)).unwrap();
    /// assert!(pool.rate_kg_s > 0.5 && pool.rate_kg_s < 5.0, "{pool:?}");
    /// assert!((pool.seconds - 10_000.0 / pool.rate_kg_s).abs() < 1e-6);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn of_spill(
        mass_kg: f64,
        density_kg_m3: f64,
        vapour_pressure_pa: f64,
        liquid_k: f64,
        molar_mass_g_mol: f64,
        wind_10m: f64,
        bund_radius_m: Option<f64>,
    ) -> Result<Self, InputError> {
        let m = positive("mass_kg", mass_kg)?;
        let volume = m / positive("density_kg_m3", density_kg_m3)?;
        let radius = settled_radius_m(volume, bund_radius_m)?;
        let k = mackay_matsugu_m_s(wind_10m, 2.0 * radius, schmidt_in_air(molar_mass_g_mol)?)?;
        let rate = evaporation_kg_s(
            k,
            PI * radius * radius,
            vapour_pressure_pa,
            liquid_k,
            molar_mass_g_mol / 1000.0,
        )?;
        if rate <= 0.0 {
            return Err(InputError::new(
                "vapour_pressure_pa",
                "the liquid does not evaporate: its vapour pressure is nil",
            ));
        }
        Ok(Self {
            radius_m: radius,
            rate_kg_s: rate,
            seconds: m / rate,
        })
    }
}

/// The ground under a boiling pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ground {
    /// Thermal conductivity, W/(m·K).
    pub conductivity_w_m_k: f64,
    /// Thermal diffusivity, m²/s.
    pub diffusivity_m2_s: f64,
}

impl Ground {
    /// Concrete, with ALOHA's effective values (Briscoe & Shaw 1980, as TM NOS OR&R 43's
    /// Table 9 gives them and HAZEL quotes them).
    pub const CONCRETE: Ground = Ground {
        conductivity_w_m_k: 8.28,
        diffusivity_m2_s: 3.74e-6,
    };

    /// ALOHA's default soil.
    pub const SOIL: Ground = Ground {
        conductivity_w_m_k: 8.64,
        diffusivity_m2_s: 4.13e-6,
    };

    /// The heat flux into a pool boiling at `boiling_k` on this ground, at `ground_k` before
    /// the spill, `t_s` seconds after the pool covered it, W/m².
    ///
    /// ```
    /// use parktwin_consequence::source::pool::Ground;
    /// // Concrete (1.28 W/(m·K), 6.6e-7 m²/s) under butane boiling at 272.55 K, at 25 °C:
    /// // 22.8 kW/m² after a second, a tenth of that after 100 s.
    /// let g = Ground { conductivity_w_m_k: 1.28, diffusivity_m2_s: 6.6e-7 };
    /// assert!((g.flux_w_m2(298.15, 272.55, 1.0).unwrap() - 22_756.4).abs() < 0.5);
    /// assert!((g.flux_w_m2(298.15, 272.55, 100.0).unwrap() - 2_275.64).abs() < 0.05);
    /// ```
    pub fn flux_w_m2(&self, ground_k: f64, boiling_k: f64, t_s: f64) -> Result<f64, InputError> {
        let k = positive("conductivity_w_m_k", self.conductivity_w_m_k)?;
        let a = positive("diffusivity_m2_s", self.diffusivity_m2_s)?;
        let t = positive("t_s", t_s)?;
        Ok(k * (ground_k - boiling_k).max(0.0) / (PI * a * t).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_spreads_as_the_square_root_of_time_and_stops_5_mm_deep() {
        let r = |t: f64| spread_radius_m(10.0, t, None).expect("a radius");
        assert!((r(40.0) / r(10.0) - 2.0).abs() < 1e-12);
        let last = r(1e9);
        assert!((10.0 / (PI * last * last) - MIN_DEPTH_M).abs() < 1e-12);
        assert_eq!(
            spread_radius_m(-1.0, 1.0, None).expect_err("no volume").field,
            "volume_m3"
        );
    }

    #[test]
    fn the_two_coefficients_agree_in_size_and_the_wind_speeds_it_up() {
        // Benzene (78.1 g/mol, Sc about 1.76 in air) from a 20 m pool in a 3 m/s wind: Mackay
        // & Matsugu give a coefficient of the order of Crowl & Louvar's screening value.
        let mm = mackay_matsugu_m_s(3.0, 20.0, 1.76).expect("k");
        let cl = crowl_louvar_m_s(78.1).expect("k");
        assert!(mm > 0.3 * cl && mm < 3.0 * cl, "{mm} {cl}");
        assert!(mackay_matsugu_m_s(6.0, 20.0, 1.76).expect("k") > mm);
        assert!(
            mackay_matsugu_m_s(3.0, 40.0, 1.76).expect("k") < mm,
            "a longer pool: the air over it is loaded"
        );
        // Mackay & Matsugu's original form, 0.0292 U^0.78 X^−0.11 Sc^−0.67 in m/h with U in
        // m/h, is the same to within their rounding of the exponents.
        let original = 0.0292 * (3.0f64 * 3600.0).powf(0.78) * 20f64.powf(-0.11) * 1.76f64.powf(-0.67) / 3600.0;
        assert!((mm / original - 1.0).abs() < 0.02, "{mm} {original}");
    }

    #[test]
    fn a_boiling_pool_slows_as_the_ground_beneath_it_cools() {
        let g = Ground::CONCRETE;
        let (a, b) = (
            g.flux_w_m2(293.15, 239.11, 10.0).expect("q"),
            g.flux_w_m2(293.15, 239.11, 1000.0).expect("q"),
        );
        assert!((a / b - 10.0).abs() < 1e-9, "√(t) in the denominator");
        assert_eq!(
            g.flux_w_m2(200.0, 239.11, 10.0).expect("q"),
            0.0,
            "ground colder than the pool"
        );
    }
}
