//! A drill on the map: its channel's events folded into the live reducer's changes, timed on
//! the drill's own clock.

use super::{EventKind, ScenarioEvent};
use crate::clock::{format_unix, unix_seconds};
use crate::incident::IncidentWeather;

/// A drill's events as changes of a map's state, so that a drill is shown by the one reducer
/// of the live state, folded from its own channel into a state of its own (never the live
/// one): readings, vehicle fixes, injected alarms and weather as they are; each release as an
/// incident (`<drill>/<release>`, in the drill's weather then), stopped by its `release_stop`
/// and shifted by each later weather event, all timed on the drill's [`DrillClock`]; its tasks
/// and messages as the drill's (numbered below zero, as its alarms).
#[derive(Debug, Clone)]
pub struct DrillFolder {
    drill: String,
    stations: Vec<String>,
    weather: Option<IncidentWeather>,
    releases: std::collections::BTreeMap<String, crate::incident::Incident>,
    clock: Option<DrillClock>,
}

/// A drill's own clock: its scenario's time, which runs `speed` times faster than the wall
/// clock from the moment it started, and stands still once it finished or was stopped. A
/// drill's releases are timed by it, so that a drill played at 60× shows after a minute the
/// plume its scenario has after an hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrillClock {
    /// When the drill started, Unix seconds.
    pub started: f64,
    /// How much faster than written it plays.
    pub speed: f64,
    /// Where its scenario stood when it ended, seconds from its start.
    pub end_s: Option<f64>,
}

impl DrillClock {
    /// The scenario's moment at wall-clock time `now` (Unix seconds), on the wall clock's
    /// scale from the drill's start.
    pub fn at(&self, now: f64) -> f64 {
        let s = ((now - self.started) * self.speed).max(0.0);
        self.started + self.end_s.map_or(s, |e| s.min(e))
    }
}

impl DrillFolder {
    /// A folder for drill `drill`; a weather event that names no station is every one of
    /// `stations`'s.
    pub fn new(drill: &str, stations: Vec<String>) -> Self {
        Self {
            drill: drill.to_string(),
            stations,
            weather: None,
            releases: std::collections::BTreeMap::new(),
            clock: None,
        }
    }

    /// Whether an incident's id is a drill's release (`drill-N/<release>`), not a real one.
    pub fn is_drill_incident(id: &str) -> bool {
        id.starts_with("drill-") && id.contains('/')
    }

    /// The drill's clock, once its start has been read.
    pub fn clock(&self) -> Option<DrillClock> {
        self.clock
    }

    /// The changes one event of the drill's channel makes (none for another channel's).
    pub fn changes(&mut self, ev: &crate::model::Event) -> Vec<crate::live::Change> {
        use crate::live::Change;
        use crate::model::{Alarm, Observation, VehiclePosition, WeatherReport};
        if ev.channel != format!("drill:{}", self.drill) {
            return Vec::new();
        }
        let now = ev.recorded.clone();
        use crate::kinds::EventKind as Logged;
        match Logged::of(&ev.kind) {
            Some(Logged::DrillStarted) => {
                self.weather = serde_json::from_value(ev.payload["weather"].clone()).ok();
                self.clock = Some(DrillClock {
                    started: unix_seconds(&now),
                    speed: ev.payload["speed"].as_f64().unwrap_or(1.0),
                    end_s: None,
                });
                return Vec::new();
            }
            Some(Logged::DrillFinished | Logged::DrillStopped) => {
                if let Some(c) = &mut self.clock {
                    c.end_s = Some(((unix_seconds(&now) - c.started) * c.speed).max(0.0));
                }
                return Vec::new();
            }
            _ => {}
        }
        // The event's moment on the drill's clock (its offset from the start), which times
        // the releases; without the start, when it was played.
        let scenario_now = match (self.clock, ev.payload["at_s"].as_f64()) {
            (Some(c), Some(at_s)) => format_unix(c.started + at_s),
            _ => now.clone(),
        };
        // The scenario's event as written, without what the player added to it.
        let mut written = ev.payload.clone();
        if let Some(o) = written.as_object_mut() {
            o.remove("drill");
            o.remove("at_s");
        }
        let Ok(event) = serde_json::from_value::<ScenarioEvent>(written) else {
            return Vec::new();
        };
        match event.what {
            EventKind::Reading {
                sensor,
                quantity,
                value,
            } => vec![Change::Observation(Observation {
                sensor,
                quantity,
                time: now,
                value,
            })],
            EventKind::Vehicle {
                plate,
                lon,
                lat,
                speed_kmh,
                heading_deg,
            } => vec![Change::Position(VehiclePosition {
                plate,
                time: now,
                lon,
                lat,
                speed_kmh,
                heading_deg,
            })],
            // The drill's own numbering: negative, so that it can never be a live alarm's.
            EventKind::Alarm { source, tier, text } => vec![Change::Alarm(Box::new(Alarm::new(
                -ev.seq,
                tier,
                &format!("drill: {text}"),
                &source,
                0.0,
                &now,
            )))],
            EventKind::Weather { ref station, .. } => {
                let Some(w) = event.what.weather() else {
                    return Vec::new();
                };
                let IncidentWeather {
                    wind_speed_ms,
                    wind_from_deg,
                    temperature_c,
                    cloud_oktas,
                    ref stability,
                } = w;
                let station = station.clone();
                self.weather = Some(w.clone());
                let stations = match station {
                    Some(s) => vec![s],
                    None => self.stations.clone(),
                };
                let mut out: Vec<Change> = stations
                    .into_iter()
                    .map(|station| {
                        Change::Weather(WeatherReport {
                            station,
                            time: now.clone(),
                            wind_speed_ms,
                            wind_from_deg,
                            temperature_c,
                            cloud_oktas,
                        })
                    })
                    .collect();
                for inc in self.releases.values_mut().filter(|i| i.duration_s.is_none()) {
                    let at_s = inc.seconds_at(&scenario_now).unwrap_or(0.0).max(0.0);
                    let class = stability.clone().unwrap_or_else(|| inc.weather_at(at_s).2);
                    inc.shifts.push(crate::incident::WindShift {
                        at_s,
                        wind_speed_ms,
                        wind_from_deg,
                        stability: class,
                    });
                    out.push(Change::Incident(Box::new(inc.clone())));
                }
                out
            }
            EventKind::ReleaseStart {
                release,
                lon,
                lat,
                height_m,
                chemical,
                rate_kg_s,
                mass_kg,
                origin,
            } => {
                let w = self.weather.clone().unwrap_or(IncidentWeather {
                    wind_speed_ms: 2.0,
                    wind_from_deg: 0.0,
                    temperature_c: 20.0,
                    cloud_oktas: None,
                    stability: None,
                });
                let weather = IncidentWeather {
                    stability: Some(w.stability.clone().unwrap_or_else(|| "D".into())),
                    ..w
                };
                let inc = crate::incident::Incident {
                    id: format!("{}/{release}", self.drill),
                    lon,
                    lat,
                    height_m,
                    chemical,
                    hazard: crate::incident::Hazard::Cloud,
                    pool_diameter_m: None,
                    // A drill's release keeps the Gaussian cloud its scenario was written for.
                    cloud_model: crate::incident::CloudModel::Gaussian,
                    blast_strength: None,
                    rate_kg_s,
                    mass_kg,
                    duration_s: None,
                    rate_profile: None,
                    start: scenario_now,
                    weather,
                    station: None,
                    shifts: Vec::new(),
                    levels: "aegl".into(),
                    origin,
                    note: Some(format!("DRILL {}", self.drill)),
                    created_by: format!("drill {}", self.drill),
                    closed: None,
                };
                self.releases.insert(release, inc.clone());
                vec![Change::Incident(Box::new(inc))]
            }
            EventKind::ReleaseStop { release } => match self.releases.get_mut(&release) {
                Some(inc) if inc.rate_kg_s.is_some() => {
                    inc.duration_s = Some(inc.seconds_at(&scenario_now).unwrap_or(0.0).max(0.0));
                    vec![Change::Incident(Box::new(inc.clone()))]
                }
                _ => Vec::new(),
            },
            // The drill's own numbering, as its alarms': negative. Its tasks serve the drill
            // (every release of it), as given; its messages are the drill's.
            EventKind::Task { team, text } => {
                let mut task = crate::emergency::Task::assigned(-ev.seq, &self.drill, &team, &text, "drill", &now);
                task.plan = Some(format!("drill {}", self.drill));
                vec![Change::Task(Box::new(task))]
            }
            EventKind::Message { to, text } => vec![Change::Message(Box::new(crate::emergency::Message {
                id: -ev.seq,
                incident: self.drill.clone(),
                to,
                text,
                by: "drill".into(),
                time: now,
            }))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::unix_seconds;
    use crate::live::Change;
    use crate::model::Event;
    use serde_json::json;

    const START: &str = "2026-11-28T02:00:00.000Z";

    /// An event of drill-1's channel (or `channel`'s), recorded `after_s` wall-clock seconds
    /// after the drill started.
    fn on(channel: &str, seq: i64, after_s: f64, kind: &str, payload: serde_json::Value) -> Event {
        let t = format_unix(unix_seconds(START) + after_s);
        Event {
            seq,
            time: t.clone(),
            recorded: t,
            channel: channel.into(),
            kind: kind.into(),
            payload,
        }
    }

    fn ev(seq: i64, after_s: f64, kind: &str, payload: serde_json::Value) -> Event {
        on("drill:drill-1", seq, after_s, kind, payload)
    }

    /// A drill played at 10×, started in 3 m/s wind from the west.
    fn started() -> DrillFolder {
        let mut f = DrillFolder::new("drill-1", vec!["ws-1".into(), "ws-2".into()]);
        let weather = json!({"wind_speed_ms": 3.0, "wind_from_deg": 270.0, "temperature_c": 12.0});
        assert!(
            f.changes(&ev(
                1,
                0.0,
                "drill_started",
                json!({"drill": "drill-1", "speed": 10.0, "weather": weather})
            ))
            .is_empty()
        );
        f
    }

    fn incident(c: &[Change]) -> &crate::incident::Incident {
        match c {
            [Change::Incident(i)] => i,
            other => panic!("one incident change, got {other:?}"),
        }
    }

    #[test]
    fn another_channel_changes_nothing_and_the_clock_runs_at_the_drills_speed() {
        let mut f = started();
        let reading = json!({"type": "reading", "sensor": "gd-001", "value": 4.0, "at": "+00:10", "at_s": 10.0, "drill": "drill-2"});
        assert!(
            f.changes(&on("drill:drill-2", 2, 1.0, "drill_reading", reading.clone()))
                .is_empty()
        );
        assert!(f.changes(&on("live", 3, 1.0, "observation", reading)).is_empty());
        let c = f.clock().expect("the start sets the clock");
        let t0 = unix_seconds(START);
        assert_eq!((c.started, c.speed, c.end_s), (t0, 10.0, None));
        // Six wall-clock seconds in, the scenario is a minute in.
        assert!((c.at(t0 + 6.0) - (t0 + 60.0)).abs() < 1e-6);
        // Stopped 30 s in (5 minutes of scenario), it stands still there.
        assert!(
            f.changes(&ev(4, 30.0, "drill_stopped", json!({"drill": "drill-1"})))
                .is_empty()
        );
        let c = f.clock().expect("clock");
        assert_eq!(c.end_s, Some(300.0));
        assert!((c.at(t0 + 1000.0) - (t0 + 300.0)).abs() < 1e-6);
    }

    #[test]
    fn a_release_is_an_incident_on_the_drills_clock_shifted_by_the_weather_and_stopped() {
        let mut f = started();
        let release = json!({"type": "release_start", "at": "+02:00", "at_s": 120.0, "drill": "drill-1",
            "release": "r1", "lon": 118.45, "lat": 37.57, "chemical": "Chlorine", "rate_kg_s": 2.0});
        // Played 12 s in at 10×: the release starts at the scenario's +2:00.
        let started_at = incident(&f.changes(&ev(2, 12.0, "drill_release_start", release))).clone();
        assert_eq!(started_at.id, "drill-1/r1");
        assert!(DrillFolder::is_drill_incident(&started_at.id) && !DrillFolder::is_drill_incident("inc-1"));
        assert_eq!(started_at.start, format_unix(unix_seconds(START) + 120.0));
        assert_eq!(
            (started_at.weather.wind_speed_ms, started_at.weather.wind_from_deg),
            (3.0, 270.0)
        );
        assert_eq!(
            started_at.weather.stability.as_deref(),
            Some("D"),
            "no class given: neutral"
        );
        assert_eq!(started_at.note.as_deref(), Some("DRILL drill-1"));
        assert_eq!(started_at.duration_s, None);

        // The wind turns at +5:00 at every station (none named); the release shifts 180 s in.
        let turn = json!({"type": "weather", "at": "+05:00", "at_s": 300.0, "drill": "drill-1",
            "wind_speed_ms": 5.0, "wind_from_deg": 180.0, "temperature_c": 12.0, "stability": "C"});
        let c = f.changes(&ev(3, 30.0, "drill_weather", turn));
        let stations: Vec<&str> = c
            .iter()
            .filter_map(|c| match c {
                Change::Weather(w) => Some(w.station.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(stations, ["ws-1", "ws-2"]);
        let shifted = c.iter().find_map(|c| match c {
            Change::Incident(i) => Some(i),
            _ => None,
        });
        let shift = &shifted.expect("the release shifts").shifts;
        assert_eq!(shift.len(), 1);
        assert!((shift[0].at_s - 180.0).abs() < 1e-6, "{}", shift[0].at_s);
        assert_eq!((shift[0].wind_from_deg, shift[0].stability.as_str()), (180.0, "C"));

        // Stopped at +10:00: it ran 8 minutes.
        let stop = json!({"type": "release_stop", "at": "+10:00", "at_s": 600.0, "drill": "drill-1", "release": "r1"});
        let stopped = incident(&f.changes(&ev(4, 60.0, "drill_release_stop", stop))).clone();
        assert!((stopped.duration_s.expect("a duration") - 480.0).abs() < 1e-6);
        // A stop of a release the drill never started changes nothing.
        let unknown = json!({"type": "release_stop", "at": "+10:00", "at_s": 600.0, "release": "r9"});
        assert!(f.changes(&ev(5, 60.0, "drill_release_stop", unknown)).is_empty());
        // A later wind change no longer moves a stopped release; the station still reports.
        let again = json!({"type": "weather", "at": "+11:00", "at_s": 660.0, "station": "ws-2",
            "wind_speed_ms": 2.0, "wind_from_deg": 90.0, "temperature_c": 12.0});
        let c = f.changes(&ev(6, 66.0, "drill_weather", again));
        assert!(matches!(&c[..], [Change::Weather(w)] if w.station == "ws-2"), "{c:?}");
    }

    #[test]
    fn readings_fixes_alarms_tasks_and_messages_are_the_drills_changes() {
        let mut f = started();
        let at = |s: f64| format_unix(unix_seconds(START) + s);
        let reading = json!({"type": "reading", "at": "+00:10", "at_s": 10.0, "drill": "drill-1", "sensor": "gd-001", "value": 4.5});
        assert!(matches!(&f.changes(&ev(2, 1.0, "drill_reading", reading))[..],
            [Change::Observation(o)] if o.sensor == "gd-001" && o.value == 4.5 && o.time == at(1.0)));
        let level = json!({"type": "reading", "at": "+00:15", "at_s": 15.0, "sensor": "LT-tank-001", "quantity": "level", "value": 64.0});
        assert!(matches!(&f.changes(&ev(3, 1.5, "drill_reading", level))[..],
            [Change::Observation(o)] if o.sensor == "LT-tank-001" && o.quantity.as_deref() == Some("level") && o.value == 64.0));
        let fix = json!({"type": "vehicle", "at": "+00:20", "at_s": 20.0, "plate": "鲁E12345", "lon": 118.46, "lat": 37.58, "speed_kmh": 30.0});
        assert!(matches!(&f.changes(&ev(3, 2.0, "drill_vehicle", fix))[..],
            [Change::Position(p)] if p.plate == "鲁E12345" && p.speed_kmh == 30.0));
        let alarm = json!({"type": "alarm", "at": "+00:30", "at_s": 30.0, "source": "gd-001", "tier": "alarm", "text": "H2S high"});
        match &f.changes(&ev(7, 3.0, "drill_alarm", alarm))[..] {
            [Change::Alarm(a)] => {
                assert_eq!(a.id, -7, "a drill's alarm ids are negative: never a live alarm's");
                assert_eq!((a.rule.as_str(), a.source.as_str()), ("drill: H2S high", "gd-001"));
            }
            other => panic!("one alarm, got {other:?}"),
        }
        let message = json!({"type": "message", "at": "+00:40", "at_s": 40.0, "to": "all", "text": "Evacuate"});
        match &f.changes(&ev(8, 4.0, "drill_message", message))[..] {
            [Change::Message(m)] => {
                assert_eq!((m.id, m.incident.as_str(), m.to.as_str()), (-8, "drill-1", "all"));
                assert_eq!((m.text.as_str(), m.time.as_str()), ("Evacuate", at(4.0).as_str()));
            }
            other => panic!("one message, got {other:?}"),
        }
        let task = json!({"type": "task", "at": "+00:50", "at_s": 50.0, "team": "fire", "text": "Foam"});
        match &f.changes(&ev(9, 5.0, "drill_task", task))[..] {
            [Change::Task(t)] => {
                assert_eq!((t.id, t.team.as_str(), t.text.as_str()), (-9, "fire", "Foam"));
                assert_eq!(t.status, crate::emergency::TaskStatus::Assigned);
                assert!(t.serves("drill-1/r1"), "the drill's task serves its releases");
            }
            other => panic!("one task, got {other:?}"),
        }
        let broken = json!({"type": "reading", "sensor": "gd-001"});
        assert!(
            f.changes(&ev(10, 6.0, "drill_reading", broken)).is_empty(),
            "a payload that is no event"
        );
    }
}
