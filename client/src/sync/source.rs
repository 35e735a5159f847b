//! The feed thread: a snapshot of the state, then the log after it, from one [`Source`] at a
//! time — the park live, a replay from a moment, or a drill's own channel —, resuming from its
//! cursor after any outage. The app steers it with [`FeedChannel::steer`]; the newest request
//! wins and starts again from a snapshot.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::client::{ApiClient, ClientError};
use parktwin_api::clock::{format_unix, unix_seconds};
use parktwin_api::incident::WhatIf;
use parktwin_api::layer::LayerId;
use parktwin_api::live::{Change, LiveState};
use parktwin_api::model::{Event, EventPage};
use parktwin_api::scenario::{DrillClock, DrillFolder};

use super::fold::Decoded;

/// How often the feed asks for new events.
pub const POLL: Duration = Duration::from_secs(1);

/// How often a replaying feed looks whether the playhead needs more of the log, or a new
/// request has come.
const REPLAY_LOOK: Duration = Duration::from_millis(100);

/// A page this long was cut short: more is waiting, and is asked for at once.
const FULL_PAGE: usize = 1000;

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
    DrillClock(DrillClock),
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

/// The feed: what it sends, and how the app steers it.
#[derive(bevy::prelude::Resource)]
pub struct FeedChannel {
    /// What the feed thread sends.
    pub rx: Receiver<FeedMessage>,
    control: Sender<(u64, FeedControl)>,
    /// How far ahead of the start a replay has asked for events, Unix seconds (f64 bits).
    horizon: Arc<AtomicU64>,
}

impl FeedChannel {
    /// Asks the feed for `control`, as request `generation` (the sync core's
    /// [`super::send_requests`] counts them: other plugins write a [`super::SteerFeed`]).
    pub fn steer(&self, generation: u64, control: FeedControl) {
        let _ = self.control.send((generation, control));
    }

    /// Tells a replaying feed how far the app will want events soon (Unix seconds).
    pub fn want_until(&self, t: f64) {
        self.horizon.store(t.to_bits(), Ordering::Relaxed);
    }
}

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

/// What the feed reads from, and where it stands in it.
#[derive(Debug)]
pub enum Source {
    /// The park live: the snapshot now, then the live channel.
    Live {
        /// The last event read; `None` until the snapshot.
        cursor: Option<i64>,
    },
    /// A moment of the recording, then the log after it as the playhead nears it.
    Replay {
        /// The moment (RFC 3339).
        at: String,
        /// The last event read; `None` until the state of the moment is rebuilt.
        cursor: Option<i64>,
        /// When the newest event read was recorded (Unix seconds): more is read only while
        /// the playhead nears it, so that a replay of a month does not read the month at once.
        fetched_until: f64,
    },
    /// A drill: the state before the log, folded with the drill's own channel.
    Drill {
        /// The drill's id.
        id: String,
        /// The last event of its channel read; `None` until the start state.
        cursor: Option<i64>,
        /// What turns the drill's events into changes, and keeps its clock.
        folder: DrillFolder,
        /// The drill's clock as last sent.
        sent_clock: Option<DrillClock>,
    },
}

/// What one read of a source brought.
pub struct Read {
    /// A snapshot (its generation set by the feed) or a page of events.
    pub message: FeedMessage,
    /// A page of events that was cut short: more waits.
    pub full_page: bool,
    /// A page with no events: the source has caught up with the log.
    pub caught_up: bool,
    /// Incidents whose zones to fetch from the server, each as of a moment (RFC 3339) or now.
    pub zones_wanted: Vec<(String, Option<String>)>,
    /// Zones computed here (a drill's releases).
    pub zones: Vec<(String, serde_json::Value)>,
    /// A drill's clock, when it is new.
    pub clock: Option<DrillClock>,
}

impl Read {
    fn snapshot(state: LiveState) -> Self {
        Self::of(FeedMessage::Snapshot(Box::new(state), 0), 0)
    }

    fn events(events: Vec<Decoded>) -> Self {
        let n = events.len();
        Self::of(FeedMessage::Events(events), n)
    }

    fn of(message: FeedMessage, n: usize) -> Self {
        let events = matches!(message, FeedMessage::Events(_));
        Self {
            message,
            full_page: events && n >= FULL_PAGE,
            caught_up: events && n == 0,
            zones_wanted: Vec::new(),
            zones: Vec::new(),
            clock: None,
        }
    }
}

/// Each event of a live or replayed page, decoded by the one reducer's rules.
fn decode(page: &EventPage) -> Vec<Decoded> {
    page.events
        .iter()
        .map(|e| Decoded {
            seq: e.seq,
            recorded: unix_seconds(&e.recorded),
            change: Change::of(e),
        })
        .collect()
}

/// A drill's event as the changes its folder makes of it; an event that changes nothing still
/// moves the cursor.
fn drill_changes(folder: &mut DrillFolder, e: &Event) -> Vec<Decoded> {
    let mut changes = folder.changes(e);
    if changes.is_empty() {
        changes.push(Change::Other);
    }
    changes
        .into_iter()
        .map(|change| Decoded {
            seq: e.seq,
            recorded: unix_seconds(&e.recorded),
            change,
        })
        .collect()
}

impl Source {
    /// The source a request names.
    pub fn of(control: FeedControl) -> Self {
        match control {
            FeedControl::Live => Source::Live { cursor: None },
            FeedControl::Replay(at) => Source::Replay {
                at,
                cursor: None,
                fetched_until: f64::NEG_INFINITY,
            },
            FeedControl::Drill(id) => Source::Drill {
                folder: DrillFolder::new(&id, Vec::new()),
                id,
                cursor: None,
                sent_clock: None,
            },
        }
    }

    /// Where a feed that starts so reads first.
    pub fn at_start(start: &FeedStart) -> Self {
        match start {
            FeedStart::Follow | FeedStart::Once => Source::of(FeedControl::Live),
            FeedStart::At(t) => Source::of(FeedControl::Replay(t.clone())),
            FeedStart::Drill(id) => Source::of(FeedControl::Drill(id.clone())),
        }
    }

    /// Whether a replay has read far enough past the playhead's `horizon` (Unix seconds) for
    /// now.
    pub fn ahead_of(&self, horizon: f64) -> bool {
        matches!(self, Source::Replay { cursor: Some(_), fetched_until, .. } if *fetched_until > horizon)
    }

    /// Whether a source read once (a rendered moment) has brought all it will: a drill once its
    /// channel is read to its end, the others with their first answer.
    pub fn done_after(&self, read: &Read) -> bool {
        match self {
            Source::Drill { .. } => read.caught_up,
            _ => true,
        }
    }

    /// Whether to wait a poll before reading again: live and a drill follow the log as it
    /// grows unless a page was cut short; a replay that reached the end of the log waits for
    /// it to grow.
    pub fn waits_after(&self, read: &Read) -> bool {
        match self {
            Source::Replay { .. } => read.caught_up,
            _ => !read.full_page,
        }
    }

    /// Reads the next step: the snapshot, or the next page of events. `progress` hears how a
    /// replay's rebuild goes.
    pub async fn read(&mut self, api: &ApiClient, progress: &dyn Fn(i64, i64)) -> Result<Read, ClientError> {
        match self {
            Source::Live { cursor: cursor @ None } => {
                let s = api.live_snapshot().await?;
                *cursor = Some(s.cursor);
                let mut read = Read::snapshot(s);
                read.zones_wanted = snapshot_incidents(&read, None);
                Ok(read)
            }
            Source::Replay {
                at,
                cursor: cursor @ None,
                fetched_until,
            } => {
                let s = api.state_at(at, progress).await?;
                *cursor = Some(s.cursor);
                *fetched_until = unix_seconds(at);
                let mut read = Read::snapshot(s);
                read.zones_wanted = snapshot_incidents(&read, Some(at.clone()));
                Ok(read)
            }
            Source::Live { cursor: Some(since) } => {
                let page = api.events_since(*since).await?;
                *since = page.next;
                let mut read = Read::events(decode(&page));
                read.zones_wanted = started_incidents(&read, false);
                Ok(read)
            }
            Source::Replay {
                cursor: Some(since),
                fetched_until,
                ..
            } => {
                let page = api.events_since(*since).await?;
                *since = page.next;
                if let Some(last) = page.events.last() {
                    *fetched_until = unix_seconds(&last.recorded);
                }
                let mut read = Read::events(decode(&page));
                read.zones_wanted = started_incidents(&read, true);
                Ok(read)
            }
            Source::Drill {
                id,
                cursor: cursor @ None,
                folder,
                ..
            } => {
                let s = api.state_before_the_log().await?;
                // The drill's weather is its scenario's; its stations are the park's.
                let stations = s
                    .sensors
                    .values()
                    .filter(|s| s.layer == LayerId::WEATHER_STATIONS)
                    .map(|s| s.id.clone())
                    .collect();
                *folder = DrillFolder::new(id, stations);
                *cursor = Some(0);
                Ok(Read::snapshot(s))
            }
            Source::Drill {
                id,
                cursor: Some(since),
                folder,
                sent_clock,
            } => {
                let page = api.channel_since(*since, &format!("drill:{id}")).await?;
                *since = page.next;
                let events: Vec<Decoded> = page.events.iter().flat_map(|e| drill_changes(folder, e)).collect();
                let mut read = Read::events(events);
                if let FeedMessage::Events(events) = &read.message {
                    read.zones = super::drill::zones_of(events);
                }
                let clock = folder.clock();
                if clock.is_some() && clock != *sent_clock {
                    *sent_clock = clock;
                    read.clock = clock;
                }
                Ok(read)
            }
        }
    }
}

/// Every incident open in a snapshot, its zones as of the snapshot's moment.
fn snapshot_incidents(read: &Read, at: Option<String>) -> Vec<(String, Option<String>)> {
    match &read.message {
        FeedMessage::Snapshot(s, _) => s.incidents.keys().map(|id| (id.clone(), at.clone())).collect(),
        _ => Vec::new(),
    }
}

/// Each incident a page starts or updates and leaves open; in a replay, its zones as of the
/// event's recording.
fn started_incidents(read: &Read, replay: bool) -> Vec<(String, Option<String>)> {
    match &read.message {
        FeedMessage::Events(events) => events
            .iter()
            .filter_map(|d| match &d.change {
                Change::Incident(i) if i.closed.is_none() => {
                    Some((i.id.clone(), replay.then(|| format_unix(d.recorded))))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The feed thread's side.
struct Feed {
    api: ApiClient,
    tx: Sender<FeedMessage>,
    controls: Receiver<(u64, FeedControl)>,
    horizon: Arc<AtomicU64>,
    what_if: Option<WhatIf>,
}

impl Feed {
    async fn run(self, start: FeedStart) {
        let once = start != FeedStart::Follow;
        let mut source = Source::at_start(&start);
        let mut generation = 0;
        loop {
            // The newest request wins; it starts again from a snapshot.
            while let Ok((g, control)) = self.controls.try_recv() {
                generation = g;
                source = Source::of(control);
            }
            if source.ahead_of(f64::from_bits(self.horizon.load(Ordering::Relaxed))) {
                crate::net::sleep(REPLAY_LOOK).await;
                continue;
            }
            let tx = self.tx.clone();
            let progress = move |done, total| {
                let _ = tx.send(FeedMessage::Progress(done, total));
            };
            let read = match source.read(&self.api, &progress).await {
                Ok(read) => read,
                Err(e) => {
                    if self.tx.send(FeedMessage::Lost(e.to_string())).is_err() {
                        return; // the app is gone
                    }
                    // An outage: try again from the cursor after a poll.
                    self.wait(POLL).await;
                    continue;
                }
            };
            let done = once && source.done_after(&read);
            let waits = source.waits_after(&read);
            if !self.send(read, generation).await {
                return; // the app is gone
            }
            if done {
                let _ = self.tx.send(FeedMessage::Done);
                return; // one moment was asked for
            }
            if waits {
                self.wait(POLL).await;
            }
        }
    }

    /// Sends what a read brought: its message, a drill's clock and zones, and the zones (and
    /// ghosts) of the incidents it started; false when the app is gone.
    async fn send(&self, read: Read, generation: u64) -> bool {
        let message = match read.message {
            FeedMessage::Snapshot(s, _) => FeedMessage::Snapshot(s, generation),
            other => other,
        };
        if self.tx.send(message).is_err() {
            return false;
        }
        if let Some(c) = read.clock
            && self.tx.send(FeedMessage::DrillClock(c)).is_err()
        {
            return false;
        }
        for (id, fc) in read.zones {
            if self.tx.send(FeedMessage::Zones(id, fc, None)).is_err() {
                return false;
            }
        }
        for (id, when) in read.zones_wanted {
            if !self.send_zones(id, when).await {
                return false;
            }
        }
        true
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
                let at = when.as_deref().map(unix_seconds);
                if self.tx.send(FeedMessage::Zones(id.clone(), fc, at)).is_err() {
                    return false;
                }
            }
            Err(e) => bevy::log::warn!("zones of {id}: {e}"),
        }
        if let Some(w) = &self.what_if {
            // Asked from the moment on show.
            let w = WhatIf {
                at: w.at.clone().or(when),
                ..w.clone()
            };
            match self.api.what_if(&id, &w).await {
                Ok(fc) => return self.tx.send(FeedMessage::Ghost(id, fc)).is_ok(),
                Err(e) => bevy::log::warn!("what-if of {id}: {e}"),
            }
        }
        true
    }
}
