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

use crate::{InputError, positive};

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
}

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
    fn no_fuel_is_no_fireball() {
        for m in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Fireball::of_mass(m).expect_err("refused").field, "mass_kg", "{m}");
        }
    }
}
