//! Liquid leaking through a hole in the wall of a tank, below the liquid's surface.
//!
//! Bernoulli's equation for an orifice, with the liquid's head above the hole and the gauge
//! pressure of the space above the liquid driving the flow, and a discharge coefficient for
//! the losses (Crowl & Louvar, *Chemical Process Safety: Fundamentals with Applications*,
//! §4-3 "Flow of Liquid through a Hole in a Tank"; CCPS, *Guidelines for Consequence Analysis
//! of Chemical Releases*, 1999, §2.1):
//!
//! ```text
//! Qm(t) = ρ C₀ A √(2 Pg/ρ + 2 g h₀)  −  ρ g C₀² A² t / At
//! te    = (At / (C₀ g A)) · (√(2 Pg/ρ + 2 g h₀) − √(2 Pg/ρ))
//! ```
//!
//! for a vertical tank of constant cross-section `At` whose head-space pressure is held (a
//! padded tank): the rate falls linearly as the level falls, until the level reaches the hole
//! at `te`. Under a partial vacuum (`Pg` < 0) the flow stops where the head no longer beats
//! it, at `h = −Pg / (ρ g)`.

use super::hole_area;
use crate::{ATMOSPHERE_PA, G, InputError, not_negative, positive};

/// The discharge coefficient of a sharp-edged orifice at Reynolds numbers above 30,000 (Crowl
/// & Louvar §4-3); 1.0 is the conservative choice when the hole's edge is not known.
pub const SHARP_EDGED_ORIFICE: f64 = 0.61;

/// A hole in a tank of liquid, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TankHole {
    density: f64,
    area: f64,
    head: f64,
    gauge: f64,
    cd: f64,
    tank_area: Option<f64>,
}

impl TankHole {
    /// A hole of `hole_diameter_m` at `liquid_height_m` below the liquid's surface, in a tank
    /// of liquid of `density_kg_m3` under `gauge_pressure_pa` (above the atmosphere; negative
    /// for a partial vacuum), with discharge coefficient `discharge_coefficient` (0 to 1).
    /// `tank_diameter_m`, for a vertical cylinder, lets the level fall; without it the level is
    /// held (the rate at the start, for ever).
    ///
    /// ```
    /// use parktwin_consequence::source::TankHole;
    /// // Water 2 m above a 25 mm hole, open to the air, an ideal orifice: √(2 g h) = 6.26 m/s.
    /// let hole = TankHole::new(1000.0, 0.025, 2.0, 0.0, 1.0, None).unwrap();
    /// let v = (2.0 * 9.80665 * 2.0_f64).sqrt();
    /// assert!((hole.rate_at_start() - 1000.0 * v * std::f64::consts::PI * 0.025f64.powi(2) / 4.0).abs() < 1e-9);
    /// assert!(TankHole::new(1000.0, -0.025, 2.0, 0.0, 1.0, None).unwrap_err().to_string().starts_with("hole_diameter_m"));
    /// ```
    pub fn new(
        density_kg_m3: f64,
        hole_diameter_m: f64,
        liquid_height_m: f64,
        gauge_pressure_pa: f64,
        discharge_coefficient: f64,
        tank_diameter_m: Option<f64>,
    ) -> Result<Self, InputError> {
        let density = positive("density_kg_m3", density_kg_m3)?;
        let d = positive("hole_diameter_m", hole_diameter_m)?;
        let head = not_negative("liquid_height_m", liquid_height_m)?;
        if !gauge_pressure_pa.is_finite() || gauge_pressure_pa <= -ATMOSPHERE_PA {
            return Err(InputError::new(
                "gauge_pressure_pa",
                format!("{gauge_pressure_pa} Pa is at or below a perfect vacuum (−101,325 Pa gauge)"),
            ));
        }
        let cd = positive("discharge_coefficient", discharge_coefficient)?;
        if cd > 1.0 {
            return Err(InputError::new(
                "discharge_coefficient",
                format!("{cd} is above 1: no hole passes more than an ideal one"),
            ));
        }
        let tank_area = match tank_diameter_m {
            None => None,
            Some(t) => {
                let t = positive("tank_diameter_m", t)?;
                if d >= t {
                    return Err(InputError::new(
                        "hole_diameter_m",
                        format!("a hole of {d} m is not smaller than the tank ({t} m across)"),
                    ));
                }
                Some(hole_area(t))
            }
        };
        Ok(Self {
            density,
            area: hole_area(d),
            head,
            gauge: gauge_pressure_pa,
            cd,
            tank_area,
        })
    }

    /// `2 Pg/ρ + 2 g h`, the square of the ideal exit velocity, at liquid height `h`.
    fn drive(&self, h: f64) -> f64 {
        2.0 * self.gauge / self.density + 2.0 * G * h
    }

    /// The level at which the flow stops: the hole, or above it under a vacuum.
    fn last_level(&self) -> f64 {
        (-self.gauge / (self.density * G)).max(0.0)
    }

    /// The mass flow at the start, kg/s (0 when a vacuum holds the liquid in).
    pub fn rate_at_start(&self) -> f64 {
        self.density * self.cd * self.area * self.drive(self.head).max(0.0).sqrt()
    }

    /// The mass flow `t` seconds after the start, kg/s: falling as the level falls, 0 once the
    /// liquid above the hole has run out.
    pub fn rate_at(&self, t: f64) -> f64 {
        let Some(at) = self.tank_area else {
            return self.rate_at_start();
        };
        if self.drain_time_s().is_some_and(|te| t >= te) {
            return 0.0;
        }
        let fall = self.density * G * self.cd * self.cd * self.area * self.area * t.max(0.0) / at;
        (self.rate_at_start() - fall).max(0.0)
    }

    /// How long until the liquid above the hole has run out, s; `None` when the level is held.
    pub fn drain_time_s(&self) -> Option<f64> {
        let at = self.tank_area?;
        let end = self.drive(self.last_level()).max(0.0).sqrt();
        let start = self.drive(self.head).max(0.0).sqrt();
        Some((at / (self.cd * G * self.area)) * (start - end).max(0.0))
    }

    /// The mass that leaks before the flow stops, kg; `None` when the level is held.
    pub fn released_kg(&self) -> Option<f64> {
        Some(self.density * self.tank_area? * (self.head - self.last_level()).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// US customary units, for the book's example.
    const FT: f64 = 0.3048;
    const LBM: f64 = 0.453_592_37;
    const PSI: f64 = 6_894.757;

    #[test]
    fn crowl_and_louvar_example_4_2_a_benzene_tank() {
        // Crowl & Louvar, Chemical Process Safety, Example 4-2: a benzene tank 8 ft across,
        // padded with nitrogen at 1 atm gauge, liquid 17 ft deep, a 1-in hole 5 ft up
        // (12 ft of head), specific gravity 0.8794, C₀ = 0.61. The book: 10.4 lbm/s at first,
        // the liquid above the hole gone in 56.6 min.
        let hole = TankHole::new(
            879.4,
            0.0254,
            12.0 * FT,
            14.7 * PSI,
            SHARP_EDGED_ORIFICE,
            Some(8.0 * FT),
        )
        .expect("the book's tank");
        let lbm_s = hole.rate_at_start() / LBM;
        assert!((lbm_s - 10.4).abs() / 10.4 < 0.005, "{lbm_s} lbm/s");
        let minutes = hole.drain_time_s().expect("a tank drains") / 60.0;
        assert!((minutes - 56.6).abs() / 56.6 < 0.005, "{minutes} min");
        // The mass above the hole: 12 ft of an 8 ft cylinder (603 ft³, the book's 4,512 gal).
        let gallons = hole.released_kg().expect("a tank") / 879.4 / 0.003_785_41;
        assert!((gallons - 4512.0).abs() / 4512.0 < 0.005, "{gallons} gal");
    }

    #[test]
    fn ccps_guidelines_a_liquid_jet_through_a_10_mm_hole() {
        // CCPS, Guidelines for Consequence Analysis of Chemical Releases (1999), p. 40 (as the
        // GasDispersion.jl test suite carries it): ρ = 490 kg/m³ through a 10 mm hole with
        // C_d = 0.63, 120,935.0368 Pa inside against 101,325 Pa outside: 0.2169115 kg/s.
        let hole = TankHole::new(490.0, 0.01, 0.0, 120_935.036_8 - ATMOSPHERE_PA, 0.63, None).expect("a hole");
        assert!(
            (hole.rate_at_start() - 0.216_911_5).abs() < 1e-6,
            "{}",
            hole.rate_at_start()
        );
        // The same drive as liquid head instead of gas pressure gives the same rate.
        let head = (120_935.036_8 - ATMOSPHERE_PA) / (490.0 * G);
        let by_head = TankHole::new(490.0, 0.01, head, 0.0, 0.63, None).expect("a hole");
        assert!((by_head.rate_at_start() - hole.rate_at_start()).abs() < 1e-9);
    }

    #[test]
    fn the_rate_falls_as_the_tank_drains_and_stops() {
        let hole = TankHole::new(1000.0, 0.05, 4.0, 0.0, SHARP_EDGED_ORIFICE, Some(3.0)).expect("a tank");
        let te = hole.drain_time_s().expect("drains");
        let rates: Vec<f64> = (0..=10).map(|k| hole.rate_at(te * f64::from(k) / 10.0)).collect();
        assert!(rates.windows(2).all(|w| w[1] < w[0]), "{rates:?}");
        assert!(rates[9] > 0.0 && rates[10] == 0.0);
        // Open to the air, the level reaches the hole with nothing left to drive it.
        assert!(hole.rate_at(te * 0.999_999) < 1e-3 * hole.rate_at_start());
        // What flowed is what stood above the hole: the rate's integral (trapezoids on a line).
        let flowed = hole.rate_at_start() * te / 2.0;
        let stood = hole.released_kg().expect("a tank");
        assert!((flowed - stood).abs() / stood < 1e-9, "{flowed} against {stood}");
    }

    #[test]
    fn a_bigger_hole_or_more_pressure_leaks_faster_and_a_vacuum_holds_the_liquid() {
        let rate = |d: f64, pg: f64| {
            TankHole::new(880.0, d, 3.0, pg, 0.61, None)
                .expect("hole")
                .rate_at_start()
        };
        assert!(rate(0.02, 0.0) > rate(0.01, 0.0));
        assert!(rate(0.01, 50_000.0) > rate(0.01, 0.0));
        // 3 m of liquid of 880 kg/m³ is 25.9 kPa of head: a deeper vacuum holds it in.
        assert_eq!(rate(0.01, -30_000.0), 0.0);
        let partial = TankHole::new(880.0, 0.01, 3.0, -10_000.0, 0.61, Some(2.0)).expect("hole");
        let left = 10_000.0 / (880.0 * G);
        let kept = partial.released_kg().expect("tank") / (880.0 * hole_area(2.0));
        assert!(
            (kept - (3.0 - left)).abs() < 1e-9,
            "the flow stops {left} m above the hole"
        );
    }

    #[test]
    fn nonsense_is_refused_naming_the_field() {
        let refuse = |r: Result<TankHole, InputError>| r.expect_err("refused").field;
        assert_eq!(
            refuse(TankHole::new(880.0, -0.01, 3.0, 0.0, 0.61, None)),
            "hole_diameter_m"
        );
        assert_eq!(
            refuse(TankHole::new(880.0, 0.01, 3.0, 0.0, 0.61, Some(0.005))),
            "hole_diameter_m"
        );
        assert_eq!(refuse(TankHole::new(0.0, 0.01, 3.0, 0.0, 0.61, None)), "density_kg_m3");
        assert_eq!(
            refuse(TankHole::new(880.0, 0.01, -1.0, 0.0, 0.61, None)),
            "liquid_height_m"
        );
        assert_eq!(
            refuse(TankHole::new(880.0, 0.01, 3.0, -200_000.0, 0.61, None)),
            "gauge_pressure_pa"
        );
        assert_eq!(
            refuse(TankHole::new(880.0, 0.01, 3.0, 0.0, 1.2, None)),
            "discharge_coefficient"
        );
        assert_eq!(
            refuse(TankHole::new(880.0, 0.01, 3.0, 0.0, f64::NAN, None)),
            "discharge_coefficient"
        );
    }
}
