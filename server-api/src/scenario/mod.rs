//! Drill scenarios: a versioned JSON format (`"format": "parktwin-scenario/1"`, its JSON Schema
//! published as `docs/scenario.schema.json`) for a drill's name, park, starting weather and a
//! timeline of events at offsets from the drill's start: releases starting and stopping,
//! weather changes, vehicles' positions, detector readings, injected alarms, and messages and
//! tasks to teams.
//!
//! [`Scenario::parse`] checks a file against a park and reports every error it finds, each
//! naming the file, the event's index and the field, so that a drill coordinator can fix a
//! file in one pass.

mod drill;
mod folder;
mod parse;

use serde::{Deserialize, Serialize};

use crate::incident::IncidentWeather;
use crate::model::AlarmTier;

pub use drill::{Drill, DrillState};
pub use folder::{DrillClock, DrillFolder};
pub use parse::ParkRefs;

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
    /// A detector's reading, or a device's quantity's.
    Reading {
        /// The detector (or station) id, or a registered device's.
        sensor: String,
        /// The device's quantity (`level`, `pressure`, …); none for a detector's reading.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quantity: Option<String>,
        /// In the sensor's unit (the quantity's).
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

    /// The kind the event log records it as, on the drill's channel.
    pub fn logged_as(&self) -> crate::kinds::EventKind {
        use crate::kinds::EventKind as Logged;
        match self {
            EventKind::ReleaseStart { .. } => Logged::DrillReleaseStart,
            EventKind::ReleaseStop { .. } => Logged::DrillReleaseStop,
            EventKind::Weather { .. } => Logged::DrillWeather,
            EventKind::Vehicle { .. } => Logged::DrillVehicle,
            EventKind::Reading { .. } => Logged::DrillReading,
            EventKind::Alarm { .. } => Logged::DrillAlarm,
            EventKind::Message { .. } => Logged::DrillMessage,
            EventKind::Task { .. } => Logged::DrillTask,
        }
    }
}

impl Scenario {
    /// Each event with its offset in seconds (in time order after [`Scenario::parse`]).
    pub fn timeline(&self) -> Vec<(f64, &ScenarioEvent)> {
        self.events
            .iter()
            .filter_map(|e| offset_seconds(&e.at).ok().map(|t| (t, e)))
            .collect()
    }
}
