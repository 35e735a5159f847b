//! The zones a fire or a blast draws on the map: a level of concern (a flux, an overpressure)
//! and how far from the centre it reaches. Fires and blasts reach as far every way (the wind
//! does not carry them as it carries a cloud), so each zone is a circle of that radius.

use crate::explosion::ALOHA_OVERPRESSURE_LEVELS;
use crate::fire::radiation::ALOHA_THERMAL_LEVELS;

/// One level of concern and its reach.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelReach {
    /// The zone's name as the map and the card show it: "10 kW/m²", "8 psi".
    pub name: String,
    /// The level: a flux in W/m², or an overpressure in Pa.
    pub level: f64,
    /// The level's unit, `W/m2` or `Pa`.
    pub unit: &'static str,
    /// What it does, in English.
    pub effect: &'static str,
    /// What it does, in Chinese.
    pub effect_zh: &'static str,
    /// How far from the centre it reaches, m; `None` where it reaches nowhere (even the
    /// flame's surface, or the cloud's own edge, stays below it).
    pub reach_m: Option<f64>,
}

/// ALOHA's thermal radiation levels, most severe first, each with `reach(flux_w_m2)`.
///
/// ```
/// use parktwin_consequence::zones::thermal;
/// // A flux that falls as 1/r² from 100 kW at 1 m: 10 kW/m² reaches √10 m.
/// let zones = thermal(|q| Some((100e3 / q).sqrt()));
/// assert_eq!(zones[0].name, "10 kW/m²");
/// assert!((zones[0].reach_m.unwrap() - 10f64.sqrt()).abs() < 1e-12);
/// ```
pub fn thermal(reach: impl Fn(f64) -> Option<f64>) -> Vec<LevelReach> {
    ALOHA_THERMAL_LEVELS
        .iter()
        .map(|l| LevelReach {
            name: format!("{} kW/m²", l.flux_w_m2 / 1000.0),
            level: l.flux_w_m2,
            unit: "W/m2",
            effect: l.effect,
            effect_zh: l.effect_zh,
            reach_m: reach(l.flux_w_m2),
        })
        .collect()
}

/// ALOHA's overpressure levels, most severe first, each with `reach(overpressure_pa)`.
pub fn overpressure(reach: impl Fn(f64) -> Option<f64>) -> Vec<LevelReach> {
    ALOHA_OVERPRESSURE_LEVELS
        .iter()
        .map(|l| LevelReach {
            name: l.name.to_string(),
            level: l.pa,
            unit: "Pa",
            effect: l.effect,
            effect_zh: l.effect_zh,
            reach_m: reach(l.pa),
        })
        .collect()
}
