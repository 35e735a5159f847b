//! The timeline: the map shows the park live, or any moment of the recording (the event log),
//! played at 1× to 60×, paused, sought, or jumped to the next alarm or incident; and from any
//! moment, what another wind would have done, drawn as a ghost beside the real zones.
//!
//! The playhead is the sync core's ([`crate::sync::playhead`]); this is its bar along the map's
//! foot and the REPLAY (or DRILL) band over it. The state a replay shows is folded by the one reducer from the log, so it is
//! the state a client watching live had then (`client/tests/feed_headless.rs` compares them).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::clock::{format_unix, now_unix, unix_seconds};
use parktwin_api::incident::{IncidentWeather, WhatIf};
use parktwin_layers::incident::{IncidentGhosts, ShownIncident};
use parktwin_layers::live::Live;

use crate::i18n::{Lang, Msg, tr};
use crate::net::ServerUrl;
use crate::sync::playhead::SPEEDS;
use crate::sync::{FeedStatus, Playhead};
use crate::theme::{self, PANEL_WIDTH, UiSet};

/// What the bar's requests to the server bring back.
enum Answer {
    /// When the recording starts.
    Start(Option<String>),
    /// The next alarm or incident's recording time, if any.
    Mark(Result<Option<String>, String>),
    /// A what-if's ghost zones for an incident.
    Ghost(Result<(String, serde_json::Value), String>),
    /// The drills there are, newest first: id, name, state.
    Drills(Vec<(String, String, String)>),
}

/// The bar's state between frames.
pub struct Bar {
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    /// The recording's first moment, Unix seconds, once known.
    start: Option<f64>,
    asked_start: bool,
    /// Where the slider is being dragged to.
    dragging: Option<f64>,
    /// A line for the operator (no later mark, a failed request).
    note: Option<String>,
    /// The what-if row, when open.
    what_if: Option<WhatIfForm>,
    /// The drills there are (id, name, state), and when they were last asked for.
    drills: Vec<(String, String, String)>,
    drills_asked: f64,
}

impl Default for Bar {
    fn default() -> Self {
        let (tx, rx) = unbounded();
        Self {
            tx,
            rx,
            start: None,
            asked_start: false,
            dragging: None,
            note: None,
            what_if: None,
            drills: Vec::new(),
            drills_asked: f64::NEG_INFINITY,
        }
    }
}

/// Asks the server in the background; the answer comes to the bar.
fn ask<Fut>(tx: &Sender<Answer>, work: Fut)
where
    Fut: std::future::Future<Output = Answer> + crate::net::MaybeSend + 'static,
{
    let tx = tx.clone();
    crate::net::spawn("timeline", move || async move {
        let _ = tx.send(work.await);
    });
}

/// A moment as the bar shows it: the date and time, UTC.
fn clock_text(t: f64) -> String {
    let s = format_unix(t);
    format!("{} {} UTC", &s[..10], &s[11..19])
}

/// Draws the bar along the map's foot.
#[allow(clippy::too_many_arguments)] // a Bevy system: each argument is what it reads or keeps
pub fn bar(
    mut contexts: EguiContexts,
    mut playhead: ResMut<Playhead>,
    status: Res<FeedStatus>,
    live: Res<Live>,
    lang: Res<Lang>,
    server: Res<ServerUrl>,
    shown: Res<ShownIncident>,
    mut ghosts: ResMut<IncidentGhosts>,
    mut state: Local<Bar>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let map_width = ctx.viewport_rect().width() - PANEL_WIDTH;
    let mut on = Shown {
        playhead: &mut playhead,
        status: &status,
        cursor: live.0.cursor,
        server: &server,
        incident: shown.0.as_deref(),
        ghosts: &mut ghosts,
    };
    egui::Area::new("timeline".into())
        .anchor(egui::Align2::LEFT_BOTTOM, [8.0, -8.0])
        .show(&ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(map_width - 40.0);
                bar_contents(ui, &mut on, &mut state, now_unix(), *lang);
            });
        });
    Ok(())
}

/// What the bar shows and changes.
pub struct Shown<'a> {
    /// Where the map stands in time.
    pub playhead: &'a mut Playhead,
    /// The feed's state.
    pub status: &'a FeedStatus,
    /// The last event the map has folded in.
    pub cursor: i64,
    /// The server, and the token its reads carry.
    pub server: &'a ServerUrl,
    /// The incident the panel shows, for a what-if.
    pub incident: Option<&'a str>,
    /// The what-if ghosts.
    pub ghosts: &'a mut IncidentGhosts,
}

/// The bar's rows: the controls, the slider, the what-if and a note; answers from the server
/// are taken in first.
pub fn bar_contents(ui: &mut egui::Ui, on: &mut Shown, state: &mut Bar, now: f64, lang: Lang) {
    if !state.asked_start {
        state.asked_start = true;
        let api = on.server.api();
        ask(&state.tx, async move {
            Answer::Start(api.recording_start().await.ok().flatten())
        });
    }
    while let Ok(answer) = state.rx.try_recv() {
        match answer {
            Answer::Start(t) => state.start = t.as_deref().map(unix_seconds),
            Answer::Mark(Ok(Some(t))) => {
                state.note = None;
                on.playhead.seek(unix_seconds(&t), now);
            }
            Answer::Mark(Ok(None)) => state.note = Some(tr(Msg::NoLaterMark, lang).into()),
            Answer::Mark(Err(e)) | Answer::Ghost(Err(e)) => state.note = Some(e),
            Answer::Ghost(Ok((id, fc))) => {
                state.note = None;
                on.ghosts.0.insert(id, fc);
            }
            Answer::Drills(d) => state.drills = d,
        }
    }
    // The drills there are, asked for every ten seconds.
    if now - state.drills_asked > 10.0 {
        state.drills_asked = now;
        let api = on.server.api();
        ask(&state.tx, async move {
            let drills: Vec<parktwin_api::scenario::Drill> = api.get_json("/drills").await.unwrap_or_default();
            Answer::Drills(
                drills
                    .into_iter()
                    .map(|d| (d.id, d.name, format!("{:?}", d.state).to_lowercase()))
                    .collect(),
            )
        });
    }
    controls(ui, on, state, now, lang);
    what_if_row(ui, on, state, lang);
    if let Some(note) = &state.note {
        ui.small(note);
    }
}

/// The band over the map while it shows a past moment or a drill: no one takes a replay or a
/// drill for the park live.
pub fn band(mut contexts: EguiContexts, playhead: Res<Playhead>, lang: Res<Lang>) -> Result {
    let lang = *lang;
    let (text, fill, ink) = match (playhead.moment(), playhead.drill()) {
        (Some(t), _) => (
            format!(
                "{} · {} · {}× {}",
                tr(Msg::Replay, lang),
                clock_text(t),
                playhead.speed(),
                if playhead.playing { "" } else { tr(Msg::Paused, lang) }
            ),
            theme::REPLAY_BAND,
            egui::Color32::WHITE,
        ),
        (None, Some((_, name))) => (
            crate::i18n::fill(Msg::WallDrill, lang, &[("name", name.to_string())]),
            theme::DRILL_BAND,
            egui::Color32::BLACK,
        ),
        (None, None) => return Ok(()),
    };
    let ctx = contexts.ctx_mut()?.clone();
    let map_width = ctx.viewport_rect().width() - PANEL_WIDTH;
    egui::Area::new("replay-band".into())
        .fixed_pos([0.0, 0.0])
        .order(egui::Order::Background)
        .show(&ctx, |ui| {
            egui::Frame::new().fill(fill).show(ui, |ui| {
                ui.set_width(map_width);
                ui.vertical_centered(|ui| {
                    ui.label(egui::RichText::new(text).strong().size(16.0).color(ink));
                });
            });
        });
    Ok(())
}

/// Live or replay, play or pause, the speed, the slider over the recording, the next mark.
fn controls(ui: &mut egui::Ui, on: &mut Shown, state: &mut Bar, now: f64, lang: Lang) {
    let (playhead, status) = (&mut *on.playhead, on.status);
    ui.horizontal(|ui| {
        match (playhead.moment(), playhead.drill()) {
            (None, None) => {
                ui.colored_label(theme::GOOD, egui::RichText::new(tr(Msg::Live, lang)).strong());
            }
            (None, Some(_)) => {
                if ui.button(tr(Msg::GoLive, lang)).clicked() {
                    playhead.go_live();
                }
            }
            (Some(_), _) => {
                if ui.button(tr(Msg::GoLive, lang)).clicked() {
                    playhead.go_live();
                }
                let play = if playhead.playing { "⏸" } else { "▶" };
                if ui.button(play).clicked() {
                    playhead.playing = !playhead.playing;
                }
            }
        }
        let mut speed = playhead.speed();
        egui::ComboBox::from_id_salt("replay-speed")
            .width(56.0)
            .selected_text(format!("{speed}×"))
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    ui.selectable_value(&mut speed, s, format!("{s}×"));
                }
            });
        playhead.set_speed(speed);
        let can_jump = playhead.moment().is_some() && status.current;
        if ui
            .add_enabled(can_jump, egui::Button::new(format!("⏭ {}", tr(Msg::NextMark, lang))))
            .clicked()
        {
            let api = on.server.api();
            let after = on.cursor;
            ask(&state.tx, async move {
                Answer::Mark(
                    api.next_mark(after)
                        .await
                        .map(|e| e.map(|e| e.recorded))
                        .map_err(|e| e.to_string()),
                )
            });
        }
        ui.monospace(clock_text(playhead.moment().unwrap_or(now)));
        if let Some((done, total)) = status.progress.filter(|_| !status.current) {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .desired_width(160.0)
                    .text(tr(Msg::Rebuilding, lang)),
            );
        } else if !status.current {
            ui.spinner();
        }
        if ui
            .selectable_label(state.what_if.is_some(), tr(Msg::WhatIfGhost, lang))
            .clicked()
        {
            state.what_if = match state.what_if {
                Some(_) => None,
                None => Some(WhatIfForm::default()),
            };
        }
        // A drill instead of the park: its own state, under an amber band.
        let shown = playhead.drill().map(|(id, _)| id.to_string());
        let mut pick: Option<(String, String)> = None;
        egui::ComboBox::from_id_salt("drill-picker")
            .width(200.0)
            .selected_text(match playhead.drill() {
                Some((id, name)) => format!("{id} · {name}"),
                None => tr(Msg::ShowDrill, lang).to_string(),
            })
            .show_ui(ui, |ui| {
                if state.drills.is_empty() {
                    ui.label(tr(Msg::NoDrills, lang));
                }
                for (id, name, st) in &state.drills {
                    let on = shown.as_deref() == Some(id.as_str());
                    if ui.selectable_label(on, format!("{id} · {name} ({st})")).clicked() {
                        pick = Some((id.clone(), name.clone()));
                    }
                }
            });
        if let Some((id, name)) = pick {
            playhead.show_drill(&id, &name);
        }
    });
    // The recording from its first moment (or the last hour, while it is that young) to now.
    let start = state.start.unwrap_or(now - 3600.0).min(now - 60.0);
    let mut t = state.dragging.unwrap_or(playhead.moment().unwrap_or(now));
    ui.spacing_mut().slider_width = ui.available_width() - 8.0;
    let slider = ui.add(egui::Slider::new(&mut t, start..=now).show_value(false));
    if slider.dragged() {
        state.dragging = Some(t);
    }
    if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
        state.dragging = None;
        playhead.seek(t, now);
    }
}

/// From the moment on show, another wind for the incident on show: its zones as a ghost.
fn what_if_row(ui: &mut egui::Ui, on: &mut Shown, state: &mut Bar, lang: Lang) {
    let Some(mut form) = state.what_if else {
        return;
    };
    let WhatIfForm {
        wind_speed_ms: ref mut speed,
        wind_from_deg: ref mut from,
        rate_kg_s: ref mut rate,
    } = form;
    ui.horizontal(|ui| {
        ui.label(tr(Msg::WindFrom, lang));
        ui.add(egui::DragValue::new(from).range(0.0..=359.0).speed(5.0).suffix("°"));
        ui.label(tr(Msg::WindSpeed, lang));
        ui.add(egui::DragValue::new(speed).range(0.5..=30.0).speed(0.5).suffix(" m/s"));
        // Another continuous release rate; 0 keeps the one recorded.
        ui.label(tr(Msg::WhatIfRate, lang));
        ui.add(
            egui::DragValue::new(rate)
                .range(0.0..=parktwin_api::incident::MAX_RATE_KG_S)
                .speed(0.5)
                .suffix(" kg/s"),
        );
        match on.incident {
            Some(id) => {
                if ui.button(tr(Msg::ShowGhost, lang)).clicked() {
                    let what = WhatIf {
                        at: on.playhead.moment().map(format_unix),
                        weather: Some(IncidentWeather {
                            wind_speed_ms: *speed,
                            wind_from_deg: *from,
                            temperature_c: 20.0,
                            cloud_oktas: None,
                            stability: None,
                        }),
                        rate_kg_s: (*rate > 0.0).then_some(*rate),
                        ..WhatIf::default()
                    };
                    let api = on.server.api();
                    let id = id.to_string();
                    ask(&state.tx, async move {
                        Answer::Ghost(
                            api.what_if(&id, &what)
                                .await
                                .map(|fc| (id, fc))
                                .map_err(|e| e.to_string()),
                        )
                    });
                }
            }
            None => {
                ui.small(tr(Msg::NoIncidentShown, lang));
            }
        }
        if ui.button(tr(Msg::Clear, lang)).clicked() {
            on.ghosts.0.clear();
        }
    });
    state.what_if = Some(form);
}

/// What the what-if row asks: another wind, and another release rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhatIfForm {
    /// Wind speed at 10 m, m/s.
    pub wind_speed_ms: f64,
    /// Where the wind comes from, degrees.
    pub wind_from_deg: f64,
    /// Another continuous release rate, kg/s; 0 keeps the one recorded.
    pub rate_kg_s: f64,
}

impl Default for WhatIfForm {
    fn default() -> Self {
        Self {
            wind_speed_ms: 5.0,
            wind_from_deg: 270.0,
            rate_kg_s: 0.0,
        }
    }
}

/// The timeline's bar and band. The playhead itself is the sync core's
/// ([`crate::sync::Timekeeping`]): on the interactive map the bar moves it, and on a rendered
/// past moment or drill (`parktwin render --at`, `--drill`) it stands still under the band.
pub struct TimelinePlugin {
    /// Whether the bar is drawn (the interactive map), or the band alone (a render).
    pub bar: bool,
}

impl Plugin for TimelinePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(EguiPrimaryContextPass, band.in_set(UiSet::Overlays));
        if self.bar {
            app.add_systems(EguiPrimaryContextPass, bar.in_set(UiSet::Overlays));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::FeedControl;

    /// The bar on a headless screen, over what it shows.
    struct Harness {
        screen: crate::egui_screen::Screen,
        playhead: Playhead,
        status: FeedStatus,
        ghosts: IncidentGhosts,
        bar: Bar,
        server: ServerUrl,
        incident: Option<String>,
        cursor: i64,
        now: f64,
    }

    impl Harness {
        fn draw(&mut self) -> impl FnMut(&mut egui::Ui) + '_ {
            let mut on = Shown {
                playhead: &mut self.playhead,
                status: &self.status,
                cursor: self.cursor,
                server: &self.server,
                incident: self.incident.as_deref(),
                ghosts: &mut self.ghosts,
            };
            let (bar, now) = (&mut self.bar, self.now);
            move |ui| bar_contents(ui, &mut on, bar, now, Lang::En)
        }

        fn frame(&mut self) {
            let mut screen = std::mem::replace(&mut self.screen, crate::egui_screen::Screen::new());
            screen.frame(vec![], &mut self.draw());
            self.screen = screen;
        }

        fn click(&mut self, label: &str) {
            let mut screen = std::mem::replace(&mut self.screen, crate::egui_screen::Screen::new());
            screen.click(label, &mut self.draw());
            // And a frame to show what the click changed.
            screen.frame(vec![], &mut self.draw());
            self.screen = screen;
        }

        /// Runs frames until `done`, while the server answers.
        fn until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
            for _ in 0..400 {
                self.frame();
                if done(self) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            panic!("{what}");
        }
    }

    #[test]
    fn the_bar_jumps_to_the_next_incident_pauses_goes_live_and_draws_a_what_if() {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
        let started = now_unix();
        let body = serde_json::json!({"lon": 118.4542447, "lat": 37.5683106, "chemical": "chlorine",
            "rate_kg_s": 5.0, "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 225.0, "stability": "D"}});
        let (code, inc) = parktwin_e2e::send(
            "POST",
            &format!("{}/api/v1/incidents", server.url),
            Some(&server.operator),
            Some(&body),
        );
        assert_eq!(code, 201, "{inc}");
        let id = inc["id"].as_str().expect("id").to_string();
        let mut h = Harness {
            screen: crate::egui_screen::Screen::new(),
            playhead: Playhead::default(),
            status: FeedStatus {
                current: true,
                ..FeedStatus::default()
            },
            ghosts: IncidentGhosts::default(),
            bar: Bar::default(),
            server: ServerUrl::new(&server.url, None),
            incident: Some(id.clone()),
            cursor: 0,
            now: started + 60.0,
        };
        h.frame();
        assert!(h.screen.shows("LIVE"));
        assert!(
            h.screen.find("⏭ Next alarm or incident").is_disabled(),
            "live has no next"
        );

        // A minute before the incident, paused: the next mark is its start.
        h.playhead.seek(started - 60.0, h.now);
        h.playhead.playing = false;
        h.frame();
        h.click("⏭ Next alarm or incident");
        h.until("the bar did not jump to the incident", |h| {
            h.playhead.moment().is_some_and(|t| t > started - 1.0)
        });
        assert!(h.playhead.moment().is_some_and(|t| t < h.now));
        assert!(h.screen.shows("Go live"));

        // Playing, paused, at 60×.
        h.click("▶");
        assert!(h.playhead.playing);
        h.click("⏸");
        assert!(!h.playhead.playing);
        h.click("1×");
        h.click("60×");
        assert_eq!(h.playhead.speed(), 60.0);

        // What if the wind had come from the north-west: a ghost of the incident's zones.
        h.click("What if…");
        h.click("Show the other outcome");
        h.until("no ghost came", |h| {
            h.ghosts.0.contains_key(&id) || h.bar.note.is_some()
        });
        assert_eq!(h.bar.note, None);
        let ghost = h.ghosts.0[&id].clone();
        assert!(
            ghost["features"].as_array().is_some_and(|f| !f.is_empty()),
            "the ghost has zones: {ghost}"
        );
        h.click("Clear");
        assert!(h.ghosts.0.is_empty());
        // And a release twice as strong, in the same other wind: its most severe zone (the
        // shortest) reaches further.
        let reach = |fc: &serde_json::Value| {
            fc["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["properties"]["farthest_downwind_m"].as_f64())
                .fold(f64::INFINITY, f64::min)
        };
        let weaker = reach(&ghost);
        h.bar.what_if = Some(WhatIfForm {
            rate_kg_s: 10.0,
            ..WhatIfForm::default()
        });
        h.frame();
        h.click("Show the other outcome");
        h.until("no ghost of the stronger release came", |h| {
            h.ghosts.0.contains_key(&id) || h.bar.note.is_some()
        });
        assert_eq!(h.bar.note, None);
        let stronger = reach(&h.ghosts.0[&id]);
        assert!(
            stronger > weaker * 1.1,
            "10 kg/s reaches {stronger} m, 5 kg/s {weaker} m"
        );
        h.click("Clear");

        // No later mark: said so, and the moment stays. (The map has folded the log up to
        // the incident's start, its last event.)
        let (_, head) = parktwin_e2e::send("GET", &format!("{}/api/v1/events/head", server.url), None, None);
        h.cursor = head["seq"].as_i64().expect("head");
        let at = h.playhead.moment();
        h.click("⏭ Next alarm or incident");
        h.until("no word of the missing mark", |h| {
            h.screen.shows("No later alarm or incident")
        });
        assert_eq!(h.playhead.moment(), at);

        h.click("Go live");
        assert_eq!(
            (h.playhead.moment(), h.playhead.take_request()),
            (None, Some(FeedControl::Live))
        );

        // A drill uploaded is offered; picked, the map follows it instead of the park.
        let scenario: serde_json::Value =
            serde_json::from_str(include_str!("../../assets/scenarios/ammonia-truck-rollover.json")).expect("JSON");
        let (code, drill) = parktwin_e2e::send(
            "POST",
            &format!("{}/api/v1/drills", server.url),
            Some(&server.operator),
            Some(&scenario),
        );
        assert_eq!(code, 201, "{drill}");
        h.bar.drills_asked = f64::NEG_INFINITY;
        h.until("the drill was not offered", |h| !h.bar.drills.is_empty());
        h.click("Show a drill…");
        h.click("drill-1 · Ammonia tanker rollover at the Hazmat Gate (ready)");
        assert_eq!(h.playhead.drill().map(|d| d.0), Some("drill-1"));
        assert_eq!(h.playhead.take_request(), Some(FeedControl::Drill("drill-1".into())));
        h.click("Go live");
        assert_eq!(h.playhead.drill(), None);
        assert_eq!(h.playhead.take_request(), Some(FeedControl::Live));
    }
}
