//! The Gaussian plume and Gaussian puffs: the straightforward reference evaluation.
//!
//! Units: kg, kg/s, m, m/s, s; concentrations come out in mg/m³. Positions are metres east and
//! north of the release point; heights in metres above ground.

use std::f64::consts::PI;

use crate::sigma::{SigmaSet, sigmas};
use crate::stability::Stability;
use crate::wind::{along_across, downwind_unit, speed_at};

/// The atmosphere a release disperses in.
#[derive(Debug, Clone, PartialEq)]
pub struct Atmosphere {
    /// Wind speed, m/s, measured at `wind_height`.
    pub wind_speed: f64,
    /// Where the wind comes from, degrees (270 = from the west).
    pub wind_from_deg: f64,
    /// Height the wind was measured at, m (10 for a standard mast).
    pub wind_height: f64,
    /// Pasquill–Gifford class.
    pub stability: Stability,
    /// Which σ curves.
    pub sigmas: SigmaSet,
    /// Height of the mixing layer, m, if the plume is to reflect off it.
    pub mixing_height: Option<f64>,
}

impl Atmosphere {
    /// Wind speed at a height, by the power law (urban exponents with the urban σ set).
    pub fn speed_at(&self, height: f64) -> f64 {
        speed_at(
            self.wind_speed,
            self.wind_height,
            height,
            self.stability,
            self.sigmas == SigmaSet::BriggsUrban,
        )
    }
}

/// The vertical term of the Gaussian kernel for a receptor at `z` and a source at `h`, with
/// reflection at the ground and, given a mixing height `l`, at its lid (three image pairs; once
/// σz exceeds 1.6 l the layer is taken as well mixed).
pub fn vertical_term(z: f64, h: f64, sz: f64, mixing: Option<f64>) -> f64 {
    let g = |d: f64| (-d * d / (2.0 * sz * sz)).exp();
    match mixing {
        None => g(z - h) + g(z + h),
        Some(l) if sz > 1.6 * l => (2.0 * PI).sqrt() * sz / l,
        Some(l) => (-3..=3)
            .map(|n| g(z - h + 2.0 * n as f64 * l) + g(z + h + 2.0 * n as f64 * l))
            .sum(),
    }
}

/// A continuous release at a steady rate: the steady-state Gaussian plume.
#[derive(Debug, Clone, PartialEq)]
pub struct Plume {
    /// Release rate, kg/s.
    pub rate_kg_s: f64,
    /// Release height, m.
    pub height: f64,
    /// The atmosphere.
    pub atmosphere: Atmosphere,
}

impl Plume {
    /// Concentration (mg/m³) at a point, metres east/north of the source and `z` above ground.
    ///
    /// C = Q / (2π u σy σz) · exp(−y² / 2σy²) · [exp(−(z−H)² / 2σz²) + exp(−(z+H)² / 2σz²)]
    pub fn concentration(&self, east: f64, north: f64, z: f64) -> f64 {
        let (x, y) = along_across(east, north, self.atmosphere.wind_from_deg);
        if x <= 0.0 {
            return 0.0;
        }
        let a = &self.atmosphere;
        let u = a.speed_at(self.height);
        let (sy, sz) = sigmas(a.sigmas, a.stability, x);
        self.rate_kg_s * 1e6 / (2.0 * PI * u * sy * sz)
            * (-y * y / (2.0 * sy * sy)).exp()
            * vertical_term(z, self.height, sz, a.mixing_height)
    }
}

/// One Gaussian puff at some moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Puff {
    /// Mass in the puff, kg.
    pub mass_kg: f64,
    /// Centre, metres east of the source.
    pub east: f64,
    /// Centre, metres north of the source.
    pub north: f64,
    /// Height of the centre, m.
    pub height: f64,
    /// Distance travelled since release, m: the puff's σ come from the chosen set at this
    /// distance, and σx = σy.
    pub travelled: f64,
}

impl Puff {
    /// Concentration (mg/m³) of this puff at a point.
    ///
    /// C = M / ((2π)^{3/2} σy² σz) · exp(−r² / 2σy²) · [vertical term], r the horizontal
    /// distance from the centre (σx = σy).
    pub fn concentration(
        &self,
        set: SigmaSet,
        class: Stability,
        mixing: Option<f64>,
        east: f64,
        north: f64,
        z: f64,
    ) -> f64 {
        let (sy, sz) = sigmas(set, class, self.travelled);
        let r2 = (east - self.east).powi(2) + (north - self.north).powi(2);
        self.mass_kg * 1e6 / ((2.0 * PI).powf(1.5) * sy * sy * sz)
            * (-r2 / (2.0 * sy * sy)).exp()
            * vertical_term(z, self.height, sz, mixing)
    }
}

/// A change of wind during an incident: from `at_s` seconds on, this speed and direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindChange {
    /// Seconds after the release starts.
    pub at_s: f64,
    /// Speed at the atmosphere's wind height, m/s.
    pub speed: f64,
    /// Where the wind comes from, degrees.
    pub from_deg: f64,
}

/// A release as a train of puffs: instantaneous (one puff), or a rate over time cut into puffs;
/// each puff is carried by the wind of each moment after its release.
#[derive(Debug, Clone, PartialEq)]
pub struct PuffTrain {
    /// Release height, m.
    pub height: f64,
    /// The atmosphere at the start (its wind until the first change).
    pub atmosphere: Atmosphere,
    /// Wind changes, in time order.
    pub wind_changes: Vec<WindChange>,
    /// The puffs' release times (s) and masses (kg).
    pub releases: Vec<(f64, f64)>,
}

impl PuffTrain {
    /// All of `mass_kg` released at once at time 0.
    pub fn instantaneous(mass_kg: f64, height: f64, atmosphere: Atmosphere) -> Self {
        Self {
            height,
            atmosphere,
            wind_changes: Vec::new(),
            releases: vec![(0.0, mass_kg)],
        }
    }

    /// `rate_kg_s` from time 0 for `duration_s`, cut into `puffs` puffs of equal mass released
    /// at the middle of their slices.
    pub fn continuous(rate_kg_s: f64, duration_s: f64, puffs: usize, height: f64, atmosphere: Atmosphere) -> Self {
        let n = puffs.max(1);
        let dt = duration_s / n as f64;
        let releases = (0..n).map(|k| ((k as f64 + 0.5) * dt, rate_kg_s * dt)).collect();
        Self {
            height,
            atmosphere,
            wind_changes: Vec::new(),
            releases,
        }
    }

    /// The wind (speed at release height, from-direction) in force at time `t`.
    fn wind_at(&self, t: f64) -> (f64, f64) {
        let (mut speed, mut from) = (self.atmosphere.wind_speed, self.atmosphere.wind_from_deg);
        for c in self.wind_changes.iter().take_while(|c| c.at_s <= t) {
            speed = c.speed;
            from = c.from_deg;
        }
        let a = &self.atmosphere;
        (
            speed_at(
                speed,
                a.wind_height,
                self.height,
                a.stability,
                a.sigmas == SigmaSet::BriggsUrban,
            ),
            from,
        )
    }

    /// The puffs in the air at time `t` (released at or before `t`).
    pub fn puffs_at(&self, t: f64) -> Vec<Puff> {
        let mut cuts: Vec<f64> = self.wind_changes.iter().map(|c| c.at_s).collect();
        cuts.sort_by(f64::total_cmp);
        self.releases
            .iter()
            .filter(|(t0, _)| *t0 <= t)
            .map(|&(t0, mass)| {
                let (mut e, mut n, mut s) = (0.0, 0.0, 0.0);
                let mut from_t = t0;
                for &cut in cuts.iter().filter(|c| **c > t0 && **c < t).chain(std::iter::once(&t)) {
                    let (u, dir) = self.wind_at(from_t);
                    let (dx, dy) = downwind_unit(dir);
                    let dt = cut - from_t;
                    e += dx * u * dt;
                    n += dy * u * dt;
                    s += u * dt;
                    from_t = cut;
                }
                Puff {
                    mass_kg: mass,
                    east: e,
                    north: n,
                    height: self.height,
                    travelled: s,
                }
            })
            .collect()
    }

    /// Concentration (mg/m³) at a point at time `t`.
    pub fn concentration(&self, t: f64, east: f64, north: f64, z: f64) -> f64 {
        let a = &self.atmosphere;
        self.puffs_at(t)
            .iter()
            .map(|p| p.concentration(a.sigmas, a.stability, a.mixing_height, east, north, z))
            .sum()
    }

    /// Concentration (mg/m³) and cumulative dose (mg·min/m³) at a point, every `step_s`
    /// seconds from 0 to `until_s`: the "threat at a point".
    pub fn threat_at_point(&self, east: f64, north: f64, z: f64, until_s: f64, step_s: f64) -> Vec<ThreatSample> {
        threat_series(until_s, step_s, |t| {
            Ok::<_, std::convert::Infallible>(self.concentration(t, east, north, z))
        })
        .unwrap_or_else(|e| match e {})
    }
}

/// Concentration `at(t)` every `step_s` from 0 to `until_s`, with the dose accumulated by the
/// trapezoid rule (mg·min/m³): the threat at a point, whatever model gives the concentration.
pub fn threat_series<E>(
    until_s: f64,
    step_s: f64,
    mut at: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<ThreatSample>, E> {
    let mut out = Vec::new();
    let mut dose = 0.0;
    let mut prev = 0.0;
    let steps = (until_s / step_s).ceil().max(0.0) as usize;
    for k in 0..=steps {
        let t = (k as f64 * step_s).min(until_s);
        let c = at(t)?;
        if k > 0 {
            dose += (prev + c) / 2.0 * step_s / 60.0;
        }
        prev = c;
        out.push(ThreatSample {
            t_s: t,
            mg_m3: c,
            dose_mg_min_m3: dose,
        });
    }
    Ok(out)
}

/// One sample of the threat at a point.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ThreatSample {
    /// Seconds after the release started.
    pub t_s: f64,
    /// Concentration, mg/m³.
    pub mg_m3: f64,
    /// Dose so far, mg·min/m³.
    pub dose_mg_min_m3: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atm(class: Stability, set: SigmaSet) -> Atmosphere {
        Atmosphere {
            wind_speed: 3.0,
            wind_from_deg: 270.0,
            wind_height: 10.0,
            stability: class,
            sigmas: set,
            mixing_height: None,
        }
    }

    #[test]
    fn plume_is_symmetric_across_the_wind_and_zero_upwind() {
        let p = Plume {
            rate_kg_s: 1.0,
            height: 2.0,
            atmosphere: atm(Stability::D, SigmaSet::BriggsRural),
        };
        for x in [100.0, 500.0, 2000.0] {
            for y in [10.0, 50.0, 120.0] {
                let (a, b) = (p.concentration(x, y, 0.0), p.concentration(x, -y, 0.0));
                assert!((a - b).abs() <= 1e-12 * a.max(1e-30), "{x},{y}");
            }
        }
        assert_eq!(p.concentration(-100.0, 0.0, 0.0), 0.0);
    }

    #[test]
    fn centreline_decays_monotonically_beyond_its_maximum() {
        let p = Plume {
            rate_kg_s: 1.0,
            height: 30.0,
            atmosphere: atm(Stability::C, SigmaSet::Isc3Rural),
        };
        let xs: Vec<f64> = (1..400).map(|i| i as f64 * 25.0).collect();
        let c: Vec<f64> = xs.iter().map(|x| p.concentration(*x, 0.0, 0.0)).collect();
        let imax = c
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        assert!(imax > 0, "an elevated release peaks downwind, not at the source");
        assert!(
            c[imax..].windows(2).all(|w| w[1] <= w[0]),
            "non-monotonic beyond the maximum at {}",
            xs[imax]
        );
    }

    #[test]
    fn ground_level_centreline_matches_the_textbook_formula() {
        // Ground release, ground receptor: C = Q / (π u σy σz).
        let p = Plume {
            rate_kg_s: 2.0,
            height: 0.0,
            atmosphere: atm(Stability::F, SigmaSet::BriggsRural),
        };
        let (sy, sz) = sigmas(SigmaSet::BriggsRural, Stability::F, 1000.0);
        let expected = 2.0e6 / (PI * 3.0 * sy * sz);
        let c = p.concentration(1000.0, 0.0, 0.0);
        assert!((c - expected).abs() < 1e-9 * expected, "{c} vs {expected}");
    }

    #[test]
    fn a_reflected_puff_holds_the_mass_released() {
        // Integrate C over a box around a ground-level puff; the ground reflection doubles the
        // upper half-space, so the integral over z ≥ 0 is the released mass.
        let train = PuffTrain::instantaneous(100.0, 0.0, atm(Stability::D, SigmaSet::BriggsRural));
        let t = 300.0;
        let puff = train.puffs_at(t)[0];
        let (sy, sz) = sigmas(SigmaSet::BriggsRural, Stability::D, puff.travelled);
        let (n, nz) = (120, 80);
        let (hx, hz) = (10.0 * sy / n as f64, 8.0 * sz / nz as f64);
        let mut total = 0.0;
        for i in 0..n {
            for j in 0..n {
                let e = puff.east - 5.0 * sy + (i as f64 + 0.5) * hx;
                let nn = puff.north - 5.0 * sy + (j as f64 + 0.5) * hx;
                for k in 0..nz {
                    let z = (k as f64 + 0.5) * hz;
                    total += train.concentration(t, e, nn, z) * hx * hx * hz;
                }
            }
        }
        let kg = total / 1e6;
        assert!((kg - 100.0).abs() < 0.5, "integrated {kg} kg of 100");
    }

    #[test]
    fn threat_at_a_point_accumulates_the_dose_of_a_passing_puff() {
        // A puff of M kg passing a ground receptor leaves a time-integrated concentration close
        // to that of a steady plume of M kg/s there (exactly so if σ did not grow as it passed).
        let a = atm(Stability::D, SigmaSet::BriggsRural);
        let train = PuffTrain::instantaneous(50.0, 0.0, a.clone());
        let samples = train.threat_at_point(1000.0, 0.0, 0.0, 1200.0, 2.0);
        assert_eq!(samples.first().map(|s| s.t_s), Some(0.0));
        assert_eq!(samples.last().map(|s| s.t_s), Some(1200.0));
        assert!(samples.windows(2).all(|w| w[1].dose_mg_min_m3 >= w[0].dose_mg_min_m3));
        let peak = samples
            .iter()
            .max_by(|x, y| x.mg_m3.total_cmp(&y.mg_m3))
            .map(|s| s.t_s)
            .unwrap_or(0.0);
        assert!(
            (peak - 1000.0 / 3.0).abs() < 10.0,
            "the puff peaks as it arrives at 3 m/s: {peak} s"
        );
        let dose_mg_s = samples.last().map(|s| s.dose_mg_min_m3 * 60.0).unwrap_or(0.0);
        let steady = Plume {
            rate_kg_s: 50.0,
            height: 0.0,
            atmosphere: a,
        }
        .concentration(1000.0, 0.0, 0.0);
        assert!(
            (dose_mg_s - steady).abs() < 0.1 * steady,
            "dose {dose_mg_s} mg·s/m³ vs plume {steady}"
        );
    }

    #[test]
    fn puffs_follow_a_wind_shift() {
        let mut train = PuffTrain::instantaneous(1.0, 10.0, atm(Stability::D, SigmaSet::BriggsRural));
        train.wind_changes.push(WindChange {
            at_s: 100.0,
            speed: 3.0,
            from_deg: 180.0,
        });
        let p = train.puffs_at(200.0)[0];
        // 100 s east at 3 m/s, then 100 s north.
        assert!((p.east - 300.0).abs() < 1e-9 && (p.north - 300.0).abs() < 1e-9, "{p:?}");
        assert!((p.travelled - 600.0).abs() < 1e-9);
    }

    #[test]
    fn puff_is_symmetric_about_its_centre() {
        let train = PuffTrain::instantaneous(10.0, 0.0, atm(Stability::E, SigmaSet::Isc3Rural));
        let p = train.puffs_at(120.0)[0];
        let c = |de: f64, dn: f64| train.concentration(120.0, p.east + de, p.north + dn, 0.0);
        assert!((c(15.0, 4.0) - c(-15.0, -4.0)).abs() < 1e-12 * c(15.0, 4.0));
        assert!((c(0.0, 20.0) - c(0.0, -20.0)).abs() < 1e-12 * c(0.0, 20.0));
    }

    #[test]
    fn a_long_puff_train_approaches_the_steady_plume() {
        let a = atm(Stability::D, SigmaSet::BriggsRural);
        let plume = Plume {
            rate_kg_s: 1.0,
            height: 0.0,
            atmosphere: a.clone(),
        };
        let train = PuffTrain::continuous(1.0, 3600.0, 1800, 0.0, a);
        let (x, t) = (800.0, 3000.0);
        let (cp, ct) = (plume.concentration(x, 0.0, 0.0), train.concentration(t, x, 0.0, 0.0));
        assert!((ct - cp).abs() < 0.03 * cp, "train {ct} vs plume {cp}");
    }
}
