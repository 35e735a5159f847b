//! The device registry over HTTP: every device (an enterprise's viewer sees its own and the
//! park's), one device, and the admins' changes: add, replace, remove, and a CSV imported
//! whole or not at all.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use parktwin_api::device::Device;

use super::access::{Scope, admin};
use super::input::decode_body;
use super::{Answer, AppState, Failure, now};
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

pub(super) async fn device(
    State(s): State<AppState>,
    Path(id): Path<String>,
    axum::Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    match s.device(&id)? {
        Some(d) if a.sees_owned_by(d.enterprise.as_deref()) => Ok(Json(d)),
        Some(d) => Err(super::access::not_yours(format!(
            "device {id} (of {})",
            d.enterprise.unwrap_or_default()
        ))),
        None => Err(unknown(&id)),
    }
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
    const ADMIN: &[Role] = &[Role::Admin];
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
    .post(
        "/devices/import",
        import_devices,
        Op::new(
            "Registers or replaces the devices of a CSV (columns id, kind, name, name_zh, lon, lat, layer, feature, \
             enterprise, state, stream_url, quantity, unit, low_low, low, high, high_high; one row per quantity): \
             all of them, or none with every problem named by row and field.",
        )
        .csv_body("The devices, as CSV with its header.")
        .needs(ADMIN, "an admin's")
        .returns::<crate::devices::ImportReceipt>(),
    )
    .get(
        "/devices/{id}",
        device,
        Op::new("One device.")
            .path("id", "A device's id.")
            .refuses(
                403,
                "It belongs to another enterprise than an enterprise-scoped viewer's.",
            )
            .returns::<Device>(),
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
