//! ParkTwin's wire types and everything both ends of the wire share: the park's local frame,
//! GB 18218-2018 grading, RFC 7946 checks of layer files, alarm rules and the live reducer;
//! behind the `client` feature, the REST client. The server is its own crate (`server/`), so
//! nothing of axum, tokio or SQLite can reach the browser build.

pub mod alarm_figures;
pub mod alarm_life;
pub mod alarms;
pub mod aqi;
pub mod chemical;
pub mod clock;
pub mod descriptor;
pub mod device;
pub mod device_rules;
pub mod emergency;
pub mod frame;
pub mod geometry;
pub mod grading;
pub mod incident;
pub mod ingest;
pub mod kinds;
pub mod layer;
pub mod live;
pub mod model;
pub mod readings;
pub mod response;
pub mod scenario;
pub mod scope;
pub mod tiles;
pub mod validate;
pub mod wall;

#[cfg(feature = "client")]
pub mod client;

pub use model::*;
