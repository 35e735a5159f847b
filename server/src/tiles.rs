//! An offline basemap: the tiles of one MBTiles or PMTiles file (`parktwin-server --tiles
//! FILE`), served at `/api/v1/tiles/{z}/{x}/{y}` in XYZ numbering (OpenStreetMap's: y from the
//! north), so that a control room cut off from the internet still has a map under the park.
//!
//! - **MBTiles** 1.3 (<https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md>): a
//!   SQLite file whose `tiles` table numbers rows TMS-wise (from the south: `tile_row` is
//!   2^z − 1 − y), read with rusqlite, which the store uses already.
//! - **PMTiles** v3 (see [`crate::pmtiles`]): one file of a header, directories and tiles.
//!
//! The file is checked whole when the server starts (it opens, it has tiles, its format is one
//! a map can draw): a wrong file stops the server with an error naming it and the reason,
//! rather than a map that stays blank.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use parktwin_api::tiles::{TILE_TEMPLATE, TileFormat, TileSetInfo};

/// A tile as the file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// Its bytes, as stored.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub media_type: &'static str,
    /// `gzip` when the bytes are gzipped (a vector tile's), to be sent as `Content-Encoding`.
    pub encoding: Option<&'static str>,
}

/// Why a tile file cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TilesError {
    /// The file is not one this server reads, or is broken.
    #[error("{path}: {why}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

impl TilesError {
    pub(crate) fn file(path: &Path, why: impl std::fmt::Display) -> Self {
        TilesError::File {
            path: path.to_path_buf(),
            why: why.to_string(),
        }
    }
}

enum Source {
    /// An MBTiles file's read-only connection (rusqlite's connection is not shared between
    /// threads; a tile is one indexed lookup, so one connection under a lock serves).
    MbTiles(Mutex<rusqlite::Connection>),
    /// A PMTiles file.
    PmTiles(crate::pmtiles::PmTiles),
}

/// An opened tile file.
pub struct TileSet {
    path: PathBuf,
    source: Source,
    info: TileSetInfo,
}

/// An online basemap: a URL template of Web Mercator tiles in XYZ numbering that the maps fetch
/// themselves (OpenStreetMap's `https://tile.openstreetmap.org/{z}/{x}/{y}.png`, or a WMTS of the
/// GoogleMapsCompatible matrix set by its key-value request, as Tianditu's
/// `…/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&…&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY`),
/// checked: an http(s) URL with `{z}`, `{x}` and `{y}` and zoom levels within 0–[`MAX_ZOOM`].
///
/// ```
/// use parktwin_server::tiles::online;
/// let osm = online("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", 0, 19)
///     .expect("a template");
/// assert_eq!((osm.name.as_str(), osm.max_zoom), ("tile.openstreetmap.org", 19));
/// assert!(online("tile.openstreetmap.org/{z}/{x}/{y}.png", "", 0, 19).is_err());
/// assert!(online("https://example.org/{z}/{x}.png", "", 0, 19).is_err());
/// ```
pub fn online(template: &str, credit: &str, min_zoom: u8, max_zoom: u8) -> Result<TileSetInfo, String> {
    let rest = template
        .strip_prefix("https://")
        .or_else(|| template.strip_prefix("http://"))
        .ok_or_else(|| format!("{template:?} is not an http:// or https:// address"))?;
    let missing: Vec<&str> = ["{z}", "{x}", "{y}"]
        .into_iter()
        .filter(|p| !template.contains(p))
        .collect();
    if !missing.is_empty() {
        return Err(format!("{template:?} has no {}", missing.join(", ")));
    }
    if min_zoom > max_zoom || max_zoom > MAX_ZOOM {
        return Err(format!("zoom levels {min_zoom}–{max_zoom} are not within 0–{MAX_ZOOM}"));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains('{') {
        return Err(format!(
            "{template:?} names no host (placeholders are for the tile only)"
        ));
    }
    Ok(TileSetInfo {
        name: host.to_string(),
        format: TileFormat::Png,
        min_zoom,
        max_zoom,
        bounds: None,
        attribution: credit.to_string(),
        template: template.to_string(),
    })
}

/// The origin (`https://host:port`) of an online basemap's template, which the browser's
/// Content-Security-Policy must let the map fetch from.
pub fn origin(template: &str) -> Option<&str> {
    let start = template.find("://")? + 3;
    let end = template[start..].find(['/', '?']).map_or(template.len(), |k| start + k);
    Some(&template[..end])
}

/// The server's basemap: a tile file it serves, or an online source the maps fetch from.
#[derive(Debug, Clone)]
pub enum Basemap {
    /// `--tiles FILE`.
    File(SharedTiles),
    /// `--basemap-url TEMPLATE`.
    Online(TileSetInfo),
}

impl Basemap {
    /// Its description.
    pub fn info(&self) -> &TileSetInfo {
        match self {
            Basemap::File(t) => t.0.info(),
            Basemap::Online(i) => i,
        }
    }
}

impl PartialEq for Basemap {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Basemap::File(a), Basemap::File(b)) => a == b,
            (Basemap::Online(a), Basemap::Online(b)) => a.template == b.template,
            _ => false,
        }
    }
}

impl Eq for Basemap {}

/// A tile set the router's handlers share; equal to itself only.
#[derive(Debug, Clone)]
pub struct SharedTiles(pub Arc<TileSet>);

impl PartialEq for SharedTiles {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedTiles {}

impl std::fmt::Debug for TileSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileSet")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The highest zoom level a tile is asked at (Web Mercator tiles of 2.4 m at the equator at
/// 24: far past any imagery).
pub const MAX_ZOOM: u8 = 24;

impl TileSet {
    /// Opens an MBTiles (`.mbtiles`) or PMTiles (`.pmtiles`) file, by its extension, and
    /// checks it.
    pub fn open(path: &Path) -> Result<Self, TilesError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let fallback_name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("tiles").to_string();
        let set = match ext.as_str() {
            "mbtiles" => Self::open_mbtiles(path, fallback_name)?,
            "pmtiles" => {
                let pm = crate::pmtiles::PmTiles::open(path)?;
                let info = pm.info(fallback_name);
                TileSet {
                    path: path.to_path_buf(),
                    source: Source::PmTiles(pm),
                    info,
                }
            }
            _ => {
                return Err(TilesError::file(
                    path,
                    "not a tile file this server reads: it takes .mbtiles and .pmtiles",
                ));
            }
        };
        if set.info.min_zoom > set.info.max_zoom || set.info.max_zoom > MAX_ZOOM {
            return Err(TilesError::file(
                path,
                format!(
                    "its zoom levels {}–{} are not within 0–{MAX_ZOOM}",
                    set.info.min_zoom, set.info.max_zoom
                ),
            ));
        }
        Ok(set)
    }

    fn open_mbtiles(path: &Path, fallback_name: String) -> Result<Self, TilesError> {
        use rusqlite::OpenFlags;
        if !path.is_file() {
            return Err(TilesError::file(path, "no such file"));
        }
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| TilesError::file(path, e))?;
        let bad = |e: rusqlite::Error| TilesError::file(path, format!("not an MBTiles file ({e})"));
        let meta: Vec<(String, String)> = conn
            .prepare("SELECT name, value FROM metadata")
            .and_then(|mut q| q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(bad)?;
        let get = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string());
        let (zmin, zmax, first): (Option<i64>, Option<i64>, Option<Vec<u8>>) = conn
            .query_row(
                "SELECT min(zoom_level), max(zoom_level), (SELECT tile_data FROM tiles LIMIT 1) FROM tiles",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(bad)?;
        let (Some(zmin), Some(zmax)) = (zmin, zmax) else {
            return Err(TilesError::file(path, "it has no tiles"));
        };
        let format = match get("format") {
            Some(name) => TileFormat::named(&name).ok_or_else(|| {
                TilesError::file(
                    path,
                    format!("metadata \"format\": {name:?} is not png, jpg, webp or pbf"),
                )
            })?,
            None => first.as_deref().and_then(TileFormat::sniffed).ok_or_else(|| {
                TilesError::file(
                    path,
                    "metadata has no \"format\" and its tiles are not PNG, JPEG or WebP",
                )
            })?,
        };
        let zoom =
            |z: i64| u8::try_from(z).map_err(|_| TilesError::file(path, format!("zoom level {z} is out of range")));
        let bounds = match get("bounds") {
            Some(text) => Some(parse_bounds(&text).ok_or_else(|| {
                TilesError::file(
                    path,
                    format!("metadata \"bounds\": {text:?} is not west,south,east,north in degrees"),
                )
            })?),
            None => None,
        };
        Ok(TileSet {
            path: path.to_path_buf(),
            info: TileSetInfo {
                name: get("name").filter(|n| !n.is_empty()).unwrap_or(fallback_name),
                format,
                min_zoom: zoom(zmin)?,
                max_zoom: zoom(zmax)?,
                bounds,
                attribution: get("attribution").unwrap_or_default(),
                template: TILE_TEMPLATE.to_string(),
            },
            source: Source::MbTiles(Mutex::new(conn)),
        })
    }

    /// The set's description.
    pub fn info(&self) -> &TileSetInfo {
        &self.info
    }

    /// The tile at zoom `z`, column `x` and row `y` (XYZ: from the north), if the file has it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, TilesError> {
        if z > MAX_ZOOM || u64::from(x) >= 1 << z || u64::from(y) >= 1 << z {
            return Ok(None);
        }
        let bytes = match &self.source {
            Source::MbTiles(conn) => {
                let conn = conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let row = (1u32 << z) - 1 - y; // TMS numbers rows from the south
                let read = || -> rusqlite::Result<Option<Vec<u8>>> {
                    let mut q = conn.prepare_cached(
                        "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                    )?;
                    let mut rows = q.query(rusqlite::params![z, x, row])?;
                    rows.next()?.map(|r| r.get(0)).transpose()
                };
                read().map_err(|e| TilesError::file(&self.path, e))?
            }
            Source::PmTiles(pm) => pm.tile(z, x, y)?,
        };
        Ok(bytes.map(|bytes| {
            let gzipped = bytes.starts_with(&[0x1F, 0x8B]);
            Tile {
                bytes,
                media_type: self.info.format.media_type(),
                encoding: gzipped.then_some("gzip"),
            }
        }))
    }
}

/// `west,south,east,north` in degrees.
fn parse_bounds(text: &str) -> Option<[f64; 4]> {
    let v: Vec<f64> = text.split(',').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
    let [w, s, e, n] = <[f64; 4]>::try_from(v).ok()?;
    ((-180.0..=180.0).contains(&w) && (-180.0..=180.0).contains(&e) && (-90.0..=90.0).contains(&s) && s <= n)
        .then_some([w, s, e, n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiles_format_is_read_from_its_name_or_its_first_bytes() {
        assert_eq!(TileFormat::named("JPG"), Some(TileFormat::Jpeg));
        assert_eq!(TileFormat::named("mvt"), Some(TileFormat::Pbf));
        assert_eq!(TileFormat::named("tiff"), None);
        assert_eq!(TileFormat::sniffed(b"\x89PNG\r\n\x1a\n...."), Some(TileFormat::Png));
        assert_eq!(TileFormat::sniffed(b"RIFF\0\0\0\0WEBPVP8 "), Some(TileFormat::Webp));
        assert_eq!(TileFormat::sniffed(b"GIF89a"), None);
    }

    #[test]
    fn bounds_are_four_degrees_in_order() {
        assert_eq!(parse_bounds("118.4, 37.5,118.5,37.6"), Some([118.4, 37.5, 118.5, 37.6]));
        assert_eq!(parse_bounds("118.4,37.6,118.5,37.5"), None, "south above north");
        assert_eq!(parse_bounds("118.4,37.5,118.5"), None);
        assert_eq!(parse_bounds("a,b,c,d"), None);
    }
}
