//! The alarm engine every ingest path applies its rules through: a rule's decision (the pure
//! rules of [`parktwin_api::alarms`]) becomes the open alarm's change and its event, in the
//! ingest's transaction. Also the operators' acknowledgement and the alarm list.

use parktwin_api::alarms::AlarmAction;
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{Acknowledgement, Alarm, AlarmTier};

use super::{Store, StoreError, row, rows};
use crate::db::{Conn, Tx, args};

/// An open alarm: its id and tier.
pub(super) type OpenAlarm = (i64, AlarmTier);

/// A tier as stored.
pub(super) fn tier_of(text: &str) -> Result<AlarmTier, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(text.to_string()))?)
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
            "SELECT id, tier FROM alarms WHERE rule = ?1 AND source = ?2 AND closed IS NULL",
            args![rule.as_str(), source],
            |r| Ok((r.int(0)?, tier_of(r.text(1)?)?)),
        )?;
        Ok(Self::decide_alarm(tx, rule, source, time, value, open, decide)?.map(|(seq, _)| seq))
    }

    /// [`Store::apply_rule`] with the open alarm of (rule, source) already looked up; the seq
    /// of the event written and the alarm as it now stands, if it changed.
    pub(super) fn decide_alarm(
        tx: &mut dyn Conn,
        rule: AlarmRule,
        source: &str,
        time: &str,
        value: f64,
        open: Option<OpenAlarm>,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<(i64, Alarm)>, StoreError> {
        let tier_text = |t: AlarmTier| {
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let (id, kind) = match (decide(open.map(|o| o.1)), open) {
            (AlarmAction::Keep, _) => return Ok(None),
            (AlarmAction::Raise(t), _) => {
                let id = row(
                    tx,
                    "INSERT INTO alarms (rule, source, tier, value, raised) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    args![rule.as_str(), source, &tier_text(t), value, time],
                    |r| Ok(r.int(0)?),
                )?
                .ok_or_else(|| StoreError::Column("an insert returned no alarm id".into()))?;
                (id, EventKind::AlarmRaised)
            }
            (AlarmAction::Escalate(t), Some((id, _))) => {
                tx.execute(
                    "UPDATE alarms SET tier = ?1, value = ?2 WHERE id = ?3",
                    args![&tier_text(t), value, id],
                )?;
                (id, EventKind::AlarmEscalated)
            }
            (AlarmAction::Close, Some((id, _))) => {
                tx.execute("UPDATE alarms SET closed = ?1 WHERE id = ?2", args![time, id])?;
                (id, EventKind::AlarmClosed)
            }
            (AlarmAction::Escalate(_) | AlarmAction::Close, None) => return Ok(None),
        };
        let alarm = Self::alarm_row(tx, id)?;
        let seq = Self::append_event(tx, time, kind, &serde_json::to_string(&alarm)?)?;
        Ok(Some((seq, alarm)))
    }

    /// The alarm `id`, which must exist.
    fn alarm_row(conn: &mut dyn Conn, id: i64) -> Result<Alarm, StoreError> {
        row(
            conn,
            "SELECT tier, rule, source, value, raised, closed, acked_by, acked_at FROM alarms WHERE id = ?1",
            args![id],
            |r| {
                Ok(Alarm {
                    id,
                    tier: tier_of(r.text(0)?)?,
                    rule: r.string(1)?,
                    source: r.string(2)?,
                    value: r.real(3)?,
                    raised: r.string(4)?,
                    closed: r.opt_string(5)?,
                    acknowledged: r
                        .opt_string(6)?
                        .zip(r.opt_string(7)?)
                        .map(|(by, at)| Acknowledgement { by, at }),
                })
            },
        )?
        .ok_or_else(|| StoreError::Column(format!("alarm {id} is gone")))
    }

    /// Records an operator's acknowledgement and its event; `None` for an unknown alarm. An
    /// alarm acknowledged before keeps its first acknowledgement.
    pub fn ack_alarm(&self, id: i64, by: &str, at: &str) -> Result<Option<Alarm>, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n = tx.execute(
            "UPDATE alarms SET acked_by = ?1, acked_at = ?2 WHERE id = ?3 AND acked_by IS NULL",
            args![by, at, id],
        )?;
        if row(&mut tx, "SELECT id FROM alarms WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        let alarm = Self::alarm_row(&mut tx, id)?;
        if n == 1 {
            Self::append_event(&mut tx, at, EventKind::AlarmAcked, &serde_json::to_string(&alarm)?)?;
        }
        tx.commit()?;
        Ok(Some(alarm))
    }

    /// One alarm, if it exists.
    pub fn alarm(&self, id: i64) -> Result<Option<Alarm>, StoreError> {
        let mut conn = self.reader()?;
        if row(&mut *conn, "SELECT id FROM alarms WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        Ok(Some(Self::alarm_row(&mut *conn, id)?))
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
}
