//! The operator's panel (egui): the park, the layer tree with toggles and legends, and the
//! loading screen.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use parktwin_layers::LayerRegistry;
use parktwin_scene::{ParkData, PointerOverUi};

use crate::loader::LoadStatus;

/// Width of the side panel, logical pixels.
pub const PANEL_WIDTH: f32 = 300.0;

fn swatch(ui: &mut egui::Ui, c: [u8; 3]) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    ui.painter()
        .rect_filled(rect, 2.0, egui::Color32::from_rgb(c[0], c[1], c[2]));
}

/// Where Debian and others keep a font with Chinese glyphs (the first found is used).
const CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// Whether the panel can show Chinese names (a CJK font was found).
#[derive(Resource, Debug, Clone, Copy)]
pub struct CjkFont(pub bool);

/// Adds a system CJK font to egui once, as a fallback after its own fonts, so that Chinese
/// names show; without one the panel shows English names only, never empty boxes.
pub fn install_fonts(mut contexts: EguiContexts, mut commands: Commands, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    *done = true;
    let found = CJK_FONTS.iter().find_map(|p| std::fs::read(p).ok());
    commands.insert_resource(CjkFont(found.is_some()));
    let Some(bytes) = found else {
        warn!("no CJK font found ({}); Chinese names are hidden", CJK_FONTS.join(", "));
        return Ok(());
    };
    let mut fonts = egui::FontDefinitions::default();
    fonts
        .font_data
        .insert("cjk".into(), egui::FontData::from_owned(bytes).into());
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("cjk".into());
    }
    contexts.ctx_mut()?.set_fonts(fonts);
    Ok(())
}

/// Draws the panel and the loading screen.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
pub fn panel(
    mut contexts: EguiContexts,
    status: Res<LoadStatus>,
    data: Option<Res<ParkData>>,
    mut registry: ResMut<LayerRegistry>,
    mut over_ui: ResMut<PointerOverUi>,
    cjk: Option<Res<CjkFont>>,
    live: Res<parktwin_layers::live::Live>,
    feed: Res<crate::feed::FeedStatus>,
) -> Result {
    let cjk = cjk.is_some_and(|c| c.0);
    let ctx = contexts.ctx_mut()?;
    let mut root = egui::Ui::new(
        ctx.clone(),
        "parktwin-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    egui::Panel::right("parktwin-panel")
        .exact_size(PANEL_WIDTH)
        .resizable(false)
        .show(&mut root, |ui| {
            ui.heading("ParkTwin");
            match &data {
                Some(d) => {
                    ui.label(egui::RichText::new(&d.park.name).strong());
                    if cjk {
                        ui.label(&d.park.name_zh);
                    }
                    let mut by_level = [0usize; 4];
                    for h in &d.hazards {
                        by_level[usize::from(h.level.clamp(1, 4)) - 1] += 1;
                    }
                    ui.label(format!(
                        "Major hazard sources: {} (level 1: {}, 2: {}, 3: {}, 4: {})",
                        d.hazards.len(),
                        by_level[0],
                        by_level[1],
                        by_level[2],
                        by_level[3]
                    ));
                }
                None => {
                    ui.label(status.describe());
                }
            }
            live_section(ui, &live.0, &feed);
            ui.separator();
            ui.strong("Layers");
            let mut toggles = Vec::new();
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (group, layers) in registry.by_group() {
                    egui::CollapsingHeader::new(group.title())
                        .default_open(true)
                        .show(ui, |ui| {
                            for l in layers {
                                let mut on = l.visible;
                                let label = if cjk {
                                    format!("{} · {} ({})", l.info.title, l.info.title_zh, l.info.feature_count)
                                } else {
                                    format!("{} ({})", l.info.title, l.info.feature_count)
                                };
                                if ui.checkbox(&mut on, label).changed() {
                                    toggles.push((l.info.id.clone(), on));
                                }
                                if on {
                                    ui.indent(&l.info.id, |ui| {
                                        for item in &l.legend {
                                            ui.horizontal(|ui| {
                                                swatch(ui, item.colour);
                                                ui.small(&item.label);
                                            });
                                        }
                                    });
                                }
                            }
                        });
                }
                ui.separator();
                ui.small("Drag: orbit · right-drag: pan · wheel: zoom · H: home view");
            });
            for (id, on) in toggles {
                registry.set_visible(&id, on);
            }
        });
    if data.is_none() {
        egui::Area::new(egui::Id::new("loading"))
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(-PANEL_WIDTH / 2.0, 0.0))
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(420.0);
                    match &*status {
                        LoadStatus::Retrying { server, error, attempt } => {
                            ui.heading("Cannot reach the ParkTwin server");
                            ui.label(format!("Tried {server}"));
                            ui.label(error);
                            ui.label(format!(
                                "Retrying every {} s (attempt {attempt})…",
                                crate::loader::RETRY_SECS
                            ));
                        }
                        LoadStatus::Loading { done, total, .. } => {
                            ui.heading("Loading the park…");
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
    over_ui.0 = ctx.is_pointer_over_egui() || ctx.egui_wants_pointer_input();
    Ok(())
}

/// Connection state, data age, detector and truck counts, and the open alarms.
fn live_section(ui: &mut egui::Ui, live: &parktwin_api::live::LiveState, feed: &crate::feed::FeedStatus) {
    use parktwin_api::model::{AlarmTier, SensorLevel};
    ui.separator();
    match (&feed.error, feed.last_ok) {
        (Some(e), _) => {
            ui.colored_label(
                egui::Color32::from_rgb(255, 90, 90),
                "OFFLINE: live feed lost, retrying",
            );
            ui.small(e);
        }
        (None, Some(_)) if feed.snapshot_at.is_some() => {
            let at = feed.snapshot_at.as_deref().unwrap_or("");
            ui.colored_label(egui::Color32::from_rgb(80, 220, 120), format!("SNAPSHOT at {at}"));
        }
        (None, Some(t)) => {
            ui.colored_label(
                egui::Color32::from_rgb(80, 220, 120),
                format!("LIVE: data {} s old", t.elapsed().as_secs()),
            );
        }
        (None, None) => {
            ui.label("Connecting to the live feed...");
        }
    }
    let count = |l: SensorLevel| {
        live.sensors
            .values()
            .filter(|s| s.layer == "detectors" && s.level == l)
            .count()
    };
    ui.label(format!(
        "Detectors: {} normal, {} warning, {} alarm, {} no data",
        count(SensorLevel::Normal),
        count(SensorLevel::Warning),
        count(SensorLevel::Alarm),
        count(SensorLevel::NoData)
    ));
    ui.label(format!("Hazmat trucks in the park: {}", live.vehicles.len()));
    if let Some(w) = live.weather.values().max_by(|a, b| a.time.cmp(&b.time)) {
        ui.label(format!(
            "Wind {:.1} m/s from {:.0}°, {:.1} °C ({})",
            w.wind_speed_ms, w.wind_from_deg, w.temperature_c, w.station
        ));
    }
    ui.strong(format!("Open alarms ({})", live.alarms.len()));
    for a in live.alarms.values().rev().take(8) {
        let (c, t) = match a.tier {
            AlarmTier::Alarm => (egui::Color32::from_rgb(255, 60, 60), "ALARM"),
            AlarmTier::Warning => (egui::Color32::from_rgb(255, 200, 0), "WARNING"),
            AlarmTier::Reminder => (egui::Color32::from_rgb(120, 180, 255), "REMINDER"),
        };
        ui.colored_label(
            c,
            format!(
                "{t} {} {:.2} since {}",
                a.source,
                a.value,
                a.raised.get(11..19).unwrap_or("")
            ),
        );
    }
}
