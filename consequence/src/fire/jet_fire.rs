//! A jet fire: gas leaking from a hole and burning as it leaves, by the point-source model of
//! API Standard 521 (*Pressure-relieving and Depressuring Systems*, the "simple approach" of its
//! flare sizing, Annex C.2, Equation (F.1) of Annex F):
//!
//! ```text
//! Q = ṁ ΔHc                                                 heat released, W
//! L = 0.003233 Q^0.478                                      flame length, m (Q in W)
//! q = τₐ F Q / (4 π D²)                                     flux at D from the flame's centre
//! ```
//!
//! with `ṁ` the rate that burns, `ΔHc` the net heat of combustion, `F` the share of the heat
//! radiated and `τₐ` the air's transmissivity over `D` ([`super::radiation`]). The flame
//! length is Beychok's fit of API 521's flame-length curve (L = 0.0059 Q^0.478 with L in feet
//! and Q in Btu/h), carried over to SI.
//!
//! Where the jet points is seldom known when an incident starts, so its radiation is taken
//! from the hole itself, at the hole's height, the same every way: the zones are circles
//! around the hole. An upright flame radiates from higher up and its zones on the ground near
//! it are shorter; a flame along the ground radiates from half its length off in the jet's
//! direction, and its zones there are longer by as much.
//!
//! `F` is taken as 0.3, the value of API 521's worked flare example (C.2, example 1) and the top
//! of the range for hydrocarbons: the model then draws larger zones than ALOHA's solid flame
//! (Chamberlain's, with a radiated share that falls as the jet gets faster, about 0.25 for a
//! choked propane jet), which is the side to err on when nothing is known of the hole. A point
//! source is wrong close to the flame (it has no size there) and right farther than a flame
//! length or so, where the zones of concern lie. Wind tilts the flame; not modelled.

use std::f64::consts::PI;

use super::radiation::transmissivity;
use crate::{InputError, not_negative, positive, reach};

/// The share of a jet fire's heat radiated: API 521's worked example's, 0.3.
pub const RADIATED_SHARE: f64 = 0.3;

/// A jet fire, its flame and its heat.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct JetFire {
    /// The rate that burns, kg/s.
    pub rate_kg_s: f64,
    /// The heat released, W.
    pub heat_release_w: f64,
    /// The flame's length, m.
    pub flame_length_m: f64,
    /// The share of the heat radiated.
    pub radiated_share: f64,
    /// The height above the ground the radiation comes from, the hole's, m.
    pub centre_height_m: f64,
}

impl JetFire {
    /// The published sources, to show with its zones.
    pub const SOURCE: &'static str = "point source: API Standard 521, Annex C.2 simple approach, Equation (F.1), \
                                      radiated share 0.3; flame length by Beychok's fit of API 521's curve";

    /// The fire of `rate_kg_s` of a gas with net heat of combustion `heat_of_combustion_j_kg`
    /// leaking from a hole `hole_height_m` above the ground.
    ///
    /// ```
    /// use parktwin_consequence::fire::jet_fire::JetFire;
    /// // 5 kg/s of propane: 232 MW, a flame 32 m long.
    /// let fire = JetFire::new(5.0, 46.34e6, 0.0).unwrap();
    /// assert!((fire.heat_release_w - 231.7e6).abs() < 1e5);
    /// assert!((fire.flame_length_m - 32.2).abs() < 0.1, "{}", fire.flame_length_m);
    /// assert_eq!(JetFire::new(-1.0, 46.34e6, 0.0).unwrap_err().field, "rate_kg_s");
    /// ```
    pub fn new(rate_kg_s: f64, heat_of_combustion_j_kg: f64, hole_height_m: f64) -> Result<Self, InputError> {
        let m = positive("rate_kg_s", rate_kg_s)?;
        let hc = positive("heat_of_combustion_j_kg", heat_of_combustion_j_kg)?;
        let h = not_negative("hole_height_m", hole_height_m)?;
        let q = m * hc;
        let flame_length_m = flame_length_m(q);
        Ok(Self {
            rate_kg_s: m,
            heat_release_w: q,
            flame_length_m,
            radiated_share: RADIATED_SHARE,
            centre_height_m: h,
        })
    }

    /// The flux on a target facing the flame on the ground `ground_distance_m` from the hole,
    /// W/m², with water in the air at partial pressure `water_pa`.
    pub fn flux_w_m2(&self, ground_distance_m: f64, water_pa: f64) -> f64 {
        let d = ground_distance_m.hypot(self.centre_height_m).max(1.0);
        transmissivity(water_pa, d) * point_source_flux(self.radiated_share * self.heat_release_w, d)
    }

    /// How far along the ground the flux falls to `flux_w_m2`, m; `None` where it is less even
    /// under the flame.
    pub fn reach_m(&self, flux_w_m2: f64, water_pa: f64) -> Option<f64> {
        reach(|x| self.flux_w_m2(x, water_pa), flux_w_m2)
    }
}

/// The flux at `distance_m` from a point radiating `radiated_w` evenly every way, W/m².
pub fn point_source_flux(radiated_w: f64, distance_m: f64) -> f64 {
    radiated_w / (4.0 * PI * distance_m * distance_m)
}

/// A jet flame's length, m, for a fire releasing `heat_release_w`: Beychok's fit of API 521's
/// flame-length curve, L = 0.0059 Q^0.478 (ft, Btu/h), in SI.
pub fn flame_length_m(heat_release_w: f64) -> f64 {
    // 1 W = 3.412142 Btu/h, 1 ft = 0.3048 m.
    0.0059 * 0.3048 * (3.412_142 * heat_release_w).powf(0.478)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_521_flare_example_1_by_the_point_source() {
        // API RP 521, Annex C.2, example 1: 100,000 lb/h of a hydrocarbon of 21,500 Btu/lb
        // (LHV), F = 0.3, τ = 1, and the flux allowed 2,000 Btu/(h·ft²): the point-source
        // equation puts it 160.2 ft (48.83 m) from the flame's centre. The inputs as the
        // example gives them; 160.20 ft as a published spreadsheet reproducing the example
        // prints it (Scribd 303693137, "Flare-Example1"; the standard itself was not read).
        let rate_kg_s = 100_000.0 * 0.453_592_37 / 3600.0;
        let hc = 21_500.0 * 2_326.0; // Btu/lb → J/kg
        let fire = JetFire::new(rate_kg_s, hc, 0.0).expect("a fire");
        let q_w = fire.radiated_share * fire.heat_release_w;
        let k = 2_000.0 * 3.154_591; // Btu/(h·ft²) → W/m²
        let d = (q_w / (4.0 * PI * k)).sqrt();
        assert!((d - 48.83).abs() < 0.02, "{d}");
        assert!((point_source_flux(q_w, d) - k).abs() < 1e-6);
    }

    #[test]
    fn the_flame_length_is_api_521s_curve_carried_over() {
        // 2.15 × 10⁹ Btu/h: the fit gives 0.0059 × (2.15e9)^0.478 = 171 ft.
        let q_w = 2.15e9 / 3.412_142;
        let l_ft = flame_length_m(q_w) / 0.3048;
        assert!((l_ft - 0.0059 * 2.15e9_f64.powf(0.478)).abs() < 1e-6, "{l_ft}");
        assert!((l_ft - 171.0).abs() < 1.0, "{l_ft}");
    }

    #[test]
    fn zones_lie_beyond_aloha_solid_flame_for_a_propane_jet() {
        // ALOHA 5.4.7's answers for a propane jet fire of 1,830 kg/min, as HAZEL's test suite
        // records them (js tests/fireAlohaTests.js, run F5): 10, 5 and 2 kW/m² at 45, 64 and
        // 98 m (15 °C, 60 % humidity). The point source with F = 0.3 is to err long, not
        // wildly: within 1.0 to 1.5 times ALOHA's each.
        let fire = JetFire::new(1_830.0 / 60.0, 46.35e6, 0.0).expect("a fire");
        let water = crate::fire::radiation::water_partial_pressure_pa(0.6, 288.15).expect("water");
        for (flux, aloha) in [(10_000.0, 45.0), (5_000.0, 64.0), (2_000.0, 98.0)] {
            let r = fire.reach_m(flux, water).expect("a reach");
            assert!(
                r >= aloha && r <= 1.5 * aloha,
                "{flux} W/m²: {r} m against ALOHA's {aloha} m"
            );
        }
    }

    #[test]
    fn farther_is_cooler_and_more_gas_is_hotter() {
        let small = JetFire::new(2.0, 46.34e6, 2.0).expect("a fire");
        let large = JetFire::new(8.0, 46.34e6, 2.0).expect("a fire");
        let q: Vec<f64> = (0..100).map(|k| small.flux_w_m2(5.0 * k as f64, 1_170.0)).collect();
        assert!(q.windows(2).all(|w| w[1] < w[0]));
        assert!(large.reach_m(5_000.0, 1_170.0) > small.reach_m(5_000.0, 1_170.0));
        assert_eq!(
            JetFire::new(1.0, 0.0, 0.0).expect_err("no heat").field,
            "heat_of_combustion_j_kg"
        );
        assert_eq!(
            JetFire::new(1.0, 46e6, -3.0).expect_err("below ground").field,
            "hole_height_m"
        );
    }
}
