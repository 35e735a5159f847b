//! The notifier: tells subscribers of alarms, off the ingest's path. It fills the outbox from
//! the event log's alarm events (`Store::queue_deliveries`) and delivers what is due: a
//! webhook as a JSON POST signed with HMAC-SHA256 (the `X-ParkTwin-Signature: sha256=<hex>`
//! header over the body's bytes, as GitHub signs its webhooks), an email through the SMTP relay
//! of `--smtp` (lettre). A failed try is retried with a doubling wait (2 s, 4 s, … at most
//! 10 minutes) and given up after [`MAX_ATTEMPTS`]; every try is in the outbox, so a restart
//! loses nothing: what was not delivered is due again.
//!
//! Delivery is at least once: a receiver that answered after the server stopped gets the
//! delivery again, with the same `X-ParkTwin-Delivery` number.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use parktwin_api::model::Alarm;
use sha2::Sha256;

use crate::store::{Delivery, Store, Subscription, Via};

/// Tries before a delivery is given up on (about 40 minutes of waiting in all).
pub const MAX_ATTEMPTS: i64 = 12;
/// How long a webhook's receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The SMTP relay that email notifications go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    /// `smtp://host:port` (plain, or STARTTLS when the relay offers it), `smtp://host:port?tls=required`,
    /// or `smtps://host:port`; a user and password may come before the host.
    pub url: String,
    /// The sender's address.
    pub from: String,
}

/// How long to wait before the try after `attempts` failed ones: 2 s doubling, at most 10 min.
///
/// ```
/// use parktwin_server::notify::retry_after_s;
/// assert_eq!([1, 2, 3, 9, 10, 11].map(retry_after_s), [2, 4, 8, 512, 600, 600]);
/// ```
pub fn retry_after_s(attempts: i64) -> i64 {
    (1i64 << attempts.clamp(1, 10)).min(600)
}

/// The webhook's signature of `body` with `secret`: `sha256=` and the HMAC-SHA256 in hex.
///
/// ```
/// // RFC 4231's test case 2: key "Jefe", data "what do ya want for nothing?".
/// assert_eq!(
///     parktwin_server::notify::signature("Jefe", b"what do ya want for nothing?"),
///     "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
/// );
/// ```
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length (RFC 2104): `new_from_slice` cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The body of a delivery: the event, its place in the log, and the alarm as it stood.
pub fn payload(seq: i64, kind: &str, time: &str, alarm: &Alarm) -> String {
    serde_json::json!({ "event": kind, "seq": seq, "time": time, "alarm": alarm }).to_string()
}

/// An email's subject and text for a delivery's payload, in English and Chinese.
pub fn email_text(payload: &str) -> (String, String) {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let a = &v["alarm"];
    let (event, tier, rule, source) = (
        v["event"].as_str().unwrap_or(""),
        a["tier"].as_str().unwrap_or(""),
        a["rule"].as_str().unwrap_or(""),
        a["source"].as_str().unwrap_or(""),
    );
    let what = match event {
        "alarm_raised" => ("raised", "触发"),
        "alarm_overdue" => ("not acknowledged in time", "超时未确认"),
        "alarm_closed" => ("closed", "已关闭"),
        "alarm_escalated" => ("escalated to a higher tier", "升级"),
        "alarm_assigned" => ("assigned", "已指派"),
        "alarm_resolved" => ("resolved", "已处置"),
        "alarm_acked" => ("acknowledged", "已确认"),
        "alarm_shelved" => ("shelved", "已搁置"),
        "alarm_unshelved" => ("back from the shelf", "搁置结束"),
        "alarm_cleared" => ("condition cleared, waiting to be closed", "已恢复，待关闭"),
        _ => (event, event),
    };
    let subject = format!(
        "[ParkTwin] {} {rule} {source}: {} / {}",
        tier.to_uppercase(),
        what.0,
        what.1
    );
    let text = format!(
        "Alarm {id} ({tier}) {en}\n告警 {id}（{tier}）{zh}\n\nRule / 规则: {rule}\nSource / 对象: {source}\nValue / 数值: {value}\nRaised / 触发时间: {raised}\nEvent time / 事件时间: {time}\nLog sequence / 日志序号: {seq}\n",
        id = a["id"],
        en = what.0,
        zh = what.1,
        value = a["value"],
        raised = a["raised"].as_str().unwrap_or(""),
        time = v["time"].as_str().unwrap_or(""),
        seq = v["seq"],
    );
    (subject, text)
}

/// Runs the notifier until the process ends: woken by `Store::notify_waiting` and at least
/// once a second.
pub async fn run(store: Arc<Store>, smtp: Option<Smtp>) {
    let http = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("the notifier has no HTTP client: {e}");
            return;
        }
    };
    let mailer = match &smtp {
        None => None,
        Some(s) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url) {
            Ok(b) => Some((b.timeout(Some(TIMEOUT)).build(), s.from.clone())),
            Err(e) => {
                tracing::error!("--smtp {}: {e}; email notifications will fail", s.url);
                None
            }
        },
    };
    let mailer = Arc::new(mailer);
    loop {
        tokio::select! {
            () = store.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        if let Err(e) = round(&store, &http, &mailer).await {
            tracing::error!("notifier: {e}");
        }
    }
}

type Mailer = Option<(AsyncSmtpTransport<Tokio1Executor>, String)>;

/// One round: queue what the log holds, deliver what is due, record each try.
async fn round(store: &Arc<Store>, http: &reqwest::Client, mailer: &Arc<Mailer>) -> anyhow::Result<()> {
    let s = store.clone();
    let (due, subs) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
        while s.queue_deliveries(1000, &now, payload)? > 0 {}
        Ok((s.due_deliveries(&now, 200)?, s.subscribers()?))
    })
    .await??;
    if due.is_empty() {
        return Ok(());
    }
    let mut tries = tokio::task::JoinSet::new();
    for d in due {
        let Some((sub, secret)) = subs.iter().find(|(s, _)| s.id == d.subscription).cloned() else {
            continue;
        };
        let (http, mailer) = (http.clone(), mailer.clone());
        tries.spawn(async move {
            let outcome = deliver(&http, &mailer, &sub, secret.as_deref(), &d).await;
            (d, outcome)
        });
    }
    while let Some(done) = tries.join_next().await {
        let (d, outcome) = done?;
        let s = store.clone();
        tokio::task::spawn_blocking(move || {
            let now = time::OffsetDateTime::now_utc();
            let at = parktwin_api::clock::format_utc(now);
            match outcome {
                Ok(()) => s.record_try(d.n, &at, Ok(())),
                Err(e) => {
                    let attempts = d.attempts + 1;
                    let retry = (attempts < MAX_ATTEMPTS).then(|| {
                        parktwin_api::clock::format_utc(now + time::Duration::seconds(retry_after_s(attempts)))
                    });
                    match &retry {
                        Some(r) => tracing::warn!(
                            "delivery {} (subscription {}) failed, again at {r}: {e}",
                            d.n,
                            d.subscription
                        ),
                        None => tracing::error!(
                            "delivery {} (subscription {}) given up after {attempts} tries: {e}",
                            d.n,
                            d.subscription
                        ),
                    }
                    s.record_try(d.n, &at, Err((&e, retry.as_deref())))
                }
            }
        })
        .await??;
    }
    Ok(())
}

/// One try of one delivery; the reason it failed.
async fn deliver(
    http: &reqwest::Client,
    mailer: &Mailer,
    sub: &Subscription,
    secret: Option<&str>,
    d: &Delivery,
) -> Result<(), String> {
    match sub.wants.via {
        Via::Webhook => {
            let answer = http
                .post(&sub.wants.target)
                .header("content-type", "application/json")
                .header("user-agent", concat!("ParkTwin/", env!("CARGO_PKG_VERSION")))
                .header("x-parktwin-event", &d.kind)
                .header("x-parktwin-delivery", d.n.to_string())
                .header(
                    "x-parktwin-signature",
                    signature(secret.unwrap_or(""), d.payload.as_bytes()),
                )
                .body(d.payload.clone())
                .send()
                .await
                .map_err(|e| format!("{}: {e}", sub.wants.target))?;
            if answer.status().is_success() {
                Ok(())
            } else {
                Err(format!("{} answered {}", sub.wants.target, answer.status()))
            }
        }
        Via::Email => {
            let Some((transport, from)) = mailer else {
                return Err("the server has no working SMTP relay (--smtp)".into());
            };
            let (subject, text) = email_text(&d.payload);
            let message = lettre::Message::builder()
                .from(from.parse().map_err(|e| format!("--smtp-from {from}: {e}"))?)
                .to(sub
                    .wants
                    .target
                    .parse()
                    .map_err(|e| format!("{}: {e}", sub.wants.target))?)
                .subject(subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(text)
                .map_err(|e| format!("the message: {e}"))?;
            transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}"))
        }
    }
}
