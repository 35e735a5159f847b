//! What the server acknowledged survives `kill -9`: a sender streams position batches to the
//! real server binary, the server is killed (SIGKILL, no shutdown) in the middle of the stream,
//! restarted on the same database, and every acknowledged batch is there whole; the batch that
//! was in flight is either all there or not at all.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Fixes in one batch (one plate per batch, so that a batch can be counted back).
const BATCH: usize = 200;

/// A feed's token, made with the server's own command.
fn ingest_token(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .arg("--data-dir")
        .arg(dir)
        .args(["token", "create", "--role", "ingest", "--name", "durability feed"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn batch(k: usize) -> (String, serde_json::Value) {
    let plate = format!("鲁E{k:05}");
    let t0 = time::OffsetDateTime::now_utc() - time::Duration::minutes(50);
    let fixes: Vec<serde_json::Value> = (0..BATCH)
        .map(|i| {
            let t = t0 + time::Duration::seconds(i as i64);
            serde_json::json!({"plate": plate, "time": parktwin_api::clock::format_utc(t),
                               "lon": 118.45 + i as f64 * 1e-5, "lat": 37.57, "speed_kmh": 20.0})
        })
        .collect();
    (plate, serde_json::Value::Array(fixes))
}

#[test]
fn acknowledged_batches_survive_kill_dash_nine_and_none_is_half_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = ingest_token(dir.path());
    let (mut server, url) = common::start(dir.path(), &[]);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (acked, sent, stop, url, token) = (acked.clone(), sent.clone(), stop.clone(), url.clone(), token.clone());
        std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client");
            for k in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let (plate, body) = batch(k);
                sent.lock().expect("lock").push(plate.clone());
                match http
                    .post(format!("{url}/api/v1/vehicles/positions"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                {
                    Ok(r) if r.status().is_success() => acked.lock().expect("lock").push(plate),
                    Ok(r) => panic!("batch {k} refused: {}", r.status()),
                    // The server is gone: what was in flight was not acknowledged.
                    Err(_) => break,
                }
            }
        })
    };
    // Kill once a fair number of batches is acknowledged, while the stream goes on.
    let began = Instant::now();
    while acked.lock().expect("lock").len() < 25 {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "the server acknowledges nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    stop.store(true, Ordering::SeqCst);
    sender.join().expect("the sender ends");
    let acked = acked.lock().expect("lock").clone();
    let sent = sent.lock().expect("lock").clone();

    let (mut server, url) = common::start(dir.path(), &[]);
    let count = |plate: &str| -> usize {
        let r = reqwest::blocking::get(format!("{url}/api/v1/vehicles/{}/track", urlencode(plate))).expect("answers");
        if r.status().as_u16() == 404 {
            // Never seen: none of its fixes is stored.
            return 0;
        }
        let track: Vec<serde_json::Value> = r.error_for_status().and_then(|r| r.json()).expect("the track");
        track.len()
    };
    let mut lost = Vec::new();
    for plate in &acked {
        let n = count(plate);
        if n != BATCH {
            lost.push(format!("{plate}: {n} of {BATCH}"));
        }
    }
    assert!(lost.is_empty(), "acknowledged batches lost or cut: {lost:?}");
    for plate in sent.iter().filter(|p| !acked.contains(p)) {
        let n = count(plate);
        assert!(
            n == 0 || n == BATCH,
            "the batch in flight is half-written: {plate} has {n} of {BATCH}"
        );
    }
    eprintln!(
        "{} batches acknowledged before the kill, all {} fixes each there after the restart",
        acked.len(),
        BATCH
    );
    server.kill().expect("stop");
    let _ = server.wait();
}

/// Percent-encodes a plate for a URL path.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
