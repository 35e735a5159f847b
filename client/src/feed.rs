//! The one feed: a snapshot of the live state, then `/events?since` about once a second,
//! resuming from its cursor after any outage. Every event goes through the one reducer.

use std::collections::VecDeque;
use std::time::Duration;

use bevy::platform::time::Instant;

use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::client::ApiClient;
use parktwin_api::incident::WhatIf;
use parktwin_api::live::{Change, LiveState};
use parktwin_layers::live::Live;

/// How often the feed asks for new events.
pub const POLL: Duration = Duration::from_secs(1);

/// What the feed thread sends.
#[derive(Debug)]
pub enum FeedMessage {
    /// A fresh state to start from.
    Snapshot(Box<LiveState>),
    /// New events, in order, decoded on the feed thread (sequence number and change).
    Events(Vec<(i64, Change)>),
    /// The server could not be reached; the feed keeps trying from its cursor.
    Lost(String),
    /// An incident's threat zones (GeoJSON), fetched when it starts or its weather shifts.
    Zones(String, serde_json::Value),
    /// A what-if's other zones for an incident (GeoJSON), drawn as a ghost.
    Ghost(String, serde_json::Value),
}

/// The channel from the feed thread.
#[derive(Resource)]
pub struct FeedChannel(pub Receiver<FeedMessage>);

/// Whether the feed is connected, and how old the data is (the default: not yet, live).
#[derive(Resource, Debug, Clone, Default)]
pub struct FeedStatus {
    /// The last time the server answered.
    pub last_ok: Option<Instant>,
    /// The last error, while disconnected.
    pub error: Option<String>,
    /// A single snapshot (a rendered frame): when it was taken, UTC.
    pub snapshot_at: Option<String>,
}

/// Where the feed starts, and whether it goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedStart {
    /// The snapshot now, then the log as it grows.
    Follow,
    /// The snapshot now, and no more (a rendered frame shows one moment).
    Once,
    /// The state as it was at a time (RFC 3339), replayed from the log, and no more.
    At(String),
}

/// Starts the feed; with a `what_if`, each incident's other outcome comes with its zones.
pub fn spawn_feed(server: &str, start: FeedStart, what_if: Option<WhatIf>) -> Receiver<FeedMessage> {
    let (tx, rx) = unbounded();
    let server = server.to_string();
    crate::net::spawn("event-feed", move || run(server, tx, start, what_if));
    rx
}

async fn run(server: String, tx: Sender<FeedMessage>, start: FeedStart, what_if: Option<WhatIf>) {
    let api = ApiClient::new(&server);
    let mut cursor: Option<i64> = None;
    let once = start != FeedStart::Follow;
    let at = match &start {
        FeedStart::At(t) => Some(t.clone()),
        _ => None,
    };
    loop {
        let step = match (cursor, &at) {
            (None, Some(t)) => api.state_at(t, &|_, _| {}).await.map(|s| {
                cursor = Some(s.cursor);
                FeedMessage::Snapshot(Box::new(s))
            }),
            (None, None) => api.live_snapshot().await.map(|s| {
                cursor = Some(s.cursor);
                FeedMessage::Snapshot(Box::new(s))
            }),
            (Some(since), _) => api.events_since(since).await.map(|page| {
                cursor = Some(page.next);
                FeedMessage::Events(page.events.iter().map(|e| (e.seq, Change::of(e))).collect())
            }),
        };
        let full_page = matches!(&step, Ok(FeedMessage::Events(e)) if e.len() >= 1000);
        let done = once && step.is_ok();
        // The incidents whose zones are new: every open one in a snapshot, each started or
        // updated one in a page of events.
        let wanted: Vec<String> = match &step {
            Ok(FeedMessage::Snapshot(s)) => s.incidents.keys().cloned().collect(),
            Ok(FeedMessage::Events(events)) => events
                .iter()
                .filter_map(|(_, c)| match c {
                    Change::Incident(i) if i.closed.is_none() => Some(i.id.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let msg = step.unwrap_or_else(|e| FeedMessage::Lost(e.to_string()));
        if tx.send(msg).is_err() {
            return; // the app is gone
        }
        for id in wanted {
            let zones = match &at {
                Some(t) => api.incident_zones_at(&id, t).await,
                None => api.incident_zones(&id).await,
            };
            match zones {
                Ok(fc) => {
                    if tx.send(FeedMessage::Zones(id.clone(), fc)).is_err() {
                        return;
                    }
                }
                Err(e) => warn!("zones of {id}: {e}"),
            }
            if let Some(w) = &what_if {
                // Asked from the moment on show.
                let w = WhatIf {
                    at: w.at.clone().or_else(|| at.clone()),
                    ..w.clone()
                };
                match api.what_if(&id, &w).await {
                    Ok(fc) => {
                        if tx.send(FeedMessage::Ghost(id, fc)).is_err() {
                            return;
                        }
                    }
                    Err(e) => warn!("what-if of {id}: {e}"),
                }
            }
        }
        if done {
            return; // one moment was asked for
        }
        if !full_page {
            crate::net::sleep(POLL).await;
        }
    }
}

/// Most decoded events folded into the live state in one frame: a burst (a second of 10,000
/// trucks, or the backlog after an outage) is spread over a few frames instead of stalling one.
pub const FOLD_PER_FRAME: usize = 1_000;

/// Folds up to `budget` of the oldest waiting changes into `live`; returns how many.
pub fn fold_some(backlog: &mut VecDeque<(i64, Change)>, live: &mut LiveState, budget: usize) -> usize {
    let n = backlog.len().min(budget);
    for (seq, change) in backlog.drain(..n) {
        live.apply_change(seq, change);
    }
    n
}

/// Takes what the feed sent, and folds up to [`FOLD_PER_FRAME`] events in.
pub fn poll_feed(
    channel: Option<Res<FeedChannel>>,
    mut live: ResMut<Live>,
    // Absent in a headless client without the incidents layer: zones are then dropped.
    mut zones: Option<ResMut<parktwin_layers::incident::IncidentZones>>,
    mut ghosts: Option<ResMut<parktwin_layers::incident::IncidentGhosts>>,
    mut status: ResMut<FeedStatus>,
    mut backlog: Local<VecDeque<(i64, Change)>>,
) {
    let Some(channel) = channel else { return };
    while let Ok(msg) = channel.0.try_recv() {
        match msg {
            FeedMessage::Snapshot(s) => {
                live.0 = *s;
                // A single snapshot is of now, unless it is of a moment replayed.
                if status.snapshot_at.as_deref() == Some("") {
                    status.snapshot_at = Some(parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc()));
                }
                status.last_ok = Some(Instant::now());
                status.error = None;
            }
            FeedMessage::Events(events) => {
                backlog.extend(events);
                status.last_ok = Some(Instant::now());
                status.error = None;
            }
            FeedMessage::Lost(e) => status.error = Some(e),
            FeedMessage::Zones(id, fc) => {
                if let Some(z) = zones.as_mut() {
                    z.0.insert(id, fc);
                }
            }
            FeedMessage::Ghost(id, fc) => {
                if let Some(g) = ghosts.as_mut() {
                    g.0.insert(id, fc);
                }
            }
        }
    }
    if !backlog.is_empty() {
        fold_some(&mut backlog, &mut live.0, FOLD_PER_FRAME);
    }
}
