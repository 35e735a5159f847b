//! Test tile sets: an MBTiles file of solid-colour PNG tiles, one colour per tile, so that a
//! test can tell which tile a pixel or a response came from; and the same tiles as PMTiles,
//! written by the format's reference implementation (the `pmtiles` package on PyPI, which
//! `scripts/setup-python` installs), so that the server's reader is checked against it.
//!
//! The tile numbering here is written from the slippy-map formulas
//! (<https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames>), apart from the server's and
//! the client's own.

use std::path::Path;

/// The XYZ tile (column, row from the north) holding `lon`, `lat` at zoom `z`, with the
/// position within it (0–1 from its west and north edges).
pub fn tile_at(lon: f64, lat: f64, z: u8) -> ((u32, u32), (f64, f64)) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let phi = lat.to_radians();
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    ((x.floor() as u32, y.floor() as u32), (x.fract(), y.fract()))
}

/// The colour of tile z/x/y: neighbours always differ, and no tile is grey or white.
pub fn tile_colour(z: u8, x: u32, y: u32) -> [u8; 3] {
    let (x, y, z) = (u64::from(x), u64::from(y), u64::from(z));
    [
        (40 + (x % 4) * 60) as u8,
        (40 + (y % 4) * 60) as u8,
        (220 - ((x + y + z) % 3) * 70) as u8,
    ]
}

/// A 16 × 16 PNG of one colour.
pub fn solid_png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("a PNG encodes");
    out.into_inner()
}

/// Writes an MBTiles file with every tile of the zoom levels `zooms` over `bounds` (west,
/// south, east, north in degrees), each a [`solid_png`] of its [`tile_colour`]; the tiles
/// written (z, x, y in XYZ numbering).
pub fn write_mbtiles(
    path: &Path,
    name: &str,
    attribution: &str,
    zooms: std::ops::RangeInclusive<u8>,
    bounds: [f64; 4],
) -> Vec<(u8, u32, u32)> {
    let conn = rusqlite::Connection::open(path).expect("an MBTiles file");
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .expect("its tables");
    let [w, s, e, n] = bounds;
    let centre = ((w + e) / 2.0, (s + n) / 2.0);
    for (k, v) in [
        ("name", name.to_string()),
        ("format", "png".to_string()),
        ("bounds", format!("{w},{s},{e},{n}")),
        ("center", format!("{},{},{}", centre.0, centre.1, zooms.start())),
        ("minzoom", zooms.start().to_string()),
        ("maxzoom", zooms.end().to_string()),
        ("attribution", attribution.to_string()),
    ] {
        conn.execute(
            "INSERT INTO metadata (name, value) VALUES (?1, ?2)",
            rusqlite::params![k, v],
        )
        .expect("metadata");
    }
    let mut written = Vec::new();
    for z in zooms {
        let ((x0, y0), _) = tile_at(w, n, z);
        let ((x1, y1), _) = tile_at(e, s, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                let tms_row = (1u32 << z) - 1 - y;
                conn.execute(
                    "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![z, x, tms_row, solid_png(tile_colour(z, x, y))],
                )
                .expect("a tile");
                written.push((z, x, y));
            }
        }
    }
    written
}

/// Converts an MBTiles file to PMTiles with the reference implementation's converter, in the
/// Python environment `scripts/setup-python` makes.
pub fn pmtiles_from_mbtiles(mbtiles: &Path, pmtiles: &Path) {
    let out = std::process::Command::new(crate::venv_bin("python"))
        .args([
            "-c",
            "import sys; from pmtiles.convert import mbtiles_to_pmtiles; mbtiles_to_pmtiles(sys.argv[1], sys.argv[2], None)",
        ])
        .arg(mbtiles)
        .arg(pmtiles)
        .output()
        .expect("the Python environment (scripts/setup-python)");
    assert!(
        out.status.success(),
        "pmtiles' converter: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
