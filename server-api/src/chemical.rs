//! The chemical table (`assets/chemicals.json`): each chemical's levels of concern, GB 18218
//! thresholds and the physical properties the consequence models take, with the published
//! correlations that carry them over temperature; and the sets of levels a zone is drawn at.

use serde::{Deserialize, Serialize};

use crate::model::DetectorKind;

/// A row of the chemical table (`assets/chemicals.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Chemical {
    /// English name, the key used everywhere else.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// CAS registry number.
    pub cas: String,
    /// Molar mass, g/mol.
    pub molar_mass: f64,
    /// AEGL-1, -2, -3 for 60 minutes, ppm; `null` where not recommended.
    pub aegl_60min_ppm: [Option<f64>; 3],
    /// ERPG-1, -2, -3, ppm; `null` where not published.
    pub erpg_ppm: [Option<f64>; 3],
    /// GB 18218-2018 threshold quantity Q, tonnes.
    pub gb18218_threshold_t: f64,
    /// GB 18218-2018 correction factor β.
    pub gb18218_beta: f64,
    /// Occupational exposure limit, mg/m³ (GBZ 2.1-2019: MAC, else PC-STEL, else PC-TWA);
    /// toxic-gas detectors are set from it.
    pub oel_mg_m3: Option<f64>,
    /// Lower explosive limit, % by volume, where the chemical burns.
    pub lel_vol_pct: Option<f64>,
    /// What a fixed gas detector for this chemical measures.
    pub detector: DetectorKind,
    /// Heavier than air at ambient conditions (a dense gas hugs the ground).
    pub dense_gas: bool,
    /// The saturated liquid's density over temperature, for a leak's source strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquid_density: Option<LiquidDensity>,
    /// The normal boiling point (at 101.325 kPa), K.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boiling_point_k: Option<f64>,
    /// The saturated vapour's pressure over temperature: whether a liquid stored at a
    /// temperature flashes when released, and how fast a pool evaporates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vapour_pressure: Option<VapourPressure>,
    /// Heat of vaporisation at the normal boiling point, J/kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_of_vaporisation_j_kg: Option<f64>,
    /// The liquid's specific heat at the normal boiling point, J/(kg·K).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquid_heat_capacity_j_kg_k: Option<f64>,
    /// Net (lower) heat of combustion of the vapour, J/kg, where the chemical burns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_of_combustion_j_kg: Option<f64>,
    /// Upper explosive limit, % by volume, where the chemical burns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uel_vol_pct: Option<f64>,
    /// The gas's heat capacity at constant pressure in the ideal-gas state at 25 °C,
    /// J/(mol·K): its cp/cv for a gas leak or a pipeline's rupture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ideal_gas_heat_capacity_j_mol_k: Option<f64>,
}

impl Chemical {
    /// The saturated liquid's density at `t_k` kelvin, kg/m³; an error naming the chemical
    /// where the table has none, or the range where the temperature is outside it.
    pub fn liquid_density_kg_m3(&self, t_k: f64) -> Result<f64, String> {
        self.liquid_density
            .ok_or_else(|| format!("{}: the table has no liquid density for it", self.name))?
            .kg_m3_at(t_k, self.molar_mass)
            .map_err(|e| format!("{}: {e}", self.name))
    }

    /// The saturated vapour pressure at `t_k` kelvin, Pa; an error as for
    /// [`Chemical::liquid_density_kg_m3`].
    pub fn vapour_pressure_pa(&self, t_k: f64) -> Result<f64, String> {
        self.vapour_pressure
            .ok_or_else(|| format!("{}: the table has no vapour pressure for it", self.name))?
            .pa_at(t_k)
            .map_err(|e| format!("{}: {e}", self.name))
    }

    /// The net heat of combustion, J/kg, of a chemical that burns; the words a fire or a blast
    /// of one that does not is refused with.
    ///
    /// ```
    /// use parktwin_api::model::ChemicalTable;
    /// let table: ChemicalTable = serde_json::from_str(include_str!("../../assets/chemicals.json")).unwrap();
    /// assert!(table.get("propane").unwrap().heat_of_combustion().unwrap() > 46e6);
    /// assert!(table.get("chlorine").unwrap().heat_of_combustion().unwrap_err().contains("does not burn"));
    /// ```
    pub fn heat_of_combustion(&self) -> Result<f64, String> {
        match (self.lel_vol_pct, self.heat_of_combustion_j_kg) {
            (Some(_), Some(hc)) => Ok(hc),
            (None, _) => Err(format!("{} does not burn: it has no lower explosive limit", self.name)),
            (Some(_), None) => Err(format!("{}: the table has no heat of combustion for it", self.name)),
        }
    }

    /// The gas's heat capacity ratio cp/cv at 25 °C, an ideal gas's (`cv = cp − R`).
    ///
    /// ```
    /// use parktwin_api::model::ChemicalTable;
    /// let table: ChemicalTable = serde_json::from_str(include_str!("../../assets/chemicals.json")).unwrap();
    /// let k = table.get("chlorine").unwrap().heat_capacity_ratio().unwrap();
    /// assert!((k - 1.33).abs() < 0.02, "{k}");
    /// ```
    pub fn heat_capacity_ratio(&self) -> Result<f64, String> {
        const R: f64 = 8.314_462_618;
        let cp = self
            .ideal_gas_heat_capacity_j_mol_k
            .ok_or_else(|| format!("{}: the table has no gas heat capacity for it", self.name))?;
        Ok(cp / (cp - R))
    }

    /// Whether the chemical is a gas at `pressure_pa` (absolute) and `t_k`: above its critical
    /// temperature, or below its vapour pressure there; else the words saying it is a liquid.
    ///
    /// ```
    /// use parktwin_api::model::ChemicalTable;
    /// let table: ChemicalTable = serde_json::from_str(include_str!("../../assets/chemicals.json")).unwrap();
    /// let chlorine = table.get("chlorine").unwrap();
    /// assert!(chlorine.gas_at(4e5, 293.15).is_ok());
    /// assert!(chlorine.gas_at(10e5, 293.15).unwrap_err().contains("a liquid"));
    /// ```
    pub fn gas_at(&self, pressure_pa: f64, t_k: f64) -> Result<(), String> {
        match self.vapour_pressure {
            Some(vp) if t_k < vp.critical_k() => {
                let pv = self.vapour_pressure_pa(t_k)?;
                if pressure_pa > pv {
                    return Err(format!(
                        "at {:.0} kPa absolute and {:.0} °C {} is a liquid (it boils at {:.0} kPa there)",
                        pressure_pa / 1000.0,
                        t_k - 273.15,
                        self.name,
                        pv / 1000.0
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The boiling liquid as a pool fire or a flash needs it: the normal boiling point (K),
    /// the liquid's specific heat (J/(kg·K)) and its heat of vaporisation (J/kg); an error
    /// naming what the table lacks.
    pub fn boiling_liquid(&self) -> Result<BoilingLiquid, String> {
        let missing = |what: &str| format!("{}: the table has no {what} for it", self.name);
        Ok(BoilingLiquid {
            boiling_point_k: self.boiling_point_k.ok_or_else(|| missing("boiling point"))?,
            heat_capacity_j_kg_k: self
                .liquid_heat_capacity_j_kg_k
                .ok_or_else(|| missing("liquid heat capacity"))?,
            heat_of_vaporisation_j_kg: self
                .heat_of_vaporisation_j_kg
                .ok_or_else(|| missing("heat of vaporisation"))?,
        })
    }
}

/// A liquid's boiling as the models take it ([`Chemical::boiling_liquid`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoilingLiquid {
    /// The normal boiling point, K.
    pub boiling_point_k: f64,
    /// The liquid's specific heat at it, J/(kg·K).
    pub heat_capacity_j_kg_k: f64,
    /// The heat of vaporisation at it, J/kg.
    pub heat_of_vaporisation_j_kg: f64,
}

/// A liquid's saturated vapour pressure over temperature, as the published correlation gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "equation", rename_all = "snake_case", deny_unknown_fields)]
pub enum VapourPressure {
    /// DIPPR equation 101: ln P = C1 + C2/T + C3 ln T + C4 T^C5, P in Pa, from `t_min_k` to
    /// `t_max_k` (Perry's Chemical Engineers' Handbook, 8th ed., Table 2-8).
    Dippr101 {
        /// C1.
        c1: f64,
        /// C2, K.
        c2: f64,
        /// C3.
        c3: f64,
        /// C4.
        c4: f64,
        /// C5.
        c5: f64,
        /// The lowest temperature it holds at, K (the triple point).
        t_min_k: f64,
        /// The highest, K (the critical temperature).
        t_max_k: f64,
    },
    /// PPDS equation 3 (Wagner's form): ln(P/Pc) = (Tc/T)(A τ + B τ^1.5 + C τ^2.5 + D τ^5),
    /// τ = 1 − T/Tc, below the critical temperature (VDI Heat Atlas, 2nd ed., D3.1).
    Ppds3 {
        /// The critical temperature, K.
        tc_k: f64,
        /// The critical pressure, Pa.
        pc_pa: f64,
        /// A.
        a: f64,
        /// B.
        b: f64,
        /// C.
        c: f64,
        /// D.
        d: f64,
    },
}

impl VapourPressure {
    /// The critical temperature, K: the top of the correlation's range.
    pub fn critical_k(&self) -> f64 {
        match *self {
            VapourPressure::Dippr101 { t_max_k, .. } => t_max_k,
            VapourPressure::Ppds3 { tc_k, .. } => tc_k,
        }
    }

    /// The saturated vapour pressure at `t_k` kelvin, Pa; an error saying the range where the
    /// temperature is outside the correlation's.
    ///
    /// ```
    /// use parktwin_api::model::VapourPressure;
    /// // Chlorine by Perry's Table 2-8: it boils at 239.11 K (CRC Handbook), so its vapour
    /// // pressure there is about one atmosphere; at 20 °C the table gives 6.8 bar.
    /// let chlorine = VapourPressure::Dippr101 { c1: 71.334, c2: -3855.0, c3: -8.5171, c4: 0.012378, c5: 1.0, t_min_k: 172.12, t_max_k: 417.15 };
    /// assert!((chlorine.pa_at(239.11).unwrap() - 101_325.0).abs() < 1_000.0);
    /// assert!((chlorine.pa_at(293.15).unwrap() - 680_000.0).abs() < 5_000.0);
    /// assert!(chlorine.pa_at(450.0).unwrap_err().contains("417.15"));
    /// ```
    pub fn pa_at(&self, t_k: f64) -> Result<f64, String> {
        match *self {
            VapourPressure::Dippr101 {
                c1,
                c2,
                c3,
                c4,
                c5,
                t_min_k,
                t_max_k,
            } => {
                if !(t_min_k..=t_max_k).contains(&t_k) {
                    return Err(format!(
                        "{t_k:.2} K is outside {t_min_k:.2}–{t_max_k:.2} K, where the vapour pressure is known"
                    ));
                }
                Ok((c1 + c2 / t_k + c3 * t_k.ln() + c4 * t_k.powf(c5)).exp())
            }
            VapourPressure::Ppds3 {
                tc_k,
                pc_pa,
                a,
                b,
                c,
                d,
            } => {
                if !(t_k > 0.0 && t_k <= tc_k) {
                    return Err(format!(
                        "{t_k:.2} K is above the critical temperature, {tc_k:.2} K: there is no liquid"
                    ));
                }
                let tau = 1.0 - t_k / tc_k;
                Ok(pc_pa * ((tc_k / t_k) * (a * tau + b * tau.powf(1.5) + c * tau.powf(2.5) + d * tau.powi(5))).exp())
            }
        }
    }
}

/// A liquid's density over temperature, as the published correlation gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "equation", rename_all = "snake_case", deny_unknown_fields)]
pub enum LiquidDensity {
    /// DIPPR equation 105: ρ = C1 / C2^(1 + (1 − T/C3)^C4) in kmol/m³, from `t_min_k` to
    /// `t_max_k` (Perry's Chemical Engineers' Handbook, 8th ed., Table 2-32).
    Dippr105 {
        /// C1, kmol/m³.
        c1: f64,
        /// C2.
        c2: f64,
        /// C3, K.
        c3: f64,
        /// C4.
        c4: f64,
        /// The lowest temperature it holds at, K.
        t_min_k: f64,
        /// The highest, K (the critical temperature).
        t_max_k: f64,
    },
    /// PPDS equation 10: ρ = ρc + A τ^0.35 + B τ^(2/3) + C τ + D τ^(4/3), τ = 1 − T/Tc, in
    /// kg/m³, below the critical temperature (VDI Heat Atlas, 2nd ed., D3.1).
    Ppds10 {
        /// The critical temperature, K.
        tc_k: f64,
        /// The critical density, kg/m³.
        rhoc_kg_m3: f64,
        /// A, kg/m³.
        a: f64,
        /// B, kg/m³.
        b: f64,
        /// C, kg/m³.
        c: f64,
        /// D, kg/m³.
        d: f64,
    },
}

impl LiquidDensity {
    /// The density at `t_k` kelvin, kg/m³, of a chemical of `molar_mass` g/mol; an error saying
    /// the range where the temperature is outside the correlation's.
    ///
    /// ```
    /// use parktwin_api::model::LiquidDensity;
    /// // Benzene by Perry's Table 2-32: 878 kg/m³ at 20 °C (the CRC Handbook: 876.5); solid
    /// // below 278.68 K.
    /// let benzene = LiquidDensity::Dippr105 { c1: 1.0259, c2: 0.26666, c3: 562.05, c4: 0.28394, t_min_k: 278.68, t_max_k: 562.05 };
    /// assert!((benzene.kg_m3_at(293.15, 78.112).unwrap() - 878.0).abs() < 0.5);
    /// assert!(benzene.kg_m3_at(270.0, 78.112).unwrap_err().contains("278.68"));
    /// ```
    pub fn kg_m3_at(&self, t_k: f64, molar_mass: f64) -> Result<f64, String> {
        match *self {
            LiquidDensity::Dippr105 {
                c1,
                c2,
                c3,
                c4,
                t_min_k,
                t_max_k,
            } => {
                if !(t_min_k..=t_max_k).contains(&t_k) {
                    return Err(format!(
                        "{t_k:.2} K is outside {t_min_k:.2}–{t_max_k:.2} K, where the liquid's density is known"
                    ));
                }
                Ok(c1 / c2.powf(1.0 + (1.0 - t_k / c3).powf(c4)) * molar_mass)
            }
            LiquidDensity::Ppds10 {
                tc_k,
                rhoc_kg_m3,
                a,
                b,
                c,
                d,
            } => {
                if !(t_k > 0.0 && t_k < tc_k) {
                    return Err(format!(
                        "{t_k:.2} K is not below the critical temperature, {tc_k:.2} K: there is no liquid"
                    ));
                }
                let tau = 1.0 - t_k / tc_k;
                Ok(rhoc_kg_m3 + a * tau.powf(0.35) + b * tau.powf(2.0 / 3.0) + c * tau + d * tau.powf(4.0 / 3.0))
            }
        }
    }
}

/// Which levels of concern a release's zones are drawn at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSet {
    /// AEGL-3, -2, -1 for 60 minutes (US EPA): a toxic cloud.
    Aegl60,
    /// ERPG-3, -2, -1 (AIHA): a toxic cloud.
    Erpg,
    /// The lower explosive limit and half of it: where a flammable cloud would burn as a flash
    /// fire, and where pockets above the limit may be (a time-averaged plume understates the
    /// peaks; CCPS's guidelines and ALOHA draw a zone at a fraction of the LEL for that).
    Flammable,
}

impl LevelSet {
    /// Every set, as its name is written.
    pub const ALL: [LevelSet; 3] = [LevelSet::Aegl60, LevelSet::Erpg, LevelSet::Flammable];

    /// The set named `name` (`aegl`, `erpg` or `lel`, any case), or an error that lists them.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("\"{name}\" is not one of aegl, erpg, lel"))
    }

    /// Its name as written in an incident and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelSet::Aegl60 => "aegl",
            LevelSet::Erpg => "erpg",
            LevelSet::Flammable => "lel",
        }
    }

    /// The chemical's levels in this set, most severe first, as (name, ppm); empty where none
    /// is published (no AEGLs, or a chemical that does not burn).
    ///
    /// ```
    /// use parktwin_api::model::{ChemicalTable, LevelSet};
    /// let table: ChemicalTable = serde_json::from_str(include_str!("../../assets/chemicals.json")).unwrap();
    /// // Propane burns from 2.1 % by volume: 21,000 ppm, and half of it.
    /// let lel = LevelSet::Flammable.levels_ppm(table.get("propane").unwrap());
    /// assert_eq!(lel, vec![("LEL".to_string(), 21_000.0), ("½ LEL".to_string(), 10_500.0)]);
    /// assert!(LevelSet::Flammable.levels_ppm(table.get("chlorine").unwrap()).is_empty());
    /// assert_eq!(LevelSet::parse("AEGL"), Ok(LevelSet::Aegl60));
    /// ```
    pub fn levels_ppm(self, chem: &Chemical) -> Vec<(String, f64)> {
        let published = |prefix: &str, values: [Option<f64>; 3]| -> Vec<(String, f64)> {
            (0..3)
                .rev()
                .filter_map(|i| values[i].map(|ppm| (format!("{prefix}-{}", i + 1), ppm)))
                .collect()
        };
        match self {
            LevelSet::Aegl60 => published("AEGL", chem.aegl_60min_ppm),
            LevelSet::Erpg => published("ERPG", chem.erpg_ppm),
            LevelSet::Flammable => chem
                .lel_vol_pct
                .map(|pct| vec![("LEL".to_string(), pct * 1e4), ("½ LEL".to_string(), pct * 0.5e4)])
                .unwrap_or_default(),
        }
    }

    /// [`LevelSet::levels_ppm`], or why there are none: the words the server, the form and
    /// the command line all refuse with.
    pub fn required_ppm(self, chem: &Chemical) -> Result<Vec<(String, f64)>, String> {
        let levels = self.levels_ppm(chem);
        if !levels.is_empty() {
            return Ok(levels);
        }
        Err(match self {
            LevelSet::Flammable => format!("{} does not burn: it has no lower explosive limit", chem.name),
            _ => format!("{} has no published {} levels", chem.name, self.as_str().to_uppercase()),
        })
    }
}

/// The chemical table with the sources its numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChemicalTable {
    /// Where each column's numbers come from.
    pub sources: Vec<String>,
    /// The chemicals.
    pub chemicals: Vec<Chemical>,
}

impl ChemicalTable {
    /// The chemical named `name` (English name or CAS number).
    pub fn get(&self, name: &str) -> Option<&Chemical> {
        self.chemicals
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name) || c.cas == name)
    }

    /// [`ChemicalTable::get`], or an error that says what the table has.
    pub fn find(&self, name: &str) -> Result<&Chemical, String> {
        self.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.chemicals.iter().map(|c| c.name.as_str()).collect();
            format!("\"{name}\" is not in the chemical table; it has: {}", known.join(", "))
        })
    }
}
