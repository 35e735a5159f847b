//! Probits: the share of people (or buildings, or windows) an exposure harms.
//!
//! A probit `Y = k₁ + k₂ ln V` turns the causative variable `V` of an exposure — a thermal
//! dose, a peak overpressure, a toxic load — into a normally distributed variable of mean 5 and
//! standard deviation 1, so that the share harmed is
//!
//! ```text
//! P = 50 [1 + ((Y − 5) / |Y − 5|) erf(|Y − 5| / √2)]      per cent
//! ```
//!
//! (Crowl & Louvar, *Chemical Process Safety: Fundamentals with Applications*, 3rd ed., 2011,
//! §2-5, eq. 2-4, and Table 2-5 for the constants below, which it takes from CCPS, *Guidelines
//! for Consequence Analysis of Chemical Releases*, 1999, and Eisenberg et al. 1975).
//!
//! A probit is a fit to incidents and animal data: the shares are for planning, not
//! predictions for one person.

use crate::{InputError, bisect, positive};

/// A probit relation `Y = k₁ + k₂ ln V`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Probit {
    /// What it predicts, in words.
    pub effect: &'static str,
    /// k₁.
    pub k1: f64,
    /// k₂.
    pub k2: f64,
    /// What `V` is, in words, with its units.
    pub variable: &'static str,
}

impl Probit {
    /// The probit of causative variable `v`.
    pub fn probit(&self, v: f64) -> Result<f64, InputError> {
        Ok(self.k1 + self.k2 * positive("causative_variable", v)?.ln())
    }

    /// The share harmed by causative variable `v`, 0 to 1.
    ///
    /// ```
    /// use parktwin_consequence::effects::probit::LUNG_HAEMORRHAGE_DEATHS;
    /// // Half die of lung haemorrhage where Y = 5: p = exp((5 + 77.1) / 6.91) = 144.5 kPa.
    /// let half = ((5.0 + 77.1) / 6.91_f64).exp();
    /// assert!((LUNG_HAEMORRHAGE_DEATHS.share(half).unwrap() - 0.5).abs() < 1e-12);
    /// assert!(LUNG_HAEMORRHAGE_DEATHS.share(10_000.0).unwrap() < 1e-6);
    /// ```
    pub fn share(&self, v: f64) -> Result<f64, InputError> {
        Ok(share_of_probit(self.probit(v)?))
    }

    /// The causative variable at which the share harmed is `share` (0 to 1, exclusive): the
    /// inverse of [`Probit::share`].
    pub fn variable_for_share(&self, share: f64) -> Result<f64, InputError> {
        if !(share > 0.0 && share < 1.0) {
            return Err(InputError::new(
                "share",
                format!("must lie strictly between 0 and 1, not {share}"),
            ));
        }
        Ok(((probit_of_share(share) - self.k1) / self.k2).exp())
    }
}

/// The share harmed at probit `y`, 0 to 1: the standard normal distribution at `y − 5`.
///
/// ```
/// use parktwin_consequence::effects::probit::share_of_probit;
/// // Crowl & Louvar Table 2-4: a probit of 5 is 50 %, 6.28 is 90 %, 2.67 is 1 %.
/// assert!((share_of_probit(5.0) - 0.5).abs() < 1e-12);
/// assert!((share_of_probit(6.28) - 0.90).abs() < 0.001);
/// assert!((share_of_probit(2.67) - 0.01).abs() < 0.0005);
/// ```
pub fn share_of_probit(y: f64) -> f64 {
    0.5 * (1.0 + libm::erf((y - 5.0) / std::f64::consts::SQRT_2))
}

/// The probit at which the share harmed is `share` (0 to 1, exclusive): the inverse of
/// [`share_of_probit`], by bisection (the share rises with the probit).
pub fn probit_of_share(share: f64) -> f64 {
    bisect(-5.0, 15.0, |y| share_of_probit(y) < share)
}

/// The thermal dose of `flux_w_m2` for `seconds`: `t I^(4/3) / 10⁴`, with I in W/m² and t in
/// s, the causative variable of the burn probits.
pub fn thermal_dose(flux_w_m2: f64, seconds: f64) -> f64 {
    seconds * flux_w_m2.powf(4.0 / 3.0) / 1e4
}

/// Deaths from burns (Eisenberg et al. 1975): `V = t I^(4/3) / 10⁴`, t in s, I in W/m²
/// (Crowl & Louvar Table 2-5, "burn deaths from flash fire").
pub const BURN_DEATHS: Probit = Probit {
    effect: "deaths from burns",
    k1: -14.9,
    k2: 2.56,
    variable: "thermal dose t·I^(4/3)/10⁴, t in s, I in W/m²",
};

/// Deaths from lung haemorrhage: `V` the peak overpressure, Pa (Crowl & Louvar Table 2-5).
pub const LUNG_HAEMORRHAGE_DEATHS: Probit = Probit {
    effect: "deaths from lung haemorrhage",
    k1: -77.1,
    k2: 6.91,
    variable: "peak overpressure, Pa",
};

/// Eardrums ruptured: `V` the peak overpressure, Pa (Crowl & Louvar Table 2-5).
pub const EARDRUM_RUPTURES: Probit = Probit {
    effect: "eardrums ruptured",
    k1: -15.6,
    k2: 1.93,
    variable: "peak overpressure, Pa",
};

/// Structures damaged: `V` the peak overpressure, Pa (Crowl & Louvar Table 2-5).
pub const STRUCTURAL_DAMAGE: Probit = Probit {
    effect: "structures damaged",
    k1: -23.8,
    k2: 2.92,
    variable: "peak overpressure, Pa",
};

/// Windows broken: `V` the peak overpressure, Pa (Crowl & Louvar Table 2-5).
pub const GLASS_BREAKAGE: Probit = Probit {
    effect: "windows broken",
    k1: -18.1,
    k2: 2.79,
    variable: "peak overpressure, Pa",
};

/// A probit for deaths from breathing a toxic gas: `Y = a + b ln(Cⁿ t)`, C in ppm, t in minutes
/// (a constant concentration; for one that varies, the sum of `Cⁿ Δt` over the exposure).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ToxicProbit {
    /// The chemical, by the chemical table's English name.
    pub chemical: &'static str,
    /// `a` and `b` of the probit, its causative variable the toxic load `Σ Cⁿ t`.
    pub deaths: Probit,
    /// n, the concentration's exponent.
    pub n: f64,
    /// Where the constants come from.
    pub source: &'static str,
}

impl ToxicProbit {
    /// The share killed by `ppm` breathed for `minutes`, 0 to 1.
    pub fn share(&self, ppm: f64, minutes: f64) -> Result<f64, InputError> {
        let c = positive("ppm", ppm)?;
        let t = positive("minutes", minutes)?;
        Ok(self.share_of_load(c.powf(self.n) * t))
    }

    /// The share killed by a toxic load `Σ Cⁿ Δt` (ppm^n · min), 0 to 1; none by no load.
    pub fn share_of_load(&self, load: f64) -> f64 {
        self.deaths.share(load).unwrap_or(0.0)
    }

    /// The concentration that kills `share` of those who breathe it for `minutes`, ppm.
    ///
    /// ```
    /// use parktwin_consequence::effects::probit::toxic_deaths;
    /// // Withers & Lees's chlorine probit: half die at 250 ppm breathed for 30 minutes.
    /// let lc50 = toxic_deaths("chlorine").unwrap().ppm_for_share(0.5, 30.0).unwrap();
    /// assert!((lc50 - 250.0).abs() < 1.0, "{lc50}");
    /// ```
    pub fn ppm_for_share(&self, share: f64, minutes: f64) -> Result<f64, InputError> {
        let t = positive("minutes", minutes)?;
        Ok((self.deaths.variable_for_share(share)? / t).powf(1.0 / self.n))
    }
}

/// The toxic probits this crate carries, where a published one is trusted: the rest of the
/// chemical table has none here yet, and a caller says so rather than guessing.
pub const TOXIC_DEATHS: [ToxicProbit; 10] = [
    ToxicProbit {
        chemical: "chlorine",
        deaths: Probit {
            effect: "deaths from breathing chlorine",
            k1: -8.29,
            k2: 0.92,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 2.0,
        source: "Withers & Lees, \"The lethal toxicity of chlorine, Part 2\", J. Hazardous Materials 12 (1985)",
    },
    ToxicProbit {
        chemical: "ammonia",
        deaths: Probit {
            effect: "deaths from breathing ammonia",
            k1: -35.9,
            k2: 1.85,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 2.0,
        source: "Crowl & Louvar, Chemical Process Safety, 3rd ed., Table 2-5 (after CCPS)",
    },
    ToxicProbit {
        chemical: "hydrogen chloride",
        deaths: Probit {
            effect: "deaths from breathing hydrogen chloride",
            k1: -16.85,
            k2: 2.0,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.0,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "hydrogen fluoride",
        deaths: Probit {
            effect: "deaths from breathing hydrogen fluoride",
            k1: -35.87,
            k2: 3.354,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.0,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "sulfur dioxide",
        deaths: Probit {
            effect: "deaths from breathing sulfur dioxide",
            k1: -15.67,
            k2: 2.1,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.0,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "hydrogen sulfide",
        deaths: Probit {
            effect: "deaths from breathing hydrogen sulfide",
            k1: -31.42,
            k2: 3.008,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.43,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "phosgene",
        deaths: Probit {
            effect: "deaths from breathing phosgene",
            k1: -19.27,
            k2: 3.686,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.0,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "benzene",
        deaths: Probit {
            effect: "deaths from breathing benzene",
            k1: -109.78,
            k2: 5.3,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 2.0,
        source: HSE_OSD_30,
    },
    ToxicProbit {
        chemical: "acrylonitrile",
        deaths: Probit {
            effect: "deaths from breathing acrylonitrile",
            // −8.6 + 1 × 1.3 × ln(53.064 / 24.45): the Purple Book's in mg/m³, in ppm.
            k1: -7.5927,
            k2: 1.0,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.3,
        source: PURPLE_BOOK,
    },
    ToxicProbit {
        chemical: "ethylene oxide",
        deaths: Probit {
            effect: "deaths from breathing ethylene oxide",
            // −6.8 + 1 × 1 × ln(44.053 / 24.45).
            k1: -6.2112,
            k2: 1.0,
            variable: "toxic load Σ Cⁿ t, C in ppm, t in minutes",
        },
        n: 1.0,
        source: PURPLE_BOOK,
    },
];

/// The Dutch guideline for quantitative risk assessment's probits, printed for C in mg/m³; here
/// in ppm, converted at 25 °C and 101.325 kPa (24.45 L/mol, as the AEGLs convert): `a` gains
/// `b n ln(M / 24.45)`.
const PURPLE_BOOK: &str = "TNO Purple Book, CPR 18E (1999), Table 5.2 (C in mg/m³, t in minutes), as transcribed \
                           in Petrolord's engines/hse/consequence.js; converted to ppm at 25 °C";

/// Where the other toxic probits come from: the UK Health and Safety Executive's table of
/// lethality probits (after Lees), in ppm and minutes, printed with the concentrations that kill
/// 1 % and 50 % in 5 and 30 minutes, which the tests check the constants against.
const HSE_OSD_30: &str = "UK HSE, SPC/Tech/OSD/30, Table 2 (probit constants after Lees, C in ppm, t in minutes)";

/// The toxic probit for deaths of `chemical` (the table's English name), if this crate has one.
pub fn toxic_deaths(chemical: &str) -> Option<&'static ToxicProbit> {
    TOXIC_DEATHS.iter().find(|p| p.chemical.eq_ignore_ascii_case(chemical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chlorine_kills_half_at_withers_and_lees_concentrations() {
        // The paper's abstract: the 50 % lethal concentration for a regular population is
        // 433 ppm for 10 minutes and 250 ppm for 30 minutes.
        let chlorine = toxic_deaths("Chlorine").expect("a probit");
        for (minutes, lc50) in [(10.0, 433.0), (30.0, 250.0)] {
            let c = chlorine.ppm_for_share(0.5, minutes).expect("a concentration");
            assert!((c - lc50).abs() < 1.0, "{minutes} min: {c} ppm");
            assert!((chlorine.share(lc50, minutes).expect("a share") - 0.5).abs() < 0.01);
        }
        assert_eq!(toxic_deaths("methanol"), None);
    }

    #[test]
    fn the_purple_books_probits_in_ppm_give_back_its_own_in_mg_m3() {
        // Purple Book Table 5.2's constants, C in mg/m³ (its chlorine row, −6.35, 0.5, 2.75, and
        // ammonia's, −15.6, 1, 2, read the same in the transcription, which is why it is trusted).
        for (chemical, molar_mass, a, b, n) in [
            ("acrylonitrile", 53.064, -8.6, 1.0, 1.3),
            ("ethylene oxide", 44.053, -6.8, 1.0, 1.0),
        ] {
            let p = toxic_deaths(chemical).expect("a probit");
            for (ppm, minutes) in [(100.0, 30.0), (2_000.0, 10.0), (5_000.0, 60.0)] {
                let mg_m3: f64 = ppm * molar_mass / 24.45;
                let y = a + b * (mg_m3.powf(n) * minutes).ln();
                let share = share_of_probit(y);
                let ours = p.share(ppm, minutes).expect("a share");
                assert!(
                    (ours - share).abs() < 1e-4,
                    "{chemical} {ppm} ppm {minutes} min: {ours} {share}"
                );
            }
        }
        // Ethylene oxide kills half in 30 minutes at about 2,470 ppm (4,440 mg/m³).
        let lc50 = toxic_deaths("ethylene oxide")
            .expect("a probit")
            .ppm_for_share(0.5, 30.0)
            .expect("c");
        assert!((lc50 - 2_470.0).abs() < 10.0, "{lc50}");
    }

    #[test]
    fn each_probit_kills_half_where_the_hse_table_says() {
        // HSE SPC/Tech/OSD/30 Table 2 prints, beside each row's constants, the concentrations
        // (ppm) that kill 50 % in 5 and in 30 minutes; the constants must give them back.
        for (chemical, lc50_5, lc50_30) in [
            ("chlorine", 613.0, 250.0),
            ("ammonia", 28_264.0, 11_539.0),
            ("hydrogen chloride", 11_106.0, 1_851.0),
            ("hydrogen fluoride", 39_184.0, 6_531.0),
            ("sulfur dioxide", 3_764.0, 627.0),
            ("hydrogen sulfide", 1_543.0, 441.0),
            ("phosgene", 145.0, 24.0),
            ("benzene", 22_545.0, 9_204.0),
        ] {
            let p = toxic_deaths(chemical).expect("a probit");
            for (minutes, printed) in [(5.0, lc50_5), (30.0, lc50_30)] {
                let c = p.ppm_for_share(0.5, minutes).expect("a concentration");
                assert!(
                    (c / printed - 1.0).abs() < 0.02,
                    "{chemical}, {minutes} min: {c} ppm against {printed}"
                );
            }
        }
    }

    #[test]
    fn the_probit_and_the_share_invert_each_other() {
        for share in [0.01, 0.1, 0.5, 0.9, 0.99] {
            assert!(
                (share_of_probit(probit_of_share(share)) - share).abs() < 1e-12,
                "{share}"
            );
            let p = STRUCTURAL_DAMAGE.variable_for_share(share).expect("a pressure");
            assert!((STRUCTURAL_DAMAGE.share(p).expect("a share") - share).abs() < 1e-9);
        }
        // Finney's table (Crowl & Louvar Table 2-4): 10 % at a probit of 3.72, 99 % at 7.33.
        assert!((probit_of_share(0.10) - 3.72).abs() < 0.005);
        assert!((probit_of_share(0.99) - 7.33).abs() < 0.005);
        assert_eq!(
            STRUCTURAL_DAMAGE.variable_for_share(1.0).expect_err("refused").field,
            "share"
        );
    }

    #[test]
    fn a_harder_blast_or_a_longer_burn_harms_more_and_windows_break_before_lungs() {
        let shares = |p: &Probit, v: &[f64]| v.iter().map(|&x| p.share(x).expect("share")).collect::<Vec<_>>();
        let pressures = [2e3, 5e3, 2e4, 5e4, 1e5, 2e5];
        for probit in [
            GLASS_BREAKAGE,
            STRUCTURAL_DAMAGE,
            EARDRUM_RUPTURES,
            LUNG_HAEMORRHAGE_DEATHS,
        ] {
            let s = shares(&probit, &pressures);
            assert!(
                s.windows(2).all(|w| w[1] >= w[0]) && s[5] > s[0],
                "{}: {s:?}",
                probit.effect
            );
        }
        let half = |p: &Probit| p.variable_for_share(0.5).expect("a pressure");
        assert!(half(&GLASS_BREAKAGE) < half(&STRUCTURAL_DAMAGE));
        assert!(half(&STRUCTURAL_DAMAGE) < half(&EARDRUM_RUPTURES));
        assert!(half(&EARDRUM_RUPTURES) < half(&LUNG_HAEMORRHAGE_DEATHS));
        // ALOHA's red thermal level, 10 kW/m² for 60 s, is "potentially lethal": Eisenberg's
        // probit gives a few per cent; 60 s at 2 kW/m² kills nobody.
        let red = BURN_DEATHS.share(thermal_dose(10e3, 60.0)).expect("a share");
        assert!((0.01..0.2).contains(&red), "{red}");
        assert!(BURN_DEATHS.share(thermal_dose(2e3, 60.0)).expect("a share") < 1e-6);
    }
}
