//! Incidents: started, read, their zones (now, at a time, or what-if), who is inside them,
//! closed; and the after-action exports of a period.

use std::collections::HashMap;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::access::{Scope, operator};
use super::{Answer, AppState, Failure, blocking, now, refused, window};
use crate::after_action::WhatIfRefusal;

pub(super) async fn incidents(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let open = match q.get("state").map(String::as_str) {
        None | Some("all") => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(other) => {
            return Err(Failure(
                StatusCode::BAD_REQUEST,
                format!("state \"{other}\" is not one of open, closed, all"),
            ));
        }
    };
    Ok(Json(s.incidents(open)?))
}

pub(super) async fn start_incident(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let name = operator(&s, &headers, "starting an incident")?;
    let req = parktwin_api::incident::NewIncident::parse(&body, &s.chemicals()?, now()).map_err(refused)?;
    let store = s.clone();
    // The zones take a moment to compute: off the async workers.
    let made = blocking(move || store.create_incident(req, &name)).await??;
    match made {
        Ok(inc) => Ok((StatusCode::CREATED, Json(inc))),
        Err(why) => Err(Failure(StatusCode::UNPROCESSABLE_ENTITY, why)),
    }
}

pub(super) fn unknown_incident(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown incident \"{id}\""))
}

pub(super) async fn incident(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.incident(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

pub(super) async fn incident_zones(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Response> {
    let text = match q.get("at") {
        None => s.incident_zones(&id)?.ok_or_else(|| unknown_incident(&id))?,
        Some(t) => {
            let at = parktwin_api::clock::normalise_time(t)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"at\": {e}")))?;
            let store = s.clone();
            let (key, when) = (id.clone(), at.clone());
            blocking(move || store.incident_zones_at(&key, &when))
                .await??
                .ok_or_else(|| unknown_incident(&id))?
                .map_err(|why| Failure(StatusCode::NOT_FOUND, why))?
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

pub(super) async fn incident_inside(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.incident_inside(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

/// `GET /incidents/{id}/resources`: the emergency resources' routes to it, quickest first.
pub(super) async fn incident_resources(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    let store = s.clone();
    let key = id.clone();
    blocking(move || store.incident_resources(&key, now()))
        .await??
        .map(Json)
        .ok_or_else(|| unknown_incident(&id))
}

/// `GET /incidents/{id}/protective-actions`: shelter in place or evacuate, place by place.
pub(super) async fn protective_actions(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    let store = s.clone();
    let key = id.clone();
    blocking(move || store.protective_actions(&key))
        .await??
        .map(Json)
        .ok_or_else(|| unknown_incident(&id))
}

/// `POST /incidents/{id}/head-counts`: people counted at an assembly point, by a park-wide
/// operator.
pub(super) async fn report_head_count(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<Response> {
    let by = operator(&s, &headers, "reporting head counts")?;
    let count: parktwin_api::response::NewHeadCount = super::decode_body(&body)?;
    let at = parktwin_api::clock::format_utc(now());
    match s.report_head_count(&id, &count, &by, &at)? {
        Ok(c) => Ok((StatusCode::CREATED, Json(c)).into_response()),
        Err(crate::headcounts::CountRefused::UnknownIncident) => Err(unknown_incident(&id)),
        Err(crate::headcounts::CountRefused::UnknownPoint(why)) => {
            Err(Failure(StatusCode::UNPROCESSABLE_ENTITY, format!("the body: {why}")))
        }
    }
}

/// `GET /incidents/{id}/head-counts`: the latest count at each assembly point.
pub(super) async fn head_counts(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.head_counts(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

/// `POST /incidents/{id}/what-if`: the other outcome's zones, computed and not stored.
pub(super) async fn what_if(State(s): State<AppState>, Path(id): Path<String>, body: Bytes) -> Answer<Response> {
    let what = parktwin_api::incident::WhatIf::parse(&body).map_err(refused)?;
    let store = s.clone();
    let key = id.clone();
    let text = blocking(move || store.what_if_zones(&key, &what))
        .await??
        .ok_or_else(|| unknown_incident(&id))?
        .map_err(|why| match why {
            WhatIfRefusal::NotOpen(why) => Failure(StatusCode::NOT_FOUND, why),
            WhatIfRefusal::DoesNotFit(why) => Failure(StatusCode::UNPROCESSABLE_ENTITY, why),
        })?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

pub(super) async fn close_incident(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    operator(&s, &headers, "closing an incident")?;
    let at = parktwin_api::clock::format_utc(now());
    s.close_incident(&id, &at)?
        .map(Json)
        .ok_or_else(|| unknown_incident(&id))
}

/// `GET /after-action/timeline.csv`: the period's timeline, a file to keep.
pub(super) async fn after_action_timeline(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    Extension(a): Scope,
) -> Answer<Response> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    let channel = q.get("channel").map_or("live", String::as_str);
    if channel != "live" {
        let drill = channel.strip_prefix("drill:").unwrap_or_default();
        if s.drill(drill)?.is_none() {
            return Err(Failure(
                StatusCode::BAD_REQUEST,
                format!("query parameter \"channel\" must be live or drill:<id> of a drill, got \"{channel}\""),
            ));
        }
    }
    let owners = &s.index()?.owners;
    let mut rows = s.timeline(channel, &from, &to)?;
    rows.retain(|r| a.sees(owners, &r.subject));
    let text = crate::after_action::timeline_csv(&rows)
        .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let name = format!("parktwin-timeline-{}.csv", channel.replace(':', "-"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        text,
    )
        .into_response())
}

/// `GET /after-action/zones.geojson`: the incidents' zones over the period.
pub(super) async fn after_action_zones(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Response> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    let store = s.clone();
    let fc = blocking(move || store.zones_over_time(&from, &to)).await??;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], fc.to_string()).into_response())
}
