//! The client's one theme: sizes, the palette (the tier and zone colours shared with the
//! scene's styles and the field shader), the fonts, and the order the screen's egui systems
//! draw in ([`UiSet`]). Every colour on the panel, the bars and the wall is named here.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};
use parktwin_api::model::AlarmTier;
use parktwin_scene::style::{self, Srgb};

/// Width of the side panel, logical pixels.
pub const PANEL_WIDTH: f32 = 300.0;

/// Closer than this (metres from the camera's target), detectors show their readings.
pub const LABEL_DISTANCE: f32 = 900.0;

/// An sRGB colour of the scene's styles, for egui.
pub const fn rgb(c: Srgb) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The alarm tier: red.
pub const ALARM: Color32 = Color32::from_rgb(255, 60, 60);
/// The warning tier: amber.
pub const WARNING: Color32 = Color32::from_rgb(255, 200, 0);
/// The reminder tier: blue.
pub const REMINDER: Color32 = Color32::from_rgb(120, 180, 255);
/// A GB 18218 level-2 source on the wall's figures, between the alarm's red and the amber.
pub const LEVEL_TWO: Color32 = Color32::from_rgb(255, 140, 0);
/// Good: live, connected, a reading's line.
pub const GOOD: Color32 = Color32::from_rgb(80, 220, 120);
/// Something failed (offline, a refusal, a bad form).
pub const ERROR: Color32 = Color32::from_rgb(255, 90, 90);
/// The detail of a failure, under its headline.
pub const ERROR_DETAIL: Color32 = Color32::from_rgb(255, 150, 150);
/// A concentration's line on a chart.
pub const CONCENTRATION: Color32 = Color32::from_rgb(0, 200, 255);
/// Descriptor layers' labels on the map.
pub const MAP_LABEL: Color32 = Color32::from_rgb(235, 235, 200);
/// The band over the map while it shows a past moment: a steel blue no layer uses.
pub const REPLAY_BAND: Color32 = Color32::from_rgb(38, 92, 178);
/// The band over the map (and the wall) while it shows a drill: amber, never taken for live.
pub const DRILL_BAND: Color32 = Color32::from_rgb(240, 170, 0);
/// The wall's cards.
pub const WALL_CARD: Color32 = Color32::from_rgb(30, 38, 52);
/// The wall's top band.
pub const WALL_BAND: Color32 = Color32::from_rgb(14, 22, 40);
/// The wall's alarm ticker.
pub const WALL_TICKER: Color32 = Color32::from_rgb(60, 10, 14);
/// The wall's background around the map.
pub const WALL_BACKGROUND: Color32 = Color32::from_rgb(16, 20, 28);
/// Secondary text on the wall.
pub const DIM: Color32 = Color32::from_rgb(170, 180, 195);

/// The threat zones' colours, most severe first, as the map, the shader and the legend draw
/// them ([`style::ZONE_LEVELS`]).
pub const ZONES: [Color32; 3] = [
    rgb(style::ZONE_LEVELS[0]),
    rgb(style::ZONE_LEVELS[1]),
    rgb(style::ZONE_LEVELS[2]),
];

/// The colour of zone `k` (0: most severe; past the last, the last).
pub fn zone(k: usize) -> Color32 {
    ZONES[k.min(ZONES.len() - 1)]
}

/// An alarm tier's colour, on the panel and the wall.
pub fn tier(t: AlarmTier) -> Color32 {
    match t {
        AlarmTier::Alarm => ALARM,
        AlarmTier::Warning => WARNING,
        AlarmTier::Reminder => REMINDER,
    }
}

/// A task's status colour, on the panel, the wall and the map's routes: given (amber), on the
/// way (orange), on scene (green), done (dim).
pub fn task(s: parktwin_api::emergency::TaskStatus) -> Color32 {
    use parktwin_api::emergency::TaskStatus;
    match s {
        TaskStatus::Assigned => WARNING,
        TaskStatus::EnRoute => LEVEL_TWO,
        TaskStatus::OnScene => GOOD,
        TaskStatus::Done => DIM,
    }
}

/// The map's colour for a resource's route: its task's status, or a free resource's
/// (the reminder's blue).
pub fn route(status: &str) -> Color32 {
    use parktwin_api::emergency::TaskStatus;
    TaskStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == status && *s != TaskStatus::Done)
        .map_or(REMINDER, task)
}

/// The field's colour at `t` (0 low to 1 high) as the shader's ramp draws it: the same three
/// stops ([`style::FIELD_RAMP`]), mixed in linear space.
pub fn ramp(t: f32) -> Color32 {
    let [a, b, d] = style::FIELD_RAMP;
    let mix = |x: [f32; 3], y: [f32; 3], k: f32| [0, 1, 2].map(|i| x[i] + (y[i] - x[i]) * k);
    let c = if t < 0.5 {
        mix(a, b, t * 2.0)
    } else {
        mix(b, d, (t - 0.5) * 2.0)
    };
    egui::Rgba::from_rgb(c[0], c[1], c[2]).into()
}

/// A legend's colour square.
pub fn swatch(ui: &mut egui::Ui, c: Srgb) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, rgb(c));
}

/// The order the screen's egui systems draw in, each frame, in `EguiPrimaryContextPass`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiSet {
    /// The theme: fonts and input options, once.
    Theme,
    /// The side panel (or the wall's screen), which lays out the map's frame.
    Panel,
    /// What stands over the map: the timeline's bar and band, the incident form.
    Overlays,
}

/// The theme: the egui systems' order, and the fonts installed before the first is drawn.
pub struct ThemePlugin;

impl Plugin for ThemePlugin {
    fn build(&self, app: &mut App) {
        app.configure_sets(
            EguiPrimaryContextPass,
            (UiSet::Theme, UiSet::Panel, UiSet::Overlays).chain(),
        )
        .add_systems(EguiPrimaryContextPass, install_fonts.in_set(UiSet::Theme));
    }
}

/// Adds the bundled CJK font to egui once, as a fallback after its own fonts.
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

/// The credit the park's data asks the map to show (`© OpenStreetMap contributors` for a park
/// imported from OpenStreetMap), in the bottom right corner of `map` (the part of the window
/// no panel or card covers) over a dark band. The operator's map and the wall both show it.
pub fn attribution(ctx: &egui::Context, text: Option<&str>, map: egui::Rect) {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return;
    };
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Background,
        egui::Id::new("map-attribution"),
    ));
    let galley = painter.layout_no_wrap(text.to_string(), egui::FontId::proportional(12.0), MAP_LABEL);
    let rect = egui::Align2::RIGHT_BOTTOM
        .anchor_size(map.right_bottom() - egui::vec2(6.0, 6.0), galley.size())
        .expand(3.0);
    painter.rect_filled(rect, 2.0, egui::Color32::from_black_alpha(170));
    painter.galley(rect.min + egui::vec2(3.0, 3.0), galley, MAP_LABEL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legends_ramp_is_the_shaders_and_the_zones_are_the_maps() {
        // The ramp's ends are the stops themselves (linear → sRGB bytes).
        let [low, _, high] = style::FIELD_RAMP;
        let bytes = |c: [f32; 3]| {
            let c: Color32 = egui::Rgba::from_rgb(c[0], c[1], c[2]).into();
            [c.r(), c.g(), c.b()]
        };
        let ends = |c: Color32| [c.r(), c.g(), c.b()];
        assert_eq!(ends(ramp(0.0)), bytes(low));
        assert_eq!(ends(ramp(1.0)), bytes(high));
        // The zones' colours on the panel are the scene's, most severe a red.
        assert_eq!(ends(zone(0)), style::ZONE_LEVELS[0]);
        assert_eq!(zone(7), zone(2), "past the last level, the last colour");
        assert!(zone(0).r() > 200 && zone(0).g() < 40, "level 3 is red");
        // Each tier its own colour.
        assert_ne!(tier(AlarmTier::Alarm), tier(AlarmTier::Warning));
        assert_ne!(tier(AlarmTier::Warning), tier(AlarmTier::Reminder));
    }
}
