//! An offline basemap's description as the server serves it (`GET /api/v1/tiles`) and the
//! formats of its tiles.

use serde::{Deserialize, Serialize};

/// Where a server serves its basemap's tiles.
pub const TILE_TEMPLATE: &str = "/api/v1/tiles/{z}/{x}/{y}";

/// What a tile holds, as its file says (or its first bytes, where the file does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TileFormat {
    /// PNG images.
    Png,
    /// JPEG images.
    Jpeg,
    /// WebP images.
    Webp,
    /// Mapbox vector tiles (protobuf), which the map does not draw but the server still serves.
    Pbf,
}

impl TileFormat {
    /// The format a file names (`png`, `jpg`, `jpeg`, `webp`, `pbf`, `mvt`).
    pub fn named(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "jpg" | "jpeg" => Some(Self::Jpeg),
            "webp" => Some(Self::Webp),
            "pbf" | "mvt" => Some(Self::Pbf),
            _ => None,
        }
    }

    /// The format a tile's first bytes show (a vector tile is usually gzipped protobuf).
    pub fn sniffed(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x89, b'P', b'N', b'G', ..] => Some(Self::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::Webp),
            [0x1F, 0x8B, ..] => Some(Self::Pbf),
            _ => None,
        }
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Pbf => "application/vnd.mapbox-vector-tile",
        }
    }
}

/// The tile set's description (`GET /api/v1/tiles`): what a map needs to use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TileSetInfo {
    /// The set's name (the file's, where it names none).
    pub name: String,
    /// What its tiles hold.
    pub format: TileFormat,
    /// The lowest zoom level it has.
    pub min_zoom: u8,
    /// The highest zoom level it has.
    pub max_zoom: u8,
    /// West, south, east, north, degrees (WGS 84), where the file says.
    pub bounds: Option<[f64; 4]>,
    /// Whose map it is, to be shown beside it (OpenStreetMap's data asks for its credit).
    pub attribution: String,
    /// Where its tiles are, `{z}`, `{x}` and `{y}` to be filled in (XYZ numbering).
    pub template: String,
}
