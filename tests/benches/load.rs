//! Server load on loopback, driven by wrk (Debian's `wrk`, a load client in C that does not
//! decode what it reads): position batches posted back to back on two connections, alone and
//! then beside 100 and 200 map clients polling `/events` once a second each from their own
//! cursors. Prints the ingest rate, the polls' latency (p50, p99, max) and error counts as a
//! table; the ingest alone is the baseline the runs with pollers are compared with.
//!
//! `cargo bench --profile dev -p parktwin-e2e --bench load` (a real server over a real SQLite
//! file in a temporary folder, or a PostgreSQL database when `PARKTWIN_TEST_POSTGRES` is set;
//! nothing leaves 127.0.0.1). The wrk scripts are in `benches/load/`.

use std::process::{Command, Stdio};
use std::time::Duration;

use parktwin_api::ingest::format_utc;

const PHASE: Duration = Duration::from_secs(8);
const BATCH: usize = 500;
const SENDERS: usize = 2;
/// The pollers of the runs after the first (issue #10 asks for 200).
const POLLERS: [usize; 2] = [100, 200];

/// What one wrk run reports (its `done` line): requests, errors, latency in µs.
#[derive(Debug, Default)]
struct Wrk {
    requests: u64,
    errors: u64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
}

impl Wrk {
    fn parse(out: &str) -> Option<Self> {
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
fn wrk(url: &str, script: &str, conns: usize, threads: usize, env: &[(&str, String)]) -> std::process::Child {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/load");
    let script = format!("{dir}/{script}");
    Command::new("wrk")
        .args([
            "-t",
            &threads.min(conns).to_string(),
            "-c",
            &conns.to_string(),
            "-d",
            &format!("{}s", PHASE.as_secs()),
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

fn finish(child: std::process::Child, what: &str) -> Wrk {
    let out = child.wait_with_output().expect("wrk ran");
    let text = String::from_utf8_lossy(&out.stdout);
    Wrk::parse(&text).unwrap_or_else(|| panic!("{what}: wrk said no result line:\n{text}"))
}

struct Outcome {
    positions_per_s: f64,
    ingest: Wrk,
    polls: Option<Wrk>,
}

fn run(url: &str, token: &str, pollers: usize) -> Outcome {
    let head: i64 = reqwest::blocking::get(format!("{url}/api/v1/events/head"))
        .and_then(|r| r.json::<serde_json::Value>())
        .map(|v| v["seq"].as_i64().unwrap_or(0))
        .unwrap_or(0);
    let time = format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(1));
    let ingest = wrk(
        url,
        "ingest.lua",
        SENDERS,
        SENDERS,
        &[
            ("PARKTWIN_TOKEN", token.to_string()),
            ("PARKTWIN_BATCH", BATCH.to_string()),
            ("PARKTWIN_TIME", time),
        ],
    );
    // One thread per client: a thread's Lua state holds its client's cursor.
    let polls = (pollers > 0).then(|| {
        wrk(
            url,
            "poll.lua",
            pollers,
            pollers,
            &[("PARKTWIN_SINCE", head.to_string())],
        )
    });
    let ingest = finish(ingest, "ingest");
    let polls = polls.map(|p| finish(p, "polls"));
    Outcome {
        positions_per_s: (ingest.requests - ingest.errors) as f64 * BATCH as f64 / PHASE.as_secs_f64(),
        ingest,
        polls,
    }
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let db = parktwin_e2e::database(dir.path());
    let alone = run(&server.url, &server.ingest, 0);
    let busy: Vec<(String, Outcome)> = POLLERS
        .iter()
        .map(|&n| (format!("with {n} pollers at 1 Hz"), run(&server.url, &server.ingest, n)))
        .collect();
    println!(
        "ParkTwin server on loopback ({}): wrk, {SENDERS} connections posting {BATCH}-position batches, {}s a run",
        match db {
            parktwin_server::Database::Sqlite(_) => "SQLite",
            parktwin_server::Database::Postgres(_) => "PostgreSQL",
        },
        PHASE.as_secs()
    );
    println!(
        "| run | positions/s | × alone | ingest errors | polls | poll p50 (ms) | poll p99 (ms) | poll max (ms) | poll errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows = std::iter::once(("ingest alone", &alone)).chain(busy.iter().map(|(n, o)| (n.as_str(), o)));
    for (name, o) in rows {
        let p = o.polls.as_ref();
        println!(
            "| {name} | {:.0} | {:.2} | {} | {} | {} | {} | {} | {} |",
            o.positions_per_s,
            o.positions_per_s / alone.positions_per_s,
            o.ingest.errors,
            p.map_or(0, |p| p.requests),
            p.map_or("—".into(), |p| ms(p.p50_us)),
            p.map_or("—".into(), |p| ms(p.p99_us)),
            p.map_or("—".into(), |p| ms(p.max_us)),
            p.map_or(0, |p| p.errors),
        );
    }
    println!(
        "(ingest batch latency, ms: p50 {} p99 {} alone; p50 {} p99 {} with {} pollers)",
        ms(alone.ingest.p50_us),
        ms(alone.ingest.p99_us),
        busy.last().map_or("—".into(), |(_, o)| ms(o.ingest.p50_us)),
        busy.last().map_or("—".into(), |(_, o)| ms(o.ingest.p99_us)),
        POLLERS[POLLERS.len() - 1],
    );
}
