//! Layer descriptors: a layer described in a file instead of code — where its features come
//! from and how they are drawn — so that an integrator adds a utility's meters or a
//! contractor's inspection results without writing Rust.
//!
//! A descriptor is TOML (or the same fields as JSON). Every error names the file, the line
//! (TOML) and the field, e.g. `meters.toml:12: style.colour_by.ranges[1].colour: "#12" is not a
//! colour (#rrggbb or #rgb)`. The same types travel in the server's layer catalog as JSON.
//!
//! ```
//! use parktwin_api::descriptor::parse_toml;
//! let d = parse_toml("aq.toml", r##"
//! id = "air_quality"
//! title = "Air quality"
//! group = "environment"
//! [source]
//! file = "aq.geojson"
//! [style.colour_by]
//! property = "aqi"
//! ranges = [
//!   { below = 51, colour = "#00e400", label = "Good" },
//!   { colour = "#ff0000", label = "Polluted" },
//! ]
//! "##).unwrap();
//! let props = serde_json::json!({"aqi": 72});
//! assert_eq!(d.style.colour_of(props.as_object().unwrap()), [255, 0, 0]);
//! assert_eq!(d.legend().len(), 2);
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use geojson::{Feature, FeatureCollection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::model::LayerGroup;

/// An sRGB colour.
pub type Srgb = [u8; 3];

/// One line of a layer's legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LegendItem {
    /// What the colour means.
    pub label: String,
    /// What the colour means, in Chinese.
    pub label_zh: String,
    /// The colour as drawn.
    pub colour: Srgb,
}

/// A layer described in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Descriptor {
    /// Stable id: lower-case letters, digits, `_` and `-`.
    pub id: String,
    /// English title.
    pub title: String,
    /// Chinese title (the English one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_zh: Option<String>,
    /// Scenario group, e.g. `environment`, `energy`, `pipe_gallery`.
    pub group: LayerGroup,
    /// Shown when the map starts.
    #[serde(default = "yes")]
    pub visible: bool,
    /// Drawing order among the layers (higher draws later); after the built-in layers when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z_order: Option<i32>,
    /// Opacity at start, 0 (transparent) to 1.
    #[serde(default = "one")]
    pub opacity: f32,
    /// Whether the layer's features change with time (and so follow a replay's clock).
    #[serde(default)]
    pub follows_time: bool,
    /// Where the features come from.
    pub source: Source,
    /// How they are drawn.
    #[serde(default)]
    pub style: Style,
    /// The properties the identify panel shows, in order (all of them when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identify: Vec<IdentifyField>,
}

fn yes() -> bool {
    true
}

fn one() -> f32 {
    1.0
}

/// Where a descriptor layer's features come from: exactly one of a GeoJSON file (relative to
/// the descriptor), a URL, or a path on the ParkTwin server; fetched again every `refresh_s`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A GeoJSON file, relative to the descriptor's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// An `http://` or `https://` URL answering a FeatureCollection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A path on the ParkTwin server, e.g. `/api/v1/layers/air_quality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Seconds between fetches; fetched once when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_s: Option<f64>,
}

/// Where the features are, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind<'a> {
    /// A file (relative paths are relative to the descriptor).
    File(&'a str),
    /// A URL.
    Url(&'a str),
    /// A path on the ParkTwin server.
    Endpoint(&'a str),
}

impl Source {
    /// The one source given.
    pub fn kind(&self) -> Option<SourceKind<'_>> {
        match (&self.file, &self.url, &self.endpoint) {
            (Some(f), None, None) => Some(SourceKind::File(f)),
            (None, Some(u), None) => Some(SourceKind::Url(u)),
            (None, None, Some(e)) => Some(SourceKind::Endpoint(e)),
            _ => None,
        }
    }
}

impl fmt::Display for SourceKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceKind::File(p) => write!(f, "file {p}"),
            SourceKind::Url(u) => write!(f, "url {u}"),
            SourceKind::Endpoint(e) => write!(f, "server {e}"),
        }
    }
}

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
}

fn marker_size() -> f64 {
    8.0
}

impl Default for Marker {
    fn default() -> Self {
        Self {
            shape: MarkerShape::Box,
            size_m: marker_size(),
            height_m: None,
        }
    }
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

/// One property the identify panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IdentifyField {
    /// The property.
    pub property: String,
    /// Its label (the property's name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its label in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    /// Its unit, e.g. `mg/L`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The rows identify shows for a feature: label, label in Chinese, value with its unit — the
/// listed properties, or every property when none is listed.
pub fn identify_rows(fields: &[IdentifyField], props: &Map<String, Json>) -> Vec<(String, String, String)> {
    if fields.is_empty() {
        return props
            .iter()
            .map(|(k, v)| (k.clone(), k.clone(), value_text(v)))
            .collect();
    }
    fields
        .iter()
        .filter_map(|f| {
            let v = props.get(&f.property)?;
            let unit = f.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            let label = f.label.clone().unwrap_or_else(|| f.property.clone());
            let zh = f.label_zh.clone().unwrap_or_else(|| label.clone());
            Some((label, zh, format!("{}{unit}", value_text(v))))
        })
        .collect()
}

fn err(e: &mut Vec<(String, String)>, field: &str, reason: String) {
    e.push((field.to_string(), reason));
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
pub fn value_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn same_value(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => value_text(a) == value_text(b),
    }
}

fn colour_or_grey(s: &str) -> Srgb {
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
        let en = props.get(&l.property).map(value_text).filter(|s| !s.is_empty())?;
        let zh = l
            .property_zh
            .as_ref()
            .and_then(|p| props.get(p))
            .map(value_text)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| en.clone());
        Some((format!("{en}{suffix}"), format!("{zh}{suffix}")))
    }
}

impl Descriptor {
    /// The Chinese title (the English one when none is given).
    pub fn title_zh(&self) -> &str {
        self.title_zh.as_deref().unwrap_or(&self.title)
    }

    /// The legend, generated from the style.
    pub fn legend(&self) -> Vec<LegendItem> {
        let item = |label: String, label_zh: Option<&String>, colour: &str| LegendItem {
            label_zh: label_zh.cloned().unwrap_or_else(|| label.clone()),
            label,
            colour: colour_or_grey(colour),
        };
        let Some(by) = &self.style.colour_by else {
            return vec![LegendItem {
                label: self.title.clone(),
                label_zh: self.title_zh().to_string(),
                colour: self.style.colour.as_deref().map_or(NO_DATA, colour_or_grey),
            }];
        };
        let mut out: Vec<LegendItem> = by
            .categories
            .iter()
            .map(|c| {
                item(
                    c.label.clone().unwrap_or_else(|| value_text(&c.value)),
                    c.label_zh.as_ref(),
                    &c.colour,
                )
            })
            .collect();
        let mut from: Option<f64> = None;
        for r in &by.ranges {
            let bounds = match (from, r.below) {
                (None, Some(b)) => format!("below {b}"),
                (Some(a), Some(b)) => format!("{a} to {b}"),
                (Some(a), None) => format!("{a} and above"),
                (None, None) => "all".to_string(),
            };
            out.push(item(r.label.clone().unwrap_or(bounds), r.label_zh.as_ref(), &r.colour));
            from = r.below;
        }
        if let Some(d) = &by.default {
            let label = by.default_label.clone().unwrap_or_else(|| "Other".into());
            let zh = by.default_label_zh.clone().unwrap_or_else(|| "其他".into());
            out.push(item(label, Some(&zh), d));
        }
        out
    }

    /// The properties the style reads, with the field that names each.
    pub fn properties_used(&self) -> Vec<(String, &str)> {
        let s = &self.style;
        let mut out = Vec::new();
        if let Some(by) = &s.colour_by {
            out.push(("style.colour_by.property".to_string(), by.property.as_str()));
        }
        if let Some(p) = s.extrude.as_ref().and_then(|e| e.property.as_deref()) {
            out.push(("style.extrude.property".to_string(), p));
        }
        if let Some(p) = s
            .line
            .as_ref()
            .and_then(|l| l.width_by.as_ref())
            .and_then(|w| w.property.as_deref())
        {
            out.push(("style.line.width_by.property".to_string(), p));
        }
        if let Some(l) = &s.label {
            out.push(("style.label.property".to_string(), l.property.as_str()));
            if let Some(p) = &l.property_zh {
                out.push(("style.label.property_zh".to_string(), p.as_str()));
            }
        }
        for (i, f) in self.identify.iter().enumerate() {
            out.push((format!("identify[{i}].property"), f.property.as_str()));
        }
        out
    }

    /// The rows the identify panel shows for a feature: label, label in Chinese, value.
    pub fn identify_rows(&self, props: &Map<String, Json>) -> Vec<(String, String, String)> {
        identify_rows(&self.identify, props)
    }

    /// Checks what serde cannot: the id, the one source, colours, ranges, sizes. Each problem
    /// comes with the field that has it.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut errs: Vec<(String, String)> = Vec::new();
        let e = &mut errs;
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            err(
                e,
                "id",
                format!(
                    "\"{}\" is not a layer id (lower-case letters, digits, _ and -)",
                    self.id
                ),
            );
        }
        if self.title.trim().is_empty() {
            err(e, "title", "the title is empty".into());
        }
        if !(0.0..=1.0).contains(&self.opacity) {
            err(e, "opacity", format!("{} is not between 0 and 1", self.opacity));
        }
        let src = &self.source;
        let given = [&src.file, &src.url, &src.endpoint]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if given != 1 {
            err(
                e,
                "source",
                format!("give exactly one of file, url or endpoint (found {given})"),
            );
        }
        if let Some(u) = &src.url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            err(e, "source.url", format!("\"{u}\" is not an http:// or https:// URL"));
        }
        if let Some(path) = &src.endpoint
            && !path.starts_with('/')
        {
            err(
                e,
                "source.endpoint",
                format!("\"{path}\" is not a path on the server (it starts with /)"),
            );
        }
        if let Some(r) = src.refresh_s
            && !(r.is_finite() && r >= 1.0)
        {
            err(
                e,
                "source.refresh_s",
                format!("{r} is not a refresh interval (1 s or more)"),
            );
        }
        let s = &self.style;
        fn colour(e: &mut Vec<(String, String)>, field: String, c: &str) {
            if let Err(reason) = parse_colour(c) {
                e.push((field, reason));
            }
        }
        if let Some(c) = &s.colour {
            colour(e, "style.colour".into(), c);
        }
        if let Some(by) = &s.colour_by {
            for (i, c) in by.categories.iter().enumerate() {
                colour(e, format!("style.colour_by.categories[{i}].colour"), &c.colour);
            }
            for (i, r) in by.ranges.iter().enumerate() {
                colour(e, format!("style.colour_by.ranges[{i}].colour"), &r.colour);
            }
            if let Some(d) = &by.default {
                colour(e, "style.colour_by.default".into(), d);
            }
        }
        if s.colour.is_some() && s.colour_by.is_some() {
            err(e, "style", "give colour or colour_by, not both".into());
        }
        if let Some(by) = &s.colour_by {
            if by.property.is_empty() {
                err(e, "style.colour_by.property", "the property is empty".into());
            }
            match (by.categories.is_empty(), by.ranges.is_empty()) {
                (true, true) => err(e, "style.colour_by", "give categories or ranges".into()),
                (false, false) => err(e, "style.colour_by", "give categories or ranges, not both".into()),
                _ => {}
            }
            let mut last: Option<f64> = None;
            for (i, r) in by.ranges.iter().enumerate() {
                let field = format!("style.colour_by.ranges[{i}].below");
                match r.below {
                    None if i + 1 < by.ranges.len() => {
                        err(e, &field, "only the last range may be open (no below)".into())
                    }
                    Some(b) if !b.is_finite() => err(e, &field, format!("{b} is not a number")),
                    Some(b) if last.is_some_and(|l| b <= l) => err(
                        e,
                        &field,
                        format!("{b} is not above the previous range's bound {}", last.unwrap_or(b)),
                    ),
                    _ => {}
                }
                last = r.below.or(last);
            }
            for (i, c) in by.categories.iter().enumerate() {
                if c.value.is_array() || c.value.is_object() || c.value.is_null() {
                    err(
                        e,
                        &format!("style.colour_by.categories[{i}].value"),
                        "a category is a string, a number or a boolean".into(),
                    );
                }
                if by.categories[..i].iter().any(|o| same_value(&o.value, &c.value)) {
                    err(
                        e,
                        &format!("style.colour_by.categories[{i}].value"),
                        format!("{} appears twice", c.value),
                    );
                }
            }
        }
        fn scaled(e: &mut Vec<(String, String)>, field: &str, sc: &Scaled) {
            if sc.property.is_none() && sc.height_m.is_none() {
                err(e, field, "give height_m or property".into());
            }
            if sc.property.is_some() && sc.height_m.is_some() {
                err(e, field, "give height_m or property, not both".into());
            }
            if !(sc.scale.is_finite() && sc.scale > 0.0) {
                err(
                    e,
                    &format!("{field}.scale"),
                    format!("{} is not a positive number", sc.scale),
                );
            }
            if sc.min_m < 0.0 {
                err(e, &format!("{field}.min_m"), format!("{} is negative", sc.min_m));
            }
            if let Some(m) = sc.max_m
                && m < sc.min_m
            {
                err(e, &format!("{field}.max_m"), format!("{m} is below min_m {}", sc.min_m));
            }
        }
        if let Some(x) = &s.extrude {
            scaled(e, "style.extrude", x);
        }
        if let Some(w) = s.line.as_ref().and_then(|l| l.width_by.as_ref()) {
            scaled(e, "style.line.width_by", w);
        }
        if let Some(m) = &s.marker {
            if !(m.size_m.is_finite() && m.size_m > 0.0) {
                err(e, "style.marker.size_m", format!("{} is not a positive size", m.size_m));
            }
            if let Some(h) = m.height_m
                && !(h.is_finite() && h > 0.0)
            {
                err(e, "style.marker.height_m", format!("{h} is not a positive height"));
            }
        }
        if let Some(l) = &s.line {
            if !(l.width_m.is_finite() && l.width_m > 0.0) {
                err(
                    e,
                    "style.line.width_m",
                    format!("{} is not a positive width", l.width_m),
                );
            }
            if !(l.arc_height_m.is_finite() && l.arc_height_m >= 0.0) {
                err(e, "style.line.arc_height_m", format!("{} is negative", l.arc_height_m));
            }
        }
        if let Some(r) = &s.visible_range
            && let Some(max) = r.max_m
            && max <= r.min_m
        {
            err(
                e,
                "style.visible_range.max_m",
                format!("{max} is not above min_m {}", r.min_m),
            );
        }
        errs
    }

    /// Checks the style against the features it draws: a property the style reads that no
    /// feature has is a typo until shown otherwise.
    pub fn check_features(&self, features: &[Feature]) -> Vec<(String, String)> {
        if features.is_empty() {
            return Vec::new();
        }
        self.properties_used()
            .into_iter()
            .filter(|(_, p)| {
                !features
                    .iter()
                    .any(|f| f.properties.as_ref().is_some_and(|m| m.contains_key(*p)))
            })
            .map(|(field, p)| (field, format!("no feature of the source has the property \"{p}\"")))
            .collect()
    }
}

/// A descriptor that could not be used: the file, the line (TOML), the field and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DescriptorError {
    /// The descriptor file (or the data file it names).
    pub file: String,
    /// Line, from 1, where known.
    pub line: Option<usize>,
    /// The field, e.g. `style.colour_by.ranges[1].colour`, where known.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for DescriptorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

fn line_at(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

/// One step of a field path: a key or an array index.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn parse_path(field: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

/// Where in a TOML text a field's value is (the line of its key for a table).
fn toml_span_of(src: &str, field: &str) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(src).ok()?;
    let mut span = root.span();
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue>]> = None;
    for seg in parse_path(field) {
        let value = match seg {
            // A field that is absent (a bound left out) points at what holds it.
            Seg::Key(k) => {
                let Some((key, v)) = table.and_then(|t| t.iter().find(|(key, _)| key.get_ref().as_ref() == k)) else {
                    break;
                };
                span = if matches!(v.get_ref(), DeValue::Table(_)) {
                    key.span()
                } else {
                    v.span()
                };
                v
            }
            Seg::Index(i) => {
                let Some(v) = array.and_then(|a| a.get(i)) else { break };
                span = v.span();
                v
            }
        };
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a.as_ref()),
            _ => {}
        }
    }
    Some(span)
}

/// The deepest field whose value holds a TOML offset, e.g. for a serde error's span.
fn toml_field_at(src: &str, offset: usize) -> Option<String> {
    use toml::de::{DeTable, DeValue};
    // Tables declared with a `[header]` have no span around their contents, so every branch
    // is searched: the key or scalar value holding the offset ends the search.
    fn walk(v: &DeValue<'_>, offset: usize, path: &str) -> Option<String> {
        type Child<'a, 'i> = (String, &'a toml::Spanned<DeValue<'i>>, Option<std::ops::Range<usize>>);
        let children: Vec<Child<'_, '_>> = match v {
            DeValue::Table(t) => t
                .iter()
                .map(|(k, v)| {
                    let p = if path.is_empty() {
                        k.get_ref().to_string()
                    } else {
                        format!("{path}.{}", k.get_ref())
                    };
                    (p, v, Some(k.span()))
                })
                .collect(),
            DeValue::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{path}[{i}]"), v, None))
                .collect(),
            _ => return None,
        };
        for (p, v, key_span) in children {
            if key_span.is_some_and(|k| k.contains(&offset)) {
                return Some(p);
            }
            if let Some(found) = walk(v.get_ref(), offset, &p) {
                return Some(found);
            }
            if v.span().contains(&offset) {
                return Some(p);
            }
        }
        None
    }
    let root = DeTable::parse(src).ok()?;
    walk(&DeValue::Table(root.into_inner()), offset, "")
}

/// The line of a field in a TOML text, where it can be found.
fn toml_line(src: &str, field: &str) -> Option<usize> {
    toml_span_of(src, field).map(|s| line_at(src, s.start))
}

/// Problems found by [`Descriptor::check`] as errors of `file`, with lines where the text is
/// TOML.
fn field_errors(file: &str, toml_src: Option<&str>, errs: Vec<(String, String)>) -> Vec<DescriptorError> {
    errs.into_iter()
        .map(|(field, reason)| DescriptorError {
            file: file.to_string(),
            line: toml_src.and_then(|src| toml_line(src, &field)),
            field: Some(field),
            reason,
        })
        .collect()
}

fn checked(file: &str, toml_src: Option<&str>, d: Descriptor) -> Result<Descriptor, Vec<DescriptorError>> {
    let errs = d.check();
    if errs.is_empty() {
        Ok(d)
    } else {
        Err(field_errors(file, toml_src, errs))
    }
}

/// Parses and checks a TOML descriptor; `file` names it in errors.
pub fn parse_toml(file: &str, src: &str) -> Result<Descriptor, Vec<DescriptorError>> {
    let d: Descriptor = toml::from_str(src).map_err(|e| {
        let span = e.span();
        vec![DescriptorError {
            file: file.to_string(),
            line: span.as_ref().map(|s| line_at(src, s.start)),
            field: span.and_then(|s| toml_field_at(src, s.start)),
            reason: e.message().trim().to_string(),
        }]
    })?;
    checked(file, Some(src), d)
}

/// Parses and checks a JSON descriptor (the same fields as TOML).
pub fn parse_json(file: &str, src: &str) -> Result<Descriptor, Vec<DescriptorError>> {
    let d: Descriptor = serde_json::from_str(src).map_err(|e| {
        vec![DescriptorError {
            file: file.to_string(),
            line: Some(e.line()),
            field: None,
            reason: e.to_string(),
        }]
    })?;
    checked(file, None, d)
}

/// A descriptor read from a folder, with its features where the source is a file.
#[derive(Debug, Clone)]
pub struct LoadedDescriptor {
    /// The descriptor file.
    pub path: PathBuf,
    /// The descriptor.
    pub descriptor: Descriptor,
    /// The features, for a file source (url and endpoint sources are fetched by the caller).
    pub features: Option<FeatureCollection>,
}

/// What a folder of descriptors holds: the good layers and every error.
#[derive(Debug, Clone, Default)]
pub struct DirLoad {
    /// Layers that loaded, in file-name order.
    pub layers: Vec<LoadedDescriptor>,
    /// Everything that did not, each naming its file.
    pub errors: Vec<DescriptorError>,
}

/// Whether a file is a descriptor by its name (`.toml` or `.json`).
pub fn is_descriptor_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("toml" | "json"))
}

/// Reads a GeoJSON source file and checks it as the server checks layer files, and the style
/// against its features.
pub fn load_features(
    descriptor_file: &str,
    d: &Descriptor,
    path: &Path,
) -> Result<FeatureCollection, Vec<DescriptorError>> {
    let name = path.display().to_string();
    let one = |file: String, field: Option<String>, reason: String| {
        vec![DescriptorError {
            file,
            line: None,
            field,
            reason,
        }]
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        one(
            descriptor_file.to_string(),
            Some("source.file".into()),
            format!("cannot read {name}: {e}"),
        )
    })?;
    features_from_text(descriptor_file, d, &name, &text)
}

/// Checks the text of a source (a file's or a URL's answer) and the style against it.
pub fn features_from_text(
    descriptor_file: &str,
    d: &Descriptor,
    source_name: &str,
    text: &str,
) -> Result<FeatureCollection, Vec<DescriptorError>> {
    let features = crate::validate::parse_layer_file(source_name, text).map_err(|e| {
        vec![DescriptorError {
            file: e.file,
            line: None,
            field: e.feature.map(|f| format!("feature {f}")),
            reason: e.reason,
        }]
    })?;
    let errs = d.check_features(&features);
    if !errs.is_empty() {
        return Err(field_errors(descriptor_file, None, errs));
    }
    Ok(FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    })
}

/// Reads one descriptor file (TOML or JSON), and its features for a file source.
pub fn load_file(path: &Path) -> Result<LoadedDescriptor, Vec<DescriptorError>> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| {
        vec![DescriptorError {
            file: name.clone(),
            line: None,
            field: None,
            reason: format!("cannot read: {e}"),
        }]
    })?;
    let descriptor = if path.extension().is_some_and(|e| e == "json") {
        parse_json(&name, &src)?
    } else {
        parse_toml(&name, &src)?
    };
    let features = match descriptor.source.kind() {
        Some(SourceKind::File(f)) => {
            let data = path.parent().unwrap_or(Path::new(".")).join(f);
            // The descriptor's own errors (not the data file's) get their lines.
            Some(load_features(&name, &descriptor, &data).map_err(|mut errs| {
                for e in errs.iter_mut().filter(|e| e.file == name && e.line.is_none()) {
                    e.line = e.field.as_deref().and_then(|f| toml_line(&src, f));
                }
                errs
            })?)
        }
        _ => None,
    };
    Ok(LoadedDescriptor {
        path: path.to_path_buf(),
        descriptor,
        features,
    })
}

/// Reads every descriptor in a folder (not its subfolders), in file-name order. A bad file is
/// reported and skipped; the others load. Two files with one id: the second is refused.
pub fn load_dir(dir: &Path) -> DirLoad {
    let mut out = DirLoad::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.errors.push(DescriptorError {
                file: dir.display().to_string(),
                line: None,
                field: None,
                reason: format!("cannot read the folder: {e}"),
            });
            return out;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_descriptor_file(p))
        .collect();
    files.sort();
    for path in files {
        match load_file(&path) {
            Ok(l) => {
                if let Some(first) = out.layers.iter().find(|o| o.descriptor.id == l.descriptor.id) {
                    let src = std::fs::read_to_string(&path).unwrap_or_default();
                    out.errors.push(DescriptorError {
                        file: path.display().to_string(),
                        line: toml_line(&src, "id"),
                        field: Some("id".into()),
                        reason: format!("the id \"{}\" is taken by {}", l.descriptor.id, first.path.display()),
                    });
                } else {
                    out.layers.push(l);
                }
            }
            Err(errs) => out.errors.extend(errs),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"id = "outfalls"
title = "Wastewater outfalls"
title_zh = "污水排放口"
group = "environment"

[source]
file = "outfalls.geojson"
refresh_s = 60

[style.colour_by]
property = "state"
categories = [
  { value = "normal", colour = "#20c060", label = "Within limits", label_zh = "达标" },
  { value = "exceedance", colour = "#ff2020", label = "Exceeding", label_zh = "超标" },
]
default = "#888888"
default_label = "Offline"

[style.marker]
shape = "cone"
size_m = 12

[style.label]
property = "name"
property_zh = "name_zh"
"##;

    fn props(v: serde_json::Value) -> Map<String, Json> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_good_descriptor_parses_with_its_defaults() {
        let d = parse_toml("o.toml", GOOD).expect("good");
        assert_eq!(d.id, "outfalls");
        assert_eq!(d.group, LayerGroup::Environment);
        assert!(d.visible);
        assert_eq!(d.opacity, 1.0);
        assert_eq!(d.source.kind(), Some(SourceKind::File("outfalls.geojson")));
        assert_eq!(d.style.marker.as_ref().map(|m| m.shape), Some(MarkerShape::Cone));
        let legend = d.legend();
        assert_eq!(
            legend.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
            ["Within limits", "Exceeding", "Offline"]
        );
        assert_eq!(legend[1].label_zh, "超标");
        assert_eq!(legend[1].colour, [255, 32, 32]);
    }

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

    /// Every error names the file, the line and the field, and says what is wrong.
    #[test]
    fn every_error_says_where_and_why() {
        let cases: &[(&str, &str, &str)] = &[
            (
                r##"id = "x"
title = "X"
group = "environment"
[source]
file = "a.geojson"
colr = "#fff"
"##,
                "o.toml:6: source.colr: unknown field `colr`, expected one of `file`, `url`, `endpoint`, `refresh_s`",
                "typo",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"enviroment\"\n[source]\nfile = \"a\"\n",
                "o.toml:3: group: unknown variant `enviroment`",
                "group",
            ),
            (
                "id = \"x\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n",
                "missing field `title`",
                "missing",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source\nfile = \"a\"\n",
                "o.toml:4: ",
                "syntax",
            ),
            (
                "id = \"Bad Id\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n",
                "o.toml:1: id: \"Bad Id\" is not a layer id",
                "id",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\nurl = \"http://h/x\"\n",
                "o.toml:4: source: give exactly one of file, url or endpoint (found 2)",
                "two sources",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nurl = \"ftp://h/x\"\n",
                "o.toml:5: source.url: \"ftp://h/x\" is not an http:// or https:// URL",
                "url",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nendpoint = \"api/x\"\n",
                "o.toml:5: source.endpoint: \"api/x\" is not a path on the server",
                "endpoint",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\nrefresh_s = 0\n",
                "o.toml:6: source.refresh_s: 0 is not a refresh interval",
                "refresh",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\nopacity = 1.5\n[source]\nfile = \"a\"\n",
                "o.toml:4: opacity: 1.5 is not between 0 and 1",
                "opacity",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style]\ncolour = \"orange\"\n",
                "o.toml:7: style.colour: \"orange\" is not a colour (#rrggbb or #rgb)",
                "colour",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { below = 10, colour = \"#fff\" },\n { below = 5, colour = \"#12\" },\n]\n",
                "o.toml:10: style.colour_by.ranges[1].colour: \"#12\" is not a colour",
                "range colour",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { below = 10, colour = \"#fff\" },\n { below = 5, colour = \"#000\" },\n]\n",
                "o.toml:10: style.colour_by.ranges[1].below: 5 is not above the previous range's bound 10",
                "range order",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { colour = \"#fff\" },\n { below = 5, colour = \"#000\" },\n]\n",
                "o.toml:9: style.colour_by.ranges[0].below: only the last range may be open",
                "open range",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\n",
                "o.toml:6: style.colour_by: give categories or ranges",
                "no rules",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style]\ncolour = \"#fff\"\n[style.colour_by]\nproperty = \"p\"\ncategories = [{ value = \"a\", colour = \"#000\" }]\n",
                "o.toml:6: style: give colour or colour_by, not both",
                "both colours",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\ncategories = [{ value = \"a\", colour = \"#000\" }, { value = \"a\", colour = \"#fff\" }]\n",
                "o.toml:8: style.colour_by.categories[1].value: \"a\" appears twice",
                "duplicate category",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.extrude]\nscale = 2\n",
                "o.toml:6: style.extrude: give height_m or property",
                "extrude",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.extrude]\nproperty = \"p\"\nscale = -1\n",
                "o.toml:8: style.extrude.scale: -1 is not a positive number",
                "scale",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.marker]\nshape = \"star\"\n",
                "o.toml:7: style.marker.shape: unknown variant `star`, expected one of `box`, `cylinder`, `sphere`, `cone`",
                "shape",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.marker]\nsize_m = 0\n",
                "o.toml:7: style.marker.size_m: 0 is not a positive size",
                "size",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.line]\nwidth_m = -2\n",
                "o.toml:7: style.line.width_m: -2 is not a positive width",
                "width",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.visible_range]\nmin_m = 500\nmax_m = 100\n",
                "o.toml:8: style.visible_range.max_m: 100 is not above min_m 500",
                "range",
            ),
        ];
        for (src, want, what) in cases {
            let errs = parse_toml("o.toml", src).expect_err(what);
            let text = errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            assert!(text.contains(want), "{what}: wanted {want:?} in {text:?}");
        }
    }

    #[test]
    fn a_json_descriptor_reads_the_same_fields() {
        let d = parse_toml("o.toml", GOOD).expect("good");
        let json = serde_json::to_string(&d).expect("json");
        assert_eq!(parse_json("o.json", &json).expect("json parses"), d);
        let errs = parse_json("o.json", "{\n\"id\": 3}").expect_err("bad");
        assert_eq!(errs[0].file, "o.json");
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].reason.contains("invalid type"), "{}", errs[0].reason);
    }

    #[test]
    fn a_folder_loads_the_good_and_reports_the_bad() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let fc = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","id":"o1","geometry":{"type":"Point","coordinates":[118.45,37.57]},"properties":{"name":"O1","name_zh":"一","state":"normal"}}]}"#;
        std::fs::write(p.join("outfalls.geojson"), fc).expect("write");
        std::fs::write(p.join("a.toml"), GOOD).expect("write");
        std::fs::write(p.join("b.toml"), GOOD).expect("write"); // the same id again
        std::fs::write(
            p.join("c.toml"),
            GOOD.replace("outfalls.geojson", "missing.geojson")
                .replace("\"outfalls\"", "\"c\""),
        )
        .expect("write");
        std::fs::write(
            p.join("d.toml"),
            GOOD.replace("\"state\"", "\"stat\"").replace("\"outfalls\"", "\"d\""),
        )
        .expect("write");
        std::fs::write(p.join("notes.txt"), "not a descriptor").expect("write");
        let load = load_dir(p);
        assert_eq!(load.layers.len(), 1);
        assert_eq!(load.layers[0].features.as_ref().map(|f| f.features.len()), Some(1));
        let errs: Vec<String> = load.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert!(
            errs[0].contains("b.toml:1: id: the id \"outfalls\" is taken by"),
            "{}",
            errs[0]
        );
        assert!(errs[1].contains("c.toml:7: source.file: cannot read"), "{}", errs[1]);
        assert!(errs[1].contains("missing.geojson"), "{}", errs[1]);
        assert!(
            errs[2].contains("d.toml:11: style.colour_by.property: no feature of the source has the property \"stat\""),
            "{}",
            errs[2]
        );
    }
}
