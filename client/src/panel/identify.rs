//! The panel's identify section: the selected thing's properties (or its layer's identify
//! rows), a truck's speed, cargo and waybill, a detector's last hour charted against its
//! thresholds, and where the last click landed, with an incident to start there.

use bevy_egui::egui;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_scene::{FeatureRef, ParkData};

use crate::i18n::{Lang, Msg, tr};
use crate::incident::IncidentForm;
use crate::pick::{History, Inspect};
use crate::theme;

/// What the identify sections show.
pub struct Selected<'a> {
    /// The selection.
    pub selection: Option<&'a FeatureRef>,
    /// Where the last click landed on the ground (WGS84).
    pub clicked: Option<[f64; 2]>,
    /// The park, once loaded.
    pub data: Option<&'a ParkData>,
    /// The live state.
    pub live: &'a LiveState,
    /// The selection's identify rows, from its layer.
    pub identified: &'a parktwin_layers::Identified,
    /// The selection's history.
    pub inspect: &'a Inspect,
    /// Whether an incident can be started (an operator is signed in).
    pub can_start: bool,
}

/// What the operator asked of an identify section.
#[derive(Default)]
pub struct Asked {
    /// Close it (the selection, or the clicked point).
    pub close: bool,
    /// Open the incident form so.
    pub form: Option<IncidentForm>,
}

/// The selected thing's properties, and its last hour: a detector's readings against its
/// thresholds, a truck's cargo, waybill and track.
///
/// Returns what the operator asked for: to close the selection, or an incident form to open.
pub fn section(ui: &mut egui::Ui, p: &Selected, lang: Lang) -> Asked {
    let mut asked = Asked::default();
    let Some(sel) = p.selection.cloned() else {
        return asked;
    };
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(format!("{}: {}", tr(Msg::Identify, lang), sel.feature));
        if ui.small_button(tr(Msg::Close, lang)).clicked() {
            asked.close = true;
        }
    });
    if let Some(d) = p.data
        && let Some(feature) = find_feature(d, &sel)
        && start_button(ui, p.can_start, lang)
    {
        asked.form = crate::incident::form::form_for_feature(
            &sel.feature,
            feature,
            p.clicked,
            parktwin_layers::incident::chemicals(),
        );
    }
    let live = p.live;
    if p.identified.of.as_ref() == Some(&sel) {
        egui::Grid::new("identified")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for r in &p.identified.rows {
                    ui.small(lang.pick(&r.label, &r.label_zh));
                    ui.small(&r.value);
                    ui.end_row();
                }
            });
    } else if sel.layer == LayerId::VEHICLES {
        vehicle_card(ui, live, &sel.feature, lang);
    } else if let Some(props) = p.data.and_then(|d| feature_properties(d, &sel)) {
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
            ui.colored_label(theme::ERROR, e);
        }
        History::Readings(obs, at) => {
            let s = live.sensors.get(&sel.feature);
            detector_chart(ui, obs, *at, s.and_then(|s| s.warn), s.and_then(|s| s.alarm), lang);
        }
        History::Device(series, at) => {
            for (i, one) in series.iter().enumerate() {
                device_chart(ui, i, one, *at, lang);
            }
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
    asked
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
            ui.colored_label(theme::ERROR, tr(Msg::NoWaybill, lang));
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
            plot.line(Line::new(tr(Msg::Reading, lang), points).color(theme::GOOD));
            if let Some(w) = warn {
                plot.hline(HLine::new(tr(Msg::WarnLine, lang), w).color(theme::WARNING));
            }
            if let Some(a) = alarm {
                plot.hline(HLine::new(tr(Msg::AlarmLine, lang), a).color(theme::ALARM));
            }
        });
}

/// The points of a series as (hours before `now`, each point's mean), oldest first.
pub fn chart_points(series: &parktwin_api::readings::Series, now: time::OffsetDateTime) -> Vec<[f64; 2]> {
    series
        .points
        .iter()
        .filter_map(|p| {
            let t = parktwin_api::clock::parse_utc(&p.time)?;
            Some([(t - now).as_seconds_f64() / 3600.0, p.mean])
        })
        .collect()
}

/// A device's quantity over the last day (each minute's mean) against its thresholds: the
/// outer pair in the alarm colour, the inner in the warning colour.
fn device_chart(
    ui: &mut egui::Ui,
    i: usize,
    series: &parktwin_api::readings::Series,
    now: time::OffsetDateTime,
    lang: Lang,
) {
    use egui_plot::{HLine, Line, Plot};
    let t = &series.thresholds;
    let points = chart_points(series, now);
    let values = points
        .iter()
        .map(|p| p[1])
        .chain([t.low_low, t.low, t.high, t.high_high].into_iter().flatten());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.1).max(1e-6);
    ui.small(format!(
        "{} ({}) — {} (h)",
        series.quantity,
        series.unit,
        tr(Msg::LastDay, lang)
    ));
    if points.is_empty() {
        ui.small(tr(Msg::NoReadings, lang));
        return;
    }
    Plot::new(("device-chart", i))
        .height(110.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        // Fixed bounds (a rendered frame holds still): the day, and the readings with the
        // thresholds.
        .auto_bounds(false)
        .default_x_bounds(-24.0, 0.0)
        .default_y_bounds(lo - pad, hi + pad)
        .show(ui, |plot| {
            plot.line(Line::new(series.quantity.clone(), points).color(theme::GOOD));
            for (v, c, m) in [
                (t.low_low, theme::ALARM, Msg::AlarmLine),
                (t.low, theme::WARNING, Msg::WarnLine),
                (t.high, theme::WARNING, Msg::WarnLine),
                (t.high_high, theme::ALARM, Msg::AlarmLine),
            ] {
                if let Some(v) = v {
                    plot.hline(HLine::new(tr(m, lang), v).color(c));
                }
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
///
/// Returns what the operator asked for: to forget the click, or an incident form to open.
pub fn point_section(ui: &mut egui::Ui, p: &Selected, lang: Lang) -> Asked {
    let mut asked = Asked::default();
    let Some([lon, lat]) = p.clicked else {
        return asked;
    };
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.small(format!("{} {lat:.5} N, {lon:.5} E", tr(Msg::Clicked, lang)));
        if ui.small_button("×").clicked() {
            asked.close = true;
        }
    });
    if p.selection.is_none() && start_button(ui, p.can_start, lang) {
        asked.form = Some(IncidentForm::at_point(lon, lat));
    }
    asked
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_charted_by_hours_before_now() {
        let now = parktwin_api::clock::parse_utc("2026-12-07T12:00:00Z").expect("a time");
        let point = |time: &str, mean: f64| parktwin_api::readings::SeriesPoint {
            time: time.into(),
            n: 2,
            min: mean - 1.0,
            mean,
            max: mean + 1.0,
            sum: 2.0 * mean,
        };
        let series = parktwin_api::readings::Series {
            device: "pt-301".into(),
            quantity: "pressure".into(),
            unit: "MPa".into(),
            thresholds: Default::default(),
            step: parktwin_api::readings::Step::Minute,
            points: vec![
                point("2026-12-07T10:00:00.000Z", 0.8),
                point("2026-12-07T11:30:00.000Z", 0.9),
                point("noon", 1.0),
            ],
        };
        assert_eq!(
            chart_points(&series, now),
            [[-2.0, 0.8], [-0.5, 0.9]],
            "a time that does not read is left out"
        );
    }
}
