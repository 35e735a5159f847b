//! A superheated liquid — stored above its normal boiling point, under pressure — released to
//! the atmosphere: the share that flashes to vapour at once.
//!
//! The liquid's sensible heat above its boiling point boils part of it away. With the heat
//! capacity and the heat of vaporisation taken as constant over the drop, integrating the
//! energy balance `dm Hv = −m Cp dT` from the storage temperature down to the boiling point
//! gives
//!
//! ```text
//! f_v = 1 − exp(−Cp (T₀ − Tb) / Hv)
//! ```
//!
//! (Crowl & Louvar, *Chemical Process Safety*, 3rd ed., 2011, §4-7 "Flashing Liquids",
//! eq. 4-93; its first-order form `Cp (T₀ − Tb) / Hv`, eq. 4-90, is within 5 % of it below a
//! tenth flashed and overstates it above).
//!
//! The flashed vapour carries liquid droplets with it; CCPS takes the aerosol to be as much
//! again as the flash, the two together at most all of it (CCPS, *Guidelines for Chemical
//! Process Quantitative Risk Analysis*, 2nd ed., 2000, §2.1.2): what does not fly rains out
//! into a pool.

use crate::{InputError, positive};

/// What flashes when a liquid is released.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Flash {
    /// The share of the liquid that flashes to vapour, 0 to 1 (0 where it is stored at or
    /// below its boiling point).
    pub vapour_fraction: f64,
    /// The share that goes into the cloud, vapour and aerosol together: twice the flash, at
    /// most all of it.
    pub airborne_fraction: f64,
    /// The share that rains out into a pool.
    pub rainout_fraction: f64,
}

impl Flash {
    /// The flash of a liquid stored at `storage_k` that boils at `boiling_point_k`, with heat
    /// capacity `heat_capacity_j_kg_k` and heat of vaporisation `heat_of_vaporisation_j_kg`.
    ///
    /// ```
    /// use parktwin_consequence::source::Flash;
    /// // Propane stored at 20 °C (the table's Cp 2,252 J/(kg·K) and Hv 425.1 kJ/kg at its
    /// // boiling point, 231.04 K): 28 % flashes, 56 % goes into the cloud.
    /// let f = Flash::of_liquid(293.15, 231.04, 2252.0, 425_100.0).unwrap();
    /// assert!((f.vapour_fraction - 0.280).abs() < 0.001, "{}", f.vapour_fraction);
    /// assert!((f.airborne_fraction - 0.560).abs() < 0.002);
    /// // Benzene at 20 °C does not flash.
    /// assert_eq!(Flash::of_liquid(293.15, 353.23, 1893.0, 394_400.0).unwrap().vapour_fraction, 0.0);
    /// ```
    pub fn of_liquid(
        storage_k: f64,
        boiling_point_k: f64,
        heat_capacity_j_kg_k: f64,
        heat_of_vaporisation_j_kg: f64,
    ) -> Result<Self, InputError> {
        let t0 = positive("storage_k", storage_k)?;
        let tb = positive("boiling_point_k", boiling_point_k)?;
        let cp = positive("heat_capacity_j_kg_k", heat_capacity_j_kg_k)?;
        let hv = positive("heat_of_vaporisation_j_kg", heat_of_vaporisation_j_kg)?;
        let vapour_fraction = if t0 > tb {
            1.0 - (-cp * (t0 - tb) / hv).exp()
        } else {
            0.0
        };
        let airborne_fraction = (2.0 * vapour_fraction).min(1.0);
        Ok(Self {
            vapour_fraction,
            airborne_fraction,
            rainout_fraction: 1.0 - airborne_fraction,
        })
    }
}
