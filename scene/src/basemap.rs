//! A basemap's tiles on the park's ground: which Web Mercator tiles (XYZ numbering, as
//! OpenStreetMap's and the server's `--tiles`) a camera needs at which zoom level, and each
//! tile as a grid of vertices in the park's frame with its image's coordinates.
//!
//! The formulas are the slippy-map ones (<https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames>,
//! EPSG:3857). A tile's grid carries its corners through the park's local frame point by point,
//! so neighbouring tiles share their edges exactly, and far from the park's origin the tiles
//! follow the frame's curvature.

use parktwin_api::frame::LocalFrame;

use crate::mesh::to_scene;

/// A tile: zoom level, column from the west, row from the north.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// The zoom level.
    pub z: u8,
    /// The column.
    pub x: u32,
    /// The row.
    pub y: u32,
}

impl TileId {
    /// Its address in a `{z}/{x}/{y}` template.
    pub fn url(&self, template: &str) -> String {
        template
            .replace("{z}", &self.z.to_string())
            .replace("{x}", &self.x.to_string())
            .replace("{y}", &self.y.to_string())
    }
}

/// The equator's length in metres on the WGS 84 ellipsoid's semi-major axis (EPSG:3857's
/// sphere), the width of the one tile of zoom level 0.
pub const EQUATOR_M: f64 = 2.0 * std::f64::consts::PI * 6_378_137.0;

/// Where `lon`, `lat` lies in tile units at zoom `z` (column and row, fractional).
///
/// ```
/// use parktwin_scene::basemap::tile_xy;
/// let (x, y) = tile_xy(0.0, 0.0, 1);
/// assert!((x - 1.0).abs() < 1e-12 && (y - 1.0).abs() < 1e-12);
/// ```
pub fn tile_xy(lon: f64, lat: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let phi = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - phi.tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

/// The longitude and latitude of a point `x`, `y` in tile units at zoom `z` (a tile's
/// north-west corner at whole numbers).
///
/// ```
/// use parktwin_scene::basemap::{lon_lat, tile_xy};
/// let (x, y) = tile_xy(118.45, 37.56, 16);
/// let (lon, lat) = lon_lat(x, y, 16);
/// assert!((lon - 118.45).abs() < 1e-9 && (lat - 37.56).abs() < 1e-9);
/// ```
pub fn lon_lat(x: f64, y: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lon = x / n * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
    (lon, lat)
}

/// The zoom level whose pixels (of 256 to a tile) are closest to `metres_per_px` on the
/// ground at latitude `lat`, within `min`–`max`.
///
/// ```
/// use parktwin_scene::basemap::zoom_for;
/// // Zoom 16 has pixels of 2.39 m at the equator.
/// assert_eq!(zoom_for(2.39, 0.0, 0, 20), 16);
/// assert_eq!(zoom_for(2.39, 0.0, 0, 14), 14);
/// ```
pub fn zoom_for(metres_per_px: f64, lat: f64, min: u8, max: u8) -> u8 {
    let at_zero = EQUATOR_M * lat.to_radians().cos() / 256.0;
    let z = (at_zero / metres_per_px.max(1e-3)).log2().round();
    (z.max(0.0) as u8).clamp(min, max.max(min))
}

/// The tiles of zoom `z` that cover the square of `half_m` metres each way around `lon`,
/// `lat`, nearest first; `None` when they are more than `most` (the caller takes a lower zoom).
pub fn tiles_around(lon: f64, lat: f64, half_m: f64, z: u8, most: usize) -> Option<Vec<TileId>> {
    let n = 1u32 << z;
    let metres_per_tile = EQUATOR_M * lat.to_radians().cos() / f64::from(n);
    let (cx, cy) = tile_xy(lon, lat, z);
    let half = half_m / metres_per_tile;
    let clamp = |v: f64| v.floor().clamp(0.0, f64::from(n - 1)) as u32;
    let (x0, x1, y0, y1) = (clamp(cx - half), clamp(cx + half), clamp(cy - half), clamp(cy + half));
    let count = (u64::from(x1 - x0) + 1) * (u64::from(y1 - y0) + 1);
    if count > most as u64 {
        return None;
    }
    let mut tiles: Vec<TileId> = (x0..=x1)
        .flat_map(|x| (y0..=y1).map(move |y| TileId { z, x, y }))
        .collect();
    let distance = |t: &TileId| (f64::from(t.x) + 0.5 - cx).powi(2) + (f64::from(t.y) + 0.5 - cy).powi(2);
    tiles.sort_by(|a, b| distance(a).total_cmp(&distance(b)));
    Some(tiles)
}

/// A tile's grid in the scene: positions (at height `y`), image coordinates (0–1, from the
/// image's top-left, its north-west) and triangles, `cells` × `cells`.
#[derive(Debug, Clone, PartialEq)]
pub struct TileGrid {
    /// Vertex positions in the scene.
    pub positions: Vec<[f32; 3]>,
    /// Each vertex's place on the tile's image.
    pub uvs: Vec<[f32; 2]>,
    /// Triangles, counter-clockwise seen from above.
    pub indices: Vec<u32>,
}

/// The grid of tile `t` in the park's `frame`, at height `y`: its vertices even in Web
/// Mercator (where the image is even), each carried to the frame.
pub fn tile_grid(frame: &LocalFrame, t: TileId, cells: u32, y: f32) -> TileGrid {
    let cells = cells.max(1);
    let mut grid = TileGrid {
        positions: Vec::new(),
        uvs: Vec::new(),
        indices: Vec::new(),
    };
    for j in 0..=cells {
        for i in 0..=cells {
            let (u, v) = (f64::from(i) / f64::from(cells), f64::from(j) / f64::from(cells));
            let (lon, lat) = lon_lat(f64::from(t.x) + u, f64::from(t.y) + v, t.z);
            grid.positions.push(to_scene(frame.to_map(lon, lat), y));
            grid.uvs.push([u as f32, v as f32]);
        }
    }
    let row = cells + 1;
    for j in 0..cells {
        for i in 0..cells {
            let (nw, ne, sw, se) = (j * row + i, j * row + i + 1, (j + 1) * row + i, (j + 1) * row + i + 1);
            // In the scene north is −z and y is up: north-west, south-west, south-east turns
            // counter-clockwise seen from above.
            grid.indices.extend([nw, sw, se, nw, se, ne]);
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_tiles_share_their_edges_and_a_grid_lies_where_its_corners_are() {
        let frame = LocalFrame::new(118.45, 37.56);
        let (x, y) = tile_xy(118.45, 37.56, 15);
        let t = TileId {
            z: 15,
            x: x as u32,
            y: y as u32,
        };
        let east = TileId { x: t.x + 1, ..t };
        let (a, b) = (tile_grid(&frame, t, 4, 0.0), tile_grid(&frame, east, 4, 0.0));
        for j in 0..=4 {
            assert_eq!(a.positions[j * 5 + 4], b.positions[j * 5], "row {j}");
        }
        // The tile's north-west corner is its image's top-left, in the frame.
        let (lon, lat) = lon_lat(f64::from(t.x), f64::from(t.y), 15);
        let nw = to_scene(frame.to_map(lon, lat), 0.0);
        assert_eq!((a.positions[0], a.uvs[0]), (nw, [0.0, 0.0]));
        // Zoom 15 at 37.56° N: a tile is some 970 m across.
        let width = a.positions[4][0] - a.positions[0][0];
        assert!((960.0..980.0).contains(&width), "{width}");
        // Each triangle faces up.
        for tri in a.indices.chunks(3) {
            let [p, q, r] = [0, 1, 2].map(|k| bevy::math::Vec3::from(a.positions[tri[k] as usize]));
            assert!((q - p).cross(r - p).y > 0.0, "{tri:?}");
        }
    }

    #[test]
    fn the_tiles_around_a_point_are_nearest_first_and_bounded() {
        let tiles = tiles_around(118.45, 37.56, 1500.0, 15, 64).expect("few enough");
        let (x, y) = tile_xy(118.45, 37.56, 15);
        assert_eq!((tiles[0].x, tiles[0].y), (x as u32, y as u32));
        assert!(tiles.len() >= 9 && tiles.len() <= 25, "{}", tiles.len());
        assert!(tiles_around(118.45, 37.56, 20_000.0, 17, 64).is_none());
        assert_eq!(
            TileId { z: 3, x: 6, y: 2 }.url("/api/v1/tiles/{z}/{x}/{y}"),
            "/api/v1/tiles/3/6/2"
        );
    }
}
