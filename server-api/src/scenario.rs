//! Drill scenarios: a versioned JSON format (`"format": "parktwin-scenario/1"`, its JSON Schema
//! published as `docs/scenario.schema.json`) for a drill's name, park, starting weather and a
//! timeline of events at offsets from the drill's start: releases starting and stopping,
//! weather changes, vehicles' positions, detector readings, injected alarms, and messages and
//! tasks to teams.
//!
//! [`Scenario::parse`] checks a file against a park and reports every error it finds, each
//! naming the file, the event's index and the field, so that a drill coordinator can fix a
//! file in one pass.

use serde::{Deserialize, Serialize};

use crate::incident::{IncidentWeather, MAX_HEIGHT_M, MAX_MASS_KG, MAX_RATE_KG_S};
use crate::ingest::{format_unix, unix_seconds};
use crate::model::{AlarmTier, ChemicalTable};

/// The format this module reads and writes.
pub const FORMAT: &str = "parktwin-scenario/1";

/// Longest drill, seconds (a day).
pub const MAX_OFFSET_S: f64 = 86_400.0;

/// A drill scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Always `parktwin-scenario/1` for this version of the format.
    #[cfg_attr(feature = "schema", schemars(extend("const" = "parktwin-scenario/1")))]
    pub format: String,
    /// The drill's name.
    pub name: String,
    /// The drill's Chinese name.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// The park it is written for (the park's id, as `GET /api/v1/park` gives it).
    pub park: String,
    /// What the drill exercises.
    #[serde(default)]
    pub description: Option<String>,
    /// The weather at the start (a `weather` event changes it).
    pub weather: IncidentWeather,
    /// The timeline.
    pub events: Vec<ScenarioEvent>,
}

/// One event of the timeline: its offset and, flattened beside it, what happens (`type` and
/// the type's fields). [`Scenario::parse`] refuses unknown fields of either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScenarioEvent {
    /// When, after the drill's start: `+MM:SS` or `+H:MM:SS`.
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r"^\+([0-9]+:)?[0-5]?[0-9]:[0-5][0-9]$"))
    )]
    pub at: String,
    /// What happens.
    #[serde(flatten)]
    pub what: EventKind,
}

/// What happens at an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// A release starts (it becomes the drill's incident).
    ReleaseStart {
        /// The release's name within the scenario (a `release_stop` names it).
        release: String,
        /// WGS84 longitude.
        lon: f64,
        /// WGS84 latitude.
        lat: f64,
        /// Height above ground, m.
        #[serde(default)]
        height_m: f64,
        /// English name or CAS number from the chemical table.
        chemical: String,
        /// A continuous release, kg/s (this or `mass_kg`).
        #[serde(default)]
        rate_kg_s: Option<f64>,
        /// An instantaneous release, kg.
        #[serde(default)]
        mass_kg: Option<f64>,
        /// The map feature it comes from (a tank, a pipe segment, a truck's plate).
        #[serde(default)]
        origin: Option<String>,
    },
    /// A continuous release stops (its source is isolated).
    ReleaseStop {
        /// The release's name.
        release: String,
    },
    /// The weather changes (a station's report in the drill).
    Weather {
        /// The station reporting it (default: the park's stations all).
        #[serde(default)]
        station: Option<String>,
        /// Wind speed at 10 m, m/s.
        wind_speed_ms: f64,
        /// Where the wind comes from, degrees clockwise from north.
        wind_from_deg: f64,
        /// Air temperature, °C.
        #[serde(default = "default_temperature")]
        temperature_c: f64,
        /// Cloud cover, oktas (0–8).
        #[serde(default)]
        cloud_oktas: Option<u8>,
        /// Pasquill–Gifford class A–F (derived from the wind, the sun and the cloud when absent).
        #[serde(default)]
        stability: Option<String>,
    },
    /// A vehicle's position.
    Vehicle {
        /// Licence plate.
        plate: String,
        /// WGS84 longitude.
        lon: f64,
        /// WGS84 latitude.
        lat: f64,
        /// km/h.
        #[serde(default)]
        speed_kmh: f64,
        /// Degrees clockwise from north.
        #[serde(default)]
        heading_deg: f64,
    },
    /// A detector's reading.
    Reading {
        /// The detector (or station) id.
        sensor: String,
        /// In the sensor's unit.
        value: f64,
    },
    /// An alarm injected as if a rule had raised it.
    Alarm {
        /// What it is about (a detector id, a plate, a gate).
        source: String,
        /// reminder, warning or alarm.
        tier: AlarmTier,
        /// What the operators read.
        text: String,
    },
    /// A message to a team or to everyone.
    Message {
        /// Who it is for.
        to: String,
        /// The message.
        text: String,
    },
    /// A task given to a team.
    Task {
        /// The team.
        team: String,
        /// What it is to do.
        text: String,
    },
}

impl EventKind {
    /// A weather event's weather, as an incident would disperse in it.
    pub fn weather(&self) -> Option<IncidentWeather> {
        match self {
            EventKind::Weather {
                wind_speed_ms,
                wind_from_deg,
                temperature_c,
                cloud_oktas,
                stability,
                ..
            } => Some(IncidentWeather {
                wind_speed_ms: *wind_speed_ms,
                wind_from_deg: *wind_from_deg,
                temperature_c: *temperature_c,
                cloud_oktas: *cloud_oktas,
                stability: stability.clone(),
            }),
            _ => None,
        }
    }
}

fn default_temperature() -> f64 {
    20.0
}

/// The file as read, before its events are read one by one.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct RawScenario {
    format: String,
    name: String,
    #[serde(default)]
    name_zh: Option<String>,
    park: String,
    #[serde(default)]
    description: Option<String>,
    weather: IncidentWeather,
    events: Vec<serde_json::Value>,
}

/// The field an event's error is about. serde names it for unknown and missing fields; for a
/// wrong value in an internally tagged event it does not (the event is buffered before its
/// type is known), so the field is the one whose removal changes the error.
fn culprit(fields: &serde_json::Map<String, serde_json::Value>, error: &str) -> Option<String> {
    if let Some(named) = error.split('`').nth(1)
        && (error.starts_with("unknown field") || error.starts_with("missing field"))
    {
        return Some(named.to_string());
    }
    fields.keys().filter(|k| *k != "type").find_map(|k| {
        let mut without = fields.clone();
        without.remove(k);
        let other = serde_json::from_value::<EventKind>(serde_json::Value::Object(without))
            .err()
            .map(|e| e.to_string());
        (other.as_deref() != Some(error)).then(|| k.clone())
    })
}

/// What a scenario is checked against: the park it is run in.
#[derive(Debug, Clone)]
pub struct ParkRefs {
    /// The park's id.
    pub park: String,
    /// The park's bounding box `[west, south, east, north]`, WGS84.
    pub bbox: [f64; 4],
    /// Sensor ids (detectors and weather stations).
    pub sensors: std::collections::HashSet<String>,
    /// Weather station ids.
    pub stations: std::collections::HashSet<String>,
    /// The chemical table.
    pub chemicals: ChemicalTable,
}

/// Seconds in an offset `+MM:SS` or `+H:MM:SS`.
///
/// ```
/// use parktwin_api::scenario::offset_seconds;
/// assert_eq!(offset_seconds("+10:00"), Ok(600.0));
/// assert_eq!(offset_seconds("+1:02:03"), Ok(3723.0));
/// assert!(offset_seconds("10 min").is_err());
/// ```
pub fn offset_seconds(at: &str) -> Result<f64, String> {
    let bad = || format!("\"{at}\" is not an offset (+MM:SS or +H:MM:SS)");
    let body = at.strip_prefix('+').ok_or_else(bad)?;
    let parts: Vec<&str> = body.split(':').collect();
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
                .ok_or_else(bad)
        })
        .collect::<Result<_, _>>()?;
    let (h, m, s) = match nums.as_slice() {
        [m, s] => (0, *m, *s),
        [h, m, s] if *m < 60 => (*h, *m, *s),
        _ => return Err(bad()),
    };
    if s >= 60 {
        return Err(bad());
    }
    Ok((h * 3600 + m * 60 + s) as f64)
}

impl EventKind {
    /// The event's type as written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ReleaseStart { .. } => "release_start",
            EventKind::ReleaseStop { .. } => "release_stop",
            EventKind::Weather { .. } => "weather",
            EventKind::Vehicle { .. } => "vehicle",
            EventKind::Reading { .. } => "reading",
            EventKind::Alarm { .. } => "alarm",
            EventKind::Message { .. } => "message",
            EventKind::Task { .. } => "task",
        }
    }
}

fn check_weather(w: &IncidentWeather, field: &dyn Fn(&str, String) -> String, errors: &mut Vec<String>) {
    if !(0.0..=60.0).contains(&w.wind_speed_ms) {
        errors.push(field(
            "wind_speed_ms",
            format!("{} m/s is not a wind speed (0 to 60)", w.wind_speed_ms),
        ));
    }
    if !(0.0..=360.0).contains(&w.wind_from_deg) {
        errors.push(field(
            "wind_from_deg",
            format!("{}° is not a direction (0 to 360)", w.wind_from_deg),
        ));
    }
    if !(-60.0..=60.0).contains(&w.temperature_c) {
        errors.push(field(
            "temperature_c",
            format!("{} °C is not an air temperature (-60 to 60)", w.temperature_c),
        ));
    }
    if w.cloud_oktas.is_some_and(|o| o > 8) {
        errors.push(field("cloud_oktas", "cloud cover is 0 to 8 oktas".into()));
    }
    if let Some(s) = &w.stability
        && !matches!(s.as_str(), "A" | "B" | "C" | "D" | "E" | "F")
    {
        errors.push(field(
            "stability",
            format!("\"{s}\" is not a Pasquill–Gifford class A to F"),
        ));
    }
}

impl Scenario {
    /// Parses and checks a scenario file named `file` against a park. `Err` lists every error
    /// found, each as `FILE: event N (TYPE): field "F": what is wrong` (or `FILE: field "F": …`
    /// for the scenario's own fields). The events come back in time order.
    pub fn parse(file: &str, text: &str, park: &ParkRefs) -> Result<Self, Vec<String>> {
        let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| vec![format!("{file}: not JSON: {e}")])?;
        Self::from_value(file, raw, park)
    }

    /// [`Scenario::parse`] of a file already read as JSON.
    pub fn from_value(file: &str, raw: serde_json::Value, park: &ParkRefs) -> Result<Self, Vec<String>> {
        let raw: RawScenario = crate::validate::decode(raw).map_err(|e| vec![format!("{file}: {e}")])?;
        // Each event on its own: its offset, then its type's fields, unknown ones refused.
        let mut events = Vec::with_capacity(raw.events.len());
        let mut errors = Vec::new();
        for (i, v) in raw.events.into_iter().enumerate() {
            let kind = v["type"].as_str().unwrap_or("?").to_string();
            let at_fault = |f: &str, why: String| format!("{file}: event {i} ({kind}): field \"{f}\": {why}");
            let serde_json::Value::Object(mut fields) = v else {
                errors.push(format!("{file}: event {i}: not an object"));
                continue;
            };
            let at = match fields.remove("at") {
                Some(serde_json::Value::String(at)) => at,
                Some(other) => {
                    errors.push(at_fault("at", format!("{other} is not an offset (+MM:SS or +H:MM:SS)")));
                    continue;
                }
                None => {
                    errors.push(at_fault("at", "missing: when it happens, +MM:SS".into()));
                    continue;
                }
            };
            match serde_json::from_value::<EventKind>(serde_json::Value::Object(fields.clone())) {
                Ok(what) => events.push(ScenarioEvent { at, what }),
                Err(e) => errors.push(match culprit(&fields, &e.to_string()) {
                    Some(f) => at_fault(&f, e.to_string()),
                    None => format!("{file}: event {i} ({kind}): {e}"),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut scenario = Scenario {
            format: raw.format,
            name: raw.name,
            name_zh: raw.name_zh,
            park: raw.park,
            description: raw.description,
            weather: raw.weather,
            events,
        };
        let top = |f: &str, why: String| format!("{file}: field \"{f}\": {why}");
        if scenario.format != FORMAT {
            errors.push(top(
                "format",
                format!("\"{}\" is not a format this version reads ({FORMAT})", scenario.format),
            ));
        }
        if scenario.park != park.park {
            errors.push(top(
                "park",
                format!(
                    "written for park \"{}\", not this one (\"{}\")",
                    scenario.park, park.park
                ),
            ));
        }
        if scenario.name.trim().is_empty() {
            errors.push(top("name", "a drill needs a name".into()));
        }
        check_weather(
            &scenario.weather,
            &|f, why| top(&format!("weather.{f}"), why),
            &mut errors,
        );
        if scenario.events.is_empty() {
            errors.push(top("events", "a drill needs at least one event".into()));
        }
        // A little room around the park: releases and trucks just outside the fence count.
        let margin = 0.05;
        let [w, s, e, n] = park.bbox;
        let near_park =
            |lon: f64, lat: f64| (w - margin..=e + margin).contains(&lon) && (s - margin..=n + margin).contains(&lat);
        let mut started: std::collections::HashMap<String, (usize, bool)> = Default::default();
        // Each event's offset, s (`None` where it does not read).
        let mut times: Vec<Option<f64>> = Vec::with_capacity(scenario.events.len());
        for (i, ev) in scenario.events.iter().enumerate() {
            let kind = ev.what.name();
            let field = |f: &str, why: String| format!("{file}: event {i} ({kind}): field \"{f}\": {why}");
            let at = match offset_seconds(&ev.at) {
                Ok(t) if t <= MAX_OFFSET_S => Some(t),
                Ok(t) => {
                    errors.push(field(
                        "at",
                        format!("{t} s is past the longest drill ({MAX_OFFSET_S} s)"),
                    ));
                    None
                }
                Err(why) => {
                    errors.push(field("at", why));
                    None
                }
            };
            times.push(at);
            if at.is_none() {
                continue;
            }
            let mut place = |lon: f64, lat: f64| {
                if !near_park(lon, lat) {
                    errors.push(field("lon/lat", format!("{lon},{lat} is not in or near the park")));
                }
            };
            match &ev.what {
                EventKind::ReleaseStart {
                    release,
                    lon,
                    lat,
                    height_m,
                    chemical,
                    rate_kg_s,
                    mass_kg,
                    ..
                } => {
                    place(*lon, *lat);
                    if started.insert(release.clone(), (i, mass_kg.is_some())).is_some() {
                        errors.push(field("release", format!("release \"{release}\" starts twice")));
                    }
                    if park.chemicals.get(chemical).is_none() {
                        errors.push(field(
                            "chemical",
                            format!("\"{chemical}\" is not in the chemical table"),
                        ));
                    }
                    if !(0.0..=MAX_HEIGHT_M).contains(height_m) {
                        errors.push(field("height_m", format!("{height_m} m is not a release height")));
                    }
                    match (rate_kg_s, mass_kg) {
                        (Some(r), None) if !(*r > 0.0 && *r <= MAX_RATE_KG_S) => {
                            errors.push(field("rate_kg_s", format!("{r} kg/s is not a release rate")));
                        }
                        (None, Some(m)) if !(*m > 0.0 && *m <= MAX_MASS_KG) => {
                            errors.push(field("mass_kg", format!("{m} kg is not a released mass")));
                        }
                        (Some(_), Some(_)) => errors.push(field(
                            "rate_kg_s/mass_kg",
                            "give a rate (over time) or a mass (at once), not both".into(),
                        )),
                        (None, None) => errors.push(field(
                            "rate_kg_s/mass_kg",
                            "give a rate (over time) or a mass (at once)".into(),
                        )),
                        _ => {}
                    }
                }
                EventKind::ReleaseStop { release } => match started.get(release) {
                    None => errors.push(field(
                        "release",
                        format!("release \"{release}\" has not started by this event"),
                    )),
                    Some((_, true)) => errors.push(field(
                        "release",
                        format!("release \"{release}\" is instantaneous (a mass): it has nothing to stop"),
                    )),
                    Some(_) => {}
                },
                EventKind::Weather { station, .. } => {
                    if let Some(st) = station
                        && !park.stations.contains(st)
                    {
                        errors.push(field("station", format!("no weather station \"{st}\" in the park")));
                    }
                    if let Some(w) = ev.what.weather() {
                        check_weather(&w, &field, &mut errors);
                    }
                }
                EventKind::Vehicle {
                    plate,
                    lon,
                    lat,
                    speed_kmh,
                    ..
                } => {
                    place(*lon, *lat);
                    if plate.trim().is_empty() {
                        errors.push(field("plate", "a vehicle needs its plate".into()));
                    }
                    if !(0.0..=200.0).contains(speed_kmh) {
                        errors.push(field("speed_kmh", format!("{speed_kmh} km/h is not a speed")));
                    }
                }
                EventKind::Reading { sensor, value } => {
                    if !park.sensors.contains(sensor) {
                        errors.push(field("sensor", format!("no sensor \"{sensor}\" in the park")));
                    }
                    if !value.is_finite() || *value < 0.0 {
                        errors.push(field("value", format!("{value} is not a reading")));
                    }
                }
                EventKind::Alarm { text, .. } | EventKind::Message { text, .. } | EventKind::Task { text, .. } => {
                    if text.trim().is_empty() {
                        errors.push(field("text", "empty".into()));
                    }
                }
            }
        }
        // A stop must come after its start in time, not only in the file.
        for (i, ev) in scenario.events.iter().enumerate() {
            if let EventKind::ReleaseStop { release } = &ev.what
                && let Some((j, _)) = started.get(release)
                && let (Some(t_stop), Some(t_start)) = (times[i], times[*j])
                && t_stop <= t_start
            {
                errors.push(format!(
                    "{file}: event {i} (release_stop): field \"at\": {} is not after the release's start ({})",
                    ev.at, scenario.events[*j].at
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Time order, stable: events at the same offset keep the file's order. (With no
        // errors, every offset read.)
        let mut ordered: Vec<(f64, ScenarioEvent)> = times
            .into_iter()
            .flatten()
            .zip(std::mem::take(&mut scenario.events))
            .collect();
        ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
        scenario.events = ordered.into_iter().map(|(_, e)| e).collect();
        Ok(scenario)
    }

    /// Each event with its offset in seconds (in time order after [`Scenario::parse`]).
    pub fn timeline(&self) -> Vec<(f64, &ScenarioEvent)> {
        self.events
            .iter()
            .filter_map(|e| offset_seconds(&e.at).ok().map(|t| (t, e)))
            .collect()
    }
}

/// Where a drill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DrillState {
    /// Uploaded, not started.
    Ready,
    /// Playing its events.
    Running,
    /// Stopped by an operator before its end.
    Stopped,
    /// All its events played.
    Finished,
}

/// A drill: an uploaded scenario and its run (`/api/v1/drills`). Its events go to the event
/// log's channel `drill:<id>`, never to `live`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Drill {
    /// Id, `drill-N`.
    pub id: String,
    /// The scenario's name.
    pub name: String,
    /// Where it is.
    pub state: DrillState,
    /// The channel its events go to: `drill:<id>`.
    pub channel: String,
    /// Events in the scenario.
    pub events: usize,
    /// Offset of its last event, s.
    pub duration_s: f64,
    /// How many times faster than written it plays (1 to 60).
    pub speed: f64,
    /// When it started, RFC 3339.
    pub started: Option<String>,
    /// When it stopped or finished.
    pub ended: Option<String>,
    /// Events played so far.
    pub played: usize,
    /// Who uploaded it.
    pub created_by: String,
    /// The scenario, as checked (events in time order).
    pub scenario: Scenario,
}

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
        match ev.kind.as_str() {
            "drill_started" => {
                self.weather = serde_json::from_value(ev.payload["weather"].clone()).ok();
                self.clock = Some(DrillClock {
                    started: unix_seconds(&now),
                    speed: ev.payload["speed"].as_f64().unwrap_or(1.0),
                    end_s: None,
                });
                return Vec::new();
            }
            "drill_finished" | "drill_stopped" => {
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
