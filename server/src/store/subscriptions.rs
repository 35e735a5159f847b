//! Who is told of alarms, and what is waiting to be told: subscriptions (a webhook or an email
//! address, with the events, tiers, rules and enterprises they want) and the outbox of
//! deliveries. The outbox is filled from the event log after the fact (the notifier's cursor
//! is kept with it, in one transaction), so the ingest never waits for a subscriber and no
//! alarm is missed across a restart.

use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{Alarm, AlarmTier};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, row, rows};
use crate::db::{Conn, Tx, args};

/// How a subscriber is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// An HTTP POST of JSON, signed with HMAC-SHA256.
    Webhook,
    /// An email over the server's SMTP relay (`--smtp`).
    Email,
}

/// What a subscriber asks for (`POST /api/v1/subscriptions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// Webhook or email.
    pub via: Via,
    /// The webhook's http(s) URL, or the email address.
    #[schemars(length(min = 3, max = 500))]
    pub target: String,
    /// The alarm events wanted (`alarm_raised`, `alarm_overdue`, `alarm_closed`, …); by default
    /// an alarm raised and an alarm escalated for being left unacknowledged.
    #[serde(default)]
    pub events: Vec<String>,
    /// Only alarms of this tier and above (all by default).
    #[serde(default)]
    pub min_tier: Option<AlarmTier>,
    /// Only these rules' alarms (all by default).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Only alarms about these enterprises' things (all by default).
    #[serde(default)]
    pub enterprises: Vec<String>,
}

/// The events a subscription gets when it names none.
pub const DEFAULT_EVENTS: [EventKind; 2] = [EventKind::AlarmRaised, EventKind::AlarmOverdue];

/// A subscription as stored (`GET /api/v1/subscriptions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Subscription {
    /// Its id.
    pub id: i64,
    /// What was asked for (`events` filled with the defaults where none were named).
    #[serde(flatten)]
    pub wants: NewSubscription,
    /// When it was made.
    pub created: String,
    /// By whom.
    pub by: String,
    /// The webhook's signing key, shown once, in the answer that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl NewSubscription {
    /// What is wrong with it, each problem naming its field; `smtp` says whether the server has
    /// an SMTP relay to send email through.
    pub fn problems(&self, smtp: bool) -> Vec<String> {
        let mut out = Vec::new();
        let t = self.target.trim();
        match self.via {
            Via::Webhook => match reqwest::Url::parse(t) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                Ok(u) => out.push(format!(
                    "target: \"{t}\" is a {} URL; a webhook is http or https",
                    u.scheme()
                )),
                Err(e) => out.push(format!("target: \"{t}\" is not a URL ({e})")),
            },
            Via::Email => {
                if t.parse::<lettre::Address>().is_err() {
                    out.push(format!("target: \"{t}\" is not an email address"));
                }
                if !smtp {
                    out.push("via: email needs the server started with --smtp (its mail relay)".into());
                }
            }
        }
        for e in &self.events {
            if !EventKind::of(e).is_some_and(EventKind::is_alarm) {
                out.push(format!("events: \"{e}\" is not an alarm event"));
            }
        }
        for r in &self.rules {
            if AlarmRule::of(r).is_none() {
                out.push(format!("rules: \"{r}\" is not a rule"));
            }
        }
        out
    }

    /// Whether an event of `kind` about `alarm`, whose source belongs to `enterprise`, is one
    /// this subscriber wants.
    ///
    /// A shelved alarm's events go to nobody but its unshelving and closing.
    pub fn wants(&self, kind: EventKind, alarm: &Alarm, enterprise: Option<&str>) -> bool {
        let event = if self.events.is_empty() {
            DEFAULT_EVENTS.contains(&kind)
        } else {
            self.events.iter().any(|e| e == kind.as_str())
        };
        let shelved = alarm.shelved.is_some() && !matches!(kind, EventKind::AlarmShelved | EventKind::AlarmClosed);
        event
            && !shelved
            && self.min_tier.is_none_or(|t| alarm.tier >= t)
            && (self.rules.is_empty() || self.rules.contains(&alarm.rule))
            && (self.enterprises.is_empty() || enterprise.is_some_and(|e| self.enterprises.iter().any(|x| x == e)))
    }
}

/// One delivery waiting or done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Delivery {
    /// Its number (the webhook's `X-ParkTwin-Delivery`: a receiver that sees it twice has it
    /// twice).
    pub n: i64,
    /// The subscription.
    pub subscription: i64,
    /// The event's sequence number in the log.
    pub seq: i64,
    /// The event's kind.
    pub kind: String,
    /// What is sent (the webhook's body).
    pub payload: String,
    /// Tries so far.
    pub attempts: i64,
    /// When the next try is due.
    pub next_at: String,
    /// When it was delivered.
    pub delivered: Option<String>,
    /// When the notifier gave up on it.
    pub failed: Option<String>,
    /// Why the last try failed.
    pub last_error: Option<String>,
}

const DELIVERY_COLUMNS: &str = "n, subscription, seq, kind, payload, attempts, next_at, delivered, failed, last_error";

fn delivery(r: &dyn crate::db::Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        n: r.int(0)?,
        subscription: r.int(1)?,
        seq: r.int(2)?,
        kind: r.string(3)?,
        payload: r.string(4)?,
        attempts: r.int(5)?,
        next_at: r.string(6)?,
        delivered: r.opt_string(7)?,
        failed: r.opt_string(8)?,
        last_error: r.opt_string(9)?,
    })
}

impl Store {
    /// Stores a checked subscription; the answer carries the webhook's secret, once.
    pub fn add_subscription(&self, wants: &NewSubscription, by: &str, now: &str) -> Result<Subscription, StoreError> {
        let secret = (wants.via == Via::Webhook).then(crate::store::random_password);
        let mut wants = wants.clone();
        wants.target = wants.target.trim().to_string();
        if wants.events.is_empty() {
            wants.events = DEFAULT_EVENTS.iter().map(|k| k.as_str().to_string()).collect();
        }
        let id = row(
            &mut self.conn(),
            "INSERT INTO subscriptions (record, secret, created, by_name) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            args![&serde_json::to_string(&wants)?, secret.as_deref(), now, by],
            |r| Ok(r.int(0)?),
        )?
        .ok_or_else(|| StoreError::Column("an insert returned no subscription id".into()))?;
        Ok(Subscription {
            id,
            wants,
            created: now.to_string(),
            by: by.to_string(),
            secret,
        })
    }

    /// Every subscription, oldest first, without their secrets.
    pub fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        Ok(Self::subscriptions_in(&mut **self.conn())?
            .into_iter()
            .map(|(s, _)| s)
            .collect())
    }

    fn subscriptions_in(conn: &mut dyn Conn) -> Result<Vec<(Subscription, Option<String>)>, StoreError> {
        rows(
            conn,
            "SELECT id, record, created, by_name, secret FROM subscriptions ORDER BY id",
            &[],
            |r| {
                Ok((
                    Subscription {
                        id: r.int(0)?,
                        wants: serde_json::from_str(r.text(1)?)?,
                        created: r.string(2)?,
                        by: r.string(3)?,
                        secret: None,
                    },
                    r.opt_string(4)?,
                ))
            },
        )
    }

    /// Every subscription with its secret (for signing).
    pub fn subscribers(&self) -> Result<Vec<(Subscription, Option<String>)>, StoreError> {
        Self::subscriptions_in(&mut **self.conn())
    }

    /// Removes a subscription and what it still had waiting; whether it existed.
    pub fn remove_subscription(&self, id: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n = tx.execute("DELETE FROM subscriptions WHERE id = ?1", args![id])?;
        tx.execute(
            "DELETE FROM outbox WHERE subscription = ?1 AND delivered IS NULL AND failed IS NULL",
            args![id],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Starts the notifier's cursor at the log's head the first time a server runs with it, so
    /// that it tells of what happens from then on (not of a database's whole past); a cursor
    /// already kept stays, so that what a stopped server did not tell is told after a restart.
    /// (`WHERE true`: SQLite reads an `ON CONFLICT` straight after a `SELECT … FROM` as a join's.)
    pub fn start_notifying(&self) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO meta (key, value)
             SELECT 'notify_cursor', CAST(coalesce(max(seq), 0) AS TEXT) FROM events WHERE true
             ON CONFLICT (key) DO NOTHING",
            &[],
        )?;
        Ok(())
    }

    /// Fills the outbox from the alarm events of the live log after the notifier's cursor (at
    /// most `limit` events), with `payload` making each delivery's body; how many events were
    /// read. The alarms' history (`alarm_steps`, a line per alarm event of the live channel)
    /// finds them without a pass over the readings and fixes, on a reading connection; only when
    /// there are some does it take the writer, and the cursor moves in the same transaction as
    /// the deliveries it queued.
    pub fn queue_deliveries(
        &self,
        limit: usize,
        now: &str,
        payload: impl Fn(i64, &str, &str, &Alarm) -> String,
    ) -> Result<usize, StoreError> {
        const CURSOR: &str = "SELECT value FROM meta WHERE key = 'notify_cursor'";
        let cursor_of = |conn: &mut dyn Conn| -> Result<i64, StoreError> {
            Ok(row(conn, CURSOR, &[], |r| Ok(r.string(0)?))?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0))
        };
        let new_steps = |conn: &mut dyn Conn, cursor: i64| {
            rows(
                conn,
                "SELECT e.seq, e.time, e.kind, e.payload FROM alarm_steps s JOIN events e ON e.seq = s.seq
                 WHERE s.seq > ?1 ORDER BY s.seq LIMIT ?2",
                args![cursor, limit as i64],
                |r| Ok((r.int(0)?, r.string(1)?, r.string(2)?, r.string(3)?)),
            )
        };
        {
            let mut reader = self.reader()?;
            let cursor = cursor_of(&mut *reader)?;
            if new_steps(&mut *reader, cursor)?.is_empty() {
                return Ok(0);
            }
        }
        let owners = &self.index()?.owners;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let cursor = cursor_of(&mut tx)?;
        let events = new_steps(&mut tx, cursor)?;
        let subs = Self::subscriptions_in(&mut tx)?;
        for (seq, time, kind_text, body) in &events {
            let (Some(kind), Ok(alarm)) = (EventKind::of(kind_text), serde_json::from_str::<Alarm>(body)) else {
                continue;
            };
            let enterprise = owners.owner(&alarm.source);
            for (sub, _) in &subs {
                if sub.wants.wants(kind, &alarm, enterprise) {
                    tx.execute(
                        "INSERT INTO outbox (subscription, seq, kind, payload, attempts, next_at)
                         VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                        args![sub.id, *seq, kind_text, &payload(*seq, kind_text, time, &alarm), now],
                    )?;
                }
            }
        }
        if let Some(last) = events.last() {
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'notify_cursor'",
                args![&last.0.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(events.len())
    }

    /// Deliveries due at `now` (not delivered, not given up, their next try due), oldest first.
    pub fn due_deliveries(&self, now: &str, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        rows(
            &mut *self.reader()?,
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM outbox
                 WHERE delivered IS NULL AND failed IS NULL AND next_at <= ?1 ORDER BY n LIMIT ?2"
            ),
            args![now, limit as i64],
            delivery,
        )
    }

    /// A subscription's deliveries, newest first (at most `limit`).
    pub fn deliveries(&self, subscription: i64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        rows(
            &mut self.conn(),
            &format!("SELECT {DELIVERY_COLUMNS} FROM outbox WHERE subscription = ?1 ORDER BY n DESC LIMIT ?2"),
            args![subscription, limit as i64],
            delivery,
        )
    }

    /// Records a delivery's try: delivered at `now`, or failed with `error` and due again at
    /// `retry_at` (or given up on when that is `None`).
    pub fn record_try(&self, n: i64, now: &str, outcome: Result<(), (&str, Option<&str>)>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        match outcome {
            Ok(()) => conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, delivered = ?1, last_error = NULL WHERE n = ?2",
                args![now, n],
            )?,
            Err((error, Some(retry_at))) => conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_at = ?1, last_error = ?2 WHERE n = ?3",
                args![retry_at, error, n],
            )?,
            Err((error, None)) => conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, failed = ?1, last_error = ?2 WHERE n = ?3",
                args![now, error, n],
            )?,
        };
        Ok(())
    }

    /// Wakes the notifier: something may be waiting to be told.
    pub fn notify_waiting(&self) {
        self.wake.notify_one();
    }

    /// Waits until [`Store::notify_waiting`] is called (or was, since the last wait).
    pub async fn notified(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(events: &[&str], min_tier: Option<AlarmTier>, rules: &[&str], enterprises: &[&str]) -> NewSubscription {
        NewSubscription {
            via: Via::Webhook,
            target: "http://127.0.0.1:9/hook".into(),
            events: events.iter().map(|s| s.to_string()).collect(),
            min_tier,
            rules: rules.iter().map(|s| s.to_string()).collect(),
            enterprises: enterprises.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_subscriber_gets_the_events_tiers_rules_and_enterprises_it_asked_for() {
        let a = Alarm::new(
            1,
            AlarmTier::Warning,
            "detector_threshold",
            "gd-1",
            1.0,
            "2026-06-01T08:00:00Z",
        );
        let all = sub(&[], None, &[], &[]);
        assert!(all.wants(EventKind::AlarmRaised, &a, None));
        assert!(all.wants(EventKind::AlarmOverdue, &a, None));
        assert!(!all.wants(EventKind::AlarmAcked, &a, None), "not by default");
        assert!(!sub(&[], Some(AlarmTier::Alarm), &[], &[]).wants(EventKind::AlarmRaised, &a, None));
        assert!(!sub(&[], None, &["vehicle_speeding"], &[]).wants(EventKind::AlarmRaised, &a, None));
        let ent = sub(&[], None, &[], &["ent-03"]);
        assert!(ent.wants(EventKind::AlarmRaised, &a, Some("ent-03")));
        assert!(!ent.wants(EventKind::AlarmRaised, &a, Some("ent-04")));
        assert!(!ent.wants(EventKind::AlarmRaised, &a, None));
        let closed = sub(&["alarm_closed"], None, &[], &[]);
        assert!(closed.wants(EventKind::AlarmClosed, &a, None) && !closed.wants(EventKind::AlarmRaised, &a, None));
        let mut shelved = a.clone();
        shelved.shelved = Some(Box::new(parktwin_api::alarm_life::Shelving {
            reason: "r".into(),
            until: "2026-06-01T09:00:00Z".into(),
            by: "x".into(),
            at: "2026-06-01T08:00:00Z".into(),
        }));
        assert!(
            !all.wants(EventKind::AlarmOverdue, &shelved, None),
            "a shelved alarm tells nobody"
        );
    }

    #[test]
    fn a_bad_subscription_names_each_field() {
        let mut s = sub(&["alarm_raised", "observation"], None, &["nope"], &[]);
        s.target = "ftp://example.org/x".into();
        let p = s.problems(false);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("target") && p[1].contains("observation") && p[2].contains("nope"));
        let mail = NewSubscription {
            via: Via::Email,
            target: "not an address".into(),
            ..sub(&[], None, &[], &[])
        };
        let p = mail.problems(false);
        assert!(p[0].starts_with("target") && p[1].contains("--smtp"), "{p:?}");
        let ok = NewSubscription {
            via: Via::Email,
            target: "duty@park.example".into(),
            ..sub(&[], None, &[], &[])
        };
        assert!(ok.problems(true).is_empty());
    }
}
