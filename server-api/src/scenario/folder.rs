//! A drill on the map: its channel's events folded into the live reducer's changes, timed on
//! the drill's own clock.

use super::{EventKind, ScenarioEvent};
use crate::clock::{format_unix, unix_seconds};
use crate::incident::IncidentWeather;

/// A drill's events as changes of a map's state, so that a drill is shown by the one reducer
/// of the live state, folded from its own channel into a state of its own (never the live
/// one): readings, vehicle fixes, injected alarms and weather as they are; each release as an
/// incident (`<drill>/<release>`, in the drill's weather then), stopped by its `release_stop`
/// and shifted by each later weather event, all timed on the drill's [`DrillClock`]. Messages
/// and tasks change nothing on the map.
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
            EventKind::Reading { sensor, value } => vec![Change::Observation(Observation {
                sensor,
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
            EventKind::Alarm { source, tier, text } => vec![Change::Alarm(Alarm {
                // The drill's own numbering: negative, so that it can never be a live alarm's.
                id: -ev.seq,
                tier,
                rule: format!("drill: {text}"),
                source,
                value: 0.0,
                raised: now,
                closed: None,
                acknowledged: None,
            })],
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
                    out.push(Change::Incident(inc.clone()));
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
                    rate_kg_s,
                    mass_kg,
                    duration_s: None,
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
                vec![Change::Incident(inc)]
            }
            EventKind::ReleaseStop { release } => match self.releases.get_mut(&release) {
                Some(inc) if inc.rate_kg_s.is_some() => {
                    inc.duration_s = Some(inc.seconds_at(&scenario_now).unwrap_or(0.0).max(0.0));
                    vec![Change::Incident(inc.clone())]
                }
                _ => Vec::new(),
            },
            EventKind::Message { .. } | EventKind::Task { .. } => Vec::new(),
        }
    }
}
