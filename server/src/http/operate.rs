//! What operators do besides incidents and alarms: run drills, send a view to the walls.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::access::operator;
use super::{Answer, AppState, Failure, param, refused};

pub(super) async fn drills(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.drills()?))
}

pub(super) fn unknown_drill(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown drill \"{id}\""))
}

pub(super) async fn drill(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.drill(&id)?.map(Json).ok_or_else(|| unknown_drill(&id))
}

/// Uploads a scenario (the body, JSON) as a drill: checked against the park, every error in
/// the answer (`?file=NAME` names the file in them).
pub(super) async fn upload_drill(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer<Response> {
    let by = operator(&s, &headers, "POST /drills")?;
    let file = q.get("file").map_or("the scenario", String::as_str);
    let raw: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("the body is not JSON: {e}")))?;
    let scenario = parktwin_api::scenario::Scenario::from_value(file, raw, &s.scenario_refs()?)
        .map_err(|errors| Failure(StatusCode::UNPROCESSABLE_ENTITY, errors.join("\n")))?;
    Ok((StatusCode::CREATED, Json(s.create_drill(scenario, &by)?)).into_response())
}

pub(super) async fn start_drill(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    operator(&s, &headers, "POST /drills/{id}/start")?;
    let speed: f64 = param(&q, "speed", 1.0, "a speed (1 to 60)")?;
    if !(1.0..=crate::drills::MAX_SPEED).contains(&speed) {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("query parameter \"speed\" must be 1 to {}", crate::drills::MAX_SPEED),
        ));
    }
    match crate::drills::start(&s, &id, speed)? {
        Some(Ok(d)) => Ok(Json(d)),
        Some(Err(why)) => Err(Failure(StatusCode::CONFLICT, why)),
        None => Err(unknown_drill(&id)),
    }
}

pub(super) async fn stop_drill(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    operator(&s, &headers, "POST /drills/{id}/stop")?;
    match crate::drills::stop(&s, &id)? {
        Some(Ok(d)) => Ok(Json(d)),
        Some(Err(why)) => Err(Failure(StatusCode::CONFLICT, why)),
        None => Err(unknown_drill(&id)),
    }
}

/// `GET /wall`: the view last sent to the walls.
pub(super) async fn wall(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.wall()?))
}

/// Sends a view to the walls: an operator's (or an admin's) token; the view is checked whole
/// against the park (its box, layers, incidents, drills) before it replaces the last.
pub(super) async fn set_wall(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let name = operator(&s, &headers, "sending a view to the wall")?;
    let layers: Vec<String> = s.layers()?.into_iter().map(|l| l.id).collect();
    let incident_known = |id: &str| s.incident(id).ok().flatten().is_some();
    let drill_known = |id: &str| s.drill(id).ok().flatten().is_some();
    let cx = parktwin_api::wall::WallContext {
        bbox: s.park()?.bbox,
        layers: &layers,
        incident_known: &incident_known,
        drill_known: &drill_known,
    };
    let view = parktwin_api::wall::WallRequest::parse(&body, &cx).map_err(refused)?;
    Ok(Json(s.set_wall(view, &name)?))
}
