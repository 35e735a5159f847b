//! From an alarm raised to its webhook delivered, on loopback: a detector's reading over its
//! alarm level is posted, the server raises the alarm, its notifier signs and posts it to a
//! webhook receiver (a plain HTTP/1.1 listener on this process's thread, answering 200 at
//! once), which notes when it arrived. Alarms are raised 4 times a second, first with nothing
//! else going on (the baseline), then beside the load bench's ingest: position batches of 500
//! on two connections paced at issue #10's 50,000 positions a second. Prints p50, p99 and max
//! of each and the ratio of the loaded to the baseline.
//!
//! `cargo bench --profile dev -p parktwin-e2e --bench notify` (a real server over a real
//! SQLite file in a temporary folder, or PostgreSQL when `PARKTWIN_TEST_POSTGRES` is set).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parktwin_api::clock::format_utc;
use parktwin_api::model::{Role, SensorState};
use serde_json::{Value, json};

/// Alarms raised per phase.
const ALARMS: usize = 120;
/// Between one alarm and the next.
const EVERY: Duration = Duration::from_millis(250);
/// The ingest's pace, positions a second, and its batch.
const PACE: u32 = 50_000;
const BATCH: usize = 500;

/// When each source's raised alarm reached the receiver, in order.
type Arrivals = Arc<Mutex<HashMap<String, VecDeque<Instant>>>>;

/// A webhook receiver: reads each request on a kept-alive connection, notes an `alarm_raised`'s
/// source and when it came, answers 200.
fn receiver(arrivals: Arrivals) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let arrivals = arrivals.clone();
            std::thread::spawn(move || {
                let mut out = conn.try_clone().expect("the connection");
                let mut r = BufReader::new(conn);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if r.read_exact(&mut body).is_err() {
                        return;
                    }
                    let at = Instant::now();
                    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                    if v["event"] == "alarm_raised"
                        && let Some(source) = v["alarm"]["source"].as_str()
                    {
                        let mut a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
                        a.entry(source.to_string()).or_default().push_back(at);
                    }
                    if out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// Posts position batches paced at [`PACE`] on two threads until `stop`.
fn ingest(url: String, token: String, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<u64>> {
    (0..2)
        .map(|k| {
            let (url, token, stop) = (url.clone(), token.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = reqwest::blocking::Client::new();
                let per_thread = PACE as f64 / 2.0 / BATCH as f64;
                let start = Instant::now();
                let mut sent = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let due = start + Duration::from_secs_f64(sent as f64 / per_thread);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let t = format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(1));
                    let batch: Vec<Value> = (0..BATCH)
                        .map(|i| {
                            json!({"plate": format!("BENCH-{k}-{i}"), "time": t, "lon": 118.45 + i as f64 * 1e-5,
                                   "lat": 37.57, "speed_kmh": 20.0, "heading_deg": 90.0})
                        })
                        .collect();
                    let _ = c.post(&url).bearer_auth(&token).json(&batch).send();
                    sent += 1;
                }
                sent
            })
        })
        .collect()
}

/// Raises [`ALARMS`] alarms and returns each one's time from the post to its webhook, ms.
fn raise(api: &str, token: &str, detectors: &[SensorState], arrivals: &Arrivals) -> Vec<f64> {
    let c = reqwest::blocking::Client::new();
    let mut sent: Vec<(String, Instant)> = Vec::new();
    for k in 0..ALARMS {
        let d = &detectors[k % detectors.len()];
        let now = format_utc(time::OffsetDateTime::now_utc());
        let level = d.alarm.unwrap_or(1.0);
        let t0 = Instant::now();
        c.post(format!("{api}/observations"))
            .bearer_auth(token)
            .json(&json!([{"sensor": d.id, "time": now, "value": level * 2.0}]))
            .send()
            .expect("a reading");
        sent.push((d.id.clone(), t0));
        std::thread::sleep(EVERY / 2);
        // Back to normal, so that the next round raises it again.
        let now = format_utc(time::OffsetDateTime::now_utc());
        let _ = c
            .post(format!("{api}/observations"))
            .bearer_auth(token)
            .json(&json!([{"sensor": d.id, "time": now, "value": 0.0}]))
            .send();
        std::thread::sleep(EVERY / 2);
    }
    std::thread::sleep(Duration::from_secs(3));
    let mut a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
    sent.iter()
        .filter_map(|(source, t0)| {
            let at = a.get_mut(source)?.pop_front()?;
            Some(at.duration_since(*t0).as_secs_f64() * 1e3)
        })
        .collect()
}

fn stats(mut ms: Vec<f64>) -> (usize, f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let q = |p: f64| {
        ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    (ms.len(), q(0.5), q(0.99), ms.last().copied().unwrap_or(f64::NAN))
}

fn main() {
    let dir = tempfile::tempdir().expect("a folder");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("a server");
    let api = format!("{}/api/v1", server.url);
    let admin = parktwin_e2e::open_store(dir.path())
        .create_token(Role::Admin, "bench")
        .expect("a token");
    let arrivals: Arrivals = Arc::default();
    let port = receiver(arrivals.clone());
    let c = reqwest::blocking::Client::new();
    let r = c
        .post(format!("{api}/subscriptions"))
        .bearer_auth(&admin)
        .json(&json!({"via": "webhook", "target": format!("http://127.0.0.1:{port}/hook"), "events": ["alarm_raised"]}))
        .send()
        .expect("a subscription");
    assert_eq!(r.status().as_u16(), 201);
    let detectors: Vec<SensorState> = c
        .get(format!("{api}/sensors"))
        .send()
        .and_then(|r| r.json())
        .expect("sensors");
    let detectors: Vec<SensorState> = detectors.into_iter().filter(|d| d.alarm.is_some()).collect();

    let alone = stats(raise(&api, &server.ingest, &detectors, &arrivals));
    let stop = Arc::new(AtomicBool::new(false));
    let senders = ingest(format!("{api}/vehicles/positions"), server.ingest.clone(), stop.clone());
    let started = Instant::now();
    let loaded = stats(raise(&api, &server.ingest, &detectors, &arrivals));
    stop.store(true, Ordering::Relaxed);
    let batches: u64 = senders.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    let rate = batches as f64 * BATCH as f64 / started.elapsed().as_secs_f64();

    println!("| run | alarms delivered | p50 (ms) | p99 (ms) | max (ms) | p99 × alone |");
    println!("|---|---|---|---|---|---|");
    for (name, s) in [
        ("alone", alone),
        (&*format!("beside the ingest ({rate:.0} positions/s)"), loaded),
    ] {
        println!(
            "| {name} | {}/{ALARMS} | {:.1} | {:.1} | {:.1} | {:.2} |",
            s.0,
            s.1,
            s.2,
            s.3,
            s.2 / alone.2
        );
    }
}
