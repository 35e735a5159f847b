//! The incident form's window: the operator edits what the map prefilled, the request is
//! checked as the server checks it, sent off the frame loop, and the started incident is shown
//! once the feed brings it.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use crossbeam_channel::{Receiver, bounded};
use parktwin_api::incident::{CloudModel, Hazard, Incident, MAX_POOL_DIAMETER_M, NewIncident};
use parktwin_api::model::ChemicalTable;
use parktwin_layers::incident::{ShownIncident, chemicals};
use parktwin_layers::live::Live;
use parktwin_scene::ParkData;

use super::form::{IncidentForm, station_positions};
use crate::i18n::{Lang, Msg, fill, hazard_kind, tr};
use crate::net::{ActionStatus, OperatorToken, ServerUrl};
use crate::theme;

/// What the form window asks for.
#[derive(Debug, PartialEq)]
pub enum FormAction {
    /// Nothing yet.
    None,
    /// Send this request.
    Start(Box<NewIncident>),
    /// Close the form.
    Cancel,
}

/// The rows of a release given as a rate: from a hole in the tank on record, or typed, and how
/// long it lasts.
fn rate_rows(ui: &mut egui::Ui, form: &mut IncidentForm, table: &ChemicalTable, lang: Lang) {
    let t = |m: Msg| tr(m, lang);
    if form.tank.is_some() {
        // A tank on record: the rate from a hole in it, or typed.
        ui.label(t(Msg::FromHole));
        ui.horizontal(|ui| {
            let mut by_hole = form.hole.is_some();
            let mut mm = form.hole.map_or(25.0, |h| h.hole_mm);
            let toggled = ui.checkbox(&mut by_hole, "").changed();
            let sized = by_hole
                && ui
                    .add(egui::DragValue::new(&mut mm).range(1.0..=500.0).suffix(" mm"))
                    .changed();
            if !by_hole {
                form.hole = None;
                form.hole_error = None;
            } else if (toggled || sized)
                && let Err(e) = form.set_hole(mm, table)
            {
                form.hole = None;
                form.hole_error = Some(e);
            }
            if let Some(e) = &form.hole_error {
                ui.colored_label(theme::WARNING, e);
            }
            if let Some(leak) = form.hole {
                ui.label(fill(
                    Msg::HoleLeak,
                    lang,
                    &[
                        ("rate", format!("{:.2}", leak.rate_kg_s)),
                        ("level", format!("{:.2}", leak.level_m)),
                        ("gauge", format!("{:.0}", leak.gauge_kpa)),
                        ("min", format!("{:.0}", leak.minutes_to_empty)),
                    ],
                ));
            }
        });
        ui.end_row();
        // Or the tank's liquid spilled into a pool that evaporates.
        ui.label(t(Msg::FromPool));
        ui.horizontal(|ui| {
            let mut by_pool = form.pool.is_some();
            let mut bund = form.pool.and_then(|p| p.bund_m).unwrap_or(0.0);
            let toggled = ui.checkbox(&mut by_pool, "").changed();
            let sized = by_pool
                && ui
                    .add(
                        egui::DragValue::new(&mut bund)
                            .range(0.0..=500.0)
                            .suffix(t(Msg::BundSuffix)),
                    )
                    .changed();
            if !by_pool {
                form.pool = None;
            } else if toggled || sized {
                match form.set_pool(Some(bund).filter(|b| *b > 0.0), table) {
                    Ok(_) => form.hole_error = None,
                    Err(e) => {
                        form.pool = None;
                        form.hole_error = Some(e);
                    }
                }
            }
            if let Some(p) = form.pool {
                let msg = if p.airborne_t > 0.0 {
                    Msg::BoilingPoolLeak
                } else {
                    Msg::PoolLeak
                };
                ui.label(fill(
                    msg,
                    lang,
                    &[
                        ("air", format!("{:.1}", p.airborne_t)),
                        ("rate", format!("{:.2}", p.rate_kg_s)),
                        ("d", format!("{:.0}", 2.0 * p.radius_m)),
                        ("min", format!("{:.0}", p.minutes)),
                    ],
                ));
            }
        });
        ui.end_row();
    }
    if form.pipe.is_some() {
        rupture_row(ui, form, table, lang);
    }
    ui.label(t(Msg::Rate));
    let typed = ui
        .add(
            egui::DragValue::new(&mut form.rate_kg_s)
                .range(0.001..=1e4)
                .speed(0.1)
                .suffix(" kg/s"),
        )
        .changed();
    if typed {
        // A rate typed over the hole's, the pool's or the rupture's is the operator's own.
        form.hole = None;
        form.pool = None;
        form.rupture = None;
    }
    ui.end_row();
    ui.label(t(Msg::Duration));
    ui.add(
        egui::DragValue::new(&mut form.duration_min)
            .range(0.0..=1440.0)
            .suffix(t(Msg::MinUntilClosed)),
    );
    ui.end_row();
}

/// The row of a pipe segment on record cut through: at the pressure given (its design
/// pressure offered), closed off or fed from upstream.
fn rupture_row(ui: &mut egui::Ui, form: &mut IncidentForm, table: &ChemicalTable, lang: Lang) {
    let t = |m: Msg| tr(m, lang);
    ui.label(t(Msg::FromRupture));
    ui.horizontal(|ui| {
        let design = form.pipe.map_or(0.0, |p| p.design_kpa);
        let mut on = form.rupture.is_some();
        let (mut kpa, mut fed) = form.rupture.map_or((design, false), |r| (r.gauge_kpa, r.fed));
        let toggled = ui.checkbox(&mut on, "").changed();
        let changed = on
            && (ui
                .add(
                    egui::DragValue::new(&mut kpa)
                        .range(1.0..=design.max(1.0))
                        .suffix(" kPa"),
                )
                .changed()
                | ui.checkbox(&mut fed, t(Msg::FedFromUpstream)).changed());
        if !on {
            form.rupture = None;
        } else if toggled || changed {
            match form.set_rupture(fed, kpa, table) {
                Ok(_) => form.hole_error = None,
                Err(e) => {
                    form.rupture = None;
                    form.hole_error = Some(e);
                }
            }
        }
        if let Some(e) = form.hole_error.as_ref().filter(|_| form.tank.is_none()) {
            ui.colored_label(theme::WARNING, e);
        }
        if let Some(r) = form.rupture {
            ui.label(fill(
                Msg::RuptureLeak,
                lang,
                &[
                    ("rate", format!("{:.1}", r.rate_kg_s)),
                    ("kg", format!("{:.0}", r.inventory_kg)),
                    ("min", format!("{:.0}", r.minutes)),
                ],
            ));
        }
    });
    ui.end_row();
}

/// Draws the form in `lang`; `error` is the server's last refusal, `sending` while a request
/// is on its way, `can_start` with an operator's token.
pub fn form_window(
    ctx: &egui::Context,
    form: &mut IncidentForm,
    table: &ChemicalTable,
    error: Option<&str>,
    sending: bool,
    can_start: bool,
    lang: Lang,
) -> FormAction {
    let t = |m: Msg| tr(m, lang);
    let mut action = FormAction::None;
    let mut open = true;
    egui::Window::new(t(Msg::StartIncident))
        .id(egui::Id::new("incident-form"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_pos(egui::pos2(40.0, 40.0))
        .show(ctx, |ui| {
            let what = if form.origin.is_some() {
                form.what.clone()
            } else {
                format!("{} {}", t(Msg::ThePoint), form.what)
            };
            ui.label(format!("{} {what}", t(Msg::ReleaseFrom)));
            if let Some(r) = &form.remark {
                ui.colored_label(theme::WARNING, r.text(lang));
            }
            egui::Grid::new("incident-form-grid").num_columns(2).show(ui, |ui| {
                ui.label(t(Msg::Chemical));
                let shown = match table.get(&form.chemical) {
                    Some(c) if lang == Lang::Zh => format!("{} {}", c.name_zh, c.name),
                    Some(c) => c.name.clone(),
                    None => t(Msg::Choose).to_string(),
                };
                egui::ComboBox::from_id_salt("incident-chemical")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        for c in &table.chemicals {
                            ui.selectable_value(
                                &mut form.chemical,
                                c.name.clone(),
                                format!("{} {}", c.name, c.name_zh),
                            );
                        }
                    });
                ui.end_row();
                ui.label(t(Msg::WhatHappens));
                egui::ComboBox::from_id_salt("incident-hazard")
                    .selected_text(hazard_kind(form.hazard, lang))
                    .show_ui(ui, |ui| {
                        for h in Hazard::ALL {
                            ui.selectable_value(&mut form.hazard, h, hazard_kind(h, lang));
                        }
                    });
                ui.end_row();
                match form.hazard {
                    Hazard::Cloud => {
                        ui.label(t(Msg::Release));
                        ui.horizontal(|ui| {
                            ui.radio_value(&mut form.instantaneous, false, t(Msg::OverTime));
                            ui.radio_value(&mut form.instantaneous, true, t(Msg::AllAtOnce));
                        });
                        ui.end_row();
                    }
                    Hazard::PoolFire => {
                        ui.label(t(Msg::PoolDiameter));
                        ui.add(
                            egui::DragValue::new(&mut form.pool_diameter_m)
                                .range(1.0..=MAX_POOL_DIAMETER_M)
                                .suffix(" m"),
                        );
                        ui.end_row();
                    }
                    Hazard::Explosion => {
                        ui.label(t(Msg::BlastStrength));
                        ui.add(egui::Slider::new(&mut form.blast_strength, 1..=10));
                        ui.end_row();
                    }
                    Hazard::JetFire | Hazard::Fireball => {}
                }
                if form.uses_rate() {
                    rate_rows(ui, form, table, lang);
                } else if form.hazard != Hazard::PoolFire {
                    ui.label(t(Msg::Mass));
                    ui.add(egui::DragValue::new(&mut form.mass_kg).range(1.0..=1e7).suffix(" kg"));
                    ui.end_row();
                }
                ui.label(t(Msg::Height));
                ui.add(egui::DragValue::new(&mut form.height_m).range(0.0..=100.0).suffix(" m"));
                ui.end_row();
                if form.hazard.is_cloud() {
                    ui.label(t(Msg::Levels));
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut form.levels, "aegl".to_string(), "AEGL 60 min");
                        ui.radio_value(&mut form.levels, "erpg".to_string(), "ERPG");
                        ui.radio_value(&mut form.levels, "lel".to_string(), t(Msg::LevelsFlammable));
                    });
                    ui.end_row();
                    ui.label(t(Msg::CloudModelLabel));
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut form.cloud_model, CloudModel::Auto, t(Msg::CloudModelAuto));
                        ui.radio_value(&mut form.cloud_model, CloudModel::Gaussian, t(Msg::CloudModelGaussian));
                        ui.radio_value(&mut form.cloud_model, CloudModel::Dense, t(Msg::CloudModelDense));
                    });
                    ui.end_row();
                }
            });
            ui.separator();
            let w = &mut form.weather;
            match (&form.station, form.what_if) {
                (Some(s), false) => {
                    ui.label(fill(
                        Msg::WeatherFollows,
                        lang,
                        &[
                            ("station", s.clone()),
                            ("speed", format!("{:.1}", w.wind_speed_ms)),
                            ("from", format!("{:.0}", w.wind_from_deg)),
                            ("temp", format!("{:.0}", w.temperature_c)),
                        ],
                    ));
                }
                (None, false) => {
                    ui.colored_label(theme::WARNING, t(Msg::NoStation));
                }
                _ => {}
            }
            ui.checkbox(&mut form.what_if, t(Msg::WhatIf));
            if form.what_if {
                egui::Grid::new("incident-weather").num_columns(2).show(ui, |ui| {
                    ui.label(t(Msg::WindSpeed));
                    ui.add(
                        egui::DragValue::new(&mut w.wind_speed_ms)
                            .range(0.5..=30.0)
                            .speed(0.1)
                            .suffix(" m/s"),
                    );
                    ui.end_row();
                    ui.label(t(Msg::WindFrom));
                    ui.add(
                        egui::DragValue::new(&mut w.wind_from_deg)
                            .range(0.0..=359.0)
                            .suffix("°"),
                    );
                    ui.end_row();
                    ui.label(t(Msg::Temperature));
                    ui.add(
                        egui::DragValue::new(&mut w.temperature_c)
                            .range(-40.0..=50.0)
                            .suffix(" °C"),
                    );
                    ui.end_row();
                    ui.label(t(Msg::Stability));
                    egui::ComboBox::from_id_salt("incident-class")
                        .selected_text(w.stability.as_deref().unwrap_or(t(Msg::FromSunAndWind)))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut w.stability, None, t(Msg::FromSunAndWind));
                            for c in ["A", "B", "C", "D", "E", "F"] {
                                ui.selectable_value(&mut w.stability, Some(c.to_string()), c);
                            }
                        });
                    ui.end_row();
                });
            }
            ui.horizontal(|ui| {
                ui.label(t(Msg::Note));
                ui.text_edit_singleline(&mut form.note);
            });
            let checked = form.request(table, time::OffsetDateTime::now_utc());
            let problem = error
                .map(str::to_string)
                .or_else(|| checked.as_ref().err().map(|e| e.text(lang)));
            if let Some(e) = problem {
                ui.colored_label(theme::ERROR, e);
            }
            ui.horizontal(|ui| {
                let ready = can_start && !sending && checked.is_ok();
                let start = ui.add_enabled(ready, egui::Button::new(t(Msg::StartTheIncident)));
                let start = if can_start {
                    start
                } else {
                    start.on_disabled_hover_text(t(Msg::NeedsToken))
                };
                if start.clicked()
                    && let Ok(req) = checked
                {
                    action = FormAction::Start(Box::new(req));
                }
                if sending {
                    ui.spinner();
                    ui.label(t(Msg::Starting));
                }
                if ui.button(t(Msg::Cancel)).clicked() {
                    action = FormAction::Cancel;
                }
            });
        });
    if !open {
        action = FormAction::Cancel;
    }
    action
}

/// The open form, and the request on its way.
#[derive(Resource, Default)]
pub struct FormState {
    /// The form on screen.
    pub form: Option<IncidentForm>,
    /// The server's refusal of the last request.
    pub error: Option<String>,
    pending: Option<Receiver<Result<Incident, String>>>,
    /// The started incident, to show once the feed brings it.
    show_when_here: Option<String>,
}

impl FormState {
    /// Opens `form` with the nearest station's latest report (as the live state has it).
    pub fn open(&mut self, form: IncidentForm, live: &Live, data: Option<&ParkData>) {
        let stations = data.map(|d| station_positions(&d.layers)).unwrap_or_default();
        self.form = Some(form.with_nearest_weather(live.0.weather.values(), |s| stations.get(s).copied()));
        self.error = None;
    }
}

/// Shows the form, sends its request off the frame loop, and shows the started incident when
/// the feed brings it.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
pub fn incident_form(
    mut contexts: EguiContexts,
    mut state: ResMut<FormState>,
    token: Res<OperatorToken>,
    server: Res<ServerUrl>,
    live: Res<Live>,
    action: Res<ActionStatus>,
    lang: Res<Lang>,
    mut shown: ResMut<ShownIncident>,
) -> Result {
    if let Some(rx) = &state.pending
        && let Ok(outcome) = rx.try_recv()
    {
        state.pending = None;
        match outcome {
            Ok(inc) => {
                if let Ok(mut s) = action.0.lock() {
                    *s = Some(format!("{} {} ({})", tr(Msg::Started, *lang), inc.id, inc.chemical));
                }
                state.show_when_here = Some(inc.id);
                state.form = None;
            }
            Err(e) => state.error = Some(e),
        }
    }
    if let Some(id) = &state.show_when_here
        && live.0.incidents.contains_key(id)
    {
        shown.0 = state.show_when_here.take();
    }
    let ctx = contexts.ctx_mut()?.clone();
    let sending = state.pending.is_some();
    let state = &mut *state;
    let Some(form) = &mut state.form else { return Ok(()) };
    match form_window(
        &ctx,
        form,
        chemicals(),
        state.error.as_deref(),
        sending,
        token.0.is_some(),
        *lang,
    ) {
        FormAction::None => {}
        FormAction::Cancel => {
            state.form = None;
            state.error = None;
        }
        FormAction::Start(req) => {
            let Some(token) = token.0.clone() else { return Ok(()) };
            let server = server.0.clone();
            let (tx, rx) = bounded(1);
            crate::net::spawn("start-incident", move || async move {
                let api = parktwin_api::client::ApiClient::new(&server);
                let _ = tx.send(api.start_incident(&req, &token).await.map_err(|e| e.to_string()));
            });
            state.pending = Some(rx);
            state.error = None;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::form::tests::{props, report, table};

    /// Drives the form as an operator does, through egui itself: each pass is one frame with
    /// the pointer events given; widgets are found by their accessibility labels.
    /// The form on a headless screen.
    struct Screen {
        screen: crate::egui_screen::Screen,
        lang: Lang,
    }

    impl Screen {
        fn new() -> Self {
            Self {
                screen: crate::egui_screen::Screen::new(),
                lang: Lang::En,
            }
        }

        fn frame(&mut self, form: &mut IncidentForm, can_start: bool, events: Vec<egui::Event>) -> FormAction {
            let (mut action, lang) = (FormAction::None, self.lang);
            self.screen.frame(events, &mut |ui| {
                action = form_window(ui.ctx(), form, table(), None, false, can_start, lang);
            });
            action
        }

        fn find(&self, label: &str) -> &egui::accesskit::Node {
            self.screen.find(label)
        }

        fn shows(&self, text: &str) -> bool {
            self.screen.shows(text)
        }

        /// Clicks the widget labelled `label`; what the form did on the release.
        fn click(&mut self, form: &mut IncidentForm, can_start: bool, label: &str) -> FormAction {
            let (mut action, lang) = (FormAction::None, self.lang);
            self.screen.click(label, &mut |ui| {
                action = form_window(ui.ctx(), form, table(), None, false, can_start, lang);
            });
            action
        }
    }

    #[test]
    fn the_form_on_screen_shows_what_was_prefilled_and_its_start_button_sends_it() {
        let tank = props(serde_json::json!({"name": "Delta-T01", "chemical": "chlorine", "inventory_t": 12.0}));
        let mut form = IncidentForm::from_feature("tank-001", &tank, 118.45, 37.57, 14.0, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let mut screen = Screen::new();
        screen.frame(&mut form, false, vec![]);
        screen.frame(&mut form, false, vec![]);
        assert!(screen.shows("Release from tank-001 (Delta-T01)"));
        assert!(screen.shows("chlorine"), "the chemical is prefilled on screen");
        assert!(screen.shows("station ws-1"), "the station's weather is shown");
        // Without an operator's token the button is there but does nothing.
        assert!(screen.find("Start the incident").is_disabled());
        assert_eq!(screen.click(&mut form, false, "Start the incident"), FormAction::None);
        // With one, it sends exactly the form's request.
        screen.frame(&mut form, true, vec![]);
        assert!(!screen.find("Start the incident").is_disabled());
        let expected = form.request(table(), time::OffsetDateTime::now_utc()).expect("valid");
        match screen.click(&mut form, true, "Start the incident") {
            // Started when the button was pressed.
            FormAction::Start(req) => assert_eq!(
                NewIncident {
                    start: expected.start.clone(),
                    ..*req
                },
                expected
            ),
            other => panic!("the button did not start the incident: {other:?}"),
        }
        // "All at once" turns the release into the tank's inventory as a mass.
        screen.click(&mut form, true, "all at once");
        assert!(form.instantaneous);
        assert!(screen.shows("Mass"));
        assert_eq!(screen.click(&mut form, true, "Cancel"), FormAction::Cancel);
        // The same form in Chinese.
        let mut zh = Screen::new();
        zh.lang = Lang::Zh;
        zh.frame(&mut form, true, vec![]);
        zh.frame(&mut form, true, vec![]);
        assert!(zh.shows("泄漏源 tank-001 (Delta-T01)"));
        assert!(
            zh.shows("氯气 chlorine") || zh.shows("氯 chlorine"),
            "the chemical's Chinese name"
        );
        assert!(!zh.find("确认发起").is_disabled());
    }

    #[test]
    fn a_form_with_no_chemical_cannot_be_sent_and_says_why() {
        let mut form = IncidentForm::at_point(118.45, 37.57)
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]));
        let mut screen = Screen::new();
        screen.frame(&mut form, true, vec![]);
        screen.frame(&mut form, true, vec![]);
        assert!(screen.shows("choose the chemical"));
        assert!(screen.find("Start the incident").is_disabled());
        assert_eq!(screen.click(&mut form, true, "Start the incident"), FormAction::None);
    }
}
