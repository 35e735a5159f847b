//! Incidents in the store: starting one, its threat zones, following the weather, closing it,
//! and the alarms for what stands in its most severe zone.
//!
//! An incident started without weather follows the nearest station: a report that turns the
//! wind by [`SHIFT_DIRECTION_DEG`] or more, changes its speed by [`SHIFT_SPEED_MS`] or more, or
//! changes the stability class is a wind shift: it is appended to the incident, the zones are
//! computed again and the incident's event (`incident_updated`) is written in the same
//! transaction as the report. Smaller changes are the wind's usual flutter and leave the zones.

use crate::db::{Conn, Tx, args};
use crate::store::row;
use parktwin_api::kinds::{AlarmRule, EventKind};

use parktwin_api::alarms::AlarmAction;
use parktwin_api::incident::{
    Candidate, Incident, IncidentWeather, NewIncident, WindShift, ZoneOccupants, nearest_report,
};
use parktwin_api::model::{AlarmTier, VehiclePosition, WeatherReport};
use parktwin_dispersion::incident::{IncidentError, class_for, incident_zones_geojson, solar_elevation_deg};
use parktwin_dispersion::zones::{Zone, occupants, zone_of};

use crate::store::{Store, StoreError, json_row, json_rows};

/// A wind that turns this much (degrees) is a shift.
pub const SHIFT_DIRECTION_DEG: f64 = 10.0;
/// A wind speed that changes this much (m/s) is a shift.
pub const SHIFT_SPEED_MS: f64 = 1.0;

/// An open incident's zones, kept in memory for the vehicle fixes.
#[derive(Debug, Clone)]
pub struct OpenZones {
    /// The incident.
    pub id: String,
    /// Where its source is, WGS84.
    pub source: (f64, f64),
    /// Its zones, metres around the source, most severe first.
    pub zones: Vec<Zone>,
}

/// Unix seconds of a stored RFC 3339 time.
fn unix_s(t: &str) -> f64 {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp_nanos() as f64 / 1e9)
        .unwrap_or(0.0)
}

/// The weather `w` with its class resolved for a place and time (given, or from the sun).
fn resolved(mut w: IncidentWeather, lon: f64, lat: f64, time: &str) -> IncidentWeather {
    let class = match &w.stability {
        Some(s) => s.trim().to_ascii_uppercase(),
        None => class_for(
            w.wind_speed_ms,
            w.cloud_oktas,
            solar_elevation_deg(lon, lat, unix_s(time)),
        )
        .to_string(),
    };
    w.stability = Some(class);
    w
}

/// The smallest angle between two directions, degrees.
fn turn(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

impl Store {
    /// The chemical named in an incident (as stored, the table's name).
    pub(crate) fn chemical_of(&self, inc: &Incident) -> Result<parktwin_api::model::Chemical, StoreError> {
        let table = self.chemicals()?;
        table
            .get(&inc.chemical)
            .cloned()
            .ok_or_else(|| StoreError::Json(serde::de::Error::custom(format!("unknown chemical {}", inc.chemical))))
    }

    /// The zones of an incident now, as GeoJSON (what is stored and served) and in metres.
    fn zones_now(&self, inc: &Incident) -> Result<(serde_json::Value, Vec<Zone>), StoreError> {
        Ok(incident_zones_geojson(inc, &self.chemical_of(inc)?)?)
    }

    /// Starts an incident from a checked request: resolves its weather (given, or the nearest
    /// station's latest report), computes its zones, writes it, its event and the alarms for
    /// what is in its most severe zone in one transaction. `Err(reason)` inside when it cannot
    /// be started (no weather to use).
    pub fn create_incident(&self, req: NewIncident, by: &str) -> Result<Result<Incident, String>, StoreError> {
        let index = self.index()?;
        let start = req.start.clone().unwrap_or_default();
        let (weather, station) = match req.weather.clone() {
            Some(w) => (w, None),
            None => {
                let latest = self.weather_latest()?;
                let nearest = nearest_report(&latest, |s| index.station_at.get(s).copied(), req.lon, req.lat);
                match nearest {
                    Some(r) => (IncidentWeather::from_report(r), Some(r.station.clone())),
                    None => {
                        return Ok(Err(
                            "field \"weather\": no weather station has reported yet; give the weather (wind_speed_ms, wind_from_deg)"
                                .into(),
                        ));
                    }
                }
            }
        };
        let vehicles = self.vehicles()?;
        self.open_zones()?;
        // The number is taken again inside the write's transaction (below); this one names the
        // incident while its zones are computed outside the lock.
        let n = Self::next_incident(&mut self.conn())?;
        let mut inc = Incident {
            id: format!("inc-{n}"),
            lon: req.lon,
            lat: req.lat,
            height_m: req.height_m,
            chemical: req.chemical,
            hazard: req.hazard,
            pool_diameter_m: req.pool_diameter_m,
            cloud_model: req.cloud_model,
            blast_strength: req.blast_strength,
            rate_kg_s: req.rate_kg_s,
            mass_kg: req.mass_kg,
            duration_s: req.duration_s,
            rate_profile: req.rate_profile,
            weather: resolved(weather, req.lon, req.lat, &start),
            start,
            station,
            shifts: Vec::new(),
            levels: req.levels.unwrap_or_else(|| "aegl".into()),
            origin: req.origin,
            note: req.note,
            created_by: by.into(),
            closed: None,
        };
        let (mut geojson, zones) = match self.zones_now(&inc) {
            Err(StoreError::Incident(IncidentError::Burning(why))) => return Ok(Err(why)),
            other => other?,
        };
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n_now = Self::next_incident(&mut tx)?;
        if n_now != n {
            // Another incident was started meanwhile: take the next number.
            inc.id = format!("inc-{n_now}");
            for f in geojson["features"].as_array_mut().into_iter().flatten() {
                f["properties"]["incident"] = inc.id.clone().into();
            }
        }
        let record = serde_json::to_string(&inc)?;
        tx.execute(
            "INSERT INTO incidents (n, id, record, zones) VALUES (?1, ?2, ?3, ?4)",
            args![n_now, &inc.id, &record, &geojson.to_string()],
        )?;
        let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
        Self::append_event(&mut tx, &now, EventKind::IncidentStarted, &record)?;
        let mut places = index.places.clone();
        places.extend(vehicles.iter().map(Candidate::vehicle));
        Self::zone_alarms(&mut tx, &inc, &zones, &places, &now, true)?;
        tx.commit()?;
        self.remember_zones(&inc, zones);
        Ok(Ok(inc))
    }

    /// The number the next incident takes.
    fn next_incident(conn: &mut dyn Conn) -> Result<i64, StoreError> {
        Ok(row(conn, "SELECT coalesce(max(n), 0) + 1 FROM incidents", &[], |r| {
            Ok(r.int(0)?)
        })?
        .unwrap_or(1))
    }

    /// Raises an alarm for each vehicle, sensitive target and detector of `places` in the most
    /// severe zone; with `close_others`, closes the incident's alarms for those no longer there.
    fn zone_alarms(
        tx: &mut dyn Conn,
        inc: &Incident,
        zones: &[Zone],
        places: &[Candidate],
        time: &str,
        close_others: bool,
    ) -> Result<Option<i64>, StoreError> {
        let red = zones.first();
        let inside = occupants(&zones[..zones.len().min(1)], (inc.lon, inc.lat), places);
        let threshold = red.map_or(0.0, |z| z.threshold);
        let mut last = None;
        let mut now_in: Vec<String> = Vec::new();
        for o in inside.iter().flat_map(|z| &z.occupants) {
            if o.kind == "enterprise" {
                continue;
            }
            let source = format!("{}/{}/{}", inc.id, o.kind, o.id);
            let raise = |open: Option<AlarmTier>| match open {
                None => AlarmAction::Raise(AlarmTier::Alarm),
                Some(_) => AlarmAction::Keep,
            };
            if let Some(seq) = Self::apply_rule(tx, AlarmRule::IncidentZone, &source, time, threshold, raise)? {
                last = Some(seq);
            }
            now_in.push(source);
        }
        if close_others {
            let open: Vec<String> = crate::store::rows(
                tx,
                "SELECT source FROM alarms WHERE rule = ?1 AND closed IS NULL AND source LIKE ?2",
                args![AlarmRule::IncidentZone.as_str(), &format!("{}/%", inc.id)],
                |r| Ok(r.string(0)?),
            )?;
            for source in open.iter().filter(|s| !now_in.contains(s)) {
                if let Some(seq) =
                    Self::apply_rule(tx, AlarmRule::IncidentZone, source, time, 0.0, |_| AlarmAction::Close)?
                {
                    last = Some(seq);
                }
            }
        }
        Ok(last)
    }

    /// Loads the open incidents' zones into memory once.
    pub(crate) fn open_zones(&self) -> Result<(), StoreError> {
        if self.incident_zones.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            return Ok(());
        }
        let mut all = Vec::new();
        for inc in self.incidents(Some(true))? {
            let Some(text) = self.incident_zones(&inc.id)? else {
                continue;
            };
            let fc: serde_json::Value = serde_json::from_str(&text)?;
            all.push(OpenZones {
                id: inc.id.clone(),
                source: (inc.lon, inc.lat),
                zones: parktwin_dispersion::zones::zones_from_geojson(&fc, (inc.lon, inc.lat)),
            });
        }
        *self.incident_zones.lock().unwrap_or_else(|p| p.into_inner()) = Some(all);
        Ok(())
    }

    fn remember_zones(&self, inc: &Incident, zones: Vec<Zone>) {
        let mut slot = self.incident_zones.lock().unwrap_or_else(|p| p.into_inner());
        let list = slot.get_or_insert_with(Vec::new);
        list.retain(|z| z.id != inc.id);
        if inc.closed.is_none() {
            list.push(OpenZones {
                id: inc.id.clone(),
                source: (inc.lon, inc.lat),
                zones,
            });
        }
    }

    /// A vehicle's fix against the open incidents' most severe zones: raises the alarm when it
    /// is inside, closes it when it has left.
    pub(crate) fn vehicle_in_zones(&self, tx: &mut dyn Conn, p: &VehiclePosition) -> Result<Option<i64>, StoreError> {
        let open = self.incident_zones.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut last = None;
        for oz in open.iter().flatten() {
            let Some(red) = oz.zones.first() else { continue };
            let frame = parktwin_api::frame::LocalFrame::new(oz.source.0, oz.source.1);
            let [x, y] = frame.to_map(p.lon, p.lat);
            let inside = zone_of(std::slice::from_ref(red), x, y).is_some();
            let source = format!("{}/vehicle/{}", oz.id, p.plate);
            let decide = |open: Option<AlarmTier>| match (open, inside) {
                (None, true) => AlarmAction::Raise(AlarmTier::Alarm),
                (Some(_), false) => AlarmAction::Close,
                _ => AlarmAction::Keep,
            };
            if let Some(seq) = Self::apply_rule(tx, AlarmRule::IncidentZone, &source, &p.time, red.threshold, decide)? {
                last = Some(seq);
            }
        }
        Ok(last)
    }

    /// A station's report against the open incidents that follow it: a shift is appended, the
    /// zones computed again, the event written and the alarms brought up to date.
    pub(crate) fn follow_weather(&self, tx: &mut dyn Conn, w: &WeatherReport) -> Result<Option<i64>, StoreError> {
        let open = self.incident_zones.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut last = None;
        for oz in open.iter().flatten() {
            let Some(mut inc): Option<Incident> =
                json_row(tx, "SELECT record FROM incidents WHERE id = ?1", args![&oz.id])?
            else {
                continue;
            };
            // A fire's or a blast's zones do not move with the wind.
            if inc.station.as_deref() != Some(w.station.as_str()) || !inc.hazard.is_cloud() {
                continue;
            }
            let Some(at_s) = inc.seconds_at(&w.time).filter(|t| *t > 0.0) else {
                continue;
            };
            let (speed, from, class) = inc.weather_at(at_s);
            let next = resolved(IncidentWeather::from_report(w), inc.lon, inc.lat, &w.time);
            let next_class = next.stability.clone().unwrap_or_else(|| class.clone());
            let shifted = turn(from, next.wind_from_deg) >= SHIFT_DIRECTION_DEG
                || (speed - next.wind_speed_ms).abs() >= SHIFT_SPEED_MS
                || class != next_class;
            if !shifted || inc.shifts.last().is_some_and(|s| s.at_s >= at_s) {
                continue;
            }
            inc.shifts.push(WindShift {
                at_s,
                wind_speed_ms: next.wind_speed_ms,
                wind_from_deg: next.wind_from_deg,
                stability: next_class,
            });
            let chem = self.chemical_of_tx(tx, &inc)?;
            let (geojson, zones) = incident_zones_geojson(&inc, &chem)?;
            let record = serde_json::to_string(&inc)?;
            tx.execute(
                "UPDATE incidents SET record = ?1, zones = ?2 WHERE id = ?3",
                args![&record, &geojson.to_string(), &inc.id],
            )?;
            last = Some(Self::append_event(tx, &w.time, EventKind::IncidentUpdated, &record)?);
            let places = self.index()?.places.clone();
            if let Some(seq) = Self::zone_alarms(tx, &inc, &zones, &places, &w.time, false)? {
                last = Some(seq);
            }
            self.remember_zones(&inc, zones);
        }
        Ok(last)
    }

    /// The chemical of an incident, read inside a transaction.
    fn chemical_of_tx(&self, tx: &mut dyn Conn, inc: &Incident) -> Result<parktwin_api::model::Chemical, StoreError> {
        let table: Option<parktwin_api::model::ChemicalTable> =
            json_row(tx, "SELECT value FROM meta WHERE key = 'chemicals'", &[])?;
        table
            .and_then(|t| t.get(&inc.chemical).cloned())
            .ok_or_else(|| StoreError::Json(serde::de::Error::custom(format!("unknown chemical {}", inc.chemical))))
    }

    /// Incidents, newest first: the open ones (`Some(true)`), the closed ones, or all.
    pub fn incidents(&self, open: Option<bool>) -> Result<Vec<Incident>, StoreError> {
        let sql = match open {
            Some(true) => "SELECT record FROM incidents WHERE closed IS NULL ORDER BY n DESC",
            Some(false) => "SELECT record FROM incidents WHERE closed IS NOT NULL ORDER BY n DESC",
            None => "SELECT record FROM incidents ORDER BY n DESC",
        };
        json_rows(&mut self.conn(), sql, &[])
    }

    /// One incident, or `None` for an unknown id.
    pub fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        json_row(
            &mut self.conn(),
            "SELECT record FROM incidents WHERE id = ?1",
            args![id],
        )
    }

    /// An incident's zones as stored (GeoJSON text), or `None` for an unknown id.
    pub fn incident_zones(&self, id: &str) -> Result<Option<String>, StoreError> {
        row(
            &mut self.conn(),
            "SELECT zones FROM incidents WHERE id = ?1",
            args![id],
            |r| Ok(r.string(0)?),
        )
    }

    /// Who and what is in each of an incident's zones now (vehicles at their latest fix).
    pub fn incident_inside(&self, id: &str) -> Result<Option<Vec<ZoneOccupants>>, StoreError> {
        let (Some(inc), Some(text)) = (self.incident(id)?, self.incident_zones(id)?) else {
            return Ok(None);
        };
        let zones = parktwin_dispersion::zones::zones_from_geojson(&serde_json::from_str(&text)?, (inc.lon, inc.lat));
        let mut places = self.index()?.places.clone();
        places.extend(self.vehicles()?.iter().map(Candidate::vehicle));
        Ok(Some(occupants(&zones, (inc.lon, inc.lat), &places)))
    }

    /// Closes an incident (its zone alarms close with it); `None` for an unknown id. Closing a
    /// closed incident changes nothing.
    pub fn close_incident(&self, id: &str, at: &str) -> Result<Option<Incident>, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let Some(mut inc): Option<Incident> =
            json_row(&mut tx, "SELECT record FROM incidents WHERE id = ?1", args![id])?
        else {
            return Ok(None);
        };
        if inc.closed.is_none() {
            inc.closed = Some(at.to_string());
            let record = serde_json::to_string(&inc)?;
            tx.execute(
                "UPDATE incidents SET record = ?1, closed = ?2 WHERE id = ?3",
                args![&record, at, id],
            )?;
            Self::append_event(&mut tx, at, EventKind::IncidentClosed, &record)?;
            Self::zone_alarms(&mut tx, &inc, &[], &[], at, true)?;
            tx.commit()?;
            self.remember_zones(&inc, Vec::new());
        }
        Ok(Some(inc))
    }
}
