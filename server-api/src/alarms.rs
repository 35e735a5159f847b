//! Server-side alarm rules, so that every client and the log agree on what is alarming.
//! Pure decisions here; the store applies them in the same transaction as the data.

use crate::model::{AlarmTier, SensorLevel};

/// What a new reading does to a detector's alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmAction {
    /// Nothing changes.
    Keep,
    /// Raise a new alarm of this tier.
    Raise(AlarmTier),
    /// The open alarm rises to this tier.
    Escalate(AlarmTier),
    /// The condition cleared: close the open alarm.
    Close,
}

/// The detector-threshold rule: at or above the warning threshold raises a warning, at or
/// above the alarm threshold an alarm; while the condition lasts the alarm is not raised again
/// (it only escalates); a reading back below the warning threshold closes it.
///
/// ```
/// use parktwin_api::alarms::{detector_rule, AlarmAction};
/// use parktwin_api::model::{AlarmTier, SensorLevel};
/// assert_eq!(detector_rule(None, SensorLevel::Alarm), AlarmAction::Raise(AlarmTier::Alarm));
/// assert_eq!(detector_rule(Some(AlarmTier::Alarm), SensorLevel::Warning), AlarmAction::Keep);
/// assert_eq!(detector_rule(Some(AlarmTier::Warning), SensorLevel::Normal), AlarmAction::Close);
/// ```
pub fn detector_rule(open: Option<AlarmTier>, level: SensorLevel) -> AlarmAction {
    let wanted = match level {
        SensorLevel::Alarm => Some(AlarmTier::Alarm),
        SensorLevel::Warning => Some(AlarmTier::Warning),
        SensorLevel::Normal => None,
        SensorLevel::NoData => return AlarmAction::Keep,
    };
    tiered(open, wanted)
}

/// Speed limit for hazmat vehicles inside the park, km/h.
pub const PARK_SPEED_LIMIT_KMH: f64 = 30.0;
/// Allowance over the limit before a fix counts as speeding (GPS speed jitters).
pub const SPEEDING_MARGIN_KMH: f64 = 5.0;

/// The speeding rule for a hazmat vehicle inside the fence: over the limit by more than the
/// margin raises a warning, by 20 km/h or more an alarm; back at or under the limit closes it.
///
/// ```
/// use parktwin_api::alarms::{speeding_rule, AlarmAction};
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(speeding_rule(None, 33.0, 30.0), AlarmAction::Keep);
/// assert_eq!(speeding_rule(None, 42.0, 30.0), AlarmAction::Raise(AlarmTier::Warning));
/// assert_eq!(speeding_rule(Some(AlarmTier::Warning), 55.0, 30.0), AlarmAction::Escalate(AlarmTier::Alarm));
/// assert_eq!(speeding_rule(Some(AlarmTier::Alarm), 28.0, 30.0), AlarmAction::Close);
/// ```
pub fn speeding_rule(open: Option<AlarmTier>, speed_kmh: f64, limit_kmh: f64) -> AlarmAction {
    let wanted = if speed_kmh >= limit_kmh + 20.0 {
        Some(AlarmTier::Alarm)
    } else if speed_kmh > limit_kmh + SPEEDING_MARGIN_KMH {
        Some(AlarmTier::Warning)
    } else {
        None
    };
    match (open, wanted) {
        // Between the limit and the margin: neither raised nor closed.
        (Some(_), None) if speed_kmh > limit_kmh => AlarmAction::Keep,
        _ => tiered(open, wanted),
    }
}

/// A gate pass as the waybill rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtTheGate {
    /// A hazmat vehicle coming in without a valid waybill (or with another number).
    InWithoutWaybill,
    /// The vehicle leaving the park.
    Out,
    /// Any other pass.
    Other,
}

/// The waybill rule: a hazmat vehicle entering without an electronic waybill raises an alarm
/// (once while it is open); the vehicle leaving the park closes it, and so does an operator's
/// resolution (the rule is judged once, at the gate: `AlarmRule::is_judged_once`).
///
/// ```
/// use parktwin_api::alarms::{waybill_rule, AlarmAction, AtTheGate};
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(waybill_rule(None, AtTheGate::InWithoutWaybill), AlarmAction::Raise(AlarmTier::Alarm));
/// assert_eq!(waybill_rule(Some(AlarmTier::Alarm), AtTheGate::Other), AlarmAction::Keep);
/// assert_eq!(waybill_rule(Some(AlarmTier::Alarm), AtTheGate::Out), AlarmAction::Close);
/// ```
pub fn waybill_rule(open: Option<AlarmTier>, pass: AtTheGate) -> AlarmAction {
    match (open, pass) {
        (None, AtTheGate::InWithoutWaybill) => AlarmAction::Raise(AlarmTier::Alarm),
        (Some(_), AtTheGate::Out) => AlarmAction::Close,
        _ => AlarmAction::Keep,
    }
}

/// Seconds without a reading after which a detector that has reported is offline.
pub const OFFLINE_AFTER_S: i64 = 60;

/// The offline rule: a detector silent for longer than the limit raises a warning (once);
/// its next reading closes it.
///
/// ```
/// use parktwin_api::alarms::{offline_rule, AlarmAction};
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(offline_rule(None, 90, 60), AlarmAction::Raise(AlarmTier::Warning));
/// assert_eq!(offline_rule(Some(AlarmTier::Warning), 120, 60), AlarmAction::Keep);
/// assert_eq!(offline_rule(Some(AlarmTier::Warning), 0, 60), AlarmAction::Close);
/// ```
pub fn offline_rule(open: Option<AlarmTier>, silent_s: i64, limit_s: i64) -> AlarmAction {
    match (open, silent_s > limit_s) {
        (None, true) => AlarmAction::Raise(AlarmTier::Warning),
        (Some(_), false) => AlarmAction::Close,
        _ => AlarmAction::Keep,
    }
}

/// How far from its planned route (metres) a hazmat vehicle may be: a road's width and a
/// GPS fix's error.
pub const OFF_ROUTE_LIMIT_M: f64 = 50.0;
/// How far off its route a vehicle is in alarm rather than warning, metres.
pub const OFF_ROUTE_ALARM_M: f64 = 200.0;

/// The off-route rule for a hazmat vehicle with a planned route, inside the fence: more than
/// [`OFF_ROUTE_LIMIT_M`] from the route raises a warning, more than [`OFF_ROUTE_ALARM_M`] an
/// alarm; back on the route closes it.
///
/// ```
/// use parktwin_api::alarms::{off_route_rule, AlarmAction};
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(off_route_rule(None, 12.0), AlarmAction::Keep);
/// assert_eq!(off_route_rule(None, 80.0), AlarmAction::Raise(AlarmTier::Warning));
/// assert_eq!(off_route_rule(Some(AlarmTier::Warning), 450.0), AlarmAction::Escalate(AlarmTier::Alarm));
/// assert_eq!(off_route_rule(Some(AlarmTier::Alarm), 80.0), AlarmAction::Keep);
/// assert_eq!(off_route_rule(Some(AlarmTier::Alarm), 20.0), AlarmAction::Close);
/// ```
pub fn off_route_rule(open: Option<AlarmTier>, distance_m: f64) -> AlarmAction {
    let wanted = if distance_m > OFF_ROUTE_ALARM_M {
        Some(AlarmTier::Alarm)
    } else if distance_m > OFF_ROUTE_LIMIT_M {
        Some(AlarmTier::Warning)
    } else {
        None
    };
    tiered(open, wanted)
}

/// How long a hazmat vehicle may stand still inside the fence outside the parking lot before
/// a reminder, seconds (loading at a tank farm takes a few minutes).
pub const STOPPED_LIMIT_S: i64 = 300;

/// The stopped rule: a hazmat vehicle standing still inside the fence and outside the parking
/// lot for more than [`STOPPED_LIMIT_S`] raises a reminder, for twice that a warning, for four
/// times an alarm; moving again, or being in the parking lot or out of the park, closes it.
/// `stopped_s` is how long it has stood still, `None` when it is exempt (parked or outside).
///
/// ```
/// use parktwin_api::alarms::{stopped_rule, AlarmAction};
/// use parktwin_api::model::AlarmTier;
/// assert_eq!(stopped_rule(None, Some(200)), AlarmAction::Keep);
/// assert_eq!(stopped_rule(None, Some(301)), AlarmAction::Raise(AlarmTier::Reminder));
/// assert_eq!(stopped_rule(Some(AlarmTier::Reminder), Some(601)), AlarmAction::Escalate(AlarmTier::Warning));
/// assert_eq!(stopped_rule(Some(AlarmTier::Warning), None), AlarmAction::Close);
/// assert_eq!(stopped_rule(Some(AlarmTier::Warning), Some(0)), AlarmAction::Close);
/// ```
pub fn stopped_rule(open: Option<AlarmTier>, stopped_s: Option<i64>) -> AlarmAction {
    let s = stopped_s.unwrap_or(0);
    let wanted = if s > 4 * STOPPED_LIMIT_S {
        Some(AlarmTier::Alarm)
    } else if s > 2 * STOPPED_LIMIT_S {
        Some(AlarmTier::Warning)
    } else if s > STOPPED_LIMIT_S {
        Some(AlarmTier::Reminder)
    } else {
        None
    };
    match (open, wanted) {
        // Still standing but under the limit can only mean the clock of a late fix: keep.
        (Some(_), None) if s > 0 => AlarmAction::Keep,
        _ => tiered(open, wanted),
    }
}

/// What an open alarm and the tier a condition wants make: raise, escalate (never lower) or
/// close.
pub(crate) fn tiered(open: Option<AlarmTier>, wanted: Option<AlarmTier>) -> AlarmAction {
    match (open, wanted) {
        (None, None) => AlarmAction::Keep,
        (None, Some(t)) => AlarmAction::Raise(t),
        (Some(_), None) => AlarmAction::Close,
        (Some(o), Some(t)) if t > o => AlarmAction::Escalate(t),
        (Some(_), Some(_)) => AlarmAction::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_and_falling_reading() {
        // normal → warning → alarm → warning → normal → normal
        let levels = [
            SensorLevel::Normal,
            SensorLevel::Warning,
            SensorLevel::Alarm,
            SensorLevel::Warning,
            SensorLevel::Normal,
            SensorLevel::Normal,
        ];
        let mut open = None;
        let mut actions = Vec::new();
        for l in levels {
            let a = detector_rule(open, l);
            open = match a {
                AlarmAction::Raise(t) | AlarmAction::Escalate(t) => Some(t),
                AlarmAction::Close => None,
                AlarmAction::Keep => open,
            };
            actions.push(a);
        }
        assert_eq!(
            actions,
            [
                AlarmAction::Keep,
                AlarmAction::Raise(AlarmTier::Warning),
                AlarmAction::Escalate(AlarmTier::Alarm),
                AlarmAction::Keep,
                AlarmAction::Close,
                AlarmAction::Keep,
            ]
        );
    }
}
