//! Labels on the map: each detector's reading when the camera is close (or the one under the
//! pointer from afar), a truck's plate under the pointer, the gates' counters, and descriptor
//! layers' labels — decluttered ([`super::declutter`]): no two overlap, a detector in alarm
//! before one in warning before the counters, the names and the quiet readings.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui;
use parktwin_api::layer::LayerId;
use parktwin_layers::LayerRegistry;
use parktwin_layers::live::Live;
use parktwin_scene::{FeatureRef, OrbitCamera, PointMarker};

use super::GateCounts;
use crate::i18n::{Lang, Msg, tr};
use crate::theme::{self, LABEL_DISTANCE, PANEL_WIDTH};

/// What the map's labels are placed by: the markers and descriptor labels, the camera, the
/// pointer.
#[derive(SystemParam)]
pub struct MapLabels<'w, 's> {
    rig: Query<'w, 's, &'static OrbitCamera>,
    markers: Query<'w, 's, (&'static FeatureRef, &'static GlobalTransform), With<PointMarker>>,
    cameras: Query<'w, 's, (&'static Camera, &'static GlobalTransform)>,
    windows: Query<'w, 's, &'static Window, With<PrimaryWindow>>,
    labels: Query<
        'w,
        's,
        (
            &'static parktwin_scene::MapLabel,
            &'static parktwin_scene::LayerMember,
            &'static InheritedVisibility,
        ),
    >,
    drawn: ResMut<'w, DrawnLabels>,
}

/// The labels drawn on the map in the last frame: each text and its box on screen (points),
/// the hovered one left out (it is drawn over the rest).
#[derive(Resource, Debug, Default, Clone)]
pub struct DrawnLabels(pub Vec<(String, egui::Rect)>);

/// How important a label is: which one is drawn where two would overlap.
mod importance {
    /// A detector in alarm.
    pub const ALARM: u8 = 5;
    /// A detector in warning.
    pub const WARNING: u8 = 4;
    /// A gate's counters.
    pub const GATE: u8 = 3;
    /// A descriptor layer's label (a name).
    pub const NAME: u8 = 2;
    /// A detector's quiet reading.
    pub const READING: u8 = 1;
}

/// A label waiting for its place: its text laid out, its box, its colour, its importance.
struct Candidate {
    galley: std::sync::Arc<egui::Galley>,
    rect: egui::Rect,
    colour: egui::Color32,
    importance: u8,
}

/// Labels on the map: each detector's reading when the camera is close (or the one under the
/// pointer from afar), a truck's plate under the pointer, and the gates' counters.
pub fn draw(
    ctx: &egui::Context,
    p: &mut MapLabels,
    registry: &LayerRegistry,
    live: &Live,
    gates: &GateCounts,
    lang: Lang,
) {
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
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut place = |text: String, at: egui::Pos2, anchor: egui::Align2, font: &egui::FontId, colour, importance| {
        let galley = painter.layout_no_wrap(text, font.clone(), colour);
        let rect = anchor.anchor_size(at, galley.size());
        candidates.push(Candidate {
            galley,
            rect,
            colour,
            importance,
        });
    };
    for (f, t) in &p.markers {
        if !registry.is_visible(&f.layer) {
            continue;
        }
        let Ok(s) = camera.world_to_viewport(cam_t, t.translation()) else {
            continue;
        };
        let pos = egui::pos2(s.x, s.y);
        let text = match f.layer.as_str() {
            id if id == LayerId::DETECTORS => live.0.sensors.get(&f.feature).and_then(|s| {
                s.value
                    .map(|v| format!("{} {v:.2} {}", f.feature, s.unit.as_deref().unwrap_or("")))
            }),
            id if id == LayerId::VEHICLES => Some(f.feature.clone()),
            id if id == LayerId::GATES => {
                // Under the gate's marker: its name is over it.
                let (i, o) = gates.get(&f.feature).copied().unwrap_or_default();
                place(
                    format!("{} {i} · {} {o}", tr(Msg::In, lang), tr(Msg::Out, lang)),
                    pos + egui::vec2(0.0, 6.0),
                    egui::Align2::CENTER_TOP,
                    &font,
                    egui::Color32::WHITE,
                    importance::GATE,
                );
                None
            }
            _ => None,
        };
        let Some(text) = text else { continue };
        if close && f.layer == LayerId::DETECTORS && shown < 80 {
            shown += 1;
            // White over any parcel's colour; the marker's colour tells the level.
            let importance = match live.0.sensors.get(&f.feature).map(|s| s.level) {
                Some(parktwin_api::model::SensorLevel::Alarm) => importance::ALARM,
                Some(parktwin_api::model::SensorLevel::Warning) => importance::WARNING,
                _ => importance::READING,
            };
            place(
                text.clone(),
                pos + egui::vec2(6.0, -6.0),
                egui::Align2::LEFT_BOTTOM,
                &font,
                egui::Color32::WHITE,
                importance,
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
        place(
            lang.pick(&label.en, &label.zh).to_string(),
            egui::pos2(s.x, s.y - 4.0),
            egui::Align2::CENTER_BOTTOM,
            &small,
            theme::MAP_LABEL,
            importance::NAME,
        );
    }
    // Those off the map take no place; of the rest, no two overlap.
    candidates.retain(|c| map.intersects(c.rect));
    let boxes: Vec<(egui::Rect, u8)> = candidates.iter().map(|c| (c.rect, c.importance)).collect();
    p.drawn.0.clear();
    for (c, keep) in candidates.into_iter().zip(super::declutter::keep(&boxes, 2.0)) {
        if keep {
            p.drawn.0.push((c.galley.text().to_string(), c.rect));
            painter.galley(c.rect.min, c.galley, c.colour);
        }
    }
    if let Some((_, pos, text)) = hover {
        // Laid out once, so that its backing can be drawn under it.
        let galley = painter.layout_no_wrap(text, font, egui::Color32::YELLOW);
        let rect = egui::Align2::LEFT_BOTTOM.anchor_size(pos + egui::vec2(8.0, -8.0), galley.size());
        painter.rect_filled(rect.expand(3.0), 3.0, egui::Color32::from_black_alpha(170));
        painter.galley(rect.min, galley, egui::Color32::YELLOW);
    }
}
