//! Running wrk (Debian's `wrk`) with a script of `benches/load/` and reading back its result
//! line: what the benches that drive the server with wrk share.

use std::process::{Command, Stdio};
use std::time::Duration;

/// What one wrk run reports (its `done` line): requests, errors, latency in µs.
#[derive(Debug, Default)]
pub struct Wrk {
    pub requests: u64,
    pub errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Wrk {
    pub fn parse(out: &str) -> Option<Self> {
        let line = out.lines().find(|l| l.starts_with("PARKTWIN "))?;
        let field = |name: &str| -> Option<u64> {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
        };
        Some(Wrk {
            requests: field("requests")?,
            errors: field("errors")?,
            p50_us: field("p50")?,
            p99_us: field("p99")?,
            max_us: field("max")?,
        })
    }
}

/// Starts wrk with `script` on `conns` connections (one thread each, at most `threads`).
pub fn start(
    url: &str,
    script: &str,
    conns: usize,
    threads: usize,
    phase: Duration,
    env: &[(&str, String)],
) -> std::process::Child {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/load");
    let script = format!("{dir}/{script}");
    Command::new("wrk")
        .args([
            "-t",
            &threads.min(conns).to_string(),
            "-c",
            &conns.to_string(),
            "-d",
            &format!("{}s", phase.as_secs()),
            "--timeout",
            "10s",
            "-s",
            &script,
            url,
        ])
        // Where the scripts load what they share from (common.lua).
        .env("PARKTWIN_LUA", dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run wrk ({e}): it is Debian's package `wrk` (apt-get install wrk)"))
}

pub fn finish(child: std::process::Child, what: &str) -> Wrk {
    let out = child.wait_with_output().expect("wrk ran");
    let text = String::from_utf8_lossy(&out.stdout);
    Wrk::parse(&text).unwrap_or_else(|| panic!("{what}: wrk said no result line:\n{text}"))
}

/// The log's head now: where the polling clients start from.
pub fn head(url: &str) -> i64 {
    reqwest::blocking::get(format!("{url}/api/v1/events/head"))
        .and_then(|r| r.json::<serde_json::Value>())
        .map(|v| v["seq"].as_i64().unwrap_or(0))
        .unwrap_or(0)
}
