//! The operator's side panel (egui): the park and its language switch, sign-in and "send to
//! wall", the incident on show, the live state and alarms, search, identify, and the layer
//! tree; around it, labels on the map and the loading screen.
//!
//! The panel lays its sections out; each section is drawn by its concern's module, and what
//! the operator asks for leaves as a message: [`crate::pick::SelectFeature`] (search, an
//! alarm's Go), [`crate::incident::OpenIncidentForm`], [`crate::wall::send::SendViewToWall`].

pub mod alarms;
pub mod declutter;
pub mod device_rows;
pub mod energy;
pub mod environment;
pub mod furniture;
pub mod hazard_sources;
pub mod identify;
pub mod labels;
pub mod layers;
pub mod live;
pub mod loading;
pub mod pipe_gallery;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use parktwin_layers::LayerRegistry;
use parktwin_layers::live::Live;
use parktwin_scene::{FeatureRef, MapFrame, ParkData, PointerOverUi, Selection};

use crate::i18n::{Lang, Msg, tr};
use crate::incident::{IncidentCard, OpenIncidentForm};
use crate::loader::LoadStatus;
use crate::net::{ActionStatus, OperatorToken, ReadingToken, ServerUrl};
use crate::pick::{ClickedPoint, Inspect, SelectFeature};
use crate::search::SearchBox;
use crate::signin::{SignIn, sign_in_box};
use crate::sync::FeedStatus;
use crate::theme::{PANEL_WIDTH, UiSet};
use crate::wall::send::SendViewToWall;

pub use layers::LayerToggleRects;

/// Each gate's passes in and out over the last day.
pub type GateCounts = std::collections::BTreeMap<String, (usize, usize)>;

/// The panel, on the right of the operator's map.
pub struct PanelPlugin;

impl Plugin for PanelPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(MapFrame::right_panel(PANEL_WIDTH))
            .init_resource::<LayerToggleRects>()
            .init_resource::<labels::DrawnLabels>()
            .add_systems(EguiPrimaryContextPass, panel.in_set(UiSet::Panel));
    }
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
    sign_in: ResMut<'w, SignIn>,
    toggle_rects: ResMut<'w, LayerToggleRects>,
    action: Res<'w, ActionStatus>,
    server: Res<'w, ServerUrl>,
    reading: Res<'w, ReadingToken>,
    search: Local<'s, SearchBox>,
    alarm_form: Local<'s, alarms::AlarmForm>,
    pipe_choice: Local<'s, pipe_gallery::Choice>,
    time: Res<'w, Time>,
    described: Res<'w, parktwin_layers::described::DescribedLayers>,
    identified: Res<'w, parktwin_layers::Identified>,
    clicked: ResMut<'w, ClickedPoint>,
    card: IncidentCard<'w, 's>,
    labels: labels::MapLabels<'w, 's>,
    rig: Query<'w, 's, &'static parktwin_scene::OrbitCamera>,
    select: MessageWriter<'w, SelectFeature>,
    forms: MessageWriter<'w, OpenIncidentForm>,
    to_wall: MessageWriter<'w, SendViewToWall>,
    basemap: Option<Res<'w, crate::basemap::BasemapStatus>>,
}

/// Draws the panel, the map labels and the loading screen.
pub fn panel(mut p: Panel) -> Result {
    let ctx = p.contexts.ctx_mut()?.clone();
    let lang = *p.lang;
    // Each gate's passes, counted once a frame for the map and the panel.
    let gates = p.live.0.gate_counts();
    labels::draw(&ctx, &mut p.labels, &p.registry, &p.live, &gates, lang);
    let mut map = ctx.viewport_rect();
    map.max.x -= PANEL_WIDTH;
    let credit = crate::basemap::credit_line(
        p.data.as_deref().and_then(|d| d.park.attribution.as_deref()),
        p.basemap.as_deref().and_then(|b| b.credit(&p.registry)),
    );
    crate::theme::attribution(&ctx, credit.as_deref(), map);
    if let Some(cam) = p.rig.iter().next() {
        furniture::draw(&ctx, cam, map, lang);
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "parktwin-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut go: Option<FeatureRef> = None;
    let mut signed = None;
    let mut tree = layers::Changes::default();
    let mut asked = Vec::new();
    // A new click on the map: the incident card charts the threat there.
    let fresh_click = p
        .clicked
        .is_changed()
        .then_some(p.clicked.0)
        .flatten()
        .map(|(_, ll)| ll);
    egui::Panel::right("parktwin-panel")
        .exact_size(PANEL_WIDTH)
        .resizable(false)
        .show(&mut root, |ui| {
            ui.horizontal(|ui| {
                ui.heading("ParkTwin");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(tr(Msg::SwitchLang, lang)).clicked() {
                        *p.lang = lang.other();
                    }
                });
            });
            match &p.data {
                Some(d) => {
                    ui.label(egui::RichText::new(lang.pick(&d.park.name, &d.park.name_zh)).strong());
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
            let server = p.server.0.clone();
            if let Some(new) = sign_in_box(ui, &mut p.sign_in, &mut p.token.0, &server, lang) {
                signed = Some(new);
            }
            // An operator sends what this map shows to the command centre's walls.
            if p.token.0.is_some() && p.data.is_some() && ui.button(tr(Msg::SendToWall, lang)).clicked() {
                p.to_wall.write(SendViewToWall);
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                let token = p.token.0.clone();
                p.card.section(ui, fresh_click, token.as_deref(), lang);
                live::section(
                    ui,
                    &live::Shown {
                        live: &p.live.0,
                        feed: &p.feed,
                    },
                    &gates,
                    lang,
                );
                let on = alarms::Shown {
                    live: &p.live.0,
                    token: token.as_deref(),
                    server: &p.server,
                    action: &p.action,
                    now_s: p.time.elapsed_secs_f64(),
                };
                go = alarms::section(ui, &on, &mut p.alarm_form, lang).or(go.take());
                // The scenario views, from the device layers.
                let live = p.feed.showing.is_present();
                let hazards = p.data.as_deref().map_or(&[][..], |d| d.hazards.as_slice());
                go = hazard_sources::section(ui, &p.described, hazards, live, lang).or(go.take());
                go = environment::section(ui, &p.described, live, lang).or(go.take());
                go = energy::section(ui, &p.described, live, lang).or(go.take());
                go = pipe_gallery::section(ui, &p.described, &mut p.pipe_choice, live, lang).or(go.take());
                ui.separator();
                go = crate::search::section(ui, &mut p.search, p.data.as_deref(), &p.live.0, lang).or(go.take());
                let selected = identify::Selected {
                    selection: p.selection.0.as_ref(),
                    clicked: p.clicked.0.map(|(_, ll)| ll),
                    data: p.data.as_deref(),
                    live: &p.live.0,
                    identified: &p.identified,
                    inspect: &p.inspect,
                    can_start: token.is_some(),
                };
                asked.push((true, identify::section(ui, &selected, lang)));
                asked.push((false, identify::point_section(ui, &selected, lang)));
                ui.separator();
                tree = layers::tree(ui, &p.registry, &p.described.all_problems(), lang);
                ui.separator();
                ui.small(tr(Msg::Help, lang));
            });
        });
    tree.apply(&mut p.registry, &mut p.toggle_rects);
    for (of_selection, a) in asked {
        if a.close {
            if of_selection {
                p.selection.0 = None;
            } else {
                p.clicked.0 = None;
            }
        }
        if let Some(form) = a.form {
            p.forms.write(OpenIncidentForm(Box::new(form)));
        }
    }
    if let Some(f) = go {
        p.select.write(SelectFeature { feature: f, fly: true });
    }
    if p.data.is_none()
        && let Some(new) = loading::loading_screen(&ctx, &p.status, &mut p.sign_in, lang)
    {
        signed = Some(new);
    }
    // A session opened: every read of the app carries it from now on (the loader's next
    // attempt, the feed, the layers), and an operator's acts with it.
    if let Some(new) = signed {
        p.reading.set(Some(new.session.token.clone()));
        p.token.0 = new.operates.then_some(new.session.token);
    }
    p.over_ui.0 = ctx.is_pointer_over_egui() || ctx.egui_wants_pointer_input();
    Ok(())
}
