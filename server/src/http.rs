//! The REST routes under `/api/v1`.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;

use crate::store::{Store, StoreError};
use parktwin_api::model::ApiError;
use parktwin_api::scope::Access;

type AppState = Arc<Store>;

/// Who may read the park.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reads {
    /// Anyone who reaches the port reads the whole park (the demo, a closed control-room
    /// network); a token sent with a read still scopes it.
    #[default]
    Open,
    /// Every read needs a token (`--private-reads`): what the enterprises' viewers see is then
    /// only what their tokens allow. The API's contract stays public.
    Private,
}

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

/// The application's routes over a store, and the browser client from `web_dir` at `/`; reads
/// open to all.
pub fn router(store: Arc<Store>, web_dir: Option<&std::path::Path>) -> Router {
    router_with(store, web_dir, Reads::Open)
}

/// [`router`], with reads open or needing a token.
pub fn router_with(store: Arc<Store>, web_dir: Option<&std::path::Path>, reads: Reads) -> Router {
    let (api, _) = api();
    let api = api
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state((store.clone(), reads), reader))
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(axum::middleware::map_response(json_errors));
    let app = Router::new().nest(API_PREFIX, api);
    let app = match web_dir.filter(|d| d.join("index.html").is_file()) {
        // The browser client: its files precompressed by scripts/build-web, each browser given
        // the brotli or gzip file it accepts (Content-Encoding, Vary), MIME types by extension
        // (application/wasm for the module, which streaming compilation requires).
        Some(dir) => {
            tracing::info!("serving the browser client from {}", dir.display());
            app.fallback_service(
                tower_http::services::ServeDir::new(dir)
                    .precompressed_br()
                    .precompressed_gzip(),
            )
        }
        None => app.route("/", get(index)),
    };
    app.layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(store)
}

/// Where the API is, under the server's root.
pub const API_PREFIX: &str = "/api/v1";

/// The API's OpenAPI 3.1 document, as `/api/v1/openapi.json` serves it.
pub fn openapi_document() -> serde_json::Value {
    api().1
}

/// The API's routes and their contract, from one list (see [`crate::openapi`]).
fn api() -> (Router<AppState>, serde_json::Value) {
    use crate::openapi::{Documented, Op};
    use parktwin_api::incident::{Incident, NewIncident, WhatIf, ZoneOccupants};
    use parktwin_api::model::*;
    use parktwin_api::scenario::{Drill, Scenario};
    use parktwin_api::wall::{WallRequest, WallView};
    use serde_json::json;
    const OPERATOR: &[Role] = &[Role::Operator, Role::Admin];
    const FEED: &[Role] = &[Role::Ingest, Role::Admin];
    let time =
        || json!({"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-11-27T08:00:00Z"});
    let open_closed = |default: &str| json!({"type": "string", "enum": ["open", "closed", "all"], "default": default});
    Documented::default()
        .get(
            "/park",
            park,
            Op::new("The park: name, origin of the local frame, bounding box, time zone.").returns::<Park>(),
        )
        .get(
            "/layers",
            layers,
            Op::new("The layer catalog.").returns::<Vec<LayerInfo>>(),
        )
        .get(
            "/layers/{id}",
            layer,
            Op::new("A layer's features.")
                .path("id", "A layer id from the catalog.")
                .returns_geojson(),
        )
        .get(
            "/layer-problems",
            layer_problems,
            Op::new("Layer descriptors the server could not offer, and why.")
                .returns::<Vec<parktwin_api::descriptor::DescriptorError>>(),
        )
        .get(
            "/hazards",
            hazards,
            Op::new("The major hazard sources, graded by GB 18218-2018.").returns::<Vec<HazardSource>>(),
        )
        .get(
            "/hazards/{id}",
            hazard,
            Op::new("One major hazard source.")
                .path("id", "A hazard source's id.")
                .refuses(
                    403,
                    "It belongs to another enterprise than an enterprise-scoped viewer's.",
                )
                .returns::<HazardSource>(),
        )
        .get(
            "/chemicals",
            chemicals,
            Op::new("The chemical table and the sources of its numbers.").returns::<ChemicalTable>(),
        )
        .post(
            "/observations",
            ingest_observations,
            Op::new("Stores a batch of sensor readings; alarms follow from them.")
                .body::<Vec<Observation>>("Readings of known sensors.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .post(
            "/vehicles/positions",
            ingest_positions,
            Op::new("Stores a batch of vehicle fixes.")
                .body::<Vec<VehiclePosition>>("Fixes, each with its plate and time.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .get(
            "/events",
            events,
            Op::new("A page of the event log after a sequence number: the feed clients fold, and the recording.")
                .query(
                    "since",
                    "Events after this sequence number.",
                    json!({"type": "integer", "minimum": 0, "default": 0}),
                )
                .query(
                    "limit",
                    "Most events in the page.",
                    json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": MAX_PAGE}),
                )
                .query(
                    "channel",
                    "Only this channel: live, or drill:<id>.",
                    json!({"type": "string"}),
                )
                .query(
                    "kind",
                    "Only these kinds, comma-separated (alarm_raised,incident_started: a timeline's next mark).",
                    json!({"type": "string"}),
                )
                .returns::<EventPage>(),
        )
        .get(
            "/events/head",
            events_head,
            Op::new(
                "The newest sequence number of the event log, or its head as it was at a time (where a replay ends).",
            )
            .query(
                "at",
                "The head as it was at this time: the last event recorded by then.",
                time(),
            )
            .returns::<EventsHead>(),
        )
        .get(
            "/sensors",
            sensors,
            Op::new("Every sensor with its latest reading and level.").returns::<Vec<SensorState>>(),
        )
        .get(
            "/sensors/{id}/observations",
            sensor_observations,
            Op::new("A sensor's readings in a window (the last hour by default).")
                .path("id", "A sensor id.")
                .query("from", "Start of the window.", time())
                .query("to", "End of the window.", time())
                .refuses(
                    403,
                    "It belongs to another enterprise than an enterprise-scoped viewer's.",
                )
                .returns::<Vec<Observation>>(),
        )
        .get(
            "/vehicles",
            vehicles,
            Op::new("Every vehicle's latest fix.").returns::<Vec<VehiclePosition>>(),
        )
        .get(
            "/alarms",
            alarms,
            Op::new("Alarms raised by the server's rules.")
                .query("state", "Which alarms.", open_closed("open"))
                .returns::<Vec<Alarm>>(),
        )
        .post(
            "/gates/{id}/passes",
            ingest_passes,
            Op::new("Stores a batch of passes through a gate.")
                .path("id", "A gate's id.")
                .body::<Vec<GatePass>>("Passes, each with its plate, direction and time.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .post(
            "/alarms/{id}/ack",
            ack_alarm,
            Op::new("Acknowledges an alarm in the caller's name.")
                .path("id", "An alarm's id.")
                .needs(OPERATOR, "an operator's")
                .returns::<Alarm>(),
        )
        .post(
            "/weather",
            ingest_weather,
            Op::new("Stores a batch of weather reports.")
                .body::<Vec<WeatherReport>>("Reports of known weather stations.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .get(
            "/weather/latest",
            weather_latest,
            Op::new("Each weather station's latest report.").returns::<Vec<WeatherReport>>(),
        )
        .get(
            "/vehicles/{plate}/track",
            track,
            Op::new("A vehicle's fixes in a window (the last hour by default).")
                .path("plate", "A licence plate that has been seen.")
                .query("from", "Start of the window.", time())
                .query("to", "End of the window.", time())
                .returns::<Vec<VehiclePosition>>(),
        )
        .get(
            "/waybills",
            waybills,
            Op::new("Hazmat waybills (电子运单).")
                .query(
                    "valid_at",
                    "Only those valid at this time, or now.",
                    json!({"type": "string"}),
                )
                .query("plate", "Only this vehicle's.", json!({"type": "string"}))
                .returns::<Vec<Waybill>>(),
        )
        .post(
            "/waybills",
            ingest_waybills,
            Op::new("Stores a batch of waybills.")
                .body::<Vec<Waybill>>("Waybills, each with its vehicle, cargo and validity.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .get(
            "/waybills/{id}",
            waybill,
            Op::new("One waybill.")
                .path("id", "A waybill's id.")
                .returns::<Waybill>(),
        )
        .get(
            "/passes",
            passes,
            Op::new("Gate passes in a window (the last day by default).")
                .query("from", "Start of the window.", time())
                .query("to", "End of the window.", time())
                .returns::<Vec<PassRecord>>(),
        )
        .get(
            "/incidents",
            incidents,
            Op::new("Incidents: releases with their threat zones.")
                .query("state", "Which incidents.", open_closed("all"))
                .returns::<Vec<Incident>>(),
        )
        .post(
            "/incidents",
            start_incident,
            Op::new("Starts an incident: a release whose threat zones the server computes.")
                .body::<NewIncident>("Where, what, how much, and the weather.")
                .needs(OPERATOR, "an operator's")
                .creates::<Incident>(),
        )
        .get(
            "/incidents/{id}",
            incident,
            Op::new("One incident.")
                .path("id", "An incident's id.")
                .returns::<Incident>(),
        )
        .get(
            "/incidents/{id}/zones",
            incident_zones,
            Op::new("An incident's threat zones (AEGL-1, -2, -3), now or as they were drawn at a time.")
                .path("id", "An incident's id.")
                .query(
                    "at",
                    "The zones in force at this time (a replay's); 404 if it was not open then.",
                    time(),
                )
                .returns_geojson(),
        )
        .get(
            "/incidents/{id}/inside",
            incident_inside,
            Op::new("Who and what is inside each of an incident's zones.")
                .path("id", "An incident's id.")
                .returns::<Vec<ZoneOccupants>>(),
        )
        .post(
            "/incidents/{id}/what-if",
            what_if,
            Op::new(
                "What if the weather or the release had been other: the other outcome's threat zones \
                 (what_if: true on each), to draw as a ghost beside the real ones. Nothing is stored.",
            )
            .path("id", "An incident's id.")
            .body::<WhatIf>("Other weather and/or another rate or mass, asked from a moment or now.")
            .returns_geojson(),
        )
        .post(
            "/incidents/{id}/close",
            close_incident,
            Op::new("Closes an incident.")
                .path("id", "An incident's id.")
                .needs(OPERATOR, "an operator's")
                .returns::<Incident>(),
        )
        .get(
            "/drills",
            drills,
            Op::new("Uploaded drills and their runs.").returns::<Vec<Drill>>(),
        )
        .post(
            "/drills",
            upload_drill,
            Op::new("Uploads a scenario as a drill, checked against the park; every error in the answer.")
                .query(
                    "file",
                    "The scenario's file name, for the errors.",
                    json!({"type": "string"}),
                )
                .body::<Scenario>("A scenario (docs/scenario.schema.json).")
                .needs(OPERATOR, "an operator's")
                .creates::<Drill>(),
        )
        .get(
            "/drills/{id}",
            drill,
            Op::new("One drill.").path("id", "A drill's id.").returns::<Drill>(),
        )
        .post(
            "/drills/{id}/start",
            start_drill,
            Op::new("Starts a drill: its events play into the channel drill:<id>.")
                .path("id", "A drill's id.")
                .query(
                    "speed",
                    "How many times faster than written.",
                    json!({"type": "number", "minimum": 1, "maximum": crate::drills::MAX_SPEED, "default": 1}),
                )
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The drill is running or over.")
                .returns::<Drill>(),
        )
        .post(
            "/drills/{id}/stop",
            stop_drill,
            Op::new("Stops a running drill.")
                .path("id", "A drill's id.")
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The drill is not running.")
                .returns::<Drill>(),
        )
        .get(
            "/session",
            session,
            Op::new("Whose the bearer token is: its role and name (a sign-in's check).")
                .needs(
                    &[Role::Viewer, Role::Operator, Role::Ingest, Role::Admin],
                    "any valid token",
                )
                .returns::<Session>(),
        )
        .get(
            "/after-action/timeline.csv",
            after_action_timeline,
            Op::new(
                "The timeline of a period for an after-action review, CSV: time, recorded, channel, event, \
                 subject, detail, who acknowledged and when. Alarms, incidents, passes and waybills of the \
                 live channel, or everything a drill played (channel=drill:<id>).",
            )
            .query(
                "channel",
                "live (the default) or drill:<id>.",
                json!({"type": "string"}),
            )
            .query("from", "Start of the period (the last day by default).", time())
            .query("to", "End of the period.", time())
            .returns_text("text/csv"),
        )
        .get(
            "/after-action/zones.geojson",
            after_action_zones,
            Op::new(
                "The live incidents' threat zones over a period: each outline with the time it held from \
                 (valid_from) and until (valid_to, absent while it holds), as QGIS's temporal controller reads them.",
            )
            .query("from", "Start of the period (the last day by default).", time())
            .query("to", "End of the period.", time())
            .returns_geojson(),
        )
        .get(
            "/wall",
            wall,
            Op::new("The view the video walls show.").returns::<WallView>(),
        )
        .put(
            "/wall",
            set_wall,
            Op::new("Sends a view to the video walls, checked whole against the park.")
                .body::<WallRequest>("The camera or focus, layers, incident, drill and tour.")
                .needs(OPERATOR, "an operator's")
                .returns::<WallView>(),
        )
        .finish(API_PREFIX)
}

/// The largest request body taken, bytes: a day of one detector's readings at 1 Hz or a few
/// thousand positions fit many times over; a client that sends more is refused with 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Decides what a read may see, from its bearer token, before the route runs: the route finds
/// the [`Access`] in the request's extensions. A read with an unknown or revoked token is
/// refused (401), and so is one without a token when reads are private, except the contract's
/// document. Writes check their own roles (each route names whose token it needs).
/// A URL holding a NUL character (`%00`) is answered before it reaches a handler: no name, id
/// or time of the park holds one (and PostgreSQL's text cannot, so the two stores answer it
/// alike). In the path it names nothing (404); in the query it is a bad argument (400).
async fn refuse_nul(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let nul = |s: &str| s.as_bytes().windows(3).any(|w| w == b"%00");
    let uri = req.uri();
    if nul(uri.path()) {
        return Failure(
            StatusCode::NOT_FOUND,
            format!("{}: no name or id of the park holds a NUL character (%00)", uri.path()),
        )
        .into_response();
    }
    if uri.query().is_some_and(nul) {
        return Failure(
            StatusCode::BAD_REQUEST,
            "the query holds a NUL character (%00), which no name, id or time of the park holds".into(),
        )
        .into_response();
    }
    next.run(req).await
}

async fn reader(
    State((s, reads)): State<(AppState, Reads)>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // A what-if is posted, but it only computes and reads: under private reads it needs a
    // token as every read does.
    let reading = matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD)
        || (req.method() == axum::http::Method::POST && req.uri().path().ends_with("/what-if"));
    let access = if !reading {
        Access::Park
    } else {
        match bearer(req.headers()) {
            Some(token) => {
                let store = s.clone();
                let token = token.to_string();
                match blocking(move || store.caller(&token)).await {
                    Ok(Ok(Some(c))) => c.access,
                    Ok(Ok(None)) => return unknown_token().into_response(),
                    Ok(Err(e)) => return Failure::from(e).into_response(),
                    Err(e) => return e.into_response(),
                }
            }
            None if reads == Reads::Private && !req.uri().path().ends_with(crate::openapi::DOCUMENT_PATH) => {
                return Failure(
                    StatusCode::UNAUTHORIZED,
                    "reading this park needs a token (the server runs with --private-reads): \
                     Authorization: Bearer <token>"
                        .into(),
                )
                .into_response();
            }
            None => Access::Park,
        }
    };
    req.extensions_mut().insert(access);
    next.run(req).await
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn unknown_token() -> Failure {
    Failure(StatusCode::UNAUTHORIZED, "the token is unknown or revoked".to_string())
}

/// 403 for what belongs to another enterprise than the reader's.
fn not_yours(what: String) -> Failure {
    Failure(
        StatusCode::FORBIDDEN,
        format!("{what} belongs to another enterprise: this token reads its own enterprise's detail only"),
    )
}

/// What the request may read, as [`reader`] decided.
type Scope = Extension<Access>;

/// Every error the API answers is JSON `{"error": "..."}`: axum's own refusals (a body over
/// the limit, a path or query that does not parse, a wrong content type) come as plain text
/// and are rewrapped here, with the limit named where the body was too large.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && is_text) {
        return response;
    }
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "the request body is larger than the limit of {} MiB; send it in smaller batches",
            MAX_BODY_BYTES / (1024 * 1024)
        )
    } else if text.is_empty() {
        status.canonical_reason().unwrap_or("bad request").to_string()
    } else {
        text
    };
    Failure(status, error).into_response()
}

/// `/` without a browser client: what the server is, and how to get the map in a browser.
async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ParkTwin server. The API is under /api/v1 (park, layers, layers/{id}, hazards, chemicals).\n\
         The browser client is not served: build it with scripts/build-web and start the server \
         with --web DIR (the folder it prints).\n",
    )
}

async fn api_not_found(uri: axum::extract::OriginalUri) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("no such endpoint: {}", uri.0.path()))
}

async fn api_wrong_method(method: axum::http::Method, uri: axum::extract::OriginalUri) -> Failure {
    Failure(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not take {method}", uri.0.path()),
    )
}

async fn park(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.park()?))
}

async fn layers(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.layers()?))
}

async fn layer_problems(State(s): State<AppState>) -> impl IntoResponse {
    Json(s.layer_problems())
}

async fn layer(State(s): State<AppState>, Path(id): Path<String>, Extension(a): Scope) -> Answer<Response> {
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

async fn hazards(State(s): State<AppState>, Extension(a): Scope) -> Answer<impl IntoResponse> {
    let mut all = s.hazards()?;
    all.retain(|h| a.sees_owned_by(Some(&h.enterprise)));
    Ok(Json(all))
}

async fn hazard(State(s): State<AppState>, Path(id): Path<String>, Extension(a): Scope) -> Answer<impl IntoResponse> {
    let h = s
        .hazard(&id)?
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown hazard source \"{id}\"")))?;
    if !a.sees_owned_by(Some(&h.enterprise)) {
        return Err(not_yours(format!("hazard source \"{id}\"")));
    }
    Ok(Json(h))
}

async fn chemicals(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.chemicals()?))
}

/// Runs `work` on tokio's blocking pool and waits for it. Store work blocks: a write waits for
/// the one writing connection and its disk sync, a page or a zone takes a while to read or
/// compute. An async worker held that long is one the other requests cannot use: with two
/// cores, two waiting ingest batches would stall every poll.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, format!("a store task failed: {e}")))
}

/// A refused batch: 400 when the body is not JSON at all, 422 when a record is wrong.
fn refused(why: String) -> Failure {
    let status = if why.starts_with("the body is not JSON") {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Failure(status, why)
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

async fn ingest_observations(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /observations")?;
    let index = s.index()?;
    let batch = parktwin_api::ingest::check_observations(&body, &|id| index.sensors.contains_key(id), now())
        .map_err(refused)?;
    Ok(Json(blocking(move || s.ingest_observations(&batch)).await??))
}

async fn ingest_positions(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /vehicles/positions")?;
    let batch = parktwin_api::ingest::check_positions(&body, now()).map_err(refused)?;
    Ok(Json(blocking(move || s.ingest_positions(&batch)).await??))
}

/// Most events one page of `/events` returns.
const MAX_PAGE: usize = 1000;

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, key: &str, default: T, what: &str) -> Result<T, Failure> {
    match q.get(key) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            Failure(
                StatusCode::BAD_REQUEST,
                format!("query parameter \"{key}\" must be {what}, got \"{v}\""),
            )
        }),
    }
}

/// The `from`/`to` window of a history query, as stored times (default: the last `span`).
fn window(q: &HashMap<String, String>, span: time::Duration) -> Result<(String, String), Failure> {
    let bad = |key: &str, e: String| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"{key}\": {e}"));
    let to = match q.get("to") {
        Some(t) => parktwin_api::ingest::normalise_time(t).map_err(|e| bad("to", e))?,
        None => parktwin_api::ingest::format_utc(now()),
    };
    let from = match q.get("from") {
        Some(t) => parktwin_api::ingest::normalise_time(t).map_err(|e| bad("from", e))?,
        None => parktwin_api::ingest::format_utc(now() - span),
    };
    if from > to {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("\"from\" ({from}) is after \"to\" ({to})"),
        ));
    }
    Ok((from, to))
}

async fn events(
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

async fn sensors(State(s): State<AppState>, Extension(a): Scope) -> Answer<impl IntoResponse> {
    let owners = &s.index()?.owners;
    let mut all = s.sensors()?;
    all.retain(|x| a.sees(owners, &x.id));
    Ok(Json(all))
}

async fn sensor_observations(
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

async fn vehicles(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.vehicles()?))
}

async fn track(
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

async fn alarms(
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

async fn events_head(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer<impl IntoResponse> {
    let seq = match q.get("at") {
        None => s.head()?,
        Some(t) => {
            let at = parktwin_api::ingest::normalise_time(t)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"at\": {e}")))?;
            s.head_at(&at)?
        }
    };
    Ok(Json(parktwin_api::model::EventsHead { seq }))
}

async fn ingest_weather(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /weather")?;
    let index = s.index()?;
    let batch =
        parktwin_api::ingest::check_weather(&body, &|id| index.stations.contains(id), now()).map_err(refused)?;
    Ok(Json(blocking(move || s.ingest_weather(&batch)).await??))
}

async fn weather_latest(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.weather_latest()?))
}

/// The role and name of the request's bearer token; 401 when there is none or it is unknown.
fn caller(s: &Store, headers: &axum::http::HeaderMap, needs: &str) -> Result<crate::store::Caller, Failure> {
    let token = bearer(headers).ok_or_else(|| {
        Failure(
            StatusCode::UNAUTHORIZED,
            format!("{needs} needs a token: Authorization: Bearer <token>"),
        )
    })?;
    s.caller(token)?.ok_or_else(unknown_token)
}

/// `GET /session`: the role and name of the bearer token (401 without one or with an unknown
/// or revoked one), for a client's sign-in.
async fn wall(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.wall()?))
}

/// Sends a view to the walls: an operator's (or an admin's) token; the view is checked whole
/// against the park (its box, layers, incidents, drills) before it replaces the last.
async fn set_wall(State(s): State<AppState>, headers: axum::http::HeaderMap, body: Bytes) -> Answer<impl IntoResponse> {
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

async fn session(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Answer<impl IntoResponse> {
    let c = caller(&s, &headers, "a session")?;
    let enterprise = match c.access {
        Access::Park => None,
        Access::Enterprise(e) => Some(e),
    };
    Ok(Json(parktwin_api::model::Session {
        role: c.role,
        name: c.name,
        enterprise,
    }))
}

/// The caller's name when its token has one of `roles` (`whose` names them for the refusal):
/// 401 without a token or with an unknown or revoked one, 403 with another role's.
fn may(
    s: &Store,
    headers: &axum::http::HeaderMap,
    roles: &[parktwin_api::model::Role],
    what: &str,
    whose: &str,
) -> Result<String, Failure> {
    let crate::store::Caller { role, name, .. } = caller(s, headers, what)?;
    if !roles.contains(&role) {
        return Err(Failure(
            StatusCode::FORBIDDEN,
            format!("a {role:?} token may not do {what}; {whose} may"),
        ));
    }
    Ok(name)
}

/// The caller's name when its token is an operator's (or an admin's).
fn operator(s: &Store, headers: &axum::http::HeaderMap, what: &str) -> Result<String, Failure> {
    use parktwin_api::model::Role;
    may(s, headers, &[Role::Operator, Role::Admin], what, "an operator's")
}

/// The caller's name when its token is a machine feed's (or an admin's): only feeds write
/// readings, positions, weather, passes and waybills, so that nobody who finds the port can
/// forge them.
fn ingest(s: &Store, headers: &axum::http::HeaderMap, what: &str) -> Result<String, Failure> {
    use parktwin_api::model::Role;
    may(s, headers, &[Role::Ingest, Role::Admin], what, "an ingest feed's")
}

async fn incidents(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer<impl IntoResponse> {
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

async fn start_incident(
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

fn unknown_incident(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown incident \"{id}\""))
}

async fn incident(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.incident(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

async fn incident_zones(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Response> {
    let text = match q.get("at") {
        None => s.incident_zones(&id)?.ok_or_else(|| unknown_incident(&id))?,
        Some(t) => {
            let at = parktwin_api::ingest::normalise_time(t)
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

async fn incident_inside(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.incident_inside(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

/// `POST /incidents/{id}/what-if`: the other outcome's zones, computed and not stored.
async fn what_if(State(s): State<AppState>, Path(id): Path<String>, body: Bytes) -> Answer<Response> {
    let what = parktwin_api::incident::WhatIf::parse(&body).map_err(refused)?;
    let store = s.clone();
    let key = id.clone();
    let text = blocking(move || store.what_if_zones(&key, &what))
        .await??
        .ok_or_else(|| unknown_incident(&id))?
        .map_err(|why| Failure(StatusCode::NOT_FOUND, why))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

async fn close_incident(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    operator(&s, &headers, "closing an incident")?;
    let at = parktwin_api::ingest::format_utc(now());
    s.close_incident(&id, &at)?
        .map(Json)
        .ok_or_else(|| unknown_incident(&id))
}

async fn ack_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    let name = operator(&s, &headers, "acknowledging alarms")?;
    let id: i64 = id
        .parse()
        .map_err(|_| Failure(StatusCode::NOT_FOUND, format!("unknown alarm \"{id}\"")))?;
    let at = parktwin_api::ingest::format_utc(now());
    s.ack_alarm(id, &name, &at)?
        .map(Json)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown alarm {id}")))
}

async fn ingest_passes(
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
    Ok(Json(blocking(move || s.ingest_passes(&gate, &batch)).await??))
}

async fn ingest_waybills(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    ingest(&s, &headers, "POST /waybills")?;
    let batch = parktwin_api::ingest::check_waybills(&body).map_err(refused)?;
    let at = parktwin_api::ingest::format_utc(now());
    Ok(Json(blocking(move || s.ingest_waybills(&batch, &at)).await??))
}

async fn waybills(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer<impl IntoResponse> {
    let valid_at = match q.get("valid_at").map(String::as_str) {
        None => None,
        Some("now") => Some(parktwin_api::ingest::format_utc(now())),
        Some(t) => Some(
            parktwin_api::ingest::normalise_time(t)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"valid_at\": {e}")))?,
        ),
    };
    Ok(Json(
        s.waybills(q.get("plate").map(String::as_str), valid_at.as_deref())?,
    ))
}

async fn passes(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer<impl IntoResponse> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    Ok(Json(s.passes(&from, &to)?))
}

async fn waybill(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.waybill(&id)?
        .map(Json)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown waybill \"{id}\"")))
}

/// `GET /after-action/timeline.csv`: the period's timeline, a file to keep.
async fn after_action_timeline(
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
async fn after_action_zones(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Answer<Response> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    let store = s.clone();
    let fc = blocking(move || store.zones_over_time(&from, &to)).await??;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], fc.to_string()).into_response())
}

async fn drills(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.drills()?))
}

fn unknown_drill(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown drill \"{id}\""))
}

async fn drill(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.drill(&id)?.map(Json).ok_or_else(|| unknown_drill(&id))
}

/// Uploads a scenario (the body, JSON) as a drill: checked against the park, every error in
/// the answer (`?file=NAME` names the file in them).
async fn upload_drill(
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

async fn start_drill(
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

async fn stop_drill(
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
