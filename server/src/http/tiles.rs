//! The offline basemap's tiles (`--tiles FILE`): the set's description and each tile as the
//! file holds it.

use axum::Extension;
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::{Answer, Failure, blocking};
use crate::tiles::{Basemap, TileSetInfo};

/// The server's basemap, if it was given one.
pub(crate) type Tiles = Extension<Option<Basemap>>;

fn none_here() -> Failure {
    Failure(
        StatusCode::NOT_FOUND,
        "this server serves no basemap tiles (parktwin-server --tiles FILE.mbtiles|FILE.pmtiles)".into(),
    )
}

/// The set's description, `null` when the server has none (a map asks on every start: a
/// server without a basemap is no error).
pub(super) async fn tile_set(Extension(tiles): Tiles) -> Json<Option<TileSetInfo>> {
    Json(tiles.map(|t| t.info().clone()))
}

/// A path's number, `y` perhaps with the format's extension (`12.png`, as some map clients
/// ask): `None` when it is no number of the range.
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    let digits = text.split_once('.').map_or(text, |(n, _)| n);
    digits.parse().ok()
}

pub(super) async fn tile(
    Extension(tiles): Tiles,
    Path((z, x, y)): Path<(String, String, String)>,
) -> Answer<impl IntoResponse> {
    let Some(Basemap::File(tiles)) = tiles else {
        return Err(none_here());
    };
    let (Some(z), Some(x), Some(y)) = (number::<u8>(&z), number::<u32>(&x), number::<u32>(&y)) else {
        return Err(Failure(
            StatusCode::NOT_FOUND,
            format!("no tile {z}/{x}/{y}: z, x and y are whole numbers (XYZ numbering)"),
        ));
    };
    let set = tiles.0.clone();
    let found = blocking(move || set.tile(z, x, y)).await?;
    let tile = found.map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let tile = tile.ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("the basemap has no tile {z}/{x}/{y}")))?;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(tile.media_type));
    // A tile file does not change while the server runs: a browser keeps what it fetched.
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=86400"),
    );
    if let Some(encoding) = tile.encoding {
        headers.insert(header::CONTENT_ENCODING, header::HeaderValue::from_static(encoding));
    }
    Ok((StatusCode::OK, headers, tile.bytes).into_response())
}
