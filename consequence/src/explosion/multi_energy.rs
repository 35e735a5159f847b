//! A vapour cloud explosion by the TNO multi-energy method: the blast of the part of a cloud
//! that stands in a congested or confined region (a process unit, a pipe rack), as a
//! hemispherical charge on the ground of that part's combustion energy, with a strength from
//! 1 (a slow flame in the open) to 10 (a detonation) that the congestion sets.
//!
//! ```text
//! E   = M ΔHc            (or 3.5 MJ/m³ × the stoichiometric cloud's volume)
//! r'  = r (p₀ / E)^(1/3)                                       energy-scaled distance
//! Pₛ' = Pₛ / p₀ = a (r')^b                                     on each piece of the curve
//! ```
//!
//! The blast charts (van den Berg, 1985, *J. Hazard. Mater.* 12:1–10) as the Swedish Civil
//! Contingencies Agency fits them: piecewise power laws for the ten strengths, `Pₛ' ≥ 0.001`
//! everywhere (MSB, *Beräkning av impulsbelastad konstruktion*, B02-121 "Gasexplosion i det
//! fria", M. Johansson, 2013, Table 5.2 and eqs. 4.1–5.3; the same table in B06-105, 2017,
//! Table 4.2), with `p₀` = 101.3 kPa. Ground reflection is in the curves: the charge's energy
//! is not doubled.
//!
//! Strength 7 is the usual choice for a cloud in a congested plant, 10 the safe worst case
//! (AICE/CCPS 1994 as MSB B06-105 §5.2 quotes them); a cloud in the open burns at 1 to 3. The
//! method's energy is that of the cloud *in congestion*: the mass given is that part's.
//!
//! Inside the charge (the stoichiometric hemisphere, whose edge lies at r' = 0.24 whatever its
//! size: `(3 p₀ / (2π · 3.5 MJ/m³))^(1/3)`) the overpressure is taken as at its edge.

use crate::{InputError, positive, reach};

/// The ambient pressure of the fits, Pa (MSB B02-121 eq. 4.1).
pub const P0_PA: f64 = 101_300.0;

/// The combustion energy of a stoichiometric hydrocarbon–air mixture, J/m³ (van den Berg 1985,
/// as MSB B02-121 eq. 4.2 takes it).
pub const STOICHIOMETRIC_ENERGY_J_M3: f64 = 3.5e6;

/// The strength taken where none is given: a cloud in a congested plant.
pub const DEFAULT_STRENGTH: u8 = 7;

/// MSB B02-121 Table 5.2: for each strength 1–10, the pieces `(a, b, up to r')` of
/// `Pₛ' = a r'^b`, the last piece open-ended.
const PIECES: [&[(f64, f64, f64)]; 10] = [
    &[(0.01, 0.0, 0.69), (0.007, -0.98, f64::INFINITY)],
    &[(0.02, 0.0, 0.64), (0.013, -0.97, f64::INFINITY)],
    &[(0.05, 0.0, 0.61), (0.031, -0.96, f64::INFINITY)],
    &[(0.1, 0.0, 0.63), (0.064, -0.97, f64::INFINITY)],
    &[(0.2, 0.0, 0.60), (0.12, -1.00, f64::INFINITY)],
    &[
        (0.5, 0.0, 0.64),
        (0.32, -1.01, 2.35),
        (0.47, -1.46, 3.21),
        (0.32, -1.13, f64::INFINITY),
    ],
    &[
        (1.0, 0.0, 0.48),
        (0.48, -1.00, 0.96),
        (0.47, -1.46, 3.21),
        (0.32, -1.13, f64::INFINITY),
    ],
    &[(2.0, 0.0, 0.37), (0.47, -1.46, 3.21), (0.32, -1.13, f64::INFINITY)],
    &[(5.0, 0.0, 0.20), (0.47, -1.46, 3.21), (0.32, -1.13, f64::INFINITY)],
    &[(0.43, -2.35, 0.90), (0.47, -1.46, 3.21), (0.32, -1.13, f64::INFINITY)],
];

/// The smallest scaled overpressure of the fits.
const FLOOR: f64 = 0.001;

/// The energy-scaled distance of the charge's edge.
pub fn charge_edge() -> f64 {
    (3.0 * P0_PA / (2.0 * std::f64::consts::PI * STOICHIOMETRIC_ENERGY_J_M3)).cbrt()
}

/// The scaled side-on overpressure `Pₛ/p₀` at energy-scaled distance `r_scaled` for a
/// strength 1–10 (MSB B02-121 Table 5.2).
///
/// ```
/// use parktwin_consequence::explosion::multi_energy::scaled_overpressure;
/// // Strength 7 at r' = 0.5: the second piece, 0.48 / 0.5.
/// assert!((scaled_overpressure(7, 0.5) - 0.96).abs() < 1e-12);
/// ```
pub fn scaled_overpressure(strength: u8, r_scaled: f64) -> f64 {
    let pieces = PIECES[(strength.clamp(1, 10) - 1) as usize];
    let r = r_scaled.max(charge_edge());
    let (a, b, _) = pieces
        .iter()
        .find(|(_, _, up_to)| r <= *up_to)
        .copied()
        .unwrap_or(pieces[pieces.len() - 1]);
    (a * r.powf(b)).max(FLOOR)
}

/// A vapour cloud explosion by the multi-energy method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MultiEnergyBlast {
    /// The combustion energy of the cloud in congestion, J.
    pub energy_j: f64,
    /// The blast's strength, 1 to 10.
    pub strength: u8,
}

impl MultiEnergyBlast {
    /// The blast of `mass_kg` of a flammable of net heat of combustion
    /// `heat_of_combustion_j_kg` in a congested region, at `strength` 1–10.
    ///
    /// ```
    /// use parktwin_consequence::explosion::MultiEnergyBlast;
    /// let blast = MultiEnergyBlast::of_cloud(1000.0, 46.34e6, 7).unwrap();
    /// assert!((blast.energy_j - 46.34e9).abs() < 1.0);
    /// assert_eq!(MultiEnergyBlast::of_cloud(1000.0, 46.34e6, 11).unwrap_err().field, "strength");
    /// ```
    pub fn of_cloud(mass_kg: f64, heat_of_combustion_j_kg: f64, strength: u8) -> Result<Self, InputError> {
        let m = positive("mass_kg", mass_kg)?;
        let hc = positive("heat_of_combustion_j_kg", heat_of_combustion_j_kg)?;
        Self::of_energy(m * hc, strength)
    }

    /// The blast of a stoichiometric cloud of `volume_m3` in congestion (3.5 MJ/m³).
    pub fn of_volume(volume_m3: f64, strength: u8) -> Result<Self, InputError> {
        let v = positive("volume_m3", volume_m3)?;
        Self::of_energy(v * STOICHIOMETRIC_ENERGY_J_M3, strength)
    }

    fn of_energy(energy_j: f64, strength: u8) -> Result<Self, InputError> {
        if !(1..=10).contains(&strength) {
            return Err(InputError::new(
                "strength",
                format!("is 1 (a slow flame in the open) to 10 (a detonation), not {strength}"),
            ));
        }
        Ok(Self { energy_j, strength })
    }

    /// The energy-scaled distance of a point `distance_m` from the charge's centre.
    pub fn scaled_distance(&self, distance_m: f64) -> f64 {
        distance_m * (P0_PA / self.energy_j).cbrt()
    }

    /// The peak side-on overpressure `distance_m` from the charge's centre, Pa.
    pub fn overpressure_pa(&self, distance_m: f64) -> f64 {
        P0_PA * scaled_overpressure(self.strength, self.scaled_distance(distance_m))
    }

    /// How far from the centre the overpressure falls to `overpressure_pa`, m; `None` where
    /// the blast never reaches it (a weak blast's most is less).
    pub fn distance_to_pa(&self, overpressure_pa: f64) -> Option<f64> {
        reach(|r| self.overpressure_pa(r), overpressure_pa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explosion::TntBlast;

    #[test]
    fn the_pieces_of_each_strength_meet_where_they_change() {
        // MSB's fits join within about 1 % at each change of piece; a typo in the table would
        // show as a step.
        for (k, pieces) in PIECES.iter().enumerate() {
            for w in pieces.windows(2) {
                let (a0, b0, at) = w[0];
                let (a1, b1, _) = w[1];
                let (left, right) = (a0 * at.powf(b0), a1 * at.powf(b1));
                assert!(
                    (left / right - 1.0).abs() < 0.015,
                    "strength {}: {left} against {right} at r' = {at}",
                    k + 1
                );
            }
        }
    }

    #[test]
    fn the_plateaus_are_the_strengths_peak_overpressures() {
        // MSB B02-121 Table 5.1: strengths 1–8 peak near 1, 2, 5, 10, 20, 50, 100, 200 kPa,
        // flat out past the charge's edge. Strength 9's plateau (500 kPa) ends at r' = 0.20,
        // inside the charge: at its edge the blast is already falling (383 kPa); a detonation
        // passes 1,000 kPa there.
        let peaks = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0];
        for (k, kpa) in peaks.iter().enumerate() {
            let p = P0_PA * scaled_overpressure(k as u8 + 1, 0.1) / 1000.0;
            assert!((p / kpa - 1.0).abs() < 0.02, "strength {}: {p} kPa", k + 1);
        }
        assert!((charge_edge() - 0.240).abs() < 0.001);
        let nine = P0_PA * scaled_overpressure(9, 0.1) / 1000.0;
        assert!((nine - 383.0).abs() < 1.0, "{nine}");
        assert!(P0_PA * scaled_overpressure(10, 0.1) > 1.0e6);
    }

    #[test]
    fn msb_scaling_check_energy_100_and_1000_mj() {
        // MSB B06-105 §5.1: with 100 MJ and 1,000 MJ of energy, r' = 2 lies 20 m and 43 m off.
        for (e, r) in [(1e8, 20.0), (1e9, 43.0)] {
            let blast = MultiEnergyBlast::of_energy(e, 7).expect("a blast");
            let at = 2.0 / blast.scaled_distance(1.0);
            assert!((at - r).abs() < 0.5, "{e} J: {at} m");
        }
    }

    #[test]
    fn far_from_a_detonation_it_blasts_as_tnt_of_the_same_energy() {
        // The cross-check: a detonation's far field is a TNT charge's of the same energy
        // (Kinney & Graham), within 10 % from r' = 2 to 10.
        let blast = MultiEnergyBlast::of_cloud(1000.0, 46.34e6, 10).expect("a blast");
        let tnt = TntBlast::of_cloud(1000.0, 46.34e6, 1.0).expect("a charge");
        for r_scaled in [2.0, 3.0, 5.0, 10.0] {
            let r = r_scaled / blast.scaled_distance(1.0);
            let (me, kg) = (blast.overpressure_pa(r), tnt.overpressure_pa(r).expect("p"));
            assert!(
                (me / kg - 1.0).abs() < 0.1,
                "r' = {r_scaled}: {me} Pa against TNT's {kg} Pa"
            );
        }
    }

    #[test]
    fn a_stronger_or_bigger_blast_reaches_farther_and_a_weak_one_breaks_no_building() {
        let reach = |m: f64, n: u8, pa: f64| {
            MultiEnergyBlast::of_cloud(m, 46.34e6, n)
                .expect("a blast")
                .distance_to_pa(pa)
        };
        let one_psi = 6_895.0;
        assert!(reach(1000.0, 7, one_psi) > reach(1000.0, 4, one_psi));
        assert!(reach(2000.0, 7, one_psi) > reach(1000.0, 7, one_psi));
        // Strength 3 peaks at 5 kPa: 8 psi (55 kPa) is reached nowhere.
        assert_eq!(reach(1000.0, 3, 55_158.0), None);
        let r = (1..=4000).map(|k| k as f64).collect::<Vec<_>>();
        let blast = MultiEnergyBlast::of_cloud(1000.0, 46.34e6, 7).expect("a blast");
        assert!(
            r.windows(2)
                .all(|w| blast.overpressure_pa(w[1]) <= blast.overpressure_pa(w[0]))
        );
        assert_eq!(
            MultiEnergyBlast::of_cloud(-1.0, 46.34e6, 7)
                .expect_err("a negative mass")
                .field,
            "mass_kg"
        );
        assert_eq!(
            MultiEnergyBlast::of_cloud(1.0, 46.34e6, 0)
                .expect_err("strength 0")
                .field,
            "strength"
        );
    }
}
