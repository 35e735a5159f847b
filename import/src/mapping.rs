//! The mapping file (TOML): which source becomes which park layer, and each field of it from
//! an attribute (converted, or looked up in a table of values), or a constant.
//!
//! ```toml
//! [[layer]]
//! source = "储罐"              # a source layer: a file's stem, a GeoPackage table
//! target = "tanks"             # a park layer
//! id = { attribute = "BH" }    # the feature ids (derived from the content when absent)
//! keep_attributes = false      # also copy the attributes no field names
//!
//! [layer.fields]
//! name = { attribute = "MC" }
//! inventory_t = { attribute = "CL_KG", from_unit = "kg", to_unit = "t" }
//! chemical = { attribute = "介质", values = { "液氯" = "chlorine", "液氨" = "ammonia" } }
//! roof = { constant = "vertical fixed roof" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::problem::Problem;

/// A whole mapping file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// One entry per source layer mapped.
    #[serde(default, rename = "layer")]
    pub layers: Vec<LayerMap>,
}

/// How one source layer becomes a park layer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerMap {
    /// The source layer: a file's stem (or name), a GeoPackage table's name.
    pub source: String,
    /// The park layer.
    pub target: String,
    /// Where the feature ids come from; derived from each feature's content when absent.
    #[serde(default)]
    pub id: Option<Field>,
    /// Each property of the park layer.
    #[serde(default)]
    pub fields: BTreeMap<String, Field>,
    /// Also copy the attributes no field names, as they are.
    #[serde(default)]
    pub keep_attributes: bool,
}

/// Where one property's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// A source attribute.
    #[serde(default)]
    pub attribute: Option<String>,
    /// A constant.
    #[serde(default)]
    pub constant: Option<Value>,
    /// The attribute's unit, with `to_unit`: the value converted (a number).
    #[serde(default)]
    pub from_unit: Option<String>,
    /// The park's unit.
    #[serde(default)]
    pub to_unit: Option<String>,
    /// A table of values: the attribute's value → the park's (category names, chemicals).
    #[serde(default)]
    pub values: Option<BTreeMap<String, Value>>,
    /// The value where the attribute is empty, or not in `values`.
    #[serde(default)]
    pub default: Option<Value>,
}

/// The factor to the dimension's SI unit and the dimension, of the units a mapping may name.
fn unit(name: &str) -> Option<(f64, &'static str)> {
    Some(match name {
        "mm" => (0.001, "length"),
        "cm" => (0.01, "length"),
        "m" => (1.0, "length"),
        "km" => (1000.0, "length"),
        "ft" => (0.3048, "length"),
        "in" => (0.0254, "length"),
        "g" => (0.001, "mass"),
        "kg" => (1.0, "mass"),
        "t" => (1000.0, "mass"),
        "Pa" => (1.0, "pressure"),
        "kPa" => (1000.0, "pressure"),
        "MPa" => (1.0e6, "pressure"),
        "bar" => (1.0e5, "pressure"),
        // NIST SP 811 (2008), B.8: 1 psi = 6.894 757 kPa.
        "psi" => (6_894.757, "pressure"),
        "L" => (0.001, "volume"),
        "m3" => (1.0, "volume"),
        "m2" => (1.0, "area"),
        "km2" => (1.0e6, "area"),
        "ha" => (1.0e4, "area"),
        _ => return None,
    })
}

/// The units a mapping may name, for messages.
const UNITS: &str = "mm, cm, m, km, ft, in, g, kg, t, Pa, kPa, MPa, bar, psi, L, m3, m2, km2, ha";

impl Field {
    /// Checks the field's own consistency (one source, units of one dimension).
    fn check(&self, file: &str, layer: &str, name: &str) -> Vec<Problem> {
        let at = |reason: String| Problem::file(file, reason).at(format!("[[layer]] {layer}")).field(name);
        let mut problems = Vec::new();
        if self.attribute.is_some() == self.constant.is_some() {
            problems.push(at("needs exactly one of attribute and constant".into()));
        }
        match (&self.from_unit, &self.to_unit) {
            (None, None) => {}
            (Some(from), Some(to)) => match (unit(from), unit(to)) {
                (Some((_, a)), Some((_, b))) if a == b => {}
                (Some((_, a)), Some((_, b))) => problems.push(at(format!("converts {from} ({a}) to {to} ({b})"))),
                _ => problems.push(at(format!("names a unit not among {UNITS}: {from} → {to}"))),
            },
            _ => problems.push(at("needs both from_unit and to_unit".into())),
        }
        problems
    }

    /// The value for one feature: `Ok(None)` where there is none.
    pub fn value(&self, attributes: &serde_json::Map<String, Value>) -> Result<Option<Value>, String> {
        if let Some(c) = &self.constant {
            return Ok(Some(c.clone()));
        }
        let Some(name) = &self.attribute else {
            return Ok(None);
        };
        let raw = attributes.get(name).cloned().unwrap_or(Value::Null);
        let empty = raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty());
        if empty {
            return Ok(self.default.clone());
        }
        if let Some(table) = &self.values {
            let key = match &raw {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            };
            return match table.get(&key) {
                Some(v) => Ok(Some(v.clone())),
                None => match &self.default {
                    Some(d) => Ok(Some(d.clone())),
                    None => Err(format!(
                        "value \"{key}\" is not in the mapping's values (nor is there a default)"
                    )),
                },
            };
        }
        if let (Some(from), Some(to)) = (&self.from_unit, &self.to_unit) {
            let n = match &raw {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .ok_or_else(|| format!("value {raw} is not a number to convert from {from}"))?;
            let (a, _) = unit(from).unwrap_or((1.0, ""));
            let (b, _) = unit(to).unwrap_or((1.0, ""));
            let v = n * a / b;
            // Round away the binary noise of the conversion (1e-9 relative), keeping the data's
            // own precision.
            let v = (v * 1e9).round() / 1e9;
            return Ok(serde_json::Number::from_f64(v).map(Value::Number));
        }
        Ok(Some(raw))
    }
}

/// Reads and checks a mapping file: every problem named, with the file, the layer and the field.
pub fn read(path: &Path) -> Result<Mapping, Vec<Problem>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| vec![Problem::file(&file, format!("cannot be read: {e}"))])?;
    let mapping: Mapping =
        toml::from_str(&text).map_err(|e| vec![Problem::file(&file, format!("is not a mapping: {e}"))])?;
    let mut problems = Vec::new();
    for l in &mapping.layers {
        if crate::schema::park_layer(&l.target).is_none() {
            problems.push(
                Problem::file(
                    &file,
                    format!(
                        "is not a park layer; the layers are {}",
                        crate::schema::park_layer_ids()
                    ),
                )
                .at(format!("[[layer]] {}", l.source))
                .field("target"),
            );
        }
        if let Some(id) = &l.id {
            problems.extend(id.check(&file, &l.source, "id"));
        }
        for (name, f) in &l.fields {
            problems.extend(f.check(&file, &l.source, name));
        }
    }
    if problems.is_empty() {
        Ok(mapping)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(toml_text: &str) -> Field {
        toml::from_str(toml_text).expect("a field")
    }

    #[test]
    fn converts_units_and_looks_values_up() {
        let attrs = json!({"CL_KG": 30500.0, "介质": "液氯", "GJ": "250", "empty": " "});
        let attrs = attrs.as_object().expect("object");
        let t = field(
            r#"attribute = "CL_KG"
from_unit = "kg"
to_unit = "t""#,
        );
        assert_eq!(t.value(attrs), Ok(Some(json!(30.5))));
        let mm = field(
            r#"attribute = "GJ"
from_unit = "mm"
to_unit = "m""#,
        );
        assert_eq!(mm.value(attrs), Ok(Some(json!(0.25))));
        let chem = field(
            r#"attribute = "介质"
values = { "液氯" = "chlorine" }"#,
        );
        assert_eq!(chem.value(attrs), Ok(Some(json!("chlorine"))));
        let unknown = field(
            r#"attribute = "介质"
values = { "液氨" = "ammonia" }"#,
        );
        assert!(unknown.value(attrs).expect_err("not in the table").contains("液氯"));
        let empty = field(
            r#"attribute = "empty"
default = 0"#,
        );
        assert_eq!(empty.value(attrs), Ok(Some(json!(0))));
    }

    #[test]
    fn inconsistent_fields_are_named() {
        let f = field(
            r#"attribute = "a"
from_unit = "kg"
to_unit = "m""#,
        );
        let p = f.check("m.toml", "储罐", "inventory_t");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].to_string().contains("field \"inventory_t\"") && p[0].reason.contains("mass"),
            "{}",
            p[0]
        );
        let both = field(
            r#"attribute = "a"
constant = 1"#,
        );
        assert_eq!(both.check("m.toml", "x", "y").len(), 1);
    }
}
