//! `parktwin layers check DIR`: validates a folder of layer descriptors the way the map loads
//! them, and prints each layer's id, source, feature count and legend, or each error with its
//! file, line and field.

use std::fmt::Write as _;
use std::path::Path;

use parktwin_api::client::ApiClient;
use parktwin_api::descriptor::{SourceKind, load_dir};

use crate::described::fetch_features;

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// The text to print.
    pub text: String,
    /// Layers that passed.
    pub good: usize,
    /// Errors found.
    pub errors: usize,
}

/// Checks every descriptor in `dir`. URL and server sources are fetched from `server` (so that
/// their features are checked and counted) unless `server` is `None`.
pub fn check_dir(dir: &Path, server: Option<&str>) -> CheckReport {
    let load = load_dir(dir);
    let mut errors = load.errors;
    let mut text = String::new();
    let mut good = 0;
    for l in &load.layers {
        let d = &l.descriptor;
        let origin = l.path.display().to_string();
        let count = match (&l.features, d.source.kind(), server) {
            (Some(f), ..) => Some(f.features.len()),
            (None, Some(SourceKind::Url(_) | SourceKind::Endpoint(_)), Some(server)) => {
                match parktwin_api::client::block_on(fetch_features(
                    &ApiClient::new(server),
                    &origin,
                    d,
                    l.path.parent(),
                    None,
                )) {
                    Ok(f) => Some(f.features.len()),
                    Err(errs) => {
                        errors.extend(errs);
                        continue;
                    }
                }
            }
            _ => None,
        };
        good += 1;
        let source = d.source.kind().map(|s| s.to_string()).unwrap_or_default();
        let _ = writeln!(text, "{} — {} / {} [{}]", d.id, d.title, d.title_zh(), d.group.title());
        match count {
            Some(n) => {
                let _ = writeln!(text, "  source:   {source} ({n} features)");
            }
            None => {
                let _ = writeln!(text, "  source:   {source} (not fetched: offline)");
            }
        }
        if let Some(r) = d.source.refresh_s {
            let _ = writeln!(text, "  refresh:  every {r} s");
        }
        for (i, item) in d.legend().iter().enumerate() {
            let [r, g, b] = item.colour;
            let _ = writeln!(
                text,
                "  {} #{r:02x}{g:02x}{b:02x} {} / {}",
                if i == 0 { "legend:  " } else { "         " },
                item.label,
                item.label_zh
            );
        }
    }
    for e in &errors {
        let _ = writeln!(text, "error: {e}");
    }
    let _ = writeln!(
        text,
        "{good} layer(s) good, {} error(s) in {}",
        errors.len(),
        dir.display()
    );
    CheckReport {
        text,
        good,
        errors: errors.len(),
    }
}
