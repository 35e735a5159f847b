//! Helpers for ParkTwin's end-to-end tests: a real server on loopback over a real SQLite file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use parktwin_server::{Reads, ServerConfig, bind, default_assets_dir};

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

/// Starts a server running the demo simulator with `seed`.
pub fn start_demo_server(data_dir: &Path, seed: u64) -> anyhow::Result<TestServer> {
    start(data_dir, None, Some(seed), None, Reads::Open)
}

fn start(
    data_dir: &Path,
    assets: Option<PathBuf>,
    demo: Option<u64>,
    web_dir: Option<PathBuf>,
    reads: Reads,
) -> anyhow::Result<TestServer> {
    let cfg = ServerConfig {
        data_dir: data_dir.to_path_buf(),
        assets_dir: assets.unwrap_or_else(default_assets_dir),
        listen: "127.0.0.1:0".parse()?,
        demo,
        web_dir,
        reads,
    };
    let (rt, server) = launch(&cfg)?;
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
    let store = parktwin_server::Store::open(&cfg.data_dir.join("parktwin.sqlite"))?;
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
            assets_dir: default_assets_dir(),
            listen,
            demo: None,
            web_dir: None,
            reads: Reads::Open,
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

/// One request as a client sends it: `POST` or `PUT` (with `body` as JSON, if any) or `GET`, with a
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
        _ => c.get(url),
    };
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let r = r.send().expect("server answers");
    (r.status().as_u16(), r.json().expect("JSON"))
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
