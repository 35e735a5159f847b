//! Where the map stands in time: live, a moment of the recording played at 1× to 60× or
//! paused, or a drill. [`Playhead`] is the plain logic (tests drive it directly); [`steer`]
//! moves it with the frame clock and asks the feed for what it shows.

use bevy::prelude::*;
use parktwin_api::clock::{format_unix, now_unix};
use parktwin_layers::incident::FieldClock;

use super::source::{FeedChannel, FeedControl};
use super::{FeedStatus, Showing, SteerFeed};

/// The speeds a replay plays at.
pub const SPEEDS: [f64; 6] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

/// Where the map stands in time.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Playhead {
    /// The moment shown, Unix seconds; `None`: live.
    at: Option<f64>,
    /// Whether a replay moves on.
    pub playing: bool,
    /// How fast a replay plays, 1× to 60×.
    speed: f64,
    /// A request the feed has not been sent yet.
    request: Option<FeedControl>,
    /// The drill on show (its id and name) instead of the park live.
    drill: Option<(String, String)>,
}

impl Default for Playhead {
    fn default() -> Self {
        Self {
            at: None,
            playing: true,
            speed: 1.0,
            request: None,
            drill: None,
        }
    }
}

impl Playhead {
    /// A still moment whose state the feed already brings (a rendered `--at`).
    pub fn still(at: f64) -> Self {
        Self {
            at: Some(at),
            playing: false,
            ..Self::default()
        }
    }

    /// A drill shown as it stands, whose state the feed already brings (a rendered `--drill`).
    pub fn drill_shown(id: &str, name: &str) -> Self {
        Self {
            drill: Some((id.to_string(), name.to_string())),
            ..Self::default()
        }
    }

    /// The moment shown, Unix seconds; `None` while live (or following a drill).
    pub fn moment(&self) -> Option<f64> {
        self.at
    }

    /// The drill on show, by id and name.
    pub fn drill(&self) -> Option<(&str, &str)> {
        self.drill.as_ref().map(|(id, name)| (id.as_str(), name.as_str()))
    }

    /// Shows drill `id` (called `name`) as it plays, instead of the park live.
    pub fn show_drill(&mut self, id: &str, name: &str) {
        if self.drill().map(|d| d.0) != Some(id) {
            self.at = None;
            self.drill = Some((id.to_string(), name.to_string()));
            self.request = Some(FeedControl::Drill(id.to_string()));
        }
    }

    /// How fast a replay plays.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Sets the speed, held to 1× to 60×.
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
    }

    /// Shows the moment `t` (Unix seconds); at or after `now` that is live. Going forward
    /// within a replay folds the log on from where it stands; going back, or out of live,
    /// rebuilds the state of `t` from the recording.
    pub fn seek(&mut self, t: f64, now: f64) {
        if t >= now {
            self.go_live();
            return;
        }
        let forward = self.at.is_some_and(|at| t >= at);
        self.at = Some(t);
        self.drill = None;
        if !forward {
            self.request = Some(FeedControl::Replay(format_unix(t)));
        }
    }

    /// Back to live.
    pub fn go_live(&mut self) {
        if self.at.is_some() || self.drill.is_some() {
            self.at = None;
            self.drill = None;
            self.playing = true;
            self.request = Some(FeedControl::Live);
        }
    }

    /// Moves a playing replay on by `dt` seconds of wall time; one that reaches `now` goes live.
    pub fn tick(&mut self, dt: f64, now: f64) {
        if let Some(at) = self.at
            && self.playing
        {
            self.seek(at + dt * self.speed, now);
        }
    }

    /// The request for the feed, once.
    pub fn take_request(&mut self) -> Option<FeedControl> {
        self.request.take()
    }
}

/// How far past the playhead the feed reads the log: ten seconds of playing at its speed.
fn lookahead(speed: f64) -> f64 {
    10.0 * speed
}

/// Moves the playhead with the frame clock, and steers the feed by it: a new request, how far
/// ahead to read, the moment the field is drawn for and what the map says it shows.
pub fn steer(
    time: Res<Time>,
    mut playhead: ResMut<Playhead>,
    channel: Option<Res<FeedChannel>>,
    mut status: ResMut<FeedStatus>,
    mut clock: ResMut<FieldClock>,
    mut requests: MessageWriter<SteerFeed>,
) {
    let now = now_unix();
    // The clock stands still while a moment is rebuilt.
    if status.current {
        playhead.tick(time.delta_secs_f64(), now);
    }
    if let Some(request) = playhead.take_request() {
        requests.write(SteerFeed(request));
    }
    if let (Some(t), Some(channel)) = (playhead.moment(), &channel) {
        channel.want_until(t + lookahead(playhead.speed()));
    }
    if clock.0 != playhead.moment() {
        clock.0 = playhead.moment();
    }
    let showing = playhead
        .moment()
        .map_or(Showing::Live, |t| Showing::Past(format_unix(t)));
    if status.showing != showing {
        status.showing = showing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::clock::unix_seconds;

    #[test]
    fn a_recorded_time_reads_back_as_it_was() {
        for t in [
            "2026-11-27T12:23:41.123Z",
            "2026-11-27T00:00:00.001Z",
            "2026-11-27T23:59:59.999Z",
        ] {
            assert_eq!(format_unix(unix_seconds(t)), t);
        }
    }

    #[test]
    fn a_replay_plays_at_its_speed_and_goes_live_when_it_catches_up() {
        let now = 10_000.0;
        let mut p = Playhead::default();
        p.tick(5.0, now);
        assert_eq!((p.moment(), p.take_request()), (None, None), "live stays live");

        p.seek(now - 600.0, now);
        assert_eq!(p.take_request(), Some(FeedControl::Replay(format_unix(now - 600.0))));
        p.set_speed(60.0);
        p.tick(2.0, now);
        assert_eq!(p.moment(), Some(now - 480.0), "two seconds at 60× are two minutes");
        assert_eq!(p.take_request(), None, "playing on folds the log on: no new snapshot");

        p.playing = false;
        p.tick(2.0, now);
        assert_eq!(p.moment(), Some(now - 480.0), "paused");

        p.set_speed(500.0);
        assert_eq!(p.speed(), 60.0, "no faster than 60×");
        p.set_speed(0.1);
        assert_eq!(p.speed(), 1.0, "no slower than 1×");

        p.seek(now - 500.0, now);
        assert_eq!(
            p.take_request(),
            Some(FeedControl::Replay(format_unix(now - 500.0))),
            "going back rebuilds the moment"
        );
        p.seek(now - 400.0, now);
        assert_eq!(p.take_request(), None, "going forward folds on");

        p.playing = true;
        p.set_speed(60.0);
        p.tick(10.0, now);
        assert_eq!(p.moment(), None, "caught up with now: live");
        assert_eq!(p.take_request(), Some(FeedControl::Live));
    }
}
