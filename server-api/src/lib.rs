//! ParkTwin's wire types and everything both ends of the wire share: the park's local frame,
//! GB 18218-2018 grading, RFC 7946 checks of layer files; behind features, the REST client
//! (`client`) and the server (`server`, with axum, tokio and SQLite, never in the browser build).

pub mod alarms;
pub mod descriptor;
pub mod frame;
pub mod grading;
pub mod ingest;
pub mod live;
pub mod model;
pub mod validate;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

pub use model::*;
