//! What the panel's scenario views share: the features of the device layers the map already
//! has (descriptor layers over `/api/v1/devices/geojson?kind=…`, one kind or several), their
//! properties, a band's colour, and the notes every view carries (demo values, the readings of
//! a past moment).

use bevy_egui::egui;
use parktwin_api::descriptor::value_text;
use parktwin_layers::described::DescribedLayers;
use parktwin_scene::FeatureRef;

use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// The devices of a kind in the device layers: each with its layer's id.
pub fn layers_of<'a>(
    layers: &'a DescribedLayers,
    kind: &'a str,
) -> impl Iterator<Item = (&'a str, &'a geojson::Feature)> {
    layers
        .iter()
        .filter(move |l| l.descriptor.source.device_kinds().contains(&kind))
        .flat_map(|l| l.features.features.iter().map(move |f| (l.descriptor.id.as_str(), f)))
        .filter(move |(_, f)| prop(f, "kind").is_none_or(|k| k.as_str() == Some(kind)))
}

/// A property that is there and not empty.
pub fn prop<'a>(f: &'a geojson::Feature, key: &str) -> Option<&'a serde_json::Value> {
    f.properties.as_ref()?.get(key).filter(|v| !v.is_null())
}

/// A number property.
pub fn number(f: &geojson::Feature, key: &str) -> Option<f64> {
    prop(f, key).and_then(serde_json::Value::as_f64)
}

/// A text property.
pub fn text<'a>(f: &'a geojson::Feature, key: &str) -> Option<&'a str> {
    prop(f, key).and_then(serde_json::Value::as_str)
}

/// A device's name (or another name property's) in the language, its id where it has none.
pub fn name_of(f: &geojson::Feature, key: &str, lang: Lang) -> String {
    let zh = format!("{key}_zh");
    match lang {
        Lang::Zh => prop(f, &zh).or_else(|| prop(f, key)),
        Lang::En => prop(f, key),
    }
    .map_or_else(
        || parktwin_api::validate::feature_id(f).unwrap_or_default().to_string(),
        value_text,
    )
}

/// The feature to select for a device of a layer.
pub fn feature_ref(layer: &str, f: &geojson::Feature) -> Option<FeatureRef> {
    Some(FeatureRef {
        layer: layer.to_string(),
        feature: parktwin_api::validate::feature_id(f)?.to_string(),
    })
}

/// Whether the demo's simulator made a device's values.
pub fn is_demo(f: &geojson::Feature) -> bool {
    text(f, "feed") == Some("demo simulator")
}

/// How far past its thresholds a band is: 0 normal, 1 a warning (low, high), 2 an alarm.
pub fn band_rank(band: Option<&str>) -> u8 {
    match band {
        Some("high_high" | "low_low") => 2,
        Some("high" | "low") => 1,
        _ => 0,
    }
}

/// A band's colour: the theme's alarm, warning or good, grey where nothing was read.
pub fn band_colour(band: Option<&str>) -> egui::Color32 {
    match (band, band_rank(band)) {
        (None, _) => egui::Color32::GRAY,
        (_, 2) => theme::ALARM,
        (_, 1) => theme::WARNING,
        _ => theme::GOOD,
    }
}

/// A quantity's reading in words: its value and unit, or nothing when not read.
pub fn reading(f: &geojson::Feature, quantity: &str) -> Option<String> {
    let v = prop(f, quantity)?;
    let unit = text(f, &format!("{quantity}_unit")).unwrap_or_default();
    Some(format!("{} {unit}", value_text(v)).trim_end().to_string())
}

/// The notes above a view's rows: over a past moment, that the readings are each device's
/// last by then (the device layers follow the moment shown to the minute); the demo's.
pub fn notes(ui: &mut egui::Ui, present: bool, demo: bool, lang: Lang) {
    if !present {
        ui.colored_label(theme::REPLAY_BAND, tr(Msg::ValuesAsOfMoment, lang));
    }
    if demo {
        ui.colored_label(theme::WARNING, tr(Msg::DemoValues, lang));
    }
}

/// A device layer of `kinds` (comma-separated) with `features`, for the views' tests.
#[cfg(test)]
pub fn test_layer(id: &str, kinds: &str, features: serde_json::Value) -> parktwin_layers::described::DescribedLayer {
    let toml = format!(
        "id = \"{id}\"\ntitle = \"T\"\ngroup = \"safety\"\n[source]\nendpoint = \"/api/v1/devices/geojson?kind={kinds}\"\n"
    );
    parktwin_layers::described::DescribedLayer {
        descriptor: parktwin_api::descriptor::parse_toml("d.toml", &toml).expect("a descriptor"),
        origin: "test".into(),
        features: serde_json::from_value(features).expect("features"),
        model: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_has_its_colour() {
        assert_eq!(band_colour(Some("high_high")), theme::ALARM);
        assert_eq!(band_colour(Some("low")), theme::WARNING);
        assert_eq!(band_colour(Some("normal")), theme::GOOD);
        assert_eq!(band_colour(None), egui::Color32::GRAY);
    }
}
