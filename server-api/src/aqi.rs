//! The air quality index of China's HJ 633-2012, *Technical Regulation on Ambient Air Quality
//! Index (on trial)*: each pollutant's individual index (IAQI) from its concentration by the
//! breakpoints of the standard's Table 1, the AQI as the largest IAQI, the primary pollutant(s)
//! when the AQI is over 50, the pollutants over the limit (IAQI over 100), and the six levels
//! of Table 2 with Appendix A's colours.
//!
//! Table 1's notes, as applied here: a 1-hour SO₂ over 800 μg/m³ has no IAQI of its own (its
//! 24-hour one stands in, where given); an 8-hour O₃ over 800 μg/m³ has none (the 1-hour O₃'s
//! stands in). A concentration past the table's top (IAQI 500) is given 500 and marked
//! `beyond` ("爆表"): the standard does not go on. Each IAQI is rounded up to a whole number,
//! as monitoring networks publish it (the 2012 text's wording on rounding could not be
//! checked here; HJ 633-2026 states rounding up explicitly).
//!
//! The breakpoints are the standard's; the same figures are in open implementations
//! (hrbonz/python-aqi `aqi/algos/mep.py`, caiyunapp/aqi-hub), which agree with each other.
//! This is the 2012 edition: HJ 633-2026 (in force from 2026-03-01) changes the particulate
//! breakpoints and is not implemented here.
//!
//! ```
//! use parktwin_api::aqi::{Hourly, Level, Pollutant, hourly};
//! let r = hourly(&Hourly { pm25: Some(64.0), so2: Some(20.0), no2: Some(36.0), ..Default::default() }).unwrap();
//! assert_eq!((r.aqi, r.level), (87, Level::Good)); // PM2.5: 50 + 50 × (64 − 35) / 40 = 86.25, up to 87
//! assert_eq!(r.primary_pollutants, [Pollutant::Pm25]);
//! let clean = hourly(&Hourly { pm25: Some(20.0), no2: Some(30.0), ..Default::default() }).unwrap();
//! assert!(clean.aqi <= 50 && clean.primary_pollutants.is_empty(), "no primary pollutant at 50 or less");
//! ```

use serde::{Deserialize, Serialize};

/// A pollutant of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Pollutant {
    /// Sulphur dioxide, μg/m³.
    #[serde(rename = "SO2")]
    So2,
    /// Nitrogen dioxide, μg/m³.
    #[serde(rename = "NO2")]
    No2,
    /// Particles up to 10 μm, μg/m³.
    #[serde(rename = "PM10")]
    Pm10,
    /// Carbon monoxide, mg/m³.
    #[serde(rename = "CO")]
    Co,
    /// Ozone, μg/m³.
    #[serde(rename = "O3")]
    O3,
    /// Particles up to 2.5 μm, μg/m³.
    #[serde(rename = "PM2.5")]
    Pm25,
}

impl Pollutant {
    /// Its name as the index reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Pollutant::So2 => "SO2",
            Pollutant::No2 => "NO2",
            Pollutant::Pm10 => "PM10",
            Pollutant::Co => "CO",
            Pollutant::O3 => "O3",
            Pollutant::Pm25 => "PM2.5",
        }
    }
}

/// The averaging period a concentration is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// An hour's mean.
    Hour,
    /// The 8-hour moving mean (ozone).
    EightHours,
    /// A day's (24-hour) mean.
    Day,
}

/// The individual indexes Table 1's columns stand for.
const IAQI: [f64; 8] = [0.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 500.0];

/// HJ 633-2012 Table 1: each pollutant's breakpoints by period, for the IAQI of [`IAQI`] (a
/// row shorter than eight ends where the table gives no more: SO₂ 1-hour at 800, O₃ 8-hour at
/// 800). μg/m³, CO mg/m³.
const TABLE: [(Pollutant, Period, &[f64]); 10] = [
    (
        Pollutant::So2,
        Period::Day,
        &[0.0, 50.0, 150.0, 475.0, 800.0, 1600.0, 2100.0, 2620.0],
    ),
    (Pollutant::So2, Period::Hour, &[0.0, 150.0, 500.0, 650.0, 800.0]),
    (
        Pollutant::No2,
        Period::Day,
        &[0.0, 40.0, 80.0, 180.0, 280.0, 565.0, 750.0, 940.0],
    ),
    (
        Pollutant::No2,
        Period::Hour,
        &[0.0, 100.0, 200.0, 700.0, 1200.0, 2340.0, 3090.0, 3840.0],
    ),
    (
        Pollutant::Pm10,
        Period::Day,
        &[0.0, 50.0, 150.0, 250.0, 350.0, 420.0, 500.0, 600.0],
    ),
    (
        Pollutant::Co,
        Period::Day,
        &[0.0, 2.0, 4.0, 14.0, 24.0, 36.0, 48.0, 60.0],
    ),
    (
        Pollutant::Co,
        Period::Hour,
        &[0.0, 5.0, 10.0, 35.0, 60.0, 90.0, 120.0, 150.0],
    ),
    (
        Pollutant::O3,
        Period::Hour,
        &[0.0, 160.0, 200.0, 300.0, 400.0, 800.0, 1000.0, 1200.0],
    ),
    (
        Pollutant::O3,
        Period::EightHours,
        &[0.0, 100.0, 160.0, 215.0, 265.0, 800.0],
    ),
    (
        Pollutant::Pm25,
        Period::Day,
        &[0.0, 35.0, 75.0, 115.0, 150.0, 250.0, 350.0, 500.0],
    ),
];

/// One pollutant's individual index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Iaqi {
    /// The pollutant.
    pub pollutant: Pollutant,
    /// Its index, rounded up.
    pub iaqi: u32,
    /// Past the table's top: 500 is as far as the index goes.
    pub beyond: bool,
}

/// The IAQI of a concentration `c` of `p` averaged over `period` (Table 1, by linear
/// interpolation between the breakpoints around it, HJ 633-2012 formula (1)); `None` where
/// the table gives none (a period the pollutant has no row for, a 1-hour SO₂ or an 8-hour O₃
/// over 800 μg/m³, a negative or non-finite concentration).
///
/// ```
/// use parktwin_api::aqi::{Period, Pollutant, iaqi};
/// assert_eq!(iaqi(Pollutant::Pm25, Period::Day, 75.0).map(|i| i.iaqi), Some(100));
/// assert_eq!(iaqi(Pollutant::Pm25, Period::Day, 75.1).map(|i| i.iaqi), Some(101), "rounded up");
/// assert_eq!(iaqi(Pollutant::So2, Period::Hour, 801.0), None, "the 24-hour SO2 stands in");
/// ```
pub fn iaqi(p: Pollutant, period: Period, c: f64) -> Option<Iaqi> {
    if !c.is_finite() || c < 0.0 {
        return None;
    }
    let (_, _, bp) = TABLE.iter().find(|(q, per, _)| *q == p && *per == period)?;
    let top = *bp.last()?;
    if c > top {
        // A row cut short by a note has no index past its end; a full row ends at 500.
        return (bp.len() == IAQI.len()).then_some(Iaqi {
            pollutant: p,
            iaqi: 500,
            beyond: true,
        });
    }
    let k = bp.windows(2).position(|w| c <= w[1])?;
    let (lo, hi) = (bp[k], bp[k + 1]);
    let value = (IAQI[k + 1] - IAQI[k]) / (hi - lo) * (c - lo) + IAQI[k];
    // Rounded up, less a hair for the floating point's error at a breakpoint (75 μg/m³ of
    // PM2.5 is 100, not 101).
    Some(Iaqi {
        pollutant: p,
        iaqi: (value - 1e-9).ceil().max(0.0) as u32,
        beyond: false,
    })
}

/// The six levels of Table 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 0–50, level I, 优.
    Excellent,
    /// 51–100, level II, 良.
    Good,
    /// 101–150, level III, 轻度污染.
    LightlyPolluted,
    /// 151–200, level IV, 中度污染.
    ModeratelyPolluted,
    /// 201–300, level V, 重度污染.
    HeavilyPolluted,
    /// Over 300, level VI, 严重污染.
    SeverelyPolluted,
}

impl Level {
    /// The level of an AQI (Table 2).
    pub fn of(aqi: u32) -> Level {
        match aqi {
            0..=50 => Level::Excellent,
            51..=100 => Level::Good,
            101..=150 => Level::LightlyPolluted,
            151..=200 => Level::ModeratelyPolluted,
            201..=300 => Level::HeavilyPolluted,
            _ => Level::SeverelyPolluted,
        }
    }

    /// Its category in English and in Chinese (Table 2).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Level::Excellent => ("Excellent", "优"),
            Level::Good => ("Good", "良"),
            Level::LightlyPolluted => ("Lightly polluted", "轻度污染"),
            Level::ModeratelyPolluted => ("Moderately polluted", "中度污染"),
            Level::HeavilyPolluted => ("Heavily polluted", "重度污染"),
            Level::SeverelyPolluted => ("Severely polluted", "严重污染"),
        }
    }

    /// Its colour (Appendix A), sRGB.
    pub fn colour(self) -> [u8; 3] {
        match self {
            Level::Excellent => [0, 228, 0],
            Level::Good => [255, 255, 0],
            Level::LightlyPolluted => [255, 126, 0],
            Level::ModeratelyPolluted => [255, 0, 0],
            Level::HeavilyPolluted => [153, 0, 76],
            Level::SeverelyPolluted => [126, 0, 35],
        }
    }
}

/// An AQI with what it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// The index: the largest IAQI.
    pub aqi: u32,
    /// Its level.
    pub level: Level,
    /// The pollutant(s) whose IAQI is the AQI, only when the AQI is over 50.
    pub primary_pollutants: Vec<Pollutant>,
    /// The pollutants over the limit (IAQI over 100).
    pub over_limit: Vec<Pollutant>,
    /// Each pollutant's IAQI.
    pub iaqi: Vec<Iaqi>,
}

/// The AQI of individual indexes (at most one per pollutant: the highest); `None` when there
/// is none.
fn report(all: Vec<Iaqi>) -> Option<Report> {
    let mut each: Vec<Iaqi> = Vec::new();
    for i in all {
        match each.iter_mut().find(|e| e.pollutant == i.pollutant) {
            Some(e) if e.iaqi < i.iaqi => *e = i,
            Some(_) => {}
            None => each.push(i),
        }
    }
    each.sort_by_key(|i| i.pollutant);
    let aqi = each.iter().map(|i| i.iaqi).max()?;
    Some(Report {
        aqi,
        level: Level::of(aqi),
        primary_pollutants: if aqi > 50 {
            each.iter().filter(|i| i.iaqi == aqi).map(|i| i.pollutant).collect()
        } else {
            Vec::new()
        },
        over_limit: each.iter().filter(|i| i.iaqi > 100).map(|i| i.pollutant).collect(),
        iaqi: each,
    })
}

/// An hour's concentrations at a station (μg/m³, CO mg/m³); a pollutant it does not measure
/// is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Hourly {
    /// SO₂, the hour's mean.
    pub so2: Option<f64>,
    /// SO₂, the last 24 hours' mean: its IAQI where the hour's is over 800 μg/m³.
    pub so2_24h: Option<f64>,
    /// NO₂, the hour's mean.
    pub no2: Option<f64>,
    /// CO, the hour's mean, mg/m³.
    pub co: Option<f64>,
    /// O₃, the hour's mean.
    pub o3: Option<f64>,
    /// PM10, read against the 24-hour breakpoints.
    pub pm10: Option<f64>,
    /// PM2.5, read against the 24-hour breakpoints.
    pub pm25: Option<f64>,
}

/// The hourly AQI: SO₂, NO₂, CO and O₃ by their 1-hour breakpoints, PM10 and PM2.5 by the
/// 24-hour ones; a 1-hour SO₂ over 800 μg/m³ by the 24-hour SO₂ (and left out without it).
pub fn hourly(c: &Hourly) -> Option<Report> {
    let so2 = match c.so2 {
        Some(v) if v > 800.0 => c.so2_24h.and_then(|d| iaqi(Pollutant::So2, Period::Day, d)),
        Some(v) => iaqi(Pollutant::So2, Period::Hour, v),
        None => None,
    };
    let rest = [
        (Pollutant::No2, Period::Hour, c.no2),
        (Pollutant::Co, Period::Hour, c.co),
        (Pollutant::O3, Period::Hour, c.o3),
        (Pollutant::Pm10, Period::Day, c.pm10),
        (Pollutant::Pm25, Period::Day, c.pm25),
    ];
    report(
        so2.into_iter()
            .chain(rest.iter().filter_map(|(p, per, v)| iaqi(*p, *per, (*v)?)))
            .collect(),
    )
}

/// A day's concentrations at a station (μg/m³, CO mg/m³).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Daily {
    /// SO₂, the day's mean.
    pub so2: Option<f64>,
    /// NO₂, the day's mean.
    pub no2: Option<f64>,
    /// CO, the day's mean, mg/m³.
    pub co: Option<f64>,
    /// PM10, the day's mean.
    pub pm10: Option<f64>,
    /// PM2.5, the day's mean.
    pub pm25: Option<f64>,
    /// O₃, the day's highest hourly mean.
    pub o3_1h_max: Option<f64>,
    /// O₃, the day's highest 8-hour moving mean (over 800 μg/m³: left to the hourly one).
    pub o3_8h_max: Option<f64>,
}

/// The daily AQI: the day's means of SO₂, NO₂, CO, PM10 and PM2.5 by the 24-hour breakpoints,
/// O₃ by its highest hour and its highest 8 hours (the larger IAQI of the two).
pub fn daily(c: &Daily) -> Option<Report> {
    let items = [
        (Pollutant::So2, Period::Day, c.so2),
        (Pollutant::No2, Period::Day, c.no2),
        (Pollutant::Co, Period::Day, c.co),
        (Pollutant::Pm10, Period::Day, c.pm10),
        (Pollutant::Pm25, Period::Day, c.pm25),
        (Pollutant::O3, Period::Hour, c.o3_1h_max),
        (Pollutant::O3, Period::EightHours, c.o3_8h_max),
    ];
    report(items.iter().filter_map(|(p, per, v)| iaqi(*p, *per, (*v)?)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(p: Pollutant, per: Period, c: f64) -> u32 {
        iaqi(p, per, c).map_or(u32::MAX, |i| i.iaqi)
    }

    #[test]
    fn every_breakpoint_of_table_1_is_its_iaqi_and_the_next_microgram_rounds_up_past_it() {
        for (p, per, bp) in TABLE {
            for (k, c) in bp.iter().enumerate() {
                assert_eq!(at(p, per, *c), IAQI[k] as u32, "{p:?} {per:?} at {c}");
                if k + 1 < bp.len() {
                    // Just past a breakpoint: into the next band, rounded up.
                    let step = (bp[k + 1] - c) / 1000.0;
                    assert_eq!(at(p, per, c + step), IAQI[k] as u32 + 1, "{p:?} {per:?} just past {c}");
                    // The middle of a band: the middle of its indexes.
                    let mid = (c + bp[k + 1]) / 2.0;
                    assert_eq!(
                        at(p, per, mid),
                        ((IAQI[k] + IAQI[k + 1]) / 2.0).ceil() as u32,
                        "{p:?} {per:?} at {mid}"
                    );
                }
            }
        }
    }

    #[test]
    fn values_between_breakpoints_interpolate_linearly_and_round_up() {
        // PM2.5 64: 50 + (100 − 50) / (75 − 35) × (64 − 35) = 86.25 → 87.
        assert_eq!(at(Pollutant::Pm25, Period::Day, 64.0), 87);
        // NO2 1-hour 450: 100 + 50 / 500 × 250 = 125 exactly.
        assert_eq!(at(Pollutant::No2, Period::Hour, 450.0), 125);
        // CO 1-hour 7.3 mg/m³: 50 + 50 / 5 × 2.3 = 73.
        assert_eq!(at(Pollutant::Co, Period::Hour, 7.3), 73);
        // O3 8-hour 180: 100 + 50 / 55 × 20 = 118.18 → 119.
        assert_eq!(at(Pollutant::O3, Period::EightHours, 180.0), 119);
        // PM10 0.1: 0.1 → 1 (rounded up even near zero); 0 is 0.
        assert_eq!(at(Pollutant::Pm10, Period::Day, 0.1), 1);
        assert_eq!(at(Pollutant::Pm10, Period::Day, 0.0), 0);
    }

    #[test]
    fn the_tables_notes_and_its_top() {
        assert_eq!(iaqi(Pollutant::So2, Period::Hour, 800.0).map(|i| i.iaqi), Some(200));
        assert_eq!(iaqi(Pollutant::So2, Period::Hour, 800.5), None);
        assert_eq!(iaqi(Pollutant::O3, Period::EightHours, 801.0), None);
        let top = iaqi(Pollutant::Pm25, Period::Day, 720.0).expect("an index");
        assert_eq!((top.iaqi, top.beyond), (500, true));
        assert_eq!(iaqi(Pollutant::Pm25, Period::Hour, 50.0), None, "no 1-hour PM row");
        assert_eq!(iaqi(Pollutant::Pm25, Period::Day, -1.0), None);
        assert_eq!(iaqi(Pollutant::Pm25, Period::Day, f64::NAN), None);
        // The hourly AQI takes the 24-hour SO2 for an hour over 800.
        let r = hourly(&Hourly {
            so2: Some(900.0),
            so2_24h: Some(500.0),
            ..Default::default()
        })
        .expect("a report");
        // 24-hour SO2 500: 150 + 50 / 325 × 25 = 153.8 → 154.
        assert_eq!(r.aqi, 154);
        assert!(
            hourly(&Hourly {
                so2: Some(900.0),
                ..Default::default()
            })
            .is_none(),
            "without the day's mean, SO2 over 800 has no index"
        );
    }

    #[test]
    fn the_aqi_is_the_largest_iaqi_with_its_primary_pollutants_only_over_50() {
        let r = hourly(&Hourly {
            so2: Some(20.0),
            no2: Some(36.0),
            pm25: Some(64.0),
            pm10: Some(80.0),
            ..Default::default()
        })
        .expect("a report");
        assert_eq!((r.aqi, r.level), (87, Level::Good));
        assert_eq!(r.primary_pollutants, [Pollutant::Pm25]);
        assert!(r.over_limit.is_empty());
        assert_eq!(r.iaqi.len(), 4);
        // PM10 80: 50 + 50 / 100 × 30 = 65; NO2 1-hour 36: 18; SO2 1-hour 20: 6.67 → 7.
        let of = |p: Pollutant| r.iaqi.iter().find(|i| i.pollutant == p).map(|i| i.iaqi);
        assert_eq!(
            (of(Pollutant::Pm10), of(Pollutant::No2), of(Pollutant::So2)),
            (Some(65), Some(18), Some(7))
        );
        // Two pollutants at the same index: both primary.
        let tie = daily(&Daily {
            pm25: Some(115.0),
            pm10: Some(250.0),
            no2: Some(10.0),
            ..Default::default()
        })
        .expect("a report");
        assert_eq!((tie.aqi, tie.level), (150, Level::LightlyPolluted));
        assert_eq!(tie.primary_pollutants, [Pollutant::Pm10, Pollutant::Pm25]);
        assert_eq!(tie.over_limit, [Pollutant::Pm10, Pollutant::Pm25]);
        // Exactly 50: excellent, and no primary pollutant.
        let fifty = hourly(&Hourly {
            pm25: Some(35.0),
            ..Default::default()
        })
        .expect("a report");
        assert_eq!((fifty.aqi, fifty.level), (50, Level::Excellent));
        assert!(fifty.primary_pollutants.is_empty());
        assert!(hourly(&Hourly::default()).is_none(), "nothing measured, no index");
    }

    #[test]
    fn the_daily_ozone_is_the_larger_of_its_hour_and_eight_hours() {
        // 8-hour 180 → 119; 1-hour 210 → 100 + 50 / 100 × 10 = 105.
        let r = daily(&Daily {
            o3_1h_max: Some(210.0),
            o3_8h_max: Some(180.0),
            ..Default::default()
        })
        .expect("a report");
        assert_eq!((r.aqi, r.primary_pollutants.as_slice()), (119, &[Pollutant::O3][..]));
        // Over 800 over 8 hours: the hour's stands alone.
        let r = daily(&Daily {
            o3_1h_max: Some(900.0),
            o3_8h_max: Some(850.0),
            ..Default::default()
        })
        .expect("a report");
        // 1-hour 900: 300 + 100 / 200 × 100 = 350.
        assert_eq!((r.aqi, r.level), (350, Level::SeverelyPolluted));
    }

    #[test]
    fn table_2s_levels_meet_at_their_edges() {
        let edges = [
            (0, Level::Excellent),
            (50, Level::Excellent),
            (51, Level::Good),
            (100, Level::Good),
            (101, Level::LightlyPolluted),
            (150, Level::LightlyPolluted),
            (151, Level::ModeratelyPolluted),
            (200, Level::ModeratelyPolluted),
            (201, Level::HeavilyPolluted),
            (300, Level::HeavilyPolluted),
            (301, Level::SeverelyPolluted),
            (500, Level::SeverelyPolluted),
        ];
        for (aqi, level) in edges {
            assert_eq!(Level::of(aqi), level, "AQI {aqi}");
        }
        assert_eq!(Level::Good.names(), ("Good", "良"));
        assert_eq!(Level::HeavilyPolluted.colour(), [153, 0, 76]);
    }
}
