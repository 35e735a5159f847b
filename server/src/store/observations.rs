//! Detectors' and stations' readings: the ingest with the detector threshold rule, and the
//! offline rule for detectors gone silent.

use parktwin_api::alarms::{OFFLINE_AFTER_S, detector_rule, offline_rule};
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{IngestReceipt, Observation, SensorLevel};

use super::{Store, StoreError, row, rows};
use crate::db::{Conn, Tx, args};

impl Store {
    /// Stores a checked batch of observations and their events, and applies the detector
    /// threshold rule to each reading newer than the sensor's last: all of it or, on any error,
    /// none.
    pub fn ingest_observations(&self, batch: &[Observation]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for o in batch {
            let newest = Self::newest(
                &mut tx,
                "SELECT max(time) FROM observations WHERE sensor = ?1",
                &o.sensor,
            )?;
            last = Self::append_event(&mut tx, &o.time, EventKind::Observation, &serde_json::to_string(o)?)?;
            tx.execute(
                "INSERT INTO observations (sensor, time, value, seq) VALUES (?1, ?2, ?3, ?4)",
                args![&o.sensor, &o.time, o.value, last],
            )?;
            if newest.as_deref().is_some_and(|n| o.time.as_str() < n) {
                continue; // a late reading does not decide the sensor's present state
            }
            let (warn, alarm) = index.sensors.get(&o.sensor).copied().unwrap_or_default();
            // A reading ends the silence.
            if let Some(seq) = Self::apply_rule(
                &mut tx,
                AlarmRule::DetectorOffline,
                &o.sensor,
                &o.time,
                o.value,
                |open| offline_rule(open, 0, OFFLINE_AFTER_S),
            )? {
                last = seq;
            }
            let level = SensorLevel::of(Some(o.value), warn, alarm);
            if let Some(seq) = Self::apply_rule(
                &mut tx,
                AlarmRule::DetectorThreshold,
                &o.sensor,
                &o.time,
                o.value,
                |open| detector_rule(open, level),
            )? {
                last = seq;
            }
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// The newest time a `max(time)` query of one key finds (`None` before the first).
    fn newest(tx: &mut dyn Conn, sql: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(row(tx, sql, args![key], |r| Ok(r.opt_string(0)?))?.flatten())
    }

    /// Raises an offline alarm for each detector that has reported but has been silent for
    /// more than [`OFFLINE_AFTER_S`] at `now`; returns how many were raised.
    pub fn check_offline(&self, now: time::OffsetDateTime) -> Result<usize, StoreError> {
        let cutoff = parktwin_api::clock::format_utc(now - time::Duration::seconds(OFFLINE_AFTER_S));
        let stamp = parktwin_api::clock::format_utc(now);
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let silent: Vec<String> = rows(
            &mut tx,
            "SELECT o.sensor FROM observations o JOIN features f ON f.id = o.sensor AND f.layer_id = 'detectors'
             GROUP BY o.sensor HAVING max(o.time) < ?1",
            args![&cutoff],
            |r| Ok(r.string(0)?),
        )?;
        let mut raised = 0;
        for id in silent {
            let rule = |open| offline_rule(open, OFFLINE_AFTER_S + 1, OFFLINE_AFTER_S);
            if Self::apply_rule(&mut tx, AlarmRule::DetectorOffline, &id, &stamp, 0.0, rule)?.is_some() {
                raised += 1;
            }
        }
        tx.commit()?;
        Ok(raised)
    }
}
