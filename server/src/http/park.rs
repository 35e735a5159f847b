//! The park as seeded: the park itself, the layer catalog and its layers, the hazard sources
//! and the chemical table.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::access::{Scope, not_yours};
use super::{Answer, AppState, Failure};
use crate::store::StoreError;

pub(super) async fn park(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.park()?))
}

pub(super) async fn layers(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.layers()?))
}

pub(super) async fn layer_problems(State(s): State<AppState>) -> impl IntoResponse {
    Json(s.layer_problems())
}

pub(super) async fn layer(State(s): State<AppState>, Path(id): Path<String>, Extension(a): Scope) -> Answer<Response> {
    match s.layer_geojson(&id)? {
        Some(body) => {
            let body = a.layer(&s.index()?.owners, body).map_err(StoreError::from)?;
            Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
        }
        None => {
            let known: Vec<String> = s.layers()?.into_iter().map(|l| l.id).collect();
            Err(Failure(
                StatusCode::NOT_FOUND,
                format!("unknown layer \"{id}\"; the layers are: {}", known.join(", ")),
            ))
        }
    }
}

pub(super) async fn hazards(State(s): State<AppState>, Extension(a): Scope) -> Answer<impl IntoResponse> {
    let mut all = s.hazards()?;
    all.retain(|h| a.sees_owned_by(Some(&h.enterprise)));
    Ok(Json(all))
}

pub(super) async fn hazard(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let h = s
        .hazard(&id)?
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown hazard source \"{id}\"")))?;
    if !a.sees_owned_by(Some(&h.enterprise)) {
        return Err(not_yours(format!("hazard source \"{id}\"")));
    }
    Ok(Json(h))
}

pub(super) async fn chemicals(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.chemicals()?))
}
