//! Notifications of alarms to real receivers started by the test: a webhook receiver (Python's
//! http.server, on loopback) that fails its first delivery, and an SMTP server (aiosmtpd, from
//! PyPI, `scripts/setup-python`) that keeps what it receives in a maildir. An alarm left
//! unacknowledged past its tier's time is escalated, and the escalation reaches both; the
//! webhook's signature is checked with Python's own HMAC; the failed delivery is retried.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use parktwin_api::clock::format_utc;
use parktwin_api::model::{Role, SensorState};
use parktwin_e2e::{open_store, start_mailing_server};
use parktwin_server::notify::Smtp;
use serde_json::{Value, json};

/// A child process killed when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The webhook receiver: answers 500 to its first request and 200 after, and writes each
/// request (its headers of interest and its body) as a JSON line to `log`. Its port.
const RECEIVER: &str = r#"
import http.server, json, sys
log = open(sys.argv[1], "a")
seen = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen[0] += 1
        status = 500 if seen[0] == 1 else 200
        log.write(json.dumps({"status": status, "event": self.headers["X-ParkTwin-Event"],
            "delivery": self.headers["X-ParkTwin-Delivery"], "signature": self.headers["X-ParkTwin-Signature"],
            "type": self.headers["Content-Type"], "body": body.decode()}) + "\n")
        log.flush()
        self.send_response(status)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print(server.server_port, flush=True)
server.serve_forever()
"#;

fn receiver(log: &Path) -> (Killed, u16) {
    let mut child = Command::new("python3")
        .args(["-c", RECEIVER])
        .arg(log)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("it says its port");
    (Killed(child), line.trim().parse().expect("a port"))
}

/// aiosmtpd on a free port, keeping mail in `maildir`.
fn smtp_server(maildir: &Path) -> (Killed, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(parktwin_e2e::venv_bin("python"))
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .spawn()
        .expect("aiosmtpd runs (scripts/setup-python installs it)");
    let child = Killed(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "aiosmtpd listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

/// Waits up to `secs` for `f` to give something.
fn within<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return Some(t);
        }
        if start.elapsed() > Duration::from_secs(secs) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// HMAC-SHA256 of `body` with `key` as Python's hmac module computes it, `sha256=<hex>`.
fn python_hmac(key: &str, body: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib, hmac, sys; print('sha256=' + hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())",
            key,
            body,
        ])
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout).expect("text").trim().to_string()
}

/// A mail's subject and text, decoded by Python's email package.
fn python_mail(file: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import email, email.header, sys\nm = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
             print(m['To']); print(str(email.header.make_header(email.header.decode_header(m['Subject']))))\n\
             print(m.get_payload(decode=True).decode())",
        ])
        .arg(file)
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout).expect("text")
}

fn call(method: &str, url: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    parktwin_e2e::send(method, url, (!token.is_empty()).then_some(token), body)
}

#[test]
fn an_unacknowledged_alarm_is_escalated_to_the_webhook_and_by_email_and_a_failed_delivery_is_retried() {
    let dir = tempfile::tempdir().expect("as set up");
    let log = dir.path().join("webhook.jsonl");
    let maildir = dir.path().join("mail");
    let (_hook, hook_port) = receiver(&log);
    let (_smtpd, smtp_port) = smtp_server(&maildir);
    let data = dir.path().join("data");
    let s = start_mailing_server(
        &data,
        Smtp {
            url: format!("smtp://127.0.0.1:{smtp_port}"),
            from: "parktwin@park.example.cn".into(),
        },
    )
    .expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let admin = open_store(&data)
        .create_token(Role::Admin, "safety manager")
        .expect("as set up");

    // Escalate an alarm after 1 s unacknowledged.
    let mut policy = call("GET", &format!("{api}/alarms/policy"), "", None).1;
    policy["escalate_after_s"] = json!({"alarm": 1});
    assert_eq!(
        call("PUT", &format!("{api}/alarms/policy"), &admin, Some(&policy)).0,
        200
    );

    // Subscriptions: only an admin; a bad one names its fields.
    let hook = json!({"via": "webhook", "target": format!("http://127.0.0.1:{hook_port}/parktwin"),
                      "events": ["alarm_raised", "alarm_overdue"], "min_tier": "alarm"});
    assert_eq!(
        call("POST", &format!("{api}/subscriptions"), &s.operator, Some(&hook)).0,
        403
    );
    let (status, body) = call(
        "POST",
        &format!("{api}/subscriptions"),
        &admin,
        Some(&json!({"via": "email", "target": "nobody", "events": ["observation"]})),
    );
    assert_eq!(status, 422, "{body}");
    let m = body["error"].as_str().unwrap_or("");
    assert!(m.contains("target") && m.contains("observation"), "{m}");
    let (status, made) = call("POST", &format!("{api}/subscriptions"), &admin, Some(&hook));
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().expect("the secret, once").to_string();
    let (status, mail) = call(
        "POST",
        &format!("{api}/subscriptions"),
        &admin,
        Some(&json!({"via": "email", "target": "duty-officer@park.example.cn", "events": ["alarm_overdue"]})),
    );
    assert_eq!(status, 201, "{mail}");
    let (_, listed) = call("GET", &format!("{api}/subscriptions"), &admin, None);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(listed[0].get("secret").is_none(), "the secret is not listed: {listed}");

    // A detector goes over its alarm level, and nobody acknowledges it.
    let sensors: Vec<SensorState> =
        serde_json::from_value(call("GET", &format!("{api}/sensors"), "", None).1).expect("sensors");
    let gd = sensors.iter().find(|x| x.alarm.is_some()).expect("a detector");
    let now = format_utc(time::OffsetDateTime::now_utc());
    let (status, body) = call(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([{"sensor": gd.id, "time": now, "value": gd.alarm.unwrap_or(1.0) * 2.0}])),
    );
    assert_eq!(status, 200, "{body}");

    // The webhook: the raise (first refused with 500, then delivered again) and the escalation.
    let got = within(40, || {
        let l = lines(&log);
        let ok: Vec<&Value> = l.iter().filter(|x| x["status"] == 200).collect();
        (ok.iter().any(|x| x["event"] == "alarm_raised") && ok.iter().any(|x| x["event"] == "alarm_overdue"))
            .then(|| l.clone())
    })
    .unwrap_or_else(|| panic!("the webhook got the raise and the escalation: {:?}", lines(&log)));
    assert_eq!(got[0]["status"], 500, "the first try failed");
    let first = &got[0]["delivery"];
    let retried: Vec<&Value> = got.iter().filter(|x| &x["delivery"] == first).collect();
    assert!(
        retried.len() >= 2 && retried.last().is_some_and(|x| x["status"] == 200),
        "retried: {got:?}"
    );
    for x in &got {
        let body = x["body"].as_str().expect("a body");
        assert_eq!(
            x["signature"].as_str(),
            Some(python_hmac(&secret, body).as_str()),
            "signed: {x}"
        );
        assert_eq!(x["type"], "application/json");
        let v: Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(v["alarm"]["source"], gd.id.as_str());
        assert_eq!(v["event"], x["event"]);
    }
    let (_, deliveries) = call(
        "GET",
        &format!("{api}/subscriptions/{}/deliveries", made["id"]),
        &admin,
        None,
    );
    let raised = deliveries
        .as_array()
        .and_then(|d| d.iter().find(|x| x["kind"] == "alarm_raised"))
        .expect("the raise's delivery");
    assert!(
        raised["attempts"].as_i64() >= Some(2) && raised["delivered"].is_string(),
        "{raised}"
    );

    // The email: one escalation, to the subscribed address, in English and Chinese.
    let file = within(30, || {
        std::fs::read_dir(maildir.join("new"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .next()
    })
    .expect("a mail in the maildir");
    let text = python_mail(&file);
    assert!(text.starts_with("duty-officer@park.example.cn"), "{text}");
    assert!(
        text.contains("not acknowledged in time") && text.contains("超时未确认"),
        "{text}"
    );
    assert!(text.contains(&gd.id), "{text}");

    // Acknowledged, an alarm is not escalated; removed, a subscription gets nothing more.
    assert_eq!(
        call("DELETE", &format!("{api}/subscriptions/{}", mail["id"]), &admin, None).0,
        204
    );
    assert_eq!(
        call("DELETE", &format!("{api}/subscriptions/{}", mail["id"]), &admin, None).0,
        404
    );
}
