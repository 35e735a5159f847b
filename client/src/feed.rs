//! The one feed: a snapshot of the live state, then `/events?since` about once a second,
//! resuming from its cursor after any outage. Every event goes through the one reducer.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bevy::platform::time::Instant;

use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::client::ApiClient;
use parktwin_api::incident::WhatIf;
use parktwin_api::live::{Change, LiveState};
use parktwin_api::scenario::DrillFolder;
use parktwin_layers::live::Live;

/// How often the feed asks for new events.
pub const POLL: Duration = Duration::from_secs(1);

/// An event decoded on the feed thread: its sequence number, when it was recorded (Unix
/// seconds: a replay folds it once its playhead passes that moment) and its change.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Position in the log.
    pub seq: i64,
    /// When the server recorded it, Unix seconds.
    pub recorded: f64,
    /// What it changes.
    pub change: Change,
}

/// What the feed thread sends.
#[derive(Debug)]
pub enum FeedMessage {
    /// A fresh state to start from, for the app's request of this generation (a seek or a
    /// return to live starts a new one; what an older one sends is dropped).
    Snapshot(Box<LiveState>, u64),
    /// New events, in order.
    Events(Vec<Decoded>),
    /// The server could not be reached; the feed keeps trying from its cursor.
    Lost(String),
    /// A replay's state is being rebuilt from the log: events folded, of how many.
    Progress(i64, i64),
    /// An incident's threat zones (GeoJSON), fetched when it starts or its weather shifts; in
    /// a replay, with the moment (Unix seconds) the version they are of was recorded.
    Zones(String, serde_json::Value, Option<f64>),
    /// A what-if's other zones for an incident (GeoJSON), drawn as a ghost.
    Ghost(String, serde_json::Value),
    /// A single moment's feed has sent all it will (its zones and ghosts included).
    Done,
    /// The clock of the drill on show, which times its releases' field.
    DrillClock(parktwin_api::scenario::DrillClock),
}

/// What the app asks of a running feed (the newest request wins).
#[derive(Debug, Clone, PartialEq)]
pub enum FeedControl {
    /// Follow the live log from now.
    Live,
    /// Replay from a moment (RFC 3339): the state then, and the log after it as the app's
    /// playhead reaches it.
    Replay(String),
    /// Show a drill (its id): the state its own channel folds into, from its start, following
    /// it as it plays. Never the live state.
    Drill(String),
}

/// What the feed reads.
#[derive(Debug, Clone, PartialEq)]
enum Watch {
    Live,
    Replay(String),
    Drill(String),
}

/// The feed: what it sends, and how the app steers it.
#[derive(Resource)]
pub struct FeedChannel {
    /// What the feed thread sends.
    pub rx: Receiver<FeedMessage>,
    control: Sender<(u64, FeedControl)>,
    /// How far ahead of the start a replay has asked for events, Unix seconds (f64 bits).
    horizon: Arc<AtomicU64>,
}

impl FeedChannel {
    /// Asks the feed for `control`, as request `generation`.
    pub fn steer(&self, generation: u64, control: FeedControl) {
        let _ = self.control.send((generation, control));
    }

    /// Tells a replaying feed how far the app will want events soon (Unix seconds).
    pub fn want_until(&self, t: f64) {
        self.horizon.store(t.to_bits(), Ordering::Relaxed);
    }
}

/// Whether the feed is connected, and how old the data is (the default: not yet, live).
#[derive(Resource, Debug, Clone, Default)]
pub struct FeedStatus {
    /// The last time the server answered.
    pub last_ok: Option<Instant>,
    /// The last error, while disconnected.
    pub error: Option<String>,
    /// A single snapshot (a rendered frame): when it was taken, UTC.
    pub snapshot_at: Option<String>,
    /// The app's newest request of the feed; the map shows its answer once it comes.
    pub generation: u64,
    /// Whether the map shows the answer to the newest request yet.
    pub current: bool,
    /// A replay being rebuilt: events folded, of how many.
    pub progress: Option<(i64, i64)>,
    /// A single moment's feed has brought all it will (a render waits for it).
    pub done: bool,
    /// The clock of the drill on show.
    pub drill_clock: Option<parktwin_api::scenario::DrillClock>,
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
    /// A drill's state as it stands (its id), folded from its channel, and no more.
    Drill(String),
}

/// A recorded time in Unix seconds, and back (the stored form, to the millisecond).
pub use parktwin_api::ingest::{format_unix as rfc3339_of, unix_seconds as unix_of};

/// Starts the feed; with a `what_if`, each incident's other outcome comes with its zones.
pub fn spawn_feed(api: &ApiClient, start: FeedStart, what_if: Option<WhatIf>) -> FeedChannel {
    let (tx, rx) = unbounded();
    let (control, controls) = unbounded();
    let horizon = Arc::new(AtomicU64::new(0));
    let feed = Feed {
        api: api.clone(),
        tx,
        controls,
        horizon: horizon.clone(),
        what_if,
    };
    crate::net::spawn("event-feed", move || feed.run(start));
    FeedChannel { rx, control, horizon }
}

/// The feed thread's side.
struct Feed {
    api: ApiClient,
    tx: Sender<FeedMessage>,
    controls: Receiver<(u64, FeedControl)>,
    horizon: Arc<AtomicU64>,
    what_if: Option<WhatIf>,
}

/// How often a replaying feed looks whether the playhead needs more of the log, or a new
/// request has come.
const REPLAY_LOOK: Duration = Duration::from_millis(100);

impl Feed {
    async fn run(self, start: FeedStart) {
        let mut cursor: Option<i64> = None;
        let mut generation = 0;
        let once = start != FeedStart::Follow;
        let mut watch = match &start {
            FeedStart::At(t) => Watch::Replay(t.clone()),
            FeedStart::Drill(id) => Watch::Drill(id.clone()),
            FeedStart::Follow | FeedStart::Once => Watch::Live,
        };
        let mut drill: Option<DrillFolder> = None;
        let mut sent_clock = None;
        // The newest event fetched, in a replay: more is fetched only while the playhead
        // nears it, so a replay of a month does not read the month at once.
        let mut fetched_until = f64::NEG_INFINITY;
        loop {
            // The newest request wins; it starts again from a snapshot.
            while let Ok((g, control)) = self.controls.try_recv() {
                generation = g;
                cursor = None;
                watch = match control {
                    FeedControl::Live => Watch::Live,
                    FeedControl::Replay(t) => Watch::Replay(t),
                    FeedControl::Drill(id) => Watch::Drill(id),
                };
                sent_clock = None;
            }
            let at = match &watch {
                Watch::Replay(t) => Some(t.clone()),
                _ => None,
            };
            if cursor.is_some() && at.is_some() && fetched_until > f64::from_bits(self.horizon.load(Ordering::Relaxed))
            {
                crate::net::sleep(REPLAY_LOOK).await;
                continue;
            }
            let step = match (cursor, &watch) {
                (None, Watch::Drill(id)) => self.api.state_before_the_log().await.map(|s| {
                    let stations = s
                        .sensors
                        .values()
                        .filter(|s| s.layer == "weather_stations")
                        .map(|s| s.id.clone())
                        .collect();
                    drill = Some(DrillFolder::new(id, stations));
                    cursor = Some(0);
                    FeedMessage::Snapshot(Box::new(s), generation)
                }),
                (Some(since), Watch::Drill(id)) => {
                    self.api.channel_since(since, &format!("drill:{id}")).await.map(|page| {
                        cursor = Some(page.next);
                        let folder = drill.get_or_insert_with(|| DrillFolder::new(id, Vec::new()));
                        FeedMessage::Events(
                            page.events
                                .iter()
                                .flat_map(|e| {
                                    let mut changes = folder.changes(e);
                                    // An event that changes nothing still moves the cursor.
                                    if changes.is_empty() {
                                        changes.push(Change::Other);
                                    }
                                    changes.into_iter().map(|change| Decoded {
                                        seq: e.seq,
                                        recorded: unix_of(&e.recorded),
                                        change,
                                    })
                                })
                                .collect(),
                        )
                    })
                }
                (None, Watch::Replay(t)) => {
                    let tx = self.tx.clone();
                    let progress = move |done, total| {
                        let _ = tx.send(FeedMessage::Progress(done, total));
                    };
                    self.api.state_at(t, &progress).await.map(|s| {
                        cursor = Some(s.cursor);
                        fetched_until = unix_of(t);
                        FeedMessage::Snapshot(Box::new(s), generation)
                    })
                }
                (None, Watch::Live) => self.api.live_snapshot().await.map(|s| {
                    cursor = Some(s.cursor);
                    FeedMessage::Snapshot(Box::new(s), generation)
                }),
                (Some(since), _) => self.api.events_since(since).await.map(|page| {
                    cursor = Some(page.next);
                    if let Some(last) = page.events.last() {
                        fetched_until = unix_of(&last.recorded);
                    }
                    FeedMessage::Events(
                        page.events
                            .iter()
                            .map(|e| Decoded {
                                seq: e.seq,
                                recorded: unix_of(&e.recorded),
                                change: Change::of(e),
                            })
                            .collect(),
                    )
                }),
            };
            let full_page = matches!(&step, Ok(FeedMessage::Events(e)) if e.len() >= 1000);
            let caught_up = matches!(&step, Ok(FeedMessage::Events(e)) if e.is_empty());
            // One moment is done with its first answer; a drill's, once its channel is read.
            let done = once
                && step.is_ok()
                && match watch {
                    Watch::Drill(_) => caught_up,
                    _ => true,
                };
            // The incidents whose zones are new: every open one in a snapshot (as of its
            // moment), each started or updated one in a page of events (as of its recording).
            // A drill's releases are no server incidents: their zones are computed here, by
            // the model the server uses for real ones (`parktwin-dispersion`).
            let drill_zones: Vec<(String, serde_json::Value)> = match &step {
                Ok(FeedMessage::Events(events)) if matches!(watch, Watch::Drill(_)) => events
                    .iter()
                    .filter_map(|d| match &d.change {
                        Change::Incident(i) => {
                            let chem = parktwin_layers::incident::chemical(&i.chemical)?;
                            match parktwin_dispersion::incident::incident_zones_geojson(i, chem) {
                                Ok((fc, _)) => Some((i.id.clone(), fc)),
                                Err(e) => {
                                    warn!("zones of the drill's {}: {e}", i.id);
                                    None
                                }
                            }
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let wanted: Vec<(String, Option<String>)> = match &step {
                _ if matches!(watch, Watch::Drill(_)) => Vec::new(),
                Ok(FeedMessage::Snapshot(s, _)) => s.incidents.keys().map(|id| (id.clone(), at.clone())).collect(),
                Ok(FeedMessage::Events(events)) => events
                    .iter()
                    .filter_map(|d| match &d.change {
                        Change::Incident(i) if i.closed.is_none() => {
                            Some((i.id.clone(), at.as_ref().map(|_| rfc3339_of(d.recorded))))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let msg = step.unwrap_or_else(|e| FeedMessage::Lost(e.to_string()));
            if self.tx.send(msg).is_err() {
                return; // the app is gone
            }
            let clock = drill.as_ref().and_then(DrillFolder::clock);
            if matches!(watch, Watch::Drill(_))
                && clock.is_some()
                && clock != sent_clock
                && let Some(c) = clock
            {
                sent_clock = clock;
                if self.tx.send(FeedMessage::DrillClock(c)).is_err() {
                    return;
                }
            }
            for (id, fc) in drill_zones {
                if self.tx.send(FeedMessage::Zones(id, fc, None)).is_err() {
                    return;
                }
            }
            for (id, when) in wanted {
                if !self.send_zones(id, when).await {
                    return;
                }
            }
            if done {
                let _ = self.tx.send(FeedMessage::Done);
                return; // one moment was asked for
            }
            if at.is_some() && caught_up {
                // A replay that has reached the end of the log waits for it to grow.
                self.wait(POLL).await;
            } else if at.is_none() && !full_page {
                // Live, and a drill, follow the log as it grows.
                self.wait(POLL).await;
            }
        }
    }

    /// Waits `d`, or less when the app asks for something new.
    async fn wait(&self, d: Duration) {
        let mut left = d;
        while !left.is_zero() && self.controls.is_empty() {
            let step = left.min(REPLAY_LOOK);
            crate::net::sleep(step).await;
            left -= step;
        }
    }

    /// Sends an incident's zones (as of `when`, or now), and its what-if ghost when one was
    /// asked for; false when the app is gone.
    async fn send_zones(&self, id: String, when: Option<String>) -> bool {
        let zones = match &when {
            Some(t) => self.api.incident_zones_at(&id, t).await,
            None => self.api.incident_zones(&id).await,
        };
        match zones {
            Ok(fc) => {
                if self
                    .tx
                    .send(FeedMessage::Zones(id.clone(), fc, when.as_deref().map(unix_of)))
                    .is_err()
                {
                    return false;
                }
            }
            Err(e) => warn!("zones of {id}: {e}"),
        }
        if let Some(w) = &self.what_if {
            // Asked from the moment on show.
            let w = WhatIf {
                at: w.at.clone().or(when),
                ..w.clone()
            };
            match self.api.what_if(&id, &w).await {
                Ok(fc) => return self.tx.send(FeedMessage::Ghost(id, fc)).is_ok(),
                Err(e) => warn!("what-if of {id}: {e}"),
            }
        }
        true
    }
}

/// Most decoded events folded into the live state in one frame: a burst (a second of 10,000
/// trucks, or the backlog after an outage) is spread over a few frames instead of stalling one.
pub const FOLD_PER_FRAME: usize = 1_000;

/// Folds up to `budget` of the oldest waiting changes recorded by `until` (all of them when
/// `None`: live) into `live`; returns how many.
pub fn fold_some(backlog: &mut VecDeque<Decoded>, live: &mut LiveState, budget: usize, until: Option<f64>) -> usize {
    let due = backlog
        .iter()
        .take(budget)
        .take_while(|d| until.is_none_or(|t| d.recorded <= t))
        .count();
    for d in backlog.drain(..due) {
        live.apply_change(d.seq, d.change);
    }
    due
}

/// What waits to be shown: events not yet folded, and, in a replay, zones of versions the
/// playhead has not reached.
#[derive(Default)]
pub struct Waiting {
    events: VecDeque<Decoded>,
    zones: Vec<(f64, String, serde_json::Value)>,
}

/// Takes what the feed sent, and folds up to [`FOLD_PER_FRAME`] events in: in a replay, only
/// those recorded by the playhead's moment.
#[allow(clippy::too_many_arguments)] // a Bevy system: each argument is what it reads or keeps
pub fn poll_feed(
    channel: Option<Res<FeedChannel>>,
    mut live: ResMut<Live>,
    // Absent in a headless client without the incidents layer: zones are then dropped.
    mut zones: Option<ResMut<parktwin_layers::incident::IncidentZones>>,
    mut ghosts: Option<ResMut<parktwin_layers::incident::IncidentGhosts>>,
    mut status: ResMut<FeedStatus>,
    playhead: Option<Res<crate::timeline::Playhead>>,
    mut waiting: Local<Waiting>,
) {
    let Some(channel) = channel else { return };
    while let Ok(msg) = channel.rx.try_recv() {
        match msg {
            FeedMessage::Snapshot(s, generation) => {
                if generation != status.generation {
                    continue; // the answer to a request since superseded
                }
                live.0 = *s;
                *waiting = Waiting::default();
                status.current = true;
                status.drill_clock = None;
                status.progress = None;
                if let Some(z) = zones.as_mut() {
                    z.0.clear();
                }
                if let Some(g) = ghosts.as_mut()
                    && generation > 0
                {
                    g.0.clear();
                }
                // A single snapshot is of now, unless it is of a moment replayed.
                if status.snapshot_at.as_deref() == Some("") {
                    status.snapshot_at = Some(parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc()));
                }
                status.last_ok = Some(Instant::now());
                status.error = None;
            }
            // A lost connection (or a refusal) is said whenever it happens, before the first
            // snapshot too: a client the server refuses must say so, not wait in silence.
            FeedMessage::Lost(e) => status.error = Some(e),
            // Until the newest request's snapshot has come, the rest is of an older one.
            _ if !status.current => {}
            FeedMessage::Events(events) => {
                waiting.events.extend(events);
                status.last_ok = Some(Instant::now());
                status.error = None;
            }
            FeedMessage::Progress(done, total) => status.progress = Some((done, total)),
            FeedMessage::Done => status.done = true,
            FeedMessage::DrillClock(c) => status.drill_clock = Some(c),
            FeedMessage::Zones(id, fc, at) => match at {
                Some(t) => waiting.zones.push((t, id, fc)),
                None => {
                    if let Some(z) = zones.as_mut() {
                        z.0.insert(id, fc);
                    }
                }
            },
            FeedMessage::Ghost(id, fc) => {
                if let Some(g) = ghosts.as_mut() {
                    g.0.insert(id, fc);
                }
            }
        }
    }
    let until = playhead.as_ref().and_then(|p| p.moment());
    if !waiting.events.is_empty() {
        fold_some(&mut waiting.events, &mut live.0, FOLD_PER_FRAME, until);
    }
    // A replay's zones: the version in force at the playhead (the snapshot's come due at once).
    let t = until.unwrap_or(f64::INFINITY);
    if waiting.zones.iter().any(|(at, _, _)| *at <= t) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut waiting.zones)
            .into_iter()
            .partition(|(at, _, _)| *at <= t);
        waiting.zones = later;
        if let Some(z) = zones.as_mut() {
            for (_, id, fc) in due {
                z.0.insert(id, fc);
            }
        }
    }
}

/// The wall-clock moment a rendered frame is of (Unix seconds): a running drill's clock is
/// read at it, so that the picture holds still to be taken.
#[derive(Resource, Debug, Clone, Copy)]
pub struct RenderedAt(pub f64);

/// While a drill is shown, its releases' field is drawn for the drill's own clock.
pub fn drill_field_clock(
    status: Res<FeedStatus>,
    rendered: Option<Res<RenderedAt>>,
    mut clock: ResMut<parktwin_layers::incident::FieldClock>,
) {
    if let Some(c) = status.drill_clock {
        let now = rendered.map_or_else(parktwin_api::ingest::now_unix, |r| r.0);
        let t = Some(c.at(now));
        if clock.0 != t {
            clock.0 = t;
        }
    }
}
