//! Pasquill–Gifford stability classes and the table that derives them from the weather.

use serde::{Deserialize, Serialize};

/// A Pasquill–Gifford stability class, A (very unstable) to F (moderately stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stability {
    /// Very unstable.
    A,
    /// Unstable.
    B,
    /// Slightly unstable.
    C,
    /// Neutral.
    D,
    /// Slightly stable.
    E,
    /// Moderately stable.
    F,
}

impl Stability {
    /// All classes, A to F.
    pub const ALL: [Stability; 6] = [
        Stability::A,
        Stability::B,
        Stability::C,
        Stability::D,
        Stability::E,
        Stability::F,
    ];

    /// Index 0 (A) to 5 (F).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::str::FromStr for Stability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(Stability::A),
            "B" => Ok(Stability::B),
            "C" => Ok(Stability::C),
            "D" => Ok(Stability::D),
            "E" => Ok(Stability::E),
            "F" => Ok(Stability::F),
            other => Err(format!("stability class \"{other}\" is not one of A, B, C, D, E, F")),
        }
    }
}

impl std::fmt::Display for Stability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Incoming solar radiation by day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Insolation {
    /// Strong (high sun, clear sky).
    Strong,
    /// Moderate.
    Moderate,
    /// Slight (low sun or thick cloud).
    Slight,
}

impl std::str::FromStr for Insolation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strong" => Ok(Insolation::Strong),
            "moderate" => Ok(Insolation::Moderate),
            "slight" => Ok(Insolation::Slight),
            other => Err(format!("insolation \"{other}\" is not one of strong, moderate, slight")),
        }
    }
}

/// The sky, as the Pasquill table reads it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Sky {
    /// Daytime with the given insolation and cloud cover (oktas, 0–8).
    Day {
        /// Solar radiation.
        insolation: Insolation,
        /// Cloud cover, eighths of the sky.
        cloud_oktas: u8,
    },
    /// Night with the given cloud cover (oktas, 0–8).
    Night {
        /// Cloud cover, eighths of the sky.
        cloud_oktas: u8,
    },
}

/// The Pasquill–Gifford class for a 10 m wind speed and sky (Pasquill 1961, as tabulated by
/// Turner 1970, *Workbook of Atmospheric Dispersion Estimates*, Table 1):
///
/// | wind (m/s) | strong | moderate | slight | night ≥4/8 cloud | night ≤3/8 cloud |
/// |---|---|---|---|---|---|
/// | < 2 | A | A–B | B | E | F |
/// | 2–3 | A–B | B | C | E | F |
/// | 3–5 | B | B–C | C | D | E |
/// | 5–6 | C | C–D | D | D | D |
/// | ≥ 6 | C | D | D | D | D |
///
/// An overcast sky (8/8) is D by day or night. Where the table gives two classes (A–B) the more
/// stable one is taken: it gives the longer zones downwind, the side to err on for planning.
/// Turner leaves night below 2 m/s blank; it is taken as E/F like 2–3 m/s.
///
/// ```
/// use parktwin_dispersion::stability::{pasquill_class, Insolation, Sky, Stability};
/// assert_eq!(pasquill_class(1.5, Sky::Night { cloud_oktas: 1 }), Stability::F);
/// assert_eq!(pasquill_class(4.0, Sky::Day { insolation: Insolation::Strong, cloud_oktas: 2 }), Stability::B);
/// ```
pub fn pasquill_class(wind_10m: f64, sky: Sky) -> Stability {
    use Stability::*;
    let band = if wind_10m < 2.0 {
        0
    } else if wind_10m < 3.0 {
        1
    } else if wind_10m < 5.0 {
        2
    } else if wind_10m < 6.0 {
        3
    } else {
        4
    };
    match sky {
        Sky::Day { cloud_oktas, .. } | Sky::Night { cloud_oktas } if cloud_oktas >= 8 => D,
        Sky::Day { insolation, .. } => {
            let col = match insolation {
                Insolation::Strong => [A, B, B, C, C],
                Insolation::Moderate => [B, B, C, D, D],
                Insolation::Slight => [B, C, C, D, D],
            };
            col[band]
        }
        Sky::Night { cloud_oktas } => {
            let col = if cloud_oktas >= 4 {
                [E, E, D, D, D]
            } else {
                [F, F, E, D, D]
            };
            col[band]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_corners() {
        let day = |i, w| {
            pasquill_class(
                w,
                Sky::Day {
                    insolation: i,
                    cloud_oktas: 3,
                },
            )
        };
        assert_eq!(day(Insolation::Strong, 1.0), Stability::A);
        assert_eq!(day(Insolation::Slight, 7.0), Stability::D);
        assert_eq!(day(Insolation::Moderate, 4.0), Stability::C);
        assert_eq!(pasquill_class(2.5, Sky::Night { cloud_oktas: 5 }), Stability::E);
        assert_eq!(pasquill_class(2.5, Sky::Night { cloud_oktas: 2 }), Stability::F);
        assert_eq!(
            pasquill_class(
                1.0,
                Sky::Day {
                    insolation: Insolation::Strong,
                    cloud_oktas: 8
                }
            ),
            Stability::D
        );
        assert!("G".parse::<Stability>().is_err());
    }
}
