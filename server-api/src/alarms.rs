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
