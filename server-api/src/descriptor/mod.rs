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

mod check;
mod identify;
mod legend;
mod load;
mod parse;
mod source;
mod style;

use serde::{Deserialize, Serialize};

use crate::model::LayerGroup;

pub use identify::{IdentifyField, identify_rows};
pub use legend::LegendItem;
pub use load::{DirLoad, LoadedDescriptor, features_from_text, is_descriptor_file, load_dir, load_features, load_file};
pub use parse::{DescriptorError, parse_json, parse_toml};
pub use source::{DEVICE_LAYER_PATH, Source, SourceKind};
pub use style::{
    Category, ColourBy, Label, LineStyle, Marker, MarkerShape, Model, ModelSource, NO_DATA, NumRange, Scaled, Srgb,
    Style, VisibleRange, parse_colour, value_text,
};

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

impl Descriptor {
    /// The Chinese title (the English one when none is given).
    pub fn title_zh(&self) -> &str {
        self.title_zh.as_deref().unwrap_or(&self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value as Json};

    pub(super) const GOOD: &str = r##"id = "outfalls"
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

    pub(super) fn props(v: serde_json::Value) -> Map<String, Json> {
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
}
