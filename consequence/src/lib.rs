//! Consequence models beyond the toxic plume: how fast a chemical leaves its containment
//! (source strength, [`source`]), what a fire does ([`fire`]), how far a blast reaches
//! ([`explosion`]) and what the exposure does to people and buildings ([`effects`]). Plain
//! functions of plain numbers in SI units: no Bevy, no I/O, and it builds for the browser.
//!
//! Each model names its source (a book's equation or example) where it is written, and its
//! tests check the published worked examples. Inputs are checked before anything is computed:
//! a nonsense input is an [`InputError`] naming the field and the reason.

pub mod effects;
pub mod explosion;
pub mod fire;
pub mod incident;
pub mod source;
pub mod zones;

/// Standard gravity, m/s² (CGPM 1901, the conventional value).
pub const G: f64 = 9.806_65;

/// Standard atmospheric pressure, Pa.
pub const ATMOSPHERE_PA: f64 = 101_325.0;

/// The molar gas constant, J/(mol·K) (CODATA 2018, exact).
pub const R: f64 = 8.314_462_618;

/// An input a model cannot take: which field, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InputError {
    /// The input's name, as the caller's field or flag names it.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl InputError {
    /// An error for `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// `value` if it is a finite number above zero.
pub(crate) fn positive(field: &'static str, value: f64) -> Result<f64, InputError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(InputError::new(field, format!("must be a number above 0, not {value}")))
    }
}

/// `value` if it is a finite number of at least zero.
pub(crate) fn not_negative(field: &'static str, value: f64) -> Result<f64, InputError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(InputError::new(
            field,
            format!("must be a number of 0 or more, not {value}"),
        ))
    }
}

/// How far from the source a quantity that falls with distance, `at(distance_m)`, falls to
/// `level`: `None` where it is below the level already at the source. Bracketed by doubling
/// from 1 m, then bisected; `at` must fall monotonically beyond the source, which each
/// caller's model says it does.
pub(crate) fn reach(at: impl Fn(f64) -> f64, level: f64) -> Option<f64> {
    if at(0.0) <= level {
        return None;
    }
    let mut hi = 1.0;
    while at(hi) > level {
        hi *= 2.0;
        if hi > 1e9 {
            return None;
        }
    }
    Some(bisect(0.0, hi, |x| at(x) > level))
}

/// [`reach`] found only to within `tolerance_m`: for a model dear to evaluate, drawn as an
/// outline of many reaches.
pub(crate) fn reach_within(at: impl Fn(f64) -> f64, level: f64, tolerance_m: f64) -> Option<f64> {
    if at(0.0) <= level {
        return None;
    }
    let mut hi = 1.0;
    while at(hi) > level {
        hi *= 2.0;
        if hi > 1e9 {
            return None;
        }
    }
    let (mut lo, mut hi) = (0.0, hi);
    while hi - lo > tolerance_m {
        let mid = 0.5 * (lo + hi);
        if at(mid) > level { lo = mid } else { hi = mid }
    }
    Some(0.5 * (lo + hi))
}

/// The point between `lo` and `hi` where `below` turns from true to false (true at `lo`,
/// false at `hi`), halved 100 times: to the last bit of a double.
pub(crate) fn bisect(mut lo: f64, mut hi: f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The molar mass of dry air, kg/mol (the US Standard Atmosphere, 1976).
pub const AIR_MOLAR_MASS_KG: f64 = 0.028_964_4;

/// Dry air's density at sea-level pressure and `t_k` kelvin, kg/m³ (ideal gas).
///
/// ```
/// // 1.204 kg/m³ at 20 °C.
/// assert!((parktwin_consequence::air_density_kg_m3(293.15) - 1.204).abs() < 0.001);
/// ```
pub fn air_density_kg_m3(t_k: f64) -> f64 {
    source::ideal_gas_density(ATMOSPHERE_PA, t_k, AIR_MOLAR_MASS_KG)
}
