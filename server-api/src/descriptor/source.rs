//! Where a descriptor layer's features come from: a file, a URL or a server path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a descriptor layer's features come from: exactly one of a GeoJSON file (relative to
/// the descriptor), a URL, or a path on the ParkTwin server; fetched again every `refresh_s`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A GeoJSON file, relative to the descriptor's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// An `http://` or `https://` URL answering a FeatureCollection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A path on the ParkTwin server, e.g. `/api/v1/layers/air_quality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Seconds between fetches; fetched once when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_s: Option<f64>,
}

/// Where the features are, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind<'a> {
    /// A file (relative paths are relative to the descriptor).
    File(&'a str),
    /// A URL.
    Url(&'a str),
    /// A path on the ParkTwin server.
    Endpoint(&'a str),
}

impl Source {
    /// The one source given.
    pub fn kind(&self) -> Option<SourceKind<'_>> {
        match (&self.file, &self.url, &self.endpoint) {
            (Some(f), None, None) => Some(SourceKind::File(f)),
            (None, Some(u), None) => Some(SourceKind::Url(u)),
            (None, None, Some(e)) => Some(SourceKind::Endpoint(e)),
            _ => None,
        }
    }

    /// The device kinds its endpoint serves, where it is the server's device layer
    /// (`/api/v1/devices/geojson?kind=a,b`): such a layer can be read as of a moment.
    ///
    /// ```
    /// use parktwin_api::descriptor::Source;
    /// let s = Source { endpoint: Some("/api/v1/devices/geojson?kind=tank_temperature,tank_pressure".into()), ..Source::default() };
    /// assert_eq!(s.device_kinds(), ["tank_temperature", "tank_pressure"]);
    /// let s = Source { endpoint: Some("/api/v1/layers/substations".into()), ..Source::default() };
    /// assert!(s.device_kinds().is_empty());
    /// ```
    pub fn device_kinds(&self) -> Vec<&str> {
        self.endpoint
            .as_deref()
            .and_then(|e| e.strip_prefix(DEVICE_LAYER_PATH)?.strip_prefix('?'))
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|kv| kv.strip_prefix("kind="))
            .flat_map(|k| k.split(','))
            .collect()
    }
}

/// The server's path of the devices' map layers.
pub const DEVICE_LAYER_PATH: &str = "/api/v1/devices/geojson";

impl fmt::Display for SourceKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceKind::File(p) => write!(f, "file {p}"),
            SourceKind::Url(u) => write!(f, "url {u}"),
            SourceKind::Endpoint(e) => write!(f, "server {e}"),
        }
    }
}
