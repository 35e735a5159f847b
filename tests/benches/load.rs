//! Server load on loopback: position batches ingested as fast as two senders can, alone and
//! then with 100 and with 200 clients polling `/events` once a second each (as the map does). Prints the
//! ingest rate, the pollers' latency (p50, p99, max) and error counts as a table; the first run
//! is the baseline the second is compared with.
//!
//! `cargo bench -p parktwin-e2e --bench load` (a real server over a real SQLite file in a
//! temporary folder; nothing leaves 127.0.0.1).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parktwin_api::ingest::format_utc;

const PHASE: Duration = Duration::from_secs(8);
const BATCH: usize = 500;
const SENDERS: usize = 2;
/// The pollers of the runs after the first (issue #10 asks for 200).
const POLLERS: [usize; 2] = [100, 200];

struct Outcome {
    positions_per_s: f64,
    ingest_errors: u64,
    polls: Vec<f64>,
    poll_errors: u64,
}

fn run(url: &str, token: &str, pollers: usize) -> Outcome {
    let stop = Arc::new(AtomicBool::new(false));
    let stored = Arc::new(AtomicU64::new(0));
    let ingest_errors = Arc::new(AtomicU64::new(0));
    let poll_errors = Arc::new(AtomicU64::new(0));
    let head: i64 = reqwest::blocking::get(format!("{url}/api/v1/events/head"))
        .and_then(|r| r.json::<serde_json::Value>())
        .map(|v| v["seq"].as_i64().unwrap_or(0))
        .unwrap_or(0);
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (url, stop, stored, errors) = (url.to_string(), stop.clone(), stored.clone(), ingest_errors.clone());
        let token = token.to_string();
        senders.push(std::thread::spawn(move || {
            let http = reqwest::blocking::Client::new();
            let mut round = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t = format_utc(time::OffsetDateTime::now_utc());
                let batch: Vec<serde_json::Value> = (0..BATCH)
                    .map(|k| {
                        let x = (round as f64 * 0.0001 + k as f64 * 0.00001) % 0.02;
                        serde_json::json!({"plate": format!("L{s}-{k:04}"), "time": t, "lon": 118.44 + x,
                                           "lat": 37.565, "speed_kmh": 25.0, "heading_deg": 90.0})
                    })
                    .collect();
                match http
                    .post(format!("{url}/api/v1/vehicles/positions"))
                    .bearer_auth(&token)
                    .json(&batch)
                    .send()
                {
                    Ok(r) if r.status().is_success() => {
                        stored.fetch_add(BATCH as u64, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                round += 1;
            }
        }));
    }
    let mut polls = Vec::new();
    for p in 0..pollers {
        let (url, stop, errors) = (url.to_string(), stop.clone(), poll_errors.clone());
        polls.push(std::thread::spawn(move || {
            let http = reqwest::blocking::Client::new();
            let mut cursor = head;
            let mut lat = Vec::new();
            // Spread the pollers over the second, as clients started at different times are.
            std::thread::sleep(Duration::from_millis((p as u64 * 10) % 1000));
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                match http
                    .get(format!("{url}/api/v1/events?since={cursor}"))
                    .send()
                    .and_then(|r| r.error_for_status())
                    .and_then(|r| r.json::<parktwin_api::model::EventPage>())
                {
                    Ok(page) => {
                        cursor = page.next;
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_secs(1).saturating_sub(t0.elapsed()));
            }
            lat
        }));
    }
    let t0 = Instant::now();
    std::thread::sleep(PHASE);
    stop.store(true, Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    for s in senders {
        let _ = s.join();
    }
    let mut all: Vec<f64> = polls.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
    all.sort_by(f64::total_cmp);
    Outcome {
        positions_per_s: stored.load(Ordering::Relaxed) as f64 / secs,
        ingest_errors: ingest_errors.load(Ordering::Relaxed),
        polls: all,
        poll_errors: poll_errors.load(Ordering::Relaxed),
    }
}

/// The `p` quantile of sorted milliseconds, one decimal; a dash when there are none.
fn pct(v: &[f64], p: f64) -> String {
    match v.len() {
        0 => "—".to_string(),
        n => format!("{:.1}", v[((n - 1) as f64 * p).round() as usize]),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let alone = run(&server.url, &server.ingest, 0);
    let busy: Vec<(String, Outcome)> = POLLERS
        .iter()
        .map(|&n| (format!("with {n} pollers at 1 Hz"), run(&server.url, &server.ingest, n)))
        .collect();
    println!(
        "ParkTwin server on loopback: {SENDERS} senders of {BATCH}-position batches, {}s a run",
        PHASE.as_secs()
    );
    println!(
        "| run | positions/s | × alone | ingest errors | polls | poll p50 (ms) | poll p99 (ms) | poll max (ms) | poll errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows = std::iter::once(("ingest alone", &alone)).chain(busy.iter().map(|(n, o)| (n.as_str(), o)));
    for (name, o) in rows {
        println!(
            "| {name} | {:.0} | {:.2} | {} | {} | {} | {} | {} | {} |",
            o.positions_per_s,
            o.positions_per_s / alone.positions_per_s,
            o.ingest_errors,
            o.polls.len(),
            pct(&o.polls, 0.5),
            pct(&o.polls, 0.99),
            pct(&o.polls, 1.0),
            o.poll_errors
        );
    }
}
