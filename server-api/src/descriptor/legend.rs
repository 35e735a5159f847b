//! A descriptor layer's legend, generated from its style.

use serde::{Deserialize, Serialize};

use super::style::colour_or_grey;
use super::{Descriptor, NO_DATA, Srgb, value_text};

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

impl Descriptor {
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
}
