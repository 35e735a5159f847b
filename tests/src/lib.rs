//! Helpers for ParkTwin's end-to-end tests: a real server on loopback over a real SQLite file,
//! or, when `PARKTWIN_TEST_POSTGRES` names a PostgreSQL server (`scripts/test` starts one), over
//! a real PostgreSQL database made for each test.

pub mod glb;
pub mod tiles;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use parktwin_server::{Database, Reads, ServerConfig, Store, bind, default_assets_dir};

/// A program of the Python environment `scripts/setup-python` makes (`PARKTWIN_VENV`, or
/// `~/.cache/parktwin/venv`): `python`, `schemathesis`.
pub fn venv_bin(program: &str) -> PathBuf {
    let venv = std::env::var_os("PARKTWIN_VENV").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/parktwin/venv"),
        PathBuf::from,
    );
    venv.join("bin").join(program)
}

/// The environment variable that sends the tests' stores to a PostgreSQL server: a connection
/// string without a database name (`host=/run/x user=parktwin`), whose user may create
/// databases.
pub const POSTGRES_ENV: &str = "PARKTWIN_TEST_POSTGRES";

/// The database of a test's data folder: the folder's SQLite file, or, when [`POSTGRES_ENV`] is
/// set, a database of that server named after the folder (made on first use, so that each test
/// has its own, as each has its own folder).
pub fn database(data_dir: &Path) -> Database {
    let Ok(server) = std::env::var(POSTGRES_ENV) else {
        return Database::in_dir(data_dir);
    };
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut h);
    let name = format!("parktwin_test_{:016x}", h.finish());
    let mut admin = postgres::Client::connect(&format!("{server} dbname=postgres"), postgres::NoTls)
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={server}: cannot connect: {e}"));
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .expect("pg_database")
        .is_some();
    if !exists {
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    }
    Database::Postgres(format!("{server} dbname={name}"))
}

/// The store of a test's data folder (see [`database`]).
pub fn open_store(data_dir: &Path) -> Store {
    let db = database(data_dir);
    Store::open_database(&db).unwrap_or_else(|e| panic!("cannot open {db}: {e}"))
}

/// A server running on a thread of its own, on 127.0.0.1 and a free port.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its base URL.
    pub url: String,
    /// A token of the ingest role (the machine feeds'), made for the test.
    pub ingest: String,
    /// A token of the operator role, made for the test.
    pub operator: String,
}

/// Starts a server over `data_dir`, seeding from `assets` (the repository's by default).
pub fn start_server(data_dir: &Path, assets: Option<PathBuf>) -> anyhow::Result<TestServer> {
    start(data_dir, assets, None, None, Reads::Open)
}

/// A server whose every read needs a token (`--private-reads`), over a fresh database in
/// `data_dir`.
pub fn start_private_server(data_dir: &Path) -> anyhow::Result<TestServer> {
    start(data_dir, None, None, None, Reads::Private)
}

/// Starts a server that also serves the browser client from `web_dir` at `/`.
pub fn start_web_server(data_dir: &Path, web_dir: &Path) -> anyhow::Result<TestServer> {
    start(data_dir, None, None, Some(web_dir.to_path_buf()), Reads::Open)
}

/// Starts a server that serves the browser client from `web_dir` and whose every read needs a
/// token or a session (`--private-reads`).
pub fn start_private_web_server(data_dir: &Path, web_dir: &Path) -> anyhow::Result<TestServer> {
    start(data_dir, None, None, Some(web_dir.to_path_buf()), Reads::Private)
}

/// Starts a server running the demo simulator with `seed`.
pub fn start_demo_server(data_dir: &Path, seed: u64) -> anyhow::Result<TestServer> {
    start(data_dir, None, Some(seed), None, Reads::Open)
}

/// Starts a server that sends email notifications through the SMTP relay `smtp`.
pub fn start_mailing_server(data_dir: &Path, smtp: parktwin_server::notify::Smtp) -> anyhow::Result<TestServer> {
    let cfg = ServerConfig {
        smtp: Some(smtp),
        ..config(data_dir, None, None, None, Reads::Open)?
    };
    serve(&cfg)
}

/// Starts a server that serves the tile file `tiles` as its offline basemap (`--tiles`).
pub fn start_tiles_server(data_dir: &Path, tiles: &Path) -> anyhow::Result<TestServer> {
    let cfg = ServerConfig {
        tiles: Some(tiles.to_path_buf()),
        ..config(data_dir, None, None, None, Reads::Open)?
    };
    serve(&cfg)
}

/// Starts a server whose maps draw the online basemap at `template` (`--basemap-url`), of the
/// zoom levels `min`–`max`.
pub fn start_online_basemap_server(data_dir: &Path, template: &str, min: u8, max: u8) -> anyhow::Result<TestServer> {
    let cfg = ServerConfig {
        basemap_url: Some(parktwin_server::OnlineBasemap {
            template: template.to_string(),
            credit: "© online check tiles".to_string(),
            min_zoom: min,
            max_zoom: max,
        }),
        ..config(data_dir, None, None, None, Reads::Open)?
    };
    serve(&cfg)
}

/// Starts a server that takes readings over MQTT as `mqtt` says.
pub fn start_mqtt_server(data_dir: &Path, mqtt: parktwin_server::mqtt::Mqtt) -> anyhow::Result<TestServer> {
    let cfg = ServerConfig {
        mqtt: Some(mqtt),
        ..config(data_dir, None, None, None, Reads::Open)?
    };
    serve(&cfg)
}

fn config(
    data_dir: &Path,
    assets: Option<PathBuf>,
    demo: Option<u64>,
    web_dir: Option<PathBuf>,
    reads: Reads,
) -> anyhow::Result<ServerConfig> {
    Ok(ServerConfig {
        data_dir: data_dir.to_path_buf(),
        database: Some(database(data_dir)),
        assets_dir: assets.unwrap_or_else(default_assets_dir),
        listen: "127.0.0.1:0".parse()?,
        demo,
        web_dir,
        reads,
        tls: None,
        cors_origins: Vec::new(),
        smtp: None,
        mqtt: None,
        retention: Default::default(),
        tiles: None,
        basemap_url: None,
    })
}

fn start(
    data_dir: &Path,
    assets: Option<PathBuf>,
    demo: Option<u64>,
    web_dir: Option<PathBuf>,
    reads: Reads,
) -> anyhow::Result<TestServer> {
    serve(&config(data_dir, assets, demo, web_dir, reads)?)
}

/// Serves `cfg` on a runtime of its own that lives as long as the test process.
fn serve(cfg: &ServerConfig) -> anyhow::Result<TestServer> {
    let (rt, server) = launch(cfg)?;
    // The runtime serves for as long as the test process lives.
    std::thread::spawn(move || rt.block_on(std::future::pending::<()>()));
    Ok(server)
}

/// Binds a server to `cfg` and serves it on a runtime of its own (returned: dropping it stops
/// the server), with an ingest and an operator token made for the test.
fn launch(cfg: &ServerConfig) -> anyhow::Result<(tokio::runtime::Runtime, TestServer)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = rt.block_on(bind(cfg))?;
    let addr = server.addr;
    rt.spawn(server.serve());
    let store = open_store(&cfg.data_dir);
    let test = TestServer {
        addr,
        url: format!("http://{addr}"),
        ingest: store.create_token(parktwin_api::model::Role::Ingest, "test feed")?,
        operator: store.create_token(parktwin_api::model::Role::Operator, "test operator")?,
    };
    Ok((rt, test))
}

/// A server that can be stopped and started again on the same address and database, as when
/// it is restarted (or its host goes away for a while).
pub struct RestartableServer {
    /// The server while it runs (its address and tokens).
    pub server: TestServer,
    data_dir: PathBuf,
    rt: Option<tokio::runtime::Runtime>,
}

impl RestartableServer {
    /// Starts a server over `data_dir` on a free port.
    pub fn start(data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_on(data_dir, "127.0.0.1:0".parse()?)
    }

    fn start_on(data_dir: &Path, listen: SocketAddr) -> anyhow::Result<Self> {
        let (rt, server) = launch(&ServerConfig {
            data_dir: data_dir.to_path_buf(),
            database: Some(database(data_dir)),
            assets_dir: default_assets_dir(),
            listen,
            demo: None,
            web_dir: None,
            reads: Reads::Open,
            tls: None,
            cors_origins: Vec::new(),
            smtp: None,
            mqtt: None,
            retention: Default::default(),
            tiles: None,
            basemap_url: None,
        })?;
        Ok(Self {
            server,
            data_dir: data_dir.to_path_buf(),
            rt: Some(rt),
        })
    }

    /// Stops it: the listener and every open connection close.
    pub fn stop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }

    /// Starts it again on the same address, over the same database (retrying for a few
    /// seconds while the old socket lets go of the port).
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        let mut tries = 0;
        loop {
            match Self::start_on(&self.data_dir, self.server.addr) {
                Ok(s) => {
                    *self = s;
                    return Ok(());
                }
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for RestartableServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One request as a client sends it: `POST`, `PUT` (with `body` as JSON, if any), `DELETE` or `GET`, with a
/// bearer token, if any; the status and the JSON answer.
pub fn send(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let c = reqwest::blocking::Client::new();
    let mut r = match method {
        "POST" => c.post(url),
        "PUT" => c.put(url),
        "DELETE" => c.delete(url),
        _ => c.get(url),
    };
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let r = r.send().expect("server answers");
    let status = r.status().as_u16();
    // An answer with no body (204) is `null`.
    let text = r.text().expect("an answer");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Uploads `scenario` as a drill and starts it `speed` times faster than written, as an
/// operator; the drill's id.
pub fn start_drill(server: &TestServer, scenario: &serde_json::Value, speed: f64) -> String {
    let api = format!("{}/api/v1", server.url);
    let (code, drill) = send("POST", &format!("{api}/drills"), Some(&server.operator), Some(scenario));
    assert_eq!(code, 201, "{drill}");
    let id = drill["id"].as_str().expect("the drill's id").to_string();
    let (code, started) = send(
        "POST",
        &format!("{api}/drills/{id}/start?speed={speed}"),
        Some(&server.operator),
        None,
    );
    assert_eq!(code, 200, "{started}");
    id
}

/// The one integer a query (a count) answers on a test folder's database, whichever engine
/// keeps it: for checks of what is stored that no endpoint shows.
pub fn count(data_dir: &Path, sql: &str) -> i64 {
    match database(data_dir) {
        Database::Sqlite(path) => rusqlite_count(&path, sql),
        Database::Postgres(url) => postgres::Client::connect(&url, postgres::NoTls)
            .and_then(|mut c| c.query_one(sql, &[]))
            .map(|row| row.get::<_, i64>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}")),
    }
}

/// Runs one statement on a test folder's database, whichever engine keeps it: for a test that
/// must put the store in a state no endpoint makes (a session near its end); the rows changed.
pub fn execute(data_dir: &Path, sql: &str) -> u64 {
    match database(data_dir) {
        Database::Sqlite(path) => rusqlite::Connection::open(&path)
            .and_then(|c| c.execute(sql, []))
            .map(|n| n as u64)
            .unwrap_or_else(|e| panic!("{sql}: {e}")),
        Database::Postgres(url) => postgres::Client::connect(&url, postgres::NoTls)
            .and_then(|mut c| c.execute(sql, &[]))
            .unwrap_or_else(|e| panic!("{sql}: {e}")),
    }
}

fn rusqlite_count(path: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(path)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
