//! Layer ids: a layer is named by a [`LayerId`] everywhere, and the layers the code itself
//! knows by name (the park's built-in ones, and the client's own) are its constants, so that
//! no one spells `"detectors"` twice.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A layer's id, as in the catalog (`GET /api/v1/layers`) and on every feature's layer.
///
/// ```
/// use parktwin_api::layer::LayerId;
/// let id = LayerId::new("detectors");
/// assert_eq!(id, LayerId::DETECTORS);
/// assert!(String::from("detectors") == LayerId::DETECTORS);
/// assert_eq!(LayerId::VEHICLES.as_str(), "vehicles");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LayerId(Cow<'static, str>);

impl LayerId {
    /// The park's fence.
    pub const BOUNDARY: LayerId = LayerId::from_static("boundary");
    /// Roads.
    pub const ROADS: LayerId = LayerId::from_static("roads");
    /// Enterprises' parcels.
    pub const ENTERPRISES: LayerId = LayerId::from_static("enterprises");
    /// Major hazard sources.
    pub const HAZARDS: LayerId = LayerId::from_static("hazards");
    /// Storage tanks.
    pub const TANKS: LayerId = LayerId::from_static("tanks");
    /// Gas detectors.
    pub const DETECTORS: LayerId = LayerId::from_static("detectors");
    /// The park's gates.
    pub const GATES: LayerId = LayerId::from_static("gates");
    /// Weather stations.
    pub const WEATHER_STATIONS: LayerId = LayerId::from_static("weather_stations");
    /// Hazmat trucks (the client's own layer, from the live state).
    pub const VEHICLES: LayerId = LayerId::from_static("vehicles");
    /// Incidents and their threat zones (the client's own layer).
    pub const INCIDENTS: LayerId = LayerId::from_static("incidents");

    /// A layer id known to the code.
    pub const fn from_static(id: &'static str) -> Self {
        LayerId(Cow::Borrowed(id))
    }

    /// A layer id read from data.
    pub fn new(id: impl Into<String>) -> Self {
        LayerId(Cow::Owned(id.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LayerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for LayerId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<LayerId> for String {
    fn from(id: LayerId) -> String {
        id.0.into_owned()
    }
}

impl PartialEq<str> for LayerId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LayerId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for LayerId {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}

impl PartialEq<LayerId> for String {
    fn eq(&self, other: &LayerId) -> bool {
        self.as_str() == other.0
    }
}

impl PartialEq<LayerId> for str {
    fn eq(&self, other: &LayerId) -> bool {
        self == other.0
    }
}

impl PartialEq<LayerId> for &str {
    fn eq(&self, other: &LayerId) -> bool {
        *self == other.0
    }
}
