//! The panel's layer tree: the layers by scenario group, each with its on/off box, its opacity
//! and its legend, and the problems of descriptor layers that could not be drawn.

use std::collections::BTreeMap;

use bevy::prelude::*;
use bevy_egui::egui;
use parktwin_layers::LayerRegistry;

use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// Where each layer's on/off box was drawn last frame (the browser build publishes it for
/// the page's tests; the panel is painted, so there is no DOM to find it in).
#[derive(Resource, Debug, Default, Clone)]
pub struct LayerToggleRects(pub BTreeMap<String, egui::Rect>);

/// What the operator changed in the tree this frame.
#[derive(Default)]
pub struct Changes {
    /// Layers switched on or off.
    pub toggles: Vec<(String, bool)>,
    /// Layers faded.
    pub fades: Vec<(String, f32)>,
    /// Where each on/off box was drawn.
    pub rects: BTreeMap<String, egui::Rect>,
}

impl Changes {
    /// Applies the changes to the registry.
    pub fn apply(self, registry: &mut LayerRegistry, rects: &mut LayerToggleRects) {
        rects.0 = self.rects;
        for (id, on) in self.toggles {
            registry.set_visible(&id, on);
        }
        for (id, opacity) in self.fades {
            registry.set_opacity(&id, opacity);
        }
    }
}

/// Draws the tree; the changes are applied by the caller once the panel is drawn.
pub fn tree(
    ui: &mut egui::Ui,
    registry: &LayerRegistry,
    problems: &[parktwin_api::descriptor::DescriptorError],
    lang: Lang,
) -> Changes {
    let mut out = Changes::default();
    ui.strong(tr(Msg::Layers, lang));
    if !problems.is_empty() {
        ui.colored_label(theme::ERROR, tr(Msg::LayerProblems, lang));
        for e in problems {
            ui.colored_label(theme::ERROR_DETAIL, egui::RichText::new(e.to_string()).small());
        }
    }
    for (group, layers) in registry.by_group() {
        egui::CollapsingHeader::new(lang.pick(group.title(), group.title_zh()))
            .id_salt(group.title())
            .default_open(true)
            .show(ui, |ui| {
                for l in layers {
                    let mut on = l.visible;
                    let name = lang.pick(&l.info.title, &l.info.title_zh);
                    let label = format!("{name} ({})", l.info.feature_count);
                    // A stable id: an automatic one counts the widgets above, and when the
                    // live section above changes between a press and its release (a slow
                    // frame, a busy feed) the click was lost.
                    let toggle = ui.push_id(&l.info.id, |ui| ui.checkbox(&mut on, label)).inner;
                    if toggle.changed() {
                        out.toggles.push((l.info.id.clone(), on));
                    }
                    out.rects.insert(l.info.id.clone(), toggle.rect);
                    if on {
                        ui.indent(&l.info.id, |ui| {
                            let mut opacity = l.opacity;
                            let slider = egui::Slider::new(&mut opacity, 0.0..=1.0)
                                .text(tr(Msg::Opacity, lang))
                                .fixed_decimals(1);
                            if ui.add(slider).changed() {
                                out.fades.push((l.info.id.clone(), opacity));
                            }
                            for item in &l.legend {
                                ui.horizontal(|ui| {
                                    theme::swatch(ui, item.colour);
                                    ui.small(lang.pick(&item.label, &item.label_zh));
                                });
                            }
                        });
                    }
                }
            });
    }
    out
}
