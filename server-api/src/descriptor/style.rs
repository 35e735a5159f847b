//! How a descriptor layer's features are drawn: colours (fixed, by category, by range),
//! extrusion, markers, lines, labels and visible range, and the colour and label of a feature.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// An sRGB colour.
pub type Srgb = [u8; 3];

/// How a descriptor layer's features are drawn.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// One colour for every feature, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// Colour by a property instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour_by: Option<ColourBy>,
    /// Polygons raised into blocks this tall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extrude: Option<Scaled>,
    /// How points are drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Marker>,
    /// A glTF model drawn at each point, in place of a marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// How lines are drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LineStyle>,
    /// A label on the map from a property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    /// The camera distances at which the layer is drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_range: Option<VisibleRange>,
}

/// Colour by a property: by category (exact values) or by numeric ranges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ColourBy {
    /// The property.
    pub property: String,
    /// Colours for exact values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Colours for ranges of a number, ascending by `below`; the last may have no bound.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<NumRange>,
    /// Colour of features matching none (grey when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Legend label for `default` (English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_label: Option<String>,
    /// Legend label for `default` (Chinese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_label_zh: Option<String>,
}

/// One category of [`ColourBy`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The property's value (a string, number or boolean).
    pub value: Json,
    /// Its colour.
    pub colour: String,
    /// Legend label (the value when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Legend label in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
}

/// One range of [`ColourBy`]: values from the previous range's bound up to (not including)
/// `below`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NumRange {
    /// Upper bound, exclusive; none on the last range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Its colour.
    pub colour: String,
    /// Legend label (the bounds when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Legend label in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
}

/// A length, fixed or from a property: `height_m`, or `property × scale` clamped to
/// `[min_m, max_m]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scaled {
    /// A fixed length, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_m: Option<f64>,
    /// The property the length comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Metres per unit of the property.
    #[serde(default = "one_f64")]
    pub scale: f64,
    /// Least length, metres.
    #[serde(default)]
    pub min_m: f64,
    /// Greatest length, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_m: Option<f64>,
}

fn one_f64() -> f64 {
    1.0
}

impl Scaled {
    /// The length for a feature's properties (the least length where the property is missing).
    pub fn of(&self, props: &Map<String, Json>) -> f64 {
        let raw = match (&self.property, self.height_m) {
            (Some(p), _) => props
                .get(p)
                .and_then(Json::as_f64)
                .map_or(self.min_m, |v| v * self.scale),
            (None, Some(h)) => h,
            (None, None) => self.min_m,
        };
        raw.max(self.min_m).min(self.max_m.unwrap_or(f64::INFINITY))
    }
}

/// The shape of a point marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarkerShape {
    /// A box.
    #[default]
    Box,
    /// An upright cylinder.
    Cylinder,
    /// A ball.
    Sphere,
    /// A cone, point up.
    Cone,
}

/// How points are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Its shape.
    #[serde(default)]
    pub shape: MarkerShape,
    /// Width, metres.
    #[serde(default = "marker_size")]
    pub size_m: f64,
    /// Height, metres (the width when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_m: Option<f64>,
    /// The width from a property (a substation's load), in place of `size_m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_by: Option<Scaled>,
    /// The height from a property (a tank's level), in place of `height_m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_by: Option<Scaled>,
}

fn marker_size() -> f64 {
    8.0
}

impl Marker {
    /// The width and height of a feature's marker, metres: `size_by` and `height_by` where
    /// given (see [`Scaled::of`]), else `size_m` and `height_m` (the width when absent).
    ///
    /// ```
    /// use parktwin_api::descriptor::{Marker, Scaled};
    /// let m = Marker {
    ///     height_by: Some(Scaled { height_m: None, property: Some("level".into()), scale: 0.3, min_m: 1.0, max_m: None }),
    ///     ..Marker::default()
    /// };
    /// let props = serde_json::json!({"level": 80.0});
    /// assert_eq!(m.size_of(props.as_object().unwrap()), (8.0, 24.0));
    /// assert_eq!(m.size_of(&Default::default()), (8.0, 1.0), "not read yet: its least height");
    /// ```
    pub fn size_of(&self, props: &Map<String, Json>) -> (f64, f64) {
        let width = self.size_by.as_ref().map_or(self.size_m, |s| s.of(props));
        let height = match &self.height_by {
            Some(h) => h.of(props),
            None => self.height_m.unwrap_or(width),
        };
        (width, height)
    }
}

impl Default for Marker {
    fn default() -> Self {
        Self {
            shape: MarkerShape::Box,
            size_m: marker_size(),
            height_m: None,
            size_by: None,
            height_by: None,
        }
    }
}

/// A glTF 2.0 model (`.glb`, or a `.gltf` with its buffers embedded) drawn at each point of
/// the layer: a building's BIM export, a pump, a flare. glTF is in metres, +Y up; the model's
/// origin stands on the point, its −Z toward north unless turned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The model file, relative to the descriptor's folder, or a path on the ParkTwin server
    /// (`/…`), or an `http://` or `https://` URL.
    pub file: String,
    /// Metres per model unit (1 for glTF's metres).
    #[serde(default = "unit_scale")]
    pub scale: f64,
    /// Turned clockwise seen from above, degrees.
    #[serde(default)]
    pub heading_deg: f64,
    /// The turn from a property instead (degrees clockwise from north).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_by: Option<String>,
}

fn unit_scale() -> f64 {
    1.0
}

impl Model {
    /// A feature's heading, degrees clockwise from north: its `heading_by` property where it
    /// has a number, else `heading_deg`.
    pub fn heading_of(&self, props: &Map<String, Json>) -> f64 {
        self.heading_by
            .as_deref()
            .and_then(|p| props.get(p))
            .and_then(Json::as_f64)
            .unwrap_or(self.heading_deg)
    }

    /// Where the model is read from.
    ///
    /// ```
    /// use parktwin_api::descriptor::{Model, ModelSource};
    /// let m = |f: &str| Model { file: f.into(), scale: 1.0, heading_deg: 0.0, heading_by: None };
    /// assert_eq!(m("pump.glb").source(), ModelSource::File("pump.glb"));
    /// assert_eq!(m("/api/v1/models/x.glb").source(), ModelSource::Fetched("/api/v1/models/x.glb"));
    /// assert_eq!(m("https://x.org/a.glb").source(), ModelSource::Fetched("https://x.org/a.glb"));
    /// ```
    pub fn source(&self) -> ModelSource<'_> {
        let f = self.file.as_str();
        if f.starts_with('/') || f.starts_with("http://") || f.starts_with("https://") {
            ModelSource::Fetched(f)
        } else {
            ModelSource::File(f)
        }
    }
}

/// Where a model's bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSource<'a> {
    /// A file beside the descriptor.
    File(&'a str),
    /// Fetched over HTTP: a server path or a URL.
    Fetched(&'a str),
}

/// How lines are drawn: a ribbon `width_m` wide (or as wide as a property says), at the line's
/// own heights or `height_m`, raised into an arc `arc_height_m` high at its middle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LineStyle {
    /// Width, metres.
    #[serde(default = "line_width")]
    pub width_m: f64,
    /// Width from a property instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_by: Option<Scaled>,
    /// Height above ground where the line has none of its own, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_m: Option<f64>,
    /// Raise the line into an arc this high at its middle (flows between places), metres.
    #[serde(default)]
    pub arc_height_m: f64,
}

fn line_width() -> f64 {
    3.0
}

impl Default for LineStyle {
    fn default() -> Self {
        Self {
            width_m: line_width(),
            width_by: None,
            height_m: None,
            arc_height_m: 0.0,
        }
    }
}

impl LineStyle {
    /// The width of a feature's line, metres.
    pub fn width_of(&self, props: &Map<String, Json>) -> f64 {
        self.width_by.as_ref().map_or(self.width_m, |w| w.of(props))
    }
}

/// A label on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The property shown.
    pub property: String,
    /// The property shown when the panel is in Chinese (`property` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_zh: Option<String>,
    /// Text after the value, e.g. ` t` or ` MWh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Decimals a number is shown with (a tank's level: 0); as read when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
}

/// Camera distances, metres, between which a layer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VisibleRange {
    /// Hidden when the camera is nearer.
    #[serde(default)]
    pub min_m: f64,
    /// Hidden when the camera is farther.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_m: Option<f64>,
}

impl VisibleRange {
    /// Whether a camera this far away draws the layer.
    pub fn contains(&self, distance: f64) -> bool {
        distance >= self.min_m && self.max_m.is_none_or(|m| distance <= m)
    }
}

/// Grey, for features no rule colours.
pub const NO_DATA: Srgb = [150, 150, 150];

/// Parses `#rrggbb` or `#rgb`.
///
/// ```
/// use parktwin_api::descriptor::parse_colour;
/// assert_eq!(parse_colour("#ff8000"), Ok([255, 128, 0]));
/// assert_eq!(parse_colour("#0f0"), Ok([0, 255, 0]));
/// assert!(parse_colour("orange").is_err());
/// ```
pub fn parse_colour(s: &str) -> Result<Srgb, String> {
    let bad = || format!("\"{s}\" is not a colour (#rrggbb or #rgb)");
    let hex = s.strip_prefix('#').ok_or_else(bad)?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let digit = |i: usize, n: usize| u8::from_str_radix(&hex[i..i + n], 16).map_err(|_| bad());
    match hex.len() {
        6 => Ok([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        3 => Ok([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        _ => Err(bad()),
    }
}

/// A property's value as text: strings as they are, numbers without a needless `.0`.
///
/// ```
/// use parktwin_api::descriptor::value_text;
/// use serde_json::json;
/// assert_eq!(value_text(&json!(39.37529346239856)), "39.375");
/// assert_eq!(value_text(&json!(37.2)), "37.2");
/// assert_eq!(value_text(&json!(0.000123456)), "0.0001235");
/// assert_eq!(value_text(&json!(126.0)), "126");
/// ```
pub fn value_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            // A reading as a feed sent it (39.37529346239856) is read to three decimals, or to
            // four significant digits under 1.
            Some(f) if f.is_finite() => {
                let decimals = if f.abs() >= 1.0 {
                    3
                } else {
                    (3 - f.abs().log10().floor() as i32).clamp(3, 12) as usize
                };
                let text = format!("{f:.decimals$}");
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            }
            _ => n.to_string(),
        },
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

pub(super) fn same_value(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => value_text(a) == value_text(b),
    }
}

pub(super) fn colour_or_grey(s: &str) -> Srgb {
    parse_colour(s).unwrap_or(NO_DATA)
}

impl Style {
    /// The colour of a feature with these properties.
    pub fn colour_of(&self, props: &Map<String, Json>) -> Srgb {
        let Some(by) = &self.colour_by else {
            return self.colour.as_deref().map_or(NO_DATA, colour_or_grey);
        };
        let fallback = by.default.as_deref().map_or(NO_DATA, colour_or_grey);
        let Some(v) = props.get(&by.property) else {
            return fallback;
        };
        if let Some(c) = by.categories.iter().find(|c| same_value(&c.value, v)) {
            return colour_or_grey(&c.colour);
        }
        if let Some(x) = v.as_f64() {
            for r in &by.ranges {
                if r.below.is_none_or(|b| x < b) {
                    return colour_or_grey(&r.colour);
                }
            }
        }
        fallback
    }

    /// The label of a feature, in English and (where the style names one) Chinese.
    pub fn label_of(&self, props: &Map<String, Json>) -> Option<(String, String)> {
        let l = self.label.as_ref()?;
        let suffix = l.suffix.as_deref().unwrap_or("");
        let text = |v: &Json| match (v.as_f64(), l.decimals) {
            (Some(x), Some(d)) if v.is_number() => format!("{x:.*}", usize::from(d)),
            _ => value_text(v),
        };
        let en = props.get(&l.property).map(text).filter(|s| !s.is_empty())?;
        let zh = l
            .property_zh
            .as_ref()
            .and_then(|p| props.get(p))
            .map(text)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| en.clone());
        Some((format!("{en}{suffix}"), format!("{zh}{suffix}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::tests::{GOOD, props};
    use crate::descriptor::{Descriptor, IdentifyField, parse_toml};

    #[test]
    fn categories_and_ranges_colour_features() {
        let d = parse_toml("o.toml", GOOD).expect("good");
        assert_eq!(
            d.style.colour_of(&props(serde_json::json!({"state": "exceedance"}))),
            [255, 32, 32]
        );
        assert_eq!(
            d.style.colour_of(&props(serde_json::json!({"state": "offline"}))),
            [136, 136, 136]
        );
        assert_eq!(d.style.colour_of(&props(serde_json::json!({}))), [136, 136, 136]);

        let style = Style {
            colour_by: Some(ColourBy {
                property: "aqi".into(),
                ranges: vec![
                    NumRange {
                        below: Some(51.0),
                        colour: "#00e400".into(),
                        label: None,
                        label_zh: None,
                    },
                    NumRange {
                        below: Some(101.0),
                        colour: "#ffff00".into(),
                        label: None,
                        label_zh: None,
                    },
                    NumRange {
                        below: None,
                        colour: "#ff0000".into(),
                        label: None,
                        label_zh: None,
                    },
                ],
                ..Default::default()
            }),
            ..Default::default()
        };
        let at = |v: serde_json::Value| style.colour_of(&props(serde_json::json!({ "aqi": v })));
        assert_eq!(at(serde_json::json!(0)), [0, 228, 0]);
        assert_eq!(at(serde_json::json!(50.9)), [0, 228, 0]);
        assert_eq!(at(serde_json::json!(51)), [255, 255, 0]);
        assert_eq!(at(serde_json::json!(400)), [255, 0, 0]);
        assert_eq!(at(serde_json::json!("n/a")), NO_DATA);
        let d = Descriptor {
            style,
            ..parse_toml("o.toml", GOOD).expect("good")
        };
        assert_eq!(
            d.legend().iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
            ["below 51", "51 to 101", "101 and above"]
        );
    }

    #[test]
    fn numbers_and_booleans_match_categories() {
        let src = GOOD.replace(
            r##"{ value = "normal", colour = "#20c060", label = "Within limits", label_zh = "达标" },"##,
            r##"{ value = 3, colour = "#20c060" }, { value = true, colour = "#0000ff" },"##,
        );
        let d = parse_toml("o.toml", &src).expect("good");
        assert_eq!(
            d.style.colour_of(&props(serde_json::json!({"state": 3.0}))),
            [32, 192, 96]
        );
        assert_eq!(
            d.style.colour_of(&props(serde_json::json!({"state": true}))),
            [0, 0, 255]
        );
        assert_eq!(d.legend()[0].label, "3");
    }

    #[test]
    fn scaled_lengths_labels_and_identify() {
        let e = Scaled {
            height_m: None,
            property: Some("mwh".into()),
            scale: 0.1,
            min_m: 2.0,
            max_m: Some(80.0),
        };
        assert_eq!(e.of(&props(serde_json::json!({"mwh": 300}))), 30.0);
        assert_eq!(e.of(&props(serde_json::json!({"mwh": 5}))), 2.0);
        assert_eq!(e.of(&props(serde_json::json!({"mwh": 5000}))), 80.0);
        assert_eq!(e.of(&props(serde_json::json!({}))), 2.0);
        let d = parse_toml("o.toml", GOOD).expect("good");
        assert_eq!(
            d.style
                .label_of(&props(serde_json::json!({"name": "Outfall 1", "name_zh": "1号排口"}))),
            Some(("Outfall 1".into(), "1号排口".into()))
        );
        assert_eq!(d.style.label_of(&props(serde_json::json!({"id": 1}))), None);
        let mut d = d;
        if let Some(l) = d.style.label.as_mut() {
            (l.property, l.property_zh, l.suffix, l.decimals) = ("level".into(), None, Some(" %".into()), Some(0));
        }
        assert_eq!(
            d.style.label_of(&props(serde_json::json!({"level": 78.394}))),
            Some(("78 %".into(), "78 %".into())),
            "a level shown whole"
        );
        d.identify = vec![IdentifyField {
            property: "cod_mg_l".into(),
            label: Some("COD".into()),
            label_zh: Some("化学需氧量".into()),
            unit: Some("mg/L".into()),
        }];
        assert_eq!(
            d.identify_rows(&props(serde_json::json!({"cod_mg_l": 48, "x": 1}))),
            [("COD".to_string(), "化学需氧量".to_string(), "48 mg/L".to_string())]
        );
    }
}
