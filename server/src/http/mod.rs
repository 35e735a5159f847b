//! The REST routes under `/api/v1`: [`api`] is the one list of the operations, from which both
//! the router and the OpenAPI document are built; the handlers live by concern:
//! - `access`: the bearer token, the scope of a read, the roles of a write, the session;
//! - `park`: the park, its layers, hazard sources and chemicals;
//! - `ingest`: the machine feeds' writes;
//! - `reads`: the live picture and its history (the log, sensors, vehicles, alarms, …);
//! - `incidents`: incidents, their zones, and the after-action exports;
//! - `alarms`: an alarm's lifecycle (acknowledge, assign, resolve, close, shelve), the alarm
//!   policy, the alarm figures, the subscriptions to alarms and their deliveries;
//! - `operate`: drills, the wall;
//! - `accounts`: signing in and out, an admin's accounts;
//! - `audit`: the audit trail of every write and sign-in, and the headers every answer carries;
//! - `input`: what every request goes through, and reading a query and a body.

mod access;
mod accounts;
mod alarms;
mod audit;
mod devices;
mod emergency;
mod incidents;
mod ingest;
mod input;
mod operate;
mod park;
mod reads;
mod tiles;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::store::{Store, StoreError};
use parktwin_api::model::ApiError;

use access::{reader, session};
use accounts::{create_user, disable_user, reset_password, sign_in, sign_out, users};
pub use audit::ClientAddr;
use audit::{after_action_audit, audit_entries};
use incidents::{
    after_action_timeline, after_action_zones, close_incident, head_counts, incident, incident_inside,
    incident_resources, incident_zones, incidents, protective_actions, report_head_count, start_incident, what_if,
};
use ingest::{ingest_observations, ingest_passes, ingest_positions, ingest_waybills, ingest_weather};
use input::{decode_body, json_errors, param, refuse_nul, window};
use operate::{drill, drills, set_wall, start_drill, stop_drill, upload_drill, wall};
use park::{chemicals, hazard, hazards, layer, layer_problems, layers, park};
use reads::{
    MAX_PAGE, alarms, events, events_head, passes, sensor_observations, sensors, track, vehicles, waybill, waybills,
    weather_latest,
};

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

/// How the server talks to its clients, besides its routes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpOptions {
    /// Whether reads need a token.
    pub reads: Reads,
    /// Whether it serves over TLS: the session cookie is then `Secure`, and browsers are told
    /// to keep to https (Strict-Transport-Security).
    pub tls: bool,
    /// Origins whose pages may call the API from a browser (CORS); none unless configured.
    pub cors_origins: Vec<String>,
    /// Whether the server has an SMTP relay (`--smtp`), so that email subscriptions can work.
    pub smtp: bool,
    /// Its basemap (`--tiles`, `--basemap-url`), if any.
    pub basemap: Option<crate::tiles::Basemap>,
}

/// Whether the connection is TLS, for the answers that differ (the cookie's `Secure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transport {
    tls: bool,
}

/// The application's routes over a store, and the browser client from `web_dir` at `/`; reads
/// open to all.
pub fn router(store: Arc<Store>, web_dir: Option<&std::path::Path>) -> Router {
    router_with(store, web_dir, Reads::Open)
}

/// [`router`], with reads open or needing a token.
pub fn router_with(store: Arc<Store>, web_dir: Option<&std::path::Path>, reads: Reads) -> Router {
    router_for(
        store,
        web_dir,
        &HttpOptions {
            reads,
            ..HttpOptions::default()
        },
    )
}

/// [`router`], as `options` say.
pub fn router_for(store: Arc<Store>, web_dir: Option<&std::path::Path>, options: &HttpOptions) -> Router {
    let reads = options.reads;
    let (api, _) = api(reads);
    let api = api
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state((store.clone(), reads), reader))
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::from_fn_with_state(
            store.clone(),
            audit::record_writes,
        ))
        .layer(axum::Extension(Transport { tls: options.tls }))
        .layer(axum::Extension(alarms::HasSmtp(options.smtp)))
        .layer(axum::Extension(options.basemap.clone()));
    let api = match audit::cors(&options.cors_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    };
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
    let page_scripts = web_dir
        .and_then(|d| std::fs::read_to_string(d.join("index.html")).ok())
        .map(|page| audit::inline_script_hashes(&page))
        .unwrap_or_default();
    let fetch_from = match &options.basemap {
        Some(crate::tiles::Basemap::Online(info)) => crate::tiles::origin(&info.template),
        _ => None,
    };
    audit::security_headers(app, options.tls, &page_scripts, fetch_from)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(store)
}

/// Where the API is, under the server's root.
pub const API_PREFIX: &str = "/api/v1";

/// The API's OpenAPI 3.1 document, as `/api/v1/openapi.json` serves it with reads open.
pub fn openapi_document() -> serde_json::Value {
    api(Reads::Open).1
}

/// The document a server whose reads are `reads` serves: under private reads, every read
/// needs a token or a session.
pub fn openapi_document_for(reads: Reads) -> serde_json::Value {
    api(reads).1
}

/// The API's routes and their contract, from one list (see [`crate::openapi`]).
fn api(reads: Reads) -> (Router<AppState>, serde_json::Value) {
    use crate::openapi::{Documented, Op};
    use parktwin_api::incident::{Incident, NewIncident, WhatIf, ZoneOccupants};
    use parktwin_api::model::*;
    use parktwin_api::scenario::{Drill, Scenario};
    use parktwin_api::wall::{WallRequest, WallView};
    use serde_json::json;
    const OPERATOR: &[Role] = &[Role::Operator, Role::Admin];
    const FEED: &[Role] = &[Role::Ingest, Role::Admin];
    const ADMIN: &[Role] = &[Role::Admin];
    let time =
        || json!({"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-11-27T08:00:00Z"});
    let channel = || json!({"type": "string", "pattern": "^(live|drill:.+)$"});
    let open_closed = |default: &str| json!({"type": "string", "enum": ["open", "closed", "all"], "default": default});
    Documented::new(reads == Reads::Private)
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
            Op::new(
                "Stores a batch of readings of the park's devices (any quantity of a registered device; a detector's \
                 or weather station's one value); each quantity's latest, rollups and alarms follow from them. The \
                 same batch is taken over MQTT (parktwin-server --mqtt).",
            )
                .batch::<Observation>("Readings of known devices' quantities.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .get(
            "/feeds/mqtt",
            ingest::mqtt_status,
            Op::new(
                "The MQTT subscriber since the server started: its topic (none when the server takes no readings \
                 over MQTT), whether it is connected, the payloads and readings stored, the payloads refused and the \
                 last refusal with its topic and reason.",
            )
            .needs(ADMIN, "an admin's")
            .returns::<crate::mqtt::MqttStatus>(),
        )
        .post(
            "/vehicles/positions",
            ingest_positions,
            Op::new("Stores a batch of vehicle fixes.")
                .batch::<VehiclePosition>("Fixes, each with its plate and time.")
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
                    json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX, "default": 0}),
                )
                .query(
                    "limit",
                    "Most events in the page.",
                    json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": MAX_PAGE}),
                )
                .query("channel", "Only this channel: live, or drill:<id>.", channel())
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
                .query("from", "Start of the window (\"to\" less the window's default length when only \"to\" is given); not after \"to\".", time())
                .query("to", "End of the window (now by default, or \"from\" when that is later).", time())
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
                .batch::<GatePass>("Passes, each with its plate, direction and time.")
                .needs(FEED, "an ingest feed's")
                .returns::<IngestReceipt>(),
        )
        .then(alarms::document)
        .then(emergency::document)
        .then(devices::document)
        .post(
            "/weather",
            ingest_weather,
            Op::new("Stores a batch of weather reports.")
                .batch::<WeatherReport>("Reports of known weather stations.")
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
                .query("from", "Start of the window (\"to\" less the window's default length when only \"to\" is given); not after \"to\".", time())
                .query("to", "End of the window (now by default, or \"from\" when that is later).", time())
                .returns::<Vec<VehiclePosition>>(),
        )
        .get(
            "/waybills",
            waybills,
            Op::new("Hazmat waybills (电子运单).")
                .query("valid_at", "Only those valid at this time.", time())
                .query("plate", "Only this vehicle's.", json!({"type": "string"}))
                .returns::<Vec<Waybill>>(),
        )
        .post(
            "/waybills",
            ingest_waybills,
            Op::new("Stores a batch of waybills.")
                .batch::<Waybill>("Waybills, each with its vehicle, cargo and validity.")
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
                .query("from", "Start of the window (\"to\" less the window's default length when only \"to\" is given); not after \"to\".", time())
                .query("to", "End of the window (now by default, or \"from\" when that is later).", time())
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
        .get(
            "/incidents/{id}/resources",
            incident_resources,
            Op::new(
                "The emergency resources' quickest routes to an incident over the park's roads, quickest first: \
                 each with its distance, time and ETA and its route as a GeoJSON LineString, kept out of the \
                 incident's most severe zone where another way exists, and ending at that zone's edge where it \
                 covers the source.",
            )
            .path("id", "An incident's id.")
            .returns::<Vec<parktwin_api::response::ResourceRoute>>(),
        )
        .get(
            "/incidents/{id}/protective-actions",
            protective_actions,
            Op::new(
                "Shelter in place or evacuate, for each sensitive target and enterprise inside an incident's zones: \
                 the indoor concentration a building of 0.5 air changes an hour lets in (ALOHA's model) against \
                 the AEGL-2 level, and for those to evacuate the quickest road route to the nearest assembly \
                 point outside every zone.",
            )
            .path("id", "An incident's id.")
            .returns::<Vec<parktwin_api::response::ProtectiveAction>>(),
        )
        .post(
            "/incidents/{id}/head-counts",
            report_head_count,
            Op::new("Reports how many people are at an assembly point (a shelter of the emergency resources) now.")
                .path("id", "An incident's id.")
                .body::<parktwin_api::response::NewHeadCount>("The assembly point and the count.")
                .needs(OPERATOR, "a park-wide operator's")
                .creates::<parktwin_api::response::HeadCount>(),
        )
        .get(
            "/incidents/{id}/head-counts",
            head_counts,
            Op::new("The latest head count at each assembly point of an incident.")
                .path("id", "An incident's id.")
                .returns::<Vec<parktwin_api::response::HeadCount>>(),
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
            .reads()
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
        .post(
            "/session",
            sign_in,
            Op::new(
                "Signs a person in with a name and a password: the session's token in the answer, and an \
                 HttpOnly, SameSite=Strict cookie (Secure over TLS) for a browser. A session ends after 12 hours unused; one in use goes on.",
            )
            .public()
            .body::<SignIn>("The account's name and password.")
            .refuses(401, "Unknown name or wrong password, or a disabled account.")
            .refuses(
                429,
                "Too many failures in a row for this name: Retry-After says when to try again.",
            )
            .returns::<SignedIn>(),
        )
        .delete(
            "/session",
            sign_out,
            Op::new("Signs out: ends the session the request carries (its cookie or bearer token) and clears the cookie.")
                .needs(
                    &[Role::Viewer, Role::Operator, Role::Admin],
                    "a signed-in session",
                )
                .refuses(403, "The token is not a session (made with `token create`): it is revoked there.")
                .answers_nothing(),
        )
        .get(
            "/users",
            users,
            Op::new("Every account (never a password).")
                .needs(ADMIN, "an admin's")
                .returns::<Vec<User>>(),
        )
        .post(
            "/users",
            create_user,
            Op::new("Makes an account; viewers and operators may be scoped to an enterprise.")
                .body::<NewUser>("Its name, role, enterprise and password.")
                .needs(ADMIN, "an admin's")
                .refuses(409, "An account has that name already.")
                .creates::<User>(),
        )
        .post(
            "/users/{name}/disable",
            disable_user,
            Op::new("Disables an account: it cannot sign in, and its sessions end at once.")
                .path("name", "An account's name.")
                .needs(ADMIN, "an admin's")
                .refuses(409, "It is disabled already.")
                .returns::<User>(),
        )
        .put(
            "/users/{name}/password",
            reset_password,
            Op::new("Gives an account a new password; its sessions end at once.")
                .path("name", "An account's name.")
                .body::<NewPassword>("The new password.")
                .needs(ADMIN, "an admin's")
                .returns::<User>(),
        )
        .get(
            "/audit",
            audit_entries,
            Op::new(
                "The audit trail: every write and sign-in with who, when, from where, what and the answer, \
                 oldest first. \"from\" must not be after \"to\".",
            )
            .query("from", "Start of the period (the day before \"to\" by default); not after \"to\".", time())
            .query("to", "End of the period (now by default, or \"from\" when that is later).", time())
            .query("who", "Only this caller's (an account's or a token's name).", json!({"type": "string"}))
            .query("action", "Only this action: POST, PUT, DELETE, or a command such as \"user create\".", json!({"type": "string"}))
            .query("target", "Only lines whose target begins with this (/api/v1/alarms).", json!({"type": "string"}))
            .query(
                "limit",
                "Most lines answered.",
                json!({"type": "integer", "minimum": 1, "maximum": audit::MAX_AUDIT_LINES, "default": audit::MAX_AUDIT_LINES}),
            )
            .needs(ADMIN, "an admin's")
            .returns::<Vec<AuditEntry>>(),
        )
        .get(
            "/after-action/audit.csv",
            after_action_audit,
            Op::new(
                "The audit trail of a period for an after-action review, CSV: time, who, role, from, action, \
                 target, status, detail. \"from\" must not be after \"to\".",
            )
            .query("from", "Start of the period (the day before \"to\" by default); not after \"to\".", time())
            .query("to", "End of the period (now by default, or \"from\" when that is later).", time())
            .needs(ADMIN, "an admin's")
            .returns_text("text/csv"),
        )
        .get(
            "/after-action/timeline.csv",
            after_action_timeline,
            Op::new(
                "The timeline of a period for an after-action review, CSV: time, recorded, channel, event, \
                 subject, detail, who acknowledged and when. Alarms, incidents, passes and waybills of the \
                 live channel, or everything a drill played (channel=drill:<id>).",
            )
            .query("channel", "live (the default) or drill:<id> of an uploaded drill.", channel())
            .query("from", "Start of the period (the day before \"to\" by default); not after \"to\".", time())
            .query("to", "End of the period (now by default, or \"from\" when that is later).", time())
            .returns_text("text/csv"),
        )
        .get(
            "/after-action/zones.geojson",
            after_action_zones,
            Op::new(
                "The live incidents' threat zones over a period: each outline with the time it held from \
                 (valid_from) and until (valid_to, absent while it holds), as QGIS's temporal controller reads them.",
            )
            .query("from", "Start of the period (the day before \"to\" by default); not after \"to\".", time())
            .query("to", "End of the period (now by default, or \"from\" when that is later).", time())
            .returns_geojson(),
        )
        .get(
            "/tiles",
            tiles::tile_set,
            Op::new(
                "The basemap the maps draw: the tiles this server serves (--tiles) or an online source \
                 (--basemap-url), its name, format, zoom levels, bounds, attribution and tiles' template; null \
                 when it has none.",
            )
            .returns::<Option<crate::tiles::TileSetInfo>>(),
        )
        .get(
            "/tiles/{z}/{x}/{y}",
            tiles::tile,
            Op::new("A tile of the offline basemap, as its file holds it, in XYZ numbering (y from the north).")
                .path("z", "The zoom level.")
                .path("x", "The column, from the west.")
                .path("y", "The row, from the north (a format's extension, 12.png, is allowed).")
                .refuses(404, "No such tile, or no offline basemap.")
                .returns_binary(&["image/png", "image/jpeg", "image/webp", "application/vnd.mapbox-vector-tile"]),
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
