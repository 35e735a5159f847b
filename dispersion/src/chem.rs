//! Concentration units and levels of concern.

use parktwin_api::model::Chemical;

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

/// Which published levels to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSet {
    /// AEGL-1/2/3, 60 minutes.
    Aegl60,
    /// ERPG-1/2/3.
    Erpg,
}

/// The levels of concern of a chemical, most severe first (…-3, -2, -1), skipping those not
/// published for it.
pub fn levels_of_concern(chem: &Chemical, set: LevelSet, temp_c: f64) -> Vec<LevelOfConcern> {
    let (prefix, values) = match set {
        LevelSet::Aegl60 => ("AEGL", chem.aegl_60min_ppm),
        LevelSet::Erpg => ("ERPG", chem.erpg_ppm),
    };
    (0..3)
        .rev()
        .filter_map(|i| {
            values[i].map(|ppm| LevelOfConcern {
                name: format!("{prefix}-{}", i + 1),
                ppm,
                mg_m3: ppm_to_mg_m3(ppm, chem.molar_mass, temp_c),
            })
        })
        .collect()
}
