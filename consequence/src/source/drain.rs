//! A vessel of any shape draining through a hole at its bottom: the release rate over time,
//! which falls as the level falls, until the liquid is gone (or, under a partial vacuum, until
//! the head no longer beats it).
//!
//! The rate at each level is Bernoulli's through the hole, as for a tank's wall
//! ([`super::tank_liquid`]), and the level is the vessel's at the volume left
//! ([`super::vessel`]); the time to go from one volume to the next is
//!
//! ```text
//! t(V) = ∫ from V to V₀ of ρ / Qm(h(V′)) dV′          Qm(h) = ρ C₀ A √(2 Pg/ρ + 2 g h)
//! ```
//!
//! integrated over the volume by the midpoint rule (no time step to choose, and the rate's
//! fall to nothing at the bottom of an open tank, where 1/Qm grows without bound but stays
//! integrable, is handled). For an upright cylinder this is Crowl & Louvar's closed form, which
//! the tests check it against. The pressure above the liquid is held: a liquefied gas keeps
//! its vapour pressure while the liquid boils to fill the space it leaves.

use super::hole_area;
use super::vessel::Vessel;
use crate::{G, InputError, not_negative, positive};

/// Slices of the inventory the time is integrated over.
const SLICES: usize = 1200;

/// The rate at which a vessel drains through a hole at its bottom, sampled at `points` + 1
/// moments from the start to the end: `[seconds since the start, kg/s]`, the last the moment
/// the liquid is gone (its rate the last that flowed).
///
/// `vessel_height_m` is an upright tank's height (the others' is their diameter);
/// `inventory_kg` the liquid in it, of `density_kg_m3`, under `gauge_pressure_pa`.
///
/// ```
/// use parktwin_consequence::source::{Vessel, drain::drain_curve};
/// // A 30 t chlorine bullet (4 m bore, 6 m long), 25 mm hole, 5.8 bar gauge: 12.3 kg/s at
/// // first, all gone in under an hour.
/// let bullet = Vessel::Horizontal { diameter_m: 4.0, length_m: 6.0 };
/// let curve = drain_curve(bullet, 0.0, 1410.0, 0.025, 578e3, 0.61, 30_000.0, 20).unwrap();
/// assert!((curve[0][1] - 12.3).abs() < 0.3);
/// assert!(curve.last().unwrap()[0] < 3600.0 && curve.windows(2).all(|w| w[1][1] <= w[0][1]));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn drain_curve(
    vessel: Vessel,
    vessel_height_m: f64,
    density_kg_m3: f64,
    hole_diameter_m: f64,
    gauge_pressure_pa: f64,
    discharge_coefficient: f64,
    inventory_kg: f64,
    points: usize,
) -> Result<Vec<[f64; 2]>, InputError> {
    let rho = positive("density_kg_m3", density_kg_m3)?;
    let area = hole_area(positive("hole_diameter_m", hole_diameter_m)?);
    let cd = positive("discharge_coefficient", discharge_coefficient)?;
    if cd > 1.0 {
        return Err(InputError::new(
            "discharge_coefficient",
            format!("is at most 1, not {cd}"),
        ));
    }
    let gauge = gauge_pressure_pa;
    if !gauge.is_finite() {
        return Err(InputError::new("gauge_pressure_pa", "must be a number"));
    }
    let v0 = not_negative("inventory_kg", inventory_kg)? / rho;
    let points = points.max(1);
    let rate = |v: f64| -> Result<f64, InputError> {
        let h = vessel.level_m(v.max(0.0), vessel_height_m)?;
        let drive = 2.0 * gauge / rho + 2.0 * G * h;
        Ok(if drive > 0.0 {
            rho * cd * area * drive.sqrt()
        } else {
            0.0
        })
    };
    let start = rate(v0)?;
    if start <= 0.0 {
        return Err(InputError::new(
            "gauge_pressure_pa",
            "the head does not beat the vacuum above the liquid: nothing leaks",
        ));
    }
    // Under a vacuum the leak stops where the head just balances it.
    let v_stop = if gauge < 0.0 {
        vessel.volume_below_m3(-gauge / (rho * G)).min(v0)
    } else {
        0.0
    };
    // The volume left runs as V = V_stop + (V₀ − V_stop) s², s from 1 to 0: the slices
    // shrink towards the end, where the rate falls to nothing and the time per volume grows.
    let span = v0 - v_stop;
    let every = (SLICES / points).max(1);
    let mut t = 0.0;
    let mut curve = vec![[0.0, start]];
    for k in 0..SLICES {
        let s_hi = 1.0 - k as f64 / SLICES as f64;
        let s_lo = 1.0 - (k + 1) as f64 / SLICES as f64;
        let s_mid = 0.5 * (s_hi + s_lo);
        let dv = span * (s_hi * s_hi - s_lo * s_lo);
        let q_mid = rate(v_stop + span * s_mid * s_mid)?;
        if q_mid > 0.0 {
            t += dv * rho / q_mid;
        }
        if (k + 1) % every == 0 || k + 1 == SLICES {
            let q = if k + 1 == SLICES && gauge < 0.0 {
                0.0
            } else {
                rate(v_stop + span * s_lo * s_lo)?
            };
            curve.push([t, q]);
        }
    }
    curve.dedup_by(|b, a| b[0] == a[0]);
    Ok(curve)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::TankHole;

    #[test]
    fn an_upright_tank_drains_as_the_closed_form_says() {
        // Benzene (879 kg/m³) 4 m deep in a 3 m upright tank, a 25 mm hole at the bottom, open
        // to the air: Crowl & Louvar's closed form gives the rate falling linearly in time and
        // the drain time; the integral over the volume must agree.
        let (d, h, rho) = (3.0, 4.0, 879.0);
        let inventory = rho * std::f64::consts::PI * d * d / 4.0 * h;
        let closed = TankHole::new(rho, 0.025, h, 0.0, 0.61, Some(d)).expect("a hole");
        let curve = drain_curve(
            Vessel::Upright { diameter_m: d },
            10.0,
            rho,
            0.025,
            0.0,
            0.61,
            inventory,
            30,
        )
        .expect("a curve");
        let end = curve.last().expect("an end")[0];
        let te = closed.drain_time_s().expect("a drain time");
        assert!((end / te - 1.0).abs() < 0.01, "{end} s against {te} s");
        for [t, q] in &curve[..curve.len() - 1] {
            assert!(
                (q - closed.rate_at(*t)).abs() < 0.01 * closed.rate_at_start(),
                "{t}: {q}"
            );
        }
    }

    #[test]
    fn under_pressure_a_bullet_empties_and_under_a_vacuum_a_tank_stops() {
        let bullet = Vessel::Horizontal {
            diameter_m: 4.0,
            length_m: 6.0,
        };
        let fast = drain_curve(bullet, 0.0, 1410.0, 0.025, 578e3, 0.61, 30_000.0, 20).expect("a curve");
        let slow = drain_curve(bullet, 0.0, 1410.0, 0.025, 0.0, 0.61, 30_000.0, 20).expect("a curve");
        assert!(fast.last().expect("end")[0] < slow.last().expect("end")[0]);
        // A pressure-driven leak still flows when the liquid is nearly gone.
        assert!(fast.last().expect("end")[1] > 0.5 * fast[0][1]);
        // Under 0.2 bar of vacuum, water stops 2 m above the hole.
        let tank = Vessel::Upright { diameter_m: 3.0 };
        let v = drain_curve(tank, 10.0, 1000.0, 0.05, -19_613.3, 0.61, 1000.0 * 7.0686 * 5.0, 20).expect("a curve");
        assert_eq!(v.last().expect("end")[1], 0.0);
        let released: f64 = v
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((released / (1000.0 * 7.0686 * 3.0) - 1.0).abs() < 0.05, "{released}");
        let err = drain_curve(tank, 10.0, 1000.0, 0.05, -60_000.0, 0.61, 1000.0 * 7.0686 * 5.0, 20)
            .expect_err("nothing leaks");
        assert_eq!(err.field, "gauge_pressure_pa");
    }
}
