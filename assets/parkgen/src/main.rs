//! Generates ParkTwin's demo park: a believable chemical park on the Yellow River delta
//! (around 118.45°E, 37.57°N) as RFC 7946 GeoJSON layers plus `park.json`.
//!
//! The park is laid out in metres east/north of its origin and converted to WGS84 with the same
//! local frame the client uses. It is deterministic: the same seed writes the same bytes, and a
//! test checks that the files in `assets/park` are what this program writes.
//!
//! ```text
//! cargo run -p parktwin-parkgen -- assets/park
//! ```

use std::path::PathBuf;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/park"));
    let chem_path = out.join("..").join("chemicals.json");
    let table = serde_json::from_str(
        &std::fs::read_to_string(&chem_path).with_context(|| format!("cannot read {}", chem_path.display()))?,
    )
    .with_context(|| format!("{} is not a chemical table", chem_path.display()))?;
    let files = parktwin_parkgen::park::generate(&table)?;
    for (name, text) in &files {
        if let Some(dir) = out.join(name).parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(out.join(name), text).with_context(|| format!("cannot write {name}"))?;
    }
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(())
}
