//! A PMTiles v3 file's tiles, read by z/x/y from the local file
//! (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>): a 127-byte header, a root
//! directory, optional leaf directories and the tiles. Written here rather than taken from the
//! `pmtiles` crate, whose reader is asynchronous (tokio, and HTTP backends the server does not
//! need) where the server reads a few hundred bytes of directory and one tile with plain file
//! reads; the algorithms follow the spec's reference implementation (the `pmtiles` package on
//! PyPI, `pmtiles/tile.py`), and the tests read files its writer made.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::tiles::{TileFormat, TileSetInfo, TilesError};

/// The header's length, bytes.
const HEADER_LEN: usize = 127;

/// How deep directories may nest (root, leaves, leaves of leaves), as the spec's readers allow.
const MAX_DEPTH: usize = 3;

/// A directory's entry: tiles `tile_id` … `tile_id + run_length − 1` are the bytes at
/// `offset`, `length` long (in the tile data); with `run_length` 0 it points at a leaf
/// directory instead (in the leaf directories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u64,
    run_length: u64,
}

/// A compression of the spec's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Other(u8),
}

impl Compression {
    fn of(byte: u8) -> Self {
        match byte {
            1 => Compression::None,
            2 => Compression::Gzip,
            b => Compression::Other(b),
        }
    }
}

/// An opened PMTiles file.
pub struct PmTiles {
    path: PathBuf,
    /// The file, opened once; a read seeks, so one at a time.
    file: std::sync::Mutex<File>,
    root: Vec<Entry>,
    leaves_offset: u64,
    tiles_offset: u64,
    internal: Compression,
    info: Header,
}

/// What the header says of the set.
#[derive(Debug, Clone)]
struct Header {
    format: TileFormat,
    min_zoom: u8,
    max_zoom: u8,
    bounds: [f64; 4],
    metadata: (u64, u64),
}

/// The tile id of z/x/y: the tiles of every lower zoom counted, then the tile's place along
/// the Hilbert curve over its zoom level.
///
/// ```
/// use parktwin_server::pmtiles::tile_id;
/// assert_eq!(tile_id(0, 0, 0), 0);
/// assert_eq!([tile_id(1, 0, 0), tile_id(1, 0, 1), tile_id(1, 1, 1), tile_id(1, 1, 0)], [1, 2, 3, 4]);
/// assert_eq!(tile_id(2, 0, 0), 5);
/// ```
pub fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let acc: u64 = (0..u32::from(z)).map(|t| 1u64 << (2 * t)).sum();
    // As the reference does it, over signed integers: its rotation may take a coordinate
    // below zero on the way, which only the bits tested later matter for.
    let (mut x, mut y) = (i64::from(x), i64::from(y));
    let mut d: u64 = 0;
    let mut s: i64 = (1i64 << z) / 2;
    while s > 0 {
        let rx = i64::from(x & s > 0);
        let ry = i64::from(y & s > 0);
        d += (s * s) as u64 * ((3 * rx) ^ ry) as u64;
        if ry == 0 {
            if rx == 1 {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    acc + d
}

/// An unsigned LEB128 varint at `at`, moving `at` past it.
fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A directory's entries from its (decompressed) bytes.
fn directory(buf: &[u8]) -> Option<Vec<Entry>> {
    let mut at = 0;
    let n = usize::try_from(varint(buf, &mut at)?).ok()?;
    // Each entry takes at least four bytes: a count beyond that is a broken file, not memory
    // to reserve.
    if n > buf.len() {
        return None;
    }
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut last = 0u64;
    for e in &mut entries {
        last = last.checked_add(varint(buf, &mut at)?)?;
        e.tile_id = last;
    }
    for e in &mut entries {
        e.run_length = varint(buf, &mut at)?;
    }
    for e in &mut entries {
        e.length = varint(buf, &mut at)?;
    }
    for i in 0..n {
        let v = varint(buf, &mut at)?;
        entries[i].offset = if i > 0 && v == 0 {
            entries[i - 1].offset.checked_add(entries[i - 1].length)?
        } else {
            v.checked_sub(1)?
        };
    }
    Some(entries)
}

/// The entry of a directory that holds `id`: the last whose first tile is at or before it,
/// if its run reaches it or it points at a leaf directory.
fn find(entries: &[Entry], id: u64) -> Option<Entry> {
    let k = entries.partition_point(|e| e.tile_id <= id).checked_sub(1)?;
    let e = entries[k];
    (e.run_length == 0 || id - e.tile_id < e.run_length).then_some(e)
}

impl PmTiles {
    /// Opens and checks a PMTiles v3 file: its header and root directory.
    pub fn open(path: &Path) -> Result<Self, TilesError> {
        let bad = |why: &str| TilesError::file(path, why);
        let mut file = File::open(path).map_err(|e| TilesError::file(path, e))?;
        let mut h = [0u8; HEADER_LEN];
        file.read_exact(&mut h)
            .map_err(|_| bad("shorter than a PMTiles header (127 bytes)"))?;
        if &h[0..7] != b"PMTiles" {
            return Err(bad("not a PMTiles file (no \"PMTiles\" at its start)"));
        }
        if h[7] != 3 {
            return Err(TilesError::file(
                path,
                format!("PMTiles version {} (this server reads version 3)", h[7]),
            ));
        }
        let u64_at = |at: usize| u64::from_le_bytes(h[at..at + 8].try_into().expect("eight bytes"));
        let deg_at = |at: usize| f64::from(i32::from_le_bytes(h[at..at + 4].try_into().expect("four bytes"))) / 1e7;
        let internal = Compression::of(h[97]);
        if let Compression::Other(c) = internal {
            return Err(TilesError::file(
                path,
                format!("its directories are compressed with method {c} (this server reads none or gzip)"),
            ));
        }
        let format = match h[99] {
            1 => TileFormat::Pbf,
            2 => TileFormat::Png,
            3 => TileFormat::Jpeg,
            4 => TileFormat::Webp,
            t => {
                return Err(TilesError::file(
                    path,
                    format!("its tile type {t} is not mvt, png, jpeg or webp"),
                ));
            }
        };
        let tile_compression = Compression::of(h[98]);
        if format != TileFormat::Pbf && tile_compression != Compression::None {
            return Err(bad(
                "its image tiles are compressed again (images are sent as they are)",
            ));
        }
        let mut set = PmTiles {
            path: path.to_path_buf(),
            file: std::sync::Mutex::new(file),
            root: Vec::new(),
            leaves_offset: u64_at(40),
            tiles_offset: u64_at(56),
            internal,
            info: Header {
                format,
                min_zoom: h[100],
                max_zoom: h[101],
                bounds: [deg_at(102), deg_at(106), deg_at(110), deg_at(114)],
                metadata: (u64_at(24), u64_at(32)),
            },
        };
        let root = set.read_directory(u64_at(8), u64_at(16))?;
        if root.is_empty() {
            return Err(bad("it has no tiles"));
        }
        set.root = root;
        Ok(set)
    }

    /// Bytes of the file.
    fn read_at(&self, offset: u64, length: u64) -> Result<Vec<u8>, TilesError> {
        use std::io::{Seek, SeekFrom};
        // A directory or a tile of over 64 MiB is a broken file, not memory to take.
        if length > 64 << 20 {
            return Err(TilesError::file(
                &self.path,
                format!("a section of {length} bytes at {offset}"),
            ));
        }
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| TilesError::file(&self.path, e))?;
        let mut buf = vec![0; length as usize];
        file.read_exact(&mut buf)
            .map_err(|_| TilesError::file(&self.path, format!("ends before the {length} bytes at {offset}")))?;
        Ok(buf)
    }

    /// A section of the file compressed with the internal compression (a directory, the
    /// metadata), decompressed.
    fn read_internal(&self, offset: u64, length: u64) -> Result<Vec<u8>, TilesError> {
        let raw = self.read_at(offset, length)?;
        match self.internal {
            Compression::Gzip => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(raw.as_slice())
                    .read_to_end(&mut out)
                    .map_err(|e| {
                        TilesError::file(&self.path, format!("the section at {offset} does not decompress: {e}"))
                    })?;
                Ok(out)
            }
            _ => Ok(raw),
        }
    }

    /// A directory's entries.
    fn read_directory(&self, offset: u64, length: u64) -> Result<Vec<Entry>, TilesError> {
        let bytes = self.read_internal(offset, length)?;
        directory(&bytes).ok_or_else(|| TilesError::file(&self.path, format!("the directory at {offset} is broken")))
    }

    /// The set's description, its name `fallback_name` where its metadata names none.
    pub fn info(&self, fallback_name: String) -> TileSetInfo {
        let meta: serde_json::Value = self
            .read_internal(self.info.metadata.0, self.info.metadata.1)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let text = |key: &str| meta[key].as_str().map(str::to_string);
        let [w, s, e, n] = self.info.bounds;
        TileSetInfo {
            name: text("name").filter(|n| !n.is_empty()).unwrap_or(fallback_name),
            format: self.info.format,
            min_zoom: self.info.min_zoom,
            max_zoom: self.info.max_zoom,
            bounds: (w < e && s < n).then_some(self.info.bounds),
            attribution: text("attribution").unwrap_or_default(),
            template: parktwin_api::tiles::TILE_TEMPLATE.to_string(),
        }
    }

    /// The bytes of the tile z/x/y (XYZ numbering), if the file has it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TilesError> {
        let id = tile_id(z, x, y);
        let mut entries = std::borrow::Cow::Borrowed(&self.root);
        for _ in 0..MAX_DEPTH {
            let Some(e) = find(&entries, id) else {
                return Ok(None);
            };
            if e.run_length > 0 {
                return self.read_at(self.tiles_offset + e.offset, e.length).map(Some);
            }
            entries = std::borrow::Cow::Owned(self.read_directory(self.leaves_offset + e.offset, e.length)?);
        }
        Err(TilesError::file(
            &self.path,
            format!("its directories nest deeper than {MAX_DEPTH} for tile {z}/{x}/{y}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ids_follow_the_reference() {
        // Values of the reference implementation (pmtiles 3.4.1, tile.zxy_to_tileid).
        assert_eq!(tile_id(3, 0, 0), 21);
        assert_eq!(tile_id(12, 3423, 1763), 19_078_479);
        assert_eq!(tile_id(2, 3, 0), 20);
        assert_eq!(tile_id(18, 215_000, 99_000), 77_938_985_941);
    }

    #[test]
    fn a_directory_decodes_runs_and_offsets_that_follow_on() {
        // Two entries: tiles 0–1 at offset 0 (10 bytes each run), tile 5 right after them.
        let bytes = [2, 0, 5, 2, 1, 10, 7, 1, 0];
        let entries = directory(&bytes).expect("decodes");
        assert_eq!(
            entries,
            [
                Entry {
                    tile_id: 0,
                    offset: 0,
                    length: 10,
                    run_length: 2
                },
                Entry {
                    tile_id: 5,
                    offset: 10,
                    length: 7,
                    run_length: 1
                },
            ]
        );
        assert_eq!(find(&entries, 1).map(|e| e.tile_id), Some(0));
        assert_eq!(find(&entries, 2), None, "past the run");
        assert_eq!(find(&entries, 5).map(|e| e.offset), Some(10));
        assert!(directory(&[200, 1]).is_none(), "a count beyond its bytes");
    }
}
