//! Incidents on the wire: what an operator sends to start one (`POST /api/v1/incidents`), the
//! incident the server keeps and every client shows, and who is inside its threat zones.
//!
//! The physics (zones, the field, the threat at a point) is the dispersion crate's; this module
//! only says what an incident is and checks a request before anything is stored.

use crate::validate::json_body;
use serde::{Deserialize, Serialize};

use crate::model::{ChemicalTable, LevelSet};

/// The weather an incident disperses in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentWeather {
    /// Wind speed at 10 m, m/s.
    pub wind_speed_ms: f64,
    /// Where the wind comes from, degrees clockwise from north.
    pub wind_from_deg: f64,
    /// Air temperature, °C (for ppm ↔ mg/m³).
    #[serde(default = "default_temperature")]
    pub temperature_c: f64,
    /// Cloud cover, oktas (0–8), where known.
    #[serde(default)]
    pub cloud_oktas: Option<u8>,
    /// Pasquill–Gifford class A–F; derived from the wind, the sun and the cloud when absent.
    #[serde(default)]
    pub stability: Option<String>,
}

fn default_temperature() -> f64 {
    20.0
}

impl IncidentWeather {
    /// A station's report as an incident's weather (its class left to be derived; a calm is
    /// taken as 0.5 m/s, the least wind the Gaussian models hold for).
    pub fn from_report(r: &crate::model::WeatherReport) -> Self {
        Self {
            wind_speed_ms: r.wind_speed_ms.max(0.5),
            wind_from_deg: r.wind_from_deg,
            temperature_c: r.temperature_c,
            cloud_oktas: r.cloud_oktas,
            stability: None,
        }
    }
}

/// The latest report of the station nearest to (`lon`, `lat`) among `reports`, where
/// `station_at` places a station (WGS84); reports of stations it cannot place are skipped.
/// The server gives an incident started without weather this report; the map's form shows it.
///
/// ```
/// use parktwin_api::incident::nearest_report;
/// use parktwin_api::model::WeatherReport;
/// let r = |s: &str| WeatherReport { station: s.into(), time: "2026-11-27T00:00:00Z".into(),
///     wind_speed_ms: 3.0, wind_from_deg: 250.0, temperature_c: 8.0, cloud_oktas: None };
/// let reports = [r("ws-west"), r("ws-east")];
/// let at = |s: &str| match s { "ws-west" => Some([118.40, 37.56]), "ws-east" => Some([118.46, 37.56]), _ => None };
/// assert_eq!(nearest_report(&reports, at, 118.45, 37.57).map(|r| r.station.as_str()), Some("ws-east"));
/// ```
pub fn nearest_report<'a>(
    reports: impl IntoIterator<Item = &'a crate::model::WeatherReport>,
    station_at: impl Fn(&str) -> Option<[f64; 2]>,
    lon: f64,
    lat: f64,
) -> Option<&'a crate::model::WeatherReport> {
    // Degrees of longitude shrink with the cosine of the latitude: over a park that is
    // distance enough to rank stations.
    let k = lat.to_radians().cos();
    reports
        .into_iter()
        .filter_map(|r| {
            let at = station_at(&r.station)?;
            Some((((at[0] - lon) * k).powi(2) + (at[1] - lat).powi(2), r))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r)
}

/// What happens at the release: the kind of incident, which says which model draws its zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// A cloud that drifts with the wind: toxic (its zones at AEGL or ERPG) or flammable (at
    /// the LEL and half of it: where a flash fire reaches).
    #[default]
    Cloud,
    /// A pool of liquid burning: thermal radiation zones around it.
    PoolFire,
    /// A jet of gas burning at the hole it leaks from: thermal radiation zones.
    JetFire,
    /// A fireball: a vessel of liquefied gas bursting and its contents burning at once (a
    /// BLEVE): thermal radiation zones.
    Fireball,
    /// A vapour cloud exploding: overpressure zones around its centre.
    Explosion,
}

impl Hazard {
    /// Every kind, as the form lists them.
    pub const ALL: [Hazard; 5] = [
        Hazard::Cloud,
        Hazard::PoolFire,
        Hazard::JetFire,
        Hazard::Fireball,
        Hazard::Explosion,
    ];

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Hazard::Cloud => "cloud",
            Hazard::PoolFire => "pool_fire",
            Hazard::JetFire => "jet_fire",
            Hazard::Fireball => "fireball",
            Hazard::Explosion => "explosion",
        }
    }

    /// Whether its zones are a cloud's, carried by the wind (or a fire's or a blast's, around
    /// the release).
    pub fn is_cloud(self) -> bool {
        self == Hazard::Cloud
    }
}

/// The model a cloud's zones are drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CloudModel {
    /// As ALOHA chooses: the heavy-gas model where the cloud is dense enough to slump (its
    /// Richardson number), else the Gaussian plume.
    #[default]
    Auto,
    /// The Gaussian plume and puffs, whatever the cloud's density (incidents stored before
    /// the choice was made read as this).
    Gaussian,
    /// Britter & McQuaid's heavy-gas workbook, whatever the switch says.
    Dense,
}

fn gaussian() -> CloudModel {
    CloudModel::Gaussian
}

/// What an operator sends to start an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// Where the release is, WGS84 longitude.
    pub lon: f64,
    /// Where the release is, WGS84 latitude.
    pub lat: f64,
    /// Release height above ground, m.
    #[serde(default)]
    pub height_m: f64,
    /// The chemical: English name or CAS number from the chemical table.
    pub chemical: String,
    /// What happens: `cloud` (the default), `pool_fire`, `jet_fire`, `fireball` or
    /// `explosion`. A cloud takes `rate_kg_s` or `mass_kg`; a pool fire `pool_diameter_m` (and
    /// `mass_kg`, the liquid that burns, where known); a jet fire `rate_kg_s`; a fireball and
    /// an explosion `mass_kg` (the vessel's contents; the flammable mass in the cloud).
    #[serde(default)]
    pub hazard: Hazard,
    /// A burning pool's diameter, m (a pool fire's; a bund's size where the pool fills it).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = 500)))]
    pub pool_diameter_m: Option<f64>,
    /// A cloud's model: `auto` (the default: heavy gas where the release is dense enough, as
    /// ALOHA chooses), `gaussian` or `dense`.
    #[serde(default)]
    pub cloud_model: CloudModel,
    /// An explosion's strength on the TNO multi-energy scale, 1 (a slow flame in the open) to
    /// 10 (a detonation); absent: 7, a cloud in a congested plant.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 10)))]
    pub blast_strength: Option<u8>,
    /// A continuous release, kg/s (give this or `mass_kg`).
    #[serde(default)]
    pub rate_kg_s: Option<f64>,
    /// An instantaneous release, kg.
    #[serde(default)]
    pub mass_kg: Option<f64>,
    /// How long a continuous release lasts, s (absent: it goes on until closed).
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// A rate that changes over time (a tank draining through a hole): `[seconds since the
    /// start, kg/s]` pairs, the first at 0, linear between, the release ending at the last.
    /// `rate_kg_s` is then its largest rate (the threat zones are drawn at it, as ALOHA draws
    /// them at the largest sustained rate) and `duration_s`, where given, its last time.
    #[serde(default)]
    pub rate_profile: Option<Vec<[f64; 2]>>,
    /// When the release started, RFC 3339 (absent: now).
    #[serde(default)]
    pub start: Option<String>,
    /// The weather to use, for a what-if; absent: the nearest station's latest report, and the
    /// incident follows that station's reports from then on.
    #[serde(default)]
    pub weather: Option<IncidentWeather>,
    /// The map feature the release comes from (a tank, a pipe segment), if any.
    #[serde(default)]
    pub origin: Option<String>,
    /// Levels of concern: `aegl` (60 min, the default), `erpg`, or `lel` (a flammable cloud:
    /// the lower explosive limit and half of it).
    #[serde(default)]
    pub levels: Option<String>,
    /// A free note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A change of the weather during an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindShift {
    /// Seconds after the release started.
    pub at_s: f64,
    /// Wind speed at 10 m, m/s.
    pub wind_speed_ms: f64,
    /// Where the wind comes from, degrees.
    pub wind_from_deg: f64,
    /// Pasquill–Gifford class from then on.
    pub stability: String,
}

/// An incident as the server keeps it and every client shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Incident {
    /// Id, `inc-N`.
    pub id: String,
    /// WGS84 longitude of the release.
    pub lon: f64,
    /// WGS84 latitude of the release.
    pub lat: f64,
    /// Release height, m.
    pub height_m: f64,
    /// The chemical's English name, as in the chemical table.
    pub chemical: String,
    /// What happens (incidents stored before kinds were told apart are clouds).
    #[serde(default)]
    pub hazard: Hazard,
    /// A burning pool's diameter, m.
    #[serde(default)]
    pub pool_diameter_m: Option<f64>,
    /// A cloud's model (incidents stored before the choice read as `gaussian`).
    #[serde(default = "gaussian")]
    pub cloud_model: CloudModel,
    /// An explosion's strength, 1 to 10 (absent: 7).
    #[serde(default)]
    pub blast_strength: Option<u8>,
    /// Continuous release rate, kg/s.
    pub rate_kg_s: Option<f64>,
    /// Instantaneous release, kg.
    pub mass_kg: Option<f64>,
    /// Duration of a continuous release, s (`None`: going on).
    pub duration_s: Option<f64>,
    /// The rate over time, `[s, kg/s]` pairs, where it changes (see [`NewIncident`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_profile: Option<Vec<[f64; 2]>>,
    /// When the release started, RFC 3339 UTC.
    pub start: String,
    /// The weather at the start, its stability class resolved.
    pub weather: IncidentWeather,
    /// The station whose reports the incident follows (`None`: fixed weather, a what-if).
    pub station: Option<String>,
    /// Weather changes since the start, in time order.
    #[serde(default)]
    pub shifts: Vec<WindShift>,
    /// `aegl`, `erpg` or `lel` ([`LevelSet`]).
    pub levels: String,
    /// The map feature the release comes from.
    pub origin: Option<String>,
    /// A free note.
    pub note: Option<String>,
    /// Who started it (the token's name).
    pub created_by: String,
    /// When it was closed, if it was.
    pub closed: Option<String>,
}

impl Incident {
    /// The weather in force `t_s` seconds after the start: the start's, or the last shift's.
    pub fn weather_at(&self, t_s: f64) -> (f64, f64, String) {
        let w = &self.weather;
        let mut now = (
            w.wind_speed_ms,
            w.wind_from_deg,
            w.stability.clone().unwrap_or_else(|| "D".into()),
        );
        for s in self.shifts.iter().take_while(|s| s.at_s <= t_s) {
            now = (s.wind_speed_ms, s.wind_from_deg, s.stability.clone());
        }
        now
    }

    /// When the release started, Unix seconds (0 if the stored time does not parse).
    pub fn start_unix(&self) -> f64 {
        crate::clock::unix_seconds(&self.start)
    }

    /// The release rate `t_s` seconds after the start, kg/s: the profile's where there is one,
    /// else the constant rate while the release lasts; 0 for an instantaneous release.
    ///
    /// ```
    /// use parktwin_api::incident::Incident;
    /// let mut inc: Incident = serde_json::from_value(serde_json::json!({"id": "inc-1", "lon": 0.0,
    ///     "lat": 0.0, "height_m": 0.0, "chemical": "chlorine", "rate_kg_s": 12.0, "duration_s": 600.0,
    ///     "start": "2026-06-01T10:00:00Z", "levels": "aegl", "created_by": "op",
    ///     "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 270.0}})).unwrap();
    /// assert_eq!((inc.rate_at(300.0), inc.rate_at(601.0)), (12.0, 0.0));
    /// inc.rate_profile = Some(vec![[0.0, 12.0], [600.0, 6.0]]);
    /// assert_eq!(inc.rate_at(300.0), 9.0);
    /// ```
    pub fn rate_at(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        if let Some(p) = &self.rate_profile {
            return p.windows(2).find(|w| t_s <= w[1][0]).map_or(0.0, |w| {
                let span = w[1][0] - w[0][0];
                let f = if span > 0.0 { (t_s - w[0][0]) / span } else { 1.0 };
                w[0][1] + f * (w[1][1] - w[0][1])
            });
        }
        match (self.rate_kg_s, self.duration_s) {
            (Some(_), Some(d)) if t_s > d => 0.0,
            (Some(r), _) => r,
            _ => 0.0,
        }
    }

    /// The weather now in force (the last shift's, or the start's).
    pub fn weather_now(&self) -> (f64, f64, String) {
        self.weather_at(f64::INFINITY)
    }

    /// Seconds from the start to an RFC 3339 time (negative before the start).
    pub fn seconds_at(&self, time: &str) -> Option<f64> {
        use time::format_description::well_known::Rfc3339;
        let a = time::OffsetDateTime::parse(&self.start, &Rfc3339).ok()?;
        let b = time::OffsetDateTime::parse(time, &Rfc3339).ok()?;
        Some((b - a).as_seconds_f64())
    }
}

/// Something inside a threat zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Occupant {
    /// What it is: `vehicle`, `sensitive_target`, `detector`, `enterprise`.
    pub kind: String,
    /// Its id (a plate for a vehicle).
    pub id: String,
    /// A name to show.
    pub name: String,
    /// People there, where known.
    pub people: Option<u32>,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
}

/// One threat zone and who is inside it (a thing is listed in the most severe zone that holds
/// it only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ZoneOccupants {
    /// The level's name, e.g. `AEGL-3`.
    pub zone: String,
    /// Who and what is inside.
    pub occupants: Vec<Occupant>,
}

/// A place that may be inside a zone: an occupant to list, with its parcel (WGS84, holes and
/// all) when it is an area (an enterprise) rather than a point.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// What to list when it is inside.
    pub occupant: Occupant,
    /// The parcel, WGS84, for an area.
    pub parcel: Option<crate::geometry::Area>,
}

impl Candidate {
    /// A park feature (GeoJSON, as stored) of a layer whose places can stand in a zone:
    /// sensitive targets, detectors, enterprises, weather stations; `None` for other layers and
    /// for features that are neither a point nor a (multi)polygon with a usable ring. An area
    /// is listed at its centroid.
    pub fn from_feature(layer: &str, id: &str, f: &serde_json::Value) -> Option<Self> {
        let kind = match layer {
            "sensitive_targets" => "sensitive_target",
            "detectors" => "detector",
            "enterprises" => "enterprise",
            "weather_stations" => "weather_station",
            _ => return None,
        };
        let p = &f["properties"];
        let g = &f["geometry"];
        let (lon, lat, parcel) = match g["type"].as_str()? {
            "Point" => (g["coordinates"][0].as_f64()?, g["coordinates"][1].as_f64()?, None),
            "Polygon" | "MultiPolygon" => {
                let area = crate::geometry::Area::of_feature(f)?;
                let (lon, lat) = area.centre()?;
                (lon, lat, Some(area))
            }
            _ => return None,
        };
        Some(Self {
            occupant: Occupant {
                kind: kind.into(),
                id: id.into(),
                name: p["name"].as_str().unwrap_or(id).to_string(),
                people: p["population"].as_u64().map(|n| n as u32),
                lon,
                lat,
            },
            parcel,
        })
    }

    /// A vehicle at its latest fix.
    pub fn vehicle(v: &crate::model::VehiclePosition) -> Self {
        Self {
            occupant: Occupant {
                kind: "vehicle".into(),
                id: v.plate.clone(),
                name: v.plate.clone(),
                people: None,
                lon: v.lon,
                lat: v.lat,
            },
            parcel: None,
        }
    }
}

/// Highest release height taken, m.
pub const MAX_HEIGHT_M: f64 = 300.0;
/// Largest continuous release rate taken, kg/s.
pub const MAX_RATE_KG_S: f64 = 10_000.0;
/// Largest instantaneous release taken, kg.
pub const MAX_MASS_KG: f64 = 10_000_000.0;
/// Longest release taken, s (three days).
pub const MAX_DURATION_S: f64 = 3.0 * 86_400.0;

impl IncidentWeather {
    /// Checks the fields; the error names the field (prefixed with `prefix`).
    pub fn check(&self, prefix: &str) -> Result<(), String> {
        let at = |f: &str, why: String| format!("field \"{prefix}{f}\": {why}");
        if !(0.5..=75.0).contains(&self.wind_speed_ms) {
            return Err(at(
                "wind_speed_ms",
                format!(
                    "{} m/s is not a wind speed a Gaussian model holds for (0.5 to 75)",
                    self.wind_speed_ms
                ),
            ));
        }
        if !(0.0..=360.0).contains(&self.wind_from_deg) {
            return Err(at(
                "wind_from_deg",
                format!("{} is not a direction (0 to 360)", self.wind_from_deg),
            ));
        }
        if !(-60.0..=60.0).contains(&self.temperature_c) {
            return Err(at(
                "temperature_c",
                format!("{} °C is not an air temperature (-60 to 60)", self.temperature_c),
            ));
        }
        if self.cloud_oktas.is_some_and(|c| c > 8) {
            return Err(at("cloud_oktas", "cloud cover is 0 to 8 oktas".into()));
        }
        if let Some(s) = &self.stability
            && !matches!(
                s.trim().to_ascii_uppercase().as_str(),
                "A" | "B" | "C" | "D" | "E" | "F"
            )
        {
            return Err(at("stability", format!("\"{s}\" is not one of A, B, C, D, E, F")));
        }
        Ok(())
    }
}

impl NewIncident {
    /// Parses and checks a request body: every error names the field and what is wrong. The
    /// chemical comes back as the table's English name, the start normalised to UTC.
    pub fn parse(body: &[u8], table: &ChemicalTable, now: time::OffsetDateTime) -> Result<Self, String> {
        let mut n: NewIncident = crate::validate::decode_record(json_body(body)?).map_err(|e| match e.path {
            None => format!("the incident does not read: {}", e.why),
            Some(_) => e.to_string(),
        })?;
        let at = |f: &str, why: String| format!("field \"{f}\": {why}");
        if !(-180.0..=180.0).contains(&n.lon) || !(-90.0..=90.0).contains(&n.lat) {
            return Err(at(
                "lon/lat",
                format!("{},{} is not a WGS84 longitude,latitude", n.lon, n.lat),
            ));
        }
        if !(0.0..=MAX_HEIGHT_M).contains(&n.height_m) {
            return Err(at(
                "height_m",
                format!("{} m is not a release height (0 to {MAX_HEIGHT_M})", n.height_m),
            ));
        }
        let chem = table.get(&n.chemical).ok_or_else(|| {
            let known: Vec<&str> = table.chemicals.iter().map(|c| c.name.as_str()).collect();
            at(
                "chemical",
                format!(
                    "\"{}\" is not in the chemical table; it has: {}",
                    n.chemical,
                    known.join(", ")
                ),
            )
        })?;
        n.chemical = chem.name.clone();
        check_amounts(n.rate_kg_s, n.mass_kg)?;
        if let Some(d) = n.duration_s
            && !(d > 0.0 && d <= MAX_DURATION_S)
        {
            return Err(at(
                "duration_s",
                format!("{d} s is not a duration (above 0, at most {MAX_DURATION_S})"),
            ));
        }
        n.levels = Some(check_hazard(&n, chem)?.into());
        if let Some(p) = &n.rate_profile {
            n.duration_s = p.last().map(|q| q[0]);
        }
        if let Some(w) = &n.weather {
            w.check("weather.")?;
        }
        n.start = Some(match &n.start {
            Some(s) => {
                let t = crate::clock::normalise_time(s).map_err(|e| at("start", e))?;
                let parsed = time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| at("start", e.to_string()))?;
                if parsed > now + time::Duration::minutes(5) {
                    return Err(at("start", format!("{t} is in the future")));
                }
                t
            }
            None => crate::clock::format_utc(now),
        });
        if n.origin.as_ref().is_some_and(|o| o.len() > 200) || n.note.as_ref().is_some_and(|o| o.len() > 2000) {
            return Err(at("origin/note", "too long (origin 200, note 2000 characters)".into()));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ChemicalTable {
        serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table")
    }

    fn now() -> time::OffsetDateTime {
        time::macros::datetime!(2026-06-01 10:00 UTC)
    }

    #[test]
    fn a_good_request_is_normalised() {
        let body = br#"{"lon":118.45,"lat":37.57,"chemical":"7782-50-5","rate_kg_s":2.0,"duration_s":600}"#;
        let n = NewIncident::parse(body, &table(), now()).expect("good");
        assert_eq!(n.chemical, "chlorine");
        assert_eq!(n.levels.as_deref(), Some("aegl"));
        assert_eq!(n.start.as_deref(), Some("2026-06-01T10:00:00.000Z"));
    }

    #[test]
    fn a_propane_release_can_be_drawn_at_its_explosive_limits() {
        let body = br#"{"lon":118.45,"lat":37.57,"chemical":"propane","rate_kg_s":5,"levels":"LEL"}"#;
        let n = NewIncident::parse(body, &table(), now()).expect("a flammable release");
        assert_eq!(n.levels.as_deref(), Some("lel"));
    }

    #[test]
    fn fires_and_blasts_are_drawn_at_their_own_levels() {
        let parse = |body: &str| NewIncident::parse(body.as_bytes(), &table(), now()).expect(body);
        let pool =
            parse(r#"{"lon":118.45,"lat":37.57,"chemical":"benzene","hazard":"pool_fire","pool_diameter_m":20}"#);
        assert_eq!(
            (pool.hazard, pool.levels.as_deref()),
            (Hazard::PoolFire, Some("thermal"))
        );
        let blast = parse(r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"explosion","mass_kg":2000}"#);
        assert_eq!(blast.levels.as_deref(), Some("overpressure"));
        let cloud = parse(r#"{"lon":118.45,"lat":37.57,"chemical":"chlorine","rate_kg_s":2}"#);
        assert_eq!(
            cloud.hazard,
            Hazard::Cloud,
            "a request without a kind is a cloud, as before kinds"
        );
    }

    #[test]
    fn a_falling_rate_ends_the_release_and_is_checked_point_by_point() {
        let parse = |profile: &str, rate: f64| {
            let body = format!(
                r#"{{"lon":118.45,"lat":37.57,"chemical":"chlorine","rate_kg_s":{rate},"rate_profile":{profile}}}"#
            );
            NewIncident::parse(body.as_bytes(), &table(), now())
        };
        let n = parse("[[0, 12.3], [600, 10.0], [2400, 8.1]]", 12.3).expect("a draining tank");
        assert_eq!(n.duration_s, Some(2400.0), "the release ends with the profile");
        for (profile, rate, says) in [
            ("[[0, 12.3]]", 12.3, "give 2 to 500"),
            ("[[5, 12.3], [60, 1]]", 12.3, "the first point is at the start"),
            (
                "[[0, 12.3], [60, 1], [30, 0]]",
                12.3,
                "point 2: 30 s does not follow 60 s",
            ),
            ("[[0, 12.3], [60, -1]]", 12.3, "point 1: -1 kg/s"),
            ("[[0, 12.3], [60, 1]]", 5.0, "largest rate, 12.3"),
        ] {
            let err = parse(profile, rate).expect_err(profile);
            assert!(
                err.starts_with("field \"rate_profile\"") && err.contains(says),
                "{profile}: {err}"
            );
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine"}"#,
                "rate_kg_s/mass_kg",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Unobtainium","rate_kg_s":1}"#,
                "\"chemical\"",
            ),
            (
                r#"{"lon":218.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1}"#,
                "lon/lat",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":-1}"#,
                "\"rate_kg_s\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","mass_kg":10,"duration_s":5}"#,
                "\"duration_s\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"height_m":900}"#,
                "\"height_m\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"levels":"idlh"}"#,
                "\"levels\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"levels":"lel"}"#,
                "does not burn",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"weather":{"wind_speed_ms":0.1,"wind_from_deg":90}}"#,
                "\"weather.wind_speed_ms\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"weather":{"wind_speed_ms":3,"wind_from_deg":90,"stability":"G"}}"#,
                "\"weather.stability\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":1,"start":"2030-01-01T00:00:00Z"}"#,
                "\"start\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate_kg_s":"1"}"#,
                "\"rate_kg_s\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"Chlorine","rate":1}"#,
                "unknown field `rate`",
            ),
            (r#"{"lon":118.45"#, "not JSON"),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"chlorine","hazard":"fireball","mass_kg":1000}"#,
                "chlorine does not burn",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"benzene","hazard":"pool_fire","mass_kg":1000}"#,
                "field \"pool_diameter_m\": a pool_fire needs",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"benzene","hazard":"pool_fire","pool_diameter_m":-3}"#,
                "-3 m is not a pool's diameter",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"jet_fire","mass_kg":10}"#,
                "field \"rate_kg_s\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"explosion","rate_kg_s":10}"#,
                "field \"mass_kg\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"fireball","mass_kg":10,"levels":"lel"}"#,
                "field \"levels\"",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"meltdown","mass_kg":10}"#,
                "hazard",
            ),
            (
                r#"{"lon":118.45,"lat":37.57,"chemical":"propane","hazard":"explosion","mass_kg":10,"blast_strength":12}"#,
                "field \"blast_strength\": 12 is not a strength",
            ),
        ];
        for (body, names) in cases {
            let err = NewIncident::parse(body.as_bytes(), &table(), now()).expect_err(body);
            assert!(err.contains(names), "{body}: {err}");
        }
    }

    #[test]
    fn the_weather_in_force_follows_the_shifts() {
        let mut inc = Incident {
            id: "inc-1".into(),
            lon: 0.0,
            lat: 0.0,
            height_m: 0.0,
            chemical: "Chlorine".into(),
            hazard: Hazard::Cloud,
            pool_diameter_m: None,
            cloud_model: CloudModel::Gaussian,
            blast_strength: None,
            rate_kg_s: Some(1.0),
            mass_kg: None,
            duration_s: None,
            rate_profile: None,
            start: "2026-06-01T10:00:00.000Z".into(),
            weather: IncidentWeather {
                wind_speed_ms: 3.0,
                wind_from_deg: 270.0,
                temperature_c: 20.0,
                cloud_oktas: None,
                stability: Some("D".into()),
            },
            station: None,
            shifts: vec![],
            levels: "aegl".into(),
            origin: None,
            note: None,
            created_by: "op".into(),
            closed: None,
        };
        inc.shifts.push(WindShift {
            at_s: 600.0,
            wind_speed_ms: 4.0,
            wind_from_deg: 180.0,
            stability: "C".into(),
        });
        assert_eq!(inc.weather_at(599.0).1, 270.0);
        assert_eq!(inc.weather_at(600.0), (4.0, 180.0, "C".into()));
        assert_eq!(inc.seconds_at("2026-06-01T10:10:00Z"), Some(600.0));
    }
}

/// Largest burning pool taken, m across.
pub const MAX_POOL_DIAMETER_M: f64 = 500.0;

/// Checks what the incident's kind asks of the request (its amounts, its pool, its levels, a
/// chemical that burns for a fire or a blast) and answers the levels its zones are drawn at:
/// a cloud's set (`aegl`, `erpg`, `lel`), `thermal` for a fire, `overpressure` for a blast.
fn check_hazard(n: &NewIncident, chem: &crate::model::Chemical) -> Result<&'static str, String> {
    let at = |f: &str, why: String| format!("field \"{f}\": {why}");
    let kind = n.hazard.as_str();
    if let Some(p) = &n.rate_profile {
        check_profile(p, n.rate_kg_s, n.duration_s).map_err(|e| at("rate_profile", e))?;
        if !matches!(n.hazard, Hazard::Cloud | Hazard::JetFire) {
            return Err(at("rate_profile", format!("a {kind} takes no rate over time")));
        }
    }
    if n.hazard.is_cloud() {
        match (n.rate_kg_s, n.mass_kg) {
            (None, Some(_)) if n.duration_s.is_some() => {
                return Err(at(
                    "duration_s",
                    "an instantaneous release (mass_kg) has no duration; give rate_kg_s for a release over time".into(),
                ));
            }
            (None, None) => {
                return Err(at(
                    "rate_kg_s/mass_kg",
                    "missing: give rate_kg_s (continuous) or mass_kg (instantaneous)".into(),
                ));
            }
            _ => {}
        }
        if n.pool_diameter_m.is_some() || n.blast_strength.is_some() {
            return Err(at(
                "pool_diameter_m/blast_strength",
                "a cloud has no pool and no blast; give hazard \"pool_fire\" or \"explosion\"".into(),
            ));
        }
        let set = LevelSet::parse(n.levels.as_deref().unwrap_or("aegl")).map_err(|e| at("levels", e))?;
        set.required_ppm(chem).map_err(|e| at("levels", e))?;
        return Ok(set.as_str());
    }
    if n.cloud_model != CloudModel::Auto {
        return Err(at("cloud_model", format!("a {kind} has no cloud to model")));
    }
    if n.levels.is_some() {
        return Err(at(
            "levels",
            format!(
                "a {kind}'s zones are drawn at fixed levels (thermal radiation or overpressure); levels are a cloud's"
            ),
        ));
    }
    chem.heat_of_combustion()
        .map_err(|e| at("chemical", format!("{e}; a {kind} needs a chemical that burns")))?;
    let refuse = |field: &str, why: &str| Err(at(field, format!("a {kind} {why}")));
    match n.hazard {
        Hazard::PoolFire => {
            chem.boiling_liquid().map_err(|e| at("chemical", e))?;
            match n.pool_diameter_m {
                None => return refuse("pool_diameter_m", "needs the pool's diameter"),
                Some(d) if !(d > 0.0 && d <= MAX_POOL_DIAMETER_M) => {
                    return Err(at(
                        "pool_diameter_m",
                        format!("{d} m is not a pool's diameter (above 0, at most {MAX_POOL_DIAMETER_M})"),
                    ));
                }
                Some(_) => {}
            }
            if n.rate_kg_s.is_some() || n.duration_s.is_some() {
                return refuse(
                    "rate_kg_s/duration_s",
                    "burns the pool: give its diameter, and mass_kg for the liquid in it",
                );
            }
        }
        Hazard::JetFire => {
            if n.rate_kg_s.is_none() {
                return refuse("rate_kg_s", "needs the rate the gas leaks at");
            }
        }
        Hazard::Fireball | Hazard::Explosion => {
            if n.mass_kg.is_none() {
                return refuse("mass_kg", "needs the mass that burns");
            }
            if n.duration_s.is_some() {
                return refuse("duration_s", "is over in seconds: it takes no duration");
            }
        }
        Hazard::Cloud => {}
    }
    if n.hazard != Hazard::PoolFire && n.pool_diameter_m.is_some() {
        return refuse("pool_diameter_m", "has no pool");
    }
    match n.blast_strength {
        Some(_) if n.hazard != Hazard::Explosion => return refuse("blast_strength", "has no blast"),
        Some(s) if !(1..=10).contains(&s) => {
            return Err(at(
                "blast_strength",
                format!("{s} is not a strength: 1 (a slow flame in the open) to 10 (a detonation)"),
            ));
        }
        _ => {}
    }
    Ok(if n.hazard == Hazard::Explosion {
        "overpressure"
    } else {
        "thermal"
    })
}

/// Most points a rate profile takes.
pub const MAX_PROFILE_POINTS: usize = 500;

/// A rate profile's check: two points or more, the first at 0 s, times rising, rates from 0
/// to the largest taken, `rate_kg_s` its largest rate and `duration_s`, where given, its end.
fn check_profile(p: &[[f64; 2]], rate_kg_s: Option<f64>, duration_s: Option<f64>) -> Result<(), String> {
    if p.len() < 2 || p.len() > MAX_PROFILE_POINTS {
        return Err(format!(
            "give 2 to {MAX_PROFILE_POINTS} [s, kg/s] points, not {}",
            p.len()
        ));
    }
    if p[0][0] != 0.0 {
        return Err(format!("the first point is at the start, 0 s, not {} s", p[0][0]));
    }
    for (k, [t, r]) in p.iter().enumerate() {
        if !(r.is_finite() && (0.0..=MAX_RATE_KG_S).contains(r)) {
            return Err(format!(
                "point {k}: {r} kg/s is not a release rate (0 to {MAX_RATE_KG_S})"
            ));
        }
        if k > 0 && !(t.is_finite() && *t > p[k - 1][0] && *t <= MAX_DURATION_S) {
            return Err(format!(
                "point {k}: {t} s does not follow {} s (times rise, up to {MAX_DURATION_S})",
                p[k - 1][0]
            ));
        }
    }
    let top = p.iter().map(|q| q[1]).fold(0.0, f64::max);
    match rate_kg_s {
        Some(r) if (r - top).abs() <= 1e-9 * top.max(1.0) => {}
        Some(r) => return Err(format!("rate_kg_s ({r}) must be the profile's largest rate, {top}")),
        None => return Err("give rate_kg_s too: the profile's largest rate".into()),
    }
    let end = p[p.len() - 1][0];
    if let Some(d) = duration_s
        && (d - end).abs() > 1e-9 * end
    {
        return Err(format!("duration_s ({d}) must be the profile's last time, {end} s"));
    }
    Ok(())
}

/// A release's amount: a rate or a mass (not both), each in its range, where given.
fn check_amounts(rate_kg_s: Option<f64>, mass_kg: Option<f64>) -> Result<(), String> {
    let at = |f: &str, why: String| format!("field \"{f}\": {why}");
    match (rate_kg_s, mass_kg) {
        (Some(_), Some(_)) => Err(at(
            "rate_kg_s/mass_kg",
            "give one: rate_kg_s for a continuous release or mass_kg for an instantaneous one".into(),
        )),
        (Some(r), None) if !(r > 0.0 && r <= MAX_RATE_KG_S) => Err(at(
            "rate_kg_s",
            format!("{r} kg/s is not a release rate (above 0, at most {MAX_RATE_KG_S})"),
        )),
        (None, Some(m)) if !(m > 0.0 && m <= MAX_MASS_KG) => Err(at(
            "mass_kg",
            format!("{m} kg is not a released mass (above 0, at most {MAX_MASS_KG})"),
        )),
        _ => Ok(()),
    }
}

/// `POST /incidents/{id}/what-if`: the same incident with other weather or another release,
/// asked from a moment of a replay or now. The answer is the other outcome's threat zones, to
/// draw as a ghost beside the real ones; nothing is stored and the log is not touched.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// The moment the question is asked from (RFC 3339): the incident as the operators had it
    /// then. Absent: as it is now.
    #[serde(default)]
    pub at: Option<String>,
    /// Other weather, in force from the release's start (the shifts recorded are set aside).
    #[serde(default)]
    pub weather: Option<IncidentWeather>,
    /// Another continuous release rate, kg/s.
    #[serde(default)]
    pub rate_kg_s: Option<f64>,
    /// Another instantaneous release, kg.
    #[serde(default)]
    pub mass_kg: Option<f64>,
}

impl WhatIf {
    /// Reads and checks a what-if (a 422's message naming the field when it is wrong).
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let mut w: WhatIf = crate::validate::decode_record(json_body(body)?).map_err(|e| match e.path {
            None => format!("the what-if does not read: {}", e.why),
            Some(_) => e.to_string(),
        })?;
        let at = |f: &str, why: String| format!("field \"{f}\": {why}");
        if w.weather.is_none() && w.rate_kg_s.is_none() && w.mass_kg.is_none() {
            return Err(at(
                "weather/rate_kg_s/mass_kg",
                "nothing to change: give other weather, a rate or a mass".into(),
            ));
        }
        if let Some(wx) = &w.weather {
            wx.check("weather.")?;
        }
        check_amounts(w.rate_kg_s, w.mass_kg)?;
        if let Some(t) = &w.at {
            w.at = Some(crate::clock::normalise_time(t).map_err(|e| at("at", e))?);
        }
        Ok(w)
    }

    /// The incident as it would have been, or why the change does not fit its kind (a
    /// fireball's mass changed for a rate), naming the field.
    pub fn apply(&self, inc: &Incident) -> Result<Incident, String> {
        let kind = inc.hazard.as_str();
        let misfit = |field: &str, takes: &str| Err(format!("field \"{field}\": a {kind} takes {takes}"));
        match inc.hazard {
            Hazard::JetFire if self.mass_kg.is_some() => return misfit("mass_kg", "a rate (rate_kg_s), not a mass"),
            Hazard::PoolFire | Hazard::Fireball | Hazard::Explosion if self.rate_kg_s.is_some() => {
                return misfit("rate_kg_s", "a mass (mass_kg), not a rate");
            }
            _ => {}
        }
        let mut other = inc.clone();
        if let Some(w) = &self.weather {
            other.weather = w.clone();
            other.shifts.clear();
            other.station = None;
        }
        if let Some(r) = self.rate_kg_s {
            other.rate_kg_s = Some(r);
            other.mass_kg = None;
            other.rate_profile = None;
        }
        if let Some(m) = self.mass_kg {
            other.mass_kg = Some(m);
            other.rate_kg_s = None;
            other.duration_s = None;
            other.rate_profile = None;
        }
        Ok(other)
    }
}

#[cfg(test)]
mod what_if_tests {
    use super::*;

    #[test]
    fn a_what_if_names_what_is_wrong_and_changes_only_what_it_says() {
        let refuse = |body: &str| WhatIf::parse(body.as_bytes()).expect_err(body);
        assert!(refuse("{}").contains("nothing to change"));
        assert!(refuse(r#"{"rate_kg_s": -1}"#).contains("field \"rate_kg_s\""));
        assert!(refuse(r#"{"rate_kg_s": 1, "mass_kg": 5}"#).contains("give one"));
        assert!(
            refuse(r#"{"weather": {"wind_speed_ms": 0.1, "wind_from_deg": 90}}"#).contains("weather.wind_speed_ms")
        );
        assert!(refuse(r#"{"rate_kg_s": 1, "at": "soon"}"#).contains("field \"at\""));
        assert!(refuse(r#"{"rate": 1}"#).contains("rate"));
        let w = WhatIf::parse(br#"{"weather": {"wind_speed_ms": 2, "wind_from_deg": 45}}"#).expect("a what-if");
        let inc: Incident = serde_json::from_value(serde_json::json!({
            "id": "inc-1", "lon": 118.45, "lat": 37.57, "height_m": 0.0, "chemical": "chlorine",
            "rate_kg_s": 2.0, "mass_kg": null, "duration_s": null, "start": "2026-11-27T08:00:00.000Z",
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "temperature_c": 20.0},
            "station": "ws-1", "shifts": [{"at_s": 60.0, "wind_speed_ms": 3.0, "wind_from_deg": 270.0, "stability": "D"}],
            "levels": "aegl", "origin": null, "note": null, "created_by": "op", "closed": null}))
        .expect("an incident");
        let other = w.apply(&inc).expect("a cloud takes other weather");
        assert_eq!(other.weather_now().1, 45.0, "the other wind holds from the start");
        assert!(other.shifts.is_empty() && other.station.is_none());
        assert_eq!((other.rate_kg_s, other.id.as_str()), (Some(2.0), "inc-1"));
        let fireball = Incident {
            hazard: Hazard::Fireball,
            mass_kg: Some(5_000.0),
            rate_kg_s: None,
            ..inc
        };
        let faster = WhatIf::parse(br#"{"rate_kg_s": 4}"#).expect("a what-if");
        assert!(
            faster
                .apply(&fireball)
                .expect_err("a fireball has no rate")
                .contains("field \"rate_kg_s\"")
        );
    }
}
