//! Dispersion coefficients σy and σz as functions of downwind distance.
//!
//! - Briggs (1973) open-country and urban, as tabulated by Hanna, Briggs and Hosker (1982),
//!   *Handbook on Atmospheric Diffusion*, Table 4.1 (x in metres, σ in metres; 100 m–10 km).
//! - ISC3 rural Pasquill–Gifford: US EPA (1995), *User's Guide for the Industrial Source Complex
//!   (ISC3) Dispersion Models*, Vol. II, Eqs. 1-34 and 1-35 with Tables 1-1 and 1-2 (x in km).

use serde::{Deserialize, Serialize};

use crate::stability::Stability;

/// Which set of σ curves to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SigmaSet {
    /// Briggs (1973) open-country.
    BriggsRural,
    /// Briggs (1973) urban (McElroy–Pooler).
    BriggsUrban,
    /// ISC3 rural Pasquill–Gifford.
    Isc3Rural,
}

impl std::str::FromStr for SigmaSet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "briggs-rural" => Ok(SigmaSet::BriggsRural),
            "briggs-urban" => Ok(SigmaSet::BriggsUrban),
            "isc3-rural" => Ok(SigmaSet::Isc3Rural),
            other => Err(format!(
                "sigma set \"{other}\" is not one of briggs-rural, briggs-urban, isc3-rural"
            )),
        }
    }
}

/// Smallest distance the curves are evaluated at, metres (they vanish at the source).
pub const MIN_DISTANCE: f64 = 1.0;

/// σy and σz (metres) at `x` metres downwind.
///
/// ```
/// use parktwin_dispersion::{sigma::{sigmas, SigmaSet}, stability::Stability};
/// let (sy, sz) = sigmas(SigmaSet::BriggsRural, Stability::D, 1000.0);
/// assert!((sy - 0.08 * 1000.0 / 1.1f64.sqrt()).abs() < 1e-9);
/// assert!((sz - 0.06 * 1000.0 / 2.5f64.sqrt()).abs() < 1e-9);
/// ```
pub fn sigmas(set: SigmaSet, class: Stability, x: f64) -> (f64, f64) {
    let x = x.max(MIN_DISTANCE);
    match set {
        SigmaSet::BriggsRural => briggs_rural(class, x),
        SigmaSet::BriggsUrban => briggs_urban(class, x),
        SigmaSet::Isc3Rural => (isc3_sigma_y(class, x), isc3_sigma_z(class, x)),
    }
}

fn briggs_rural(c: Stability, x: f64) -> (f64, f64) {
    use Stability::*;
    let ky = [0.22, 0.16, 0.11, 0.08, 0.06, 0.04][c.index()];
    let sy = ky * x / (1.0 + 0.0001 * x).sqrt();
    let sz = match c {
        A => 0.20 * x,
        B => 0.12 * x,
        C => 0.08 * x / (1.0 + 0.0002 * x).sqrt(),
        D => 0.06 * x / (1.0 + 0.0015 * x).sqrt(),
        E => 0.03 * x / (1.0 + 0.0003 * x),
        F => 0.016 * x / (1.0 + 0.0003 * x),
    };
    (sy, sz)
}

fn briggs_urban(c: Stability, x: f64) -> (f64, f64) {
    use Stability::*;
    match c {
        A | B => (
            0.32 * x / (1.0 + 0.0004 * x).sqrt(),
            0.24 * x * (1.0 + 0.001 * x).sqrt(),
        ),
        C => (0.22 * x / (1.0 + 0.0004 * x).sqrt(), 0.20 * x),
        D => (
            0.16 * x / (1.0 + 0.0004 * x).sqrt(),
            0.14 * x / (1.0 + 0.0003 * x).sqrt(),
        ),
        E | F => (
            0.11 * x / (1.0 + 0.0004 * x).sqrt(),
            0.08 * x / (1.0 + 0.0015 * x).sqrt(),
        ),
    }
}

/// ISC3 Eq. 1-34: σy = 465.11628 · x · tan(TH), TH = 0.017453293 · (c − d · ln x), x in km.
fn isc3_sigma_y(c: Stability, x_m: f64) -> f64 {
    let x = x_m / 1000.0;
    let (cc, d) = [
        (24.1670, 2.5334),
        (18.3330, 1.8096),
        (12.5000, 1.0857),
        (8.3330, 0.72382),
        (6.2500, 0.54287),
        (4.1667, 0.36191),
    ][c.index()];
    let th = 0.017_453_293 * (cc - d * x.ln());
    465.116_28 * x * th.tan()
}

/// ISC3 Eq. 1-35 with Table 1-2: σz = a · x^b (x in km), a and b by class and distance band;
/// σz is capped at 5000 m.
fn isc3_sigma_z(c: Stability, x_m: f64) -> f64 {
    use Stability::*;
    let x = x_m / 1000.0;
    // (upper limit of the band in km, a, b)
    let table: &[(f64, f64, f64)] = match c {
        A => &[
            (0.10, 122.800, 0.94470),
            (0.15, 158.080, 1.05420),
            (0.20, 170.220, 1.09320),
            (0.25, 179.520, 1.12620),
            (0.30, 217.410, 1.26440),
            (0.40, 258.890, 1.40940),
            (0.50, 346.750, 1.72830),
            (3.11, 453.850, 2.11660),
        ],
        B => &[
            (0.20, 90.673, 0.93198),
            (0.40, 98.483, 0.98332),
            (f64::MAX, 109.300, 1.09710),
        ],
        C => &[(f64::MAX, 61.141, 0.91465)],
        D => &[
            (0.30, 34.459, 0.86974),
            (1.00, 32.093, 0.81066),
            (3.00, 32.093, 0.64403),
            (10.00, 33.504, 0.60486),
            (30.00, 36.650, 0.56589),
            (f64::MAX, 44.053, 0.51179),
        ],
        E => &[
            (0.10, 24.260, 0.83660),
            (0.30, 23.331, 0.81956),
            (1.00, 21.628, 0.75660),
            (2.00, 21.628, 0.63077),
            (4.00, 22.534, 0.57154),
            (10.00, 24.703, 0.50527),
            (20.00, 26.970, 0.46713),
            (40.00, 35.420, 0.37615),
            (f64::MAX, 47.618, 0.29592),
        ],
        F => &[
            (0.20, 15.209, 0.81558),
            (0.70, 14.457, 0.78407),
            (1.00, 13.953, 0.68465),
            (2.00, 13.953, 0.63227),
            (3.00, 14.823, 0.54503),
            (7.00, 16.187, 0.46490),
            (15.00, 17.836, 0.41507),
            (30.00, 22.651, 0.32681),
            (60.00, 27.074, 0.27436),
            (f64::MAX, 34.219, 0.21716),
        ],
    };
    match table.iter().find(|(upper, ..)| x <= *upper) {
        Some((_, a, b)) => (a * x.powf(*b)).min(5000.0),
        None => 5000.0, // class A beyond 3.11 km
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stability::*;

    fn near(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn briggs_rural_against_the_published_coefficients() {
        // Hand-evaluated from Hanna et al. (1982) Table 4.1 at 500 m, 2 km and 8 km.
        let cases = [
            (A, 500.0, 0.22 * 500.0 / 1.05f64.sqrt(), 0.20 * 500.0),
            (C, 2000.0, 0.11 * 2000.0 / 1.2f64.sqrt(), 0.08 * 2000.0 / 1.4f64.sqrt()),
            (E, 8000.0, 0.06 * 8000.0 / 1.8f64.sqrt(), 0.03 * 8000.0 / 3.4),
            (F, 2000.0, 0.04 * 2000.0 / 1.2f64.sqrt(), 0.016 * 2000.0 / 1.6),
        ];
        for (c, x, sy, sz) in cases {
            let (y, z) = sigmas(SigmaSet::BriggsRural, c, x);
            assert!(
                near(y, sy, 1e-12) && near(z, sz, 1e-12),
                "{c} at {x}: {y},{z} vs {sy},{sz}"
            );
        }
    }

    #[test]
    fn briggs_urban_against_the_published_coefficients() {
        let (y, z) = sigmas(SigmaSet::BriggsUrban, B, 1000.0);
        assert!(near(y, 0.32 * 1000.0 / 1.4f64.sqrt(), 1e-12) && near(z, 0.24 * 1000.0 * 2f64.sqrt(), 1e-12));
        let (y, z) = sigmas(SigmaSet::BriggsUrban, F, 3000.0);
        assert!(near(y, 0.11 * 3000.0 / 2.2f64.sqrt(), 1e-12) && near(z, 0.08 * 3000.0 / 5.5f64.sqrt(), 1e-12));
    }

    #[test]
    fn isc3_rural_against_tabulated_values() {
        // Values worked from ISC3 Vol. II Eqs. 1-34/1-35 (x = 1 km: ln x = 0, so TH = c degrees).
        let (y, z) = sigmas(SigmaSet::Isc3Rural, D, 1000.0);
        assert!(near(y, 465.11628 * (8.3330f64).to_radians().tan(), 1e-6), "{y}");
        assert!(near(z, 32.093, 1e-9), "{z}");
        // F at 500 m: σz = 14.457 · 0.5^0.78407.
        assert!(near(
            sigmas(SigmaSet::Isc3Rural, F, 500.0).1,
            14.457 * 0.5f64.powf(0.78407),
            1e-9
        ));
        // The familiar chart values: D at 1 km is about 68 m across-wind and 32 m vertical.
        assert!(near(y, 68.1, 0.01));
        // Class A is capped at 5 km vertical beyond 3.11 km.
        assert_eq!(sigmas(SigmaSet::Isc3Rural, A, 4000.0).1, 5000.0);
    }

    #[test]
    fn sigmas_grow_with_distance_and_shrink_with_stability() {
        for set in [SigmaSet::BriggsRural, SigmaSet::BriggsUrban, SigmaSet::Isc3Rural] {
            for c in Stability::ALL {
                let (a, b) = (sigmas(set, c, 200.0), sigmas(set, c, 2000.0));
                assert!(b.0 > a.0 && b.1 > a.1, "{set:?} {c}");
            }
            assert!(sigmas(set, A, 1000.0).0 > sigmas(set, F, 1000.0).0);
        }
    }
}
