//! A pool of burning liquid: how fast it burns, how tall the flame stands, how much heat
//! reaches a target some way off.
//!
//! The solid-flame model: the flame is an upright cylinder over the pool whose surface
//! radiates evenly (CCPS, *Guidelines for Chemical Process Quantitative Risk Analysis*, 2nd ed.,
//! 2000, §2.2.6 "Pool Fires"; Mudan & Croce, "Fire Hazard Calculations for Large Open
//! Hydrocarbon Fires", *SFPE Handbook of Fire Protection Engineering*):
//!
//! ```text
//! m″ = 10⁻³ ΔHc / (ΔHv + Cp (Tb − Tₐ))           burning rate, kg/(m²·s) (Burgess);
//!                                                 for a liquid boiling below the air's
//!                                                 temperature, 10⁻³ ΔHc / ΔHv
//! H  = 42 D (m″ / (ρₐ √(g D)))^0.61               flame height in still air (Thomas)
//! E  = 140 e^(−0.12 D) + 20 (1 − e^(−0.12 D))     surface emissive power, kW/m², smoke
//!                                                 hiding the flame of a wide pool
//! q  = τₐ E F                                     F the cylinder's view factor
//! ```
//!
//! The view factor of an upright cylinder of radius `R` and height `H` from a small target on
//! the ground at distance `L` from its axis, for a vertical target (`Fv`) and a horizontal one
//! (`Fh`), with `S = L/R`, `h = H/R`, `A = (h² + S² + 1)/(2S)`, `B = (1 + S²)/(2S)`:
//!
//! ```text
//! π Fv = (1/S) atan(h/√(S² − 1)) − (h/S) atan(√((S − 1)/(S + 1)))
//!        + (A h / (S √(A² − 1))) atan(√((A + 1)(S − 1) / ((A − 1)(S + 1))))
//! π Fh = ((B − 1/S)/√(B² − 1)) atan(√((B + 1)(S − 1) / ((B − 1)(S + 1))))
//!        − ((A − 1/S)/√(A² − 1)) atan(√((A + 1)(S − 1) / ((A − 1)(S + 1))))
//! ```
//!
//! and the most a target turned towards the flame receives is `√(Fv² + Fh²)` (CCPS 2000,
//! §2.2.6; Mudan 1984). Its tests check it against the integral it stands for.
//!
//! In the wind the flame leans downwind and its length follows the wind
//! ([`super::tilted_flame`]): [`PoolFire::in_wind`] and the flux and reach in any direction.

use std::f64::consts::PI;

use super::radiation::transmissivity;
use super::tilted_flame::TiltedFlame;
use crate::{G, InputError, not_negative, positive, reach, reach_within};

/// How closely a reach in the wind is found, m: its outline is many of them, each dear.
pub const WIND_REACH_TOLERANCE_M: f64 = 0.1;

/// A pool fire, its flame and its surface.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PoolFire {
    /// The pool's diameter, m.
    pub diameter_m: f64,
    /// The mass burnt per unit of the pool's area, kg/(m²·s).
    pub burning_rate_kg_m2_s: f64,
    /// The flame's height in still air, m.
    pub flame_height_m: f64,
    /// The flame's surface emissive power, W/m².
    pub emissive_power_w_m2: f64,
}

/// The liquid that burns, as the model needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fuel {
    /// Net heat of combustion, J/kg.
    pub heat_of_combustion_j_kg: f64,
    /// Heat of vaporisation at the boiling point, J/kg.
    pub heat_of_vaporisation_j_kg: f64,
    /// The liquid's specific heat, J/(kg·K).
    pub heat_capacity_j_kg_k: f64,
    /// The normal boiling point, K.
    pub boiling_point_k: f64,
}

impl PoolFire {
    /// The fire of a pool `diameter_m` across of `fuel`, in air at `air_k` of density
    /// `air_density_kg_m3`.
    ///
    /// ```
    /// use parktwin_consequence::fire::pool_fire::{Fuel, PoolFire};
    /// // A 20 m pool of benzene (the chemical table's properties) in air at 20 °C.
    /// let benzene = Fuel { heat_of_combustion_j_kg: 40.58e6, heat_of_vaporisation_j_kg: 394_400.0, heat_capacity_j_kg_k: 1893.0, boiling_point_k: 353.23 };
    /// let fire = PoolFire::new(20.0, benzene, 293.15, 1.204).unwrap();
    /// assert!((fire.burning_rate_kg_m2_s - 0.0799).abs() < 0.0005);
    /// assert!(fire.flame_height_m > 20.0 && fire.flame_height_m < 50.0);
    /// assert_eq!(PoolFire::new(0.0, benzene, 293.15, 1.204).unwrap_err().field, "diameter_m");
    /// ```
    pub fn new(diameter_m: f64, fuel: Fuel, air_k: f64, air_density_kg_m3: f64) -> Result<Self, InputError> {
        let d = positive("diameter_m", diameter_m)?;
        let hc = positive("heat_of_combustion_j_kg", fuel.heat_of_combustion_j_kg)?;
        let hv = positive("heat_of_vaporisation_j_kg", fuel.heat_of_vaporisation_j_kg)?;
        let cp = not_negative("heat_capacity_j_kg_k", fuel.heat_capacity_j_kg_k)?;
        let tb = positive("boiling_point_k", fuel.boiling_point_k)?;
        let ta = positive("air_k", air_k)?;
        let rho_a = positive("air_density_kg_m3", air_density_kg_m3)?;
        let burning_rate = burning_rate_kg_m2_s(hc, hv, cp, tb, ta);
        let flame_height_m = 42.0 * d * (burning_rate / (rho_a * (G * d).sqrt())).powf(0.61);
        let smoke = (-0.12 * d).exp();
        Ok(Self {
            diameter_m: d,
            burning_rate_kg_m2_s: burning_rate,
            flame_height_m,
            emissive_power_w_m2: 1e3 * (140.0 * smoke + 20.0 * (1.0 - smoke)),
        })
    }

    /// The most a small target on the ground `distance_m` from the pool's centre can see of
    /// the flame (turned towards it): 1 inside the pool.
    pub fn view_factor(&self, distance_m: f64) -> f64 {
        let radius = self.diameter_m / 2.0;
        if distance_m <= radius {
            return 1.0;
        }
        let (fv, fh) = cylinder_view_factors(radius, self.flame_height_m, distance_m);
        fv.hypot(fh).min(1.0)
    }

    /// The flux on a target `distance_m` from the pool's centre, W/m², with water in the air
    /// at partial pressure `water_pa` absorbing over the path from the pool's edge.
    pub fn flux_w_m2(&self, distance_m: f64, water_pa: f64) -> f64 {
        let path = (distance_m - self.diameter_m / 2.0).max(0.0);
        transmissivity(water_pa, path) * self.emissive_power_w_m2 * self.view_factor(distance_m)
    }

    /// How far from the pool's centre the flux falls to `flux_w_m2`, m; `None` where even the
    /// flame's surface emits less.
    pub fn reach_m(&self, flux_w_m2: f64, water_pa: f64) -> Option<f64> {
        reach(|x| self.flux_w_m2(x, water_pa), flux_w_m2)
    }

    /// The flame in a wind of `wind_10m` m/s through air of `air_density_kg_m3`.
    pub fn in_wind(&self, wind_10m: f64, air_density_kg_m3: f64) -> Result<TiltedFlame, InputError> {
        TiltedFlame::in_wind(self.diameter_m, self.burning_rate_kg_m2_s, wind_10m, air_density_kg_m3)
    }

    /// The flux on a target on the ground `downwind_m` along the wind and `crosswind_m` across
    /// it from the pool's centre, the flame being `flame`, W/m²: water absorbing over the path
    /// from the pool's edge, as in still air.
    ///
    /// ```
    /// use parktwin_consequence::fire::pool_fire::{Fuel, PoolFire};
    /// let benzene = Fuel { heat_of_combustion_j_kg: 40.58e6, heat_of_vaporisation_j_kg: 394_400.0, heat_capacity_j_kg_k: 1893.0, boiling_point_k: 353.23 };
    /// let fire = PoolFire::new(20.0, benzene, 293.15, 1.204).unwrap();
    /// let flame = fire.in_wind(5.0, 1.204).unwrap();
    /// // Downwind, the flame leans over a target; upwind it leans away.
    /// assert!(fire.flux_in_wind_w_m2(&flame, 40.0, 0.0, 1169.0) > 2.0 * fire.flux_in_wind_w_m2(&flame, -40.0, 0.0, 1169.0));
    /// ```
    pub fn flux_in_wind_w_m2(&self, flame: &TiltedFlame, downwind_m: f64, crosswind_m: f64, water_pa: f64) -> f64 {
        let path = (downwind_m.hypot(crosswind_m) - self.diameter_m / 2.0).max(0.0);
        transmissivity(water_pa, path) * self.emissive_power_w_m2 * flame.view_factor(downwind_m, crosswind_m)
    }

    /// How far from the pool's centre, `angle_rad` from downwind, the flux in the wind falls to
    /// `flux_w_m2`, m (to [`WIND_REACH_TOLERANCE_M`]); `None` where even the flame's surface
    /// emits less.
    pub fn reach_in_wind_m(&self, flame: &TiltedFlame, flux_w_m2: f64, angle_rad: f64, water_pa: f64) -> Option<f64> {
        let (c, s) = (angle_rad.cos(), angle_rad.sin());
        reach_within(
            |x| self.flux_in_wind_w_m2(flame, x * c, x * s, water_pa),
            flux_w_m2,
            WIND_REACH_TOLERANCE_M,
        )
    }
}

/// Burgess's burning rate, kg/(m²·s), of a liquid with net heat of combustion `hc`, heat of
/// vaporisation `hv`, specific heat `cp`, boiling at `tb` in air at `ta` (the liquid heated from
/// the air's temperature to its boiling point before it boils; none when it boils below it).
pub fn burning_rate_kg_m2_s(hc: f64, hv: f64, cp: f64, tb: f64, ta: f64) -> f64 {
    1e-3 * hc / (hv + cp * (tb - ta).max(0.0))
}

/// The view factors `(Fv, Fh)` of an upright cylinder of `radius` and `height` from a small
/// vertical and a small horizontal target on the ground at `distance` from its axis
/// (`distance` > `radius`).
pub fn cylinder_view_factors(radius: f64, height: f64, distance: f64) -> (f64, f64) {
    let s = distance / radius;
    let h = height / radius;
    let a = (h * h + s * s + 1.0) / (2.0 * s);
    let b = (1.0 + s * s) / (2.0 * s);
    let at_a = ((a + 1.0) * (s - 1.0) / ((a - 1.0) * (s + 1.0))).sqrt().atan();
    let at_b = ((b + 1.0) * (s - 1.0) / ((b - 1.0) * (s + 1.0))).sqrt().atan();
    let fv = ((1.0 / s) * (h / (s * s - 1.0).sqrt()).atan() - (h / s) * ((s - 1.0) / (s + 1.0)).sqrt().atan()
        + (a * h / (s * (a * a - 1.0).sqrt())) * at_a)
        / PI;
    let fh = ((b - 1.0 / s) / (b * b - 1.0).sqrt() * at_b - (a - 1.0 / s) / (a * a - 1.0).sqrt() * at_a) / PI;
    (fv, fh)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view factors by brute force: the cylinder's visible side cut into small patches,
    /// each contributing cos θ₁ cos θ₂ dA / (π d²) (the definition of the view factor).
    fn integrated(radius: f64, height: f64, distance: f64) -> (f64, f64) {
        let n = 400;
        let phi_max = (radius / distance).acos();
        let (d_phi, dz) = (2.0 * phi_max / n as f64, height / n as f64);
        let (mut fv, mut fh) = (0.0, 0.0);
        for i in 0..n {
            let phi = -phi_max + (i as f64 + 0.5) * d_phi;
            let (s, c) = phi.sin_cos();
            for j in 0..n {
                let z = (j as f64 + 0.5) * dz;
                let (vx, vy, vz) = (distance - radius * c, -radius * s, -z);
                let d2 = vx * vx + vy * vy + vz * vz;
                let d = d2.sqrt();
                let cos_surface = (c * vx + s * vy) / d;
                if cos_surface <= 0.0 {
                    continue;
                }
                let da = radius * d_phi * dz;
                fv += cos_surface * (vx / d) / (PI * d2) * da;
                fh += cos_surface * (z / d) / (PI * d2) * da;
            }
        }
        (fv, fh)
    }

    #[test]
    fn the_closed_form_view_factors_are_the_integral_they_stand_for() {
        for (r, h, l) in [
            (5.0, 20.0, 15.0),
            (12.5, 37.1, 62.5),
            (10.0, 30.0, 100.0),
            (2.0, 3.0, 2.5),
        ] {
            let (fv, fh) = cylinder_view_factors(r, h, l);
            let (iv, ih) = integrated(r, h, l);
            assert!(
                (fv - iv).abs() < 2e-4 && (fh - ih).abs() < 2e-4,
                "R {r} H {h} L {l}: {fv} {fh} vs {iv} {ih}"
            );
        }
    }

    #[test]
    fn burning_rates_are_those_measured_on_large_pools() {
        // Babrauskas's large-pool burning rates (SFPE Handbook of Fire Protection Engineering,
        // "Burning Rates", Table 3-1.13): benzene 0.085, methanol 0.017 kg/(m²·s). Burgess's
        // correlation with the chemical table's properties comes within 10 %.
        let benzene = burning_rate_kg_m2_s(40.58e6, 394_400.0, 1893.0, 353.23, 293.15);
        let methanol = burning_rate_kg_m2_s(21.11e6, 1_097_100.0, 2822.0, 337.65, 293.15);
        assert!((benzene / 0.085 - 1.0).abs() < 0.1, "{benzene}");
        assert!((methanol / 0.017 - 1.0).abs() < 0.1, "{methanol}");
    }

    #[test]
    fn wider_pools_are_smokier_and_the_zones_nest() {
        let fuel = Fuel {
            heat_of_combustion_j_kg: 40.58e6,
            heat_of_vaporisation_j_kg: 394_400.0,
            heat_capacity_j_kg_k: 1893.0,
            boiling_point_k: 353.23,
        };
        let small = PoolFire::new(5.0, fuel, 293.15, 1.204).expect("a fire");
        let large = PoolFire::new(30.0, fuel, 293.15, 1.204).expect("a fire");
        // Mudan & Croce: 140 kW/m² for a small clear flame down to 20 kW/m² of smoke.
        assert!(small.emissive_power_w_m2 > large.emissive_power_w_m2);
        assert!((20e3..140e3).contains(&large.emissive_power_w_m2));
        // The flux falls with distance outside the pool, and the zones nest.
        let water = 1_170.0;
        let flux: Vec<f64> = (0..40).map(|k| large.flux_w_m2(16.0 + 5.0 * k as f64, water)).collect();
        assert!(flux.windows(2).all(|w| w[1] < w[0]));
        let reach: Vec<f64> = [10e3, 5e3, 2e3]
            .iter()
            .map(|&q| large.reach_m(q, water).expect("a zone"))
            .collect();
        assert!(
            15.0 < reach[0] && reach[0] < reach[1] && reach[1] < reach[2],
            "{reach:?}"
        );
        // A larger pool reaches further.
        assert!(small.reach_m(5e3, water).expect("a zone") < reach[1]);
    }
}
