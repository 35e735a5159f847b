//! A device's readings on the wire: one reading of one quantity (`POST /api/v1/observations`
//! and the MQTT topic take lists of them), the latest value of each quantity with its band, the
//! values derived from them (a station's AQI), and a quantity's series at a step (raw, or the
//! minimum, mean and maximum of each minute, hour or day).
//!
//! A bucket is named by its start in UTC. Minutes and hours are the clock's; a day is the
//! park's, from its local midnight ([`crate::clock::park_offset`]).
//!
//! ```
//! use parktwin_api::readings::{Step, bucket_start};
//! let cst = parktwin_api::clock::park_offset("Asia/Shanghai").0;
//! let t = "2026-12-07T17:42:31.250Z"; // 01:42 on the 8th in the park
//! assert_eq!(bucket_start(t, Step::Minute, cst).as_deref(), Some("2026-12-07T17:42:00.000Z"));
//! assert_eq!(bucket_start(t, Step::Hour, cst).as_deref(), Some("2026-12-07T17:00:00.000Z"));
//! assert_eq!(bucket_start(t, Step::Day, cst).as_deref(), Some("2026-12-07T16:00:00.000Z"));
//! ```

use serde::{Deserialize, Serialize};

use crate::clock::{format_utc, parse_utc};
use crate::device_rules::Band;

/// One reading of a device's quantity (`POST /api/v1/observations` takes a list of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The device's id (a registered device, or a feature of the `detectors` or
    /// `weather_stations` layer).
    pub sensor: String,
    /// The quantity read (`pm25`, `cod`, `level`, …); absent: the device's first quantity (a
    /// gas detector's concentration), which is how a detector's readings have always come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    /// When it was read, RFC 3339 (stored in UTC).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub time: String,
    /// The reading, in the quantity's unit.
    pub value: f64,
}

/// The step of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Each reading as it came.
    Raw,
    /// Each minute's minimum, mean and maximum.
    Minute,
    /// Each hour's.
    Hour,
    /// Each of the park's days'.
    Day,
}

impl Step {
    /// The steps kept as rollups.
    pub const ROLLUPS: [Step; 3] = [Step::Minute, Step::Hour, Step::Day];

    /// Its text, as in a query and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Raw => "raw",
            Step::Minute => "minute",
            Step::Hour => "hour",
            Step::Day => "day",
        }
    }

    /// The step of a text, if it is one.
    pub fn of(text: &str) -> Option<Step> {
        [Step::Raw, Step::Minute, Step::Hour, Step::Day]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The start (UTC, as stored) of the bucket of `step` that a stored time falls in; `None` for
/// a time that does not read, or for the raw step, which has no buckets.
pub fn bucket_start(time: &str, step: Step, park: time::UtcOffset) -> Option<String> {
    let t = parse_utc(time)?;
    let start = match step {
        Step::Raw => return None,
        Step::Minute => t.replace_second(0).ok()?.replace_nanosecond(0).ok()?,
        Step::Hour => t
            .replace_minute(0)
            .ok()?
            .replace_second(0)
            .ok()?
            .replace_nanosecond(0)
            .ok()?,
        Step::Day => t.to_offset(park).replace_time(time::Time::MIDNIGHT),
    };
    Some(format_utc(start))
}

/// One point of a series: a bucket's readings summed up (or one raw reading, `n` = 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeriesPoint {
    /// The bucket's start (the reading's time, raw), RFC 3339 UTC.
    pub time: String,
    /// How many readings.
    pub n: u64,
    /// The smallest.
    pub min: f64,
    /// Their mean.
    pub mean: f64,
    /// The largest.
    pub max: f64,
    /// Their sum (a meter's total over the bucket).
    pub sum: f64,
}

/// A quantity's series (`GET /api/v1/devices/{id}/series`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Series {
    /// The device.
    pub device: String,
    /// The quantity.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// Its thresholds, to chart against.
    pub thresholds: crate::device::Thresholds,
    /// The step.
    pub step: Step,
    /// The points, oldest first.
    pub points: Vec<SeriesPoint>,
}

/// A quantity's latest reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Latest {
    /// The quantity.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// When it was read.
    pub time: String,
    /// The value.
    pub value: f64,
    /// Where it stands against the quantity's thresholds.
    pub band: Band,
}

/// What the server derives from a device's readings: for an air-quality station, the AQI of
/// HJ 633-2012 for the latest hour with readings and for the park's day so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Derived {
    /// The hour the hourly AQI is of (its start, UTC).
    pub hour: String,
    /// The hourly AQI: the hour's means of SO₂, NO₂, CO and O₃, the last 24 hours' means of
    /// PM10 and PM2.5.
    pub hourly: Option<crate::aqi::Report>,
    /// The park's day the daily AQI is of (its start, UTC).
    pub day: String,
    /// The daily AQI: the day's means, O₃ by its highest hour and highest 8 hours.
    pub daily: Option<crate::aqi::Report>,
}

/// A device with its latest readings and what is derived from them (`GET /api/v1/devices/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeviceReport {
    /// The device.
    pub device: crate::device::Device,
    /// Each quantity's latest reading (a quantity never read is left out).
    pub latest: Vec<Latest>,
    /// The derived values, for a device that has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
}

/// Writes a reading into a device layer feature's properties (the server's
/// `GET /devices/geojson` names them): the quantity's value, its band by the thresholds the
/// properties carry (`{q}_low_low` … `{q}_high_high`), the newest `time`, and `limits` from
/// every quantity's band. A reading older than the feature's newest is still written where its
/// quantity has none. Whether anything changed.
///
/// ```
/// use parktwin_api::readings::overlay_reading;
/// let mut p = serde_json::json!({"level": 55.0, "level_band": "normal", "level_high": 85.0, "level_high_high": 95.0,
///     "limits": "normal", "time": "2026-12-07T10:00:00.000Z"});
/// let p = p.as_object_mut().unwrap();
/// assert!(overlay_reading(p, "level", 96.0, "2026-12-07T10:05:00.000Z"));
/// assert_eq!((p["level"].as_f64(), p["level_band"].as_str()), (Some(96.0), Some("high_high")));
/// assert_eq!(p["limits"], "exceedance");
/// assert!(!overlay_reading(p, "level", 96.0, "2026-12-07T10:05:00.000Z"), "the same reading again");
/// ```
pub fn overlay_reading(
    props: &mut serde_json::Map<String, serde_json::Value>,
    quantity: &str,
    value: f64,
    time: &str,
) -> bool {
    use serde_json::json;
    let threshold = |k: &str| {
        props
            .get(&format!("{quantity}_{k}"))
            .and_then(serde_json::Value::as_f64)
    };
    let t = crate::device::Thresholds {
        low_low: threshold("low_low"),
        low: threshold("low"),
        high: threshold("high"),
        high_high: threshold("high_high"),
    };
    let band = json!(crate::device_rules::band_of(value, &t));
    let newest = props
        .get("time")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    if newest.as_deref().is_some_and(|n| n > time) && props.get(quantity).is_some_and(|v| !v.is_null()) {
        return false;
    }
    let before = props.clone();
    props.insert(quantity.to_string(), json!(value));
    props.insert(format!("{quantity}_band"), band);
    if newest.as_deref().is_none_or(|n| n < time) {
        props.insert("time".into(), json!(time));
    }
    let bands: Vec<&serde_json::Value> = props
        .iter()
        .filter(|(k, v)| k.ends_with("_band") && !v.is_null())
        .map(|(_, v)| v)
        .collect();
    if !bands.is_empty() {
        let past = bands.iter().any(|b| b.as_str() != Some("normal"));
        props.insert("limits".into(), json!(if past { "exceedance" } else { "normal" }));
    }
    *props != before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_the_parks_midnight_and_minutes_and_hours_at_the_clocks() {
        let utc = time::UtcOffset::UTC;
        let cst = crate::clock::park_offset("Asia/Shanghai").0;
        assert_eq!(
            bucket_start("2026-12-07T15:59:59.999Z", Step::Day, cst).as_deref(),
            Some("2026-12-06T16:00:00.000Z"),
            "23:59:59 in the park is still the 7th"
        );
        assert_eq!(
            bucket_start("2026-12-07T16:00:00.000Z", Step::Day, cst).as_deref(),
            Some("2026-12-07T16:00:00.000Z")
        );
        assert_eq!(
            bucket_start("2026-12-07T15:59:59.999Z", Step::Day, utc).as_deref(),
            Some("2026-12-07T00:00:00.000Z")
        );
        assert_eq!(bucket_start("2026-12-07T15:59:59.999Z", Step::Raw, utc), None);
        assert_eq!(bucket_start("noon", Step::Hour, utc), None);
        for s in [Step::Raw, Step::Minute, Step::Hour, Step::Day] {
            assert_eq!(Step::of(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_detectors_reading_reads_as_it_always_has() {
        let o: Observation =
            serde_json::from_str(r#"{"sensor":"gd-001","time":"2026-12-07T00:00:00Z","value":1.5}"#).expect("reads");
        assert_eq!(o.quantity, None);
        assert!(!serde_json::to_string(&o).expect("json").contains("quantity"));
    }
}
