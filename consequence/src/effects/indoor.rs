//! Sheltering in place: the concentration inside a building as the cloud passes outside.
//!
//! A building exchanges its air with the outside at `λ` air changes an hour; with the inside
//! well mixed, the concentration inside follows the one outside as
//!
//! ```text
//! dCᵢ/dt = λ (Cₒ(t) − Cᵢ)
//! ```
//!
//! (the single-compartment infiltration model of ALOHA's indoor concentration, NOAA & EPA,
//! *ALOHA Technical Documentation*, NOAA Technical Memorandum NOS OR&R 43, 2013; and of
//! Wilson, "Variation of indoor shelter effectiveness caused by air leakage variability of
//! houses in Canada and the USA", 1987). For an outside concentration held constant over a
//! step `Δt`, the inside one moves exactly as `Cᵢ ← Cₒ + (Cᵢ − Cₒ) e^(−λΔt)`, which is what is
//! computed here: no step size to tune.
//!
//! Sheltering lowers the peak and spreads the dose; once the cloud has passed, the inside holds
//! it longer than the outside, and the shelter must be aired (the doors opened) then.

use crate::{InputError, not_negative, positive};

/// The concentration inside over the same steps as `outside` (a concentration held for
/// `step_s` seconds each, starting with clean air inside), for a building of
/// `air_changes_per_hour`.
///
/// ```
/// use parktwin_consequence::effects::indoor::indoors;
/// // A cloud of 100 mg/m³ for an hour outside a house of 0.5 air changes an hour: inside, it
/// // has reached 1 − e^(−0.5) = 39 % of that when the cloud goes.
/// let inside = indoors(&[100.0; 60], 60.0, 0.5).unwrap();
/// assert!((inside[59] - 100.0 * (1.0 - (-0.5f64).exp())).abs() < 1e-9);
/// ```
pub fn indoors(outside: &[f64], step_s: f64, air_changes_per_hour: f64) -> Result<Vec<f64>, InputError> {
    let dt = positive("step_s", step_s)?;
    let lambda = positive("air_changes_per_hour", air_changes_per_hour)? / 3600.0;
    let keep = (-lambda * dt).exp();
    let mut inside = 0.0;
    outside
        .iter()
        .map(|&c| {
            let c = not_negative("outside", c)?;
            inside = c + (inside - c) * keep;
            Ok(inside)
        })
        .collect()
}

/// The toxic load `Σ Cⁿ Δt` of a series of concentrations held `step_s` seconds each, in the
/// series' units to the `n` times minutes (the probits' units).
pub fn toxic_load(series: &[f64], step_s: f64, n: f64) -> f64 {
    series.iter().map(|c| c.powf(n) * step_s / 60.0).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effects::probit::toxic_deaths;

    #[test]
    fn inside_follows_outside_with_the_buildings_time_constant() {
        // A step of 10 ppm outside: inside reaches 63 % of it after one time constant (1/λ),
        // and never overshoots; after the cloud has gone, the inside holds what came in,
        // falling by the same time constant.
        let mut outside = vec![10.0; 120];
        outside.extend(vec![0.0; 120]);
        let inside = indoors(&outside, 60.0, 1.0).expect("inside");
        assert!((inside[59] - 10.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-9);
        assert!(inside.iter().all(|&c| c <= 10.0));
        assert!(inside[120] < inside[119] && inside[179] > 0.0 && inside[179] < inside[119] * 0.5);
        // A tighter building lets in less.
        let tight = indoors(&outside, 60.0, 0.2).expect("inside");
        assert!(tight[119] < inside[119]);
        assert!(indoors(&outside, 60.0, 0.0).is_err() && indoors(&[-1.0], 60.0, 1.0).is_err());
    }

    #[test]
    fn sheltering_from_a_thirty_minute_chlorine_cloud_saves_lives() {
        // 300 ppm of chlorine for 30 minutes outside kills more than half (Withers & Lees);
        // inside a house of 0.5 air changes an hour, the load is a small fraction of it.
        let chlorine = toxic_deaths("chlorine").expect("a probit");
        let outside = vec![300.0; 30];
        let inside = indoors(&outside, 60.0, 0.5).expect("inside");
        let died = |load: f64| chlorine.share_of_load(load);
        let (out, ins) = (
            toxic_load(&outside, 60.0, chlorine.n),
            toxic_load(&inside, 60.0, chlorine.n),
        );
        assert!(died(out) > 0.5, "{}", died(out));
        assert!(died(ins) < 0.01, "{}", died(ins));
    }
}
