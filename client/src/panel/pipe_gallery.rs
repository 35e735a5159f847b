//! The panel's pipe-gallery view: a pipe's pressure along it, gauge by gauge from its start,
//! against its operating pressure and its low limit (a pressure falling along a pipe is how a
//! leak shows), the pipes with a gauge past a limit listed first to pick from. Read from the
//! pipe gauges' device layer (`pipe_pressure`): each gauge says the pipe it sits on and how
//! far along it.

use std::collections::BTreeMap;

use bevy_egui::egui;
use parktwin_layers::described::DescribedLayers;
use parktwin_scene::FeatureRef;

use super::device_rows::{band_colour, band_rank, feature_ref, is_demo, layers_of, name_of, notes, number, text};
use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// One pressure gauge on a pipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Gauge {
    /// The gauge, to select.
    pub feature: Option<FeatureRef>,
    /// Metres from the pipe's start.
    pub along_m: f64,
    /// Its reading, MPa (none before the first).
    pub value: Option<f64>,
    /// Its operating pressure.
    pub nominal: Option<f64>,
    /// Its low limit.
    pub low: Option<f64>,
    /// Its band.
    pub band: Option<String>,
}

/// A pipe's pressure gauges, from its start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipe {
    /// The pipe's id.
    pub id: String,
    /// Its name (its line number).
    pub name: String,
    /// Its gauges, nearest its start first.
    pub gauges: Vec<Gauge>,
    /// The worst band among them (0 normal, 1 warning, 2 alarm).
    pub worst: u8,
    /// The pressure's unit.
    pub unit: String,
    /// Whether the demo made its values.
    pub demo: bool,
}

/// The gauged pipes, those with a gauge past a limit first, then by name.
pub fn pipes(layers: &DescribedLayers, lang: Lang) -> Vec<Pipe> {
    let mut by_pipe: BTreeMap<String, Pipe> = BTreeMap::new();
    for (layer, f) in layers_of(layers, "pipe_pressure") {
        let (Some(id), Some(along_m)) = (text(f, "on_feature"), number(f, "along_m")) else {
            continue;
        };
        let p = by_pipe.entry(id.to_string()).or_insert_with(|| Pipe {
            id: id.to_string(),
            name: name_of(f, "on_name", lang),
            unit: text(f, "pressure_unit").unwrap_or_default().to_string(),
            ..Default::default()
        });
        let band = text(f, "pressure_band").map(str::to_string);
        p.worst = p.worst.max(band_rank(band.as_deref()));
        p.demo |= is_demo(f);
        p.gauges.push(Gauge {
            feature: feature_ref(layer, f),
            along_m,
            value: number(f, "pressure"),
            nominal: number(f, "pressure_nominal"),
            low: number(f, "pressure_low"),
            band,
        });
    }
    let mut out: Vec<Pipe> = by_pipe.into_values().collect();
    for p in &mut out {
        p.gauges.sort_by(|a, b| a.along_m.total_cmp(&b.along_m));
    }
    out.sort_by(|a, b| b.worst.cmp(&a.worst).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Which pipe the view charts (none chosen: the first, the worst).
#[derive(Debug, Default)]
pub struct Choice(pub Option<String>);

/// The chart of one pipe's pressure along it.
fn chart(ui: &mut egui::Ui, p: &Pipe, lang: Lang) {
    use egui_plot::{Line, Plot, PlotPoints, Points};
    let series = |f: &dyn Fn(&Gauge) -> Option<f64>| -> Vec<[f64; 2]> {
        p.gauges.iter().filter_map(|g| Some([g.along_m, f(g)?])).collect()
    };
    let (readings, nominal, low) = (series(&|g| g.value), series(&|g| g.nominal), series(&|g| g.low));
    let top = readings.iter().chain(&nominal).map(|q| q[1]).fold(0.0_f64, f64::max);
    let length = p.gauges.last().map_or(1.0, |g| g.along_m.max(1.0));
    ui.small(format!("{} ({}) — {}", p.name, p.unit, tr(Msg::AlongPipe, lang)));
    Plot::new(("pipe-chart", p.id.as_str()))
        .height(110.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .auto_bounds(false)
        .default_x_bounds(-0.02 * length, 1.02 * length)
        .default_y_bounds(0.0, 1.15 * top.max(1e-6))
        .show(ui, |plot| {
            plot.line(Line::new(tr(Msg::WarnLine, lang), PlotPoints::from(low)).color(theme::WARNING));
            plot.line(Line::new("nominal", PlotPoints::from(nominal)).color(theme::DIM));
            plot.line(Line::new(p.name.clone(), PlotPoints::from(readings.clone())).color(theme::GOOD));
            for (g, r) in p.gauges.iter().filter(|g| g.value.is_some()).zip(&readings) {
                plot.points(
                    Points::new(g.feature.as_ref().map_or("", |f| f.feature.as_str()), vec![*r])
                        .radius(3.5)
                        .color(band_colour(g.band.as_deref())),
                );
            }
        });
}

/// Draws the view (`live`: whether the map shows the present); the gauge asked for.
pub fn section(
    ui: &mut egui::Ui,
    layers: &DescribedLayers,
    choice: &mut Choice,
    live: bool,
    lang: Lang,
) -> Option<FeatureRef> {
    let pipes = pipes(layers, lang);
    let first = pipes.first()?;
    let mut go = None;
    egui::CollapsingHeader::new(tr(Msg::PipeGalleryView, lang))
        .id_salt("pipe-gallery")
        .show(ui, |ui| {
            notes(ui, live, pipes.iter().any(|p| p.demo), lang);
            let shown = choice
                .0
                .as_ref()
                .and_then(|id| pipes.iter().find(|p| &p.id == id))
                .unwrap_or(first);
            egui::ComboBox::from_id_salt("pipe-choice")
                .selected_text(&shown.name)
                .show_ui(ui, |ui| {
                    for p in &pipes {
                        let label = egui::RichText::new(&p.name).color(band_colour(Some(
                            ["normal", "high", "high_high"][usize::from(p.worst.min(2))],
                        )));
                        if ui.selectable_label(p.id == shown.id, label).clicked() {
                            choice.0 = Some(p.id.clone());
                        }
                    }
                });
            chart(ui, shown, lang);
            for g in &shown.gauges {
                ui.horizontal(|ui| {
                    if ui.small_button(format!("{:.0} m", g.along_m)).clicked() {
                        go = g.feature.clone();
                    }
                    let text = g.value.map_or_else(
                        || tr(Msg::NoReading, lang).to_string(),
                        |v| format!("{v:.3} {}", shown.unit),
                    );
                    ui.colored_label(band_colour(g.band.as_deref()), text);
                });
            }
            let past = pipes.iter().filter(|p| p.worst > 0).count();
            ui.small(format!("{past} {}", tr(Msg::PipesPastLimits, lang)));
        });
    go
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::device_rows::test_layer;

    fn gauge(id: &str, pipe: &str, along: f64, v: f64, band: &str) -> serde_json::Value {
        serde_json::json!({"type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
            "properties": {"kind": "pipe_pressure", "on_feature": pipe, "on_name": format!("Line {pipe}"), "along_m": along,
                "pressure": v, "pressure_band": band, "pressure_unit": "MPa", "pressure_nominal": 1.0, "pressure_low": 0.7}})
    }

    #[test]
    fn a_pipes_gauges_run_from_its_start_and_the_pipe_past_a_limit_comes_first() {
        let mut layers = DescribedLayers::default();
        layers.put(test_layer(
            "pg",
            "pipe_pressure,pipe_flow",
            serde_json::json!({"type": "FeatureCollection", "features": [
                gauge("PT-A-100", "A", 700.0, 0.95, "normal"),
                gauge("PT-A-000", "A", 0.0, 1.0, "normal"),
                gauge("PT-B-000", "B", 0.0, 1.0, "normal"),
                gauge("PT-B-100", "B", 500.0, 0.6, "low"),
                {"type": "Feature", "id": "FT-A", "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
                 "properties": {"kind": "pipe_flow", "on_feature": "A", "along_m": 0.0, "flow": 265.0}},
            ]}),
        ));
        let p = pipes(&layers, Lang::En);
        assert_eq!(
            p.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["B", "A"],
            "B's outlet is low"
        );
        let along: Vec<f64> = p[1].gauges.iter().map(|g| g.along_m).collect();
        assert_eq!(along, [0.0, 700.0], "from its start; the flow meter is not a pressure");
        assert_eq!(p[0].gauges[1].low, Some(0.7));
        assert_eq!(p[0].unit, "MPa");
    }
}
