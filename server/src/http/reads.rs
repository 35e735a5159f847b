//! The live picture and its history: the log's pages and head, sensors and their readings,
//! vehicles and their tracks, alarms, weather, waybills and passes.

use std::collections::HashMap;

use axum::Extension;
use axum::Json;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::access::{Scope, not_yours};
use super::{Answer, AppState, Failure, blocking, now, param, window};

/// Most events one page of `/events` returns.
pub(super) const MAX_PAGE: usize = 1000;

pub(super) async fn events(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let since: i64 = param(&q, "since", 0, "an event sequence number (0 or more)")?;
    if since < 0 {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            "query parameter \"since\" must be 0 or more".into(),
        ));
    }
    let limit: usize = param(&q, "limit", MAX_PAGE, "a page size")?;
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("query parameter \"limit\" must be 1 to {MAX_PAGE}"),
        ));
    }
    let kinds: Option<Vec<String>> = q
        .get("kind")
        .map(|k| k.split(',').map(|k| k.trim().to_string()).collect());
    let channel = q.get("channel").cloned();
    if let Some(c) = &channel
        && c != "live"
        && c.strip_prefix("drill:").is_none_or(str::is_empty)
    {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("query parameter \"channel\" must be live or drill:<id>, got \"{c}\""),
        ));
    }
    // Off the async workers: a page is a blocking read, and hundreds of pollers at once must
    // not stall the ingest's requests behind them.
    let store = s.clone();
    let page = blocking(move || {
        let kinds: Option<Vec<&str>> = kinds.as_ref().map(|k| k.iter().map(String::as_str).collect());
        store.events_page_json(since, limit, channel.as_deref(), kinds.as_deref(), &a)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], page))
}

pub(super) async fn events_head(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let seq = match q.get("at") {
        None => s.head()?,
        Some(t) => {
            let at = parktwin_api::clock::normalise_time(t)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"at\": {e}")))?;
            s.head_at(&at)?
        }
    };
    Ok(Json(parktwin_api::model::EventsHead { seq }))
}

pub(super) async fn sensors(State(s): State<AppState>, Extension(a): Scope) -> Answer<impl IntoResponse> {
    let owners = &s.index()?.owners;
    let mut all = s.sensors()?;
    all.retain(|x| a.sees(owners, &x.id));
    Ok(Json(all))
}

pub(super) async fn sensor_observations(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let index = s.index()?;
    if !index.sensors.contains_key(&id) {
        return Err(Failure(StatusCode::NOT_FOUND, format!("unknown sensor \"{id}\"")));
    }
    if !a.sees(&index.owners, &id) {
        return Err(not_yours(format!("sensor \"{id}\"")));
    }
    let (from, to) = window(&q, time::Duration::hours(1))?;
    Ok(Json(s.observations(&id, &from, &to)?))
}

pub(super) async fn vehicles(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.vehicles()?))
}

pub(super) async fn track(
    State(s): State<AppState>,
    Path(plate): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let (from, to) = window(&q, time::Duration::hours(1))?;
    let key = plate.clone();
    let (fixes, seen) = blocking(move || -> Result<_, crate::store::StoreError> {
        let fixes = s.track(&key, &from, &to)?;
        let seen = !fixes.is_empty() || s.vehicle_seen(&key)?;
        Ok((fixes, seen))
    })
    .await??;
    if !seen {
        return Err(Failure(
            StatusCode::NOT_FOUND,
            format!("no vehicle with plate \"{plate}\" has been seen"),
        ));
    }
    Ok(Json(fixes))
}

pub(super) async fn alarms(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let open = match q.get("state").map(String::as_str) {
        None | Some("open") => Some(true),
        Some("closed") => Some(false),
        Some("all") => None,
        Some(other) => {
            return Err(Failure(
                StatusCode::BAD_REQUEST,
                format!("query parameter \"state\" must be open, closed or all, got \"{other}\""),
            ));
        }
    };
    let owners = &s.index()?.owners;
    let mut all = s.alarms(open)?;
    all.retain(|x| a.sees(owners, &x.source));
    Ok(Json(all))
}

pub(super) async fn weather_latest(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.weather_latest()?))
}

pub(super) async fn waybills(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let valid_at = match q.get("valid_at").map(String::as_str) {
        None => None,
        Some("now") => Some(parktwin_api::clock::format_utc(now())),
        Some(t) => Some(
            parktwin_api::clock::normalise_time(t)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"valid_at\": {e}")))?,
        ),
    };
    Ok(Json(
        s.waybills(q.get("plate").map(String::as_str), valid_at.as_deref())?,
    ))
}

pub(super) async fn waybill(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.waybill(&id)?
        .map(Json)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown waybill \"{id}\"")))
}

pub(super) async fn passes(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    Ok(Json(s.passes(&from, &to)?))
}
