//! A BLEVE's fireball: how wide, how long, how high, from the mass of fuel in it.
//!
//! The CCPS correlations (CCPS, *Guidelines for Chemical Process Quantitative Risk Analysis*,
//! 2nd ed., 2000, §2.2.4 "BLEVE and Fireball"), with `M` the mass of flammable in the ball, kg:
//!
//! ```text
//! D_max     = 5.8 M^(1/3)                                    maximum diameter, m
//! t_BLEVE   = 0.45 M^(1/3)   for M < 30,000 kg               duration, s
//!           = 2.6 M^(1/6)    for M ≥ 30,000 kg
//! H_BLEVE   = 0.75 D_max                                     centre height, m
//! D_initial = 1.3 D_max                                      ground-level hemisphere, m
//! ```
//!
//! The two duration laws are fits to different sets of trials (smaller and larger masses)
//! and do not meet at 30 t: the duration steps from 14.0 s to 14.5 s there.
//!
//! Its radiation, by the solid-flame model of the same section: the share of the heat of
//! combustion radiated rises with the vessel's pressure at the burst (Roberts, 1981), the
//! surface of the ball radiates it evenly over its life, and a target at distance `r` from the
//! ball's centre sees it through the view factor of a sphere:
//!
//! ```text
//! f_r = 0.27 P^0.32                                          P the vessel's pressure, MPa
//! E   = f_r M ΔHc / (π D_max² t_BLEVE)                       surface emissive power, W/m²
//! F   = (D_max / 2)² / r² · cos β                            β between the target's normal
//! q   = τₐ E F                                                   and the line to the centre
//! ```
//!
//! with `τₐ` the air's transmissivity over the path from the ball's surface, `r − D_max/2`
//! ([`super::radiation`]). A target facing the ball (`cos β = 1`) receives the most; the
//! thermal zones are drawn for it.

use super::radiation::transmissivity;
use crate::{InputError, positive, reach};

/// Where the CCPS duration law changes, kg.
pub const LARGE_FIREBALL_KG: f64 = 30_000.0;

/// A fireball's size and life.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Fireball {
    /// The mass of fuel in it, kg.
    pub mass_kg: f64,
    /// Its maximum diameter, m.
    pub diameter_m: f64,
    /// How long it burns, s.
    pub duration_s: f64,
    /// The height of its centre above the ground, m.
    pub centre_height_m: f64,
    /// The diameter of the hemisphere on the ground it starts as, m.
    pub initial_diameter_m: f64,
}

impl Fireball {
    /// The fireball of `mass_kg` of flammable.
    ///
    /// ```
    /// use parktwin_consequence::fire::Fireball;
    /// // 1 t of propane: 58 m across for 4.5 s.
    /// let ball = Fireball::of_mass(1000.0).unwrap();
    /// assert!((ball.diameter_m - 58.0).abs() < 1e-9 && (ball.duration_s - 4.5).abs() < 1e-9);
    /// assert_eq!(Fireball::of_mass(-1.0).unwrap_err().field, "mass_kg");
    /// ```
    pub fn of_mass(mass_kg: f64) -> Result<Self, InputError> {
        let m = positive("mass_kg", mass_kg)?;
        let diameter_m = 5.8 * m.cbrt();
        let duration_s = if m < LARGE_FIREBALL_KG {
            0.45 * m.cbrt()
        } else {
            2.6 * m.powf(1.0 / 6.0)
        };
        Ok(Self {
            mass_kg: m,
            diameter_m,
            duration_s,
            centre_height_m: 0.75 * diameter_m,
            initial_diameter_m: 1.3 * diameter_m,
        })
    }

    /// The surface emissive power, W/m², of a fireball of a fuel with net heat of combustion
    /// `heat_of_combustion_j_kg` radiating the share `radiative_fraction` of it.
    pub fn emissive_power_w_m2(&self, heat_of_combustion_j_kg: f64, radiative_fraction: f64) -> f64 {
        radiative_fraction * self.mass_kg * heat_of_combustion_j_kg
            / (std::f64::consts::PI * self.diameter_m.powi(2) * self.duration_s)
    }

    /// The view factor from a target on the ground `ground_distance_m` from the point under
    /// the ball's centre, the centre `centre_height_m` up, to the ball; `facing` for a target
    /// turned to the ball (the most it can receive), else a vertical one (a wall).
    pub fn view_factor(&self, ground_distance_m: f64, centre_height_m: f64, facing: bool) -> f64 {
        let radius = self.diameter_m / 2.0;
        let r = ground_distance_m.hypot(centre_height_m).max(radius);
        let cos_beta = if facing { 1.0 } else { ground_distance_m / r };
        (radius / r).powi(2) * cos_beta
    }

    /// The flux received by a target facing the ball, on the ground `ground_distance_m` from
    /// the point under its centre, W/m², for surface emissive power `emissive_power_w_m2` and
    /// water in the air at partial pressure `water_pa`.
    pub fn flux_w_m2(&self, ground_distance_m: f64, emissive_power_w_m2: f64, water_pa: f64) -> f64 {
        let r = ground_distance_m.hypot(self.centre_height_m);
        let path = (r - self.diameter_m / 2.0).max(0.0);
        transmissivity(water_pa, path)
            * emissive_power_w_m2
            * self.view_factor(ground_distance_m, self.centre_height_m, true)
    }

    /// How far along the ground the flux on a target facing the ball falls to `flux_w_m2`, m;
    /// `None` where it is less even under the ball.
    pub fn reach_m(&self, flux_w_m2: f64, emissive_power_w_m2: f64, water_pa: f64) -> Option<f64> {
        reach(|x| self.flux_w_m2(x, emissive_power_w_m2, water_pa), flux_w_m2)
    }
}

/// The share of a fireball's heat of combustion it radiates, from the pressure in the vessel
/// when it burst, Pa (Roberts 1981, as CCPS gives it: 0.27 P^0.32 with P in MPa), at most 0.4,
/// the top of the range measured.
///
/// ```
/// use parktwin_consequence::fire::fireball::radiative_fraction;
/// // Propane at 20 °C bursts at its vapour pressure, 8.4 bar: a quarter radiated.
/// assert!((radiative_fraction(840_000.0) - 0.2546).abs() < 0.001);
/// ```
pub fn radiative_fraction(vessel_pressure_pa: f64) -> f64 {
    (0.27 * (vessel_pressure_pa / 1e6).powf(0.32)).min(MAX_RADIATIVE_FRACTION)
}

/// The largest share radiated that [`radiative_fraction`] gives.
pub const MAX_RADIATIVE_FRACTION: f64 = 0.4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_propane_truck_of_22_7_m3_90_percent_full() {
        // The CCPS method as worked in A. Srivastava, "BLEVE Fireball Dia, Duration and
        // Radiation Estimation": 22.7 m³ of propane at 585.3 kg/m³, 90 % full, 11,957.7 kg:
        // 132.6 m across, 10.3 s.
        let ball = Fireball::of_mass(22.7 * 0.9 * 585.3).expect("a fireball");
        assert!((ball.diameter_m - 132.6).abs() < 0.05, "{}", ball.diameter_m);
        assert!((ball.duration_s - 10.3).abs() < 0.05, "{}", ball.duration_s);
        assert!((ball.centre_height_m - 0.75 * ball.diameter_m).abs() < 1e-9);
    }

    #[test]
    fn more_fuel_is_a_bigger_longer_fireball_across_the_change_of_law() {
        let masses = [10.0, 1e3, 1e4, 29_999.0, 30_000.0, 1e5, 1e6];
        let balls: Vec<Fireball> = masses.iter().map(|&m| Fireball::of_mass(m).expect("ball")).collect();
        assert!(balls.windows(2).all(|w| w[1].diameter_m > w[0].diameter_m));
        assert!(balls.windows(2).all(|w| w[1].duration_s > w[0].duration_s));
        // The step at 30 t: 0.45·30000^(1/3) = 14.0 s, 2.6·30000^(1/6) = 14.5 s.
        assert!((balls[3].duration_s - 13.98).abs() < 0.01 && (balls[4].duration_s - 14.49).abs() < 0.01);
    }

    #[test]
    fn the_propane_truck_radiates_89_kw_m2_on_a_wall_100_m_off() {
        // The same sheet, after CCPS's 1994 guidelines for BLEVEs: the ball touching the
        // ground (centre at D/2), 350 kW/m² from its surface, no absorption by the air; a
        // vertical target 100 m off sees F = 0.255 and receives 89.1 kW/m².
        let ball = Fireball::of_mass(22.7 * 0.9 * 585.3).expect("a fireball");
        let f = ball.view_factor(100.0, ball.diameter_m / 2.0, false);
        assert!((f - 0.255).abs() < 0.0005, "{f}");
        assert!((350.0 * f - 89.1).abs() < 0.05, "{} kW/m²", 350.0 * f);
        // Facing the ball, a target receives more than a wall does.
        assert!(ball.view_factor(100.0, ball.diameter_m / 2.0, true) > f);
    }

    #[test]
    fn the_flux_falls_with_distance_and_the_zones_nest() {
        let ball = Fireball::of_mass(10_000.0).expect("a fireball");
        let e = ball.emissive_power_w_m2(46.34e6, radiative_fraction(840_000.0));
        // CCPS puts hydrocarbon fireballs' emissive power at 200–350 kW/m².
        assert!((200e3..350e3).contains(&e), "{e}");
        let water = 1_170.0;
        let fluxes: Vec<f64> = (0..50).map(|k| ball.flux_w_m2(k as f64 * 20.0, e, water)).collect();
        assert!(fluxes.windows(2).all(|w| w[1] < w[0]));
        let reach: Vec<f64> = [10e3, 5e3, 2e3]
            .iter()
            .map(|&q| ball.reach_m(q, e, water).expect("a zone"))
            .collect();
        assert!(reach[0] < reach[1] && reach[1] < reach[2], "{reach:?}");
        for (q, x) in [10e3, 5e3, 2e3].iter().zip(&reach) {
            assert!((ball.flux_w_m2(*x, e, water) / q - 1.0).abs() < 1e-9);
        }
        // Nothing reaches a flux above what the surface emits.
        assert_eq!(ball.reach_m(e * 1.01, e, water), None);
    }

    #[test]
    fn no_fuel_is_no_fireball() {
        for m in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Fireball::of_mass(m).expect_err("refused").field, "mass_kg", "{m}");
        }
    }
}
