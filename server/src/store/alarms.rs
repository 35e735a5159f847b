//! The alarm engine every ingest path applies its rules through: a rule's decision (the pure
//! rules of [`parktwin_api::alarms`]) becomes the open alarm's change and its event, in the
//! ingest's transaction. Also the operators' steps (the lifecycle of
//! [`parktwin_api::alarm_life`]: acknowledge, assign, resolve, close, shelve), each with its
//! event and a line of the alarm's history, the policy, the sweep that escalates overdue
//! alarms and takes expired ones off the shelf, and the alarm list.

use parktwin_api::alarm_life::{self, AlarmPolicy, OnClear, Refusal, Step};
use parktwin_api::alarms::AlarmAction;
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{Acknowledgement, Alarm, AlarmTier};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, json_row, row, rows};
use crate::db::{Conn, Row, Tx, args};

/// An open alarm: its id, its tier, and whether its condition has cleared (a latched alarm
/// waiting for an operator).
pub(super) type OpenAlarm = (i64, AlarmTier, bool);

/// A tier as stored.
pub(super) fn tier_of(text: &str) -> Result<AlarmTier, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(text.to_string()))?)
}

/// The lifecycle's fields the `life` column keeps as JSON (the ones no query selects on).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Life {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assigned: Option<alarm_life::Assignment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolution: Option<alarm_life::Resolution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shelved: Option<alarm_life::Shelving>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overdue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_by: Option<String>,
}

/// One line of an alarm's history (`GET /api/v1/alarms/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlarmStep {
    /// The event's sequence number in the log.
    pub seq: i64,
    /// When.
    pub time: String,
    /// What happened: the event's kind (`alarm_raised`, `alarm_acked`, `alarm_assigned`, …).
    pub step: String,
    /// Who, when a person did it (a rule's steps are nobody's).
    pub by: Option<String>,
    /// What they said: the assignee, the cause and action, the shelving's reason and end.
    pub note: String,
}

/// An alarm with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlarmWithHistory {
    /// The alarm as it stands.
    #[serde(flatten)]
    pub alarm: Alarm,
    /// Every step, oldest first.
    pub history: Vec<AlarmStep>,
}

/// What an operator's step came to.
#[derive(Debug)]
pub enum StepOutcome {
    /// No such alarm.
    Unknown,
    /// The step does not fit (its words).
    Refused(Refusal),
    /// The alarm as it now stands (boxed: an alarm is large beside a refusal).
    Done(Box<Alarm>),
}

/// The id of an alarm a decision raises before the store has given it one.
pub(super) const NEW: i64 = 0;

/// The columns [`alarm_of`] reads, in its order.
pub(super) const ALARM_COLUMNS: &str =
    "id, tier, rule, source, value, raised, closed, acked_by, acked_at, cleared, life";

/// An alarm from a row of [`ALARM_COLUMNS`].
pub(super) fn alarm_of(r: &dyn Row) -> Result<Alarm, StoreError> {
    let life: Life = serde_json::from_str(r.text(10)?)?;
    let mut alarm = Alarm {
        acknowledged: r
            .opt_string(7)?
            .zip(r.opt_string(8)?)
            .map(|(by, at)| Acknowledgement { by, at }),
        closed: r.opt_string(6)?,
        cleared: r.opt_string(9)?,
        assigned: life.assigned.map(Box::new),
        resolution: life.resolution.map(Box::new),
        shelved: life.shelved.map(Box::new),
        overdue: life.overdue,
        closed_by: life.closed_by,
        ..Alarm::new(
            r.int(0)?,
            tier_of(r.text(1)?)?,
            r.text(2)?,
            r.text(3)?,
            r.real(4)?,
            r.text(5)?,
        )
    };
    alarm.state = alarm_life::AlarmState::of(&alarm);
    Ok(alarm)
}

/// What a rule's decision does to the alarm of (rule, source) that is `open` (not closed), if
/// any: the alarm as it then stands (a new one with the id [`NEW`]) and its event's kind, or
/// `None` when nothing changes.
///
/// A latched alarm whose condition has cleared is no alarm to the rule: if the condition
/// comes back, the same alarm is raised again (its `cleared` goes, its tier the higher of the
/// two); if it clears, the `policy` says whether the alarm closes or waits, cleared, for an
/// operator.
pub(super) fn decided(
    open: Option<&Alarm>,
    action: AlarmAction,
    rule: AlarmRule,
    source: &str,
    time: &str,
    value: f64,
    policy: &AlarmPolicy,
) -> Option<(Alarm, EventKind)> {
    let latched = open.filter(|o| o.cleared.is_some());
    let standing = open.filter(|o| o.cleared.is_none());
    let (mut alarm, kind) = match (action, latched, standing) {
        (AlarmAction::Keep, ..) => return None,
        (AlarmAction::Raise(t), Some(o), _) => {
            let mut a = o.clone();
            a.cleared = None;
            a.tier = t.max(o.tier);
            a.value = value;
            (a, EventKind::AlarmRaised)
        }
        (AlarmAction::Raise(t), None, _) => (
            Alarm::new(NEW, t, rule.as_str(), source, value, time),
            EventKind::AlarmRaised,
        ),
        (AlarmAction::Escalate(t), _, Some(o)) => {
            let mut a = o.clone();
            a.tier = t;
            a.value = value;
            (a, EventKind::AlarmEscalated)
        }
        (AlarmAction::Close, _, Some(o)) => {
            let mut a = o.clone();
            match alarm_life::on_clear(o, policy) {
                OnClear::Close => {
                    a.closed = Some(time.to_string());
                    (a, EventKind::AlarmClosed)
                }
                OnClear::Wait => {
                    a.cleared = Some(time.to_string());
                    (a, EventKind::AlarmCleared)
                }
            }
        }
        (AlarmAction::Escalate(_) | AlarmAction::Close, _, None) => return None,
    };
    alarm.state = alarm_life::AlarmState::of(&alarm);
    Some((alarm, kind))
}

/// What the sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Alarms escalated (unacknowledged past their tier's time).
    pub overdue: usize,
    /// Alarms back from the shelf.
    pub unshelved: usize,
}

impl Store {
    /// Applies a rule's decision to the open alarm of (rule, source); returns the seq of the
    /// event it wrote, if any.
    pub(crate) fn apply_rule(
        tx: &mut dyn Conn,
        rule: AlarmRule,
        source: &str,
        time: &str,
        value: f64,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<i64>, StoreError> {
        let open = row(
            tx,
            "SELECT id, tier, cleared FROM alarms WHERE rule = ?1 AND source = ?2 AND closed IS NULL",
            args![rule.as_str(), source],
            |r| Ok((r.int(0)?, tier_of(r.text(1)?)?, r.opt_text(2)?.is_some())),
        )?;
        Ok(Self::decide_alarm(tx, rule, source, time, value, open, decide)?.map(|(seq, _)| seq))
    }

    /// [`Store::apply_rule`] with the open alarm of (rule, source) already looked up; the seq
    /// of the event written and the alarm as it now stands, if it changed (see [`decided`]).
    pub(super) fn decide_alarm(
        tx: &mut dyn Conn,
        rule: AlarmRule,
        source: &str,
        time: &str,
        value: f64,
        open: Option<OpenAlarm>,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<(i64, Alarm)>, StoreError> {
        let action = decide(open.filter(|o| !o.2).map(|o| o.1));
        if action == AlarmAction::Keep {
            return Ok(None);
        }
        let before = open.map(|(id, ..)| Self::alarm_row(tx, id)).transpose()?;
        // The policy matters only to a clearing: read where one may happen.
        let policy = match action {
            AlarmAction::Close => Self::policy_in(tx)?,
            _ => AlarmPolicy::default(),
        };
        let Some((mut alarm, kind)) = decided(before.as_ref(), action, rule, source, time, value, &policy) else {
            return Ok(None);
        };
        if alarm.id == NEW {
            alarm.id = row(
                tx,
                "INSERT INTO alarms (rule, source, tier, value, raised) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                args![rule.as_str(), source, alarm.tier.as_str(), value, time],
                |r| Ok(r.int(0)?),
            )?
            .ok_or_else(|| StoreError::Column("an insert returned no alarm id".into()))?;
        } else {
            tx.execute(
                "UPDATE alarms SET tier = ?1, value = ?2, cleared = ?3, closed = ?4 WHERE id = ?5",
                args![
                    alarm.tier.as_str(),
                    alarm.value,
                    alarm.cleared.as_deref(),
                    alarm.closed.as_deref(),
                    alarm.id
                ],
            )?;
        }
        let seq = Self::alarm_event(tx, &alarm, kind, time, None, &format!("{value}"))?;
        Ok(Some((seq, alarm)))
    }

    /// Appends an alarm's event (its payload the alarm as it stands) and the line of its
    /// history; the event's seq.
    pub(super) fn alarm_event(
        tx: &mut dyn Conn,
        alarm: &Alarm,
        kind: EventKind,
        time: &str,
        by: Option<&str>,
        note: &str,
    ) -> Result<i64, StoreError> {
        let seq = Self::append_event(tx, time, kind, &serde_json::to_string(alarm)?)?;
        tx.execute(
            "INSERT INTO alarm_steps (alarm, seq, time, step, by_name, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![alarm.id, seq, time, kind.as_str(), by, note],
        )?;
        Ok(seq)
    }

    /// Every alarm not closed, oldest first, read in one statement.
    fn open_alarms(conn: &mut dyn Conn) -> Result<Vec<Alarm>, StoreError> {
        rows(
            conn,
            &format!("SELECT {ALARM_COLUMNS} FROM alarms WHERE closed IS NULL ORDER BY id"),
            &[],
            alarm_of,
        )
    }

    /// The alarm `id`, which must exist.
    fn alarm_row(conn: &mut dyn Conn, id: i64) -> Result<Alarm, StoreError> {
        row(
            conn,
            &format!("SELECT {ALARM_COLUMNS} FROM alarms WHERE id = ?1"),
            args![id],
            alarm_of,
        )?
        .ok_or_else(|| StoreError::Column(format!("alarm {id} is gone")))
    }

    /// Writes an alarm's lifecycle as it now stands.
    fn write_life(tx: &mut dyn Conn, a: &Alarm) -> Result<(), StoreError> {
        let life = serde_json::to_string(&Life {
            assigned: a.assigned.as_deref().cloned(),
            resolution: a.resolution.as_deref().cloned(),
            shelved: a.shelved.as_deref().cloned(),
            overdue: a.overdue.clone(),
            closed_by: a.closed_by.clone(),
        })?;
        let (acked_by, acked_at) = a.acknowledged.as_ref().map(|k| (k.by.as_str(), k.at.as_str())).unzip();
        tx.execute(
            "UPDATE alarms SET closed = ?1, acked_by = ?2, acked_at = ?3, cleared = ?4, life = ?5 WHERE id = ?6",
            args![
                a.closed.as_deref(),
                acked_by,
                acked_at,
                a.cleared.as_deref(),
                &life,
                a.id
            ],
        )?;
        Ok(())
    }

    /// Takes an operator's step on the alarm `id`, in `by`'s name at `at`: the alarm's change,
    /// its event (and `alarm_closed` too when a resolution closes it) and its history.
    pub fn alarm_step(&self, id: i64, step: &Step, by: &str, at: &str) -> Result<StepOutcome, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        if row(&mut tx, "SELECT id FROM alarms WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(StepOutcome::Unknown);
        }
        let before = Self::alarm_row(&mut tx, id)?;
        let policy = Self::policy_in(&mut tx)?;
        let after = match alarm_life::apply(&before, step, by, at, &policy) {
            Err(refusal) => return Ok(StepOutcome::Refused(refusal)),
            Ok(None) => return Ok(StepOutcome::Done(Box::new(before))),
            Ok(Some(a)) => a,
        };
        Self::write_life(&mut tx, &after)?;
        let (kind, note) = match step {
            Step::Ack => (EventKind::AlarmAcked, String::new()),
            Step::Assign { to } => (EventKind::AlarmAssigned, to.trim().to_string()),
            Step::Resolve {
                cause,
                action,
                false_alarm,
            } => (
                EventKind::AlarmResolved,
                format!(
                    "{}cause: {}; action: {}",
                    if *false_alarm { "false alarm; " } else { "" },
                    cause.trim(),
                    action.trim()
                ),
            ),
            Step::Close => (EventKind::AlarmClosed, String::new()),
            Step::Shelve { reason, .. } => (
                EventKind::AlarmShelved,
                format!(
                    "until {}: {}",
                    after.shelved.as_ref().map_or("", |s| s.until.as_str()),
                    reason.trim()
                ),
            ),
            Step::Unshelve => (EventKind::AlarmUnshelved, String::new()),
        };
        Self::alarm_event(&mut tx, &after, kind, at, Some(by), &note)?;
        if kind != EventKind::AlarmClosed && before.closed.is_none() && after.closed.is_some() {
            Self::alarm_event(
                &mut tx,
                &after,
                EventKind::AlarmClosed,
                at,
                Some(by),
                "closed by its resolution",
            )?;
        }
        tx.commit()?;
        Ok(StepOutcome::Done(Box::new(after)))
    }

    /// Records an operator's acknowledgement and its event; `None` for an unknown alarm. An
    /// alarm acknowledged before keeps its first acknowledgement; a closed one is as it was.
    pub fn ack_alarm(&self, id: i64, by: &str, at: &str) -> Result<Option<Alarm>, StoreError> {
        match self.alarm_step(id, &Step::Ack, by, at)? {
            StepOutcome::Unknown => Ok(None),
            StepOutcome::Done(a) => Ok(Some(*a)),
            StepOutcome::Refused(_) => self.alarm(id),
        }
    }

    /// Escalates the open alarms unacknowledged past their tier's time (`alarm_overdue`) and
    /// takes those whose shelving has run out off the shelf (`alarm_unshelved`), as of `now`.
    pub fn sweep_alarms(&self, now: time::OffsetDateTime) -> Result<Swept, StoreError> {
        let at = parktwin_api::clock::format_utc(now);
        // A look on a reading connection first: most sweeps find nothing due, and then never
        // take the writer from the ingest.
        {
            let mut reader = self.reader()?;
            let policy = Self::policy_in(&mut *reader)?;
            let open = Self::open_alarms(&mut *reader)?;
            let due = open
                .iter()
                .any(|a| alarm_life::shelf_expired(a, now) || alarm_life::is_overdue(a, now, &policy));
            if !due {
                return Ok(Swept::default());
            }
        }
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let policy = Self::policy_in(&mut tx)?;
        let mut swept = Swept::default();
        for mut a in Self::open_alarms(&mut tx)? {
            if alarm_life::shelf_expired(&a, now) {
                let note = a
                    .shelved
                    .take()
                    .map(|s| format!("shelved until {}", s.until))
                    .unwrap_or_default();
                a.state = alarm_life::AlarmState::of(&a);
                Self::write_life(&mut tx, &a)?;
                Self::alarm_event(&mut tx, &a, EventKind::AlarmUnshelved, &at, None, &note)?;
                swept.unshelved += 1;
            }
            if alarm_life::is_overdue(&a, now, &policy) {
                a.overdue = Some(at.clone());
                Self::write_life(&mut tx, &a)?;
                let limit = policy.escalate_after_s.get(&a.tier).copied().unwrap_or_default();
                Self::alarm_event(
                    &mut tx,
                    &a,
                    EventKind::AlarmOverdue,
                    &at,
                    None,
                    &format!("unacknowledged for more than {limit} s"),
                )?;
                swept.overdue += 1;
            }
        }
        tx.commit()?;
        Ok(swept)
    }

    /// The park's alarm policy (the default until an admin sets one).
    pub fn alarm_policy(&self) -> Result<AlarmPolicy, StoreError> {
        Self::policy_in(&mut **self.conn())
    }

    pub(super) fn policy_in(conn: &mut dyn Conn) -> Result<AlarmPolicy, StoreError> {
        Ok(json_row(conn, "SELECT value FROM meta WHERE key = 'alarm_policy'", &[])?.unwrap_or_default())
    }

    /// Replaces the alarm policy (checked by the caller); it holds from the next decision on.
    pub fn set_alarm_policy(&self, policy: &AlarmPolicy) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('alarm_policy', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            args![&serde_json::to_string(policy)?],
        )?;
        Ok(())
    }

    /// One alarm, if it exists.
    pub fn alarm(&self, id: i64) -> Result<Option<Alarm>, StoreError> {
        let mut conn = self.reader()?;
        if row(&mut *conn, "SELECT id FROM alarms WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        Ok(Some(Self::alarm_row(&mut *conn, id)?))
    }

    /// One alarm with its history, if it exists.
    pub fn alarm_with_history(&self, id: i64) -> Result<Option<AlarmWithHistory>, StoreError> {
        let Some(alarm) = self.alarm(id)? else {
            return Ok(None);
        };
        let history = rows(
            &mut *self.reader()?,
            "SELECT seq, time, step, by_name, note FROM alarm_steps WHERE alarm = ?1 ORDER BY seq",
            args![id],
            |r| {
                Ok(AlarmStep {
                    seq: r.int(0)?,
                    time: r.string(1)?,
                    step: r.string(2)?,
                    by: r.opt_string(3)?,
                    note: r.string(4)?,
                })
            },
        )?;
        Ok(Some(AlarmWithHistory { alarm, history }))
    }

    /// Alarms: the open ones (`open = Some(true)`), the closed ones, or all; newest first.
    pub fn alarms(&self, open: Option<bool>) -> Result<Vec<Alarm>, StoreError> {
        let mut conn = self.conn();
        let sql = match open {
            Some(true) => "SELECT id FROM alarms WHERE closed IS NULL ORDER BY id DESC",
            Some(false) => "SELECT id FROM alarms WHERE closed IS NOT NULL ORDER BY id DESC",
            None => "SELECT id FROM alarms ORDER BY id DESC",
        };
        let ids: Vec<i64> = rows(&mut conn, sql, &[], |r| Ok(r.int(0)?))?;
        ids.into_iter().map(|id| Self::alarm_row(&mut conn, id)).collect()
    }

    /// The alarm-management figures of the period `from`–`to` (stored times): the raises of
    /// the live channel in it (annunciations: a latched alarm raised again counts again), the
    /// alarms open now, and the false alarms among those raised in it.
    pub fn alarm_figures(&self, from: &str, to: &str) -> Result<parktwin_api::alarm_figures::AlarmFigures, StoreError> {
        use parktwin_api::alarm_figures::{Raise, figures};
        let mut conn = self.reader()?;
        let raises = rows(
            &mut *conn,
            "SELECT s.time, a.rule, a.source FROM alarm_steps s JOIN alarms a ON a.id = s.alarm
             WHERE s.step = ?1 AND s.time >= ?2 AND s.time <= ?3 ORDER BY s.seq",
            args![EventKind::AlarmRaised.as_str(), from, to],
            |r| {
                Ok(Raise {
                    time: r.string(0)?,
                    rule: r.string(1)?,
                    source: r.string(2)?,
                })
            },
        )?;
        let open_ids: Vec<i64> = rows(&mut *conn, "SELECT id FROM alarms WHERE closed IS NULL", &[], |r| {
            Ok(r.int(0)?)
        })?;
        let open = open_ids
            .into_iter()
            .map(|id| Self::alarm_row(&mut *conn, id))
            .collect::<Result<Vec<_>, _>>()?;
        let false_alarms: Vec<String> = rows(
            &mut *conn,
            "SELECT life FROM alarms WHERE raised >= ?1 AND raised <= ?2 AND life LIKE '%\"false_alarm\":true%'",
            args![from, to],
            |r| Ok(r.string(0)?),
        )?;
        Ok(figures(from, to, &raises, &open, false_alarms.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: &str = "2026-12-07T10:00:00Z";
    const T1: &str = "2026-12-07T10:01:00Z";

    fn latching() -> AlarmPolicy {
        AlarmPolicy {
            confirm: [("device_threshold".to_string(), AlarmTier::Warning)].into(),
            ..AlarmPolicy::default()
        }
    }

    #[test]
    fn a_rules_decision_raises_escalates_and_ends_an_alarm_as_the_policy_says() {
        let rule = AlarmRule::DeviceThreshold;
        let none = AlarmPolicy::default();
        let (raised, kind) = decided(
            None,
            AlarmAction::Raise(AlarmTier::Warning),
            rule,
            "pt-1/p",
            T0,
            1.3,
            &none,
        )
        .expect("raised");
        assert_eq!(
            (raised.id, raised.tier, kind),
            (NEW, AlarmTier::Warning, EventKind::AlarmRaised)
        );
        assert_eq!((raised.source.as_str(), raised.raised.as_str()), ("pt-1/p", T0));
        let stored = Alarm { id: 7, ..raised };
        let (up, kind) = decided(
            Some(&stored),
            AlarmAction::Escalate(AlarmTier::Alarm),
            rule,
            "pt-1/p",
            T1,
            1.5,
            &none,
        )
        .expect("up");
        assert_eq!(
            (up.id, up.tier, up.value, kind),
            (7, AlarmTier::Alarm, 1.5, EventKind::AlarmEscalated)
        );
        assert_eq!(
            decided(Some(&up), AlarmAction::Keep, rule, "pt-1/p", T1, 1.5, &none),
            None
        );

        // Without latching a clearing closes it; with latching it waits, cleared, and the same
        // alarm comes back at the higher of its tiers if the condition does.
        let (closed, kind) = decided(Some(&up), AlarmAction::Close, rule, "pt-1/p", T1, 1.0, &none).expect("closed");
        assert_eq!((closed.closed.as_deref(), kind), (Some(T1), EventKind::AlarmClosed));
        let (cleared, kind) =
            decided(Some(&up), AlarmAction::Close, rule, "pt-1/p", T1, 1.0, &latching()).expect("cleared");
        assert_eq!(
            (cleared.closed.as_deref(), cleared.cleared.as_deref(), kind),
            (None, Some(T1), EventKind::AlarmCleared)
        );
        assert_eq!(
            decided(Some(&cleared), AlarmAction::Close, rule, "pt-1/p", T1, 1.0, &latching()),
            None,
            "a cleared alarm does not clear again"
        );
        let (back, kind) = decided(
            Some(&cleared),
            AlarmAction::Raise(AlarmTier::Warning),
            rule,
            "pt-1/p",
            T1,
            1.3,
            &latching(),
        )
        .expect("back");
        assert_eq!(
            (back.id, back.tier, back.cleared, kind),
            (7, AlarmTier::Alarm, None, EventKind::AlarmRaised)
        );
    }
}
