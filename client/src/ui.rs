//! The operator's panel (egui): the park and its live state (connection, data age, counts,
//! gates, the alarm feed with acknowledge and fly-to), search, identify, the layer tree with
//! toggles and legends, the language switch, labels on the map, and the loading screen.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, egui};
use parktwin_api::live::LiveState;
use parktwin_api::model::{Alarm, AlarmTier, Role, SensorLevel};
use parktwin_layers::LayerRegistry;
use parktwin_layers::live::Live;
use parktwin_scene::{FeatureRef, OrbitCamera, ParkData, PointMarker, PointerOverUi, Selection};

use crate::feed::FeedStatus;
use crate::i18n::{Lang, Msg, rule_name, tr};
use crate::loader::LoadStatus;
use crate::pick::{History, Inspect};
use crate::search::{Entry, park_entries, search};
use crate::{ActionStatus, OperatorToken, ServerUrl};

/// Each gate's passes in and out over the last day.
type GateCounts = std::collections::BTreeMap<String, (usize, usize)>;

/// Width of the side panel, logical pixels.
pub const PANEL_WIDTH: f32 = 300.0;

/// Closer than this (metres from the camera's target), detectors show their readings.
pub const LABEL_DISTANCE: f32 = 900.0;

fn swatch(ui: &mut egui::Ui, c: [u8; 3]) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    ui.painter()
        .rect_filled(rect, 2.0, egui::Color32::from_rgb(c[0], c[1], c[2]));
}

/// Adds the bundled CJK font to egui once, as a fallback after its own fonts, so that Chinese
/// shows on every machine and in the browser alike.
pub fn install_fonts(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    *done = true;
    let mut fonts = egui::FontDefinitions::default();
    fonts
        .font_data
        .insert("cjk".into(), egui::FontData::from_static(crate::i18n::CJK_FONT).into());
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("cjk".into());
    }
    let ctx = contexts.ctx_mut()?;
    ctx.set_fonts(fonts);
    // A press and release on the same widget is a click however long it was held, as on any
    // desktop. egui's default (0.8 s, for touch screens' long press) measures the hold in frame
    // times, so on a slow frame (a software GPU, a wall-sized canvas) the panel could not be
    // clicked at all.
    ctx.options_mut(|o| o.input_options.max_click_duration = 30.0);
    Ok(())
}

/// What the search box holds between frames.
#[derive(Default)]
pub struct SearchState {
    query: String,
    park: Vec<Entry>,
}

/// What the panel reads and changes.
#[derive(SystemParam)]
pub struct Panel<'w, 's> {
    contexts: EguiContexts<'w, 's>,
    status: Res<'w, LoadStatus>,
    data: Option<Res<'w, ParkData>>,
    registry: ResMut<'w, LayerRegistry>,
    over_ui: ResMut<'w, PointerOverUi>,
    live: Res<'w, Live>,
    feed: Res<'w, FeedStatus>,
    lang: ResMut<'w, Lang>,
    selection: ResMut<'w, Selection>,
    inspect: Res<'w, Inspect>,
    token: ResMut<'w, OperatorToken>,
    sign_in: Local<'s, SignIn>,
    toggle_rects: ResMut<'w, LayerToggleRects>,
    action: Res<'w, ActionStatus>,
    server: Res<'w, ServerUrl>,
    commands: Commands<'w, 's>,
    search: Local<'s, SearchState>,
    rig: Query<'w, 's, &'static OrbitCamera>,
    places: crate::pick::Places<'w, 's>,
    markers: Query<'w, 's, (&'static FeatureRef, &'static GlobalTransform), With<PointMarker>>,
    cameras: Query<'w, 's, (&'static Camera, &'static GlobalTransform)>,
    windows: Query<'w, 's, &'static Window, With<PrimaryWindow>>,
    described: Res<'w, parktwin_layers::described::DescribedLayers>,
    identified: Res<'w, parktwin_layers::Identified>,
    incidents: Res<'w, parktwin_layers::incident::IncidentView>,
    incident_zones: Res<'w, parktwin_layers::incident::IncidentZones>,
    shown_incident: Res<'w, parktwin_layers::incident::ShownIncident>,
    threat_chart: Local<'s, Option<(String, f64, f64)>>,
    form: ResMut<'w, crate::incident_form::FormState>,
    clicked: ResMut<'w, crate::pick::ClickedPoint>,
    labels: Query<
        'w,
        's,
        (
            &'static parktwin_scene::MapLabel,
            &'static parktwin_scene::LayerMember,
            &'static InheritedVisibility,
        ),
    >,
}

/// The feature an alarm is about.
fn alarm_feature(a: &Alarm) -> FeatureRef {
    let layer = if a.rule.starts_with("detector") {
        "detectors"
    } else {
        "vehicles"
    };
    FeatureRef {
        layer: layer.into(),
        feature: a.source.clone(),
    }
}

/// Draws the panel, the map labels and the loading screen.
pub fn panel(mut p: Panel) -> Result {
    let ctx = p.contexts.ctx_mut()?.clone();
    let lang = *p.lang;
    if p.search.park.is_empty()
        && let Some(d) = &p.data
    {
        p.search.park = park_entries(d);
    }
    // Each gate's passes, counted once a frame for the map and the panel.
    let gates = p.live.0.gate_counts();
    map_labels(&ctx, &p, &gates, lang);
    let mut root = egui::Ui::new(
        ctx.clone(),
        "parktwin-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut go: Option<FeatureRef> = None;
    let mut toggles = Vec::new();
    let mut toggle_rects = std::collections::BTreeMap::new();
    let mut fades = Vec::new();
    egui::Panel::right("parktwin-panel")
        .exact_size(PANEL_WIDTH)
        .resizable(false)
        .show(&mut root, |ui| {
            ui.horizontal(|ui| {
                ui.heading("ParkTwin");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(tr(Msg::SwitchLang, lang)).clicked() {
                        *p.lang = if lang == Lang::En { Lang::Zh } else { Lang::En };
                    }
                });
            });
            match &p.data {
                Some(d) => {
                    ui.label(
                        egui::RichText::new(if lang == Lang::Zh {
                            &d.park.name_zh
                        } else {
                            &d.park.name
                        })
                        .strong(),
                    );
                    let by_level = crate::wall::kpi::hazards_by_level(&d.hazards);
                    let lv = tr(Msg::Level, lang);
                    ui.label(format!(
                        "{}: {} (1{lv}: {}, 2{lv}: {}, 3{lv}: {}, 4{lv}: {})",
                        tr(Msg::MajorHazards, lang),
                        d.hazards.len(),
                        by_level[0],
                        by_level[1],
                        by_level[2],
                        by_level[3]
                    ));
                }
                None => {
                    ui.label(p.status.describe());
                }
            }
            sign_in_section(ui, &mut p, lang);
            egui::ScrollArea::vertical().show(ui, |ui| {
                incident_section(ui, &mut p);
                go = live_section(ui, &p, &gates, lang).or(go.take());
                ui.separator();
                go = search_section(ui, &mut p, lang).or(go.take());
                identify_section(ui, &mut p, lang);
                point_section(ui, &mut p);
                ui.separator();
                ui.strong(tr(Msg::Layers, lang));
                if !p.described.problems.is_empty() {
                    ui.colored_label(egui::Color32::from_rgb(255, 90, 90), tr(Msg::LayerProblems, lang));
                    for e in &p.described.problems {
                        ui.colored_label(
                            egui::Color32::from_rgb(255, 150, 150),
                            egui::RichText::new(e.to_string()).small(),
                        );
                    }
                }
                for (group, layers) in p.registry.by_group() {
                    let title = if lang == Lang::Zh {
                        group.title_zh()
                    } else {
                        group.title()
                    };
                    egui::CollapsingHeader::new(title)
                        .id_salt(group.title())
                        .default_open(true)
                        .show(ui, |ui| {
                            for l in layers {
                                let mut on = l.visible;
                                let name = if lang == Lang::Zh {
                                    &l.info.title_zh
                                } else {
                                    &l.info.title
                                };
                                let label = format!("{name} ({})", l.info.feature_count);
                                // A stable id: an automatic one counts the widgets above,
                                // and when the live section above changes between a press and
                                // its release (a slow frame, a busy feed) the click was lost.
                                let toggle = ui.push_id(&l.info.id, |ui| ui.checkbox(&mut on, label)).inner;
                                if toggle.changed() {
                                    toggles.push((l.info.id.clone(), on));
                                }
                                toggle_rects.insert(l.info.id.clone(), toggle.rect);
                                if on {
                                    ui.indent(&l.info.id, |ui| {
                                        let mut opacity = l.opacity;
                                        let slider = egui::Slider::new(&mut opacity, 0.0..=1.0)
                                            .text(tr(Msg::Opacity, lang))
                                            .fixed_decimals(1);
                                        if ui.add(slider).changed() {
                                            fades.push((l.info.id.clone(), opacity));
                                        }
                                        for item in &l.legend {
                                            ui.horizontal(|ui| {
                                                swatch(ui, item.colour);
                                                ui.small(if lang == Lang::Zh { &item.label_zh } else { &item.label });
                                            });
                                        }
                                    });
                                }
                            }
                        });
                }
                ui.separator();
                ui.small(tr(Msg::Help, lang));
            });
        });
    p.toggle_rects.0 = toggle_rects;
    for (id, on) in toggles {
        p.registry.set_visible(&id, on);
    }
    for (id, opacity) in fades {
        p.registry.set_opacity(&id, opacity);
    }
    if let Some(f) = go {
        crate::pick::select_and_fly(f, &p.places, &p.rig, &mut p.commands, &mut p.selection);
    }
    if p.data.is_none() {
        loading_screen(&ctx, &p.status, lang);
    }
    p.over_ui.0 = ctx.is_pointer_over_egui() || ctx.egui_wants_pointer_input();
    Ok(())
}

/// Where each layer's on/off box was drawn last frame (the browser build publishes it for
/// the page's tests; the panel is painted, so there is no DOM to find it in).
#[derive(Resource, Debug, Default, Clone)]
pub struct LayerToggleRects(pub std::collections::BTreeMap<String, egui::Rect>);

/// The sign-in box's state: the token being typed, and the check under way.
#[derive(Default)]
pub struct SignIn {
    typed: String,
    pending: Option<(
        String,
        crossbeam_channel::Receiver<Result<parktwin_api::model::Session, String>>,
    )>,
    who: Option<String>,
    error: Option<String>,
}

fn sign_in_section(ui: &mut egui::Ui, p: &mut Panel, lang: Lang) {
    sign_in_box(ui, &mut p.sign_in, &mut p.token.0, &p.server.0, lang);
    // An operator sends what this map shows to the command centre's walls.
    if let (Some(token), Some(d), Ok(cam)) = (p.token.0.clone(), &p.data, p.rig.single())
        && ui.button(tr(Msg::SendToWall, lang)).clicked()
    {
        let camera = crate::wall::bookmark_of(&d.park.frame(), cam);
        let shown: Vec<String> = p
            .registry
            .layers()
            .iter()
            .filter(|l| l.visible)
            .map(|l| l.info.id.clone())
            .collect();
        let incident = p.shown_incident.0.clone();
        let focus = p.selection.0.as_ref().map(|f| f.feature.clone());
        let (server, status) = (p.server.0.clone(), p.action.0.clone());
        set_status(&p.action, Some(tr(Msg::SendingToWall, lang).to_string()));
        crate::net::spawn("send-to-wall", move || async move {
            let said = match crate::wall::send_view(&server, &token, camera, shown, incident, focus).await {
                Ok(v) => format!("{} {}", tr(Msg::SentToWall, lang), v.rev),
                Err(e) => format!("{}: {e}", tr(Msg::SendToWall, lang)),
            };
            if let Ok(mut s) = status.lock() {
                *s = Some(said);
            }
        });
    }
}

/// Sign in with an operator's token (checked by the server's `/session` before it is kept),
/// or sign out. A token given on the command line counts as signed in.
pub fn sign_in_box(ui: &mut egui::Ui, s: &mut SignIn, token: &mut Option<String>, server: &str, lang: Lang) {
    if let Some((typed, rx)) = &s.pending
        && let Ok(outcome) = rx.try_recv()
    {
        match outcome {
            Ok(session) if matches!(session.role, Role::Operator | Role::Admin) => {
                *token = Some(typed.clone());
                s.who = Some(session.name);
                s.typed.clear();
                s.error = None;
            }
            Ok(session) => {
                s.error = Some(format!(
                    "a token of the {} role cannot act as an operator",
                    format!("{:?}", session.role).to_lowercase()
                ));
            }
            Err(e) => s.error = Some(e),
        }
        s.pending = None;
    }
    if token.is_some() {
        ui.horizontal(|ui| {
            ui.label(tr(Msg::SignedIn, lang));
            ui.strong(s.who.as_deref().unwrap_or("operator"));
            if ui.small_button(tr(Msg::SignOut, lang)).clicked() {
                *token = None;
                s.who = None;
            }
        });
        return;
    }
    egui::CollapsingHeader::new(tr(Msg::OperatorSignIn, lang))
        .id_salt("sign-in")
        .show(ui, |ui| {
            ui.small(tr(Msg::SignInWhy, lang));
            ui.horizontal(|ui| {
                let field = ui.add(
                    egui::TextEdit::singleline(&mut s.typed)
                        .password(true)
                        .hint_text(tr(Msg::TokenHint, lang))
                        .desired_width(PANEL_WIDTH - 110.0),
                );
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let ready = !s.typed.trim().is_empty() && s.pending.is_none();
                let label = if s.pending.is_some() {
                    tr(Msg::Checking, lang)
                } else {
                    tr(Msg::SignIn, lang)
                };
                if (ui.add_enabled(ready, egui::Button::new(label)).clicked() || (enter && ready))
                    && s.pending.is_none()
                {
                    let (typed, server) = (s.typed.trim().to_string(), server.to_string());
                    let (tx, rx) = crossbeam_channel::bounded(1);
                    let t = typed.clone();
                    crate::net::spawn("sign-in", move || async move {
                        let api = parktwin_api::client::ApiClient::new(&server);
                        let _ = tx.send(api.session(&t).await.map_err(|e| e.to_string()));
                    });
                    s.pending = Some((typed, rx));
                    s.error = None;
                }
            });
            if let Some(e) = &s.error {
                ui.colored_label(egui::Color32::from_rgb(255, 120, 120), e);
            }
        });
}

fn loading_screen(ctx: &egui::Context, status: &LoadStatus, lang: Lang) {
    egui::Area::new(egui::Id::new("loading"))
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(-PANEL_WIDTH / 2.0, 0.0))
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(420.0);
                match status {
                    LoadStatus::Retrying { server, error, attempt } => {
                        ui.heading(tr(Msg::CannotReach, lang));
                        ui.label(format!("{} {server}", tr(Msg::Tried, lang)));
                        ui.label(error);
                        ui.label(format!(
                            "{} {} {} ({} {attempt})…",
                            tr(Msg::RetryingEvery, lang),
                            crate::loader::RETRY_SECS,
                            tr(Msg::Seconds, lang),
                            tr(Msg::Attempt, lang)
                        ));
                    }
                    LoadStatus::Loading { done, total, .. } => {
                        ui.heading(tr(Msg::LoadingPark, lang));
                        ui.label(status.describe());
                        if *total > 0 {
                            ui.add(egui::ProgressBar::new(*done as f32 / *total as f32).show_percentage());
                        }
                    }
                    LoadStatus::Ready => {}
                }
            });
        });
}

/// The colour of the alarm tier, on the panel and the wall.
pub(crate) const ALARM_RED: egui::Color32 = egui::Color32::from_rgb(255, 60, 60);
/// The colour of the warning tier.
pub(crate) const WARNING_AMBER: egui::Color32 = egui::Color32::from_rgb(255, 200, 0);
/// The colour of the reminder tier.
pub(crate) const REMINDER_BLUE: egui::Color32 = egui::Color32::from_rgb(120, 180, 255);

/// An alarm tier's colour and name.
pub(crate) fn tier_style(t: AlarmTier, lang: Lang) -> (egui::Color32, &'static str) {
    match t {
        AlarmTier::Alarm => (ALARM_RED, tr(Msg::TierAlarm, lang)),
        AlarmTier::Warning => (WARNING_AMBER, tr(Msg::TierWarning, lang)),
        AlarmTier::Reminder => (REMINDER_BLUE, tr(Msg::TierReminder, lang)),
    }
}

/// Connection state and data age, counts, gates, and the open alarms (newest first) with
/// acknowledge and fly-to. Returns what the operator asked to fly to.
fn live_section(ui: &mut egui::Ui, p: &Panel, gates: &GateCounts, lang: Lang) -> Option<FeatureRef> {
    let (live, feed) = (&p.live.0, &*p.feed);
    ui.separator();
    match (&feed.error, feed.last_ok) {
        (Some(e), _) => {
            ui.colored_label(egui::Color32::from_rgb(255, 90, 90), tr(Msg::Offline, lang));
            ui.small(e);
        }
        (None, Some(_)) if feed.snapshot_at.is_some() => {
            let at = feed.snapshot_at.as_deref().unwrap_or("");
            ui.colored_label(
                egui::Color32::from_rgb(80, 220, 120),
                format!("{} {at}", tr(Msg::SnapshotAt, lang)),
            );
        }
        (None, Some(t)) => {
            ui.colored_label(
                egui::Color32::from_rgb(80, 220, 120),
                format!(
                    "{} {} {}",
                    tr(Msg::LiveAge, lang),
                    t.elapsed().as_secs(),
                    tr(Msg::Seconds, lang)
                ),
            );
        }
        (None, None) => {
            ui.label(tr(Msg::Connecting, lang));
        }
    }
    let count = |l: SensorLevel| {
        live.sensors
            .values()
            .filter(|s| s.layer == "detectors" && s.level == l)
            .count()
    };
    ui.label(format!(
        "{}: {} {}, {} {}, {} {}, {} {}",
        tr(Msg::Detectors, lang),
        count(SensorLevel::Normal),
        tr(Msg::Normal, lang),
        count(SensorLevel::Warning),
        tr(Msg::Warning, lang),
        count(SensorLevel::Alarm),
        tr(Msg::Alarm, lang),
        count(SensorLevel::NoData),
        tr(Msg::NoData, lang)
    ));
    ui.label(format!("{}: {}", tr(Msg::TrucksInPark, lang), live.vehicles.len()));
    if let Some(w) = live.weather.values().max_by(|a, b| a.time.cmp(&b.time)) {
        ui.label(format!(
            "{} {:.1} m/s, {} {:.0}°, {:.1} °C ({})",
            tr(Msg::Wind, lang),
            w.wind_speed_ms,
            tr(Msg::From, lang),
            w.wind_from_deg,
            w.temperature_c,
            w.station
        ));
    }
    if !gates.is_empty() {
        let text: Vec<String> = gates
            .iter()
            .map(|(g, (i, o))| format!("{g} {} {i} / {} {o}", tr(Msg::In, lang), tr(Msg::Out, lang)))
            .collect();
        ui.small(format!("{}: {}", tr(Msg::Gates, lang), text.join("; ")));
    }
    ui.strong(format!("{} ({})", tr(Msg::OpenAlarms, lang), live.alarms.len()));
    let mut go = None;
    for a in live.alarms.values().rev().take(12) {
        let (c, t) = tier_style(a.tier, lang);
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                c,
                format!(
                    "{t} {} · {} {:.2} · {}",
                    a.source,
                    rule_name(&a.rule, lang),
                    a.value,
                    a.raised.get(11..19).unwrap_or("")
                ),
            );
            if ui.small_button(tr(Msg::FlyTo, lang)).clicked() {
                go = Some(alarm_feature(a));
            }
            match &a.acknowledged {
                Some(ack) => {
                    ui.small(format!("✔ {} {}", tr(Msg::Acked, lang), ack.by));
                }
                None => {
                    // A drill's alarms (negative ids) are the drill's, not the server's to ack.
                    if let Some(token) = &p.token.0
                        && a.id > 0
                        && ui.small_button(tr(Msg::Ack, lang)).clicked()
                    {
                        acknowledge(&p.server.0, token, a.id, &p.action);
                    }
                }
            }
        });
    }
    if let Some(msg) = p.action.0.lock().ok().and_then(|m| m.clone()) {
        ui.small(msg);
    }
    go
}

/// The card of the incident on show, and what its buttons ask for.
fn incident_section(ui: &mut egui::Ui, p: &mut Panel) {
    let Some(id) = p.shown_incident.0.clone() else { return };
    let Some(state) = p.incidents.incidents.get(&id) else {
        return;
    };
    let can_close = p.token.0.is_some();
    // A click anywhere on the map shows the threat there.
    if p.clicked.is_changed()
        && let Some((_, [lon, lat])) = p.clicked.0
    {
        *p.threat_chart = Some((format!("{lat:.5} N, {lon:.5} E"), lon, lat));
    }
    let lang = *p.lang;
    crate::incident_ui::map_legend(ui.ctx(), state, lang);
    let act = crate::incident_ui::incident_card(
        ui,
        state,
        p.incident_zones.0.get(&id),
        can_close,
        &mut p.threat_chart,
        lang,
    );
    if let Some(path) = act.screenshot {
        use bevy::render::view::screenshot::{Screenshot, save_to_disk};
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        p.commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path.clone()));
        set_status(&p.action, Some(format!("saved {}", path.display())));
    }
    if let Some(m) = act.message {
        set_status(&p.action, Some(m));
    }
    if let (Some(id), Some(token)) = (act.close, p.token.0.clone()) {
        let (server, status) = (p.server.0.clone(), p.action.0.clone());
        crate::net::spawn("close-incident", move || async move {
            let outcome = parktwin_api::client::ApiClient::new(&server)
                .close_incident(&id, &token)
                .await
                .err()
                .map(|e| format!("closing {id}: {e}"));
            if let Ok(mut s) = status.lock() {
                *s = outcome;
            }
        });
    }
    ui.separator();
}

fn set_status(status: &ActionStatus, message: Option<String>) {
    if let Ok(mut s) = status.0.lock() {
        *s = message;
    }
}

/// Acknowledges an alarm off the frame loop; the feed brings the acknowledgement back and a
/// failure shows under the list.
fn acknowledge(server: &str, token: &str, id: i64, status: &ActionStatus) {
    let (server, token, status) = (server.to_string(), token.to_string(), status.0.clone());
    crate::net::spawn("acknowledge", move || async move {
        let outcome = match parktwin_api::client::ApiClient::new(&server)
            .ack_alarm(id, &token)
            .await
        {
            Ok(_) => None,
            Err(e) => Some(format!("alarm {id}: {e}")),
        };
        if let Ok(mut s) = status.lock() {
            *s = outcome;
        }
    });
}

/// The search box and its hits (trucks by plate from the live state, the rest from the park).
fn search_section(ui: &mut egui::Ui, p: &mut Panel, lang: Lang) -> Option<FeatureRef> {
    ui.horizontal(|ui| {
        ui.label(tr(Msg::Search, lang));
        ui.add(egui::TextEdit::singleline(&mut p.search.query).hint_text(tr(Msg::SearchHint, lang)));
    });
    if p.search.query.trim().is_empty() {
        return None;
    }
    let trucks: Vec<Entry> = p
        .live
        .0
        .vehicles
        .keys()
        .map(|plate| Entry {
            feature: FeatureRef {
                layer: "vehicles".into(),
                feature: plate.clone(),
            },
            name: plate.clone(),
            name_zh: String::new(),
        })
        .collect();
    let hits = search(p.search.park.iter().chain(&trucks), &p.search.query, 8);
    if hits.is_empty() {
        ui.small(tr(Msg::NoMatch, lang));
    }
    let mut go = None;
    for h in hits {
        let kind = match h.feature.layer.as_str() {
            "enterprises" => tr(Msg::Enterprise, lang),
            "detectors" => tr(Msg::Detector, lang),
            "vehicles" => tr(Msg::Vehicle, lang),
            _ => tr(Msg::Gate, lang),
        };
        let name = if lang == Lang::Zh && !h.name_zh.is_empty() {
            &h.name_zh
        } else {
            &h.name
        };
        if ui.link(format!("{name} ({kind})")).clicked() {
            go = Some(h.feature.clone());
        }
    }
    go
}

/// The selected thing's properties, and its last hour: a detector's readings against its
/// thresholds, a truck's cargo, waybill and track.
fn identify_section(ui: &mut egui::Ui, p: &mut Panel, lang: Lang) {
    let Some(sel) = p.selection.0.clone() else { return };
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(format!("{}: {}", tr(Msg::Identify, lang), sel.feature));
        if ui.small_button(tr(Msg::Close, lang)).clicked() {
            p.selection.0 = None;
        }
    });
    if let Some(d) = &p.data
        && let Some(feature) = find_feature(d, &sel)
        && start_button(ui, p.token.0.is_some(), lang)
        && let Some(form) = crate::incident_form::form_for_feature(
            &sel.feature,
            feature,
            p.clicked.0.map(|(_, ll)| ll),
            parktwin_layers::incident::chemicals(),
        )
    {
        p.form.open(form, &p.live, Some(d));
    }
    let live = &p.live.0;
    if p.identified.of.as_ref() == Some(&sel) {
        egui::Grid::new("identified")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for r in &p.identified.rows {
                    ui.small(if lang == Lang::Zh { &r.label_zh } else { &r.label });
                    ui.small(&r.value);
                    ui.end_row();
                }
            });
    } else if sel.layer == "vehicles" {
        vehicle_card(ui, live, &sel.feature, lang);
    } else if let Some(props) = p.data.as_ref().and_then(|d| feature_properties(d, &sel)) {
        egui::Grid::new("props").num_columns(2).striped(true).show(ui, |ui| {
            for (k, v) in props {
                ui.small(k);
                ui.small(match &v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                ui.end_row();
            }
        });
        if let Some(s) = live.sensors.get(&sel.feature) {
            ui.label(format!(
                "{}: {} {} ({:?})",
                tr(Msg::Reading, lang),
                s.value.map_or("—".into(), |v| format!("{v:.3}")),
                s.unit.as_deref().unwrap_or(""),
                s.level
            ));
        }
    }
    match &p.inspect.history {
        History::Loading => {
            ui.small(tr(Msg::Loading, lang));
        }
        History::Failed(e) => {
            ui.colored_label(egui::Color32::from_rgb(255, 90, 90), e);
        }
        History::Readings(obs, at) => {
            let s = live.sensors.get(&sel.feature);
            detector_chart(ui, obs, *at, s.and_then(|s| s.warn), s.and_then(|s| s.alarm), lang);
        }
        History::Track(fixes) => {
            ui.small(format!(
                "{}: {} {}",
                tr(Msg::TrackHour, lang),
                fixes.len(),
                tr(Msg::Fixes, lang)
            ));
        }
        History::None => {}
    }
}

fn vehicle_card(ui: &mut egui::Ui, live: &LiveState, plate: &str, lang: Lang) {
    if let Some(v) = live.vehicles.get(plate) {
        ui.label(format!(
            "{}: {:.0} km/h, {:.0}°",
            tr(Msg::Speed, lang),
            v.speed_kmh,
            v.heading_deg
        ));
    }
    match live.waybills.get(plate) {
        Some(w) => {
            ui.label(format!(
                "{}: {} {} ({}), {} t",
                tr(Msg::Cargo, lang),
                w.un_number,
                w.cargo,
                w.id,
                w.tonnes
            ));
            if let Some(d) = &w.destination {
                ui.label(format!("{}: {d}", tr(Msg::Destination, lang)));
            }
        }
        None => {
            ui.colored_label(egui::Color32::from_rgb(255, 90, 90), tr(Msg::NoWaybill, lang));
        }
    }
}

/// A detector's last hour against its warning and alarm thresholds.
fn detector_chart(
    ui: &mut egui::Ui,
    obs: &[parktwin_api::model::Observation],
    now: time::OffsetDateTime,
    warn: Option<f64>,
    alarm: Option<f64>,
    lang: Lang,
) {
    use egui_plot::{HLine, Line, Plot, PlotPoints};
    let points: PlotPoints = obs
        .iter()
        .filter_map(|o| {
            let t = time::OffsetDateTime::parse(&o.time, &time::format_description::well_known::Rfc3339).ok()?;
            Some([(t - now).as_seconds_f64() / 60.0, o.value])
        })
        .collect();
    let y_max = obs
        .iter()
        .map(|o| o.value)
        .chain(alarm)
        .fold(0.0f64, f64::max)
        .max(1e-6)
        * 1.15;
    ui.small(format!("{} (min)", tr(Msg::LastHour, lang)));
    Plot::new("detector-chart")
        .height(140.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        // Fixed bounds: the last hour, and up past the alarm line (a chart that re-fits itself
        // never holds still for a rendered frame).
        .auto_bounds(false)
        .default_x_bounds(-60.0, 0.0)
        .default_y_bounds(0.0, y_max)
        .show(ui, |plot| {
            plot.line(Line::new(tr(Msg::Reading, lang), points).color(egui::Color32::from_rgb(80, 220, 120)));
            if let Some(w) = warn {
                plot.hline(HLine::new(tr(Msg::WarnLine, lang), w).color(egui::Color32::from_rgb(255, 200, 0)));
            }
            if let Some(a) = alarm {
                plot.hline(HLine::new(tr(Msg::AlarmLine, lang), a).color(egui::Color32::from_rgb(255, 60, 60)));
            }
        });
}

/// A park feature, as loaded.
fn find_feature<'a>(d: &'a ParkData, f: &FeatureRef) -> Option<&'a geojson::Feature> {
    let (_, fc) = d.layers.iter().find(|(l, _)| l.id == f.layer)?;
    fc.features
        .iter()
        .find(|x| parktwin_api::validate::feature_id(x) == Some(f.feature.as_str()))
}

/// The button that opens the incident form; without an operator's token it says why not.
fn start_button(ui: &mut egui::Ui, can_start: bool, lang: Lang) -> bool {
    ui.add_enabled(can_start, egui::Button::new(tr(Msg::StartHere, lang)))
        .on_disabled_hover_text(tr(Msg::NeedsToken, lang))
        .clicked()
}

/// Where the last click landed on the ground: its coordinates, and an incident to start there.
fn point_section(ui: &mut egui::Ui, p: &mut Panel) {
    let Some((_, [lon, lat])) = p.clicked.0 else { return };
    let lang = *p.lang;
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.small(format!("{} {lat:.5} N, {lon:.5} E", tr(Msg::Clicked, lang)));
        if ui.small_button("×").clicked() {
            p.clicked.0 = None;
        }
    });
    if p.selection.0.is_none() && start_button(ui, p.token.0.is_some(), lang) {
        let form = crate::incident_form::IncidentForm::at_point(lon, lat);
        p.form.open(form, &p.live, p.data.as_deref());
    }
}

/// A feature's GeoJSON properties.
fn feature_properties(d: &ParkData, f: &FeatureRef) -> Option<Vec<(String, serde_json::Value)>> {
    let feat = find_feature(d, f)?;
    Some(
        feat.properties
            .as_ref()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    )
}

/// Labels on the map: each detector's reading when the camera is close (or the one under the
/// pointer from afar), a truck's plate under the pointer, and the gates' counters.
fn map_labels(ctx: &egui::Context, p: &Panel, gates: &GateCounts, lang: Lang) {
    let (Ok((camera, cam_t)), Ok(rig)) = (p.cameras.single(), p.rig.single()) else {
        return;
    };
    let cursor = p.windows.single().ok().and_then(|w| w.cursor_position());
    // Over the map only, never over the panel.
    let mut map = ctx.viewport_rect();
    map.max.x -= PANEL_WIDTH;
    let painter = ctx
        .layer_painter(egui::LayerId::new(egui::Order::Background, egui::Id::new("map-labels")))
        .with_clip_rect(map);
    let close = rig.distance < LABEL_DISTANCE;
    let font = egui::FontId::proportional(13.0);
    let mut hover: Option<(f32, egui::Pos2, String)> = None;
    let mut shown = 0;
    for (f, t) in &p.markers {
        if !p.registry.is_visible(&f.layer) {
            continue;
        }
        let Ok(s) = camera.world_to_viewport(cam_t, t.translation()) else {
            continue;
        };
        let pos = egui::pos2(s.x, s.y);
        let text = match f.layer.as_str() {
            "detectors" => p.live.0.sensors.get(&f.feature).and_then(|s| {
                s.value
                    .map(|v| format!("{} {v:.2} {}", f.feature, s.unit.as_deref().unwrap_or("")))
            }),
            "vehicles" => Some(f.feature.clone()),
            "gates" => {
                let (i, o) = gates.get(&f.feature).copied().unwrap_or_default();
                painter.text(
                    pos + egui::vec2(0.0, -14.0),
                    egui::Align2::CENTER_BOTTOM,
                    format!("{} {i} · {} {o}", tr(Msg::In, lang), tr(Msg::Out, lang)),
                    font.clone(),
                    egui::Color32::WHITE,
                );
                None
            }
            _ => None,
        };
        let Some(text) = text else { continue };
        if close && f.layer == "detectors" && shown < 80 {
            shown += 1;
            painter.text(
                pos + egui::vec2(6.0, -6.0),
                egui::Align2::LEFT_BOTTOM,
                &text,
                font.clone(),
                egui::Color32::WHITE,
            );
        }
        if let Some(c) = cursor {
            let d = c.distance(s);
            if d < crate::pick::PICK_RADIUS_PX && hover.as_ref().is_none_or(|h| d < h.0) {
                hover = Some((d, pos, text));
            }
        }
    }
    // Descriptor layers' labels, where their entities are drawn.
    let small = egui::FontId::proportional(12.0);
    for (label, _, vis) in p.labels.iter().take(400) {
        if !vis.get() {
            continue;
        }
        let Ok(s) = camera.world_to_viewport(cam_t, label.at) else {
            continue;
        };
        painter.text(
            egui::pos2(s.x, s.y - 4.0),
            egui::Align2::CENTER_BOTTOM,
            if lang == Lang::Zh { &label.zh } else { &label.en },
            small.clone(),
            egui::Color32::from_rgb(235, 235, 200),
        );
    }
    if let Some((_, pos, text)) = hover {
        // Laid out once, so that its backing can be drawn under it.
        let galley = painter.layout_no_wrap(text, font, egui::Color32::YELLOW);
        let rect = egui::Align2::LEFT_BOTTOM.anchor_size(pos + egui::vec2(8.0, -8.0), galley.size());
        painter.rect_filled(rect.expand(3.0), 3.0, egui::Color32::from_black_alpha(170));
        painter.galley(rect.min, galley, egui::Color32::YELLOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egui_screen::Screen;

    /// The sign-in box's state and the token it keeps.
    #[derive(Default)]
    struct Box {
        state: SignIn,
        token: Option<String>,
    }

    fn draw<'a>(b: &'a mut Box, server: &'a str) -> impl FnMut(&mut egui::Ui) + 'a {
        move |ui| sign_in_box(ui, &mut b.state, &mut b.token, server, Lang::En)
    }

    /// Types `token`, presses Sign in, and runs frames until the server has answered.
    fn sign_in(screen: &mut Screen, b: &mut Box, server: &str, token: &str) {
        b.state.typed.clear();
        screen.type_into("operator's token", token, &mut draw(b, server));
        screen.click("Sign in", &mut draw(b, server));
        for _ in 0..200 {
            screen.frame(vec![], &mut draw(b, server));
            if b.state.pending.is_none() {
                screen.frame(vec![], &mut draw(b, server));
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("the server did not answer the sign-in");
    }

    #[test]
    fn signing_in_checks_the_token_with_the_server_and_keeps_only_an_operators() {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
        let (url, mut b, mut screen) = (server.url.clone(), Box::default(), Screen::new());
        screen.frame(vec![], &mut draw(&mut b, &url));
        screen.click("Operator sign-in", &mut draw(&mut b, &url));
        for _ in 0..20 {
            // The header's opening animation.
            screen.frame(vec![], &mut draw(&mut b, &url));
        }
        assert!(screen.find("Sign in").is_disabled(), "nothing typed, nothing to send");

        sign_in(&mut screen, &mut b, &url, "pt_not-a-token");
        assert_eq!(b.token, None);
        assert!(screen.shows("unknown or revoked"), "the server's reason is shown");

        sign_in(&mut screen, &mut b, &url, &server.ingest);
        assert_eq!(b.token, None, "a feed's token is not an operator's");
        assert!(screen.shows("cannot act as an operator"));

        sign_in(&mut screen, &mut b, &url, &server.operator);
        assert_eq!(b.token.as_deref(), Some(server.operator.as_str()));
        assert!(screen.shows("Signed in:") && screen.shows("test operator"));

        screen.click("Sign out", &mut draw(&mut b, &url));
        assert_eq!(b.token, None);
        screen.frame(vec![], &mut draw(&mut b, &url));
        assert!(screen.shows("Operator sign-in"), "signed out, the box is back");
    }
}
