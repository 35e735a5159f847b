//! Heat radiated by a fire and received some way off: how much of it the air lets through,
//! and the levels of concern a thermal zone is drawn at.
//!
//! Water vapour and carbon dioxide in the air absorb part of a flame's radiation. Pietersen
//! and Huerta's fit for the atmosphere's transmissivity over a path of `x` metres, with `Pw`
//! the partial pressure of water in the air, Pa, is
//!
//! ```text
//! τₐ = 2.02 (Pw x)^(−0.09)
//! Pw = 101,325 RH exp(14.4114 − 5328 / Tₐ)
//! ```
//!
//! (Pietersen & Huerta, 1985, as CCPS, *Guidelines for Chemical Process Quantitative Risk
//! Analysis*, 2nd ed., 2000, gives it with its fire models; `RH` 0 to 1, `Tₐ` the air's
//! temperature, K; the path measured from the flame's surface). The fit
//! gives more than 1 for very short or very dry paths, where no air absorbs: it is capped at 1.

use crate::{InputError, not_negative, positive};

/// The partial pressure of water in air at relative humidity `relative_humidity` (0 to 1) and
/// temperature `air_k`, Pa.
///
/// ```
/// use parktwin_consequence::fire::radiation::water_partial_pressure_pa;
/// // Saturated air at 20 °C holds 2.34 kPa of water (steam tables); CCPS's fit gives 2.35.
/// assert!((water_partial_pressure_pa(1.0, 293.15).unwrap() - 2_339.0).abs() < 20.0);
/// ```
pub fn water_partial_pressure_pa(relative_humidity: f64, air_k: f64) -> Result<f64, InputError> {
    let rh = not_negative("relative_humidity", relative_humidity)?;
    if rh > 1.0 {
        return Err(InputError::new(
            "relative_humidity",
            format!("is a share, 0 to 1, not {rh}"),
        ));
    }
    let t = positive("air_k", air_k)?;
    Ok(101_325.0 * rh * (14.4114 - 5328.0 / t).exp())
}

/// The share of a flame's radiation the air lets through over `path_m` metres holding water
/// at partial pressure `water_pa`, 0 to 1.
///
/// ```
/// use parktwin_consequence::fire::radiation::transmissivity;
/// // 100 m of air at 20 °C and 50 % humidity (Pw ≈ 1,170 Pa): about 70 % gets through.
/// let t = transmissivity(1_170.0, 100.0);
/// assert!((t - 0.70).abs() < 0.01, "{t}");
/// assert_eq!(transmissivity(1_170.0, 0.0), 1.0);
/// ```
pub fn transmissivity(water_pa: f64, path_m: f64) -> f64 {
    let product = water_pa * path_m;
    if product <= 0.0 {
        1.0
    } else {
        (2.02 * product.powf(-0.09)).min(1.0)
    }
}

/// A thermal radiation level of concern: the flux a zone on the map is drawn at.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ThermalLevel {
    /// The flux, W/m².
    pub flux_w_m2: f64,
    /// What it does, in English.
    pub effect: &'static str,
    /// What it does, in Chinese.
    pub effect_zh: &'static str,
}

/// ALOHA's default thermal radiation levels of concern, for 60 s of exposure, red to yellow
/// (NOAA & EPA, *ALOHA Technical Documentation*, NOAA Technical Memorandum NOS OR&R 43, 2013,
/// "thermal radiation levels of concern").
pub const ALOHA_THERMAL_LEVELS: [ThermalLevel; 3] = [
    ThermalLevel {
        flux_w_m2: 10_000.0,
        effect: "potentially lethal within 60 s",
        effect_zh: "60 秒内可能致死",
    },
    ThermalLevel {
        flux_w_m2: 5_000.0,
        effect: "second-degree burns within 60 s",
        effect_zh: "60 秒内二度烧伤",
    },
    ThermalLevel {
        flux_w_m2: 2_000.0,
        effect: "pain within 60 s",
        effect_zh: "60 秒内感到疼痛",
    },
];
