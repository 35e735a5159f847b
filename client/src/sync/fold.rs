//! What the feed sent, taken in each frame: a new state, events folded into it by the one
//! reducer — at most [`FOLD_PER_FRAME`] a frame, and in a replay none recorded after the
//! playhead's moment —, incidents' zones (in a replay, the version in force at the playhead).

use std::collections::VecDeque;

use bevy::platform::time::Instant;
use bevy::prelude::*;
use parktwin_api::live::{Change, LiveState};
use parktwin_layers::incident::{IncidentGhosts, IncidentZones};
use parktwin_layers::live::Live;

use super::playhead::Playhead;
use super::source::{FeedChannel, FeedMessage};
use super::{FeedStatus, Showing};

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

impl Waiting {
    /// Takes the zones recorded by `t` (Unix seconds) out, oldest first.
    fn zones_due(&mut self, t: f64) -> Vec<(String, serde_json::Value)> {
        if !self.zones.iter().any(|(at, _, _)| *at <= t) {
            return Vec::new();
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.zones)
            .into_iter()
            .partition(|(at, _, _)| *at <= t);
        self.zones = later;
        due.into_iter().map(|(_, id, fc)| (id, fc)).collect()
    }
}

/// Takes what the feed sent, and folds up to [`FOLD_PER_FRAME`] events in: in a replay, only
/// those recorded by the playhead's moment.
pub fn receive(
    channel: Option<Res<FeedChannel>>,
    mut live: ResMut<Live>,
    // Absent in a headless client without the incidents layer: zones are then dropped.
    mut zones: Option<ResMut<IncidentZones>>,
    mut ghosts: Option<ResMut<IncidentGhosts>>,
    mut status: ResMut<FeedStatus>,
    playhead: Option<Res<Playhead>>,
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
                // A single snapshot is of now, taken when it comes.
                if status.showing == Showing::Snapshot(None) {
                    status.showing =
                        Showing::Snapshot(Some(parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc())));
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
            FeedMessage::Zones(id, fc, Some(t)) => waiting.zones.push((t, id, fc)),
            FeedMessage::Zones(id, fc, None) => {
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
    let until = playhead.as_ref().and_then(|p| p.moment());
    if !waiting.events.is_empty() {
        fold_some(&mut waiting.events, &mut live.0, FOLD_PER_FRAME, until);
    }
    // A replay's zones: the version in force at the playhead (the snapshot's come due at once).
    let due = waiting.zones_due(until.unwrap_or(f64::INFINITY));
    if let Some(z) = zones.as_mut() {
        z.0.extend(due);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::model::{Event, SensorState};

    /// A reading of detector `id` recorded at `t`, as the feed decodes it.
    fn reading(seq: i64, t: f64, id: &str, value: f64) -> Decoded {
        let event: Event = serde_json::from_value(serde_json::json!({
            "seq": seq, "time": parktwin_api::clock::format_unix(t), "recorded": parktwin_api::clock::format_unix(t), "kind": "observation",
            "channel": "live",
            "payload": {"sensor": id, "time": parktwin_api::clock::format_unix(t), "value": value},
        }))
        .expect("an event");
        Decoded {
            seq,
            recorded: t,
            change: Change::of(&event),
        }
    }

    fn state_with(ids: &[&str]) -> LiveState {
        let sensors: Vec<SensorState> = ids
            .iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "layer": "detectors", "kind": "toxic", "unit": "ppm",
                    "warn": 1.0, "alarm": 2.0, "value": null, "time": null, "level": "no_data",
                }))
                .expect("a sensor")
            })
            .collect();
        LiveState::before_the_log(sensors)
    }

    #[test]
    fn a_burst_is_folded_a_budget_a_frame_in_order() {
        let mut live = state_with(&["gd-001"]);
        let mut backlog: VecDeque<Decoded> = (1..=25).map(|k| reading(k, k as f64, "gd-001", k as f64)).collect();
        assert_eq!(fold_some(&mut backlog, &mut live, 10, None), 10);
        assert_eq!(live.cursor, 10, "the first ten, in order");
        assert_eq!(live.sensors["gd-001"].value, Some(10.0));
        assert_eq!(fold_some(&mut backlog, &mut live, 10, None), 10);
        assert_eq!(fold_some(&mut backlog, &mut live, 10, None), 5);
        assert_eq!(fold_some(&mut backlog, &mut live, 10, None), 0, "nothing left");
        assert_eq!((live.cursor, live.sensors["gd-001"].value), (25, Some(25.0)));
    }

    #[test]
    fn a_replay_folds_nothing_recorded_after_its_playhead() {
        let mut live = state_with(&["gd-001"]);
        let mut backlog: VecDeque<Decoded> = (1..=10)
            .map(|k| reading(k, 100.0 + k as f64, "gd-001", k as f64))
            .collect();
        assert_eq!(
            fold_some(&mut backlog, &mut live, 1000, Some(100.5)),
            0,
            "before the first"
        );
        assert_eq!(
            fold_some(&mut backlog, &mut live, 1000, Some(104.0)),
            4,
            "up to and with 104 s"
        );
        assert_eq!(live.sensors["gd-001"].value, Some(4.0));
        assert_eq!(backlog.len(), 6, "the rest waits for the playhead");
        assert_eq!(
            fold_some(&mut backlog, &mut live, 2, Some(1e9)),
            2,
            "and the budget still holds"
        );
    }

    #[test]
    fn a_replays_zones_come_due_as_the_playhead_passes_their_version() {
        let mut w = Waiting::default();
        w.zones.push((10.0, "inc-1".into(), serde_json::json!({"v": 1})));
        w.zones.push((20.0, "inc-1".into(), serde_json::json!({"v": 2})));
        assert!(w.zones_due(5.0).is_empty());
        assert_eq!(
            w.zones_due(15.0),
            vec![("inc-1".to_string(), serde_json::json!({"v": 1}))]
        );
        assert_eq!(
            w.zones_due(25.0),
            vec![("inc-1".to_string(), serde_json::json!({"v": 2}))]
        );
        assert!(w.zones.is_empty());
    }
}
