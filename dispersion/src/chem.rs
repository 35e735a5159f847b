//! Concentration units and levels of concern.

use parktwin_api::model::Chemical;
pub use parktwin_api::model::LevelSet;

/// Molar volume of an ideal gas at `temp_c` and 101.325 kPa, litres per mole.
pub fn molar_volume_l(temp_c: f64) -> f64 {
    22.414 * (temp_c + 273.15) / 273.15
}

/// mg/m³ → ppm (by volume) for a gas of `molar_mass` g/mol at `temp_c`.
///
/// ```
/// // Chlorine at 25 °C: 1 ppm ≈ 2.9 mg/m³.
/// let ppm = parktwin_dispersion::chem::mg_m3_to_ppm(2.9, 70.906, 25.0);
/// assert!((ppm - 1.0).abs() < 0.01);
/// ```
pub fn mg_m3_to_ppm(mg_m3: f64, molar_mass: f64, temp_c: f64) -> f64 {
    mg_m3 * molar_volume_l(temp_c) / molar_mass
}

/// ppm → mg/m³.
pub fn ppm_to_mg_m3(ppm: f64, molar_mass: f64, temp_c: f64) -> f64 {
    ppm * molar_mass / molar_volume_l(temp_c)
}

/// A level of concern: a name and a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelOfConcern {
    /// E.g. "AEGL-3".
    pub name: String,
    /// Threshold, ppm.
    pub ppm: f64,
    /// Threshold, mg/m³ at the temperature given.
    pub mg_m3: f64,
}

/// The levels of concern of a chemical in `set`, most severe first, skipping those not
/// published for it (none for a chemical that does not burn, in the flammable set).
pub fn levels_of_concern(chem: &Chemical, set: LevelSet, temp_c: f64) -> Vec<LevelOfConcern> {
    set.levels_ppm(chem)
        .into_iter()
        .map(|(name, ppm)| LevelOfConcern {
            name,
            ppm,
            mg_m3: ppm_to_mg_m3(ppm, chem.molar_mass, temp_c),
        })
        .collect()
}
