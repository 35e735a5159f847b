//! Loading descriptors from files and folders, with their features where the source is a file.

use std::path::{Path, PathBuf};

use geojson::FeatureCollection;

use super::parse::{field_errors, toml_line};
use super::{Descriptor, DescriptorError, SourceKind, parse_json, parse_toml};

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
    use crate::descriptor::tests::GOOD;

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
