//! Readings over MQTT against a real broker (Debian's mosquitto, started here on a free port):
//! a batch published with QoS 1 is stored as `POST /observations` stores it and raises its
//! alarms; a payload that is not a good batch is counted with its topic and reason and the
//! subscriber goes on; after the broker restarts, the server connects and subscribes again and
//! takes what comes. SQLite here, PostgreSQL in `scripts/test-postgres`.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use parktwin_api::model::Role;
use parktwin_e2e::{open_store, send, start_mqtt_server};
use serde_json::{Value, json};

/// A mosquitto broker listening on loopback; killed when dropped.
struct Broker(Child);

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts mosquitto on `port` (keeping no sessions across its restarts, as a broker that is
/// not configured to) and waits until it listens.
fn broker(dir: &Path, port: u16) -> Broker {
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .expect("as set up");
    let child = Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto runs (scripts/setup-debian installs it)");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "mosquitto listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Broker(child)
}

/// Publishes a payload with QoS 1 on the readings' topic.
fn publish(port: u16, payload: &str) {
    let status = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-q",
            "1",
            "-t",
            "parktwin/observations",
            "-m",
            payload,
        ])
        .status()
        .expect("mosquitto_pub runs");
    assert!(status.success(), "mosquitto_pub: {status}");
}

/// Waits (up to 20 s) until `check` holds of `GET url`.
fn wait_for(url: &str, token: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let (code, v) = send("GET", url, Some(token), None);
        if code == 200 && check(&v) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{what}: still {code} {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn now_minus(s: i64) -> String {
    parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(s))
}

#[test]
fn readings_over_mqtt_are_stored_alarm_and_survive_a_bad_payload_and_a_broker_restart() {
    let dir = tempfile::tempdir().expect("as set up");
    let port = free_port();
    let mut b = broker(dir.path(), port);
    let s = start_mqtt_server(
        dir.path(),
        parktwin_server::mqtt::Mqtt {
            url: format!("mqtt://127.0.0.1:{port}"),
            prefix: "parktwin".into(),
            client_id: format!("parktwin-test-{port}"),
        },
    )
    .expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let admin = open_store(dir.path())
        .create_token(Role::Admin, "watcher")
        .expect("as set up");
    let status = format!("{api}/feeds/mqtt");
    wait_for(&status, &admin, "connected", |v| v["connected"] == true);
    assert_eq!(send("GET", &status, Some(&s.operator), None).0, 403, "an admin's");

    // A station's SO₂ and a detector over its alarm threshold, in one batch.
    let batch = json!([
        {"sensor": "aq-01", "quantity": "so2", "time": now_minus(5), "value": 42.0},
        {"sensor": "gd-001", "time": now_minus(5), "value": 12.0}
    ]);
    publish(port, &batch.to_string());
    wait_for(&format!("{api}/devices/aq-01"), &s.operator, "the SO₂ stored", |v| {
        v["latest"]
            .as_array()
            .is_some_and(|l| l.iter().any(|q| q["quantity"] == "so2" && q["value"] == 42.0))
    });
    let alarms = send("GET", &format!("{api}/alarms?state=open"), Some(&s.operator), None).1;
    assert!(
        alarms
            .as_array()
            .expect("alarms")
            .iter()
            .any(|a| a["rule"] == "detector_threshold" && a["source"] == "gd-001" && a["tier"] == "alarm"),
        "{alarms}"
    );

    // Two bad payloads: counted, the last named with its topic and reason; the subscriber
    // goes on to the next good one.
    publish(port, "not json at all");
    publish(
        port,
        &json!([{"sensor": "nope", "time": now_minus(4), "value": 1.0}]).to_string(),
    );
    publish(
        port,
        &json!([{"sensor": "aq-01", "quantity": "so2", "time": now_minus(3), "value": 43.0}]).to_string(),
    );
    let v = wait_for(&status, &admin, "two refused, two stored", |v| {
        v["refused"] == 2 && v["batches_stored"] == 2
    });
    assert_eq!(v["topic"], "parktwin/observations");
    assert_eq!(v["readings_stored"], 3);
    assert_eq!(v["last_refusal"]["topic"], "parktwin/observations");
    let reason = v["last_refusal"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("record 0 (sensor \"nope\"): field \"sensor\""),
        "{reason}"
    );

    // The broker restarts (forgetting every session): the server connects and subscribes
    // again, and takes what is published after.
    drop(b);
    wait_for(&status, &admin, "the broker gone", |v| v["connected"] == false);
    b = broker(dir.path(), port);
    wait_for(&status, &admin, "connected again", |v| v["connected"] == true);
    // The subscription is asked for right after the connection: give the broker its moment.
    let mut tries = 0;
    loop {
        publish(
            port,
            &json!([{"sensor": "aq-01", "quantity": "so2", "time": now_minus(1), "value": 44.0 + f64::from(tries)}])
                .to_string(),
        );
        let stored = (0..20).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            send("GET", &status, Some(&admin), None).1["batches_stored"] == 3
        });
        if stored {
            break;
        }
        tries += 1;
        assert!(tries < 5, "nothing taken after the broker's restart");
    }
    let report = send("GET", &format!("{api}/devices/aq-01"), Some(&s.operator), None).1;
    let so2 = report["latest"]
        .as_array()
        .and_then(|l| l.iter().find(|q| q["quantity"] == "so2"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(so2["value"], 44.0 + f64::from(tries), "{report}");
    drop(b);
}
