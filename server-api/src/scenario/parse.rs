//! Reading a scenario file and checking it against a park, every error named by file, event
//! and field.

use serde::Deserialize;

use super::{EventKind, FORMAT, MAX_OFFSET_S, Scenario, ScenarioEvent, offset_seconds};
use crate::incident::{IncidentWeather, MAX_HEIGHT_M, MAX_MASS_KG, MAX_RATE_KG_S};
use crate::model::ChemicalTable;

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
    /// The registered devices and the quantities each measures.
    pub devices: std::collections::HashMap<String, Vec<String>>,
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
                EventKind::Reading {
                    sensor,
                    quantity: None,
                    value,
                } => {
                    if !park.sensors.contains(sensor) {
                        errors.push(field("sensor", format!("no sensor \"{sensor}\" in the park")));
                    }
                    if !value.is_finite() || *value < 0.0 {
                        errors.push(field("value", format!("{value} is not a reading")));
                    }
                }
                EventKind::Reading {
                    sensor,
                    quantity: Some(q),
                    value,
                } => {
                    match park.devices.get(sensor) {
                        None => errors.push(field("sensor", format!("no device \"{sensor}\" is registered"))),
                        Some(qs) if !qs.contains(q) => errors.push(field(
                            "quantity",
                            format!("{sensor} measures {}, not \"{q}\"", qs.join(", ")),
                        )),
                        Some(_) => {}
                    }
                    // A device's quantity may read below zero (a temperature, a vacuum).
                    if !value.is_finite() {
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
}
