//! A liquefied gas's pool boiling on the ground: the rate it goes into the air over time, from
//! the moment it is spilled until it has gone.
//!
//! A liquid that boils below the ground's temperature lies on the ground at its boiling point
//! and boils with the heat the ground conducts into it. Each patch of ground, wetted at `τ`, gives the heat of a
//! semi-infinite solid suddenly cooled (CCPS, *Guidelines for Consequence Analysis of Chemical
//! Releases*, 1999, eqs. 2.38–2.39, as [`super::pool::Ground::flux_w_m2`] computes it):
//!
//! ```text
//! q(t − τ) = C / √(t − τ)          C = k_s (T_g − T_b) / √(π α_s)
//! ```
//!
//! The pool spreads as ALOHA spreads it (Briscoe & Shaw, TM NOS OR&R 43 §3.4.4.2;
//! [`super::pool::spread_radius_m`]): its radius `r = a √t`, `a = (8 g V / π)^(1/4)`, until at
//! `t_c` it is 5 mm deep or the bund holds it. The wetted area grows as `π a² τ`, so summing
//! the patches, each at its own age,
//!
//! ```text
//! Q(t) = ∫ q(t − τ) dA(τ) = 2 π a² C (√t − √(t − t_c)⁺)          E(t) = Q(t) / ΔHv
//! ```
//!
//! and the mass boiled off by `t` is `(4/3) π a² C (t^(3/2) − (t − t_c)⁺^(3/2)) / ΔHv`: the
//! pool has gone when that equals what was spilled. Closed forms, so no time step to choose;
//! a test checks them against the patches summed one by one.
//!
//! What this leaves out, and which way it errs: the sun's and the air's heat (ALOHA's energy
//! balance counts them; they matter only once the ground has cooled, hours on, where this rate
//! is low), and the depth boiled off while the pool spreads (it spreads a little less far, and
//! boils a little less, than here).

use std::f64::consts::PI;

use super::pool::{Ground, settled_radius_m, spread_coefficient};
use crate::{InputError, positive};

/// A liquefied gas's pool boiling on the ground.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BoilingPool {
    /// The liquid spilled into it, kg.
    pub mass_kg: f64,
    /// The radius it spreads to, m.
    pub radius_m: f64,
    /// When it stops spreading (5 mm deep, or at the bund), s after the spill.
    pub spread_s: f64,
    /// When it has all boiled off, s after the spill.
    pub seconds: f64,
    /// `2 π a² C / ΔHv`, kg/s^(3/2): the rate is this times `√t − √(t − t_c)⁺`.
    #[serde(skip)]
    k: f64,
}

impl BoilingPool {
    /// The pool of `mass_kg` of a liquid of `density_kg_m3` (at its boiling point) that boils
    /// at `boiling_k` with a heat of vaporisation `heat_of_vaporisation_j_kg`, spilled on
    /// `ground` at `ground_k`, held by a bund of `bund_radius_m` where there is one.
    ///
    /// ```
    /// use parktwin_consequence::source::boiling_pool::BoilingPool;
    /// use parktwin_consequence::source::pool::Ground;
    /// // 50 t of propane's rain-out (582 kg/m³, boiling at 231.04 K, 425.1 kJ/kg) on concrete at
    /// // 20 °C in a bund 30 m across: it fills the bund in seconds and boils for minutes.
    /// let pool = BoilingPool::new(50_000.0, 582.0, 231.04, 425_100.0, 293.15, Ground::CONCRETE, Some(15.0)).unwrap();
    /// assert_eq!(pool.radius_m, 15.0);
    /// assert!(pool.spread_s < 10.0 && pool.seconds > 300.0, "{pool:?}");
    /// assert!((pool.evaporated_kg(pool.seconds) - 50_000.0).abs() < 1.0);
    /// assert_eq!(pool.rate_kg_s(pool.seconds + 1.0), 0.0);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mass_kg: f64,
        density_kg_m3: f64,
        boiling_k: f64,
        heat_of_vaporisation_j_kg: f64,
        ground_k: f64,
        ground: Ground,
        bund_radius_m: Option<f64>,
    ) -> Result<Self, InputError> {
        let m = positive("mass_kg", mass_kg)?;
        let volume = m / positive("density_kg_m3", density_kg_m3)?;
        let hv = positive("heat_of_vaporisation_j_kg", heat_of_vaporisation_j_kg)?;
        let tb = positive("boiling_k", boiling_k)?;
        let tg = positive("ground_k", ground_k)?;
        if tg <= tb {
            return Err(InputError::new(
                "ground_k",
                format!("the ground at {tg} K is no warmer than the liquid boiling at {tb} K: it does not boil off"),
            ));
        }
        // The ground's heat at one second on, `C` of the module's formula.
        let c = ground.flux_w_m2(tg, tb, 1.0)?;
        let a = spread_coefficient(volume)?;
        let radius = settled_radius_m(volume, bund_radius_m)?;
        let mut pool = Self {
            mass_kg: m,
            radius_m: radius,
            spread_s: (radius / a).powi(2),
            seconds: 0.0,
            k: 2.0 * PI * a * a * c / hv,
        };
        // The moment the boiled-off mass reaches the spill: it rises with time, so halve the
        // bracket until it is found to a millisecond.
        let (mut lo, mut hi) = (0.0, 1.0);
        while pool.evaporated_kg(hi) < m {
            hi *= 2.0;
        }
        while hi - lo > 1e-3 {
            let mid = 0.5 * (lo + hi);
            if pool.evaporated_kg(mid) < m {
                lo = mid
            } else {
                hi = mid
            }
        }
        pool.seconds = hi;
        Ok(pool)
    }

    /// The rate it boils off at `t_s` seconds after the spill, kg/s (nothing once it has gone).
    pub fn rate_kg_s(&self, t_s: f64) -> f64 {
        if !(t_s > 0.0 && t_s <= self.seconds) {
            return 0.0;
        }
        self.k * (t_s.sqrt() - (t_s - self.spread_s).max(0.0).sqrt())
    }

    /// What has boiled off by `t_s` seconds after the spill, kg (the formula's, not capped at
    /// the spill: [`BoilingPool::seconds`] is where it reaches it).
    pub fn evaporated_kg(&self, t_s: f64) -> f64 {
        let t = t_s.max(0.0);
        2.0 / 3.0 * self.k * (t.powf(1.5) - (t - self.spread_s).max(0.0).powf(1.5))
    }

    /// The rate over time, `[seconds since the spill, kg/s]`, at `points` + 1 moments from the
    /// spill to the moment it has gone: a quarter of them while it spreads, the rest spaced
    /// ever wider as the rate eases.
    ///
    /// ```
    /// use parktwin_consequence::source::boiling_pool::BoilingPool;
    /// use parktwin_consequence::source::pool::Ground;
    /// let pool = BoilingPool::new(50_000.0, 582.0, 231.04, 425_100.0, 293.15, Ground::CONCRETE, Some(15.0)).unwrap();
    /// let curve = pool.curve(40);
    /// assert_eq!(curve.len(), 41);
    /// assert_eq!(curve[0], [0.0, 0.0]);
    /// assert_eq!(curve[40][0], pool.seconds);
    /// ```
    pub fn curve(&self, points: usize) -> Vec<[f64; 2]> {
        let n = points.max(4);
        let spreading = (n / 4).max(1);
        let t1 = self.spread_s.min(self.seconds);
        let mut times: Vec<f64> = (0..=spreading).map(|i| t1 * i as f64 / spreading as f64).collect();
        let rest = n - spreading;
        if self.seconds > t1 {
            // Geometric from the end of spreading (or a second in) to the end.
            let from = t1.max(self.seconds.min(1.0));
            let ratio = (self.seconds / from).powf(1.0 / rest as f64);
            times.extend((1..=rest).map(|i| from * ratio.powi(i as i32)));
            times[n] = self.seconds;
        }
        times.dedup_by(|b, a| *b <= *a);
        times.into_iter().map(|t| [t, self.rate_kg_s(t)]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn propane(mass_kg: f64, bund: Option<f64>) -> BoilingPool {
        BoilingPool::new(mass_kg, 582.0, 231.04, 425_100.0, 293.15, Ground::CONCRETE, bund).expect("a pool")
    }

    #[test]
    fn the_closed_form_is_the_wetted_patches_summed_one_by_one() {
        // The ground wetted ring by ring as the pool spreads, each ring boiling with the heat
        // of ground wetted that long ago: summed by brute force, the closed form's rate.
        let pool = propane(5_000.0, Some(10.0));
        let volume = 5_000.0 / 582.0;
        let a = spread_coefficient(volume).expect("a");
        for t in [
            0.5 * pool.spread_s,
            pool.spread_s,
            3.0 * pool.spread_s,
            40.0 * pool.spread_s,
        ] {
            let steps = 200_000;
            let mut heat = 0.0;
            for i in 0..steps {
                let (t0, t1) = (t * i as f64 / steps as f64, t * (i + 1) as f64 / steps as f64);
                let r = |s: f64| (a * s.sqrt()).min(pool.radius_m);
                let ring = PI * (r(t1).powi(2) - r(t0).powi(2));
                let wet_for = t - 0.5 * (t0 + t1);
                heat += ring * Ground::CONCRETE.flux_w_m2(293.15, 231.04, wet_for).expect("q");
            }
            let brute = heat / 425_100.0;
            if t <= pool.seconds {
                assert!(
                    (brute / pool.rate_kg_s(t) - 1.0).abs() < 0.01,
                    "t {t}: {brute} {}",
                    pool.rate_kg_s(t)
                );
            }
        }
    }

    #[test]
    fn the_curve_carries_the_spill_and_peaks_when_spreading_stops() {
        let pool = propane(50_000.0, Some(15.0));
        let curve = pool.curve(40);
        let carried: f64 = curve
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((carried / 50_000.0 - 1.0).abs() < 0.03, "{carried}");
        let peak = curve.iter().max_by(|a, b| a[1].total_cmp(&b[1])).expect("a peak");
        assert!((peak[0] - pool.spread_s).abs() < 1e-9, "{peak:?} {}", pool.spread_s);
        assert!(curve.windows(2).all(|w| w[1][0] > w[0][0]), "times rise");
    }

    #[test]
    fn a_smaller_bund_a_colder_ground_and_a_bigger_spill_as_they_should() {
        let open = propane(50_000.0, None);
        let bunded = propane(50_000.0, Some(10.0));
        assert!(open.radius_m > bunded.radius_m);
        assert!(open.seconds < bunded.seconds, "a wider pool boils off sooner");
        let cold =
            BoilingPool::new(50_000.0, 582.0, 231.04, 425_100.0, 263.15, Ground::CONCRETE, Some(10.0)).expect("a pool");
        assert!(cold.seconds > bunded.seconds, "colder ground gives less heat");
        assert!(propane(100_000.0, Some(10.0)).seconds > bunded.seconds);
    }

    #[test]
    fn nonsense_is_refused_by_name() {
        let err = BoilingPool::new(1_000.0, 582.0, 231.04, 425_100.0, 220.0, Ground::CONCRETE, None)
            .expect_err("the ground is colder");
        assert_eq!(err.field, "ground_k");
        let err =
            BoilingPool::new(-1.0, 582.0, 231.04, 425_100.0, 293.15, Ground::CONCRETE, None).expect_err("no mass");
        assert_eq!(err.field, "mass_kg");
    }
}
