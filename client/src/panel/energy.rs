//! The panel's energy view: each enterprise's electricity over the park's day so far, with
//! its hours as bars, its pace against the whole day before, and its steam and water; over
//! its day's budget in the alarm colour; the largest user first. Then each substation's load
//! as a share of its rating (its high-high threshold), in its band's colour. Read from the
//! meters' and substations' device layers.

use std::collections::BTreeMap;

use bevy_egui::egui;
use parktwin_layers::described::DescribedLayers;
use parktwin_scene::FeatureRef;

use super::device_rows::{band_colour, feature_ref, is_demo, layers_of, name_of, notes, number, prop, text};
use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// One enterprise's use over the park's day so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Use {
    /// Its electricity meter, to select.
    pub feature: Option<FeatureRef>,
    /// The enterprise's name.
    pub name: String,
    /// Electricity today, kWh.
    pub electricity_kwh: f64,
    /// Each hour's electricity, kWh (none where nothing was read).
    pub hours: Vec<Option<f64>>,
    /// Today's pace (today's total over the hours read, times 24) against the day before's
    /// total, as a fraction (+0.1: a tenth more); none without a day before or an hour read.
    pub against_previous: Option<f64>,
    /// Whether today's total is over the day's budget already.
    pub over_budget: bool,
    /// Steam today (t) and water today (m³), where metered.
    pub steam_t: Option<f64>,
    /// Water today, m³.
    pub water_m3: Option<f64>,
    /// Whether the demo made its values.
    pub demo: bool,
}

/// The enterprises' use, the largest electricity first.
pub fn enterprises(layers: &DescribedLayers, lang: Lang) -> Vec<Use> {
    let mut by_enterprise: BTreeMap<String, Use> = BTreeMap::new();
    for (layer, f) in layers_of(layers, "electricity_meter") {
        let Some(total) = number(f, "energy_day_total") else {
            continue;
        };
        let hours: Vec<Option<f64>> = prop(f, "energy_day_hours")
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().map(serde_json::Value::as_f64).collect())
            .unwrap_or_default();
        let read = hours.iter().rposition(Option::is_some).map(|h| h + 1);
        let against_previous = match (read, number(f, "energy_previous_day_total")) {
            (Some(h), Some(previous)) if previous > 0.0 => Some(total * 24.0 / h as f64 / previous - 1.0),
            _ => None,
        };
        let key = text(f, "on_feature")
            .or(text(f, "enterprise"))
            .unwrap_or_default()
            .to_string();
        by_enterprise.insert(
            key,
            Use {
                feature: feature_ref(layer, f),
                name: name_of(f, "on_name", lang),
                electricity_kwh: total,
                hours,
                against_previous,
                over_budget: number(f, "energy_budget").is_some_and(|b| total > b),
                demo: is_demo(f),
                ..Default::default()
            },
        );
    }
    for (kind, quantity) in [("steam_meter", "steam"), ("water_meter", "water")] {
        for (_, f) in layers_of(layers, kind) {
            let key = text(f, "on_feature").or(text(f, "enterprise")).unwrap_or_default();
            if let Some(u) = by_enterprise.get_mut(key) {
                let total = number(f, &format!("{quantity}_day_total"));
                if quantity == "steam" {
                    u.steam_t = total;
                } else {
                    u.water_m3 = total;
                }
            }
        }
    }
    let mut out: Vec<Use> = by_enterprise.into_values().collect();
    out.sort_by(|a, b| {
        b.electricity_kwh
            .total_cmp(&a.electricity_kwh)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// A substation's load against its rating.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// The substation, to select.
    pub feature: Option<FeatureRef>,
    /// Its name.
    pub name: String,
    /// Its load, MVA.
    pub load: f64,
    /// Its rating, MVA (its high-high threshold).
    pub rating: Option<f64>,
    /// The load's band.
    pub band: Option<String>,
}

/// The substations read, the most loaded (against its rating) first.
pub fn substations(layers: &DescribedLayers, lang: Lang) -> Vec<Load> {
    let mut out: Vec<Load> = layers_of(layers, "substation_load")
        .filter_map(|(layer, f)| {
            Some(Load {
                feature: feature_ref(layer, f),
                name: name_of(f, "name", lang),
                load: number(f, "load")?,
                rating: number(f, "load_high_high"),
                band: text(f, "load_band").map(str::to_string),
            })
        })
        .collect();
    let share = |l: &Load| l.rating.map_or(0.0, |r| l.load / r);
    out.sort_by(|a, b| share(b).total_cmp(&share(a)));
    out
}

/// The hours as small bars, the tallest as high as the box.
fn hour_bars(ui: &mut egui::Ui, hours: &[Option<f64>]) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(72.0, 14.0), egui::Sense::hover());
    let top = hours.iter().flatten().copied().fold(0.0_f64, f64::max);
    if top <= 0.0 {
        return;
    }
    let w = rect.width() / 24.0;
    for (i, h) in hours.iter().enumerate().take(24) {
        let Some(h) = h else { continue };
        let height = (h / top) as f32 * rect.height();
        let x = rect.left() + i as f32 * w;
        ui.painter().rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(x, rect.bottom() - height),
                egui::pos2(x + w * 0.8, rect.bottom()),
            ),
            0.0,
            theme::CONCENTRATION,
        );
    }
}

/// Draws the view (`live`: whether the map shows the present); the device asked for.
pub fn section(ui: &mut egui::Ui, layers: &DescribedLayers, live: bool, lang: Lang) -> Option<FeatureRef> {
    let (uses, loads) = (enterprises(layers, lang), substations(layers, lang));
    if uses.is_empty() && loads.is_empty() {
        return None;
    }
    let mut go = None;
    egui::CollapsingHeader::new(tr(Msg::EnergyView, lang))
        .id_salt("energy")
        .show(ui, |ui| {
            notes(ui, live, uses.iter().any(|u| u.demo), lang);
            if !uses.is_empty() {
                ui.small(tr(Msg::ElectricityToday, lang));
            }
            for u in &uses {
                ui.horizontal(|ui| {
                    if ui.small_button(&u.name).clicked() {
                        go = u.feature.clone();
                    }
                    let colour = if u.over_budget { theme::ALARM } else { theme::DIM };
                    ui.colored_label(colour, format!("{:.1} MWh", u.electricity_kwh / 1000.0));
                });
                ui.horizontal(|ui| {
                    hour_bars(ui, &u.hours);
                    let mut said = Vec::new();
                    if let Some(k) = u.against_previous {
                        said.push(format!("{:+.0} % {}", k * 100.0, tr(Msg::VsPreviousDay, lang)));
                    }
                    if u.steam_t.is_some() || u.water_m3.is_some() {
                        let part = |v: Option<f64>, unit: &str| v.map(|v| format!("{v:.1} {unit}")).unwrap_or_default();
                        said.push(format!(
                            "{}: {} · {}",
                            tr(Msg::SteamWaterToday, lang),
                            part(u.steam_t, "t"),
                            part(u.water_m3, "m³")
                        ));
                    }
                    ui.small(said.join(" · "));
                });
                if u.over_budget {
                    ui.colored_label(theme::ALARM, tr(Msg::OverBudget, lang));
                }
            }
            if !loads.is_empty() {
                ui.small(tr(Msg::Substations, lang));
            }
            for l in &loads {
                ui.horizontal(|ui| {
                    if ui.small_button(&l.name).clicked() {
                        go = l.feature.clone();
                    }
                    let share = l.rating.map(|r| l.load / r);
                    let text = match share {
                        Some(s) => format!("{:.1} MVA · {:.0} %", l.load, s * 100.0),
                        None => format!("{:.1} MVA", l.load),
                    };
                    ui.add(
                        egui::ProgressBar::new(share.unwrap_or(0.0).clamp(0.0, 1.0) as f32)
                            .desired_width(50.0)
                            .fill(band_colour(l.band.as_deref())),
                    );
                    ui.colored_label(band_colour(l.band.as_deref()), egui::RichText::new(text).small());
                });
            }
        });
    go
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::device_rows::test_layer as layer;

    #[test]
    fn enterprises_by_todays_electricity_with_their_pace_budget_steam_and_water() {
        let mut hours = vec![serde_json::Value::Null; 24];
        for h in hours.iter_mut().take(12) {
            *h = serde_json::json!(1000.0);
        }
        let point = serde_json::json!({"type": "Point", "coordinates": [118.45, 37.56]});
        let mut layers = DescribedLayers::default();
        layers.put(layer(
            "em",
            "electricity_meter",
            serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "EM-ent-01", "geometry": point,
                 "properties": {"kind": "electricity_meter", "on_feature": "ent-01", "on_name": "Chlor-Alkali",
                    "energy_day_total": 12000.0, "energy_day_hours": hours, "energy_previous_day_total": 20000.0,
                    "energy_budget": 11000.0}},
                {"type": "Feature", "id": "EM-ent-02", "geometry": point,
                 "properties": {"kind": "electricity_meter", "on_feature": "ent-02", "on_name": "Small",
                    "energy_day_total": 500.0, "energy_day_hours": [], "energy_previous_day_total": null}},
            ]}),
        ));
        layers.put(layer(
            "um",
            "steam_meter,water_meter",
            serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "SM-ent-01", "geometry": point,
                 "properties": {"kind": "steam_meter", "on_feature": "ent-01", "steam_day_total": 31.5}},
                {"type": "Feature", "id": "WM-ent-01", "geometry": point,
                 "properties": {"kind": "water_meter", "on_feature": "ent-01", "water_day_total": 40.0}},
            ]}),
        ));
        layers.put(layer(
            "subs",
            "substation_load",
            serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "sub-1", "geometry": point,
                 "properties": {"kind": "substation_load", "name": "A", "load": 50.0, "load_high_high": 100.0, "load_band": "normal"}},
                {"type": "Feature", "id": "sub-2", "geometry": point,
                 "properties": {"kind": "substation_load", "name": "B", "load": 45.0, "load_high_high": 50.0, "load_band": "high"}},
            ]}),
        ));
        let u = enterprises(&layers, Lang::En);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].name, "Chlor-Alkali", "the largest first");
        // 12 MWh in 12 hours is 24 MWh a day at this pace: a fifth over the day before's 20.
        assert!((u[0].against_previous.expect("a pace") - 0.2).abs() < 1e-9);
        assert!(u[0].over_budget, "12 MWh over the 11 MWh budget");
        assert_eq!((u[0].steam_t, u[0].water_m3), (Some(31.5), Some(40.0)));
        assert_eq!(u[1].against_previous, None, "no day before");
        assert!(!u[1].over_budget);
        let s = substations(&layers, Lang::En);
        assert_eq!(s[0].name, "B", "90 % of its rating before 50 %");
    }
}
