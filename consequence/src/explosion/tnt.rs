//! A vapour cloud explosion as the TNT charge that would blast as hard: the TNT-equivalence
//! model, with the Kinney–Graham fit of a TNT charge's side-on overpressure in free air.
//!
//! ```text
//! W     = η M ΔHc / E_TNT                                    equivalent TNT, kg
//! z     = R / W^(1/3)                                        scaled distance, m/kg^(1/3)
//! pₛ/pₐ = 808 [1 + (z/4.5)²] / √([1 + (z/0.048)²][1 + (z/0.32)²][1 + (z/1.35)²])
//! ```
//!
//! with `M` the mass of flammable in the cloud, `ΔHc` its heat of combustion, `η` the
//! explosion's efficiency (the share of the combustion energy in the blast: 1–10 %, 3 % a
//! common choice for hydrocarbons in a congested plant), `E_TNT` = 4,686 kJ/kg (1,120 cal/g)
//! and `pₐ` the ambient pressure (Crowl & Louvar, *Chemical Process Safety*, 3rd ed., 2011,
//! §6-13 "Vapor Cloud Explosions" and §6-10, eq. 6-24 for Kinney & Graham's fit, from G. F.
//! Kinney and K. J. Graham, *Explosive Shocks in Air*, 2nd ed., 1985).
//!
//! The model's weakness is known: a cloud's blast depends on congestion and confinement far
//! more than on its mass, which the multi-energy and Baker–Strehlow–Tang models describe and
//! this one does not. It is the screening model; the overpressure close to the cloud is too
//! high and the far field roughly right.

use crate::{ATMOSPHERE_PA, InputError, not_negative, positive, reach};

/// The blast energy of TNT, J/kg (1,120 cal/g; Crowl & Louvar §6-13).
pub const TNT_BLAST_ENERGY_J_KG: f64 = 4.686e6;

/// A TNT charge at ground level, of so many kilograms, in free air.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TntBlast {
    /// The equivalent TNT mass, kg.
    pub tnt_kg: f64,
}

impl TntBlast {
    /// The TNT equivalent of a cloud of `mass_kg` of a flammable with net heat of combustion
    /// `heat_of_combustion_j_kg`, exploding with `efficiency` (0 to 1).
    ///
    /// ```
    /// use parktwin_consequence::explosion::TntBlast;
    /// // 1 t of propane (46.3 MJ/kg) at 3 %: 296 kg of TNT.
    /// let blast = TntBlast::of_cloud(1000.0, 46.34e6, 0.03).unwrap();
    /// assert!((blast.tnt_kg - 296.7).abs() < 0.1);
    /// assert_eq!(TntBlast::of_cloud(1000.0, 46.34e6, 1.5).unwrap_err().field, "efficiency");
    /// ```
    pub fn of_cloud(mass_kg: f64, heat_of_combustion_j_kg: f64, efficiency: f64) -> Result<Self, InputError> {
        let m = positive("mass_kg", mass_kg)?;
        let hc = positive("heat_of_combustion_j_kg", heat_of_combustion_j_kg)?;
        let eta = positive("efficiency", efficiency)?;
        if eta > 1.0 {
            return Err(InputError::new(
                "efficiency",
                format!("is a share of the combustion energy, 0 to 1, not {eta}"),
            ));
        }
        Ok(Self {
            tnt_kg: eta * m * hc / TNT_BLAST_ENERGY_J_KG,
        })
    }

    /// A charge of `tnt_kg` of TNT.
    pub fn of_tnt(tnt_kg: f64) -> Result<Self, InputError> {
        Ok(Self {
            tnt_kg: positive("tnt_kg", tnt_kg)?,
        })
    }

    /// The scaled distance of `distance_m`, m/kg^(1/3).
    pub fn scaled_distance(&self, distance_m: f64) -> f64 {
        distance_m / self.tnt_kg.cbrt()
    }

    /// The peak side-on overpressure at `distance_m` from the charge, Pa, at sea-level
    /// ambient pressure.
    pub fn overpressure_pa(&self, distance_m: f64) -> Result<f64, InputError> {
        let r = not_negative("distance_m", distance_m)?;
        Ok(ATMOSPHERE_PA * kinney_graham(self.scaled_distance(r)))
    }

    /// How far the peak side-on overpressure reaches `overpressure_pa`, m: the inverse of
    /// [`TntBlast::overpressure_pa`] (the overpressure falls with distance everywhere).
    ///
    /// ```
    /// use parktwin_consequence::explosion::TntBlast;
    /// let blast = TntBlast::of_tnt(100.0).unwrap();
    /// let r = blast.distance_to_pa(6_900.0).unwrap();
    /// assert!((blast.overpressure_pa(r).unwrap() - 6_900.0).abs() < 1e-6);
    /// ```
    pub fn distance_to_pa(&self, overpressure_pa: f64) -> Result<f64, InputError> {
        let level = positive("overpressure_pa", overpressure_pa)?;
        reach(|r| ATMOSPHERE_PA * kinney_graham(self.scaled_distance(r)), level).ok_or_else(|| {
            InputError::new(
                "overpressure_pa",
                format!(
                    "{level} Pa is above the fit's highest, {:.0} Pa at the charge",
                    ATMOSPHERE_PA * kinney_graham(0.0)
                ),
            )
        })
    }
}

/// Kinney & Graham's fit of a TNT charge's peak side-on overpressure in free air, as a ratio
/// to the ambient pressure, at scaled distance `z` (m/kg^(1/3)).
pub fn kinney_graham(z: f64) -> f64 {
    808.0 * (1.0 + (z / 4.5).powi(2))
        / ((1.0 + (z / 0.048).powi(2)) * (1.0 + (z / 0.32).powi(2)) * (1.0 + (z / 1.35).powi(2))).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explosion::ALOHA_OVERPRESSURE_LEVELS;

    #[test]
    fn kinney_and_graham_at_a_scaled_distance_of_5_is_29_kpa() {
        // 0.28856 atm at z = 5 m/kg^(1/3), as the fit is tabulated in studies that use it
        // (29.24 kPa); far out, it falls as 1/z.
        let blast = TntBlast::of_tnt(1.0).expect("a charge");
        let p = blast.overpressure_pa(5.0).expect("a pressure");
        assert!((p - 29_238.0).abs() < 10.0, "{p}");
        let far = |r: f64| blast.overpressure_pa(r).expect("a pressure") * r;
        assert!((far(2_000.0) / far(1_000.0) - 1.0).abs() < 0.01);
    }

    #[test]
    fn the_overpressure_falls_with_distance_and_scales_with_the_cube_root_of_the_charge() {
        let small = TntBlast::of_tnt(100.0).expect("a charge");
        let large = TntBlast::of_tnt(800.0).expect("a charge");
        let p: Vec<f64> = (0..200)
            .map(|k| small.overpressure_pa(0.5 * k as f64).expect("p"))
            .collect();
        assert!(p.windows(2).all(|w| w[1] < w[0]));
        // Eight times the charge: the same overpressure twice as far.
        for level in ALOHA_OVERPRESSURE_LEVELS.map(|l| l.pa) {
            let (r1, r8) = (
                small.distance_to_pa(level).expect("r"),
                large.distance_to_pa(level).expect("r"),
            );
            assert!((r8 / r1 - 2.0).abs() < 1e-9, "{level}: {r1} {r8}");
        }
        assert_eq!(small.distance_to_pa(1e9).expect_err("refused").field, "overpressure_pa");
    }

    #[test]
    fn a_cloud_blasts_in_proportion_to_its_fuel_and_its_efficiency() {
        let a = TntBlast::of_cloud(1000.0, 46.34e6, 0.03).expect("a blast");
        let b = TntBlast::of_cloud(2000.0, 46.34e6, 0.03).expect("a blast");
        let c = TntBlast::of_cloud(1000.0, 46.34e6, 0.06).expect("a blast");
        assert!((b.tnt_kg / a.tnt_kg - 2.0).abs() < 1e-12 && (c.tnt_kg / a.tnt_kg - 2.0).abs() < 1e-12);
        for (field, r) in [
            ("mass_kg", TntBlast::of_cloud(0.0, 46.34e6, 0.03)),
            ("heat_of_combustion_j_kg", TntBlast::of_cloud(1.0, f64::NAN, 0.03)),
            ("efficiency", TntBlast::of_cloud(1.0, 46.34e6, 0.0)),
        ] {
            assert_eq!(r.expect_err("refused").field, field);
        }
    }
}
