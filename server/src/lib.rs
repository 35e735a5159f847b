//! `parktwin-server`: the thin REST backend over an embedded SQLite database, or a PostgreSQL
//! database for a platform that aggregates many parks (see `db.rs`).
//!
//! On first start it seeds the database from the park assets (all files are checked before
//! anything is written, and the seed is one transaction, so a bad file leaves nothing behind).

mod after_action;
mod db;
mod demo_devices;
mod devices;
pub mod drills;
mod emergency;
mod headcounts;
mod http;
mod incidents;
pub mod mqtt;
pub mod notify;
mod openapi;
mod pages;
pub mod pmtiles;
pub mod protective;
mod readings;
mod resources;
pub mod routing;
mod scenarios;
mod seed;
pub mod sim;
mod store;
pub mod tiles;
mod wall;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use http::{
    API_PREFIX, ClientAddr, HttpOptions, MAX_BODY_BYTES, Reads, openapi_document, openapi_document_for, router,
    router_for, router_with,
};
pub use readings::{Pruned, Retention};
pub use scenarios::{park_refs, scenario_schema};
pub use seed::{SeedData, SeedError, load_assets};
pub use store::{
    AlarmStep, AlarmWithHistory, AuditFilter, AuditRecord, Caller, Database, Refusal, SESSION_HOURS, SignIn, Store,
    StoreError, TOKEN_ID_LEN, TokenInfo, random_password,
};

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
    /// Serve over TLS with this certificate chain and private key (PEM files).
    pub tls: Option<Tls>,
    /// Origins whose pages may call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// The SMTP relay email notifications go through; none by default (webhooks only).
    pub smtp: Option<notify::Smtp>,
    /// The MQTT broker readings come from; none by default (HTTP only).
    pub mqtt: Option<mqtt::Mqtt>,
    /// How long readings and their rollups are kept.
    pub retention: Retention,
    /// An offline basemap to serve at `/api/v1/tiles/{z}/{x}/{y}` (an MBTiles or PMTiles file).
    pub tiles: Option<PathBuf>,
    /// Or an online basemap the maps fetch themselves.
    pub basemap_url: Option<OnlineBasemap>,
}

/// An online basemap (`--basemap-url`): its tiles' template, its credit and its zoom levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineBasemap {
    /// The tiles' URL, `{z}`, `{x}` and `{y}` to be filled in (XYZ numbering).
    pub template: String,
    /// Whose map it is.
    pub credit: String,
    /// The lowest zoom level it has.
    pub min_zoom: u8,
    /// The highest zoom level it has.
    pub max_zoom: u8,
}

/// The certificate chain and private key a server serves TLS with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// The certificate chain, PEM, the server's own first.
    pub cert: PathBuf,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
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
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl BoundServer {
    /// Whether it serves over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until the process ends: plain HTTP/1.1, or over TLS HTTP/1.1 and HTTP/2 (the
    /// client picks by ALPN). Each request knows its client's address (the audit trail's
    /// "from").
    pub async fn serve(self) -> std::io::Result<()> {
        let app = self.app.into_make_service_with_connect_info::<SocketAddr>();
        match self.tls {
            None => axum::serve(self.listener, app).await,
            Some(config) => {
                let listener = self.listener.into_std()?;
                axum_server::from_tcp_rustls(listener, config)?.serve(app).await
            }
        }
    }
}

/// Reads the certificate and key of `tls`: an error names the file and what is wrong with it.
async fn tls_config(tls: &Tls) -> anyhow::Result<axum_server::tls_rustls::RustlsConfig> {
    use anyhow::Context as _;
    // ring, not rustls's default aws-lc-rs (a long C build); installed once per process, and a
    // second install (a test's second server) changes nothing. rustls 0.23.48 deprecates ring's
    // provider for its lack of post-quantum key exchange: X25519 and the NIST curves remain.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    for (what, path) in [("certificate", &tls.cert), ("private key", &tls.key)] {
        let text = std::fs::read(path).with_context(|| format!("cannot read the TLS {what} {}", path.display()))?;
        if !text.windows(11).any(|w| w == b"-----BEGIN ") {
            anyhow::bail!("{}: the TLS {what} is not PEM (no -----BEGIN line)", path.display());
        }
    }
    axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
        .await
        .with_context(|| {
            format!(
                "the TLS certificate {} and key {} do not make a server identity",
                tls.cert.display(),
                tls.key.display()
            )
        })
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
    let tls = match &cfg.tls {
        Some(t) => Some(tls_config(t).await?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    store.start_notifying()?;
    let store = std::sync::Arc::new(store);
    tokio::spawn(watch_offline(store.clone()));
    tokio::spawn(sweep_alarms(store.clone()));
    tokio::spawn(notify::run(store.clone(), cfg.smtp.clone()));
    tokio::spawn(prune_readings(store.clone(), cfg.retention));
    if let Some(m) = &cfg.mqtt {
        let options = m.options().map_err(|e| anyhow::anyhow!(e))?;
        tokio::spawn(mqtt::run(store.clone(), m.clone(), options));
    }
    if let Some(seed) = cfg.demo {
        tokio::spawn(sim::run(store.clone(), seed));
        tracing::info!("demo simulator running (seed {seed})");
    }
    let basemap = match (&cfg.tiles, &cfg.basemap_url) {
        (Some(_), Some(_)) => anyhow::bail!("a server has one basemap: --tiles or --basemap-url, not both"),
        (Some(path), None) => {
            let set = tiles::TileSet::open(path).context("cannot serve the basemap")?;
            let i = set.info();
            tracing::info!(
                "serving the basemap {} ({:?}, zoom {}–{}) from {}",
                i.name,
                i.format,
                i.min_zoom,
                i.max_zoom,
                path.display()
            );
            Some(tiles::Basemap::File(tiles::SharedTiles(std::sync::Arc::new(set))))
        }
        (None, Some(o)) => {
            let info = tiles::online(&o.template, &o.credit, o.min_zoom, o.max_zoom)
                .map_err(|e| anyhow::anyhow!("--basemap-url: {e}"))?;
            tracing::info!("the maps draw the online basemap {}", info.template);
            Some(tiles::Basemap::Online(info))
        }
        (None, None) => None,
    };
    let options = HttpOptions {
        basemap,
        smtp: cfg.smtp.is_some(),
        reads: cfg.reads,
        tls: tls.is_some(),
        cors_origins: cfg.cors_origins.clone(),
    };
    Ok(BoundServer {
        addr,
        listener,
        app: router_for(store, cfg.web_dir.as_deref(), &options),
        tls,
    })
}

/// How often the alarms are swept for the overdue and the expired shelvings.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Every [`SWEEP_EVERY`], escalates the alarms left unacknowledged past their tier's time and
/// takes those whose shelving ran out off the shelf; wakes the notifier when it did either.
async fn sweep_alarms(store: std::sync::Arc<Store>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.sweep_alarms(time::OffsetDateTime::now_utc())).await {
            Ok(Ok(swept)) if swept == store::Swept::default() => {}
            Ok(Ok(swept)) => {
                tracing::info!(
                    "{} alarm(s) escalated, {} back from the shelf",
                    swept.overdue,
                    swept.unshelved
                );
                store.notify_waiting();
            }
            Ok(Err(e)) => tracing::error!("alarm sweep: {e}"),
            Err(e) => tracing::error!("alarm sweep stopped: {e}"),
        }
    }
}

/// Every hour (and at the start), removes the readings and rollups older than `keep` says.
async fn prune_readings(store: std::sync::Arc<Store>, keep: Retention) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3_600));
    loop {
        every.tick().await;
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.prune_readings(time::OffsetDateTime::now_utc(), &keep)).await {
            Ok(Ok(p)) if p == Pruned::default() => {}
            Ok(Ok(p)) => tracing::info!(
                "kept as the retention says: {} raw reading(s) and {} rollup(s) removed",
                p.raw,
                p.rollups
            ),
            Ok(Err(e)) => tracing::error!("readings' retention: {e}"),
            Err(e) => tracing::error!("readings' retention stopped: {e}"),
        }
    }
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
