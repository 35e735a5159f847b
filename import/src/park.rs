//! Writing the park folder: `park/park.json`, a GeoJSON file per layer, the chemical table;
//! into a temporary folder beside the output, moved into place only once all of it is written.

use std::path::{Path, PathBuf};

use parktwin_api::model::{LayerManifestEntry, Park, ParkManifest};

use crate::problem::Problem;
use crate::schema::ParkLayer;

/// The project's chemical table, which the imported park's hazard grading and incidents read.
pub const CHEMICALS_JSON: &str = include_str!("../../assets/chemicals.json");

/// Whether a folder may be replaced by a park: absent, empty, or a park folder already.
pub fn replaceable(out: &Path) -> Result<(), Problem> {
    let name = out.display().to_string();
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Problem::file(name, "is a file, not a folder"));
    }
    let empty = std::fs::read_dir(out)
        .map_err(|e| Problem::file(&name, format!("cannot be read: {e}")))?
        .next()
        .is_none();
    if empty || out.join("park").join("park.json").is_file() {
        Ok(())
    } else {
        Err(Problem::file(
            name,
            "holds files but is not a park folder (no park/park.json): give a new or empty folder",
        ))
    }
}

fn io(path: &Path, e: std::io::Error) -> Problem {
    Problem::file(path.display().to_string(), format!("cannot be written: {e}"))
}

fn write(path: &Path, text: &str) -> Result<(), Problem> {
    std::fs::write(path, text).map_err(|e| io(path, e))
}

/// Writes the park to `out`, replacing what was there only once everything is written.
/// `layers`: each park layer with its feature count and its GeoJSON text, in drawing order.
pub fn write_folder(out: &Path, park: &Park, layers: &[(&ParkLayer, usize, String)]) -> Result<(), Problem> {
    replaceable(out)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let base = out.file_name().and_then(|n| n.to_str()).unwrap_or("park");
    let tmp = parent.join(format!(".{base}.importing-{}", std::process::id()));
    let result = write_into(&tmp, park, layers).and_then(|()| swap(&tmp, out));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn write_into(dir: &Path, park: &Park, layers: &[(&ParkLayer, usize, String)]) -> Result<(), Problem> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let layer_dir = dir.join("park").join("layers");
    std::fs::create_dir_all(&layer_dir).map_err(|e| io(&layer_dir, e))?;
    let mut manifest = ParkManifest {
        park: park.clone(),
        layers: Vec::new(),
    };
    for (layer, _, text) in layers {
        let file = format!("layers/{}.geojson", layer.id);
        write(&dir.join("park").join(&file), text)?;
        manifest.layers.push(LayerManifestEntry {
            id: layer.id.to_string(),
            title: layer.title.to_string(),
            title_zh: layer.title_zh.to_string(),
            group: layer.group,
            default_visible: layer.visible,
            file,
        });
    }
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| Problem::file("park.json", e.to_string()))?;
    write(&dir.join("park").join("park.json"), &json)?;
    write(&dir.join("chemicals.json"), CHEMICALS_JSON)?;
    Ok(())
}

/// Moves the written folder into place: the old one aside, the new one in, the old one gone.
fn swap(tmp: &Path, out: &Path) -> Result<(), Problem> {
    let old: Option<PathBuf> = out
        .exists()
        .then(|| out.with_extension(format!("replaced-{}", std::process::id())));
    if let Some(old) = &old {
        std::fs::rename(out, old).map_err(|e| io(out, e))?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, out);
        }
        return Err(io(out, e));
    }
    if let Some(old) = old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}
