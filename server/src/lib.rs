//! `parktwin-server`: the thin REST backend over an embedded SQLite database, or a PostgreSQL
//! database for a platform that aggregates many parks (see `db.rs`).
//!
//! On first start it seeds the database from the park assets (all files are checked before
//! anything is written, and the seed is one transaction, so a bad file leaves nothing behind).

mod after_action;
mod db;
pub mod drills;
mod http;
mod incidents;
mod openapi;
mod pages;
mod scenarios;
mod seed;
pub mod sim;
mod store;
mod wall;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use http::{API_PREFIX, MAX_BODY_BYTES, Reads, openapi_document, router, router_with};
pub use scenarios::{park_refs, scenario_schema};
pub use seed::{SeedData, SeedError, load_assets};
pub use store::{Caller, Database, Store, StoreError, TOKEN_ID_LEN, TokenInfo};

/// Where the server keeps its data and where it listens.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Folder of the SQLite database (`parktwin.sqlite`); created when missing.
    pub data_dir: PathBuf,
    /// A PostgreSQL database to keep the park in instead of the data folder's SQLite file.
    pub database: Option<Database>,
    /// The park assets to seed from (the folder holding `park/park.json` and `chemicals.json`).
    pub assets_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Run the demo simulator with this seed.
    pub demo: Option<u64>,
    /// The browser client to serve at `/` (the folder `scripts/build-web` makes).
    pub web_dir: Option<PathBuf>,
    /// Whether reads need a token.
    pub reads: Reads,
}

/// The folder under `park/` of the assets whose layer descriptors the server's catalog offers.
pub const DESCRIPTOR_DIR: &str = "descriptors";

/// The assets folder of this source tree, the default when none is given.
pub fn default_assets_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets"))
}

/// A server bound to its address, ready to serve.
pub struct BoundServer {
    /// The address it listens on (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    app: axum::Router,
}

impl BoundServer {
    /// Serves until the process ends.
    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.app).await
    }
}

/// Opens (seeding on first start) the database and binds the listener.
pub async fn bind(cfg: &ServerConfig) -> anyhow::Result<BoundServer> {
    use anyhow::Context as _;
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("cannot create the data folder {}", cfg.data_dir.display()))?;
    let db = cfg.database.clone().unwrap_or_else(|| Database::in_dir(&cfg.data_dir));
    let store = Store::open_database(&db).with_context(|| format!("cannot open the database {db}"))?;
    if !store.is_seeded()? {
        let seed = load_assets(&cfg.assets_dir)?;
        store.seed(&seed).with_context(|| format!("cannot seed {db}"))?;
        tracing::info!("seeded {db} from {}", cfg.assets_dir.display());
    }
    let descriptors = cfg.assets_dir.join("park").join(DESCRIPTOR_DIR);
    if descriptors.is_dir() {
        let load = parktwin_api::descriptor::load_dir(&descriptors);
        let good = load.layers.len();
        for p in store.set_descriptor_layers(load)? {
            tracing::warn!("layer descriptor refused: {p}");
        }
        tracing::info!("{good} descriptor layer(s) from {}", descriptors.display());
    }
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let store = std::sync::Arc::new(store);
    tokio::spawn(watch_offline(store.clone()));
    if let Some(seed) = cfg.demo {
        tokio::spawn(sim::run(store.clone(), seed));
        tracing::info!("demo simulator running (seed {seed})");
    }
    Ok(BoundServer {
        addr,
        listener,
        app: router_with(store, cfg.web_dir.as_deref(), cfg.reads),
    })
}

/// Every 10 s, raises offline alarms for detectors gone silent.
async fn watch_offline(store: std::sync::Arc<Store>) {
    // After a restart, give the feeds one offline period to come back before calling anything
    // silent.
    tokio::time::sleep(std::time::Duration::from_secs(
        parktwin_api::alarms::OFFLINE_AFTER_S as u64,
    ))
    .await;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        every.tick().await;
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.check_offline(time::OffsetDateTime::now_utc())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::warn!("{n} detector(s) went offline"),
            Ok(Err(e)) => tracing::error!("offline check: {e}"),
            Err(e) => tracing::error!("offline check stopped: {e}"),
        }
    }
}
