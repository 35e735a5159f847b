//! Server load on loopback, driven by wrk (Debian's `wrk`, a load client in C that does not
//! decode what it reads): position batches posted back to back on two connections, alone and
//! then beside 100 and 200 map clients polling `/events` once a second each from their own
//! cursors, and last with the batches paced at issue #10's 50,000 positions a second beside
//! 200 clients. Each batch is the next second of its trucks' clocks. Prints the ingest rate,
//! the polls' latency (p50, p99, max) and error counts as a table; the ingest alone is the
//! baseline the runs with pollers are compared with.
//!
//! `cargo bench --profile dev -p parktwin-e2e --bench load` (a real server over a real SQLite
//! file in a temporary folder, or a PostgreSQL database when `PARKTWIN_TEST_POSTGRES` is set;
//! nothing leaves 127.0.0.1). The wrk scripts are in `benches/load/`.

use std::time::Duration;

#[path = "load/wrk.rs"]
mod wrk;
use wrk::{Wrk, finish};

/// Starts wrk with `script` for a run's length.
fn wrk(url: &str, script: &str, conns: usize, threads: usize, env: &[(&str, String)]) -> std::process::Child {
    wrk::start(url, script, conns, threads, PHASE, env)
}

const PHASE: Duration = Duration::from_secs(8);
const BATCH: usize = 500;
const SENDERS: usize = 2;
/// The runs: a name, the polling clients, and the ingest's pace in positions a second (`None`:
/// as fast as the server answers). The first, the ingest alone, is the baseline. Issue #10's
/// goal is 50,000 positions a second with 200 clients polling and their p99 under 50 ms: the
/// fast runs find how much the server ingests, the last measures the polls at the goal's pace.
const RUNS: [(&str, usize, Option<u32>); 4] = [
    ("ingest alone", 0, None),
    ("with 100 pollers at 1 Hz", 100, None),
    ("with 200 pollers at 1 Hz", 200, None),
    ("200 pollers, ingest paced at 50,000/s", 200, Some(50_000)),
];

struct Outcome {
    positions_per_s: f64,
    ingest: Wrk,
    polls: Option<Wrk>,
}

/// Seconds of the trucks' clock each run may use: more batches than a sender posts in a run
/// (each batch is the next second's fixes).
const RUN_CLOCK_S: i64 = 3000;

/// Runs the senders (and `pollers` polling clients), the trucks' clock starting at `start`
/// (Unix seconds), the senders paced at `pace` positions a second if given.
fn run(url: &str, token: &str, pollers: usize, pace: Option<u32>, start: i64) -> Outcome {
    let head = wrk::head(url);
    let mut env = vec![
        ("PARKTWIN_TOKEN", token.to_string()),
        ("PARKTWIN_BATCH", BATCH.to_string()),
        ("PARKTWIN_START", start.to_string()),
    ];
    if let Some(rate) = pace {
        // Each sender's beat: its share of the batches a second.
        let every_ms = 1000.0 * (SENDERS * BATCH) as f64 / f64::from(rate);
        env.push(("PARKTWIN_EVERY_MS", format!("{every_ms}")));
    }
    let ingest = wrk(url, "ingest.lua", SENDERS, SENDERS, &env);
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
    // The runs' clocks follow each other and end before now (no fix may be in the future).
    let first = time::OffsetDateTime::now_utc().unix_timestamp() - RUNS.len() as i64 * RUN_CLOCK_S - 60;
    let outcomes: Vec<(&str, Outcome)> = RUNS
        .iter()
        .zip(0..)
        .map(|(&(name, pollers, pace), k)| {
            let start = first + k * RUN_CLOCK_S;
            (name, run(&server.url, &server.ingest, pollers, pace, start))
        })
        .collect();
    let alone = &outcomes[0].1;
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
    for (name, o) in &outcomes {
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
    println!("(ingest batch latency, ms, p50 / p99:");
    for (name, o) in &outcomes {
        println!("  {name}: {} / {}", ms(o.ingest.p50_us), ms(o.ingest.p99_us));
    }
    println!(")");
}
