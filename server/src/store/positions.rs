//! Vehicle positions and the vehicle rules: speeding, standing still outside the parking lots
//! and off the planned route (inside the fence only), and the incidents' zones.

use parktwin_api::kinds::{AlarmRule, EventKind};
use std::collections::HashMap;

use parktwin_api::alarms::{AlarmAction, PARK_SPEED_LIMIT_KMH, off_route_rule, speeding_rule, stopped_rule};
use parktwin_api::model::{AlarmTier, IngestReceipt, VehiclePosition, Waybill};

use super::alarms::{OpenAlarm, tier_of};
use super::{Store, StoreError, json_rows, rows};
use crate::db::{Conn, Tx, args};

/// Seconds from one stored time to another (0 if either does not parse).
fn seconds_between(from: &str, to: &str) -> i64 {
    use time::format_description::well_known::Rfc3339;
    match (
        time::OffsetDateTime::parse(from, &Rfc3339),
        time::OffsetDateTime::parse(to, &Rfc3339),
    ) {
        (Ok(a), Ok(b)) => (b - a).whole_seconds(),
        _ => 0,
    }
}

/// What the rules know of one vehicle while a batch of positions is stored: read once for
/// the batch ([`Store::vehicles_now`]) and kept in step with what each fix writes, in the one
/// transaction that holds the write lock.
#[derive(Debug, Default)]
struct VehicleNow {
    /// The time of its newest stored fix.
    newest: Option<String>,
    /// Its newest fix of this batch, if it is newer than `newest` was: the fix's place in
    /// the batch and its event's seq (written to `vehicle_latest` once, as the batch ends).
    latest: Option<(usize, i64)>,
    /// While it stands still: the time of its last moving fix (its `vehicle_state` row).
    moving_at: Option<String>,
    /// Its open alarms, each with its rule.
    open: Vec<(AlarmRule, OpenAlarm)>,
    /// Its waybills valid at some time of the batch.
    waybills: Vec<Waybill>,
}

impl VehicleNow {
    /// The waybill valid at `time`: the latest-starting one, if several.
    fn waybill_at(&self, time: &str) -> Option<&Waybill> {
        self.waybills
            .iter()
            .filter(|w| w.valid_from.as_str() <= time && time <= w.valid_to.as_str())
            .max_by(|a, b| a.valid_from.cmp(&b.valid_from))
    }
}

impl Store {
    /// Stores a checked batch of vehicle positions and their events: all or none.
    ///
    /// The batch's vehicles are read once, before its first fix (see [`VehicleNow`]), and
    /// what each fix changes is kept in step: a fix costs its event and its row, and a write
    /// more only when a rule's state changes; each vehicle's latest fix is written once.
    ///
    /// Positions are indexed by second and plate, not by plate and time. An index by plate
    /// put each vehicle's newest entry on a page of its own, so a batch of 500 trucks wrote
    /// 500 index pages (2 MB) to the write-ahead log, half the ingest's time; by second, a
    /// batch's entries sit side by side, a few pages at the index's end.
    pub fn ingest_positions(&self, batch: &[VehiclePosition]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        self.open_zones()?;
        // Encoded before the write lock is taken: that lock is the ingest's one lane.
        let payloads = batch.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut vehicles = Self::vehicles_now(&mut tx, batch)?;
        let mut last = 0;
        for (k, (p, payload)) in batch.iter().zip(&payloads).enumerate() {
            let v = vehicles
                .get_mut(&p.plate)
                .ok_or_else(|| StoreError::Column(format!("vehicle {} was not read back", p.plate)))?;
            let newest = v.newest.clone();
            last = Self::append_event(&mut tx, &p.time, EventKind::Position, payload)?;
            tx.execute(
                "INSERT INTO positions (plate, time, lon, lat, speed_kmh, heading_deg, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![&p.plate, &p.time, p.lon, p.lat, p.speed_kmh, p.heading_deg, last],
            )?;
            if newest.as_deref().is_some_and(|n| p.time.as_str() < n) {
                continue; // a late fix does not decide the vehicle's present state
            }
            v.newest = Some(p.time.clone());
            v.latest = Some((k, last));
            // The park's rules hold inside the fence only, and not for its responders.
            let responder = index.responders.contains(&p.plate);
            let inside = !responder && index.inside_fence(p.lon, p.lat);
            let speed = if inside { p.speed_kmh } else { 0.0 };
            let rule = |open| speeding_rule(open, speed, PARK_SPEED_LIMIT_KMH);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, AlarmRule::VehicleSpeeding, p, p.speed_kmh, rule)? {
                last = seq;
            }
            let stopped_s = Self::stopped_for(&mut tx, v, p, newest.as_deref())?;
            let exempt = !inside || index.in_parking(p.lon, p.lat);
            let stopped = (!exempt).then_some(stopped_s);
            let rule = |open| stopped_rule(open, stopped);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, AlarmRule::VehicleStopped, p, stopped_s as f64, rule)? {
                last = seq;
            }
            let off = match (&index.frame, inside) {
                (Some(frame), true) => v
                    .waybill_at(&p.time)
                    .and_then(|w| parktwin_api::geometry::route_distance_m(frame, &w.route, p.lon, p.lat)),
                _ => None,
            };
            let off_m = off.unwrap_or(0.0);
            let rule = |open| off_route_rule(open, off_m);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, AlarmRule::VehicleOffRoute, p, off_m.round(), rule)? {
                last = seq;
            }
            if !responder && let Some(seq) = self.vehicle_in_zones(&mut tx, p)? {
                last = seq;
            }
        }
        for (k, seq) in vehicles.values().filter_map(|v| v.latest) {
            let p = &batch[k];
            tx.execute(
                "INSERT INTO vehicle_latest (plate, time, lon, lat, speed_kmh, heading_deg, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (plate) DO UPDATE SET time = excluded.time, lon = excluded.lon, lat = excluded.lat,
                   speed_kmh = excluded.speed_kmh, heading_deg = excluded.heading_deg, seq = excluded.seq",
                args![&p.plate, &p.time, p.lon, p.lat, p.speed_kmh, p.heading_deg, seq],
            )?;
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// What the rules need to know of each vehicle of `batch`, as stored: one query for the
    /// newest fixes and standing-still clocks of all its plates, one for their open alarms
    /// and one for their waybills, where reading each fix's vehicle took four.
    fn vehicles_now(tx: &mut dyn Conn, batch: &[VehiclePosition]) -> Result<HashMap<String, VehicleNow>, StoreError> {
        let plates: std::collections::BTreeSet<&str> = batch.iter().map(|p| p.plate.as_str()).collect();
        let plates = serde_json::to_string(&plates)?;
        let mut now = HashMap::new();
        tx.each(
            "SELECT value, (SELECT time FROM vehicle_latest WHERE plate = value),
                    (SELECT moving_at FROM vehicle_state WHERE plate = value)
             FROM json_each(?1)",
            args![&plates],
            &mut |r| {
                let v = VehicleNow {
                    newest: r.opt_string(1)?,
                    moving_at: r.opt_string(2)?,
                    ..VehicleNow::default()
                };
                now.insert(r.string(0)?, v);
                Ok(())
            },
        )?;
        let open = rows(
            tx,
            "SELECT source, rule, id, tier, cleared FROM alarms
             WHERE closed IS NULL AND source IN (SELECT value FROM json_each(?1))",
            args![&plates],
            |r| {
                Ok((
                    r.string(0)?,
                    r.string(1)?,
                    (r.int(2)?, tier_of(r.text(3)?)?, r.opt_text(4)?.is_some()),
                ))
            },
        )?;
        for (plate, rule, alarm) in open {
            // A rule this server does not know is not one of the vehicle rules it applies.
            if let (Some(v), Some(rule)) = (now.get_mut(&plate), AlarmRule::of(&rule)) {
                v.open.push((rule, alarm));
            }
        }
        let (Some(from), Some(to)) = (batch.iter().map(|p| &p.time).min(), batch.iter().map(|p| &p.time).max()) else {
            return Ok(now);
        };
        let waybills: Vec<Waybill> = json_rows(
            tx,
            "SELECT record FROM waybills
             WHERE plate IN (SELECT value FROM json_each(?1)) AND valid_from <= ?3 AND valid_to >= ?2",
            args![&plates, from, to],
        )?;
        for w in waybills {
            if let Some(v) = now.get_mut(&w.plate) {
                v.waybills.push(w);
            }
        }
        Ok(now)
    }

    /// Applies a rule to the fix `p` of the vehicle `v`, with the open alarm the batch knows
    /// of, and keeps that up to date; the seq of the event written, if any.
    fn vehicle_rule(
        tx: &mut dyn Conn,
        v: &mut VehicleNow,
        rule: AlarmRule,
        p: &VehiclePosition,
        value: f64,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<i64>, StoreError> {
        let open = v.open.iter().find(|(r, _)| *r == rule).map(|(_, o)| *o);
        let Some((seq, alarm)) = Self::decide_alarm(tx, rule, &p.plate, &p.time, value, open, decide)? else {
            return Ok(None);
        };
        v.open.retain(|(r, _)| *r != rule);
        if alarm.closed.is_none() {
            v.open.push((rule, (alarm.id, alarm.tier, alarm.cleared.is_some())));
        }
        Ok(Some(seq))
    }

    /// How long (seconds) the vehicle `v` has stood still, as of its fix `p`: since its last
    /// fix at walking pace or faster (`previous` is the fix before `p`, if any); a vehicle's
    /// first fix starts the clock.
    ///
    /// `vehicle_state` holds a row only while a vehicle stands still: the time of its last
    /// moving fix. So a moving fix writes nothing unless the vehicle has just moved off (the
    /// row goes), and a still fix writes only when the vehicle has just stopped: the ingest's
    /// common case, a truck driving, costs no write. (A row written before this rule, for a
    /// vehicle then moving, reads the same: the time of its last moving fix.)
    fn stopped_for(
        tx: &mut dyn Conn,
        v: &mut VehicleNow,
        p: &VehiclePosition,
        previous: Option<&str>,
    ) -> Result<i64, StoreError> {
        let still = p.speed_kmh < 1.0;
        match (v.moving_at.as_deref(), still) {
            (Some(since), true) => Ok(seconds_between(since, &p.time)),
            (Some(_), false) => {
                tx.execute("DELETE FROM vehicle_state WHERE plate = ?1", args![&p.plate])?;
                v.moving_at = None;
                Ok(0)
            }
            (None, true) => {
                // Just stopped: it last moved at the fix before this one (or, for its first
                // fix, now).
                let since = previous.unwrap_or(&p.time);
                tx.execute(
                    "INSERT INTO vehicle_state (plate, moving_at) VALUES (?1, ?2)",
                    args![&p.plate, since],
                )?;
                v.moving_at = Some(since.to_string());
                Ok(seconds_between(since, &p.time))
            }
            (None, false) => Ok(0),
        }
    }
}
