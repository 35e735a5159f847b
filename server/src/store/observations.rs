//! Devices' readings: the ingest, which stores each reading, keeps each quantity's latest with
//! its band and its minute, hour and day rollups, and applies the rules (the detectors' own
//! threshold and offline rules; every other quantity's thresholds with their deadband, rate of
//! change, day's budget and permit); and the sweep for detectors and quantities gone silent.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use parktwin_api::alarms::{AlarmAction, OFFLINE_AFTER_S, detector_rule, offline_rule};
use parktwin_api::clock::unix_seconds;
use parktwin_api::device::{Device, DeviceState, Quantity};
use parktwin_api::device_rules::{Band, band, limit_rule, rate_per_min, silenced, source, threshold_rule};
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{AlarmTier, IngestReceipt, Observation, SensorLevel};
use parktwin_api::readings::{Step, bucket_start};

use parktwin_api::alarm_life::AlarmPolicy;
use parktwin_api::model::Alarm;

use super::alarms::{ALARM_COLUMNS, NEW, alarm_of, decided};
use super::{ParkIndex, Store, StoreError, rows};
use crate::db::{Arg, Conn, Tx, args, insert_rows_numbered, write_rows};

/// A bucket's readings summed up: (n, sum, min, max).
type Agg = (i64, f64, f64, f64);

/// A quantity's stored key: its device (or sensor) and its quantity (`""`: the first).
type Key = (String, String);

/// A quantity's latest reading as the rules know it: its time, value and band's rank.
type Latest = (String, f64, i64);

/// An event a batch holds back, in the log's order.
enum Held {
    /// A reading's (its place in the batch).
    Reading(usize),
    /// An alarm's change: the alarm as it then stood, its place among the batch's alarms, the
    /// event's kind, time and note.
    Alarm(Box<Alarm>, usize, EventKind, String, String),
}

/// A batch of readings while it is stored, in the one transaction that holds the write lock.
///
/// What the rules read is read once for the whole batch (each quantity's latest reading, the
/// open alarms of the batch's sources, the alarm policy) and kept in step with what each
/// reading changes, the alarms' changes decided by the same [`decided`] as every other ingest
/// path's. What the batch writes is held back and written a few hundred rows a statement as
/// it ends: the alarms it raised or changed, as they then stand; every event, the readings'
/// and the alarms' in the order they happened; each reading's row and each alarm step's; each
/// quantity's latest once; its rollups once a bucket. On PostgreSQL every statement is a
/// round trip to the server: one a reading and more made the ingest 27–30× slower than
/// SQLite's (BENCHMARKS.md).
struct Ingest<'b> {
    batch: &'b [Observation],
    payloads: Vec<String>,
    held: Vec<Held>,
    /// Each reading's event's seq, once written.
    seqs: Vec<i64>,
    /// Every alarm the batch has read or changed, as it now stands; one it raised has a
    /// negative id (−1 − its place) until it is written.
    alarms: Vec<Alarm>,
    /// The places of the alarms the batch changed.
    changed: BTreeSet<usize>,
    /// The open alarm of each (rule, source) read: its place in `alarms`.
    open: HashMap<(&'static str, String), usize>,
    /// The sources whose open alarms were read.
    read: HashSet<String>,
    policy: AlarmPolicy,
    /// The log's last seq written by the batch.
    last: i64,
}

impl<'b> Ingest<'b> {
    /// Reads the open alarms of `sources` and the alarm policy once; `payloads` are the
    /// readings' events, encoded before the write lock was taken.
    fn begin(
        tx: &mut dyn Conn,
        batch: &'b [Observation],
        payloads: Vec<String>,
        sources: HashSet<String>,
    ) -> Result<Self, StoreError> {
        let mut ingest = Self {
            batch,
            payloads,
            held: Vec::new(),
            seqs: vec![0; batch.len()],
            alarms: Vec::new(),
            changed: BTreeSet::new(),
            open: HashMap::new(),
            read: HashSet::new(),
            policy: Store::policy_in(tx)?,
            last: 0,
        };
        ingest.read_open(tx, sources)?;
        Ok(ingest)
    }

    /// Reads the open alarms of `sources`, in one statement.
    fn read_open(&mut self, tx: &mut dyn Conn, sources: HashSet<String>) -> Result<(), StoreError> {
        let list = serde_json::to_string(&sources)?;
        let open = rows(
            tx,
            &format!(
                "SELECT {ALARM_COLUMNS} FROM alarms WHERE closed IS NULL AND source IN (SELECT value FROM json_each(?1))"
            ),
            args![list.as_str()],
            alarm_of,
        )?;
        for alarm in open {
            if let Some(rule) = AlarmRule::ALL.iter().find(|r| r.as_str() == alarm.rule) {
                self.open
                    .insert((rule.as_str(), alarm.source.clone()), self.alarms.len());
                self.alarms.push(alarm);
            }
        }
        self.read.extend(sources);
        Ok(())
    }

    /// A rule's decision on the open alarm of (rule, source), as [`Store::apply_rule`] makes
    /// it: the alarm's change and its event, held back.
    fn apply_rule(
        &mut self,
        tx: &mut dyn Conn,
        rule: AlarmRule,
        source: &str,
        time: &str,
        value: f64,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<(), StoreError> {
        if !self.read.contains(source) {
            self.read_open(tx, HashSet::from([source.to_string()]))?;
        }
        let key = (rule.as_str(), source.to_string());
        let at = self.open.get(&key).copied();
        let open = at.map(|k| &self.alarms[k]);
        let action = decide(open.filter(|o| o.cleared.is_none()).map(|o| o.tier));
        let Some((mut alarm, kind)) = decided(open, action, rule, source, time, value, &self.policy) else {
            return Ok(());
        };
        let place = match at {
            Some(k) if alarm.id != NEW => k,
            _ => {
                alarm.id = -1 - self.alarms.len() as i64;
                self.alarms.push(alarm.clone());
                self.alarms.len() - 1
            }
        };
        if alarm.closed.is_none() {
            self.open.insert(key, place);
        } else {
            self.open.remove(&key);
        }
        self.alarms[place] = alarm.clone();
        self.changed.insert(place);
        self.held.push(Held::Alarm(
            Box::new(alarm),
            place,
            kind,
            time.to_string(),
            format!("{value}"),
        ));
        Ok(())
    }

    /// Writes what is held back: the alarms raised (reading back their ids) and changed, then
    /// every event in order (reading back their seqs), then the readings' rows and the alarms'
    /// steps that name them.
    fn flush(&mut self, tx: &mut dyn Conn) -> Result<(), StoreError> {
        let (new, known): (Vec<usize>, Vec<usize>) = self.changed.iter().partition(|&&k| self.alarms[k].id < 0);
        let ids = insert_rows_numbered(
            tx,
            "INSERT INTO alarms (rule, source, tier, value, raised, closed, cleared)",
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            "id",
            7,
            &alarm_args(&self.alarms, &new, false),
        )?;
        for (&k, id) in new.iter().zip(ids) {
            self.alarms[k].id = id;
        }
        write_rows(
            tx,
            "INSERT INTO alarms (id, rule, source, tier, value, raised, closed, cleared)",
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            "ON CONFLICT (id) DO UPDATE SET tier = excluded.tier, value = excluded.value,
             closed = excluded.closed, cleared = excluded.cleared",
            8,
            &alarm_args(&self.alarms, &known, true),
        )?;
        self.changed.clear();
        let mut alarm_payloads = Vec::new();
        for held in &mut self.held {
            if let Held::Alarm(alarm, k, ..) = held {
                alarm.id = self.alarms[*k].id;
                alarm_payloads.push(serde_json::to_string(alarm)?);
            }
        }
        let mut payloads = alarm_payloads.iter();
        let events = self
            .held
            .iter()
            .map(|held| match held {
                Held::Reading(k) => {
                    let o = &self.batch[*k];
                    (o.time.as_str(), EventKind::Observation, self.payloads[*k].as_str())
                }
                Held::Alarm(_, _, kind, time, _) => (time.as_str(), *kind, payloads.next().map_or("", String::as_str)),
            })
            .collect::<Vec<_>>();
        let seqs = Store::append_events(tx, "live", &events)?;
        let (mut readings, mut steps) = (Vec::new(), Vec::new());
        for (held, &seq) in self.held.iter().zip(&seqs) {
            match held {
                Held::Reading(k) => {
                    let o = &self.batch[*k];
                    self.seqs[*k] = seq;
                    readings.extend([
                        Arg::Text(&o.sensor),
                        Arg::Text(o.quantity.as_deref().unwrap_or_default()),
                        Arg::Text(&o.time),
                        Arg::Real(o.value),
                        Arg::Int(seq),
                    ]);
                }
                Held::Alarm(alarm, _, kind, time, note) => steps.extend([
                    Arg::Int(alarm.id),
                    Arg::Int(seq),
                    Arg::Text(time),
                    Arg::Text(kind.as_str()),
                    Arg::Null,
                    Arg::Text(note),
                ]),
            }
        }
        write_rows(
            tx,
            "INSERT INTO observations (sensor, quantity, time, value, seq)",
            "(?1, ?2, ?3, ?4, ?5)",
            "",
            5,
            &readings,
        )?;
        write_rows(
            tx,
            "INSERT INTO alarm_steps (alarm, seq, time, step, by_name, note)",
            "(?1, ?2, ?3, ?4, ?5, ?6)",
            "",
            6,
            &steps,
        )?;
        self.last = self.last.max(seqs.last().copied().unwrap_or(0));
        self.held.clear();
        Ok(())
    }
}

/// The columns of the `alarms` at `places` (their ids first, if `with_id`) as
/// [`Ingest::flush`] writes them.
fn alarm_args<'a>(alarms: &'a [Alarm], places: &[usize], with_id: bool) -> Vec<Arg<'a>> {
    let mut args = Vec::new();
    for &k in places {
        let a = &alarms[k];
        if with_id {
            args.push(Arg::Int(a.id));
        }
        args.extend([
            Arg::Text(&a.rule),
            Arg::Text(&a.source),
            Arg::Text(a.tier.as_str()),
            Arg::Real(a.value),
            Arg::Text(&a.raised),
            Arg::from(a.closed.as_deref()),
            Arg::from(a.cleared.as_deref()),
        ]);
    }
    args
}

impl Store {
    /// Stores a checked batch of observations and their events, keeps each quantity's latest
    /// and rollups, and applies the rules to each reading newer than its quantity's last: all of
    /// it or, on any error, none. See [`Ingest`] for how its statements are few.
    pub fn ingest_observations(&self, batch: &[Observation]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        let key_of = |o: &Observation| -> Key { (o.sensor.clone(), o.quantity.clone().unwrap_or_default()) };
        // Each reading's sources of alarms: the detector itself, or its device's quantity.
        let mut sources: HashSet<String> = HashSet::new();
        for o in batch {
            sources.insert(o.sensor.clone());
            if let Some(d) = index.devices.get(&o.sensor)
                && let Some(q) = d.quantity_of(o.quantity.as_deref())
            {
                sources.insert(source(&d.id, &q.name));
            }
        }
        // Encoded before the write lock is taken: that lock is the ingest's one lane.
        let payloads = batch.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut latest = Self::latest_of(&mut tx, batch.iter().map(|o| o.sensor.as_str()))?;
        let mut ingest = Ingest::begin(&mut tx, batch, payloads, sources)?;
        let mut buckets: BTreeMap<(Key, Step, String), Agg> = BTreeMap::new();
        // Each quantity's newest reading of the batch (its place in it), written as its latest.
        let mut changed: BTreeMap<Key, usize> = BTreeMap::new();
        for (k, o) in batch.iter().enumerate() {
            let key = key_of(o);
            ingest.held.push(Held::Reading(k));
            for step in Step::ROLLUPS {
                if let Some(b) = bucket_start(&o.time, step, index.offset()) {
                    let agg = buckets
                        .entry((key.clone(), step, b))
                        .or_insert((0, 0.0, o.value, o.value));
                    *agg = (agg.0 + 1, agg.1 + o.value, agg.2.min(o.value), agg.3.max(o.value));
                }
            }
            let before = latest.get(&key).cloned();
            if before.as_ref().is_some_and(|(t, ..)| o.time.as_str() < t.as_str()) {
                continue; // a late reading does not decide the quantity's present state
            }
            let device = index.devices.get(&o.sensor);
            let quantity = device.and_then(|d| d.quantity_of(o.quantity.as_deref()));
            let was = Band::of_rank(before.as_ref().map_or(0, |b| b.2 as i8));
            let now_band = quantity.map_or(Band::Normal, |q| {
                band(o.value, &q.thresholds, q.rules.deadband.unwrap_or(0.0), was)
            });
            latest.insert(key.clone(), (o.time.clone(), o.value, i64::from(now_band.rank())));
            changed.insert(key.clone(), k);
            let state = device.map_or(DeviceState::InService, |d| d.state);
            if key.1.is_empty() && index.sensors.contains_key(&o.sensor) {
                Self::detector_rules(&mut tx, &mut ingest, &index, o, state)?;
            } else if let (Some(d), Some(q)) = (device, quantity) {
                let before = before.map(|(t, v, _)| (unix_seconds(&t), v));
                Self::quantity_rules(&mut tx, &mut ingest, d, q, o, now_band, before)?;
            }
        }
        ingest.flush(&mut tx)?;
        let mut args = Vec::with_capacity(buckets.len() * 8);
        for ((key, step, bucket), (n, sum, min, max)) in &buckets {
            args.extend([
                Arg::Text(&key.0),
                Arg::Text(&key.1),
                Arg::Text(step.as_str()),
                Arg::Text(bucket),
                Arg::Int(*n),
                Arg::Real(*sum),
                Arg::Real(*min),
                Arg::Real(*max),
            ]);
        }
        write_rows(
            &mut tx,
            "INSERT INTO rollups (device, quantity, step, bucket, n, sum, min, max)",
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            "ON CONFLICT (device, quantity, step, bucket) DO UPDATE SET n = rollups.n + excluded.n,
             sum = rollups.sum + excluded.sum,
             min = CASE WHEN excluded.min < rollups.min THEN excluded.min ELSE rollups.min END,
             max = CASE WHEN excluded.max > rollups.max THEN excluded.max ELSE rollups.max END",
            8,
            &args,
        )?;
        Self::day_rules(&mut tx, &mut ingest, &index, &changed, &latest)?;
        ingest.flush(&mut tx)?;
        let mut args = Vec::with_capacity(changed.len() * 6);
        for (key, &k) in &changed {
            let (time, value, band) = &latest[key];
            args.extend([
                Arg::Text(&key.0),
                Arg::Text(&key.1),
                Arg::Text(time),
                Arg::Real(*value),
                Arg::Int(*band),
                Arg::Int(ingest.seqs[k]),
            ]);
        }
        write_rows(
            &mut tx,
            "INSERT INTO device_latest (device, quantity, time, value, band, seq)",
            "(?1, ?2, ?3, ?4, ?5, ?6)",
            "ON CONFLICT (device, quantity) DO UPDATE SET time = excluded.time, value = excluded.value,
             band = excluded.band, seq = excluded.seq",
            6,
            &args,
        )?;
        let last = ingest.last;
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// The latest reading of each quantity of the `devices`, read in one statement.
    fn latest_of<'a>(
        tx: &mut dyn Conn,
        devices: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<Key, Latest>, StoreError> {
        let devices: BTreeSet<&str> = devices.collect();
        let list = serde_json::to_string(&devices)?;
        Ok(rows(
            tx,
            "SELECT device, quantity, time, value, band FROM device_latest
             WHERE device IN (SELECT value FROM json_each(?1))",
            args![list.as_str()],
            |r| Ok(((r.string(0)?, r.string(1)?), (r.string(2)?, r.real(3)?, r.int(4)?))),
        )?
        .into_iter()
        .collect())
    }

    /// A detector's own rules: a reading ends its silence, and its level against the layer's
    /// warning and alarm thresholds raises or closes its alarm.
    fn detector_rules(
        tx: &mut dyn Conn,
        ingest: &mut Ingest,
        index: &ParkIndex,
        o: &Observation,
        state: DeviceState,
    ) -> Result<(), StoreError> {
        let (warn, alarm) = index.sensors.get(&o.sensor).copied().unwrap_or_default();
        ingest.apply_rule(tx, AlarmRule::DetectorOffline, &o.sensor, &o.time, o.value, |open| {
            offline_rule(open, 0, OFFLINE_AFTER_S)
        })?;
        let level = SensorLevel::of(Some(o.value), warn, alarm);
        ingest.apply_rule(tx, AlarmRule::DetectorThreshold, &o.sensor, &o.time, o.value, |open| {
            silenced(detector_rule(open, level), state)
        })?;
        Ok(())
    }

    /// A device's quantity's rules at a reading: its thresholds (with the deadband already in
    /// `now_band`), its rate of change since the reading `before` (Unix seconds, value), and the
    /// end of a staleness.
    fn quantity_rules(
        tx: &mut dyn Conn,
        ingest: &mut Ingest,
        d: &Device,
        q: &Quantity,
        o: &Observation,
        now_band: Band,
        before: Option<(f64, f64)>,
    ) -> Result<(), StoreError> {
        let src = source(&d.id, &q.name);
        let t = &q.thresholds;
        if [t.low_low, t.low, t.high, t.high_high].iter().any(Option::is_some) {
            ingest.apply_rule(tx, AlarmRule::DeviceThreshold, &src, &o.time, o.value, |open| {
                silenced(threshold_rule(open, now_band), d.state)
            })?;
        }
        if let (Some(max), Some(before)) = (q.rules.max_rate_per_min, before)
            && let Some(rate) = rate_per_min(before, (unix_seconds(&o.time), o.value))
        {
            ingest.apply_rule(tx, AlarmRule::DeviceRate, &src, &o.time, rate, |open| {
                silenced(limit_rule(open, rate.abs() > max, AlarmTier::Warning), d.state)
            })?;
        }
        if q.rules.stale_after_s.is_some() {
            ingest.apply_rule(tx, AlarmRule::DeviceStale, &src, &o.time, o.value, |open| {
                offline_rule(open, 0, 0)
            })?;
        }
        Ok(())
    }

    /// The rules over a quantity's day at its newest reading of the batch: the day's total
    /// against its budget (a warning), the day's mean against its permit's limit (an alarm).
    /// The days' rollups, already written, are read in one statement.
    fn day_rules(
        tx: &mut dyn Conn,
        ingest: &mut Ingest,
        index: &ParkIndex,
        changed: &BTreeMap<Key, usize>,
        latest: &HashMap<Key, Latest>,
    ) -> Result<(), StoreError> {
        // The quantities with a day's rule, each with its device, quantity and day.
        let mut due = Vec::new();
        for key in changed.keys() {
            let Some(d) = index.devices.get(&key.0) else { continue };
            let Some(q) = d.quantity_of(Some(&key.1)) else { continue };
            if q.rules.daily_budget.is_none() && q.rules.permit_daily_mean.is_none() {
                continue;
            }
            let time = &latest[key].0;
            let day = bucket_start(time, Step::Day, index.offset()).unwrap_or_default();
            due.push((key, d, q, time, day));
        }
        if due.is_empty() {
            return Ok(());
        }
        let devices = serde_json::to_string(&due.iter().map(|u| u.0.0.as_str()).collect::<BTreeSet<_>>())?;
        let days = serde_json::to_string(&due.iter().map(|u| u.4.as_str()).collect::<BTreeSet<_>>())?;
        let days_of: HashMap<(String, String, String), (i64, f64)> = rows(
            tx,
            "SELECT device, quantity, bucket, n, sum FROM rollups WHERE step = 'day'
             AND device IN (SELECT value FROM json_each(?1)) AND bucket IN (SELECT value FROM json_each(?2))",
            args![devices.as_str(), days.as_str()],
            |r| Ok(((r.string(0)?, r.string(1)?, r.string(2)?), (r.int(3)?, r.real(4)?))),
        )?
        .into_iter()
        .collect();
        for (key, d, q, time, day) in due {
            let Some(&(n, sum)) = days_of.get(&(key.0.clone(), key.1.clone(), day)) else {
                continue;
            };
            let src = source(&d.id, &q.name);
            let checks = [
                (AlarmRule::DeviceBudget, q.rules.daily_budget, sum, AlarmTier::Warning),
                (
                    AlarmRule::DevicePermit,
                    q.rules.permit_daily_mean,
                    sum / n.max(1) as f64,
                    AlarmTier::Alarm,
                ),
            ];
            for (rule, limit, value, tier) in checks {
                let Some(limit) = limit else { continue };
                ingest.apply_rule(tx, rule, &src, time, value, |open| {
                    silenced(limit_rule(open, value > limit, tier), d.state)
                })?;
            }
        }
        Ok(())
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
