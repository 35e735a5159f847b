//! The park's devices of every kind (gas detectors, tank level, temperature and pressure,
//! air-quality stations, VOC and outfall monitors, meters, substations, pipe gauges, fence
//! zones, cameras): where each is, whose it is, what it measures with its thresholds, and
//! whether it is in service. Pure checks, which the server applies to every device it is
//! given (one by one or a CSV at once) before anything is stored.
//!
//! ```
//! use parktwin_api::device::{Device, DeviceKind, Quantity, Thresholds};
//! let mut d = Device::new("lt-101", DeviceKind::TankLevel, "Chlorine-T01 level");
//! d.quantities.push(Quantity::new("level", "%", Thresholds { low_low: Some(5.0), low: Some(10.0), high: Some(85.0), high_high: Some(95.0) }));
//! d.location.lon = Some(118.4542);
//! d.location.lat = Some(37.5683);
//! assert!(d.problems().is_empty());
//! d.quantities[0].thresholds.high = Some(99.0);
//! assert_eq!(d.problems(), ["quantities[0].thresholds: low_low ≤ low ≤ high ≤ high_high, and 99 > 95"]);
//! ```

use serde::{Deserialize, Serialize};

/// What a device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A toxic or flammable gas detector.
    GasDetector,
    /// A tank's level gauge.
    TankLevel,
    /// A tank's temperature.
    TankTemperature,
    /// A tank's pressure.
    TankPressure,
    /// An ambient air-quality station.
    AirQuality,
    /// A VOC monitor at the boundary.
    VocMonitor,
    /// An outfall's monitor (COD, NH₃-N, pH, flow).
    Outfall,
    /// An electricity meter.
    ElectricityMeter,
    /// A steam meter.
    SteamMeter,
    /// A water meter.
    WaterMeter,
    /// A substation's load.
    SubstationLoad,
    /// A pipe's pressure gauge.
    PipePressure,
    /// A pipe's flow meter.
    PipeFlow,
    /// A pipe's temperature.
    PipeTemperature,
    /// A fence's intrusion zone.
    FenceZone,
    /// A camera.
    Camera,
}

impl DeviceKind {
    /// Every kind.
    pub const ALL: [DeviceKind; 16] = [
        DeviceKind::GasDetector,
        DeviceKind::TankLevel,
        DeviceKind::TankTemperature,
        DeviceKind::TankPressure,
        DeviceKind::AirQuality,
        DeviceKind::VocMonitor,
        DeviceKind::Outfall,
        DeviceKind::ElectricityMeter,
        DeviceKind::SteamMeter,
        DeviceKind::WaterMeter,
        DeviceKind::SubstationLoad,
        DeviceKind::PipePressure,
        DeviceKind::PipeFlow,
        DeviceKind::PipeTemperature,
        DeviceKind::FenceZone,
        DeviceKind::Camera,
    ];

    /// Its text, as on the wire and in a CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::GasDetector => "gas_detector",
            DeviceKind::TankLevel => "tank_level",
            DeviceKind::TankTemperature => "tank_temperature",
            DeviceKind::TankPressure => "tank_pressure",
            DeviceKind::AirQuality => "air_quality",
            DeviceKind::VocMonitor => "voc_monitor",
            DeviceKind::Outfall => "outfall",
            DeviceKind::ElectricityMeter => "electricity_meter",
            DeviceKind::SteamMeter => "steam_meter",
            DeviceKind::WaterMeter => "water_meter",
            DeviceKind::SubstationLoad => "substation_load",
            DeviceKind::PipePressure => "pipe_pressure",
            DeviceKind::PipeFlow => "pipe_flow",
            DeviceKind::PipeTemperature => "pipe_temperature",
            DeviceKind::FenceZone => "fence_zone",
            DeviceKind::Camera => "camera",
        }
    }

    /// The kind of a text, if it is one.
    pub fn of(text: &str) -> Option<DeviceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether it measures nothing (a camera, a fence zone's events are alarms, not values).
    pub fn measures(self) -> bool {
        !matches!(self, DeviceKind::Camera | DeviceKind::FenceZone)
    }
}

/// Whether a device is working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Working: its readings count and its alarms are raised.
    #[default]
    InService,
    /// Being maintained: its alarms are silenced.
    Maintenance,
    /// Taken out: kept for its history.
    Retired,
}

impl DeviceState {
    /// Its text.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::InService => "in_service",
            DeviceState::Maintenance => "maintenance",
            DeviceState::Retired => "retired",
        }
    }

    /// The state of a text, if it is one.
    pub fn of(text: &str) -> Option<DeviceState> {
        [DeviceState::InService, DeviceState::Maintenance, DeviceState::Retired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A quantity's four thresholds, any of them absent.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Low-low (an alarm).
    #[serde(default)]
    pub low_low: Option<f64>,
    /// Low (a warning).
    #[serde(default)]
    pub low: Option<f64>,
    /// High (a warning).
    #[serde(default)]
    pub high: Option<f64>,
    /// High-high (an alarm).
    #[serde(default)]
    pub high_high: Option<f64>,
}

/// The rules a quantity is watched by besides its thresholds, each off when absent
/// (`parktwin_api::device_rules`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QuantityRules {
    /// How far back past a threshold a reading must come before its band is left, in the
    /// quantity's unit (the thresholds' hysteresis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadband: Option<f64>,
    /// The fastest change allowed, units per minute either way (a pipe's pressure falling):
    /// faster raises a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate_per_min: Option<f64>,
    /// Seconds without a reading after which the quantity is stale (a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_after_s: Option<u32>,
    /// The most the readings of one of the park's days may add up to (a meter reporting the
    /// amount of each interval): over it, a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_budget: Option<f64>,
    /// A discharge permit's limit on the day's mean (an outfall's COD): over it, an alarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_daily_mean: Option<f64>,
}

impl QuantityRules {
    /// Each rule's name and value, for checks and the CSV.
    pub fn each(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("deadband", self.deadband),
            ("max_rate_per_min", self.max_rate_per_min),
            ("stale_after_s", self.stale_after_s.map(f64::from)),
            ("daily_budget", self.daily_budget),
            ("permit_daily_mean", self.permit_daily_mean),
        ]
    }
}

/// What a device measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// Its name (`concentration`, `level`, `pm25`, `cod`, …: letters, digits and `_`).
    pub name: String,
    /// Its unit (`ppm`, `%`, `μg/m³`, `mg/L`, `kW`, …).
    pub unit: String,
    /// Its thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Its other rules.
    #[serde(default)]
    pub rules: QuantityRules,
    /// What it reads in normal running (a pipe's operating pressure at the gauge, a meter's
    /// usual draw), where known: views draw a reading against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominal: Option<f64>,
}

impl Quantity {
    /// A quantity.
    pub fn new(name: &str, unit: &str, thresholds: Thresholds) -> Self {
        Self {
            name: name.to_string(),
            unit: unit.to_string(),
            thresholds,
            rules: QuantityRules::default(),
            nominal: None,
        }
    }
}

/// Where a device is: a point, or the map feature it sits on (or both).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// WGS84 longitude.
    #[serde(default)]
    pub lon: Option<f64>,
    /// WGS84 latitude.
    #[serde(default)]
    pub lat: Option<f64>,
    /// The layer of the feature it sits on.
    #[serde(default)]
    pub layer: Option<String>,
    /// The feature it sits on (a tank, a pipe, a fence segment).
    #[serde(default)]
    pub feature: Option<String>,
}

/// A device of the park.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Its id (letters, digits, `-`, `_` and `.`; at most 64).
    pub id: String,
    /// What it is.
    pub kind: DeviceKind,
    /// Its name.
    pub name: String,
    /// Its Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// Where it is.
    #[serde(default)]
    pub location: Location,
    /// The enterprise it belongs to (none: the park's).
    #[serde(default)]
    pub enterprise: Option<String>,
    /// What it measures.
    #[serde(default)]
    pub quantities: Vec<Quantity>,
    /// Whether it works.
    #[serde(default)]
    pub state: DeviceState,
    /// A camera's stream (http, https, rtsp).
    #[serde(default)]
    pub stream_url: Option<String>,
}

fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn fmt(v: f64) -> String {
    format!("{v}")
}

impl Device {
    /// A device with nothing but its id, kind and name.
    pub fn new(id: &str, kind: DeviceKind, name: &str) -> Self {
        Self {
            id: id.to_string(),
            kind,
            name: name.to_string(),
            name_zh: String::new(),
            location: Location::default(),
            enterprise: None,
            quantities: Vec::new(),
            state: DeviceState::InService,
            stream_url: None,
        }
    }

    /// Every problem of the device by itself, each naming its field: its id, a name, a place
    /// (a point in range, or a feature with its layer), quantities for a kind that measures
    /// (named once each, with a unit) and thresholds in order, a camera's stream URL.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !is_id(&self.id) {
            out.push(format!(
                "id: \"{}\" is not 1 to 64 letters, digits, '-', '_' or '.'",
                self.id
            ));
        }
        if self.name.trim().is_empty() {
            out.push("name: empty".into());
        }
        let l = &self.location;
        match (l.lon, l.lat) {
            (Some(lon), Some(lat)) => {
                if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                    out.push(format!(
                        "location: ({lon}, {lat}) is not a WGS84 longitude and latitude"
                    ));
                }
            }
            (None, None) => {
                if l.feature.is_none() {
                    out.push("location: a point (lon, lat) or the feature it sits on (layer, feature)".into());
                }
            }
            _ => out.push("location: lon and lat go together".into()),
        }
        if l.feature.is_some() != l.layer.is_some() {
            out.push("location: layer and feature go together".into());
        }
        if self.kind.measures() && self.quantities.is_empty() {
            out.push(format!(
                "quantities: a device of kind {} measures at least one",
                self.kind.as_str()
            ));
        }
        for (i, q) in self.quantities.iter().enumerate() {
            let good_name = !q.name.is_empty()
                && q.name.len() <= 64
                && q.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !good_name {
                out.push(format!(
                    "quantities[{i}].name: \"{}\" is not 1 to 64 letters, digits or '_'",
                    q.name
                ));
            }
            if self.quantities[..i].iter().any(|p| p.name == q.name) {
                out.push(format!("quantities[{i}].name: \"{}\" is named twice", q.name));
            }
            if q.unit.trim().is_empty() {
                out.push(format!("quantities[{i}].unit: empty"));
            }
            let t = &q.thresholds;
            let set: Vec<f64> = [t.low_low, t.low, t.high, t.high_high].into_iter().flatten().collect();
            if let Some(bad) = set.iter().find(|v| !v.is_finite()) {
                out.push(format!("quantities[{i}].thresholds: {bad} is not a number"));
            } else if let Some(w) = set.windows(2).find(|w| w[0] > w[1]) {
                out.push(format!(
                    "quantities[{i}].thresholds: low_low ≤ low ≤ high ≤ high_high, and {} > {}",
                    fmt(w[0]),
                    fmt(w[1])
                ));
            }
            if let Some(n) = q.nominal.filter(|n| !n.is_finite()) {
                out.push(format!("quantities[{i}].nominal: {n} is not a number"));
            }
        }
        for (i, q) in self.quantities.iter().enumerate() {
            for (name, v) in q.rules.each() {
                match v {
                    Some(v) if !v.is_finite() || v < 0.0 || (v == 0.0 && name != "deadband") => out.push(format!(
                        "quantities[{i}].rules.{name}: {} must be a number over 0",
                        fmt(v)
                    )),
                    _ => {}
                }
            }
        }
        match (&self.stream_url, self.kind) {
            (Some(u), _) if !["http://", "https://", "rtsp://"].iter().any(|s| u.starts_with(s)) => {
                out.push(format!("stream_url: \"{u}\" is not an http, https or rtsp URL"));
            }
            (None, DeviceKind::Camera) => out.push("stream_url: a camera has its stream".into()),
            _ => {}
        }
        out
    }

    /// The name a reading of `quantity` (absent: the first quantity) is stored under: `None`
    /// for the first quantity, however the reading named it, so that a detector's readings
    /// keep the one key they have always had; or the field that is wrong and why.
    ///
    /// ```
    /// use parktwin_api::device::{Device, DeviceKind, Quantity, Thresholds};
    /// let mut d = Device::new("aq-01", DeviceKind::AirQuality, "Station 1");
    /// for q in ["pm25", "so2"] { d.quantities.push(Quantity::new(q, "μg/m³", Thresholds::default())); }
    /// assert_eq!(d.stored_quantity(None), Ok(None));
    /// assert_eq!(d.stored_quantity(Some("pm25")), Ok(None));
    /// assert_eq!(d.stored_quantity(Some("so2")), Ok(Some("so2".to_string())));
    /// assert_eq!(d.stored_quantity(Some("o3")).expect_err("not its").0, "quantity");
    /// ```
    pub fn stored_quantity(&self, quantity: Option<&str>) -> Result<Option<String>, (&'static str, String)> {
        let first = self.quantities.first().map(|q| q.name.as_str());
        match quantity {
            None if first.is_some() => Ok(None),
            None => Err(("sensor", format!("{} measures nothing", self.id))),
            Some(q) if Some(q) == first => Ok(None),
            Some(q) if self.quantity(q).is_some() => Ok(Some(q.to_string())),
            Some(q) => Err((
                "quantity",
                format!(
                    "\"{q}\" is not measured by {} (it measures {})",
                    self.id,
                    self.quantities
                        .iter()
                        .map(|q| q.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// The quantity a stored key names (`None`: the first).
    pub fn quantity_of(&self, stored: Option<&str>) -> Option<&Quantity> {
        match stored {
            None | Some("") => self.quantities.first(),
            Some(q) => self.quantity(q),
        }
    }

    /// The quantity named `name`, if it measures it.
    pub fn quantity(&self, name: &str) -> Option<&Quantity> {
        self.quantities.iter().find(|q| q.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector() -> Device {
        let mut d = Device::new("gd-001", DeviceKind::GasDetector, "GD-001");
        d.location.layer = Some("detectors".into());
        d.location.feature = Some("gd-001".into());
        d.quantities.push(Quantity::new(
            "concentration",
            "ppm",
            Thresholds {
                high: Some(1.0),
                high_high: Some(2.0),
                ..Default::default()
            },
        ));
        d
    }

    #[test]
    fn a_device_names_each_of_its_problems() {
        assert!(detector().problems().is_empty(), "{:?}", detector().problems());
        let mut d = detector();
        d.id = "gd 001".into();
        d.name = " ".into();
        d.location = Location {
            lon: Some(200.0),
            lat: Some(37.0),
            layer: Some("detectors".into()),
            feature: None,
        };
        d.quantities
            .push(Quantity::new("concentration", "", Thresholds::default()));
        d.quantities[0].thresholds.low = Some(3.0);
        d.stream_url = Some("ftp://cam".into());
        assert_eq!(
            d.problems(),
            [
                "id: \"gd 001\" is not 1 to 64 letters, digits, '-', '_' or '.'",
                "name: empty",
                "location: (200, 37) is not a WGS84 longitude and latitude",
                "location: layer and feature go together",
                "quantities[0].thresholds: low_low ≤ low ≤ high ≤ high_high, and 3 > 1",
                "quantities[1].name: \"concentration\" is named twice",
                "quantities[1].unit: empty",
                "stream_url: \"ftp://cam\" is not an http, https or rtsp URL",
            ]
        );
        let mut cam = Device::new("cam-1", DeviceKind::Camera, "Gate camera");
        cam.location.lon = Some(118.45);
        cam.location.lat = Some(37.57);
        assert_eq!(cam.problems(), ["stream_url: a camera has its stream"]);
        cam.stream_url = Some("rtsp://10.0.0.5/1".into());
        assert!(cam.problems().is_empty(), "a camera measures nothing");
        let mut meter = Device::new("em-1", DeviceKind::ElectricityMeter, "Meter");
        meter.location.lon = Some(118.45);
        assert_eq!(
            meter.problems(),
            [
                "location: lon and lat go together",
                "quantities: a device of kind electricity_meter measures at least one"
            ]
        );
    }

    #[test]
    fn kinds_and_states_read_back_from_their_text() {
        for k in DeviceKind::ALL {
            assert_eq!(DeviceKind::of(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).expect("text"), serde_json::json!(k.as_str()));
        }
        assert_eq!(DeviceState::of("maintenance"), Some(DeviceState::Maintenance));
        assert_eq!(DeviceKind::of("toaster"), None);
    }
}
