//! What the identify panel shows for a descriptor layer's feature.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::{Descriptor, value_text};

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

impl Descriptor {
    /// The rows the identify panel shows for a feature: label, label in Chinese, value.
    pub fn identify_rows(&self, props: &Map<String, Json>) -> Vec<(String, String, String)> {
        identify_rows(&self.identify, props)
    }
}
