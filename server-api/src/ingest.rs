//! Checking what machine feeds send before anything is stored: each record of a batch is
//! checked, and the first bad one refuses the whole batch with its index, field and reason
//! (a batch is stored whole or not at all).

use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::clock::normalise_time;
use crate::model::{GatePass, Observation, VehiclePosition, Waybill, WeatherReport};

/// How far ahead of the server's clock a record's time may be (clocks drift).
pub const MAX_FUTURE_S: i64 = 300;

fn not_in_future(stored: &str, now: OffsetDateTime) -> Result<(), String> {
    let t = OffsetDateTime::parse(stored, &Rfc3339).map_err(|e| e.to_string())?;
    if (t - now).whole_seconds() > MAX_FUTURE_S {
        return Err(format!(
            "{stored} is more than {MAX_FUTURE_S} s ahead of the server's clock"
        ));
    }
    Ok(())
}

/// A record's time as stored, refusing one too far ahead of the server's clock.
fn stored_time(t: &str, now: OffsetDateTime) -> Result<String, String> {
    let stored = normalise_time(t)?;
    not_in_future(&stored, now)?;
    Ok(stored)
}

/// A licence plate: 1 to 16 characters, none of them a control character.
fn plate_ok(plate: &str) -> Result<(), String> {
    let n = plate.trim().chars().count();
    if n == 0 || n > 16 {
        Err("must be 1 to 16 characters".into())
    } else {
        no_control(plate)
    }
}

/// Names and ids are printable: a control character (a NUL among them, which PostgreSQL's
/// text cannot hold) is refused.
fn no_control(s: &str) -> Result<(), String> {
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!("must not hold the control character U+{:04X}", c as u32)),
        None => Ok(()),
    }
}

/// Parses a JSON body that must be a non-empty list of records of type `T`.
fn records<T: DeserializeOwned + serde::Serialize>(body: &[u8], max: usize) -> Result<Vec<(usize, T)>, String> {
    let serde_json::Value::Array(list) = crate::validate::json_body(body)? else {
        return Err("the body must be a JSON list of records".into());
    };
    if list.is_empty() {
        return Err("the batch is empty".into());
    }
    if list.len() > max {
        return Err(format!(
            "the batch has {} records; at most {max} are taken at once",
            list.len()
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            crate::validate::decode_record::<T>(v)
                .map(|r| (i, r))
                .map_err(|e| format!("record {i}: {e}"))
        })
        .collect()
}

/// Largest batch taken in one request.
pub const MAX_BATCH: usize = 10_000;

/// What the ingest knows of a sensor: for a reading of `quantity` (absent: the first) of the
/// sensor with id `sensor`, the quantity's name as stored (`None`: the sensor's first quantity,
/// so that a detector's readings are stored as they always were), or the field that is wrong
/// and why.
pub type Resolve<'a> = dyn Fn(&str, Option<&str>) -> Result<Option<String>, (&'static str, String)> + 'a;

/// Checks a batch of observations against the known sensors and their quantities; times come
/// back normalised, quantities as [`Resolve`] names them.
pub fn check_observations(body: &[u8], resolve: &Resolve<'_>, now: OffsetDateTime) -> Result<Vec<Observation>, String> {
    records::<Observation>(body, MAX_BATCH)?
        .into_iter()
        .map(|(i, mut o)| {
            let at =
                |field: &str, why: String| format!("record {i} (sensor \"{}\"): field \"{field}\": {why}", o.sensor);
            o.quantity = resolve(&o.sensor, o.quantity.as_deref()).map_err(|(field, why)| at(field, why))?;
            if !o.value.is_finite() {
                return Err(at("value", "must be a finite number".into()));
            }
            o.time = stored_time(&o.time, now).map_err(|e| at("time", e))?;
            Ok(o)
        })
        .collect()
}

/// Checks a batch of vehicle positions; times come back normalised.
pub fn check_positions(body: &[u8], now: OffsetDateTime) -> Result<Vec<VehiclePosition>, String> {
    records::<VehiclePosition>(body, MAX_BATCH)?
        .into_iter()
        .map(|(i, mut p)| {
            let at = |field: &str, why: String| format!("record {i} (plate \"{}\"): field \"{field}\": {why}", p.plate);
            plate_ok(&p.plate).map_err(|e| at("plate", e))?;
            if !(-180.0..=180.0).contains(&p.lon) {
                return Err(at("lon", format!("{} is not a WGS84 longitude (-180 to 180)", p.lon)));
            }
            if !(-90.0..=90.0).contains(&p.lat) {
                return Err(at("lat", format!("{} is not a WGS84 latitude (-90 to 90)", p.lat)));
            }
            if !(0.0..=300.0).contains(&p.speed_kmh) {
                return Err(at(
                    "speed_kmh",
                    format!("{} km/h is not a road vehicle's speed (0 to 300)", p.speed_kmh),
                ));
            }
            if !(0.0..=360.0).contains(&p.heading_deg) {
                return Err(at(
                    "heading_deg",
                    format!("{} is not a heading (0 to 360)", p.heading_deg),
                ));
            }
            p.time = stored_time(&p.time, now).map_err(|e| at("time", e))?;
            Ok(p)
        })
        .collect()
}

/// Checks a batch of weather reports from known stations; times come back normalised.
pub fn check_weather(
    body: &[u8],
    stations: &dyn Fn(&str) -> bool,
    now: OffsetDateTime,
) -> Result<Vec<WeatherReport>, String> {
    records::<WeatherReport>(body, MAX_BATCH)?
        .into_iter()
        .map(|(i, mut w)| {
            let at =
                |field: &str, why: String| format!("record {i} (station \"{}\"): field \"{field}\": {why}", w.station);
            if !stations(&w.station) {
                return Err(at("station", "no such weather station".into()));
            }
            if !(0.0..=75.0).contains(&w.wind_speed_ms) {
                return Err(at(
                    "wind_speed_ms",
                    format!("{} m/s is not a wind speed (0 to 75)", w.wind_speed_ms),
                ));
            }
            if !(0.0..=360.0).contains(&w.wind_from_deg) {
                return Err(at(
                    "wind_from_deg",
                    format!("{} is not a direction (0 to 360)", w.wind_from_deg),
                ));
            }
            if !(-60.0..=60.0).contains(&w.temperature_c) {
                return Err(at(
                    "temperature_c",
                    format!("{} °C is not an air temperature (-60 to 60)", w.temperature_c),
                ));
            }
            if w.cloud_oktas.is_some_and(|c| c > 8) {
                return Err(at("cloud_oktas", "cloud cover is 0 to 8 oktas".into()));
            }
            w.time = stored_time(&w.time, now).map_err(|e| at("time", e))?;
            Ok(w)
        })
        .collect()
}

/// A UN number: `UN` and four digits.
fn un_number_ok(un: &str) -> Result<(), String> {
    let digits = un.strip_prefix("UN").unwrap_or(un);
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("\"{un}\" is not a UN number (UN and four digits)"));
    }
    Ok(())
}

/// A road tanker's load, tonnes.
fn tonnes_ok(t: f64) -> Result<(), String> {
    if (0.0..=60.0).contains(&t) {
        Ok(())
    } else {
        Err("a road tanker carries 0 to 60 tonnes".into())
    }
}

/// Longest planned route taken, points.
pub const MAX_ROUTE_POINTS: usize = 2_000;

/// Checks a batch of waybills; times come back normalised. A route point must be a WGS84
/// position (a route is planned in the park, so anything else is a mistake of the sender).
pub fn check_waybills(body: &[u8]) -> Result<Vec<Waybill>, String> {
    records::<Waybill>(body, MAX_BATCH)?
        .into_iter()
        .map(|(i, mut w)| {
            let at = |field: &str, why: String| format!("record {i} (waybill \"{}\"): field \"{field}\": {why}", w.id);
            let n = w.id.trim().chars().count();
            if n == 0 || n > 40 {
                return Err(at("id", "must be 1 to 40 characters".into()));
            }
            no_control(&w.id).map_err(|e| at("id", e))?;
            plate_ok(&w.plate).map_err(|e| at("plate", e))?;
            un_number_ok(&w.un_number).map_err(|e| at("un_number", e))?;
            tonnes_ok(w.tonnes).map_err(|e| at("tonnes", e))?;
            w.valid_from = normalise_time(&w.valid_from).map_err(|e| at("valid_from", e))?;
            w.valid_to = normalise_time(&w.valid_to).map_err(|e| at("valid_to", e))?;
            if w.valid_to <= w.valid_from {
                return Err(at("valid_to", "must be after valid_from".into()));
            }
            if w.route.len() < 2 || w.route.len() > MAX_ROUTE_POINTS {
                return Err(at(
                    "route",
                    format!("needs 2 to {MAX_ROUTE_POINTS} points, has {}", w.route.len()),
                ));
            }
            if let Some(k) = w
                .route
                .iter()
                .position(|p| !(p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0))
            {
                return Err(at(&format!("route[{k}]"), "is not a WGS84 [lon, lat] position".into()));
            }
            Ok(w)
        })
        .collect()
}

/// Checks a batch of passes at a gate; times come back normalised.
pub fn check_passes(body: &[u8], now: OffsetDateTime) -> Result<Vec<GatePass>, String> {
    records::<GatePass>(body, MAX_BATCH)?
        .into_iter()
        .map(|(i, mut p)| {
            let at = |field: &str, why: String| format!("record {i} (plate \"{}\"): field \"{field}\": {why}", p.plate);
            plate_ok(&p.plate).map_err(|e| at("plate", e))?;
            if let Some(un) = &p.un_number {
                un_number_ok(un).map_err(|e| at("un_number", e))?;
            }
            if let Some(t) = p.tonnes {
                tonnes_ok(t).map_err(|e| at("tonnes", e))?;
            }
            if p.waybill.as_ref().is_some_and(|w| w.trim().is_empty()) {
                p.waybill = None;
            }
            p.time = stored_time(&p.time, now).map_err(|e| at("time", e))?;
            Ok(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::clock::format_utc;

    fn known() -> HashSet<String> {
        ["gd-001".to_string()].into_iter().collect()
    }

    /// A park of one detector, read without naming its quantity.
    fn resolve(s: &str, q: Option<&str>) -> Result<Option<String>, (&'static str, String)> {
        match (known().contains(s), q) {
            (false, _) => Err(("sensor", "no such sensor".into())),
            (true, None) => Ok(None),
            (true, Some(q)) => Err(("quantity", format!("\"{q}\" is not measured by {s}"))),
        }
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::parse("2026-11-26T12:00:00Z", &Rfc3339).expect("time")
    }

    #[test]
    fn stored_times_are_utc_to_the_millisecond() {
        let at = |s: &str| format_utc(OffsetDateTime::parse(s, &Rfc3339).expect("time"));
        assert_eq!(at("2026-11-26T12:00:00Z"), "2026-11-26T12:00:00.000Z");
        assert_eq!(at("2026-01-02T03:04:05.006789Z"), "2026-01-02T03:04:05.006Z");
        assert_eq!(at("2026-12-31T23:59:59.999+00:00"), "2026-12-31T23:59:59.999Z");
        // Another offset is brought to UTC, across a day and a year.
        assert_eq!(at("2027-01-01T07:30:00.5+08:00"), "2026-12-31T23:30:00.500Z");
        assert_eq!(at("0999-03-04T05:06:07Z"), "0999-03-04T05:06:07.000Z");
    }

    #[test]
    fn a_good_batch_comes_back_in_utc() {
        let body = br#"[{"sensor":"gd-001","time":"2026-11-26T19:59:00+08:00","value":1.5}]"#;
        let obs = check_observations(body, &resolve, now()).expect("valid");
        assert_eq!(obs[0].time, "2026-11-26T11:59:00.000Z");
    }

    #[test]
    fn the_first_bad_record_is_named_with_its_field() {
        let cases: &[(&[u8], &str)] = &[
            (br#"[{"sensor":"gd-001","time":"2026-11-26T11:00:00Z","value":1},{"sensor":"gd-999","time":"2026-11-26T11:00:00Z","value":1}]"#, "record 1 (sensor \"gd-999\"): field \"sensor\""),
            (br#"[{"sensor":"gd-001","time":"noon","value":1}]"#, "field \"time\""),
            (br#"[{"sensor":"gd-001","quantity":"pm25","time":"2026-11-26T11:00:00Z","value":1}]"#, "field \"quantity\": \"pm25\" is not measured by gd-001"),
            (br#"[{"sensor":"gd-001","time":"2027-01-01T00:00:00Z","value":1}]"#, "ahead of the server's clock"),
            (br#"[{"sensor":"gd-001","time":"2026-11-26T11:00:00Z","value":"high"}]"#, "record 0: field \"value\": invalid type"),
            (br#"[{"sensor":"gd-001","time":"2026-11-26T11:00:00Z"}]"#, "missing field `value`"),
            (br#"[]"#, "empty"),
            (br#"{"sensor":"gd-001"}"#, "JSON list"),
            (br#"[{"#, "not JSON"),
        ];
        for (body, want) in cases {
            let e = check_observations(body, &resolve, now()).expect_err("refused");
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn impossible_positions_are_refused() {
        let e = check_positions(
            r#"[{"plate":"鲁E12345","time":"2026-11-26T11:00:00Z","lon":218.4,"lat":37.5}]"#.as_bytes(),
            now(),
        )
        .expect_err("lon");
        assert!(e.contains("field \"lon\"") && e.contains("鲁E12345"), "{e}");
        let e = check_positions(
            r#"[{"plate":"鲁E1","time":"2026-11-26T11:00:00Z","lon":118.4,"lat":37.5,"speed_kmh":-3}]"#.as_bytes(),
            now(),
        )
        .expect_err("speed");
        assert!(e.contains("speed_kmh"), "{e}");
        let err = check_positions(
            r#"[{"plate":"鲁E\u00001","time":"2026-11-26T11:00:00Z","lon":118.4,"lat":37.5}]"#.as_bytes(),
            now(),
        )
        .expect_err("a NUL in a plate");
        assert!(
            err.contains("field \"plate\": must not hold the control character U+0000"),
            "{err}"
        );
        let ok = check_positions(r#"[{"plate":"鲁E1","time":"2026-11-26T11:00:00Z","lon":118.4,"lat":37.5,"speed_kmh":40,"heading_deg":90}]"#.as_bytes(), now());
        assert_eq!(ok.expect("valid").len(), 1);
    }

    #[test]
    fn waybills_are_checked_field_by_field() {
        let good = r#"{"id":"YD1","plate":"鲁E10037","un_number":"UN1017","cargo":"liquid chlorine","tonnes":25,
            "valid_from":"2026-11-26T08:00:00+08:00","valid_to":"2026-11-26T20:00:00+08:00",
            "route":[[118.46,37.56],[118.45,37.57]]}"#;
        let ok = check_waybills(format!("[{good}]").as_bytes()).expect("valid");
        assert_eq!(ok[0].valid_from, "2026-11-26T00:00:00.000Z");
        let bad = |from: &str, to: &str| format!("[{good},{}]", good.replace(from, to));
        let cases = [
            (
                bad("\"UN1017\"", "\"1017X\""),
                "record 1 (waybill \"YD1\"): field \"un_number\"",
            ),
            (bad("\"tonnes\":25", "\"tonnes\":250"), "field \"tonnes\""),
            (
                bad("20:00:00+08:00", "07:00:00+08:00"),
                "field \"valid_to\": must be after",
            ),
            (
                bad("[[118.46,37.56],[118.45,37.57]]", "[[118.46,37.56]]"),
                "field \"route\": needs 2",
            ),
            (bad("[118.45,37.57]", "[118.45,97.57]"), "field \"route[1]\""),
            (bad("\"id\":\"YD1\"", "\"id\":\"\""), "field \"id\""),
            (bad("\"cargo\"", "\"freight\""), "unknown field `freight`"),
        ];
        for (body, want) in cases {
            let e = check_waybills(body.as_bytes()).expect_err("refused");
            assert!(e.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn sensor_levels() {
        use crate::model::SensorLevel;
        assert_eq!(SensorLevel::of(None, Some(1.0), Some(2.0)), SensorLevel::NoData);
        assert_eq!(SensorLevel::of(Some(0.5), Some(1.0), Some(2.0)), SensorLevel::Normal);
        assert_eq!(SensorLevel::of(Some(1.0), Some(1.0), Some(2.0)), SensorLevel::Warning);
        assert_eq!(SensorLevel::of(Some(2.0), Some(1.0), Some(2.0)), SensorLevel::Alarm);
    }
}
