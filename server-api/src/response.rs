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
}
