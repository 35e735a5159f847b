//! Wire types: what the REST API sends and receives. Every record carries a stable string id
//! that matches its feature id on the map.

use serde::{Deserialize, Serialize};

/// The park: its name, origin of the local frame, bounding box and time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Park {
    /// Stable id.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// Origin of the local frame, `[lon, lat]` in WGS84 degrees.
    pub origin: [f64; 2],
    /// Bounding box `[west, south, east, north]` in WGS84 degrees (RFC 7946 order).
    pub bbox: [f64; 4],
    /// IANA time zone of the park, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// The credit the data's licence asks the map to show (`© OpenStreetMap contributors` for
    /// a park imported from OpenStreetMap); absent for a park's own data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

impl Park {
    /// The local east-north-up frame of this park.
    pub fn frame(&self) -> crate::frame::LocalFrame {
        crate::frame::LocalFrame::new(self.origin[0], self.origin[1])
    }
}

/// The scenario group a layer belongs to (the park platform's nine scenarios plus the base map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LayerGroup {
    /// Base map: boundary, roads, parcels, buildings.
    Base,
    /// Operations one-map.
    Operations,
    /// Safety: hazard sources, tanks, detectors.
    Safety,
    /// Closed management: gates, cameras, vehicles.
    ClosedManagement,
    /// Emergency: resources, sensitive targets, plumes.
    Emergency,
    /// Environment monitoring.
    Environment,
    /// Energy.
    Energy,
    /// Pipe gallery: pipe racks and pipes.
    PipeGallery,
    /// Services.
    Services,
    /// Industry chain.
    IndustryChain,
}

impl LayerGroup {
    /// The group's title as the layer tree shows it.
    pub fn title(self) -> &'static str {
        match self {
            LayerGroup::Base => "Base map",
            LayerGroup::Operations => "Operations",
            LayerGroup::Safety => "Safety",
            LayerGroup::ClosedManagement => "Closed management",
            LayerGroup::Emergency => "Emergency",
            LayerGroup::Environment => "Environment",
            LayerGroup::Energy => "Energy",
            LayerGroup::PipeGallery => "Pipe gallery",
            LayerGroup::Services => "Services",
            LayerGroup::IndustryChain => "Industry chain",
        }
    }

    /// The group's title in Chinese, as the park platform names its scenarios.
    pub fn title_zh(self) -> &'static str {
        match self {
            LayerGroup::Base => "基础底图",
            LayerGroup::Operations => "运行监测",
            LayerGroup::Safety => "安全管理",
            LayerGroup::ClosedManagement => "封闭化管理",
            LayerGroup::Emergency => "应急管理",
            LayerGroup::Environment => "环境保护",
            LayerGroup::Energy => "能源管理",
            LayerGroup::PipeGallery => "管廊管理",
            LayerGroup::Services => "公共服务",
            LayerGroup::IndustryChain => "产业链",
        }
    }
}

/// One entry of the layer catalog (`GET /api/v1/layers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LayerInfo {
    /// Stable id, used in `/api/v1/layers/{id}`.
    pub id: String,
    /// English title.
    pub title: String,
    /// Chinese title.
    pub title_zh: String,
    /// Scenario group.
    pub group: LayerGroup,
    /// Shown when the client starts.
    pub default_visible: bool,
    /// Number of features in the layer.
    #[serde(default)]
    pub feature_count: usize,
    /// How the layer is drawn, for a layer described by a descriptor file rather than drawn by
    /// the client's own code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<crate::descriptor::Descriptor>,
}

impl LayerInfo {
    /// The catalog entry of a descriptor layer.
    pub fn from_descriptor(d: &crate::descriptor::Descriptor, feature_count: usize) -> Self {
        Self {
            id: d.id.clone(),
            title: d.title.clone(),
            title_zh: d.title_zh().to_string(),
            group: d.group,
            default_visible: d.visible,
            feature_count,
            descriptor: Some(d.clone()),
        }
    }
}

/// The four-colour risk of an enterprise (红橙黄蓝).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskColour {
    /// Major risk.
    Red,
    /// Considerable risk.
    Orange,
    /// Moderate risk.
    Yellow,
    /// Low risk.
    Blue,
}

impl RiskColour {
    /// The colour for an enterprise whose worst major hazard source has `level` (1 worst);
    /// `None` (no major hazard source) is blue.
    pub fn from_hazard_level(level: Option<u8>) -> Self {
        match level {
            Some(1) => RiskColour::Red,
            Some(2) => RiskColour::Orange,
            Some(3) => RiskColour::Yellow,
            _ => RiskColour::Blue,
        }
    }

    /// sRGB of the colour as the map draws it.
    pub fn srgb(self) -> [u8; 3] {
        match self {
            RiskColour::Red => [214, 39, 40],
            RiskColour::Orange => [255, 127, 14],
            RiskColour::Yellow => [240, 210, 30],
            RiskColour::Blue => [31, 119, 220],
        }
    }
}

/// One chemical held by a hazard source, with its GB 18218-2018 parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HeldChemical {
    /// Chemical name as in the chemical table.
    pub name: String,
    /// CAS registry number.
    pub cas: String,
    /// Quantity present, tonnes (q).
    pub q_t: f64,
    /// Threshold quantity, tonnes (Q).
    pub threshold_t: f64,
    /// Correction factor β.
    pub beta: f64,
}

/// A major hazard source (重大危险源) graded by GB 18218-2018.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HazardSource {
    /// Stable id (matches the feature id in the `hazards` layer).
    pub id: String,
    /// Name of the unit.
    pub name: String,
    /// Id of the enterprise that owns it.
    pub enterprise: String,
    /// Production or storage unit.
    pub unit_type: UnitType,
    /// Chemicals present.
    pub chemicals: Vec<HeldChemical>,
    /// People within 500 m of the unit.
    pub people_500m: u32,
    /// Correction factor α for the people around.
    pub alpha: f64,
    /// Σ q/Q: the unit is a major hazard source when this is at least 1.
    pub sum_q_over_q: f64,
    /// R = α·Σβ·q/Q.
    pub r: f64,
    /// Level 1 (worst) to 4.
    pub level: u8,
}

/// Whether a hazard source is a production or a storage unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitType {
    /// Production unit (生产单元).
    Production,
    /// Storage unit (储存单元).
    Storage,
}

pub use crate::chemical::{BoilingLiquid, Chemical, ChemicalTable, LevelSet, LiquidDensity, VapourPressure};

/// `GET /session`: whose the bearer token is (what a sign-in checks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Session {
    /// What the token may do.
    pub role: Role,
    /// Who or what it was made for.
    pub name: String,
    /// The enterprise a viewer's token is scoped to: it reads that enterprise's detail and the
    /// park's shared picture only. Absent for park-wide tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
}

/// `POST /session`: a person signs in with a name and a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The account's name.
    pub name: String,
    /// Its password.
    pub password: String,
}

/// The answer to a sign-in: the session's token (a tool sends it as `Authorization: Bearer`;
/// a browser gets it as an HttpOnly cookie as well and never needs to read it), whose it is and
/// when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SignedIn {
    /// The session's bearer token.
    pub token: String,
    /// The account's role.
    pub role: Role,
    /// The account's name.
    pub name: String,
    /// The enterprise the account is scoped to, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
    /// When the session ends (RFC 3339, UTC): the person signs in again after it.
    pub expires: String,
}

/// A person's account (never its password: only an Argon2id hash of it is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct User {
    /// The name the person signs in with (shown as who acknowledged an alarm).
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// The enterprise a viewer's or an operator's account is scoped to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
    /// When it was made.
    pub created: String,
    /// When it was disabled, if it was: it cannot sign in and its sessions ended then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<String>,
}

/// `POST /users`: a new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The name the person signs in with: 1 to 64 characters, no control characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 64)))]
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// Scope a viewer or an operator to one enterprise (an id of the park's enterprises layer).
    #[serde(default)]
    pub enterprise: Option<String>,
    /// The password: at least 10 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 10)))]
    pub password: String,
}

/// `PUT /users/{name}/password`: a new password (the account's sessions end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The new password: at least 10 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 10)))]
    pub password: String,
}

/// One line of the audit trail: a write or a sign-in, who made it, when, from where, and how
/// the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    /// Its number, in the order recorded.
    pub n: u64,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// The account or token's name; for a sign-in, the name tried; `(anonymous)` without a
    /// token, `(unknown token)` with one the server does not know.
    pub who: String,
    /// The caller's role, where it was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Where from: the client's address, or `command line`.
    pub from: String,
    /// What: the method (`POST`, `PUT`, `DELETE`), or a command (`user create`).
    pub action: String,
    /// On what: the path and query, or the command's subject.
    pub target: String,
    /// The answer's status (0 for a command).
    pub status: u16,
    /// What the server said when it refused, or what the command did.
    pub detail: String,
}

/// The JSON body of every error the API returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    /// What went wrong, for a person to read.
    pub error: String,
}

/// `assets/park/park.json`: the park and its layer files, the input the server seeds from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParkManifest {
    /// The park.
    pub park: Park,
    /// The layers, in drawing order.
    pub layers: Vec<LayerManifestEntry>,
}

/// One layer of a [`ParkManifest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LayerManifestEntry {
    /// Stable id.
    pub id: String,
    /// English title.
    pub title: String,
    /// Chinese title.
    pub title_zh: String,
    /// Scenario group.
    pub group: LayerGroup,
    /// Shown when the client starts.
    pub default_visible: bool,
    /// The GeoJSON file, relative to the manifest.
    pub file: String,
}

/// What a fixed gas detector measures (GB/T 50493-2019).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DetectorKind {
    /// A toxic gas detector reading ppm; warns at 100 % and alarms at 200 % of the OEL.
    ToxicGas,
    /// A combustible gas detector reading %LEL; warns at 25 % and alarms at 50 % LEL.
    CombustibleGas,
}

pub use crate::readings::Observation;

/// One fix of a vehicle (`POST /api/v1/vehicles/positions` takes a list of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VehiclePosition {
    /// Licence plate.
    pub plate: String,
    /// When, RFC 3339 (stored in UTC).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub time: String,
    /// WGS84 longitude, degrees.
    #[cfg_attr(feature = "schema", schemars(range(min = -180.0, max = 180.0)))]
    pub lon: f64,
    /// WGS84 latitude, degrees.
    #[cfg_attr(feature = "schema", schemars(range(min = -90.0, max = 90.0)))]
    pub lat: f64,
    /// Speed, km/h (0 to 300).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 300.0)))]
    pub speed_kmh: f64,
    /// Heading, degrees clockwise from north (0 to 360).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 360.0)))]
    pub heading_deg: f64,
}

/// One entry of the event log: the one ordered feed every client folds, and the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// Position in the log, increasing.
    pub seq: i64,
    /// When it happened (UTC, RFC 3339): the record's own time.
    pub time: String,
    /// When the server wrote it to the log (UTC, RFC 3339), never earlier than the event
    /// before it: what a client watching the log had seen by a moment is every event
    /// recorded by then, which is how a replay reaches the state at a time.
    #[serde(default)]
    pub recorded: String,
    /// `live`, or `drill:<id>`.
    pub channel: String,
    /// What happened: `observation`, `position`, …
    pub kind: String,
    /// The record.
    pub payload: serde_json::Value,
}

/// A page of the event log (`GET /api/v1/events?since=SEQ`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventPage {
    /// Events after `since`, oldest first.
    pub events: Vec<Event>,
    /// The cursor to ask with next (the last seq returned, or `since` when none).
    pub next: i64,
}

/// The newest sequence number of the event log (`GET /api/v1/events/head`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventsHead {
    /// The newest event's `seq` (0 when the log is empty).
    pub seq: i64,
}

/// What an ingest stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IngestReceipt {
    /// Records stored.
    pub accepted: usize,
    /// Seq of the last event written.
    pub last_seq: i64,
}

/// How a detector's reading stands against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SensorLevel {
    /// No reading yet.
    NoData,
    /// Below the warning threshold.
    Normal,
    /// At or above the warning threshold.
    Warning,
    /// At or above the alarm threshold.
    Alarm,
}

impl SensorLevel {
    /// The level of `value` against the thresholds (either may be absent).
    pub fn of(value: Option<f64>, warn: Option<f64>, alarm: Option<f64>) -> Self {
        match value {
            None => SensorLevel::NoData,
            Some(v) if alarm.is_some_and(|a| v >= a) => SensorLevel::Alarm,
            Some(v) if warn.is_some_and(|w| v >= w) => SensorLevel::Warning,
            Some(_) => SensorLevel::Normal,
        }
    }
}

/// A sensor with its latest reading (`GET /api/v1/sensors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SensorState {
    /// Sensor id.
    pub id: String,
    /// The layer it belongs to.
    pub layer: String,
    /// Kind: toxic_gas, combustible_gas, meteorological…
    pub kind: String,
    /// Unit of its readings.
    pub unit: Option<String>,
    /// Warning threshold.
    pub warn: Option<f64>,
    /// Alarm threshold.
    pub alarm: Option<f64>,
    /// Latest reading.
    pub value: Option<f64>,
    /// Time of the latest reading.
    pub time: Option<String>,
    /// The reading against the thresholds.
    pub level: SensorLevel,
}

/// How urgent an alarm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlarmTier {
    /// Worth knowing.
    Reminder,
    /// Act soon.
    Warning,
    /// Act now.
    Alarm,
}

/// An alarm raised by a server-side rule (`GET /api/v1/alarms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Alarm {
    /// Id.
    pub id: i64,
    /// Tier (the highest reached while open).
    pub tier: AlarmTier,
    /// The rule that raised it, e.g. `detector_threshold`.
    pub rule: String,
    /// What it is about: a sensor id, a plate, a gate.
    pub source: String,
    /// The value that raised or last escalated it.
    pub value: f64,
    /// When it was raised.
    pub raised: String,
    /// When it closed (its condition cleared), if it has.
    pub closed: Option<String>,
    /// Who acknowledged it and when, if anyone has.
    #[serde(default)]
    pub acknowledged: Option<Acknowledgement>,
    /// Where it stands in its lifecycle (ISA-18.2 / IEC 62682), from the fields below.
    #[serde(default)]
    pub state: crate::alarm_life::AlarmState,
    /// When its condition cleared while it waits for an operator to close it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared: Option<String>,
    /// Who is dealing with it. (The lifecycle's records are boxed: most alarms have none, and an
    /// alarm travels in the client's messages.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<Box<crate::alarm_life::Assignment>>,
    /// Its cause and the action taken, or that it was a false alarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Box<crate::alarm_life::Resolution>>,
    /// Set aside until a time, with a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelved: Option<Box<crate::alarm_life::Shelving>>,
    /// When it passed its tier's time unacknowledged (and was escalated to the subscribers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<String>,
    /// Who closed it, when a person did (its condition clearing closes it in nobody's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
}

impl Alarm {
    /// A newly raised alarm: nobody has acknowledged it, its condition holds.
    pub fn new(id: i64, tier: AlarmTier, rule: &str, source: &str, value: f64, raised: &str) -> Self {
        Alarm {
            id,
            tier,
            rule: rule.to_string(),
            source: source.to_string(),
            value,
            raised: raised.to_string(),
            closed: None,
            acknowledged: None,
            state: crate::alarm_life::AlarmState::Raised,
            cleared: None,
            assigned: None,
            resolution: None,
            shelved: None,
            overdue: None,
            closed_by: None,
        }
    }
}

/// An operator's acknowledgement of an alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Acknowledgement {
    /// The token's name (the operator).
    pub by: String,
    /// When.
    pub at: String,
}

/// What a bearer token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read.
    Viewer,
    /// Machine feeds: observations, positions, weather, passes.
    Ingest,
    /// Acknowledge alarms, incidents, drills, the wall.
    Operator,
    /// Everything, tokens and layers included.
    Admin,
}

impl Role {
    /// The role's name as the API and the database write it (`viewer`, `ingest`, `operator`,
    /// `admin`); [`str::parse`] reads it back.
    ///
    /// ```
    /// use parktwin_api::model::Role;
    /// assert_eq!(Role::Operator.as_str(), "operator");
    /// assert_eq!("operator".parse::<Role>(), Ok(Role::Operator));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Ingest => "ingest",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "ingest" => Ok(Role::Ingest),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "role \"{other}\" is not one of viewer, ingest, operator, admin"
            )),
        }
    }
}

/// A weather station's report (`POST /api/v1/weather` takes a list of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WeatherReport {
    /// Station id (a feature id of the `weather_stations` layer).
    pub station: String,
    /// When, RFC 3339 (stored in UTC).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub time: String,
    /// Wind speed at the mast, m/s (0 to 75).
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 75.0)))]
    pub wind_speed_ms: f64,
    /// Where the wind comes from, degrees clockwise from north (0 to 360).
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 360.0)))]
    pub wind_from_deg: f64,
    /// Air temperature, °C (-60 to 60).
    #[cfg_attr(feature = "schema", schemars(range(min = -60.0, max = 60.0)))]
    pub temperature_c: f64,
    /// Cloud cover, oktas (0–8), where observed.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = 8)))]
    pub cloud_oktas: Option<u8>,
}

/// A vehicle passing a gate (`POST /api/v1/gates/{id}/passes` takes a list of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GatePass {
    /// When, RFC 3339 (stored in UTC).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub time: String,
    /// Licence plate.
    pub plate: String,
    /// In or out.
    pub direction: PassDirection,
    /// Carrying dangerous goods.
    pub hazmat: bool,
    /// Cargo, as declared.
    #[serde(default)]
    pub cargo: Option<String>,
    /// UN number of the cargo, e.g. `UN1017`.
    #[serde(default)]
    pub un_number: Option<String>,
    /// Tonnes carried.
    #[serde(default)]
    pub tonnes: Option<f64>,
    /// The electronic waybill's number, if the vehicle has one.
    #[serde(default)]
    pub waybill: Option<String>,
}

/// Which way a vehicle passed a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PassDirection {
    /// Into the park.
    In,
    /// Out of the park.
    Out,
}

/// An electronic waybill for a dangerous-goods load (`POST /api/v1/waybills` takes a list of
/// them): what the gate checks a hazmat truck against, and the route it must keep to inside the
/// fence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Waybill {
    /// The waybill's number, e.g. `YD0123456789`; registering a number again replaces it.
    pub id: String,
    /// Licence plate of the vehicle.
    pub plate: String,
    /// UN number of the cargo, e.g. `UN1017`.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^(UN)?[0-9]{4}$")))]
    pub un_number: String,
    /// Cargo, as declared.
    pub cargo: String,
    /// Tonnes carried (0 to 60: a road tanker's).
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 60.0)))]
    pub tonnes: f64,
    /// From when it is valid, RFC 3339 (stored in UTC).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub valid_from: String,
    /// Until when it is valid, RFC 3339 (stored in UTC): after `valid_from`.
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub valid_to: String,
    /// Where it delivers or loads (an enterprise or tank farm), free text.
    #[serde(default)]
    pub destination: Option<String>,
    /// The planned route inside the park, WGS84 `[lon, lat]` points in driving order; at least
    /// two. A vehicle more than [`crate::alarms::OFF_ROUTE_LIMIT_M`] from it is off its route.
    #[cfg_attr(feature = "schema", schemars(length(min = 2)))]
    pub route: Vec<[f64; 2]>,
}

/// A stored pass at a gate, as `GET /api/v1/passes` lists them and the `pass` event carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PassRecord {
    /// Its event's position in the log.
    pub seq: i64,
    /// The gate.
    pub gate: String,
    /// When (UTC, RFC 3339).
    pub time: String,
    /// Licence plate.
    pub plate: String,
    /// In or out.
    pub direction: PassDirection,
    /// Carrying dangerous goods.
    pub hazmat: bool,
}

impl PassRecord {
    /// A pass as the log and the store keep it (the gate's pass with its `gate`), at log
    /// position `seq`.
    pub fn from_stored(seq: i64, record: &serde_json::Value) -> Result<Self, serde_json::Error> {
        let mut v = record.clone();
        if let Some(o) = v.as_object_mut() {
            o.insert("seq".into(), seq.into());
        }
        serde_json::from_value(v)
    }
}
