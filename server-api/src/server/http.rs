//! The REST routes under `/api/v1`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::store::{Store, StoreError};
use crate::model::ApiError;

type AppState = Arc<Store>;

/// An error answer: a status and a JSON body `{"error": "..."}`.
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(ApiError { error: self.1 })).into_response()
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        tracing::error!("store: {e}");
        Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

type Answer<T> = Result<T, Failure>;

/// The application's routes over a store.
pub fn router(store: Arc<Store>) -> Router {
    let api = Router::new()
        .route("/park", get(park))
        .route("/layers", get(layers))
        .route("/layers/{id}", get(layer))
        .route("/hazards", get(hazards))
        .route("/hazards/{id}", get(hazard))
        .route("/chemicals", get(chemicals))
        .fallback(api_not_found);
    Router::new()
        .nest("/api/v1", api)
        .route("/", get(index))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(store)
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ParkTwin server. The API is under /api/v1 (park, layers, layers/{id}, hazards, chemicals).\n",
    )
}

async fn api_not_found(uri: axum::extract::OriginalUri) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("no such endpoint: {}", uri.0.path()))
}

async fn park(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.park()?))
}

async fn layers(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.layers()?))
}

async fn layer(State(s): State<AppState>, Path(id): Path<String>) -> Answer<Response> {
    match s.layer_geojson(&id)? {
        Some(body) => Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()),
        None => {
            let known: Vec<String> = s.layers()?.into_iter().map(|l| l.id).collect();
            Err(Failure(
                StatusCode::NOT_FOUND,
                format!("unknown layer \"{id}\"; the layers are: {}", known.join(", ")),
            ))
        }
    }
}

async fn hazards(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.hazards()?))
}

async fn hazard(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.hazard(&id)?
        .map(Json)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown hazard source \"{id}\"")))
}

async fn chemicals(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.chemicals()?))
}
