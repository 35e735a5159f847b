//! What the wall shows next, decided in plain code: the view the operators sent, a new red
//! alarm or incident, or — when nobody has sent anything for a while — the next stop of the
//! tour. The wall's systems call [`Director::next`] each frame and carry out the shot.

use std::collections::BTreeSet;

use parktwin_api::live::LiveState;
use parktwin_api::model::{Alarm, AlarmTier};
use parktwin_api::wall::{TourStop, WallRequest, WallView};

/// How long a new red alarm or incident holds the wall before the tour may take it again, s.
pub const HOLD_S: f64 = 120.0;

/// What the wall is to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Shot {
    /// The view the operators sent.
    View(WallRequest),
    /// A red alarm just raised (or escalated to red).
    Alarm(Alarm),
    /// An incident just started (or open when the wall started).
    Incident(String),
    /// A stop of the idle tour.
    Tour(TourStop),
    /// The whole park (the tour when it has no stops).
    Home,
}

/// The wall's memory between frames. Everything it keeps is bounded by what is open now.
#[derive(Debug, Default, Clone)]
pub struct Director {
    /// The revision of the view last carried out.
    rev: i64,
    /// When the wall last took a view, an alarm or an incident (the tour waits after it).
    last_shot_at: Option<f64>,
    /// Until when a red alarm or an incident holds the wall.
    hold_until: f64,
    /// The red alarms and incidents seen, to tell the new ones (only the open ones are kept).
    red_seen: BTreeSet<i64>,
    incidents_seen: BTreeSet<String>,
    /// Whether the live state has been seen once (what was open then is not news).
    primed: bool,
    /// The next stop of the tour and when it is due.
    tour_next: usize,
    tour_due: f64,
}

impl Director {
    /// The shot to take now, if any. `view` is the latest view fetched (`None` until the
    /// first answer), `live` the live state once the feed has brought it, `now` seconds on
    /// any steady clock.
    pub fn next(&mut self, view: Option<&WallView>, live: Option<&LiveState>, now: f64) -> Option<Shot> {
        if let Some(v) = view
            && v.rev > self.rev
        {
            self.rev = v.rev;
            self.last_shot_at = Some(now);
            self.hold_until = now;
            // A new view brings its own tour: it starts from its first stop once idle.
            self.tour_due = 0.0;
            self.tour_next = 0;
            return Some(Shot::View(v.view.clone()));
        }
        if let Some(live) = live {
            if let Some(shot) = self.news(live, now) {
                return Some(shot);
            }
            // An open incident keeps the wall on it: no tour until it closes.
            if !live.incidents.is_empty() {
                return None;
            }
        }
        // No tour before the server has said what the tour is.
        let settings = &view?.view;
        let idle = settings.idle_s as f64;
        let dwell = settings.tour_dwell_s as f64;
        let quiet_since = self.last_shot_at.unwrap_or(f64::NEG_INFINITY);
        if now < self.hold_until || now - quiet_since < idle || now < self.tour_due {
            return None;
        }
        let stops = &settings.tour[..];
        self.tour_due = now + dwell;
        if stops.is_empty() {
            // One flight home, then stay: touring one place is standing still.
            self.tour_due = f64::INFINITY;
            return Some(Shot::Home);
        }
        let stop = stops[self.tour_next % stops.len()].clone();
        self.tour_next = (self.tour_next + 1) % stops.len();
        Some(Shot::Tour(stop))
    }

    /// A new incident or red alarm in `live`, if any; forgets the closed ones.
    fn news(&mut self, live: &LiveState, now: f64) -> Option<Shot> {
        let red: Vec<&Alarm> = live.alarms.values().filter(|a| a.tier == AlarmTier::Alarm).collect();
        self.red_seen.retain(|id| live.alarms.contains_key(id));
        self.incidents_seen.retain(|id| live.incidents.contains_key(id));
        if !self.primed {
            self.primed = true;
            self.red_seen.extend(red.iter().map(|a| a.id));
            self.incidents_seen.extend(live.incidents.keys().cloned());
            // A wall (re)started during an incident shows the newest one.
            return live
                .incidents
                .values()
                .max_by(|a, b| a.start.cmp(&b.start))
                .map(|i| self.hold(Shot::Incident(i.id.clone()), now));
        }
        if let Some(i) = live
            .incidents
            .values()
            .filter(|i| !self.incidents_seen.contains(&i.id))
            .max_by(|a, b| a.start.cmp(&b.start))
        {
            let id = i.id.clone();
            self.incidents_seen.insert(id.clone());
            return Some(self.hold(Shot::Incident(id), now));
        }
        if let Some(a) = red.iter().rev().find(|a| !self.red_seen.contains(&a.id)) {
            let a = (*a).clone();
            self.red_seen.insert(a.id);
            return Some(self.hold(Shot::Alarm(a), now));
        }
        None
    }

    fn hold(&mut self, shot: Shot, now: f64) -> Shot {
        self.last_shot_at = Some(now);
        self.hold_until = now + HOLD_S;
        shot
    }

    /// How many ids the director remembers (for the soak test: bounded by what is open).
    pub fn remembered(&self) -> usize {
        self.red_seen.len() + self.incidents_seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::wall::CameraBookmark;

    fn cam(lon: f64) -> CameraBookmark {
        CameraBookmark {
            lon,
            lat: 37.57,
            distance_m: 1000.0,
            heading_deg: 0.0,
            tilt_deg: 50.0,
        }
    }

    fn view(rev: i64, stops: usize) -> WallView {
        WallView {
            rev,
            view: WallRequest {
                camera: Some(cam(118.45)),
                tour: (0..stops)
                    .map(|i| TourStop {
                        name: format!("stop {i}"),
                        camera: cam(118.44 + i as f64 * 0.01),
                    })
                    .collect(),
                tour_dwell_s: 20,
                idle_s: 60,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn alarm(id: i64, tier: AlarmTier) -> Alarm {
        Alarm::new(
            id,
            tier,
            "detector_threshold",
            &format!("det-{id}"),
            1.0,
            "2026-11-27T06:00:00Z",
        )
    }

    #[test]
    fn a_new_view_is_shown_once_and_the_tour_starts_after_the_idle_time() {
        let mut d = Director::default();
        let live = LiveState::default();
        let v = view(3, 2);
        assert!(matches!(d.next(Some(&v), Some(&live), 0.0), Some(Shot::View(_))));
        assert_eq!(d.next(Some(&v), Some(&live), 1.0), None, "the same revision again");
        assert_eq!(d.next(Some(&v), Some(&live), 59.0), None, "not idle yet");
        let names: Vec<String> = [60.0, 70.0, 80.0, 100.0, 120.0]
            .iter()
            .filter_map(|t| match d.next(Some(&v), Some(&live), *t) {
                Some(Shot::Tour(s)) => Some(s.name),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            ["stop 0", "stop 1", "stop 0", "stop 1"],
            "a stop every 20 s, round"
        );
        // A view sent mid-tour takes the wall back, and the tour waits again.
        let v4 = view(4, 2);
        assert!(matches!(d.next(Some(&v4), Some(&live), 125.0), Some(Shot::View(_))));
        assert_eq!(d.next(Some(&v4), Some(&live), 150.0), None);
    }

    #[test]
    fn a_view_that_comes_after_the_first_frames_still_tours() {
        let mut d = Director::default();
        let live = LiveState::default();
        // The first frames come before the first answer of the server.
        assert_eq!(d.next(None, Some(&live), 0.0), None, "no tour before the view is known");
        let v = view(1, 2);
        assert!(matches!(d.next(Some(&v), Some(&live), 1.0), Some(Shot::View(_))));
        assert!(matches!(d.next(Some(&v), Some(&live), 61.0), Some(Shot::Tour(_))));
        // And a view with no stops, then one with stops: the tour starts again.
        let mut d = Director::default();
        d.next(Some(&view(1, 0)), Some(&live), 0.0);
        assert_eq!(d.next(Some(&view(1, 0)), Some(&live), 60.0), Some(Shot::Home));
        d.next(Some(&view(2, 2)), Some(&live), 70.0);
        assert!(matches!(
            d.next(Some(&view(2, 2)), Some(&live), 130.0),
            Some(Shot::Tour(_))
        ));
    }

    #[test]
    fn without_stops_the_tour_is_one_flight_home() {
        let mut d = Director::default();
        let v = view(1, 0);
        d.next(Some(&v), None, 0.0);
        assert_eq!(d.next(Some(&v), None, 60.0), Some(Shot::Home));
        assert_eq!(d.next(Some(&v), None, 500.0), None);
    }

    #[test]
    fn a_new_red_alarm_takes_the_wall_and_holds_it() {
        let mut d = Director::default();
        let v = view(1, 2);
        let mut live = LiveState::default();
        live.alarms.insert(1, alarm(1, AlarmTier::Alarm));
        d.next(Some(&v), Some(&live), 0.0);
        assert_eq!(d.next(Some(&v), Some(&live), 1.0), None, "open before the wall started");
        live.alarms.insert(2, alarm(2, AlarmTier::Warning));
        assert_eq!(d.next(Some(&v), Some(&live), 2.0), None, "a warning is not red");
        // The warning escalates to red: news.
        live.alarms.insert(2, alarm(2, AlarmTier::Alarm));
        assert_eq!(
            d.next(Some(&v), Some(&live), 3.0),
            Some(Shot::Alarm(alarm(2, AlarmTier::Alarm)))
        );
        assert_eq!(d.next(Some(&v), Some(&live), 4.0), None, "once");
        assert_eq!(d.next(Some(&v), Some(&live), 3.0 + HOLD_S - 1.0), None, "held");
        assert!(matches!(
            d.next(Some(&v), Some(&live), 3.0 + HOLD_S),
            Some(Shot::Tour(_))
        ));
        // Closed alarms are forgotten: memory stays bounded by what is open.
        live.alarms.clear();
        d.next(Some(&v), Some(&live), 500.0);
        assert_eq!(d.remembered(), 0);
    }

    #[test]
    fn an_incident_takes_the_wall_and_stops_the_tour_while_open() {
        let mut d = Director::default();
        let v = view(1, 2);
        let mut live = LiveState::default();
        d.next(Some(&v), Some(&live), 0.0);
        let inc: parktwin_api::incident::Incident = serde_json::from_value(serde_json::json!({
            "id": "inc-1", "chemical": "chlorine", "lon": 118.45, "lat": 37.57, "height_m": 2.0,
            "rate_kg_s": 1.0, "mass_kg": null, "duration_s": null, "start": "2026-11-27T06:00:00Z",
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 270.0, "temperature_c": 10.0,
                        "cloud_oktas": null, "stability": "D"},
            "station": null, "levels": "aegl", "origin": null, "note": null, "created_by": "op",
            "closed": null
        }))
        .expect("an incident");
        live.incidents.insert("inc-1".into(), inc);
        assert_eq!(d.next(Some(&v), Some(&live), 5.0), Some(Shot::Incident("inc-1".into())));
        assert_eq!(d.next(Some(&v), Some(&live), 1000.0), None, "no tour while it is open");
        // A wall started during the incident goes straight to it.
        let mut fresh = Director::default();
        assert_eq!(fresh.next(None, Some(&live), 0.0), Some(Shot::Incident("inc-1".into())));
    }
}
