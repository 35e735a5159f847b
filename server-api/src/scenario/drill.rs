//! A drill: an uploaded scenario and where its run is.

use serde::{Deserialize, Serialize};

use super::Scenario;

/// Where a drill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DrillState {
    /// Uploaded, not started.
    Ready,
    /// Playing its events.
    Running,
    /// Stopped by an operator before its end.
    Stopped,
    /// All its events played.
    Finished,
}

/// A drill: an uploaded scenario and its run (`/api/v1/drills`). Its events go to the event
/// log's channel `drill:<id>`, never to `live`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Drill {
    /// Id, `drill-N`.
    pub id: String,
    /// The scenario's name.
    pub name: String,
    /// Where it is.
    pub state: DrillState,
    /// The channel its events go to: `drill:<id>`.
    pub channel: String,
    /// Events in the scenario.
    pub events: usize,
    /// Offset of its last event, s.
    pub duration_s: f64,
    /// How many times faster than written it plays (1 to 60).
    pub speed: f64,
    /// When it started, RFC 3339.
    pub started: Option<String>,
    /// When it stopped or finished.
    pub ended: Option<String>,
    /// Events played so far.
    pub played: usize,
    /// Who uploaded it.
    pub created_by: String,
    /// The scenario, as checked (events in time order).
    pub scenario: Scenario,
}
