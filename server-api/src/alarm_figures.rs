//! Alarm-management figures over a period (`GET /api/v1/alarms/figures`): the alarm rate per
//! 10 minutes and the share of 10-minute periods in flood, chattering alarms, the ten most
//! frequent alarms and their share of the load, and the standing (stale) alarms.
//!
//! Sources for the yardsticks the panel shows beside them (the numbers carry over; none is
//! from a licensed copy of the standards, so no table is cited):
//! - ANSI/ISA-18.2-2016 clause 16 (monitoring and assessment) and IEC 62682 define the metrics.
//!   An average of about 1 alarm per 10 minutes per operator is "very likely acceptable"
//!   (EEMUA 191, as quoted by the UK HSE's Chemicals Information Sheet 6); a 10-minute period
//!   with more than 10 alarms is a flood, and under about 1 % of periods should be (ProSys's
//!   summary of ISA-18.2).
//! - Chattering: an alarm that comes in 3 or more times within one minute (PAS, "Fixing
//!   chattering and fleeting alarms"; the practitioners' rule, not a standard's number).
//! - Stale (standing): an alarm active for 24 hours or more (Intelligent Plant's stale-alarm
//!   report; Inductive Automation says "over 24 hours": at exactly 24 h this counts it).
//! - The ten most frequent alarms should carry about 1 % to at most 5 % of the load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::{format_unix, unix_seconds};
use crate::model::Alarm;

/// A 10-minute period, seconds.
pub const PERIOD_S: f64 = 600.0;
/// More alarms than this in 10 minutes is a flood.
pub const FLOOD_OVER: usize = 10;
/// An alarm that comes in this many times…
pub const CHATTER_COUNT: usize = 3;
/// …within this many seconds is chattering.
pub const CHATTER_WINDOW_S: f64 = 60.0;
/// Active this long (seconds) or longer is stale.
pub const STALE_AFTER_S: f64 = 24.0 * 3600.0;
/// The acceptable average per 10 minutes per operator.
pub const ACCEPTABLE_PER_10_MIN: f64 = 1.0;

/// One annunciation: an alarm raised (or raised again while latched).
#[derive(Debug, Clone, PartialEq)]
pub struct Raise {
    /// When (RFC 3339).
    pub time: String,
    /// Its rule.
    pub rule: String,
    /// What it was about.
    pub source: String,
}

/// How many alarms came in a 10-minute period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TenMinutes {
    /// The period's start.
    pub start: String,
    /// Alarms raised in it.
    pub count: usize,
}

/// How often one alarm (a rule on a source) came in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlarmCount {
    /// The rule.
    pub rule: String,
    /// What it is about.
    pub source: String,
    /// Times raised in the period.
    pub count: usize,
    /// Its share of all the alarms raised in the period, 0 to 1.
    pub share: f64,
}

/// An alarm active for 24 hours or more at the period's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Standing {
    /// The alarm's id.
    pub id: i64,
    /// Its rule.
    pub rule: String,
    /// What it is about.
    pub source: String,
    /// Raised when.
    pub since: String,
    /// Hours active at the period's end.
    pub hours: f64,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlarmFigures {
    /// The period's start.
    pub from: String,
    /// Its end.
    pub to: String,
    /// Alarms raised in it.
    pub raised: usize,
    /// Each 10-minute period's count, on the clock's tens of minutes.
    pub per_10_min: Vec<TenMinutes>,
    /// The average per 10 minutes (about 1 is acceptable).
    pub average_per_10_min: f64,
    /// The busiest 10 minutes.
    pub peak_10_min: usize,
    /// The share of 10-minute periods with more than 10 alarms (a flood), 0 to 1.
    pub flood_share: f64,
    /// Alarms raised 3 or more times within a minute, most often first.
    pub chattering: Vec<AlarmCount>,
    /// The ten most frequent alarms, most often first.
    pub top_ten: Vec<AlarmCount>,
    /// The ten most frequent alarms' share of all, 0 to 1.
    pub top_ten_share: f64,
    /// Alarms open at the period's end and active 24 hours or more, longest first.
    pub standing: Vec<Standing>,
    /// Alarms resolved as false alarms among those raised in the period.
    pub false_alarms: usize,
}

/// The figures of the period `from`–`to` (RFC 3339) from the alarms raised in it, the alarms
/// open at its end and the number of false alarms.
///
/// ```
/// use parktwin_api::alarm_figures::{figures, Raise};
/// let r = |t: &str| Raise { time: t.into(), rule: "detector_threshold".into(), source: "gd-1".into() };
/// let f = figures("2026-06-01T08:00:00Z", "2026-06-01T08:20:00Z",
///     &[r("2026-06-01T08:00:10Z"), r("2026-06-01T08:00:30Z"), r("2026-06-01T08:00:50Z")], &[], 0);
/// assert_eq!(f.per_10_min.iter().map(|p| p.count).collect::<Vec<_>>(), [3, 0]);
/// assert_eq!(f.chattering[0].count, 3);
/// ```
pub fn figures(from: &str, to: &str, raises: &[Raise], open: &[Alarm], false_alarms: usize) -> AlarmFigures {
    let (t0, t1) = (unix_seconds(from), unix_seconds(to));
    let first = (t0 / PERIOD_S).floor();
    let periods = (((t1 / PERIOD_S).ceil() - first).max(1.0)) as usize;
    let mut counts = vec![0usize; periods];
    let mut by_alarm: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for r in raises {
        let t = unix_seconds(&r.time);
        if t < t0 || t > t1 {
            continue;
        }
        let k = (((t / PERIOD_S).floor() - first) as usize).min(periods - 1);
        counts[k] += 1;
        by_alarm.entry((&r.rule, &r.source)).or_default().push(t);
    }
    let raised: usize = counts.iter().sum();
    let share = |n: usize| if raised == 0 { 0.0 } else { n as f64 / raised as f64 };
    let count_of = |(rule, source): (&str, &str), count: usize| AlarmCount {
        rule: rule.to_string(),
        source: source.to_string(),
        count,
        share: share(count),
    };
    let mut chattering = Vec::new();
    let mut frequency = Vec::new();
    for (key, mut times) in by_alarm {
        times.sort_by(f64::total_cmp);
        let chatters = times
            .windows(CHATTER_COUNT)
            .any(|w| w[CHATTER_COUNT - 1] - w[0] <= CHATTER_WINDOW_S);
        if chatters {
            chattering.push(count_of(key, times.len()));
        }
        frequency.push(count_of(key, times.len()));
    }
    let most_first = |a: &AlarmCount, b: &AlarmCount| b.count.cmp(&a.count).then_with(|| a.source.cmp(&b.source));
    chattering.sort_by(most_first);
    frequency.sort_by(most_first);
    frequency.truncate(10);
    let mut standing: Vec<Standing> = open
        .iter()
        .filter(|a| a.closed.is_none())
        .filter_map(|a| {
            let active = t1 - unix_seconds(&a.raised);
            (active >= STALE_AFTER_S).then(|| Standing {
                id: a.id,
                rule: a.rule.clone(),
                source: a.source.clone(),
                since: a.raised.clone(),
                hours: (active / 3600.0 * 10.0).round() / 10.0,
            })
        })
        .collect();
    standing.sort_by(|a, b| b.hours.total_cmp(&a.hours));
    AlarmFigures {
        from: from.to_string(),
        to: to.to_string(),
        raised,
        per_10_min: counts
            .iter()
            .enumerate()
            .map(|(k, &count)| TenMinutes {
                start: format_unix((first + k as f64) * PERIOD_S),
                count,
            })
            .collect(),
        // Over the period's own length, not its whole 10-minute periods.
        average_per_10_min: raised as f64 / ((t1 - t0).max(1.0) / PERIOD_S),
        peak_10_min: counts.iter().copied().max().unwrap_or(0),
        flood_share: counts.iter().filter(|&&c| c > FLOOD_OVER).count() as f64 / periods as f64,
        top_ten_share: frequency.iter().map(|c| c.share).sum(),
        chattering,
        top_ten: frequency,
        standing,
        false_alarms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AlarmTier;

    fn raise(t: f64, source: &str) -> Raise {
        Raise {
            time: format_unix(t),
            rule: "detector_threshold".into(),
            source: source.into(),
        }
    }

    #[test]
    fn a_flood_a_chatterer_and_a_standing_alarm_in_one_hour() {
        let from = "2026-06-01T08:00:00.000Z";
        let t0 = unix_seconds(from);
        let mut raises = Vec::new();
        // 08:10–08:20: 12 alarms from 12 detectors, a flood.
        for k in 0..12 {
            raises.push(raise(t0 + 600.0 + 30.0 * k as f64, &format!("gd-{k}")));
        }
        // gd-99 comes in 3 times in 50 s at 08:30 (chattering) and once more at 08:50.
        for dt in [0.0, 20.0, 50.0, 1200.0] {
            raises.push(raise(t0 + 1800.0 + dt, "gd-99"));
        }
        // gd-50 comes in twice, a minute and a half apart: not chattering.
        raises.push(raise(t0 + 2400.0, "gd-50"));
        raises.push(raise(t0 + 2490.0, "gd-50"));
        // Out of the period: not counted.
        raises.push(raise(t0 - 1.0, "gd-0"));
        let mut stale = Alarm::new(
            1,
            AlarmTier::Warning,
            "detector_offline",
            "gd-3",
            0.0,
            "2026-05-31T09:00:00.000Z",
        );
        let fresh = Alarm::new(
            2,
            AlarmTier::Alarm,
            "detector_threshold",
            "gd-4",
            0.0,
            "2026-06-01T08:30:00.000Z",
        );
        let f = figures(from, "2026-06-01T09:00:00.000Z", &raises, &[stale.clone(), fresh], 2);
        assert_eq!(f.raised, 18);
        assert_eq!(
            f.per_10_min.iter().map(|p| p.count).collect::<Vec<_>>(),
            [0, 12, 0, 3, 2, 1]
        );
        assert_eq!(f.per_10_min[1].start, "2026-06-01T08:10:00.000Z");
        assert_eq!(f.peak_10_min, 12);
        assert!((f.average_per_10_min - 3.0).abs() < 1e-9);
        assert!((f.flood_share - 1.0 / 6.0).abs() < 1e-9);
        assert_eq!(f.chattering.len(), 1);
        assert_eq!((f.chattering[0].source.as_str(), f.chattering[0].count), ("gd-99", 4));
        assert_eq!(f.top_ten.len(), 10);
        assert_eq!((f.top_ten[0].source.as_str(), f.top_ten[0].count), ("gd-99", 4));
        assert_eq!((f.top_ten[1].source.as_str(), f.top_ten[1].count), ("gd-50", 2));
        assert!((f.top_ten_share - (4 + 2 + 8) as f64 / 18.0).abs() < 1e-9);
        assert_eq!(f.standing.len(), 1);
        assert_eq!((f.standing[0].id, f.standing[0].hours), (1, 24.0));
        assert_eq!(f.false_alarms, 2);
        // A closed alarm is not standing however old.
        stale.closed = Some("2026-06-01T08:59:00.000Z".into());
        assert!(
            figures(from, "2026-06-01T09:00:00.000Z", &[], &[stale], 0)
                .standing
                .is_empty()
        );
    }

    #[test]
    fn an_empty_period_has_one_quiet_period_and_no_division_by_zero() {
        let f = figures("2026-06-01T08:00:00Z", "2026-06-01T08:00:00Z", &[], &[], 0);
        assert_eq!(
            (f.raised, f.per_10_min.len(), f.flood_share, f.top_ten_share),
            (0, 1, 0.0, 0.0)
        );
    }
}
