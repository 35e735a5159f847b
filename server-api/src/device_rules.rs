//! The rules a device's quantity is watched by, as pure functions the server's ingest and
//! sweep call: where a reading stands against the four thresholds (with a deadband, so that a
//! reading hovering at a threshold does not chatter), how fast it changes, whether its day's
//! total is over a budget or its day's mean over a permit's limit, and a device in maintenance
//! raising nothing.
//!
//! The thresholds are ISA-18.2's high/low and high-high/low-low pairs: the outer pair an alarm,
//! the inner a warning. The deadband is the alarm's hysteresis (ISA-18.2's "alarm deadband"):
//! a reading leaves a band only once it is back past the threshold by the deadband.
//!
//! ```
//! use parktwin_api::device::Thresholds;
//! use parktwin_api::device_rules::{Band, band};
//! let t = Thresholds { low_low: None, low: None, high: Some(80.0), high_high: Some(90.0) };
//! assert_eq!(band(85.0, &t, 2.0, Band::Normal), Band::High);
//! assert_eq!(band(79.0, &t, 2.0, Band::High), Band::High, "within the deadband of 80");
//! assert_eq!(band(77.9, &t, 2.0, Band::High), Band::Normal);
//! assert_eq!(band(95.0, &t, 2.0, Band::High), Band::HighHigh, "a worse band at once");
//! ```

use serde::{Deserialize, Serialize};

use crate::alarms::{AlarmAction, tiered};
use crate::device::{DeviceState, Thresholds};
use crate::model::AlarmTier;

/// Where a reading stands against its quantity's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// At or below low-low: an alarm.
    LowLow,
    /// At or below low: a warning.
    Low,
    /// Between the thresholds.
    #[default]
    Normal,
    /// At or above high: a warning.
    High,
    /// At or above high-high: an alarm.
    HighHigh,
}

impl Band {
    const ALL: [Band; 5] = [Band::LowLow, Band::Low, Band::Normal, Band::High, Band::HighHigh];

    /// −2 (low-low) to 2 (high-high).
    pub fn rank(self) -> i8 {
        match self {
            Band::LowLow => -2,
            Band::Low => -1,
            Band::Normal => 0,
            Band::High => 1,
            Band::HighHigh => 2,
        }
    }

    /// The band of a rank (clamped to −2…2).
    pub fn of_rank(rank: i8) -> Band {
        Band::ALL[(rank.clamp(-2, 2) + 2) as usize]
    }

    /// The tier of an alarm in this band (none between the thresholds).
    pub fn tier(self) -> Option<AlarmTier> {
        match self.rank().abs() {
            2 => Some(AlarmTier::Alarm),
            1 => Some(AlarmTier::Warning),
            _ => None,
        }
    }
}

/// The band of a reading against the thresholds alone (a threshold reached is crossed).
pub fn band_of(value: f64, t: &Thresholds) -> Band {
    let at_or_above = |th: Option<f64>| th.is_some_and(|th| value >= th);
    let at_or_below = |th: Option<f64>| th.is_some_and(|th| value <= th);
    if at_or_above(t.high_high) {
        Band::HighHigh
    } else if at_or_above(t.high) {
        Band::High
    } else if at_or_below(t.low_low) {
        Band::LowLow
    } else if at_or_below(t.low) {
        Band::Low
    } else {
        Band::Normal
    }
}

/// The band of a reading that was in band `was`: a worse band at once, a better one only once
/// the reading is back past the threshold by `deadband` (≥ 0).
pub fn band(value: f64, t: &Thresholds, deadband: f64, was: Band) -> Band {
    let raw = band_of(value, t).rank();
    let w = was.rank();
    let rank = if w > 0 && raw < w {
        // Coming down from a high band: as if the reading were `deadband` higher, but never
        // higher than it was, nor lower than the reading itself says.
        raw.max(w.min(band_of(value + deadband, t).rank()))
    } else if w < 0 && raw > w {
        raw.min(w.max(band_of(value - deadband, t).rank()))
    } else {
        raw
    };
    Band::of_rank(rank)
}

/// The threshold rule: raise (or escalate to) the band's tier, close when back between the
/// thresholds.
pub fn threshold_rule(open: Option<AlarmTier>, band: Band) -> AlarmAction {
    tiered(open, band.tier())
}

/// A limit rule (rate of change, a day's total, a permit): raise `tier` while over, close once
/// not.
pub fn limit_rule(open: Option<AlarmTier>, over: bool, tier: AlarmTier) -> AlarmAction {
    tiered(open, over.then_some(tier))
}

/// The change per minute between two readings (Unix seconds, value); `None` when they are not
/// one after the other.
///
/// ```
/// use parktwin_api::device_rules::rate_per_min;
/// assert_eq!(rate_per_min((0.0, 1.60), (30.0, 1.45)), Some(-0.30000000000000027));
/// assert_eq!(rate_per_min((30.0, 1.45), (30.0, 1.40)), None);
/// ```
pub fn rate_per_min(before: (f64, f64), now: (f64, f64)) -> Option<f64> {
    let dt = now.0 - before.0;
    (dt > 0.0).then(|| (now.1 - before.1) / dt * 60.0)
}

/// What a device in `state` does with a rule's action: in service, the action; in maintenance
/// or retired, nothing is raised or made worse (an alarm whose condition clears still closes).
///
/// ```
/// use parktwin_api::alarms::AlarmAction;
/// use parktwin_api::device::DeviceState;
/// use parktwin_api::device_rules::silenced;
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(silenced(AlarmAction::Raise(AlarmTier::Alarm), DeviceState::Maintenance), AlarmAction::Keep);
/// assert_eq!(silenced(AlarmAction::Close, DeviceState::Maintenance), AlarmAction::Close);
/// assert_eq!(silenced(AlarmAction::Raise(AlarmTier::Alarm), DeviceState::InService), AlarmAction::Raise(AlarmTier::Alarm));
/// ```
pub fn silenced(action: AlarmAction, state: DeviceState) -> AlarmAction {
    match (state, action) {
        (DeviceState::InService, a) => a,
        (_, AlarmAction::Raise(_) | AlarmAction::Escalate(_)) => AlarmAction::Keep,
        (_, a) => a,
    }
}

/// The source an alarm of a device's quantity is raised on: `device/quantity`.
pub fn source(device: &str, quantity: &str) -> String {
    format!("{device}/{quantity}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both_ways() -> Thresholds {
        Thresholds {
            low_low: Some(5.0),
            low: Some(10.0),
            high: Some(85.0),
            high_high: Some(95.0),
        }
    }

    #[test]
    fn a_tank_filling_and_emptying_passes_each_band_with_its_deadband() {
        let t = both_ways();
        // (level %, the band it is in, having been in the previous line's)
        let way = [
            (50.0, Band::Normal),
            (85.0, Band::High),
            (96.0, Band::HighHigh),
            (94.0, Band::HighHigh),
            (92.9, Band::High),
            (84.0, Band::High),
            (82.9, Band::Normal),
            (10.0, Band::Low),
            (4.0, Band::LowLow),
            (6.0, Band::LowLow),
            (7.5, Band::Low),
            (12.0, Band::Low),
            (13.0, Band::Normal),
            (97.0, Band::HighHigh),
            (3.0, Band::LowLow),
        ];
        let mut was = Band::Normal;
        for (level, want) in way {
            was = band(level, &t, 2.0, was);
            assert_eq!(was, want, "at {level} %");
        }
    }

    #[test]
    fn without_a_deadband_or_thresholds_the_reading_alone_decides() {
        let t = both_ways();
        assert_eq!(band(84.99, &t, 0.0, Band::HighHigh), Band::Normal);
        assert_eq!(band(1e9, &Thresholds::default(), 5.0, Band::High), Band::Normal);
        assert_eq!(Band::of_rank(7), Band::HighHigh);
        for b in Band::ALL {
            assert_eq!(Band::of_rank(b.rank()), b);
        }
    }

    #[test]
    fn bands_raise_their_tiers_and_close_between_the_thresholds() {
        assert_eq!(threshold_rule(None, Band::Low), AlarmAction::Raise(AlarmTier::Warning));
        assert_eq!(
            threshold_rule(Some(AlarmTier::Warning), Band::LowLow),
            AlarmAction::Escalate(AlarmTier::Alarm)
        );
        assert_eq!(threshold_rule(Some(AlarmTier::Alarm), Band::Normal), AlarmAction::Close);
        assert_eq!(limit_rule(None, false, AlarmTier::Alarm), AlarmAction::Keep);
        assert_eq!(
            limit_rule(None, true, AlarmTier::Alarm),
            AlarmAction::Raise(AlarmTier::Alarm)
        );
    }
}
