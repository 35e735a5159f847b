//! Devices' readings on loopback (issue #25's benchmarks): 10,000 pipe-pressure gauges, each
//! with thresholds, a deadband and a rate rule, read by two feeds posting 1,000-reading batches
//! with wrk: as fast as the server takes them alone (the baseline), then paced at 10,000
//! readings a second (every device once a second) beside 200 map clients polling `/events` once
//! a second; the ingest rate and its batches' p99 latency. Then the bytes the store grew by per
//! reading, and a month of one meter's readings (one a minute) read back as hourly rollups
//! against the same month read raw.
//!
//! `cargo bench --profile dev -p parktwin-e2e --bench devices` (a real server over a real SQLite
//! file in a temporary folder, or a PostgreSQL database when `PARKTWIN_TEST_POSTGRES` is set;
//! nothing leaves 127.0.0.1). Needs Debian's `wrk`.

use std::time::{Duration, Instant};

#[path = "load/wrk.rs"]
mod wrk;

const DEVICES: usize = 10_000;
const BATCH: usize = 1_000;
const SENDERS: usize = 2;
const PHASE: Duration = Duration::from_secs(10);
/// Seconds of the feeds' clock each run may use.
const RUN_CLOCK_S: i64 = 4_000;

/// The database's size in bytes: the SQLite file and its write-ahead log, or PostgreSQL's
/// `pg_database_size`.
fn stored_bytes(db: &parktwin_server::Database) -> u64 {
    match db {
        parktwin_server::Database::Sqlite(path) => [path.clone(), path.with_extension("sqlite-wal")]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum(),
        parktwin_server::Database::Postgres(url) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).expect("PostgreSQL");
            let size: i64 = c
                .query_one("SELECT pg_database_size(current_database())", &[])
                .expect("its size")
                .get(0);
            size as u64
        }
    }
}

fn post(url: &str, token: &str, content_type: &str, body: String) {
    let r = reqwest::blocking::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .timeout(Duration::from_secs(600))
        .send()
        .expect("the server answers");
    assert!(r.status().is_success(), "{url}: {}", r.status());
}

/// Runs the feeds (and `pollers` map clients), paced at `pace` readings a second if given:
/// the readings a second taken and wrk's result for the feeds.
fn run(url: &str, token: &str, pollers: usize, pace: Option<u32>, start: i64) -> (f64, wrk::Wrk) {
    let head = wrk::head(url);
    let mut env = vec![
        ("PARKTWIN_TOKEN", token.to_string()),
        ("PARKTWIN_BATCH", BATCH.to_string()),
        ("PARKTWIN_DEVICES", DEVICES.to_string()),
        ("PARKTWIN_THREADS", SENDERS.to_string()),
        ("PARKTWIN_START", start.to_string()),
    ];
    if let Some(rate) = pace {
        env.push((
            "PARKTWIN_EVERY_MS",
            format!("{}", 1000.0 * (SENDERS * BATCH) as f64 / f64::from(rate)),
        ));
    }
    let feeds = wrk::start(url, "readings.lua", SENDERS, SENDERS, PHASE, &env);
    let polls = (pollers > 0).then(|| {
        wrk::start(
            url,
            "poll.lua",
            pollers,
            pollers,
            PHASE,
            &[("PARKTWIN_SINCE", head.to_string())],
        )
    });
    let feeds = wrk::finish(feeds, "feeds");
    if let Some(p) = polls {
        let p = wrk::finish(p, "polls");
        println!(
            "  (the 200 map clients: {} polls, p50 {:.1} ms, p99 {:.1} ms, {} errors)",
            p.requests,
            p.p50_us as f64 / 1000.0,
            p.p99_us as f64 / 1000.0,
            p.errors
        );
    }
    let rate = (feeds.requests - feeds.errors) as f64 * BATCH as f64 / PHASE.as_secs_f64();
    (rate, feeds)
}

/// `n` reads of `url`: (median, p99) in ms, and the points of the last answer.
fn read_times(url: &str, n: usize) -> (f64, f64, usize) {
    let client = reqwest::blocking::Client::new();
    let mut ms = Vec::with_capacity(n);
    let mut points = 0;
    for _ in 0..n {
        let t = Instant::now();
        let v: serde_json::Value = client.get(url).send().and_then(|r| r.json()).expect("a series");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        points = v["points"].as_array().map_or(0, Vec::len);
    }
    ms.sort_by(f64::total_cmp);
    (ms[n / 2], ms[(n * 99 / 100).min(n - 1)], points)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let db = parktwin_e2e::database(dir.path());
    let store = parktwin_e2e::open_store(dir.path());
    let admin = store
        .create_token(parktwin_api::model::Role::Admin, "bench")
        .expect("a token");
    let api = format!("{}/api/v1", server.url);
    let mut csv = String::from("id,kind,name,lon,lat,quantity,unit,low,high,high_high,deadband,max_rate_per_min\n");
    for i in 0..DEVICES {
        csv.push_str(&format!(
            "pt-{i:05},pipe_pressure,Gauge {i},{:.5},37.565,pressure,MPa,0.4,1.2,1.4,0.02,0.5\n",
            118.44 + (i % 100) as f64 * 0.0002
        ));
    }
    csv.push_str("em-month,electricity_meter,Month meter,118.45,37.56,energy,kWh,,,,,\n");
    post(&format!("{api}/devices/import"), &admin, "text/csv", csv);

    let first = time::OffsetDateTime::now_utc().unix_timestamp() - 2 * RUN_CLOCK_S - 60;
    let before = stored_bytes(&db);
    let (alone, a) = run(&server.url, &server.ingest, 0, None, first);
    let (paced, p) = run(&server.url, &server.ingest, 200, Some(10_000), first + RUN_CLOCK_S);
    let grown = stored_bytes(&db).saturating_sub(before);
    let readings = ((a.requests - a.errors) + (p.requests - p.errors)) * BATCH as u64;
    println!(
        "ParkTwin server on loopback ({}): {DEVICES} devices, wrk, {SENDERS} feeds posting {BATCH}-reading batches, {}s a run",
        match db {
            parktwin_server::Database::Sqlite(_) => "SQLite",
            parktwin_server::Database::Postgres(_) => "PostgreSQL",
        },
        PHASE.as_secs()
    );
    println!("| run | readings/s | × alone | batch p50 (ms) | batch p99 (ms) | batch max (ms) | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, rate, w) in [
        ("as fast as taken, alone", alone, &a),
        ("paced at 10,000/s, 200 map clients polling", paced, &p),
    ] {
        println!(
            "| {name} | {rate:.0} | {:.2} | {:.1} | {:.1} | {:.1} | {} |",
            rate / alone,
            w.p50_us as f64 / 1000.0,
            w.p99_us as f64 / 1000.0,
            w.max_us as f64 / 1000.0,
            w.errors
        );
    }
    println!(
        "stored: {grown} bytes for {readings} readings, {:.0} bytes a reading (its row, its event in the log, its latest, its share of the rollups and indexes)",
        grown as f64 / readings.max(1) as f64
    );

    // A month of a meter, one reading a minute, ending an hour ago.
    let end = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let month = time::Duration::days(30);
    let minutes = 30 * 24 * 60;
    for chunk in (0..minutes).collect::<Vec<i64>>().chunks(10_000) {
        let body: Vec<serde_json::Value> = chunk
            .iter()
            .map(|m| {
                serde_json::json!({"sensor": "em-month",
                    "time": parktwin_api::clock::format_utc(end - month + time::Duration::minutes(*m)),
                    "value": 40.0 + (*m % 60) as f64 * 0.1})
            })
            .collect();
        post(
            &format!("{api}/observations"),
            &server.ingest,
            "application/json",
            serde_json::Value::Array(body).to_string(),
        );
    }
    let range = format!(
        "from={}&to={}",
        parktwin_api::clock::format_utc(end - month),
        parktwin_api::clock::format_utc(end)
    );
    let hourly = read_times(&format!("{api}/devices/em-month/series?step=hour&{range}"), 50);
    let raw = read_times(&format!("{api}/devices/em-month/series?step=raw&{range}"), 10);
    println!("| a month of one meter | points | median (ms) | p99 (ms) | × raw |");
    println!("|---|---:|---:|---:|---:|");
    println!("| raw, one a minute | {} | {:.1} | {:.1} | 1.00 |", raw.2, raw.0, raw.1);
    println!(
        "| hourly rollups | {} | {:.1} | {:.1} | {:.3} |",
        hourly.2,
        hourly.0,
        hourly.1,
        hourly.0 / raw.0
    );
}
