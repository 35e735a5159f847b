//! The device registry over HTTP: every device (an enterprise's viewer sees its own and the
//! park's), one device, and the admins' changes: add, replace, remove, and a CSV imported
//! whole or not at all.

use axum::Json;
use axum::body::Bytes;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use parktwin_api::device::{Device, DeviceKind};
use parktwin_api::readings::{DeviceReport, Series, Step};

use super::access::{Scope, admin};
use super::input::{decode_body, window};
use super::{Answer, AppState, Failure, blocking, now};
use crate::emergency::Refused;
use crate::openapi::{Documented, Op};

fn refused(r: Refused) -> Failure {
    match r {
        Refused::Unknown(m) => Failure(StatusCode::NOT_FOUND, m),
        Refused::Conflict(m) => Failure(StatusCode::CONFLICT, m),
        Refused::Invalid(problems) => Failure(StatusCode::UNPROCESSABLE_ENTITY, problems.join("; ")),
    }
}

fn stamp() -> String {
    parktwin_api::clock::format_utc(now())
}

fn unknown(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown device \"{id}\""))
}

pub(super) async fn devices(State(s): State<AppState>, axum::Extension(a): Scope) -> Answer<impl IntoResponse> {
    let mut all = s.devices()?;
    all.retain(|d| a.sees_owned_by(d.enterprise.as_deref()));
    Ok(Json(all))
}

pub(super) async fn devices_geojson(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    axum::Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let text = q.get("kind").map(String::as_str).unwrap_or_default();
    let kinds = text
        .split(',')
        .map(|k| {
            DeviceKind::of(k.trim()).ok_or_else(|| {
                Failure(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "query parameter \"kind\" must be device kinds separated by commas ({}), got \"{k}\"",
                        DeviceKind::ALL.map(DeviceKind::as_str).join(", ")
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // As of a moment: the time normalised as the log stores it, so that text order is time order.
    let at = match q.get("at") {
        Some(t) => Some(
            parktwin_api::clock::parse_utc(t)
                .map(parktwin_api::clock::format_utc)
                .ok_or_else(|| {
                    Failure(
                        StatusCode::BAD_REQUEST,
                        format!("query parameter \"at\" must be an RFC 3339 time, got \"{t}\""),
                    )
                })?,
        ),
        None => None,
    };
    Ok(Json(
        blocking(move || s.devices_geojson(&kinds, at.as_deref(), &a)).await??,
    ))
}

/// The device `id` if the reader sees it: 404 when there is none, 403 when another
/// enterprise's.
fn seen_device(s: &AppState, id: &str, a: &parktwin_api::scope::Access) -> Result<Device, Failure> {
    match s.device(id)? {
        Some(d) if a.sees_owned_by(d.enterprise.as_deref()) => Ok(d),
        Some(d) => Err(super::access::not_yours(format!(
            "device {id} (of {})",
            d.enterprise.unwrap_or_default()
        ))),
        None => Err(unknown(id)),
    }
}

pub(super) async fn device(
    State(s): State<AppState>,
    Path(id): Path<String>,
    axum::Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let d = seen_device(&s, &id, &a)?;
    Ok(Json(blocking(move || s.device_report(d)).await??))
}

pub(super) async fn series(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    axum::Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let d = seen_device(&s, &id, &a)?;
    let step = match q.get("step") {
        None => Step::Raw,
        Some(v) => Step::of(v).ok_or_else(|| {
            Failure(
                StatusCode::BAD_REQUEST,
                format!("query parameter \"step\" must be raw, minute, hour or day, got \"{v}\""),
            )
        })?,
    };
    let quantity = match q.get("quantity") {
        Some(name) => name.clone(),
        None => d.quantities.first().map(|q| q.name.clone()).ok_or_else(|| {
            Failure(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("device {id} measures nothing"),
            )
        })?,
    };
    let (from, to) = window(&q, time::Duration::hours(24))?;
    let answer = blocking(move || s.series(&d, &quantity, &from, &to, step)).await??;
    Ok(Json(answer.map_err(refused)?))
}

pub(super) async fn add_device(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "registering devices")?;
    let d: Device = decode_body(&body)?;
    let d = s.add_device(&d, &stamp())?.map_err(refused)?;
    Ok((StatusCode::CREATED, Json(d)))
}

pub(super) async fn put_device(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "changing devices")?;
    let d: Device = decode_body(&body)?;
    s.put_device(&id, &d, &stamp())?.map(Json).map_err(refused)
}

pub(super) async fn remove_device(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "removing devices")?;
    if s.remove_device(&id, &stamp())? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unknown(&id))
    }
}

pub(super) async fn import_devices(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "importing devices")?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the CSV is not UTF-8 text: {e}"),
        )
    })?;
    s.import_devices(text, &stamp())?.map(Json).map_err(refused)
}

/// The operations' documents.
pub(super) fn document(d: Documented<AppState>) -> Documented<AppState> {
    use parktwin_api::model::Role;
    use serde_json::json;
    const ADMIN: &[Role] = &[Role::Admin];
    let time =
        || json!({"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-11-27T08:00:00Z"});
    d.get(
        "/devices",
        devices,
        Op::new(
            "The park's devices of every kind: where each is, whose, what it measures with its thresholds, \
             whether it is in service (an enterprise's viewer sees its own and the park's).",
        )
        .returns::<Vec<Device>>(),
    )
    .post(
        "/devices",
        add_device,
        Op::new("Registers a device, checked by itself and against the park (its enterprise, the feature it sits on).")
            .body::<Device>("The device.")
            .needs(ADMIN, "an admin's")
            .refuses(409, "A device of that id is registered already.")
            .creates::<Device>(),
    )
    .get(
        "/devices/geojson",
        devices_geojson,
        Op::new(
            "The devices of one or more kinds as a GeoJSON FeatureCollection for a map layer: each at its point (or \
             as the feature it sits on) with its names, kind, state, each quantity's latest value, band, unit, \
             thresholds, nominal and permit, the newest reading's time, `limits` (no_data, normal, exceedance), the \
             feature it sits on (`on_layer`, `on_feature`, `on_name`, `hazard`, `along_m` along a line), a meter's \
             day (`{q}_day_total`, `{q}_day_hours`, `{q}_previous_day_total`, `{q}_budget`) and, for a station, its \
             hourly AQI with level and primary pollutant; `feed` says \"demo simulator\" where the demo makes the \
             readings. A descriptor's `source.endpoint` binds a layer's colour, size and labels to these.",
        )
        .required_query(
            "kind",
            "The devices' kinds, separated by commas (air_quality, outfall, tank_level, …).",
            {
                let one = format!("({})", DeviceKind::ALL.map(DeviceKind::as_str).join("|"));
                json!({"type": "string", "pattern": format!("^{one}(,{one})*$"),
                    "examples": ["air_quality", "tank_level,tank_temperature,tank_pressure"]})
            },
        )
        .query(
            "at",
            "As of this moment (RFC 3339; a replay's): each quantity's last reading by then, its band by the thresholds, \
             a station's AQI of the last hour begun by then, a meter's hours complete by then. Now when absent.",
            json!({"type": "string", "format": "date-time"}),
        )
        .returns::<serde_json::Value>(),
    )
    .post(
        "/devices/import",
        import_devices,
        Op::new(
            "Registers or replaces the devices of a CSV (columns id, kind, name, name_zh, lon, lat, layer, feature, \
             enterprise, state, stream_url, quantity, unit, low_low, low, high, high_high, deadband, max_rate_per_min, \
             stale_after_s, daily_budget, permit_daily_mean; one row per quantity): \
             all of them, or none with every problem named by row and field.",
        )
        .csv_body("The devices, as CSV with its header.")
        .needs(ADMIN, "an admin's")
        .returns::<crate::devices::ImportReceipt>(),
    )
    .get(
        "/devices/{id}",
        device,
        Op::new(
            "One device with its quantities' latest readings (each with its band against the thresholds) and, for an \
             air-quality station, its AQI of HJ 633-2012 for the latest hour and the park's day (each pollutant's IAQI, \
             the level, the primary pollutants only over 50).",
        )
        .path("id", "A device's id.")
        .refuses(
            403,
            "It belongs to another enterprise than an enterprise-scoped viewer's.",
        )
        .returns::<DeviceReport>(),
    )
    .get(
        "/devices/{id}/series",
        series,
        Op::new(
            "A device's quantity between two times: each reading (step raw), or each minute's, hour's or park's day's \
             count, minimum, mean, maximum and sum, with the quantity's unit and thresholds.",
        )
        .path("id", "A device's id.")
        .query("quantity", "The quantity (its first by default).", json!({"type": "string"}))
        .query("from", "Start (\"to\" less a day by default), RFC 3339.", time())
        .query("to", "End (now by default), RFC 3339.", time())
        .query(
            "step",
            "raw (default), minute, hour or day.",
            json!({"type": "string", "enum": ["raw", "minute", "hour", "day"]}),
        )
        .refuses(
            403,
            "It belongs to another enterprise than an enterprise-scoped viewer's.",
        )
        .refuses(
            422,
            "The device does not measure the quantity, or the range holds more than 100,000 points.",
        )
        .returns::<Series>(),
    )
    .put(
        "/devices/{id}",
        put_device,
        Op::new("Replaces a device (registers it when new), checked as a new one is.")
            .path("id", "A device's id.")
            .body::<Device>("The device, its id the path's.")
            .needs(ADMIN, "an admin's")
            .returns::<Device>(),
    )
    .delete(
        "/devices/{id}",
        remove_device,
        Op::new("Removes a device from the registry (its events stay in the log).")
            .path("id", "A device's id.")
            .needs(ADMIN, "an admin's")
            .answers_nothing(),
    )
}
