//! Starting an incident from the map: a click on a tank, a pipe segment or any point opens a
//! form with what is known there (the chemical, the inventory, the height of the pipe rack, the
//! nearest station's weather), the operator edits it, and the server is asked to start it.
//!
//! The form's request is checked by [`NewIncident::parse`], the very check the server makes,
//! so an error shows in the form with the server's words before anything is sent.

use parktwin_api::incident::{CloudModel, Hazard, IncidentWeather, NewIncident, nearest_report};
use parktwin_api::model::{ChemicalTable, WeatherReport};

use crate::i18n::{Lang, Msg, fill, tr};

pub use super::pipe::{PipeOnRecord, Rupture};
pub use super::tank::{HoleLeak, PoolSpill, TankOnRecord};

/// Minutes over which a vessel's whole inventory is released in the default scenario: the US
/// EPA's worst case for toxic gases (40 CFR 68.25(c)(1): the quantity in the vessel released as
/// a gas over 10 minutes), at ground level (40 CFR 68.22(d)).
pub const WORST_CASE_MINUTES: f64 = 10.0;

/// The rate offered where nothing holds an inventory on record (a pipe, a bare point), kg/s.
pub const DEFAULT_RATE_KG_S: f64 = 1.0;

/// The duration offered where nothing holds an inventory on record, minutes.
pub const DEFAULT_MINUTES: f64 = 30.0;

/// Points of a draining tank's rate over time that an incident carries.
pub const PROFILE_POINTS: usize = 40;

/// The burning pool's diameter offered where no tank is on record, m.
pub const DEFAULT_POOL_DIAMETER_M: f64 = 10.0;

/// The form's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentForm {
    /// Where the release is, WGS84.
    pub lon: f64,
    /// Where the release is, WGS84.
    pub lat: f64,
    /// The feature it comes from (a tank, a pipe segment), if any.
    pub origin: Option<String>,
    /// What the release comes from, for the form's title.
    pub what: String,
    /// The chemical's name in the table ("" until chosen).
    pub chemical: String,
    /// What happens: a cloud, a fire or a blast.
    pub hazard: Hazard,
    /// A pool fire's diameter, m (prefilled with a tank's: its roof gone, the tank burns
    /// across).
    pub pool_diameter_m: f64,
    /// An explosion's strength on the multi-energy scale, 1 to 10.
    pub blast_strength: u8,
    /// Why the chemical or the amount could not be prefilled, for the operator to act on.
    pub remark: Option<Remark>,
    /// An instantaneous release (a mass) rather than one over time (a rate).
    pub instantaneous: bool,
    /// An instantaneous release's mass, kg (prefilled with a vessel's inventory).
    pub mass_kg: f64,
    /// A continuous release's rate, kg/s.
    pub rate_kg_s: f64,
    /// A continuous release's duration, minutes (0: until the incident is closed).
    pub duration_min: f64,
    /// Release height above ground, m.
    pub height_m: f64,
    /// The station whose report is prefilled (and followed, unless this is a what-if).
    pub station: Option<String>,
    /// Use the weather below, fixed, instead of following the station: a what-if.
    pub what_if: bool,
    /// The weather shown and, for a what-if, used (`stability: None`: derived by the server).
    pub weather: IncidentWeather,
    /// `aegl`, `erpg` or `lel`.
    pub levels: String,
    /// A cloud's model: as ALOHA's switch chooses (the default), or one forced.
    pub cloud_model: CloudModel,
    /// A free note.
    pub note: String,
    /// The vessel the form was opened on, where its shape and inventory are on record: a
    /// release can then be given as a hole instead of a rate.
    pub tank: Option<TankOnRecord>,
    /// The hole the rate is taken from, while it is (the leak as computed when it was given).
    pub hole: Option<HoleLeak>,
    /// Why the last hole given could not be turned into a rate.
    pub hole_error: Option<String>,
    /// The pool the rate is taken from, while it is: the tank's liquid spilled and evaporating.
    pub pool: Option<PoolSpill>,
    /// The pipe segment the form was opened on, where its bore, length and pressure are on
    /// record: a release can then be given as the segment broken.
    pub pipe: Option<PipeOnRecord>,
    /// The rupture the rate is taken from, while it is.
    pub rupture: Option<Rupture>,
}

/// What the form could not prefill, for the operator to act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Remark {
    /// The feature holds this, which is not in the chemical table (steam, nitrogen…).
    NotInTable(String),
    /// Nothing on record names a chemical here.
    NothingOnRecord,
    /// The chemical is known but not how much there is (a pipe).
    NoInventory,
}

impl Remark {
    /// The remark in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Remark::NotInTable(name) => fill(Msg::NotInTable, lang, &[("name", name.clone())]),
            Remark::NothingOnRecord => tr(Msg::NothingOnRecord, lang).into(),
            Remark::NoInventory => tr(Msg::NoInventory, lang).into(),
        }
    }
}

/// Why the form's request cannot be sent.
#[derive(Debug, Clone, PartialEq)]
pub enum FormError {
    /// No chemical chosen.
    ChooseChemical,
    /// Not a what-if, and no station has reported to follow.
    NoWeather,
    /// The request's check refused it, in the server's words (which name the field).
    Refused(String),
}

impl FormError {
    /// The error in `lang` (the server's words stay as the server says them).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            FormError::ChooseChemical => tr(Msg::ChooseChemical, lang).into(),
            FormError::NoWeather => tr(Msg::NoWeather, lang).into(),
            FormError::Refused(why) => why.clone(),
        }
    }
}

/// The chemical a feature holds, from its properties: `chemical` (a tank), `medium` (a pipe)
/// or the first of `chemicals` (a process unit) that is in the table. `Err` names what is there
/// and is not in the table.
fn chemical_of(props: &serde_json::Map<String, serde_json::Value>, table: &ChemicalTable) -> Result<String, Remark> {
    let mut named: Vec<String> = Vec::new();
    for key in ["chemical", "medium"] {
        if let Some(s) = props.get(key).and_then(|v| v.as_str()) {
            named.push(s.to_string());
        }
    }
    if let Some(list) = props.get("chemicals").and_then(|v| v.as_array()) {
        named.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    for n in &named {
        if let Some(c) = table.get(n) {
            return Ok(c.name.clone());
        }
    }
    Err(match named.first() {
        Some(n) => Remark::NotInTable(n.clone()),
        None => Remark::NothingOnRecord,
    })
}

impl IncidentForm {
    /// A form for a release at a bare point: the operator chooses the chemical.
    pub fn at_point(lon: f64, lat: f64) -> Self {
        Self {
            lon,
            lat,
            origin: None,
            what: format!("{lat:.5} N, {lon:.5} E"),
            chemical: String::new(),
            hazard: Hazard::Cloud,
            pool_diameter_m: DEFAULT_POOL_DIAMETER_M,
            blast_strength: parktwin_consequence::explosion::multi_energy::DEFAULT_STRENGTH,
            remark: Some(Remark::NothingOnRecord),
            instantaneous: false,
            mass_kg: 1000.0,
            rate_kg_s: DEFAULT_RATE_KG_S,
            duration_min: DEFAULT_MINUTES,
            height_m: 0.0,
            station: None,
            what_if: false,
            weather: IncidentWeather {
                wind_speed_ms: 2.0,
                wind_from_deg: 0.0,
                temperature_c: 20.0,
                cloud_oktas: None,
                stability: None,
            },
            levels: "aegl".into(),
            cloud_model: CloudModel::Auto,
            note: String::new(),
            tank: None,
            hole: None,
            hole_error: None,
            pool: None,
            pipe: None,
            rupture: None,
        }
    }

    /// A form for a release from a map feature at (`lon`, `lat`) (a tank's centre, or where a
    /// pipe was clicked), `height_m` above the ground: the chemical from its properties, and a
    /// vessel's inventory (`inventory_t`) as the released mass, offered as the worst case of
    /// [`WORST_CASE_MINUTES`].
    pub fn from_feature(
        id: &str,
        props: &serde_json::Map<String, serde_json::Value>,
        lon: f64,
        lat: f64,
        height_m: f64,
        table: &ChemicalTable,
    ) -> Self {
        let mut f = Self::at_point(lon, lat);
        f.origin = Some(id.to_string());
        f.tank = TankOnRecord::of(props);
        f.pipe = PipeOnRecord::of(props).filter(|_| f.tank.is_none());
        if let Some(d) = props.get("diameter_m").and_then(|v| v.as_f64()).filter(|d| *d > 0.0) {
            f.pool_diameter_m = d;
        }
        f.what = match props.get("name").and_then(|v| v.as_str()) {
            Some(name) if name != id => format!("{id} ({name})"),
            _ => id.to_string(),
        };
        f.height_m = height_m.clamp(0.0, 100.0);
        match chemical_of(props, table) {
            Ok(c) => {
                f.chemical = c;
                f.remark = None;
            }
            Err(why) => f.remark = Some(why),
        }
        match props.get("inventory_t").and_then(|v| v.as_f64()).filter(|t| *t > 0.0) {
            Some(t) => {
                f.mass_kg = t * 1000.0;
                f.rate_kg_s = f.mass_kg / (WORST_CASE_MINUTES * 60.0);
                f.duration_min = WORST_CASE_MINUTES;
                f.height_m = 0.0;
            }
            None if f.remark.is_none() => f.remark = Some(Remark::NoInventory),
            None => {}
        }
        f
    }

    /// Prefills the weather with the latest report of the station nearest the release, where
    /// `station_at` places a station; the incident follows that station unless a what-if.
    pub fn with_nearest_weather<'a>(
        mut self,
        reports: impl IntoIterator<Item = &'a WeatherReport>,
        station_at: impl Fn(&str) -> Option<[f64; 2]>,
    ) -> Self {
        if let Some(r) = nearest_report(reports, station_at, self.lon, self.lat) {
            self.weather = IncidentWeather::from_report(r);
            self.station = Some(r.station.clone());
        }
        self
    }

    /// Whether the release is given as a rate (a cloud over time, a jet fire) rather than a
    /// mass (a cloud at once, a fireball, a blast) or a pool.
    pub fn uses_rate(&self) -> bool {
        match self.hazard {
            Hazard::Cloud => !self.instantaneous,
            Hazard::JetFire => true,
            Hazard::PoolFire | Hazard::Fireball | Hazard::Explosion => false,
        }
    }

    /// The request the form makes, checked as the server checks it (`now` is the start).
    pub fn request(&self, table: &ChemicalTable, now: time::OffsetDateTime) -> Result<NewIncident, FormError> {
        if self.chemical.is_empty() {
            return Err(FormError::ChooseChemical);
        }
        if !self.what_if && self.station.is_none() {
            return Err(FormError::NoWeather);
        }
        let mut body = serde_json::json!({
            "lon": self.lon,
            "lat": self.lat,
            "height_m": self.height_m,
            "chemical": self.chemical,
            "hazard": self.hazard,
        });
        let by_rate = self.uses_rate();
        match self.hazard {
            Hazard::Cloud => {
                body["levels"] = self.levels.clone().into();
                body["cloud_model"] =
                    serde_json::to_value(self.cloud_model).map_err(|e| FormError::Refused(e.to_string()))?;
            }
            Hazard::PoolFire => body["pool_diameter_m"] = self.pool_diameter_m.into(),
            Hazard::Explosion => body["blast_strength"] = self.blast_strength.into(),
            Hazard::JetFire | Hazard::Fireball => {}
        }
        if by_rate {
            body["rate_kg_s"] = self.rate_kg_s.into();
            match self.hole {
                // The rate falls as the tank drains: the release carries it over time.
                // Computed again from the weather now shown (the station's report may have
                // come in after the hole was given).
                Some(h) => {
                    let (leak, curve) = self.hole_drain(h.hole_mm, table).map_err(FormError::Refused)?;
                    body["rate_kg_s"] = leak.rate_kg_s.into();
                    body["rate_profile"] =
                        serde_json::to_value(curve).map_err(|e| FormError::Refused(e.to_string()))?;
                }
                // A pool's rate, again from the wind now shown.
                None if self.pool.is_some() => {
                    let (p, curve) = self
                        .pool_release(self.pool.and_then(|p| p.bund_m), table)
                        .map_err(FormError::Refused)?;
                    body["rate_kg_s"] = p.rate_kg_s.into();
                    match curve {
                        // A liquefied gas's flash and boiling pool: the rate over time.
                        Some(c) => {
                            body["rate_profile"] =
                                serde_json::to_value(c).map_err(|e| FormError::Refused(e.to_string()))?
                        }
                        // A pool that lasts longer than an incident may (three days) goes on
                        // until the incident is closed.
                        None if p.minutes * 60.0 <= parktwin_api::incident::MAX_DURATION_S => {
                            body["duration_s"] = (p.minutes * 60.0).into();
                        }
                        None => {}
                    }
                }
                // A pipe broken: its gas rushing out, again at the weather now shown.
                None if self.rupture.is_some() => {
                    let (fed, kpa) = self.rupture.map_or((false, 0.0), |r| (r.fed, r.gauge_kpa));
                    let (r, curve) = self.rupture_curve(fed, kpa, table).map_err(FormError::Refused)?;
                    body["rate_kg_s"] = r.rate_kg_s.into();
                    body["rate_profile"] =
                        serde_json::to_value(curve).map_err(|e| FormError::Refused(e.to_string()))?;
                }
                None if self.duration_min > 0.0 => body["duration_s"] = (self.duration_min * 60.0).into(),
                None => {}
            }
        } else if self.hazard != Hazard::PoolFire {
            body["mass_kg"] = self.mass_kg.into();
        }
        if self.what_if {
            body["weather"] = serde_json::to_value(&self.weather).map_err(|e| FormError::Refused(e.to_string()))?;
        }
        if let Some(o) = &self.origin {
            body["origin"] = o.clone().into();
        }
        // The record says where a rate from a hole came from.
        let hole = self.hole.filter(|_| by_rate).map(|h| h.hole_mm).map(|mm| {
            format!("rate from a {mm:.0} mm hole at the bottom (Bernoulli, Cd 0.61), falling as the tank drains")
        });
        let pool = self.pool.filter(|_| by_rate).map(|p| {
            if p.airborne_t > 0.0 {
                format!(
                    "rate from the tank's inventory spilled: {:.1} t flashing with its spray in the first minute, \
                     the rest boiling off the concrete in a pool {:.0} m across",
                    p.airborne_t,
                    2.0 * p.radius_m
                )
            } else {
                format!(
                    "rate from the tank's inventory spilled into a pool {:.0} m across, evaporating (Mackay & Matsugu)",
                    2.0 * p.radius_m
                )
            }
        });
        let rupture = self.rupture.filter(|_| by_rate).map(|r| {
            format!(
                "rate from the segment cut through ({:.0} kg of gas in it), {} (ALOHA's gas pipeline)",
                r.inventory_kg,
                if r.fed { "fed from upstream" } else { "closed off" }
            )
        });
        let note = [
            Some(self.note.trim().to_string()).filter(|n| !n.is_empty()),
            hole,
            pool,
            rupture,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        if !note.is_empty() {
            body["note"] = note.into();
        }
        NewIncident::parse(body.to_string().as_bytes(), table, now).map_err(FormError::Refused)
    }
}

/// A form for a release from a park feature: a point feature's own place and height; a line
/// (a pipe) or an area where it was `clicked` (else its first vertex), a line at the height its
/// vertices give (a pipe on its rack).
pub fn form_for_feature(
    id: &str,
    feature: &geojson::Feature,
    clicked: Option<[f64; 2]>,
    table: &ChemicalTable,
) -> Option<IncidentForm> {
    use geojson::Value;
    let geometry = feature.geometry.as_ref()?;
    let (vertices, at_click): (Vec<&Vec<f64>>, bool) = match &geometry.value {
        Value::Point(p) => (vec![p], false),
        Value::LineString(l) => (l.iter().collect(), true),
        Value::MultiLineString(ls) => (ls.iter().flatten().collect(), true),
        Value::Polygon(rings) => (rings.first()?.iter().collect(), true),
        Value::MultiPolygon(ps) => (ps.first()?.first()?.iter().collect(), true),
        _ => return None,
    };
    let first = vertices.first()?;
    let [lon, lat] = match clicked {
        Some(c) if at_click => c,
        _ => [*first.first()?, *first.get(1)?],
    };
    let heights: Vec<f64> = vertices.iter().filter_map(|v| v.get(2).copied()).collect();
    let height = if heights.is_empty() || matches!(geometry.value, Value::Polygon(_) | Value::MultiPolygon(_)) {
        0.0
    } else {
        heights.iter().sum::<f64>() / heights.len() as f64
    };
    let props = feature.properties.clone().unwrap_or_default();
    Some(IncidentForm::from_feature(id, &props, lon, lat, height, table))
}

/// Where each weather station stands (WGS84), from the park's `weather_stations` layer.
pub fn station_positions(
    layers: &[(parktwin_api::model::LayerInfo, geojson::FeatureCollection)],
) -> std::collections::HashMap<String, [f64; 2]> {
    layers
        .iter()
        .filter(|(l, _)| l.id == parktwin_api::layer::LayerId::WEATHER_STATIONS)
        .flat_map(|(_, fc)| &fc.features)
        .filter_map(|f| {
            let id = parktwin_api::validate::feature_id(f)?.to_string();
            match &f.geometry.as_ref()?.value {
                geojson::Value::Point(p) => Some((id, [*p.first()?, *p.get(1)?])),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The chemicals, as the form has them (the window's tests share these helpers).
    pub(crate) fn table() -> &'static ChemicalTable {
        parktwin_layers::incident::chemicals()
    }

    /// A feature's properties from JSON.
    pub(crate) fn props(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    /// A station's report of `speed` m/s.
    pub(crate) fn report(station: &str, speed: f64) -> WeatherReport {
        WeatherReport {
            station: station.into(),
            time: "2026-11-27T01:00:00Z".into(),
            wind_speed_ms: speed,
            wind_from_deg: 250.0,
            temperature_c: 6.0,
            cloud_oktas: Some(4),
        }
    }

    pub(crate) fn now() -> time::OffsetDateTime {
        time::macros::datetime!(2026-11-27 01:05 UTC)
    }

    #[test]
    fn a_tank_prefills_its_chemical_and_its_inventory_released_over_ten_minutes() {
        let tank = props(serde_json::json!({"name": "Delta-T01", "chemical": "chlorine", "inventory_t": 12.0}));
        let f = IncidentForm::from_feature("tank-001", &tank, 118.45, 37.57, 14.0, table());
        assert_eq!(f.chemical, "chlorine");
        assert_eq!(f.what, "tank-001 (Delta-T01)");
        assert_eq!(f.mass_kg, 12_000.0);
        assert_eq!(f.rate_kg_s, 20.0);
        assert_eq!(f.duration_min, 10.0);
        assert_eq!(f.height_m, 0.0);
        assert_eq!(f.remark, None);
        let f = f.with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let req = f.request(table(), now()).expect("a tank's form is a valid request");
        assert_eq!(req.rate_kg_s, Some(20.0));
        assert_eq!(req.duration_s, Some(600.0));
        assert_eq!(req.mass_kg, None);
        assert_eq!(req.origin.as_deref(), Some("tank-001"));
        // Not a what-if: the server takes the station's report and follows it.
        assert_eq!(req.weather, None);
        let mut once = f.clone();
        once.instantaneous = true;
        let req = once.request(table(), now()).expect("all at once");
        assert_eq!(
            (req.mass_kg, req.rate_kg_s, req.duration_s),
            (Some(12_000.0), None, None)
        );
    }

    #[test]
    fn a_hole_in_a_chlorine_bullet_gives_the_rate_its_pressure_and_level_drive() {
        // A chlorine bullet (4 m bore, 75 m³) holding 30 t, a 25 mm hole at its bottom, 20 °C:
        // 30 t of liquid chlorine (1,410 kg/m³ at 20 °C, 21.3 m³) stand 1.31 m deep in the
        // bullet (6 m long), under its own vapour pressure, 5.8 bar gauge; Bernoulli through a
        // sharp-edged hole gives about 12 kg/s.
        let bullet = props(
            serde_json::json!({"name": "Chlorine-T01", "chemical": "chlorine", "inventory_t": 30.0,
            "diameter_m": 4.0, "height_m": 6.0, "capacity_m3": 75.0, "roof": "horizontal bullet"}),
        );
        let mut f = IncidentForm::from_feature("tank-001", &bullet, 118.45, 37.57, 0.0, table());
        let leak = f.set_hole(25.0, table()).expect("a leak");
        assert!((leak.gauge_kpa - 578.0).abs() < 10.0, "{leak:?}");
        assert!((leak.level_m - 1.31).abs() < 0.02, "{leak:?}");
        assert!((leak.rate_kg_s - 12.3).abs() < 0.3, "{leak:?}");
        let area = std::f64::consts::PI * 0.025f64.powi(2) / 4.0;
        let bernoulli =
            0.61 * area * (2.0 * 1410.0 * (leak.gauge_kpa * 1000.0 + 1410.0 * 9.80665 * leak.level_m)).sqrt();
        assert!(
            (leak.rate_kg_s / bernoulli - 1.0).abs() < 0.01,
            "{leak:?} vs {bernoulli}"
        );
        // The form now asks for that rate, falling until the tank is empty: longer than the
        // inventory would last at the first rate, shorter than at half of it.
        assert!(!f.instantaneous && f.rate_kg_s == leak.rate_kg_s && f.hole.map(|h| h.hole_mm) == Some(25.0));
        let at_first = 30_000.0 / leak.rate_kg_s / 60.0;
        assert!(
            f.duration_min > at_first && f.duration_min < 2.0 * at_first,
            "{} min",
            f.duration_min
        );
        let req = f
            .clone()
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]))
            .request(table(), now())
            .expect("a valid request");
        // At the station's 6 °C, chlorine's vapour pressure is lower: the request's rate is
        // the hole's at the weather it is sent with.
        let cold = f
            .clone()
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let at_6c = cold.hole_leak(25.0, table()).expect("a leak").rate_kg_s;
        assert!(at_6c < leak.rate_kg_s, "{at_6c}");
        assert!(
            req.rate_kg_s.is_some_and(|r| (r - at_6c).abs() < 1e-9),
            "{:?}",
            req.rate_kg_s
        );
        let profile = req.rate_profile.as_ref().expect("the rate over time");
        assert!(
            profile[0][0] == 0.0 && (profile[0][1] - at_6c).abs() < 1e-9,
            "{:?}",
            profile[0]
        );
        assert!(
            profile.windows(2).all(|w| w[1][1] <= w[0][1]),
            "it falls as the tank drains"
        );
        assert_eq!(req.duration_s, profile.last().map(|p| p[0]));
        // What leaves is the inventory, 30 t.
        let released: f64 = profile
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((released / 30_000.0 - 1.0).abs() < 0.02, "{released}");
        assert!(
            req.note.as_deref().is_some_and(|n| n.contains("25 mm hole")),
            "{:?}",
            req.note
        );
        // A bigger hole leaks faster; a benzene tank open to the air leaks by its head alone.
        assert!(f.hole_leak(50.0, table()).expect("a leak").rate_kg_s > leak.rate_kg_s);
        let benzene = props(
            serde_json::json!({"name": "Benzene-T01", "chemical": "benzene", "inventory_t": 1000.0,
            "diameter_m": 15.0, "height_m": 12.0, "capacity_m3": 2000.0, "roof": "internal floating"}),
        );
        let b = IncidentForm::from_feature("tank-030", &benzene, 118.45, 37.57, 0.0, table());
        assert_eq!(b.hole_leak(25.0, table()).expect("a leak").gauge_kpa, 0.0);
        // A pipe has no tank: the form says so.
        let pipe = IncidentForm::at_point(118.45, 37.57);
        assert!(pipe.hole_leak(25.0, table()).expect_err("no tank").contains("no tank"));
    }

    #[test]
    fn a_benzene_tank_spilled_into_its_bund_evaporates_at_the_rate_the_form_sends() {
        let tank = props(
            serde_json::json!({"name": "Benzene-T01", "chemical": "benzene", "inventory_t": 1000.0,
            "diameter_m": 15.0, "height_m": 12.0, "capacity_m3": 2000.0, "roof": "internal floating"}),
        );
        let mut f = IncidentForm::from_feature("tank-030", &tank, 118.45, 37.57, 0.0, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let open = f.pool_spill(None, table()).expect("a pool");
        let bunded = f.set_pool(Some(40.0), table()).expect("a pool");
        assert!((bunded.radius_m - 20.0).abs() < 1e-9 && open.radius_m > bunded.radius_m);
        assert!(open.rate_kg_s > bunded.rate_kg_s, "a wider pool evaporates faster");
        let req = f.request(table(), now()).expect("a valid request");
        assert_eq!(req.rate_kg_s, Some(bunded.rate_kg_s));
        assert!(
            req.note.as_deref().is_some_and(|n| n.contains("pool 40 m across")),
            "{:?}",
            req.note
        );
        // A thousand tonnes take longer than an incident may last: it goes on until closed.
        assert!(
            bunded.minutes > 3.0 * 24.0 * 60.0 && req.duration_s.is_none(),
            "{bunded:?}"
        );
        // Twenty tonnes are gone in hours, and the release ends then.
        f.tank = f.tank.map(|t| TankOnRecord { inventory_t: 20.0, ..t });
        let small = f.set_pool(Some(40.0), table()).expect("a pool");
        let req = f.request(table(), now()).expect("a valid request");
        assert!(
            (req.duration_s.expect("a duration") / 60.0 - small.minutes).abs() < 1e-6,
            "{small:?}"
        );
    }

    #[test]
    fn a_liquefied_gas_spilled_flashes_in_the_first_minute_and_boils_off_its_pool() {
        let tank = props(
            serde_json::json!({"name": "Cl2-V01", "chemical": "chlorine", "inventory_t": 30.0,
            "diameter_m": 4.0, "capacity_m3": 75.0, "roof": "horizontal bullet"}),
        );
        let mut f = IncidentForm::from_feature("tank-040", &tank, 118.45, 37.57, 0.0, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let spill = f.set_pool(Some(20.0), table()).expect("chlorine boils off its pool");
        assert!(spill.airborne_t > 1.0 && spill.airborne_t < 30.0, "{spill:?}");
        assert!((spill.radius_m - 10.0).abs() < 1e-9, "the bund holds it");
        let req = f.request(table(), now()).expect("a valid request");
        let profile = req.rate_profile.clone().expect("the rate over time");
        // All thirty tonnes go into the air, flash and pool together.
        let carried: f64 = profile
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((carried / 30_000.0 - 1.0).abs() < 0.03, "{carried} kg");
        // The flash's minute, then the pool alone.
        // The flash's minute: at the start the pool has not yet begun to boil.
        assert!(
            (profile[0][1] - spill.airborne_t * 1000.0 / 60.0).abs() < 1e-9,
            "{profile:?}"
        );
        let after: Vec<_> = profile.iter().filter(|p| p[0] > 60.0).collect();
        assert!(
            !after.is_empty() && after.iter().all(|p| p[1] < profile[0][1]),
            "{profile:?}"
        );
        assert_eq!(req.rate_kg_s, Some(spill.rate_kg_s));
        assert!(
            req.note.as_deref().is_some_and(|n| n.contains("flashing")),
            "{:?}",
            req.note
        );
        // A wider bund: the pool boils off sooner.
        let wide = f.set_pool(Some(40.0), table()).expect("a pool");
        assert!(wide.minutes < spill.minutes, "{wide:?} {spill:?}");
    }

    #[test]
    fn a_pipe_prefills_its_medium_and_its_height_and_asks_for_the_rate() {
        let pipe = props(serde_json::json!({"medium": "ammonia", "line_number": "100-AM-1007-B2A"}));
        let f = IncidentForm::from_feature("PS-0007", &pipe, 118.45, 37.57, 7.4, table());
        assert_eq!(f.chemical, "ammonia");
        assert_eq!(f.height_m, 7.4);
        assert_eq!(f.rate_kg_s, DEFAULT_RATE_KG_S);
        assert_eq!(f.remark, Some(Remark::NoInventory));
    }

    #[test]
    fn steam_is_not_a_chemical_to_model_and_the_form_says_so() {
        let pipe = props(serde_json::json!({"medium": "steam"}));
        let f = IncidentForm::from_feature("PS-0001", &pipe, 118.45, 37.57, 5.4, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        assert_eq!(f.chemical, "");
        assert_eq!(f.remark, Some(Remark::NotInTable("steam".into())));
        assert_eq!(
            f.remark.as_ref().map(|r| r.text(Lang::En)).as_deref(),
            Some("\"steam\" is not in the chemical table: choose the chemical")
        );
        assert_eq!(f.request(table(), now()), Err(FormError::ChooseChemical));
    }

    #[test]
    fn a_what_if_sends_its_weather_and_a_bad_value_is_refused_in_the_servers_words() {
        let mut f = IncidentForm::at_point(118.45, 37.57);
        f.chemical = "phosgene".into();
        assert_eq!(f.request(table(), now()), Err(FormError::NoWeather));
        f.what_if = true;
        f.weather.wind_speed_ms = 4.0;
        f.weather.wind_from_deg = 90.0;
        f.weather.stability = Some("F".into());
        let req = f.request(table(), now()).expect("a what-if at a point");
        let w = req.weather.expect("the what-if's weather is sent");
        assert_eq!(
            (w.wind_speed_ms, w.wind_from_deg, w.stability.as_deref()),
            (4.0, 90.0, Some("F"))
        );
        f.height_m = 500.0;
        let Err(FormError::Refused(e)) = f.request(table(), now()) else {
            panic!("a release 500 m up is refused")
        };
        assert!(e.starts_with("field \"height_m\""), "{e}");
    }

    #[test]
    fn a_tank_can_burn_or_blast_and_the_form_asks_for_what_each_kind_takes() {
        let tank = props(
            serde_json::json!({"name": "LPG-S01", "chemical": "propane", "inventory_t": 400.0,
            "diameter_m": 12.3, "capacity_m3": 1000.0, "roof": "sphere"}),
        );
        let f = IncidentForm::from_feature("tank-040", &tank, 118.45, 37.57, 0.0, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let ask = |hazard: Hazard| {
            let mut g = f.clone();
            g.hazard = hazard;
            g.request(table(), now()).expect("a valid request")
        };
        let ball = ask(Hazard::Fireball);
        assert_eq!(
            (ball.mass_kg, ball.rate_kg_s, ball.levels.as_deref()),
            (Some(400_000.0), None, Some("thermal"))
        );
        let pool = ask(Hazard::PoolFire);
        assert_eq!(
            (pool.pool_diameter_m, pool.mass_kg, pool.rate_kg_s),
            (Some(12.3), None, None)
        );
        let jet = ask(Hazard::JetFire);
        assert_eq!((jet.rate_kg_s, jet.mass_kg), (Some(f.rate_kg_s), None));
        let cloud = ask(Hazard::Cloud);
        assert_eq!(cloud.cloud_model, CloudModel::Auto, "the switch chooses unless told");
        let mut gaussian = f.clone();
        gaussian.cloud_model = CloudModel::Gaussian;
        let req = gaussian.request(table(), now()).expect("a valid request");
        assert_eq!(req.cloud_model, CloudModel::Gaussian);
        let blast = ask(Hazard::Explosion);
        assert_eq!(
            (blast.levels.as_deref(), blast.blast_strength),
            (Some("overpressure"), Some(7))
        );
        // Chlorine does not burn: the form says so in the server's words.
        let mut chlorine = f.clone();
        chlorine.chemical = "chlorine".into();
        chlorine.hazard = Hazard::Fireball;
        let Err(FormError::Refused(why)) = chlorine.request(table(), now()) else {
            panic!("a chlorine fireball is refused")
        };
        assert!(why.contains("chlorine does not burn"), "{why}");
    }

    #[test]
    fn the_weather_is_the_nearest_stations() {
        let reports = [report("ws-far", 1.0), report("ws-near", 5.0)];
        let at = |s: &str| match s {
            "ws-far" => Some([118.30, 37.50]),
            "ws-near" => Some([118.451, 37.571]),
            _ => None,
        };
        let f = IncidentForm::at_point(118.45, 37.57).with_nearest_weather(&reports, at);
        assert_eq!(f.station.as_deref(), Some("ws-near"));
        assert_eq!(f.weather.wind_speed_ms, 5.0);
    }
}
