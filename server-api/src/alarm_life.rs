//! An alarm's lifecycle after ANSI/ISA-18.2-2016 (IEC 62682): raised → acknowledged →
//! assigned → resolved → closed, with shelving (set aside until a time, for a reason) and
//! latching (a rule's alarm that waits, once its condition clears, for an operator to close it).
//! Pure decisions here: what an operator's step does to an alarm, and what a rule's clearing
//! does; the store applies them with their events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kinds::AlarmRule;
use crate::model::{Acknowledgement, Alarm, AlarmTier};

/// Where an alarm stands. The state is derived from the alarm's fields ([`AlarmState::of`]),
/// most advanced first: closed, shelved, resolved, assigned, acknowledged, raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// Raised and nobody has acknowledged it.
    #[default]
    Raised,
    /// An operator has seen it.
    Acknowledged,
    /// Given to a person or a team.
    Assigned,
    /// Its cause and the action taken are recorded; it closes when its condition clears.
    Resolved,
    /// Set aside until a time (it neither escalates nor notifies meanwhile).
    Shelved,
    /// Over: its condition cleared, or an operator closed it.
    Closed,
}

impl AlarmState {
    /// The state an alarm's fields say.
    pub fn of(a: &Alarm) -> Self {
        if a.closed.is_some() {
            AlarmState::Closed
        } else if a.shelved.is_some() {
            AlarmState::Shelved
        } else if a.resolution.is_some() {
            AlarmState::Resolved
        } else if a.assigned.is_some() {
            AlarmState::Assigned
        } else if a.acknowledged.is_some() {
            AlarmState::Acknowledged
        } else {
            AlarmState::Raised
        }
    }
}

/// Who an alarm was given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Assignment {
    /// The person or team dealing with it.
    pub to: String,
    /// Who gave it.
    pub by: String,
    /// When.
    pub at: String,
}

/// What an alarm turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Resolution {
    /// Its cause.
    pub cause: String,
    /// What was done.
    pub action: String,
    /// Whether there was nothing to it (a faulty detector, a test gas, a misread plate).
    pub false_alarm: bool,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: String,
}

/// An alarm set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Shelving {
    /// Why.
    pub reason: String,
    /// Until when (RFC 3339); then it is back on the board.
    pub until: String,
    /// Who shelved it.
    pub by: String,
    /// When.
    pub at: String,
}

/// How the park handles its alarms (`GET`/`PUT /api/v1/alarms/policy`): which rules latch,
/// when an unacknowledged alarm is escalated, how long an alarm may be shelved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AlarmPolicy {
    /// Rules whose alarms, from the tier given on, wait for an operator to close them once
    /// their condition clears (ISA-18.2's latching alarms), by the rule's name.
    pub confirm: BTreeMap<String, AlarmTier>,
    /// Seconds an alarm of each tier may stay unacknowledged before it is escalated (an
    /// `alarm_overdue` event, which subscribers are sent); a tier not named is never escalated.
    pub escalate_after_s: BTreeMap<AlarmTier, i64>,
    /// The longest an alarm may be shelved, seconds (ISA-18.2 asks that shelving end by itself).
    pub shelve_max_s: i64,
}

impl Default for AlarmPolicy {
    /// No rule latches until the park says which (a latched alarm stays on every board until
    /// a person closes it: a park chooses that for the alarms it wants seen to, such as a gas
    /// detector at its alarm level, `{"detector_threshold": "alarm"}`). An alarm is escalated
    /// after 2 minutes unacknowledged, a warning after 10, a reminder never; a shift (8 hours)
    /// is the longest shelving. These are ParkTwin's choices, not a standard's: the park's
    /// admin sets its own (`PUT /api/v1/alarms/policy`).
    fn default() -> Self {
        AlarmPolicy {
            confirm: BTreeMap::new(),
            escalate_after_s: BTreeMap::from([(AlarmTier::Alarm, 120), (AlarmTier::Warning, 600)]),
            shelve_max_s: 8 * 3600,
        }
    }
}

impl AlarmPolicy {
    /// Whether an alarm of `rule` at `tier` waits for an operator once its condition clears.
    pub fn latches(&self, rule: &str, tier: AlarmTier) -> bool {
        self.confirm.get(rule).is_some_and(|from| tier >= *from)
    }

    /// The policy's problems, each naming its field (empty when it is sound).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for rule in self.confirm.keys() {
            if AlarmRule::of(rule).is_none() {
                out.push(format!("confirm: \"{rule}\" is not a rule"));
            }
        }
        for (tier, s) in &self.escalate_after_s {
            if *s < 1 {
                out.push(format!(
                    "escalate_after_s.{}: {s} is not a positive number of seconds",
                    tier.as_str()
                ));
            }
        }
        if !(60..=7 * 24 * 3600).contains(&self.shelve_max_s) {
            out.push(format!("shelve_max_s: {} is outside 60 s to 7 days", self.shelve_max_s));
        }
        out
    }
}

impl AlarmTier {
    /// Its name as on the wire and in the store (`reminder`, `warning`, `alarm`).
    ///
    /// ```
    /// assert_eq!(parktwin_api::model::AlarmTier::Warning.as_str(), "warning");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            AlarmTier::Reminder => "reminder",
            AlarmTier::Warning => "warning",
            AlarmTier::Alarm => "alarm",
        }
    }
}

/// An operator's step on an alarm.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// I have seen it.
    Ack,
    /// Give it to a person or a team.
    Assign {
        /// Who.
        to: String,
    },
    /// Record its cause and the action taken.
    Resolve {
        /// Its cause.
        cause: String,
        /// What was done.
        action: String,
        /// Nothing to it.
        false_alarm: bool,
    },
    /// Close it (its condition has cleared).
    Close,
    /// Set it aside until a time.
    Shelve {
        /// Why.
        reason: String,
        /// Until when (RFC 3339).
        until: String,
    },
    /// Take it back from the shelf.
    Unshelve,
}

/// Why a step cannot be taken: the answer's words (the server answers 409 or 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The step does not fit the alarm's state (409).
    Conflict(String),
    /// The step's own fields are wrong (400).
    Invalid(String),
}

/// The longest text a person may give (a name, a cause, an action, a reason), characters.
pub const MAX_TEXT: usize = 500;

fn text_field(name: &str, value: &str) -> Result<(), Refusal> {
    let n = value.trim().chars().count();
    if n == 0 {
        Err(Refusal::Invalid(format!("{name}: must not be empty")))
    } else if n > MAX_TEXT {
        Err(Refusal::Invalid(format!("{name}: {n} characters, at most {MAX_TEXT}")))
    } else {
        Ok(())
    }
}

/// What a step does to `alarm`, by `by` at `now` (RFC 3339, UTC, as the store writes times):
/// the alarm as it then stands, or why it cannot be taken. `None` when the step changes
/// nothing (an acknowledgement of an acknowledged alarm).
///
/// A resolution or an assignment acknowledges an unacknowledged alarm too. A resolution
/// closes the alarm when its condition has cleared already or its rule is judged once (the
/// waybill's); otherwise it closes when the condition clears. Closing asks that the condition
/// has cleared (else the rule would raise it again at its next reading). Shelving asks for a
/// reason and an end within the policy's longest.
///
/// ```
/// use parktwin_api::alarm_life::{apply, AlarmPolicy, AlarmState, Step};
/// use parktwin_api::model::{Alarm, AlarmTier};
/// let a = Alarm::new(1, AlarmTier::Alarm, "detector_threshold", "gd-1", 2.5, "2026-06-01T08:00:00Z");
/// let now = "2026-06-01T08:01:00Z";
/// let p = AlarmPolicy::default();
/// let a = apply(&a, &Step::Assign { to: "fire team 2".into() }, "lin", now, &p).unwrap().unwrap();
/// assert_eq!(a.state, AlarmState::Assigned);
/// assert!(a.acknowledged.is_some());
/// // Still above its threshold: it cannot be closed.
/// assert!(apply(&a, &Step::Close, "lin", now, &p).is_err());
/// ```
pub fn apply(alarm: &Alarm, step: &Step, by: &str, now: &str, policy: &AlarmPolicy) -> Result<Option<Alarm>, Refusal> {
    if let Some(closed) = &alarm.closed {
        return Err(Refusal::Conflict(format!("alarm {} closed at {closed}", alarm.id)));
    }
    let mut a = alarm.clone();
    let ack = |a: &mut Alarm| {
        a.acknowledged.get_or_insert_with(|| Acknowledgement {
            by: by.to_string(),
            at: now.to_string(),
        });
    };
    match step {
        Step::Ack => {
            if a.acknowledged.is_some() {
                return Ok(None);
            }
            ack(&mut a);
        }
        Step::Assign { to } => {
            text_field("to", to)?;
            ack(&mut a);
            a.assigned = Some(Box::new(Assignment {
                to: to.trim().to_string(),
                by: by.to_string(),
                at: now.to_string(),
            }));
        }
        Step::Resolve {
            cause,
            action,
            false_alarm,
        } => {
            if let Some(r) = &alarm.resolution {
                return Err(Refusal::Conflict(format!(
                    "alarm {} was resolved by {} at {}",
                    alarm.id, r.by, r.at
                )));
            }
            text_field("cause", cause)?;
            text_field("action", action)?;
            ack(&mut a);
            a.resolution = Some(Box::new(Resolution {
                cause: cause.trim().to_string(),
                action: action.trim().to_string(),
                false_alarm: *false_alarm,
                by: by.to_string(),
                at: now.to_string(),
            }));
            if a.cleared.is_some() || AlarmRule::of(&a.rule).is_some_and(AlarmRule::is_judged_once) {
                close(&mut a, by, now);
            }
        }
        Step::Close => {
            let judged_once = AlarmRule::of(&a.rule).is_some_and(AlarmRule::is_judged_once);
            if a.cleared.is_none() && !judged_once {
                return Err(Refusal::Conflict(format!(
                    "alarm {}: its condition persists ({} on {}); resolve it and it closes when the condition clears, or shelve it",
                    a.id, a.rule, a.source
                )));
            }
            ack(&mut a);
            close(&mut a, by, now);
        }
        Step::Shelve { reason, until } => {
            text_field("reason", reason)?;
            let (Some(end), Some(start)) = (crate::clock::parse_utc(until), crate::clock::parse_utc(now)) else {
                return Err(Refusal::Invalid(format!("until: \"{until}\" is not an RFC 3339 time")));
            };
            let secs = (end - start).whole_seconds();
            if secs <= 0 {
                return Err(Refusal::Invalid(format!("until: {until} is not after now ({now})")));
            }
            if secs > policy.shelve_max_s {
                return Err(Refusal::Invalid(format!(
                    "until: {until} is {secs} s away; the park's policy shelves for at most {} s",
                    policy.shelve_max_s
                )));
            }
            a.shelved = Some(Box::new(Shelving {
                reason: reason.trim().to_string(),
                until: crate::clock::format_utc(end),
                by: by.to_string(),
                at: now.to_string(),
            }));
        }
        Step::Unshelve => {
            if a.shelved.is_none() {
                return Err(Refusal::Conflict(format!("alarm {} is not shelved", a.id)));
            }
            a.shelved = None;
        }
    }
    a.state = AlarmState::of(&a);
    Ok(Some(a))
}

fn close(a: &mut Alarm, by: &str, now: &str) {
    a.closed = Some(now.to_string());
    a.closed_by = Some(by.to_string());
    a.shelved = None;
}

/// What a rule's condition clearing does to its open alarm: it closes, unless the policy
/// latches it and nobody has resolved it yet, in which case it waits, cleared, for an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClear {
    /// Close it.
    Close,
    /// Mark it cleared and keep it open.
    Wait,
}

/// [`OnClear`] for `alarm` under `policy`.
///
/// ```
/// use parktwin_api::alarm_life::{on_clear, AlarmPolicy, OnClear};
/// use parktwin_api::model::{Alarm, AlarmTier};
/// let mut p = AlarmPolicy::default();
/// p.confirm.insert("detector_threshold".into(), AlarmTier::Alarm);
/// let gas = Alarm::new(1, AlarmTier::Alarm, "detector_threshold", "gd-1", 2.5, "2026-06-01T08:00:00Z");
/// assert_eq!(on_clear(&gas, &p), OnClear::Wait);
/// let warning = Alarm::new(2, AlarmTier::Warning, "detector_threshold", "gd-1", 1.2, "2026-06-01T08:00:00Z");
/// assert_eq!(on_clear(&warning, &p), OnClear::Close);
/// ```
pub fn on_clear(alarm: &Alarm, policy: &AlarmPolicy) -> OnClear {
    if policy.latches(&alarm.rule, alarm.tier) && alarm.resolution.is_none() {
        OnClear::Wait
    } else {
        OnClear::Close
    }
}

/// Whether `alarm` is due to be escalated at `now`: open, not shelved, unacknowledged, not
/// escalated before, and raised longer ago than its tier's time in the policy.
pub fn is_overdue(alarm: &Alarm, now: time::OffsetDateTime, policy: &AlarmPolicy) -> bool {
    if alarm.closed.is_some() || alarm.shelved.is_some() || alarm.acknowledged.is_some() || alarm.overdue.is_some() {
        return false;
    }
    let (Some(limit), Some(raised)) = (
        policy.escalate_after_s.get(&alarm.tier),
        crate::clock::parse_utc(&alarm.raised),
    ) else {
        return false;
    };
    (now - raised).whole_seconds() >= *limit
}

/// Whether `alarm`'s shelving has run out at `now`.
pub fn shelf_expired(alarm: &Alarm, now: time::OffsetDateTime) -> bool {
    alarm
        .shelved
        .as_ref()
        .and_then(|s| crate::clock::parse_utc(&s.until))
        .is_some_and(|until| now >= until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gas() -> Alarm {
        Alarm::new(
            7,
            AlarmTier::Alarm,
            "detector_threshold",
            "gd-1",
            3.0,
            "2026-06-01T08:00:00Z",
        )
    }

    const NOW: &str = "2026-06-01T08:05:00Z";

    fn latching() -> AlarmPolicy {
        AlarmPolicy {
            confirm: BTreeMap::from([("detector_threshold".to_string(), AlarmTier::Alarm)]),
            ..AlarmPolicy::default()
        }
    }

    #[test]
    fn the_whole_way_from_raised_to_closed() {
        let p = AlarmPolicy::default();
        let a = gas();
        assert_eq!(AlarmState::of(&a), AlarmState::Raised);
        let a = apply(&a, &Step::Ack, "lin", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert_eq!(
            (a.state, a.acknowledged.as_ref().expect("as written").by.as_str()),
            (AlarmState::Acknowledged, "lin")
        );
        assert_eq!(
            apply(&a, &Step::Ack, "wu", NOW, &p),
            Ok(None),
            "a second acknowledgement changes nothing"
        );
        let a = apply(&a, &Step::Assign { to: "Team 2".into() }, "lin", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert_eq!(a.state, AlarmState::Assigned);
        let resolve = Step::Resolve {
            cause: "flange leak at P-101".into(),
            action: "isolated and re-gasketed".into(),
            false_alarm: false,
        };
        let a = apply(&a, &resolve, "wu", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert_eq!(
            a.state,
            AlarmState::Resolved,
            "still above its threshold: resolved, not closed"
        );
        assert!(matches!(apply(&a, &resolve, "wu", NOW, &p), Err(Refusal::Conflict(_))));
        // The condition clears: a resolved alarm closes even where the policy latches.
        assert_eq!(on_clear(&a, &latching()), OnClear::Close);
        assert_eq!(on_clear(&gas(), &latching()), OnClear::Wait);
        assert_eq!(on_clear(&gas(), &p), OnClear::Close, "nothing latches by default");
        let mut cleared = a.clone();
        cleared.cleared = Some(NOW.into());
        let closed = apply(&cleared, &Step::Close, "wu", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert_eq!(
            (closed.state, closed.closed_by.as_deref()),
            (AlarmState::Closed, Some("wu"))
        );
        assert!(matches!(apply(&closed, &Step::Ack, "wu", NOW, &p), Err(Refusal::Conflict(m)) if m.contains("closed")));
    }

    #[test]
    fn a_cleared_latched_alarm_closes_on_its_resolution_and_a_waybill_on_its_own() {
        let p = AlarmPolicy::default();
        let mut a = gas();
        a.cleared = Some(NOW.into());
        let r = Step::Resolve {
            cause: "calibration gas".into(),
            action: "none".into(),
            false_alarm: true,
        };
        let done = apply(&a, &r, "wu", NOW, &p).expect("as written").expect("as written");
        assert_eq!(done.state, AlarmState::Closed);
        assert!(done.resolution.expect("as written").false_alarm);
        let waybill = Alarm::new(8, AlarmTier::Alarm, "hazmat_without_waybill", "鲁E12345", 20.0, NOW);
        assert_eq!(
            apply(&waybill, &r, "wu", NOW, &p)
                .expect("as written")
                .expect("as written")
                .state,
            AlarmState::Closed
        );
        assert_eq!(
            apply(&waybill, &Step::Close, "wu", NOW, &p)
                .expect("as written")
                .expect("as written")
                .state,
            AlarmState::Closed
        );
    }

    #[test]
    fn shelving_needs_a_reason_and_an_end_within_the_policy() {
        let p = AlarmPolicy::default();
        let a = gas();
        let shelve = |reason: &str, until: &str| {
            apply(
                &a,
                &Step::Shelve {
                    reason: reason.into(),
                    until: until.into(),
                },
                "lin",
                NOW,
                &p,
            )
        };
        assert!(matches!(shelve("", "2026-06-01T09:00:00Z"), Err(Refusal::Invalid(m)) if m.starts_with("reason")));
        assert!(
            matches!(shelve("maintenance", "2026-06-01T08:00:00Z"), Err(Refusal::Invalid(m)) if m.contains("not after"))
        );
        assert!(
            matches!(shelve("maintenance", "2026-06-01T17:00:00Z"), Err(Refusal::Invalid(m)) if m.contains("at most 28800"))
        );
        assert!(matches!(shelve("maintenance", "tomorrow"), Err(Refusal::Invalid(_))));
        let s = shelve("detector under maintenance", "2026-06-01T11:00:00+02:00")
            .expect("as written")
            .expect("as written");
        assert_eq!(s.state, AlarmState::Shelved);
        assert_eq!(
            s.shelved.as_ref().expect("as written").until,
            "2026-06-01T09:00:00.000Z",
            "kept as stored: UTC"
        );
        let t = |s: &str| crate::clock::parse_utc(s).expect("as written");
        assert!(!shelf_expired(&s, t("2026-06-01T08:59:59Z")));
        assert!(shelf_expired(&s, t("2026-06-01T09:00:00Z")));
        // Shelved, it is not escalated.
        assert!(!is_overdue(&s, t("2026-06-01T09:00:00Z"), &p));
        let back = apply(&s, &Step::Unshelve, "lin", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert_eq!(back.state, AlarmState::Raised);
        assert!(matches!(
            apply(&back, &Step::Unshelve, "lin", NOW, &p),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn an_unacknowledged_alarm_is_escalated_after_its_tiers_time_and_once() {
        let p = AlarmPolicy::default();
        let t = |s: &str| crate::clock::parse_utc(s).expect("as written");
        let a = gas();
        assert!(!is_overdue(&a, t("2026-06-01T08:01:59Z"), &p));
        assert!(is_overdue(&a, t("2026-06-01T08:02:00Z"), &p));
        let mut escalated = a.clone();
        escalated.overdue = Some("2026-06-01T08:02:00Z".into());
        assert!(!is_overdue(&escalated, t("2026-06-01T09:00:00Z"), &p));
        let acked = apply(&a, &Step::Ack, "lin", NOW, &p)
            .expect("as written")
            .expect("as written");
        assert!(!is_overdue(&acked, t("2026-06-01T09:00:00Z"), &p));
        let reminder = Alarm::new(
            9,
            AlarmTier::Reminder,
            "vehicle_stopped",
            "鲁E1",
            400.0,
            "2026-06-01T08:00:00Z",
        );
        assert!(
            !is_overdue(&reminder, t("2026-06-02T08:00:00Z"), &p),
            "reminders are never escalated by default"
        );
    }

    #[test]
    fn a_policy_names_what_is_wrong_with_it() {
        assert!(AlarmPolicy::default().problems().is_empty());
        let bad = AlarmPolicy {
            confirm: BTreeMap::from([("no_such_rule".to_string(), AlarmTier::Alarm)]),
            escalate_after_s: BTreeMap::from([(AlarmTier::Warning, 0)]),
            shelve_max_s: 10,
        };
        let p = bad.problems();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].contains("no_such_rule")
                && p[1].starts_with("escalate_after_s.warning")
                && p[2].starts_with("shelve_max_s")
        );
    }
}
