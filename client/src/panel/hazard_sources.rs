//! The panel's hazard-source view: the online monitoring of each major hazard source's tanks
//! (the 2022 national guide for chemical park safety platforms asks for it): each tank's level
//! as a fill bar, its temperature and pressure, each in its band's colour, the hazard sources
//! with a tank past a limit first. Read from the tank gauges' device layers (`tank_level`,
//! `tank_temperature`, `tank_pressure`), grouped by the tank they sit on; a tank selects its
//! level gauge, whose identify charts its day.

use std::collections::BTreeMap;

use bevy_egui::egui;
use parktwin_api::model::HazardSource;
use parktwin_layers::described::DescribedLayers;
use parktwin_scene::FeatureRef;

use super::device_rows::{
    band_colour, band_rank, feature_ref, is_demo, layers_of, name_of, notes, number, reading, text,
};
use crate::i18n::{Lang, Msg, tr};

/// One tank's gauges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tank {
    /// The gauge to select (its level gauge's, else the first gauge's).
    pub feature: Option<FeatureRef>,
    /// The tank's name.
    pub name: String,
    /// Its level, % of the gauged height, with its band.
    pub level: Option<(f64, Option<String>)>,
    /// Its temperature and pressure in words, with their bands.
    pub conditions: Vec<(String, Option<String>)>,
    /// The worst band among its gauges (0 normal, 1 warning, 2 alarm).
    pub worst: u8,
    /// Whether the demo made its values.
    pub demo: bool,
}

/// The tanks of each major hazard source (by its id; `""` for tanks of none): the sources
/// with the worst tank first, in each the worst tank first, then by name.
pub fn tanks(layers: &DescribedLayers, lang: Lang) -> Vec<(String, Vec<Tank>)> {
    let mut by_tank: BTreeMap<String, (String, Tank)> = BTreeMap::new();
    for kind in ["tank_level", "tank_temperature", "tank_pressure"] {
        for (layer, f) in layers_of(layers, kind) {
            let Some(tank_id) = text(f, "on_feature") else { continue };
            let (_, t) = by_tank.entry(tank_id.to_string()).or_insert_with(|| {
                (
                    text(f, "hazard").unwrap_or_default().to_string(),
                    Tank {
                        name: name_of(f, "on_name", lang),
                        ..Default::default()
                    },
                )
            });
            let quantity = kind.trim_start_matches("tank_");
            let band = text(f, &format!("{quantity}_band")).map(str::to_string);
            t.worst = t.worst.max(band_rank(band.as_deref()));
            t.demo |= is_demo(f);
            if kind == "tank_level" {
                t.feature = feature_ref(layer, f);
                t.level = number(f, "level").map(|v| (v, band));
            } else {
                t.feature = t.feature.take().or_else(|| feature_ref(layer, f));
                if let Some(r) = reading(f, quantity) {
                    t.conditions.push((r, band));
                }
            }
        }
    }
    let mut groups: BTreeMap<String, Vec<Tank>> = BTreeMap::new();
    for (_, (hazard, t)) in by_tank {
        groups.entry(hazard).or_default().push(t);
    }
    let mut out: Vec<(String, Vec<Tank>)> = groups
        .into_iter()
        .map(|(h, mut ts)| {
            ts.sort_by(|a, b| b.worst.cmp(&a.worst).then_with(|| a.name.cmp(&b.name)));
            (h, ts)
        })
        .collect();
    let worst = |ts: &[Tank]| ts.iter().map(|t| t.worst).max().unwrap_or_default();
    out.sort_by(|a, b| worst(&b.1).cmp(&worst(&a.1)).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Draws the view (`live`: whether the map shows the present); the gauge asked for.
pub fn section(
    ui: &mut egui::Ui,
    layers: &DescribedLayers,
    hazards: &[HazardSource],
    live: bool,
    lang: Lang,
) -> Option<FeatureRef> {
    let groups = tanks(layers, lang);
    if groups.is_empty() {
        return None;
    }
    let mut go = None;
    egui::CollapsingHeader::new(tr(Msg::HazardSourcesView, lang))
        .id_salt("hazard-sources")
        .show(ui, |ui| {
            notes(ui, live, groups.iter().flat_map(|g| &g.1).any(|t| t.demo), lang);
            for (hazard, tanks) in &groups {
                let title = match hazards.iter().find(|h| &h.id == hazard) {
                    Some(h) => match lang {
                        Lang::En => format!("{} · level {}", h.name, h.level),
                        Lang::Zh => format!("{} · {}级", h.name, h.level),
                    },
                    None if hazard.is_empty() => tr(Msg::NoHazardSource, lang).to_string(),
                    None => hazard.clone(),
                };
                egui::CollapsingHeader::new(title)
                    .id_salt(("hazard", hazard))
                    .default_open(tanks.iter().any(|t| t.worst > 0))
                    .show(ui, |ui| {
                        for t in tanks {
                            ui.horizontal(|ui| {
                                if ui.small_button(&t.name).clicked() {
                                    go = t.feature.clone();
                                }
                                if let Some((level, band)) = &t.level {
                                    let colour = band_colour(band.as_deref());
                                    ui.add(
                                        egui::ProgressBar::new((*level / 100.0).clamp(0.0, 1.0) as f32)
                                            .desired_width(70.0)
                                            .fill(colour)
                                            .text(format!("{} {level:.0} %", tr(Msg::FillLevel, lang))),
                                    );
                                }
                            });
                            ui.horizontal(|ui| {
                                for (text, band) in &t.conditions {
                                    ui.colored_label(band_colour(band.as_deref()), egui::RichText::new(text).small());
                                }
                            });
                        }
                    });
            }
        });
    go
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::device_rows::test_layer as layer;

    /// A gauge `(id, kind, tank, hazard)` reading `(quantity, value, band, unit)`.
    fn gauge(
        (id, kind, tank, hazard): (&str, &str, &str, &str),
        (q, v, band, unit): (&str, f64, &str, &str),
    ) -> serde_json::Value {
        serde_json::json!({"type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
            "properties": {"kind": kind, "on_feature": tank, "on_name": format!("Tank {tank}"), "hazard": hazard,
                q: v, format!("{q}_band"): band, format!("{q}_unit"): unit, "feed": "demo simulator"}})
    }

    #[test]
    fn tanks_are_grouped_by_hazard_source_the_worst_first_with_their_three_gauges() {
        let mut layers = DescribedLayers::default();
        layers.put(layer(
            "levels",
            "tank_level",
            serde_json::json!({"type": "FeatureCollection", "features": [
                gauge(("LT-1", "tank_level", "t1", "mhs-01"), ("level", 40.0, "normal", "%")),
                gauge(("LT-2", "tank_level", "t2", "mhs-02"), ("level", 91.0, "high", "%")),
                gauge(("LT-3", "tank_level", "t3", "mhs-02"), ("level", 50.0, "normal", "%")),
            ]}),
        ));
        layers.put(layer(
            "conditions",
            "tank_temperature,tank_pressure",
            serde_json::json!({"type": "FeatureCollection", "features": [
                gauge(("TT-1", "tank_temperature", "t1", "mhs-01"), ("temperature", 21.5, "normal", "°C")),
                gauge(("PT-1", "tank_pressure", "t1", "mhs-01"), ("pressure", 960.0, "high_high", "kPa")),
            ]}),
        ));
        let g = tanks(&layers, Lang::En);
        let order: Vec<(&str, Vec<&str>)> = g
            .iter()
            .map(|(h, ts)| (h.as_str(), ts.iter().map(|t| t.name.as_str()).collect()))
            .collect();
        assert_eq!(
            order,
            [("mhs-01", vec!["Tank t1"]), ("mhs-02", vec!["Tank t2", "Tank t3"])],
            "the source with a tank over high-high first; in a source the tank over high first"
        );
        let t1 = &g[0].1[0];
        assert_eq!(t1.level, Some((40.0, Some("normal".into()))));
        assert_eq!(
            t1.conditions,
            [
                ("21.5 °C".to_string(), Some("normal".to_string())),
                ("960 kPa".to_string(), Some("high_high".to_string()))
            ]
        );
        assert_eq!(t1.worst, 2);
        assert_eq!(
            t1.feature.as_ref().map(|f| f.feature.as_str()),
            Some("LT-1"),
            "its level gauge"
        );
        assert!(t1.demo);
    }
}
