//! The machine feeds' writes: readings, positions, weather, gate passes and waybills, each
//! checked whole before it is stored; each wakes the notifier, for the alarms it may have raised.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::access::ingest;
use super::{Answer, AppState, Failure, blocking, now, refused};

pub(super) async fn ingest_observations(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /observations")?;
    let index = s.index()?;
    let batch =
        parktwin_api::ingest::check_observations(&body, &|s, q| index.resolve_reading(s, q), now()).map_err(refused)?;
    let st = s.clone();
    let receipt = blocking(move || st.ingest_observations(&batch)).await??;
    s.notify_waiting();
    Ok(Json(receipt))
}

pub(super) async fn ingest_positions(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /vehicles/positions")?;
    let batch = parktwin_api::ingest::check_positions(&body, now()).map_err(refused)?;
    let st = s.clone();
    let receipt = blocking(move || st.ingest_positions(&batch)).await??;
    s.notify_waiting();
    Ok(Json(receipt))
}

pub(super) async fn ingest_weather(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /weather")?;
    let index = s.index()?;
    let batch =
        parktwin_api::ingest::check_weather(&body, &|id| index.stations.contains(id), now()).map_err(refused)?;
    let st = s.clone();
    let receipt = blocking(move || st.ingest_weather(&batch)).await??;
    s.notify_waiting();
    Ok(Json(receipt))
}

pub(super) async fn ingest_passes(
    State(s): State<AppState>,
    Path(gate): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /gates/{id}/passes")?;
    if !s.index()?.gates.contains(&gate) {
        return Err(Failure(StatusCode::NOT_FOUND, format!("unknown gate \"{gate}\"")));
    }
    let batch = parktwin_api::ingest::check_passes(&body, now()).map_err(refused)?;
    let st = s.clone();
    let receipt = blocking(move || st.ingest_passes(&gate, &batch)).await??;
    s.notify_waiting();
    Ok(Json(receipt))
}

pub(super) async fn ingest_waybills(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /waybills")?;
    let batch = parktwin_api::ingest::check_waybills(&body).map_err(refused)?;
    let at = parktwin_api::clock::format_utc(now());
    Ok(Json(blocking(move || s.ingest_waybills(&batch, &at)).await??))
}

pub(super) async fn mqtt_status(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    super::access::admin(&s, &headers, "reading the MQTT subscriber's state")?;
    Ok(Json(s.mqtt.status()))
}
