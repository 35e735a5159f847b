//! Reading a device's readings back: its latest values with their bands, what the server
//! derives from them (a station's AQI of HJ 633-2012, hourly and daily, from the hour and day
//! rollups), and a quantity's series, raw or at a rollup's step. All on the readers'
//! connections: a chart never waits for the ingest.

use parktwin_api::aqi::{Daily, Hourly, daily, hourly};
use parktwin_api::device::{Device, DeviceKind};
use parktwin_api::device_rules::Band;
use parktwin_api::readings::{Derived, DeviceReport, Latest, Series, SeriesPoint, Step, bucket_start};

use crate::db::{Conn, args};
use crate::emergency::Refused;
use crate::store::{Store, StoreError, row, rows};

/// How long readings are kept: the raw readings (the log keeps every reading's event apart
/// from these, for replays), the minute rollups, and the hour and day rollups (`None`: for
/// ever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days of raw readings kept (30 by default, 1 at least).
    pub raw_days: u32,
    /// Days of minute rollups kept (90 by default).
    pub minute_days: u32,
    /// Days of hour and day rollups kept; for ever by default.
    pub hour_days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            raw_days: 30,
            minute_days: 90,
            hour_days: None,
        }
    }
}

/// What a pruning removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    /// Raw readings.
    pub raw: usize,
    /// Rollups.
    pub rollups: usize,
}

/// The most points one series request answers with.
pub const MAX_POINTS: usize = 100_000;

/// An hour, in seconds.
const HOUR_S: i64 = 3_600;

/// The start of the bucket `hours` hours before (negative) or after `bucket`.
fn shift_hours(bucket: &str, hours: i64) -> String {
    parktwin_api::clock::format_unix(parktwin_api::clock::unix_seconds(bucket) + (hours * HOUR_S) as f64)
}

/// A quantity's mean over the hour buckets `from..=to`: (sum, n) summed.
fn mean_over(c: &mut dyn Conn, device: &str, stored: &str, from: &str, to: &str) -> Result<Option<f64>, StoreError> {
    let got = row(
        c,
        "SELECT sum(sum), CAST(sum(n) AS BIGINT) FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = 'hour'
         AND bucket >= ?3 AND bucket <= ?4",
        args![device, stored, from, to],
        |r| Ok((r.opt_real(0)?, r.opt_int(1)?)),
    )?;
    Ok(match got {
        Some((Some(sum), Some(n))) if n > 0 => Some(sum / n as f64),
        _ => None,
    })
}

/// Each hour's mean of a quantity in `from..=to`, oldest first: (bucket, mean).
fn hour_means(
    c: &mut dyn Conn,
    device: &str,
    stored: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, f64)>, StoreError> {
    rows(
        c,
        "SELECT bucket, sum, n FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = 'hour'
         AND bucket >= ?3 AND bucket <= ?4 ORDER BY bucket",
        args![device, stored, from, to],
        |r| Ok((r.string(0)?, r.real(1)? / r.int(2)?.max(1) as f64)),
    )
}

/// The highest 8-hour moving mean of O₃ among the windows that end in the day (each the mean
/// of the hours with readings among its eight: HJ 633-2012 asks for the 8-hour moving mean,
/// and a window short of hours is here the mean of those it has).
fn o3_8h_max(
    c: &mut dyn Conn,
    device: &str,
    stored: &str,
    day: &str,
    last_hour: &str,
) -> Result<Option<f64>, StoreError> {
    let hours = hour_means(c, device, stored, &shift_hours(day, -7), last_hour)?;
    let at: Vec<(f64, f64)> = hours
        .iter()
        .map(|(b, m)| (parktwin_api::clock::unix_seconds(b), *m))
        .collect();
    let day_s = parktwin_api::clock::unix_seconds(day);
    let mut best: Option<f64> = None;
    for (end, _) in at.iter().filter(|(t, _)| *t >= day_s) {
        let window: Vec<f64> = at
            .iter()
            .filter(|(t, _)| *t > end - 8.0 * HOUR_S as f64 && t <= end)
            .map(|(_, m)| *m)
            .collect();
        let mean = window.iter().sum::<f64>() / window.len() as f64;
        best = Some(best.map_or(mean, |b: f64| b.max(mean)));
    }
    Ok(best)
}

impl Store {
    /// Removes the readings and rollups older than `keep` says at `now`, in one transaction.
    pub fn prune_readings(&self, now: time::OffsetDateTime, keep: &Retention) -> Result<Pruned, StoreError> {
        let before = |days: u32| parktwin_api::clock::format_utc(now - time::Duration::days(i64::from(days)));
        let mut conn = self.conn();
        let mut tx = crate::db::Tx::begin(&mut **conn)?;
        let mut pruned = Pruned {
            raw: tx.execute(
                "DELETE FROM observations WHERE time < ?1",
                args![before(keep.raw_days.max(1)).as_str()],
            )?,
            rollups: tx.execute(
                "DELETE FROM rollups WHERE step = 'minute' AND bucket < ?1",
                args![before(keep.minute_days).as_str()],
            )?,
        };
        if let Some(days) = keep.hour_days {
            pruned.rollups += tx.execute(
                "DELETE FROM rollups WHERE step IN ('hour', 'day') AND bucket < ?1",
                args![before(days).as_str()],
            )?;
        }
        tx.commit()?;
        Ok(pruned)
    }

    /// A device with its latest readings and, for an air-quality station, its AQI.
    pub fn device_report(&self, d: Device) -> Result<DeviceReport, StoreError> {
        self.device_report_at(d, None)
    }

    /// A device as it stood at `at` (RFC 3339; `None`: now): each quantity's last reading at
    /// or before it, its band by the thresholds alone (a deadband's memory of the readings
    /// before is not replayed), and a station's AQI of the last hour begun by then.
    pub fn device_report_at(&self, d: Device, at: Option<&str>) -> Result<DeviceReport, StoreError> {
        let mut c = self.reader()?;
        let mut latest = Vec::new();
        match at {
            None => {
                let stored: Vec<(String, String, f64, i64)> = rows(
                    &mut *c,
                    "SELECT quantity, time, value, band FROM device_latest WHERE device = ?1",
                    args![&d.id],
                    |r| Ok((r.string(0)?, r.string(1)?, r.real(2)?, r.int(3)?)),
                )?;
                for q in &d.quantities {
                    let key = stored_key(&d, &q.name);
                    if let Some((_, time, value, band)) = stored.iter().find(|s| s.0 == key) {
                        latest.push(Latest {
                            quantity: q.name.clone(),
                            unit: q.unit.clone(),
                            time: time.clone(),
                            value: *value,
                            band: Band::of_rank(*band as i8),
                        });
                    }
                }
            }
            Some(at) => {
                for q in &d.quantities {
                    let key = stored_key(&d, &q.name);
                    if let Some((time, value)) = row(
                        &mut *c,
                        "SELECT time, value FROM observations WHERE sensor = ?1 AND quantity = ?2 AND time <= ?3
                         ORDER BY time DESC, seq DESC LIMIT 1",
                        args![&d.id, key.as_str(), at],
                        |r| Ok((r.string(0)?, r.real(1)?)),
                    )? {
                        latest.push(Latest {
                            quantity: q.name.clone(),
                            unit: q.unit.clone(),
                            time,
                            value,
                            band: parktwin_api::device_rules::band_of(value, &q.thresholds),
                        });
                    }
                }
            }
        }
        let derived = if d.kind == DeviceKind::AirQuality {
            self.station_aqi(&mut *c, &d, at)?
        } else {
            None
        };
        Ok(DeviceReport {
            device: d,
            latest,
            derived,
        })
    }

    /// A station's AQI for its latest hour with readings (begun by `at`, where given) and for
    /// the park's day of it.
    fn station_aqi(&self, c: &mut dyn Conn, d: &Device, at: Option<&str>) -> Result<Option<Derived>, StoreError> {
        let Some(hour) = row(
            c,
            "SELECT max(bucket) FROM rollups WHERE device = ?1 AND step = 'hour' AND bucket <= ?2",
            args![&d.id, at.unwrap_or("9999")],
            |r| r.opt_string(0).map_err(StoreError::from),
        )?
        .flatten() else {
            return Ok(None);
        };
        let day = bucket_start(&hour, Step::Day, self.index()?.offset()).unwrap_or_default();
        let day_before = shift_hours(&hour, -23);
        let mut h = Hourly::default();
        let mut dly = Daily::default();
        for name in ["so2", "no2", "co", "o3", "pm10", "pm25"] {
            if d.quantity(name).is_none() {
                continue;
            }
            let key = stored_key(d, name);
            let this_hour = mean_over(c, &d.id, &key, &hour, &hour)?;
            let last_24h = mean_over(c, &d.id, &key, &day_before, &hour)?;
            let today = mean_over(c, &d.id, &key, &day, &hour)?;
            match name {
                "so2" => (h.so2, h.so2_24h, dly.so2) = (this_hour, last_24h, today),
                "no2" => (h.no2, dly.no2) = (this_hour, today),
                "co" => (h.co, dly.co) = (this_hour, today),
                "pm10" => (h.pm10, dly.pm10) = (last_24h, today),
                "pm25" => (h.pm25, dly.pm25) = (last_24h, today),
                _ => {
                    h.o3 = this_hour;
                    dly.o3_1h_max = hour_means(c, &d.id, &key, &day, &hour)?
                        .into_iter()
                        .map(|(_, m)| m)
                        .reduce(f64::max);
                    dly.o3_8h_max = o3_8h_max(c, &d.id, &key, &day, &hour)?;
                }
            }
        }
        Ok(Some(Derived {
            hourly: hourly(&h),
            daily: daily(&dly),
            hour,
            day,
        }))
    }

    /// A quantity's series between two stored times (inclusive; a rollup's bucket by its
    /// start); refused when the quantity is not the device's or the range holds more than
    /// [`MAX_POINTS`] points.
    pub fn series(
        &self,
        d: &Device,
        quantity: &str,
        from: &str,
        to: &str,
        step: Step,
    ) -> Result<Result<Series, Refused>, StoreError> {
        let Some(q) = d.quantity(quantity) else {
            return Ok(Err(Refused::Invalid(vec![format!(
                "quantity: \"{quantity}\" is not measured by {} (it measures {})",
                d.id,
                d.quantities
                    .iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )])));
        };
        let key = stored_key(d, quantity);
        let mut c = self.reader()?;
        let limit = (MAX_POINTS + 1) as i64;
        let points = if step == Step::Raw {
            rows(
                &mut *c,
                "SELECT time, value FROM observations WHERE sensor = ?1 AND quantity = ?2 AND time >= ?3 AND time <= ?4
                 ORDER BY time, seq LIMIT ?5",
                args![&d.id, key.as_str(), from, to, limit],
                |r| {
                    let v = r.real(1)?;
                    Ok(SeriesPoint {
                        time: r.string(0)?,
                        n: 1,
                        min: v,
                        mean: v,
                        max: v,
                        sum: v,
                    })
                },
            )?
        } else {
            rows(
                &mut *c,
                "SELECT bucket, n, sum, min, max FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = ?3
                 AND bucket >= ?4 AND bucket <= ?5 ORDER BY bucket LIMIT ?6",
                args![&d.id, key.as_str(), step.as_str(), from, to, limit],
                |r| {
                    let (n, sum) = (r.int(1)?, r.real(2)?);
                    Ok(SeriesPoint {
                        time: r.string(0)?,
                        n: n as u64,
                        min: r.real(3)?,
                        mean: sum / n.max(1) as f64,
                        max: r.real(4)?,
                        sum,
                    })
                },
            )?
        };
        if points.len() > MAX_POINTS {
            return Ok(Err(Refused::Invalid(vec![format!(
                "the range holds more than {MAX_POINTS} points at step {}: ask for a shorter range or a coarser step",
                step.as_str()
            )])));
        }
        Ok(Ok(Series {
            device: d.id.clone(),
            quantity: quantity.to_string(),
            unit: q.unit.clone(),
            thresholds: q.thresholds,
            step,
            points,
        }))
    }
}

/// Where a device is drawn: its own point, else the geometry of the feature it sits on (a
/// meter on its enterprise's parcel is drawn as the parcel).
fn device_geometry(d: &Device, feature: Option<&serde_json::Value>) -> Option<serde_json::Value> {
    if let (Some(lon), Some(lat)) = (d.location.lon, d.location.lat) {
        return Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]}));
    }
    feature.map(|f| f["geometry"].clone()).filter(|g| g.is_object())
}

/// A line feature's vertices (lon, lat), if it is a line.
fn line_of(feature: &serde_json::Value) -> Option<Vec<[f64; 2]>> {
    let g = &feature["geometry"];
    let coords = match g["type"].as_str()? {
        "LineString" => &g["coordinates"],
        "MultiLineString" => &g["coordinates"][0],
        _ => return None,
    };
    coords
        .as_array()?
        .iter()
        .map(|c| Some([c[0].as_f64()?, c[1].as_f64()?]))
        .collect()
}

/// What the map says of the feature a device sits on: its layer, id and names (`on_layer`,
/// `on_feature`, `on_name`, `on_name_zh`), the major hazard source it belongs to (`hazard`),
/// and for a device with its own point on a line (a gauge on a pipe), how far along the line
/// it is (`along_m`, metres from the line's start).
fn on_properties(d: &Device, feature: Option<&serde_json::Value>, p: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::json;
    let (Some(layer), Some(id), Some(f)) = (&d.location.layer, &d.location.feature, feature) else {
        return;
    };
    p.insert("on_layer".into(), json!(layer));
    p.insert("on_feature".into(), json!(id));
    let fp = &f["properties"];
    let name = fp["name"].as_str().or(fp["line_number"].as_str()).unwrap_or(id);
    p.insert("on_name".into(), json!(name));
    p.insert("on_name_zh".into(), json!(fp["name_zh"].as_str().unwrap_or(name)));
    if let Some(h) = fp["hazard"].as_str() {
        p.insert("hazard".into(), json!(h));
    }
    if let (Some(lon), Some(lat), Some(line)) = (d.location.lon, d.location.lat, line_of(f))
        && let Some(first) = line.first()
    {
        let frame = parktwin_api::frame::LocalFrame::new(first[0], first[1]);
        if let Some(m) = parktwin_api::geometry::distance_along_m(&frame, &line, lon, lat) {
            p.insert("along_m".into(), json!((m * 10.0).round() / 10.0));
        }
    }
}

/// The properties a map layer of devices binds its colour and labels to: the device's id,
/// names, kind, state and enterprise; each quantity's latest value (`{quantity}`), its band
/// (`{quantity}_band`) and permit (`{quantity}_permit`); the newest reading's `time`;
/// `limits` (`no_data`, `normal`, or `exceedance` when a quantity is past a threshold); each
/// quantity's unit (`{quantity}_unit`), thresholds (`{quantity}_low_low`, `_low`, `_high`,
/// `_high_high`, where set) and `{quantity}_nominal`; for a quantity with a day's budget (a
/// meter), its park day (`{quantity}_day`: the day's start), the day's total and each of its
/// hours' (`{quantity}_day_total`, `{quantity}_day_hours`: 24 sums, empty where nothing was
/// read), the day before's total (`{quantity}_previous_day_total`) and `{quantity}_budget`;
/// for a station, its hourly `aqi`, `level`, `level_name`, `level_name_zh` and
/// `primary_pollutant`; and `feed`, "demo simulator" where the demo's simulator makes the
/// readings (else "the park's feeds"). A value not yet read is there, empty (`null`).
fn layer_properties(r: &DeviceReport, demo: bool) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let d = &r.device;
    let mut p = serde_json::Map::new();
    p.insert("name".into(), json!(d.name));
    p.insert(
        "name_zh".into(),
        json!(if d.name_zh.is_empty() { &d.name } else { &d.name_zh }),
    );
    p.insert("kind".into(), json!(d.kind.as_str()));
    p.insert("device_state".into(), json!(d.state.as_str()));
    if let Some(e) = &d.enterprise {
        p.insert("enterprise".into(), json!(e));
    }
    for q in &d.quantities {
        if let Some(permit) = q.rules.permit_daily_mean {
            p.insert(format!("{}_permit", q.name), json!(permit));
        }
        p.insert(format!("{}_unit", q.name), json!(q.unit));
        let t = &q.thresholds;
        for (k, v) in [
            ("low_low", t.low_low),
            ("low", t.low),
            ("high", t.high),
            ("high_high", t.high_high),
            ("nominal", q.nominal),
            ("budget", q.rules.daily_budget),
        ] {
            if let Some(v) = v {
                p.insert(format!("{}_{k}", q.name), json!(v));
            }
        }
    }
    // Every quantity's properties, empty until it is read: a layer binds to them before the
    // first reading comes (a descriptor naming a property no feature has is refused).
    for q in &d.quantities {
        p.insert(q.name.clone(), serde_json::Value::Null);
        p.insert(format!("{}_band", q.name), serde_json::Value::Null);
    }
    for l in &r.latest {
        p.insert(l.quantity.clone(), json!(l.value));
        p.insert(format!("{}_band", l.quantity), json!(l.band));
    }
    p.insert("time".into(), json!(r.latest.iter().map(|l| &l.time).max()));
    let limits = if r.latest.is_empty() {
        "no_data"
    } else if r.latest.iter().any(|l| l.band != Band::Normal) {
        "exceedance"
    } else {
        "normal"
    };
    p.insert("limits".into(), json!(limits));
    if d.kind == DeviceKind::AirQuality {
        // A station not yet read has its AQI's properties all the same, empty: a layer binds
        // to them before the first reading comes.
        for k in ["aqi", "level", "level_name", "level_name_zh", "primary_pollutant"] {
            p.insert(k.into(), serde_json::Value::Null);
        }
    }
    if let Some(h) = r.derived.as_ref().and_then(|d| d.hourly.as_ref()) {
        let (en, zh) = h.level.names();
        p.insert("aqi".into(), json!(h.aqi));
        p.insert("level".into(), json!(h.level));
        p.insert("level_name".into(), json!(en));
        p.insert("level_name_zh".into(), json!(zh));
        let primary: Vec<&str> = h.primary_pollutants.iter().map(|p| p.as_str()).collect();
        p.insert(
            "primary_pollutant".into(),
            json!(if primary.is_empty() {
                "—".to_string()
            } else {
                primary.join(", ")
            }),
        );
    }
    p.insert(
        "feed".into(),
        json!(if demo { "demo simulator" } else { "the park's feeds" }),
    );
    p
}

impl Store {
    /// The day's totals of each quantity of `r` with a day's budget (a meter's): see
    /// [`layer_properties`]. The day is the park's day of the quantity's latest reading; as of
    /// a past moment `at`, the hours complete by then.
    fn day_totals(
        &self,
        c: &mut dyn Conn,
        offset: time::UtcOffset,
        r: &DeviceReport,
        at: Option<&str>,
        p: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), StoreError> {
        use serde_json::json;
        let d = &r.device;
        for q in d.quantities.iter().filter(|q| q.rules.daily_budget.is_some()) {
            let keys = ["day", "day_total", "day_hours", "previous_day_total"];
            for k in keys {
                p.insert(format!("{}_{k}", q.name), serde_json::Value::Null);
            }
            let Some(latest) = r.latest.iter().find(|l| l.quantity == q.name) else {
                continue;
            };
            let Some(day) = bucket_start(&latest.time, Step::Day, offset) else {
                continue;
            };
            let key = stored_key(d, &q.name);
            let day_s = parktwin_api::clock::unix_seconds(&day);
            let last = match at.and_then(|t| bucket_start(t, Step::Hour, offset)) {
                Some(this_hour) => shift_hours(&this_hour, -1),
                None => shift_hours(&day, 23),
            };
            let mut hours = vec![serde_json::Value::Null; 24];
            let mut total = 0.0;
            for (bucket, sum) in rows(
                &mut *c,
                "SELECT bucket, sum FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = 'hour'
                 AND bucket >= ?3 AND bucket <= ?4 ORDER BY bucket",
                args![&d.id, key.as_str(), day.as_str(), last.as_str()],
                |r| Ok((r.string(0)?, r.real(1)?)),
            )? {
                let h = ((parktwin_api::clock::unix_seconds(&bucket) - day_s) / HOUR_S as f64).floor() as usize;
                if let Some(slot) = hours.get_mut(h) {
                    *slot = json!(sum);
                    total += sum;
                }
            }
            let previous = row(
                &mut *c,
                "SELECT sum FROM rollups WHERE device = ?1 AND quantity = ?2 AND step = 'day' AND bucket = ?3",
                args![&d.id, key.as_str(), shift_hours(&day, -24).as_str()],
                |r| r.real(0).map_err(StoreError::from),
            )?;
            p.insert(format!("{}_day", q.name), json!(day));
            p.insert(format!("{}_day_total", q.name), json!(total));
            p.insert(format!("{}_day_hours", q.name), json!(hours));
            p.insert(format!("{}_previous_day_total", q.name), json!(previous));
        }
        Ok(())
    }

    /// The devices of the given kinds that `access` sees, as a GeoJSON FeatureCollection for a
    /// map layer (`GET /api/v1/devices/geojson?kind=…&at=…`), each with [`layer_properties`]
    /// and [`on_properties`], as they stood at `at` (`None`: now; see
    /// [`Store::device_report_at`]); a device with no place to draw it is left out.
    pub fn devices_geojson(
        &self,
        kinds: &[DeviceKind],
        at: Option<&str>,
        access: &parktwin_api::scope::Access,
    ) -> Result<serde_json::Value, StoreError> {
        let demo = self.demo.load(std::sync::atomic::Ordering::Relaxed);
        let mut features = Vec::new();
        // The registry as the park's index holds it: a map client's fetch every minute reads
        // no device records and never waits for the writer.
        let index = self.index()?;
        let mut devices: Vec<&Device> = index.devices.values().collect();
        devices.sort_by(|a, b| a.id.cmp(&b.id));
        let mut features_read: std::collections::HashMap<(String, String), Option<serde_json::Value>> =
            std::collections::HashMap::new();
        for d in devices {
            if !kinds.contains(&d.kind) || !access.sees_owned_by(d.enterprise.as_deref()) {
                continue;
            }
            // A tank's three gauges sit on one feature: it is read once.
            let feature: Option<serde_json::Value> = match (&d.location.layer, &d.location.feature) {
                (Some(layer), Some(id)) => match features_read.get(&(layer.clone(), id.clone())) {
                    Some(f) => f.clone(),
                    None => {
                        let f = crate::store::json_row(
                            &mut *self.reader()?,
                            "SELECT feature FROM features WHERE layer_id = ?1 AND id = ?2",
                            args![layer, id],
                        )?;
                        features_read.insert((layer.clone(), id.clone()), f.clone());
                        f
                    }
                },
                _ => None,
            };
            let Some(geometry) = device_geometry(d, feature.as_ref()) else {
                continue;
            };
            let id = d.id.clone();
            let report = self.device_report_at(d.clone(), at)?;
            let mut properties = layer_properties(&report, demo);
            on_properties(d, feature.as_ref(), &mut properties);
            self.day_totals(&mut *self.reader()?, index.offset(), &report, at, &mut properties)?;
            features.push(serde_json::json!({
                "type": "Feature",
                "id": id,
                "geometry": geometry,
                "properties": properties,
            }));
        }
        Ok(serde_json::json!({"type": "FeatureCollection", "features": features}))
    }
}

/// The key a device's quantity is stored under (`""`: its first).
fn stored_key(d: &Device, quantity: &str) -> String {
    d.stored_quantity(Some(quantity)).ok().flatten().unwrap_or_default()
}
