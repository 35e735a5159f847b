//! The panel's environment view: each air-quality station's hourly AQI (HJ 633-2012, the
//! server's) with its level and primary pollutant, and each outfall against its limits, read
//! from the device layers the map already has (descriptor layers over
//! `/api/v1/devices/geojson?kind=…`). A station or outfall selects and flies to it. Values the
//! demo's simulator made say so; over a replayed moment the readings are those of the moment.

use bevy_egui::egui;
use parktwin_api::descriptor::value_text;
use parktwin_layers::described::DescribedLayers;
use parktwin_scene::FeatureRef;

use super::device_rows::{feature_ref, is_demo, layers_of, name_of, notes, prop};
use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// One row of the view: a device of a layer, what to say of it and in which colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The feature to select.
    pub feature: FeatureRef,
    /// Its name.
    pub name: String,
    /// What it reads, in words.
    pub text: String,
    /// The colour the text is in (a station's AQI level; an outfall's state).
    pub colour: egui::Color32,
    /// Whether the demo's simulator made the values.
    pub demo: bool,
}

fn row(layer: &str, f: &geojson::Feature, lang: Lang, text: String, colour: egui::Color32) -> Option<Row> {
    Some(Row {
        feature: feature_ref(layer, f)?,
        name: name_of(f, "name", lang),
        text,
        colour,
        demo: is_demo(f),
    })
}

/// The stations, the worst AQI first; a station not yet read last.
pub fn stations(layers: &DescribedLayers, lang: Lang) -> Vec<Row> {
    let mut out: Vec<(i64, Row)> = layers_of(layers, "air_quality")
        .filter_map(|(layer, f)| {
            let aqi = prop(f, "aqi").and_then(serde_json::Value::as_u64);
            let (text, colour) = match aqi {
                Some(a) => {
                    let level = parktwin_api::aqi::Level::of(a as u32);
                    let (en, zh) = level.names();
                    let primary = prop(f, "primary_pollutant").map(value_text).unwrap_or_default();
                    let primary = if primary.is_empty() || primary == "—" {
                        String::new()
                    } else {
                        format!(" · {primary}")
                    };
                    let [r, g, b] = level.colour();
                    (
                        format!("AQI {a} {}{primary}", lang.pick(en, zh)),
                        egui::Color32::from_rgb(r, g, b),
                    )
                }
                None => (tr(Msg::NoReading, lang).to_string(), egui::Color32::GRAY),
            };
            Some((aqi.map_or(-1, |a| a as i64), row(layer, f, lang, text, colour)?))
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    out.into_iter().map(|(_, r)| r).collect()
}

/// The outfalls, those over a limit first.
pub fn outfalls(layers: &DescribedLayers, lang: Lang) -> Vec<Row> {
    let mut out: Vec<(u8, Row)> = layers_of(layers, "outfall")
        .filter_map(|(layer, f)| {
            let limits = prop(f, "limits").and_then(|v| v.as_str()).unwrap_or("no_data");
            let reading = |q: &str| {
                prop(f, q).map(|v| {
                    let permit = prop(f, &format!("{q}_permit")).map(|p| format!(" / {}", value_text(p)));
                    format!("{} {}{}", q.to_uppercase(), value_text(v), permit.unwrap_or_default())
                })
            };
            let readings: Vec<String> = ["cod", "nh3n"].iter().filter_map(|q| reading(q)).collect();
            let (rank, state, colour) = match limits {
                "exceedance" => (0, tr(Msg::OverLimit, lang), theme::ALARM),
                "normal" => (1, tr(Msg::WithinLimits, lang), theme::GOOD),
                _ => (2, tr(Msg::NoReading, lang), egui::Color32::GRAY),
            };
            let text = if readings.is_empty() {
                state.to_string()
            } else {
                format!("{state} · {} mg/L", readings.join(", "))
            };
            Some((rank, row(layer, f, lang, text, colour)?))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    out.into_iter().map(|(_, r)| r).collect()
}

/// Draws the view (`live`: whether the map shows the present; over a past moment it says
/// whose readings these are); the feature asked for, if a row was clicked.
pub fn section(ui: &mut egui::Ui, layers: &DescribedLayers, live: bool, lang: Lang) -> Option<FeatureRef> {
    let (stations, outfalls) = (stations(layers, lang), outfalls(layers, lang));
    if stations.is_empty() && outfalls.is_empty() {
        return None;
    }
    let mut go = None;
    egui::CollapsingHeader::new(tr(Msg::Environment, lang))
        .id_salt("environment")
        .show(ui, |ui| {
            notes(ui, live, stations.iter().chain(&outfalls).any(|r| r.demo), lang);
            for (title, rows) in [(Msg::AirQuality, &stations), (Msg::Outfalls, &outfalls)] {
                if rows.is_empty() {
                    continue;
                }
                ui.small(tr(title, lang));
                for r in rows {
                    ui.horizontal(|ui| {
                        if ui.small_button(&r.name).clicked() {
                            go = Some(r.feature.clone());
                        }
                        ui.colored_label(r.colour, &r.text);
                    });
                }
            }
        });
    go
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::descriptor::parse_toml;
    use parktwin_layers::described::DescribedLayer;

    fn layer(toml: &str, features: serde_json::Value) -> DescribedLayer {
        let descriptor = parse_toml("d.toml", toml).expect("a descriptor");
        DescribedLayer {
            descriptor,
            origin: "test".into(),
            features: serde_json::from_value(features).expect("features"),
            model: None,
        }
    }

    #[test]
    fn stations_worst_first_with_their_level_and_outfalls_over_a_limit_first() {
        let mut layers = DescribedLayers::default();
        layers.put(layer(
            "id = \"aq\"\ntitle = \"AQ\"\ngroup = \"environment\"\n[source]\nendpoint = \"/api/v1/devices/geojson?kind=air_quality\"\n",
            serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "aq-01", "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
                 "properties": {"name": "North", "name_zh": "北站", "aqi": 57, "primary_pollutant": "PM2.5", "feed": "demo simulator"}},
                {"type": "Feature", "id": "aq-02", "geometry": {"type": "Point", "coordinates": [118.46, 37.56]},
                 "properties": {"name": "South", "aqi": 132, "primary_pollutant": "PM2.5"}},
                {"type": "Feature", "id": "aq-03", "geometry": {"type": "Point", "coordinates": [118.47, 37.56]},
                 "properties": {"name": "East", "aqi": null}},
            ]}),
        ));
        layers.put(layer(
            "id = \"of\"\ntitle = \"OF\"\ngroup = \"environment\"\n[source]\nendpoint = \"/api/v1/devices/geojson?kind=outfall\"\n",
            serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "of-01", "geometry": {"type": "Point", "coordinates": [118.45, 37.56]},
                 "properties": {"name": "Effluent", "limits": "normal", "cod": 31.25, "cod_permit": 60.0}},
                {"type": "Feature", "id": "of-02", "geometry": {"type": "Point", "coordinates": [118.46, 37.56]},
                 "properties": {"name": "Storm", "limits": "exceedance", "cod": 72.0, "cod_permit": 60.0, "nh3n": 3.5}},
            ]}),
        ));
        let s = stations(&layers, Lang::En);
        let text: Vec<(&str, &str)> = s.iter().map(|r| (r.name.as_str(), r.text.as_str())).collect();
        assert_eq!(
            text,
            [
                ("South", "AQI 132 Lightly polluted · PM2.5"),
                ("North", "AQI 57 Good · PM2.5"),
                ("East", tr(Msg::NoReading, Lang::En)),
            ]
        );
        let [r, g, b] = parktwin_api::aqi::Level::LightlyPolluted.colour();
        assert_eq!(s[0].colour, egui::Color32::from_rgb(r, g, b), "the standard's colour");
        assert!(s[1].demo && !s[0].demo, "the demo's values say so");
        assert_eq!(stations(&layers, Lang::Zh)[1].name, "北站");
        let o = outfalls(&layers, Lang::En);
        assert_eq!(o[0].feature.feature, "of-02", "over a limit first");
        assert_eq!(
            o[0].text,
            format!("{} · COD 72 / 60, NH3N 3.5 mg/L", tr(Msg::OverLimit, Lang::En))
        );
        assert_eq!(
            o[1].text,
            format!("{} · COD 31.25 / 60 mg/L", tr(Msg::WithinLimits, Lang::En))
        );
    }
}
