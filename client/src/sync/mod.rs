//! The sync core: what the map shows of the server, and when. Everything the client knows of
//! the park's live state comes through here: a snapshot, then the event log followed about
//! once a second (or a past moment replayed, or a drill's own channel), every event folded by
//! the one reducer (`parktwin_api::live::LiveState::apply`).
//!
//! - [`source`]: the feed thread, one [`source::Source`] at a time (live, a replay from a
//!   moment, a drill), steered by the newest request;
//! - [`drill`]: a drill's releases' threat zones, computed here by the server's own model;
//! - [`fold`]: what the feed sent, taken in each frame and folded in at most
//!   [`fold::FOLD_PER_FRAME`] events a frame, no further than the playhead;
//! - [`playhead`]: where the map stands in time, which steers the feed.
//!
//! Other plugins never steer the feed themselves: they write a [`SteerFeed`] message, and
//! order their systems against [`SyncSet`]. The request generations are counted here alone.

pub mod drill;
pub mod fold;
pub mod playhead;
pub mod source;

use bevy::platform::time::Instant;
use bevy::prelude::*;
use parktwin_api::client::ApiClient;
use parktwin_api::incident::WhatIf;

pub use fold::{Decoded, FOLD_PER_FRAME, fold_some};
pub use playhead::Playhead;
pub use source::{FeedChannel, FeedControl, FeedMessage, FeedStart, POLL, spawn_feed};

/// The sync core's systems, in the order they run each frame in `Update`. Plugins that steer
/// the feed run before [`SyncSet::Steer`]; those that read the state run after
/// [`SyncSet::Receive`].
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncSet {
    /// The playhead moves with the frame clock; requests ([`SteerFeed`]) go to the feed.
    Steer,
    /// What the feed sent is taken in and folded into the live state.
    Receive,
    /// The moment the incidents' field is drawn for follows what is shown.
    Clock,
}

/// Asks the feed for something else to show (the newest request wins): live, a moment of the
/// recording, a drill.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct SteerFeed(pub FeedControl);

/// What the map shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Showing {
    /// The park live, following the log.
    #[default]
    Live,
    /// One snapshot of now (a rendered frame): when it was taken, once it has come.
    Snapshot(Option<String>),
    /// A moment of the recording (RFC 3339), or a rendered drill's.
    Past(String),
}

impl Showing {
    /// Whether the map follows the park live.
    pub fn is_live(&self) -> bool {
        matches!(self, Showing::Live)
    }

    /// Whether the map shows the present: live, or a snapshot of now.
    pub fn is_present(&self) -> bool {
        !matches!(self, Showing::Past(_))
    }

    /// The moment shown, when it is not live (RFC 3339; `None` until a snapshot has come).
    pub fn moment(&self) -> Option<&str> {
        match self {
            Showing::Live => None,
            Showing::Snapshot(t) => t.as_deref(),
            Showing::Past(t) => Some(t),
        }
    }
}

/// Whether the feed is connected, and how old the data is (the default: not yet, live).
#[derive(Resource, Debug, Clone, Default)]
pub struct FeedStatus {
    /// The last time the server answered.
    pub last_ok: Option<Instant>,
    /// The last error, while disconnected.
    pub error: Option<String>,
    /// What the map shows: live, a snapshot, a past moment.
    pub showing: Showing,
    /// The newest request of the feed (counted by [`send_requests`] alone); the map shows its
    /// answer once it comes.
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

/// The wall-clock moment a rendered frame is of (Unix seconds): a running drill's clock is
/// read at it, so that the picture holds still to be taken.
#[derive(Resource, Debug, Clone, Copy)]
pub struct RenderedAt(pub f64);

/// How the map's place in time is kept.
#[derive(Debug, Clone, Default)]
pub enum Timekeeping {
    /// No playhead: the feed shows what it was started with, or what [`SteerFeed`] asks.
    #[default]
    None,
    /// A playhead the operator moves (the timeline), which steers the feed.
    Steered,
    /// A playhead that stands still at what the feed was started with (a rendered moment).
    Still(Playhead),
}

/// The sync core: the feed thread, its requests and the fold, in [`SyncSet`]s.
pub struct SyncPlugin {
    /// The server, and the token its reads carry.
    pub api: ApiClient,
    /// Where the feed starts.
    pub start: FeedStart,
    /// With each incident's zones, the zones of this other outcome (a ghost).
    pub what_if: Option<WhatIf>,
    /// How the map's place in time is kept.
    pub time: Timekeeping,
}

impl SyncPlugin {
    /// Follows the live log of the server `api` reads, with no playhead.
    pub fn follow(api: &ApiClient) -> Self {
        Self {
            api: api.clone(),
            start: FeedStart::Follow,
            what_if: None,
            time: Timekeeping::None,
        }
    }
}

impl Plugin for SyncPlugin {
    fn build(&self, app: &mut App) {
        let showing = match &self.start {
            FeedStart::Follow => Showing::Live,
            FeedStart::Once | FeedStart::Drill(_) => Showing::Snapshot(None),
            FeedStart::At(t) => Showing::Past(t.clone()),
        };
        app.configure_sets(Update, (SyncSet::Steer, SyncSet::Receive, SyncSet::Clock).chain())
            .add_message::<SteerFeed>()
            .init_resource::<parktwin_layers::live::Live>()
            .init_resource::<parktwin_layers::incident::FieldClock>()
            .insert_resource(FeedStatus { showing, ..default() })
            .insert_resource(spawn_feed(&self.api, self.start.clone(), self.what_if.clone()))
            .add_systems(Update, send_requests.in_set(SyncSet::Steer))
            .add_systems(Update, fold::receive.in_set(SyncSet::Receive))
            .add_systems(Update, drill::drill_field_clock.in_set(SyncSet::Clock))
            .add_systems(
                Update,
                (device_layers_follow, drill::drill_device_readings).after(SyncSet::Clock),
            );
        match &self.time {
            Timekeeping::None => {}
            Timekeeping::Steered => {
                app.init_resource::<Playhead>()
                    .add_systems(Update, playhead::steer.in_set(SyncSet::Steer).before(send_requests));
            }
            Timekeeping::Still(p) => {
                app.insert_resource(p.clone());
            }
        }
    }
}

/// Whether the device layers, read as of `sent`, must be read again for the moment `shown`:
/// between the present and a past moment, or a minute or more away from it (the rollups'
/// finest step; a replay at 60× asks once a second).
pub fn moment_moved(shown: Option<&str>, sent: Option<&str>) -> bool {
    match (shown, sent) {
        (Some(a), Some(b)) => {
            (parktwin_api::clock::unix_seconds(a) - parktwin_api::clock::unix_seconds(b)).abs() >= 60.0
        }
        (a, b) => a.is_some() != b.is_some(),
    }
}

/// The device layers follow the moment the map shows (see [`moment_moved`]).
pub fn device_layers_follow(status: Res<FeedStatus>, moment: Option<ResMut<crate::described::DescribedMoment>>) {
    let Some(mut moment) = moment else { return };
    if !status.is_changed() {
        return;
    }
    let shown = match &status.showing {
        Showing::Past(t) => Some(t.as_str()),
        _ => None,
    };
    if moment_moved(shown, moment.sent.as_deref()) {
        moment.set(shown.map(str::to_string));
    }
}

/// Sends the newest request to the feed as a new generation: until its answer comes, what the
/// feed sends of an older one is dropped.
pub fn send_requests(
    mut requests: MessageReader<SteerFeed>,
    channel: Option<Res<FeedChannel>>,
    mut status: ResMut<FeedStatus>,
) {
    let Some(newest) = requests.read().last() else {
        return;
    };
    let Some(channel) = channel else { return };
    status.generation += 1;
    status.current = false;
    channel.steer(status.generation, newest.0.clone());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_layers_are_read_again_a_minute_on_or_back_to_the_present() {
        let t = "2026-12-07T10:00:00.000Z";
        assert!(moment_moved(Some(t), None), "a replay starts");
        assert!(moment_moved(None, Some(t)), "back to live");
        assert!(!moment_moved(None, None));
        assert!(
            !moment_moved(Some("2026-12-07T10:00:59.000Z"), Some(t)),
            "within the minute"
        );
        assert!(moment_moved(Some("2026-12-07T10:01:00.000Z"), Some(t)));
        assert!(moment_moved(Some("2026-12-07T09:59:00.000Z"), Some(t)), "backwards too");
    }
}
