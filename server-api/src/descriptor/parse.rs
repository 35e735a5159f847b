//! Parsing TOML and JSON descriptors, with errors that name the file, the line and the field.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Descriptor;

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
pub(super) fn toml_line(src: &str, field: &str) -> Option<usize> {
    toml_span_of(src, field).map(|s| line_at(src, s.start))
}

/// Problems found by [`Descriptor::check`] as errors of `file`, with lines where the text is
/// TOML.
pub(super) fn field_errors(file: &str, toml_src: Option<&str>, errs: Vec<(String, String)>) -> Vec<DescriptorError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::tests::GOOD;

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
}
