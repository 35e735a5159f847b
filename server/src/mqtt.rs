//! Readings over MQTT (`parktwin-server --mqtt mqtt://HOST:PORT`): the server subscribes to
//! `{prefix}/observations` (QoS 1) on the park's broker, and each message's payload is the same
//! JSON batch `POST /api/v1/observations` takes, checked and stored the same way.
//!
//! Nothing is acknowledged before it is stored: the acknowledgement of a message (manual, after
//! the store's commit) is what tells the broker it may forget it; a session kept across
//! disconnections (`clean_session` false, one client id) has the broker hold what comes while
//! the server is away, and a message not yet acknowledged when the link dropped comes again. A
//! store that fails is tried again until it takes the batch. A payload that is not a good batch
//! is acknowledged (it will never be good), counted and logged with its topic and reason, and
//! the subscriber goes on. After the broker goes away (a restart), the subscriber connects
//! again every second and subscribes again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};

use crate::store::Store;

/// Where the server takes readings over MQTT from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mqtt {
    /// The broker: `mqtt://HOST:PORT` (or `tcp://`; port 1883 by default), with
    /// `USER:PASSWORD@` before the host where the broker asks.
    pub url: String,
    /// The topics' prefix: readings come on `{prefix}/observations`.
    pub prefix: String,
    /// The client id the session is kept under (one per server of a park).
    pub client_id: String,
}

impl Mqtt {
    /// The readings' topic.
    pub fn topic(&self) -> String {
        format!("{}/observations", self.prefix.trim_end_matches('/'))
    }

    /// The client's options, or what is wrong with the URL.
    pub fn options(&self) -> Result<MqttOptions, String> {
        let url = reqwest::Url::parse(&self.url).map_err(|e| format!("--mqtt {}: not a URL ({e})", self.url))?;
        if !matches!(url.scheme(), "mqtt" | "tcp") {
            return Err(format!(
                "--mqtt {}: the scheme must be mqtt:// or tcp:// (TLS to the broker is not supported yet)",
                self.url
            ));
        }
        let host = url.host_str().ok_or_else(|| format!("--mqtt {}: no host", self.url))?;
        let mut o = MqttOptions::new(&self.client_id, host, url.port().unwrap_or(1883));
        if !url.username().is_empty() {
            o.set_credentials(url.username(), url.password().unwrap_or_default());
        }
        o.set_manual_acks(true)
            .set_clean_session(false)
            .set_keep_alive(Duration::from_secs(30))
            .set_max_packet_size(crate::MAX_BODY_BYTES, 64 * 1024);
        Ok(o)
    }
}

/// What the subscriber has done since the server started (`GET /api/v1/feeds/mqtt`).
#[derive(Debug, Default)]
pub struct Counters {
    connected: AtomicBool,
    batches: AtomicU64,
    readings: AtomicU64,
    refused: AtomicU64,
    last_refusal: std::sync::Mutex<Option<MqttRefusal>>,
    topic: std::sync::Mutex<Option<String>>,
}

/// The last payload refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MqttRefusal {
    /// Its topic.
    pub topic: String,
    /// Why, naming the record and field.
    pub reason: String,
    /// When, RFC 3339 UTC.
    pub at: String,
}

/// The subscriber's state and counts since the server started.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MqttStatus {
    /// The topic it subscribes to; none when the server takes no readings over MQTT.
    pub topic: Option<String>,
    /// Whether it is connected to the broker now.
    pub connected: bool,
    /// Payloads stored.
    pub batches_stored: u64,
    /// Readings stored.
    pub readings_stored: u64,
    /// Payloads refused (not JSON, a bad record): acknowledged, not stored.
    pub refused: u64,
    /// The last one refused.
    pub last_refusal: Option<MqttRefusal>,
}

impl Counters {
    /// The state and counts now.
    pub fn status(&self) -> MqttStatus {
        MqttStatus {
            topic: self.topic.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            connected: self.connected.load(Ordering::Relaxed),
            batches_stored: self.batches.load(Ordering::Relaxed),
            readings_stored: self.readings.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            last_refusal: self.last_refusal.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// What became of a message.
enum Taken {
    Stored(usize),
    Refused(String),
}

/// Checks and stores one payload; `Err` when the store failed (to be tried again).
fn take(store: &Store, payload: &[u8]) -> Result<Taken, crate::store::StoreError> {
    let index = store.index()?;
    let now = time::OffsetDateTime::now_utc();
    match parktwin_api::ingest::check_observations(payload, &|s, q| index.resolve_reading(s, q), now) {
        Err(reason) => Ok(Taken::Refused(reason)),
        Ok(batch) => {
            store.ingest_observations(&batch)?;
            Ok(Taken::Stored(batch.len()))
        }
    }
}

/// Stores a message (trying again every second while the store fails), then acknowledges it.
async fn handle(store: &Arc<Store>, client: &AsyncClient, p: &Publish) {
    let counters = &store.mqtt;
    loop {
        let (s, payload) = (store.clone(), p.payload.clone());
        match tokio::task::spawn_blocking(move || take(&s, &payload)).await {
            Ok(Ok(Taken::Stored(n))) => {
                counters.batches.fetch_add(1, Ordering::Relaxed);
                counters.readings.fetch_add(n as u64, Ordering::Relaxed);
                store.notify_waiting();
                break;
            }
            Ok(Ok(Taken::Refused(reason))) => {
                tracing::warn!("MQTT {}: payload refused: {reason}", p.topic);
                counters.refused.fetch_add(1, Ordering::Relaxed);
                *counters.last_refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(MqttRefusal {
                    topic: p.topic.clone(),
                    reason,
                    at: parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc()),
                });
                break;
            }
            Ok(Err(e)) => {
                tracing::error!("MQTT {}: cannot store the readings, trying again: {e}", p.topic);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                tracing::error!("MQTT {}: the store's task failed, trying again: {e}", p.topic);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    if let Err(e) = client.ack(p).await {
        tracing::error!("MQTT {}: cannot acknowledge: {e}", p.topic);
    }
}

/// Subscribes and takes readings for as long as the server runs.
pub async fn run(store: Arc<Store>, cfg: Mqtt, options: MqttOptions) {
    let topic = cfg.topic();
    *store.mqtt.topic.lock().unwrap_or_else(|p| p.into_inner()) = Some(topic.clone());
    let (client, mut events) = AsyncClient::new(options, 64);
    let mut down_since: Option<std::time::Instant> = None;
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                store.mqtt.connected.store(true, Ordering::Relaxed);
                if let Some(t) = down_since.take() {
                    tracing::info!("MQTT: connected to {} again after {:.0?}", cfg.url, t.elapsed());
                } else {
                    tracing::info!("MQTT: connected to {}, taking readings on {topic}", cfg.url);
                }
                // A broker that restarted without keeping sessions has forgotten the
                // subscription; asked again, one it kept is unchanged.
                if let Err(e) = client.subscribe(&topic, QoS::AtLeastOnce).await {
                    tracing::error!("MQTT: cannot subscribe to {topic}: {e}");
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => handle(&store, &client, &p).await,
            Ok(_) => {}
            Err(e) => {
                store.mqtt.connected.store(false, Ordering::Relaxed);
                if down_since.is_none() {
                    tracing::warn!("MQTT: lost {} ({e}); connecting again every second", cfg.url);
                    down_since = Some(std::time::Instant::now());
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mqtt(url: &str) -> Mqtt {
        Mqtt {
            url: url.into(),
            prefix: "parktwin/".into(),
            client_id: "parktwin-server".into(),
        }
    }

    #[test]
    fn a_brokers_url_reads_or_says_what_is_wrong() {
        let o = mqtt("mqtt://broker.park:1884").options().expect("reads");
        assert_eq!(o.broker_address(), ("broker.park".to_string(), 1884));
        assert!(o.manual_acks() && !o.clean_session());
        assert_eq!(
            mqtt("tcp://10.0.0.5").options().expect("reads").broker_address().1,
            1883
        );
        assert_eq!(mqtt("mqtt://x").topic(), "parktwin/observations");
        assert!(
            mqtt("mqtts://broker")
                .options()
                .expect_err("refused")
                .contains("not supported")
        );
        assert!(mqtt("broker:1883").options().expect_err("refused").contains("scheme"));
    }
}
