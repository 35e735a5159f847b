//! The one reducer: events of the log folded into the live state the map draws. Live data and
//! replay go through this same function.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::kinds::EventKind;

use crate::model::{
    Alarm, Event, Observation, PassDirection, PassRecord, SensorLevel, SensorState, VehiclePosition, Waybill,
    WeatherReport,
};

/// An event of the log decoded for the reducer. Decoding the JSON payload is most of the cost
/// of folding an event in; the client's feed does it on its own thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A sensor's reading.
    Observation(Observation),
    /// A vehicle's fix.
    Position(VehiclePosition),
    /// An alarm raised, escalated, acknowledged, … or closed (boxed: an alarm with its
    /// lifecycle is several times the size of the other changes).
    Alarm(Box<Alarm>),
    /// A waybill registered.
    Waybill(Waybill),
    /// A pass at a gate.
    Pass(PassRecord),
    /// A weather report.
    Weather(WeatherReport),
    /// An incident started, updated (a wind shift) or closed (boxed: an incident is many times
    /// the size of the other changes, which stream by the thousand).
    Incident(Box<crate::incident::Incident>),
    /// A task given or moved on (boxed, as an alarm).
    Task(Box<crate::emergency::Task>),
    /// A message sent.
    Message(Box<crate::emergency::Message>),
    /// Anything the live state does not hold (or a payload that does not decode).
    Other,
}

impl Change {
    /// Decodes an event of the log. Only the live channel changes the live state: a drill's
    /// events (channel `drill:<id>`) are never live, whatever their kind.
    pub fn of(ev: &Event) -> Self {
        if ev.channel != "live" {
            return Change::Other;
        }
        let p = &ev.payload;
        let Some(kind) = EventKind::of(&ev.kind) else {
            return Change::Other; // a kind this build does not know
        };
        let decoded = match kind {
            EventKind::Observation => Observation::deserialize(p).map(Change::Observation),
            EventKind::Position => VehiclePosition::deserialize(p).map(Change::Position),
            k if k.is_alarm() => Alarm::deserialize(p).map(|a| Change::Alarm(Box::new(a))),
            EventKind::Waybill => Waybill::deserialize(p).map(Change::Waybill),
            EventKind::Pass => PassRecord::from_stored(ev.seq, p).map(Change::Pass),
            EventKind::Weather => WeatherReport::deserialize(p).map(Change::Weather),
            k if k.is_incident() => crate::incident::Incident::deserialize(p).map(|i| Change::Incident(Box::new(i))),
            EventKind::TaskAssigned | EventKind::TaskUpdated => {
                crate::emergency::Task::deserialize(p).map(|t| Change::Task(Box::new(t)))
            }
            EventKind::MessageSent => crate::emergency::Message::deserialize(p).map(|m| Change::Message(Box::new(m))),
            _ => Ok(Change::Other),
        };
        decoded.unwrap_or(Change::Other)
    }
}

/// How far back the gates' pass counters reach, seconds.
pub const PASS_WINDOW_S: i64 = 24 * 3600;

/// How long a vehicle stays on the map after its last fix, seconds: a truck not heard from for
/// two hours has left the park (or its tracker has gone dark, which the vehicle rules raise
/// alarms for). Its fixes stay in the log (`GET /vehicles/{plate}/track`). Without this bound a
/// wall that runs for months would hold every plate that ever came by.
pub const VEHICLE_GONE_S: i64 = 2 * 3600;

/// How many of the newest messages the state keeps: the panel and the wall show the last few;
/// every one stays in the log (`GET /incidents/{id}/messages`).
pub const MESSAGES_KEPT: usize = 30;

/// What the map shows now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// The last event folded in.
    pub cursor: i64,
    /// Each sensor's latest reading and level.
    pub sensors: HashMap<String, SensorState>,
    /// Each vehicle's latest fix.
    pub vehicles: HashMap<String, VehiclePosition>,
    /// Open alarms by id.
    pub alarms: BTreeMap<i64, Alarm>,
    /// Each weather station's latest report.
    pub weather: HashMap<String, WeatherReport>,
    /// Each plate's registered waybill (the latest registered).
    pub waybills: HashMap<String, Waybill>,
    /// The passes at the gates in the last [`PASS_WINDOW_S`] before the newest, by seq.
    pub passes: BTreeMap<i64, PassRecord>,
    /// Open incidents by id.
    pub incidents: BTreeMap<String, crate::incident::Incident>,
    /// The open incidents' tasks by id (done ones too, until their incident closes).
    pub tasks: BTreeMap<i64, crate::emergency::Task>,
    /// The newest [`MESSAGES_KEPT`] messages, oldest first.
    pub messages: Vec<crate::emergency::Message>,
    /// Each device's named quantities' latest readings folded in (a drill's tank rising):
    /// device → quantity → (value, time). A reading of a device's first quantity sent
    /// unnamed is a sensor's, above.
    pub device_readings: HashMap<String, BTreeMap<String, (f64, String)>>,
}

impl LiveState {
    /// A state from the server's snapshot of sensors and vehicles, at `cursor`.
    pub fn from_snapshot(
        cursor: i64,
        sensors: Vec<SensorState>,
        vehicles: Vec<VehiclePosition>,
        alarms: Vec<Alarm>,
    ) -> Self {
        let newest = vehicles.iter().map(|v| v.time.clone()).max();
        let mut state = Self {
            cursor,
            sensors: sensors.into_iter().map(|s| (s.id.clone(), s)).collect(),
            vehicles: vehicles.into_iter().map(|v| (v.plate.clone(), v)).collect(),
            alarms: alarms
                .into_iter()
                .filter(|a| a.closed.is_none())
                .map(|a| (a.id, a))
                .collect(),
            weather: HashMap::new(),
            waybills: HashMap::new(),
            passes: BTreeMap::new(),
            incidents: BTreeMap::new(),
            tasks: BTreeMap::new(),
            messages: Vec::new(),
            device_readings: HashMap::new(),
        };
        if let Some(n) = newest {
            state.forget_gone(&n);
        }
        state
    }

    /// The state before the log's first event, where a replay starts: the park's sensors
    /// (from `GET /sensors`) with no reading yet, and nothing else.
    pub fn before_the_log(sensors: Vec<SensorState>) -> Self {
        let quiet = sensors
            .into_iter()
            .map(|s| SensorState {
                value: None,
                time: None,
                level: SensorLevel::NoData,
                ..s
            })
            .collect();
        Self::from_snapshot(0, quiet, Vec::new(), Vec::new())
    }

    /// Adds passes (from `GET /passes`, or one from the log), each once, keeping the day
    /// before the newest added.
    pub fn add_passes(&mut self, passes: impl IntoIterator<Item = PassRecord>) {
        let mut newest: Option<String> = None;
        for p in passes {
            if newest.as_ref().is_none_or(|n| p.time > *n) {
                newest = Some(p.time.clone());
            }
            self.passes.insert(p.seq, p);
        }
        if let Some(cutoff) = newest.as_deref().and_then(|t| shifted(t, -PASS_WINDOW_S)) {
            self.passes.retain(|_, p| p.time >= cutoff);
        }
    }

    /// Forgets the vehicles whose last fix is [`VEHICLE_GONE_S`] before `newest` (a fix's
    /// time).
    pub fn forget_gone(&mut self, newest: &str) {
        if let Some(cutoff) = shifted(newest, -VEHICLE_GONE_S) {
            self.vehicles.retain(|_, v| v.time >= cutoff);
        }
    }

    /// Each gate's passes in and out over the last day.
    pub fn gate_counts(&self) -> BTreeMap<String, (usize, usize)> {
        let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for p in self.passes.values() {
            let c = out.entry(p.gate.clone()).or_default();
            match p.direction {
                PassDirection::In => c.0 += 1,
                PassDirection::Out => c.1 += 1,
            }
        }
        out
    }

    /// Folds one event in. Events at or before the cursor are ignored (a page fetched twice
    /// changes nothing); a reading or fix older than the one held does not replace it.
    pub fn apply(&mut self, ev: &Event) {
        if ev.seq > self.cursor {
            self.apply_change(ev.seq, Change::of(ev));
        }
    }

    /// Folds in one event already decoded by [`Change::of`] (the feed decodes off the frame
    /// loop); the same rules as [`LiveState::apply`].
    pub fn apply_change(&mut self, seq: i64, change: Change) {
        if seq <= self.cursor {
            return;
        }
        self.cursor = seq;
        match change {
            Change::Observation(o) => {
                // A detector's reading is of its first quantity; a device's named quantity is
                // kept apart, for the device layers.
                match o.quantity {
                    None => {
                        if let Some(s) = self.sensors.get_mut(&o.sensor)
                            && s.time.as_ref().is_none_or(|t| *t <= o.time)
                        {
                            s.value = Some(o.value);
                            s.level = SensorLevel::of(s.value, s.warn, s.alarm);
                            s.time = Some(o.time);
                        }
                    }
                    Some(q) => {
                        let readings = self.device_readings.entry(o.sensor).or_default();
                        if readings.get(&q).is_none_or(|(_, t)| *t <= o.time) {
                            readings.insert(q, (o.value, o.time));
                        }
                    }
                }
            }
            Change::Position(p) => {
                // The common case, a known truck's next fix, replaces in place.
                match self.vehicles.get_mut(&p.plate) {
                    Some(v) if v.time <= p.time => *v = p,
                    Some(_) => {}
                    None => {
                        let newest = p.time.clone();
                        self.vehicles.insert(p.plate.clone(), p);
                        // A new plate: a good moment to forget the ones long gone.
                        self.forget_gone(&newest);
                    }
                }
            }
            Change::Alarm(a) => {
                if a.closed.is_some() {
                    self.alarms.remove(&a.id);
                } else {
                    self.alarms.insert(a.id, *a);
                }
            }
            Change::Waybill(w) => {
                // Waybills that ended a day before this one began are history.
                if let Some(cutoff) = shifted(&w.valid_from, -PASS_WINDOW_S) {
                    self.waybills.retain(|_, old| old.valid_to >= cutoff);
                }
                self.waybills.insert(w.plate.clone(), w);
            }
            Change::Pass(p) => self.add_passes([p]),
            Change::Weather(w) => {
                let newer = self.weather.get(&w.station).is_none_or(|x| x.time <= w.time);
                if newer {
                    self.weather.insert(w.station.clone(), w);
                }
            }
            Change::Incident(i) => {
                if i.closed.is_some() {
                    self.tasks.retain(|_, t| t.incident != i.id);
                    self.incidents.remove(&i.id);
                } else {
                    self.incidents.insert(i.id.clone(), *i);
                }
            }
            Change::Task(t) => {
                self.tasks.insert(t.id, *t);
            }
            Change::Message(m) => self.add_messages([*m]),
            Change::Other => {}
        }
    }

    /// Adds messages (from `GET /messages`, or one from the log), each once, keeping the
    /// newest [`MESSAGES_KEPT`].
    pub fn add_messages(&mut self, messages: impl IntoIterator<Item = crate::emergency::Message>) {
        for m in messages {
            if !self.messages.iter().any(|x| x.id == m.id) {
                self.messages.push(m);
            }
        }
        self.messages.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
        let extra = self.messages.len().saturating_sub(MESSAGES_KEPT);
        self.messages.drain(..extra);
    }

    /// The tasks serving the incident `id`, in the order they were given.
    pub fn tasks_of(&self, id: &str) -> Vec<&crate::emergency::Task> {
        let mut out: Vec<_> = self.tasks.values().filter(|t| t.serves(id)).collect();
        out.sort_by(|a, b| a.assigned.cmp(&b.assigned).then(a.id.abs().cmp(&b.id.abs())));
        out
    }

    /// A digest of the state, to compare a state reached live with one reached by replay.
    pub fn digest(&self) -> u64 {
        let mut parts: Vec<String> = self
            .sensors
            .values()
            .map(|s| format!("s{}={:?}@{:?}", s.id, s.value, s.time))
            .chain(
                self.vehicles
                    .values()
                    .map(|v| format!("v{}={},{}@{}", v.plate, v.lon, v.lat, v.time)),
            )
            .chain(self.alarms.values().map(|a| format!("a{}={:?}", a.id, a.tier)))
            .chain(self.passes.keys().map(|seq| format!("p{seq}")))
            .chain(self.waybills.values().map(|w| format!("w{}={}", w.plate, w.id)))
            .chain(self.incidents.values().map(|i| format!("i{}={}", i.id, i.shifts.len())))
            .chain(self.tasks.values().map(|t| format!("t{}={}", t.id, t.status.as_str())))
            .chain(self.messages.iter().map(|m| format!("m{}", m.id)))
            .collect();
        parts.sort();
        parts.join("|").bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
}

/// A stored time moved by `s` seconds, as stored.
fn shifted(t: &str, s: i64) -> Option<String> {
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
    Some(crate::clock::format_utc(t + time::Duration::seconds(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sensor() -> SensorState {
        SensorState {
            id: "gd-1".into(),
            layer: "detectors".into(),
            kind: "toxic_gas".into(),
            unit: Some("ppm".into()),
            warn: Some(1.0),
            alarm: Some(2.0),
            value: None,
            time: None,
            level: SensorLevel::NoData,
        }
    }

    fn ev(seq: i64, kind: &str, payload: serde_json::Value) -> Event {
        Event {
            seq,
            time: "2026-01-01T00:00:00.000Z".into(),
            recorded: "2026-01-01T00:00:00.000Z".into(),
            channel: "live".into(),
            kind: kind.into(),
            payload,
        }
    }

    #[test]
    fn trucks_gone_two_hours_and_old_waybills_are_forgotten() {
        let fix = |seq: i64, plate: &str, t: &str| {
            ev(
                seq,
                "position",
                json!({"plate": plate, "time": t, "lon": 118.45, "lat": 37.57, "speed_kmh": 0.0, "heading_deg": 0.0}),
            )
        };
        let mut s = LiveState::default();
        s.apply(&fix(1, "A1", "2026-01-01T00:00:00.000Z"));
        s.apply(&fix(2, "A2", "2026-01-01T01:00:00.000Z"));
        s.apply(&fix(3, "A3", "2026-01-01T02:30:00.000Z"));
        let plates: Vec<&String> = s.vehicles.keys().collect();
        assert_eq!(plates.len(), 2, "A1 was last heard 2.5 h before A3: {plates:?}");
        assert!(!s.vehicles.contains_key("A1"));
        let bill = |seq: i64, plate: &str, from: &str, to: &str| {
            ev(
                seq,
                "waybill",
                json!({"id": format!("wb-{seq}"), "plate": plate, "un_number": "1017", "cargo": "chlorine",
                "tonnes": 10.0, "valid_from": from, "valid_to": to, "destination": null, "route": []}),
            )
        };
        s.apply(&bill(4, "A1", "2026-01-01T00:00:00.000Z", "2026-01-01T06:00:00.000Z"));
        s.apply(&bill(5, "A2", "2026-01-02T05:00:00.000Z", "2026-01-02T12:00:00.000Z"));
        assert_eq!(s.waybills.len(), 2, "A1's ended 23 h before A2's began: kept");
        s.apply(&bill(6, "A3", "2026-01-03T07:00:00.000Z", "2026-01-03T12:00:00.000Z"));
        assert!(
            !s.waybills.contains_key("A1") && s.waybills.contains_key("A2"),
            "{:?}",
            s.waybills.keys()
        );
    }

    #[test]
    fn a_drills_events_never_change_the_live_state() {
        let mut s = LiveState::from_snapshot(0, vec![sensor()], vec![], vec![]);
        let mut drill = ev(
            1,
            "observation",
            json!({"sensor": "gd-1", "time": "2026-01-01T00:00:10.000Z", "value": 9.0}),
        );
        drill.channel = "drill:drill-1".into();
        s.apply(&drill);
        assert_eq!(s.sensors["gd-1"].level, SensorLevel::NoData);
        s.apply(&ev(
            2,
            "observation",
            json!({"sensor": "gd-1", "time": "2026-01-01T00:00:10.000Z", "value": 9.0}),
        ));
        assert_eq!(s.sensors["gd-1"].level, SensorLevel::Alarm);
    }

    #[test]
    fn readings_fixes_and_alarms_fold_in_order() {
        let mut s = LiveState::from_snapshot(0, vec![sensor()], vec![], vec![]);
        s.apply(&ev(
            1,
            "observation",
            json!({"sensor": "gd-1", "time": "2026-01-01T00:00:10.000Z", "value": 1.5}),
        ));
        assert_eq!(s.sensors["gd-1"].level, SensorLevel::Warning);
        // An older reading arriving later does not replace the newer one.
        s.apply(&ev(
            2,
            "observation",
            json!({"sensor": "gd-1", "time": "2026-01-01T00:00:05.000Z", "value": 0.1}),
        ));
        assert_eq!(s.sensors["gd-1"].value, Some(1.5));
        // A page fetched twice changes nothing.
        let before = s.clone();
        s.apply(&ev(
            2,
            "observation",
            json!({"sensor": "gd-1", "time": "2026-01-01T00:00:20.000Z", "value": 9.0}),
        ));
        assert_eq!(s, before);
        s.apply(&ev(
            3,
            "position",
            json!({"plate": "A1", "time": "2026-01-01T00:00:10.000Z", "lon": 118.4, "lat": 37.5}),
        ));
        assert_eq!(s.vehicles["A1"].lon, 118.4);
        let alarm = json!({"id": 7, "tier": "warning", "rule": "detector_threshold", "source": "gd-1", "value": 1.5,
                           "raised": "2026-01-01T00:00:10.000Z", "closed": null});
        s.apply(&ev(4, "alarm_raised", alarm.clone()));
        assert_eq!(s.alarms.len(), 1);
        let mut closed = alarm;
        closed["closed"] = json!("2026-01-01T00:01:00.000Z");
        s.apply(&ev(5, "alarm_closed", closed));
        assert!(s.alarms.is_empty());
        assert_eq!(s.cursor, 5);
    }

    #[test]
    fn gate_counters_count_each_pass_once_and_only_the_last_day() {
        let pass = |seq: i64, time: &str, dir: &str| {
            ev(
                seq,
                "pass",
                json!({"gate": "gate-hazmat", "time": time, "plate": "A1", "direction": dir, "hazmat": true}),
            )
        };
        let mut s = LiveState::from_snapshot(0, vec![], vec![], vec![]);
        s.apply(&pass(1, "2026-01-01T00:00:00.000Z", "in"));
        s.apply(&pass(2, "2026-01-01T06:00:00.000Z", "out"));
        s.apply(&pass(3, "2026-01-01T12:00:00.000Z", "in"));
        // The snapshot's list overlapping the events changes nothing.
        s.add_passes(s.passes.values().cloned().collect::<Vec<_>>());
        assert_eq!(s.gate_counts()["gate-hazmat"], (2, 1));
        // A day after the first, it no longer counts.
        s.apply(&pass(4, "2026-01-02T03:00:00.000Z", "in"));
        assert_eq!(s.gate_counts()["gate-hazmat"], (2, 1));
    }

    #[test]
    fn the_same_events_give_the_same_digest_in_any_batching() {
        let events: Vec<Event> = (1..=20)
            .map(|i| ev(i, "observation", json!({"sensor": "gd-1", "time": format!("2026-01-01T00:00:{i:02}.000Z"), "value": i as f64 / 10.0})))
            .collect();
        let mut a = LiveState::from_snapshot(0, vec![sensor()], vec![], vec![]);
        events.iter().for_each(|e| a.apply(e));
        let mut b = LiveState::from_snapshot(0, vec![sensor()], vec![], vec![]);
        events.iter().chain(events.iter()).for_each(|e| b.apply(e));
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn tasks_and_messages_are_live_until_their_incident_closes_and_a_drills_never_are() {
        use crate::emergency::{Message, Task, TaskStatus};
        let task = Task::assigned(
            1,
            "inc-1",
            "fire brigade",
            "Water curtain",
            "duty",
            "2026-01-01T00:00:00.000Z",
        );
        let mut s = LiveState::default();
        s.apply(&ev(1, "task_assigned", serde_json::to_value(&task).expect("as made")));
        let moved = task
            .advance(TaskStatus::EnRoute, None, "2026-01-01T00:01:00.000Z")
            .expect("as made");
        s.apply(&ev(2, "task_updated", serde_json::to_value(&moved).expect("as made")));
        assert_eq!(
            s.tasks_of("inc-1").iter().map(|t| t.status).collect::<Vec<_>>(),
            [TaskStatus::EnRoute]
        );
        for n in 0..40 {
            let m = Message {
                id: n,
                incident: "inc-1".into(),
                to: "everyone".into(),
                text: format!("message {n}"),
                by: "duty".into(),
                time: format!("2026-01-01T00:{:02}:00.000Z", n + 2),
            };
            s.apply(&ev(3 + n, "message_sent", serde_json::to_value(&m).expect("as made")));
        }
        assert_eq!(s.messages.len(), MESSAGES_KEPT);
        assert_eq!(
            s.messages.last().map(|m| m.text.as_str()),
            Some("message 39"),
            "the newest last"
        );
        // A drill's task on its channel is not live.
        let mut drill = ev(
            50,
            "drill_task",
            json!({"type": "task", "at": "+00:10", "team": "fire", "text": "Foam"}),
        );
        drill.channel = "drill:drill-1".into();
        s.apply(&drill);
        assert_eq!(s.tasks.len(), 1);
        // Closing the incident takes its tasks off.
        let mut inc: crate::incident::Incident = serde_json::from_value(json!({
            "id": "inc-1", "lon": 118.45, "lat": 37.57, "height_m": 1.0, "chemical": "chlorine",
            "rate_kg_s": 1.0, "mass_kg": null, "duration_s": null, "start": "2026-01-01T00:00:00.000Z",
            "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 0.0, "temperature_c": 20.0, "cloud_oktas": null, "stability": "D"},
            "station": null, "shifts": [], "levels": "aegl", "origin": null, "note": null, "created_by": "duty", "closed": null
        }))
        .expect("an incident");
        s.apply(&ev(
            51,
            "incident_started",
            serde_json::to_value(&inc).expect("as made"),
        ));
        assert_eq!(s.tasks.len(), 1);
        inc.closed = Some("2026-01-01T01:00:00.000Z".into());
        s.apply(&ev(52, "incident_closed", serde_json::to_value(&inc).expect("as made")));
        assert!(s.tasks.is_empty() && s.incidents.is_empty());
    }
}
