//! Emergency response on the wire: what the server answers about the response to an incident.

use serde::{Deserialize, Serialize};

/// A resource's way to an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResourceRoute {
    /// The resource's feature id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its Chinese name.
    pub name_zh: String,
    /// What it is (fire_station, rescue_team, medical, supply_depot, shelter, …).
    pub kind: String,
    /// Along the roads, metres.
    pub distance_m: f64,
    /// At the roads' speeds, seconds.
    pub time_s: f64,
    /// When it would arrive if it left now (RFC 3339).
    pub eta: String,
    /// Where the route ends, `[lon, lat]`: the incident's source, or the edge of its most
    /// severe zone.
    pub destination: [f64; 2],
    /// Whether the route ends at the edge of the most severe zone (named in `zone`).
    pub stops_at_zone: bool,
    /// The most severe zone's name (e.g. "AEGL-3"), if the incident has one.
    pub zone: Option<String>,
    /// Whether the route runs through that zone because no other way exists.
    pub through_zone: bool,
    /// The route, a GeoJSON LineString in WGS84.
    pub route: serde_json::Value,
    /// Where it stands: the status of the open task that takes it (`assigned`, `en_route`,
    /// `on_scene`), else as declared (`available`, `maintenance`, …).
    pub status: String,
    /// A vehicle's plate, by which its positions come in.
    #[serde(default)]
    pub plate: Option<String>,
    /// When the live fix the route starts from was taken; `None`: from its home station.
    #[serde(default)]
    pub fix: Option<String>,
}

/// The way from a place to its assembly point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AssemblyRoute {
    /// The assembly point's feature id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its Chinese name.
    pub name_zh: String,
    /// Along the roads, metres.
    pub distance_m: f64,
    /// At the roads' speeds, seconds.
    pub time_s: f64,
    /// Whether the route runs through the most severe zone because no other way exists.
    pub through_zone: bool,
    /// The route, a GeoJSON LineString in WGS84.
    pub route: serde_json::Value,
}

/// What a place inside an incident's zones should do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProtectiveAction {
    /// The most severe zone it is in.
    pub zone: String,
    /// `sensitive_target` or `enterprise`.
    pub kind: String,
    /// Its feature id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// People there, where known.
    pub people: Option<u32>,
    /// `shelter_in_place` or `evacuate`.
    pub action: String,
    /// The highest concentration outdoors there over the release and the half hour after, mg/m³
    /// (a cloud's only).
    pub outdoor_peak_mg_m3: Option<f64>,
    /// The highest it makes indoors (0.5 air changes an hour), mg/m³.
    pub indoor_peak_mg_m3: Option<f64>,
    /// The level sheltering must keep below (the AEGL-2 zone's), mg/m³.
    pub level_mg_m3: Option<f64>,
    /// Why, in words.
    pub reason: String,
    /// Where to go and how, when the action is to evacuate.
    pub assembly: Option<AssemblyRoute>,
}

/// People counted at an assembly point (`POST /api/v1/incidents/{id}/head-counts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHeadCount {
    /// The assembly point: an emergency resource's id (a shelter).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub point: String,
    /// How many people are there now.
    #[cfg_attr(feature = "schema", schemars(range(max = 1_000_000)))]
    pub count: u32,
}

/// The latest count at an assembly point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HeadCount {
    /// The incident.
    pub incident: String,
    /// The assembly point's id.
    pub point: String,
    /// How many people were there.
    pub count: u32,
    /// Who reported it.
    pub by: String,
    /// When.
    pub time: String,
}
