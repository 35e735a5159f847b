//! Devices' readings: the ingest, which stores each reading, keeps each quantity's latest with
//! its band and its minute, hour and day rollups, and applies the rules (the detectors' own
//! threshold and offline rules; every other quantity's thresholds with their deadband, rate of
//! change, day's budget and permit); and the sweep for detectors and quantities gone silent.

use std::collections::HashMap;

use parktwin_api::alarms::{AlarmAction, OFFLINE_AFTER_S, detector_rule, offline_rule};
use parktwin_api::clock::unix_seconds;
use parktwin_api::device::{Device, DeviceState, Quantity};
use parktwin_api::device_rules::{Band, band, limit_rule, rate_per_min, silenced, source, threshold_rule};
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{AlarmTier, IngestReceipt, Observation, SensorLevel};
use parktwin_api::readings::{Step, bucket_start};

use super::{ParkIndex, Store, StoreError, row, rows};
use crate::db::{Conn, Tx, args};

/// A bucket's readings summed up: (n, sum, min, max).
type Agg = (i64, f64, f64, f64);

/// A quantity's stored key: its device (or sensor) and its quantity (`""`: the first).
type Key = (String, String);

impl Store {
    /// Stores a checked batch of observations and their events, keeps each quantity's latest
    /// and rollups, and applies the rules to each reading newer than its quantity's last: all of
    /// it or, on any error, none.
    pub fn ingest_observations(&self, batch: &[Observation]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        let mut buckets: HashMap<(Key, Step, String), Agg> = HashMap::new();
        // Each quantity's newest reading of the batch, for the rules over its day.
        let mut newest: HashMap<Key, String> = HashMap::new();
        for o in batch {
            let key: Key = (o.sensor.clone(), o.quantity.clone().unwrap_or_default());
            last = Self::append_event(&mut tx, &o.time, EventKind::Observation, &serde_json::to_string(o)?)?;
            tx.execute(
                "INSERT INTO observations (sensor, quantity, time, value, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![&o.sensor, key.1.as_str(), &o.time, o.value, last],
            )?;
            for step in Step::ROLLUPS {
                if let Some(b) = bucket_start(&o.time, step, index.offset()) {
                    let agg = buckets
                        .entry((key.clone(), step, b))
                        .or_insert((0, 0.0, o.value, o.value));
                    *agg = (agg.0 + 1, agg.1 + o.value, agg.2.min(o.value), agg.3.max(o.value));
                }
            }
            let before = row(
                &mut tx,
                "SELECT time, value, band FROM device_latest WHERE device = ?1 AND quantity = ?2",
                args![&o.sensor, key.1.as_str()],
                |r| Ok((r.string(0)?, r.real(1)?, r.int(2)?)),
            )?;
            if before.as_ref().is_some_and(|(t, ..)| o.time.as_str() < t.as_str()) {
                continue; // a late reading does not decide the quantity's present state
            }
            let device = index.devices.get(&o.sensor);
            let quantity = device.and_then(|d| d.quantity_of(o.quantity.as_deref()));
            let was = Band::of_rank(before.as_ref().map_or(0, |b| b.2 as i8));
            let now_band = quantity.map_or(Band::Normal, |q| {
                band(o.value, &q.thresholds, q.rules.deadband.unwrap_or(0.0), was)
            });
            tx.execute(
                "INSERT INTO device_latest (device, quantity, time, value, band, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (device, quantity) DO UPDATE SET time = excluded.time, value = excluded.value,
                 band = excluded.band, seq = excluded.seq",
                args![
                    &o.sensor,
                    key.1.as_str(),
                    &o.time,
                    o.value,
                    i64::from(now_band.rank()),
                    last
                ],
            )?;
            newest.insert(key.clone(), o.time.clone());
            let state = device.map_or(DeviceState::InService, |d| d.state);
            let seq = if key.1.is_empty() && index.sensors.contains_key(&o.sensor) {
                Self::detector_rules(&mut tx, &index, o, state)?
            } else if let (Some(d), Some(q)) = (device, quantity) {
                let before = before.map(|(t, v, _)| (unix_seconds(&t), v));
                Self::quantity_rules(&mut tx, d, q, o, now_band, before)?
            } else {
                None
            };
            last = seq.unwrap_or(last);
        }
        for ((key, step, bucket), (n, sum, min, max)) in &buckets {
            tx.execute(
                "INSERT INTO rollups (device, quantity, step, bucket, n, sum, min, max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (device, quantity, step, bucket) DO UPDATE SET n = rollups.n + excluded.n,
                 sum = rollups.sum + excluded.sum,
                 min = CASE WHEN excluded.min < rollups.min THEN excluded.min ELSE rollups.min END,
                 max = CASE WHEN excluded.max > rollups.max THEN excluded.max ELSE rollups.max END",
                args![
                    key.0.as_str(),
                    key.1.as_str(),
                    step.as_str(),
                    bucket.as_str(),
                    *n,
                    *sum,
                    *min,
                    *max
                ],
            )?;
        }
        for ((sensor, stored), time) in &newest {
            if let Some(seq) = Self::day_rules(&mut tx, &index, sensor, stored, time)? {
                last = seq;
            }
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// A detector's own rules: a reading ends its silence, and its level against the layer's
    /// warning and alarm thresholds raises or closes its alarm.
    fn detector_rules(
        tx: &mut dyn Conn,
        index: &ParkIndex,
        o: &Observation,
        state: DeviceState,
    ) -> Result<Option<i64>, StoreError> {
        let (warn, alarm) = index.sensors.get(&o.sensor).copied().unwrap_or_default();
        let offline = Self::apply_rule(tx, AlarmRule::DetectorOffline, &o.sensor, &o.time, o.value, |open| {
            offline_rule(open, 0, OFFLINE_AFTER_S)
        })?;
        let level = SensorLevel::of(Some(o.value), warn, alarm);
        let threshold = Self::apply_rule(tx, AlarmRule::DetectorThreshold, &o.sensor, &o.time, o.value, |open| {
            silenced(detector_rule(open, level), state)
        })?;
        Ok(threshold.or(offline))
    }

    /// A device's quantity's rules at a reading: its thresholds (with the deadband already in
    /// `now_band`), its rate of change since the reading `before` (Unix seconds, value), and the
    /// end of a staleness.
    fn quantity_rules(
        tx: &mut dyn Conn,
        d: &Device,
        q: &Quantity,
        o: &Observation,
        now_band: Band,
        before: Option<(f64, f64)>,
    ) -> Result<Option<i64>, StoreError> {
        let src = source(&d.id, &q.name);
        let mut last = None;
        let t = &q.thresholds;
        if [t.low_low, t.low, t.high, t.high_high].iter().any(Option::is_some) {
            let seq = Self::apply_rule(tx, AlarmRule::DeviceThreshold, &src, &o.time, o.value, |open| {
                silenced(threshold_rule(open, now_band), d.state)
            })?;
            last = seq.or(last);
        }
        if let (Some(max), Some(before)) = (q.rules.max_rate_per_min, before)
            && let Some(rate) = rate_per_min(before, (unix_seconds(&o.time), o.value))
        {
            let seq = Self::apply_rule(tx, AlarmRule::DeviceRate, &src, &o.time, rate, |open| {
                silenced(limit_rule(open, rate.abs() > max, AlarmTier::Warning), d.state)
            })?;
            last = seq.or(last);
        }
        if q.rules.stale_after_s.is_some() {
            let seq = Self::apply_rule(tx, AlarmRule::DeviceStale, &src, &o.time, o.value, |open| {
                offline_rule(open, 0, 0)
            })?;
            last = seq.or(last);
        }
        Ok(last)
    }

    /// The rules over a quantity's day at its newest reading `time`: the day's total against
    /// its budget (a warning), the day's mean against its permit's limit (an alarm).
    fn day_rules(
        tx: &mut dyn Conn,
        index: &ParkIndex,
        sensor: &str,
        stored: &str,
        time: &str,
    ) -> Result<Option<i64>, StoreError> {
        let Some(d) = index.devices.get(sensor) else {
            return Ok(None);
        };
        let Some(q) = d.quantity_of(Some(stored)) else {
            return Ok(None);
        };
        let (budget, permit) = (q.rules.daily_budget, q.rules.permit_daily_mean);
        if budget.is_none() && permit.is_none() {
            return Ok(None);
        }
        let day = bucket_start(time, Step::Day, index.offset()).unwrap_or_default();
        let Some((n, sum)) = row(
            tx,
            "SELECT n, sum FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = 'day' AND bucket = ?3",
            args![sensor, stored, day.as_str()],
            |r| Ok((r.int(0)?, r.real(1)?)),
        )?
        else {
            return Ok(None);
        };
        let src = source(&d.id, &q.name);
        let mut last = None;
        let checks = [
            (AlarmRule::DeviceBudget, budget, sum, AlarmTier::Warning),
            (AlarmRule::DevicePermit, permit, sum / n.max(1) as f64, AlarmTier::Alarm),
        ];
        for (rule, limit, value, tier) in checks {
            let Some(limit) = limit else { continue };
            let seq = Self::apply_rule(tx, rule, &src, time, value, |open| {
                silenced(limit_rule(open, value > limit, tier), d.state)
            })?;
            last = seq.or(last);
        }
        Ok(last)
    }

    /// Raises an offline alarm for each detector that has reported but has been silent for
    /// more than [`OFFLINE_AFTER_S`] at `now`, and a stale warning for each device's quantity
    /// silent for longer than its `stale_after_s`; returns how many were raised.
    pub fn check_offline(&self, now: time::OffsetDateTime) -> Result<usize, StoreError> {
        let index = self.index()?;
        let cutoff = parktwin_api::clock::format_utc(now - time::Duration::seconds(OFFLINE_AFTER_S));
        let stamp = parktwin_api::clock::format_utc(now);
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let silent: Vec<String> = rows(
            &mut tx,
            "SELECT o.sensor FROM observations o JOIN features f ON f.id = o.sensor AND f.layer_id = 'detectors'
             WHERE o.quantity = '' GROUP BY o.sensor HAVING max(o.time) < ?1",
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
        let latest: Vec<(String, String, String)> =
            rows(&mut tx, "SELECT device, quantity, time FROM device_latest", &[], |r| {
                Ok((r.string(0)?, r.string(1)?, r.string(2)?))
            })?;
        for (device, stored, time) in latest {
            let Some(d) = index.devices.get(&device) else { continue };
            let Some(q) = d.quantity_of(Some(&stored)) else {
                continue;
            };
            let Some(limit) = q.rules.stale_after_s else { continue };
            let silent_s = (now.unix_timestamp_nanos() as f64 / 1e9 - unix_seconds(&time)).floor() as i64;
            let rule = |open| silenced(offline_rule(open, silent_s, i64::from(limit)), d.state);
            let raise = |open| match rule(open) {
                AlarmAction::Close => AlarmAction::Keep, // only a reading ends a staleness
                a => a,
            };
            let src = source(&d.id, &q.name);
            if Self::apply_rule(&mut tx, AlarmRule::DeviceStale, &src, &stamp, silent_s as f64, raise)?.is_some() {
                raised += 1;
            }
        }
        tx.commit()?;
        Ok(raised)
    }
}
