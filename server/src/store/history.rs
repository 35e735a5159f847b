//! What was: every sensor with its latest reading, a sensor's readings, each vehicle's latest
//! fix and a vehicle's track.

use parktwin_api::model::{Observation, SensorLevel, SensorState, VehiclePosition};

use super::{Store, StoreError, row, rows};
use crate::db::{Arg, args};

/// Seconds of a track read by one query (see [`Store::track`]).
const TRACK_SECONDS_A_QUERY: usize = 3600;
/// The longest track window read second by second (see [`Store::track`]).
const TRACK_BY_SECOND_MAX_S: i64 = 86_400;

/// The layers whose features are sensors that take observations.
pub const SENSOR_LAYERS: [&str; 2] = ["detectors", "weather_stations"];

impl Store {
    /// Every sensor with its latest reading and level.
    pub fn sensors(&self) -> Result<Vec<SensorState>, StoreError> {
        let found = rows(
            &mut self.conn(),
            "SELECT f.layer_id, f.id, f.feature,
                    (SELECT value FROM observations o WHERE o.sensor = f.id AND o.quantity = '' ORDER BY time DESC, seq DESC LIMIT 1),
                    (SELECT time FROM observations o WHERE o.sensor = f.id AND o.quantity = '' ORDER BY time DESC, seq DESC LIMIT 1)
             FROM features f WHERE f.layer_id IN (?1, ?2) ORDER BY f.layer_id, f.ord",
            args![SENSOR_LAYERS[0], SENSOR_LAYERS[1]],
            |r| {
                Ok((
                    r.string(0)?,
                    r.string(1)?,
                    serde_json::from_str::<serde_json::Value>(r.text(2)?)?,
                    r.opt_real(3)?,
                    r.opt_string(4)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for (layer, id, f, value, time) in found {
            let p = &f["properties"];
            let (warn, alarm) = (p["warn"].as_f64(), p["alarm"].as_f64());
            out.push(SensorState {
                id,
                layer,
                kind: p["kind"].as_str().unwrap_or("unknown").to_string(),
                unit: p["unit"].as_str().map(str::to_string),
                warn,
                alarm,
                value,
                time,
                level: SensorLevel::of(value, warn, alarm),
            });
        }
        Ok(out)
    }

    /// A sensor's readings between two stored times (inclusive), oldest first.
    pub fn observations(&self, sensor: &str, from: &str, to: &str) -> Result<Vec<Observation>, StoreError> {
        rows(
            &mut self.conn(),
            "SELECT sensor, time, value FROM observations WHERE sensor = ?1 AND quantity = '' AND time >= ?2 AND time <= ?3 ORDER BY time, seq",
            args![sensor, from, to],
            |r| {
                Ok(Observation {
                    sensor: r.string(0)?,
                    quantity: None,
                    time: r.string(1)?,
                    value: r.real(2)?,
                })
            },
        )
    }

    fn position_rows(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<VehiclePosition>, StoreError> {
        rows(&mut *self.reader()?, sql, args, |r| {
            Ok(VehiclePosition {
                plate: r.string(0)?,
                time: r.string(1)?,
                lon: r.real(2)?,
                lat: r.real(3)?,
                speed_kmh: r.real(4)?,
                heading_deg: r.real(5)?,
            })
        })
    }

    /// Each vehicle's latest position.
    pub fn vehicles(&self) -> Result<Vec<VehiclePosition>, StoreError> {
        self.position_rows(
            "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM vehicle_latest ORDER BY plate",
            &[],
        )
    }

    /// Whether any fix of `plate` was ever stored.
    pub fn vehicle_seen(&self, plate: &str) -> Result<bool, StoreError> {
        Ok(row(
            &mut *self.reader()?,
            "SELECT 1 FROM vehicle_latest WHERE plate = ?1",
            args![plate],
            |_| Ok(()),
        )?
        .is_some())
    }

    /// A vehicle's positions between two stored times (inclusive), oldest first.
    ///
    /// Read through the index (second, plate). A window of up to a day is read second by
    /// second, one look-up each (an hour's seconds to a query), however many other vehicles
    /// there are; a longer one is read as a range of the index, whose cost grows with every
    /// vehicle's fixes in it.
    pub fn track(&self, plate: &str, from: &str, to: &str) -> Result<Vec<VehiclePosition>, StoreError> {
        let parse = |t: &str| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map_err(|e| StoreError::Column(format!("a stored time {t}: {e}")))
        };
        let (start, end) = (parse(from)?, parse(to)?);
        if end - start > time::Duration::seconds(TRACK_BY_SECOND_MAX_S) {
            let second = |t: &str| t.get(..19).unwrap_or(t).to_string();
            return self.position_rows(
                "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM positions
                 WHERE substr(time, 1, 19) >= ?2 AND substr(time, 1, 19) <= ?3 AND plate = ?1
                   AND time >= ?4 AND time <= ?5
                 ORDER BY time, seq",
                args![plate, &second(from), &second(to), from, to],
            );
        }
        let mut second = start.replace_nanosecond(0).unwrap_or(start);
        let mut fixes = Vec::new();
        while second <= end {
            let mut hour: Vec<String> = Vec::with_capacity(TRACK_SECONDS_A_QUERY);
            while second <= end && hour.len() < TRACK_SECONDS_A_QUERY {
                hour.push(parktwin_api::clock::format_utc(second)[..19].to_string());
                second += time::Duration::SECOND;
            }
            fixes.extend(self.position_rows(
                "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM positions
                 WHERE substr(time, 1, 19) IN (SELECT value FROM json_each(?2)) AND plate = ?1
                   AND time >= ?3 AND time <= ?4
                 ORDER BY time, seq",
                args![plate, &serde_json::to_string(&hour)?, from, to],
            )?);
        }
        Ok(fixes)
    }
}
