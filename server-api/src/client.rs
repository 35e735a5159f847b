//! The REST client for the ParkTwin API. Every error names the URL it tried.
//!
//! It is async so that one client serves both builds: natively it runs on a small tokio
//! runtime (a thread per task in the app, [`block_on`] in tools and tests); in the browser it
//! runs on the page's event loop through `fetch`, where nothing may block.

#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::model::{ApiError, HazardSource, LayerInfo, Park};

/// What went wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered at the address (refused, timed out, bad host).
    #[error("cannot reach the ParkTwin server at {url}: {reason}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered {status}: {message}")]
    Status {
        /// The URL tried.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The server's error message.
        message: String,
    },
    /// The server answered something that is not what the API promises.
    #[error("{url} answered something unexpected: {reason}")]
    Decode {
        /// The URL tried.
        url: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// The client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    http: reqwest::Client,
    /// The bearer token every read carries, if any: a server that runs with
    /// `--private-reads` refuses reads without one, and an enterprise viewer's token is what
    /// scopes what it reads. Writes name their token themselves. Shared by the clients made
    /// with [`ApiClient::reading_from`] one cell: a sign-in sets it for all of them.
    token: ReadingCell,
}

/// The reading token clients share (see [`ApiClient::reading_from`]).
pub type ReadingCell = std::sync::Arc<std::sync::RwLock<Option<String>>>;

impl ApiClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Self {
        // The browser's fetch has no timeouts to set; its own apply.
        #[cfg(not(target_arch = "wasm32"))]
        let http = reqwest::Client::builder()
            // A tile server's terms (OpenStreetMap's) ask a client to name itself.
            .user_agent(concat!("ParkTwin/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        #[cfg(target_arch = "wasm32")]
        let http = reqwest::Client::new();
        Self {
            base: base.trim_end_matches('/').to_string(),
            http,
            token: ReadingCell::default(),
        }
    }

    /// This client, its reads carrying `token` (none when `None`).
    pub fn reading_with(mut self, token: Option<String>) -> Self {
        self.token = std::sync::Arc::new(std::sync::RwLock::new(token));
        self
    }

    /// This client, its reads carrying whatever token `cell` holds at the time: the clients
    /// of one app share one, which a sign-in sets for all of them at once.
    pub fn reading_from(mut self, cell: ReadingCell) -> Self {
        self.token = cell;
        self
    }

    /// The token reads carry now, if any.
    fn reading_token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    /// `req` with the reading token, if there is one.
    fn with_reading_token(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.reading_token() {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// A GET of `url` on this server, with the reading token if there is one.
    fn read(&self, url: &str) -> reqwest::RequestBuilder {
        self.with_reading_token(self.http.get(url))
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The full URL of an API path such as `/park`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base, path)
    }

    /// GETs an API path and decodes its JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = self.url(path);
        self.send(self.read(&url), url).await
    }

    /// GETs a layer source as text: an absolute `http(s)://` URL, or a path on this server
    /// such as `/api/v1/layers/outfalls`.
    pub async fn get_text(&self, source: &str) -> Result<String, ClientError> {
        let (url, resp) = self.get_source(source).await?;
        resp.text().await.map_err(|e| ClientError::Unreachable {
            url,
            reason: root_cause(&e),
        })
    }

    /// The bytes at `source`, as [`ApiClient::get_text`] reads its text: a map tile.
    pub async fn get_bytes(&self, source: &str) -> Result<Vec<u8>, ClientError> {
        let (url, resp) = self.get_source(source).await?;
        resp.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| ClientError::Unreachable {
                url,
                reason: root_cause(&e),
            })
    }

    /// A successful answer for `source` (an absolute URL, or a path on this server), or the
    /// error naming its URL and what the server said.
    async fn get_source(&self, source: &str) -> Result<(String, reqwest::Response), ClientError> {
        let url = if source.starts_with("http://") || source.starts_with("https://") {
            source.to_string()
        } else {
            format!("{}{source}", self.base)
        };
        let unreachable = |e: reqwest::Error| ClientError::Unreachable {
            url: url.clone(),
            reason: root_cause(&e),
        };
        // The token goes to this server only, never to another a layer is read from.
        let req = if url.starts_with(&format!("{}/", self.base)) {
            self.read(&url)
        } else {
            self.http.get(&url)
        };
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.map_err(unreachable)?;
            let message = serde_json::from_str::<ApiError>(&body).map(|e| e.error).unwrap_or(body);
            return Err(ClientError::Status {
                url,
                status: status.as_u16(),
                message,
            });
        }
        Ok((url, resp))
    }

    /// `POST /session`: signs a person in with a name and a password; the session's token
    /// (in the browser the answer also sets the session's cookie, which every later request of
    /// the page carries).
    pub async fn sign_in(&self, name: &str, password: &str) -> Result<crate::model::SignedIn, ClientError> {
        let url = self.url("/session");
        let body = crate::model::SignIn {
            name: name.to_string(),
            password: password.to_string(),
        };
        self.send(self.http.post(&url).json(&body), url).await
    }

    /// `DELETE /session`: ends the session `token` (and, in the browser, clears its cookie).
    pub async fn sign_out(&self, token: &str) -> Result<(), ClientError> {
        let url = self.url("/session");
        let resp = self
            .http
            .delete(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: url.clone(),
                reason: root_cause(&e),
            })?;
        match resp.status().as_u16() {
            204 => Ok(()),
            status => Err(ClientError::Status {
                url,
                status,
                message: resp.json::<ApiError>().await.map(|e| e.error).unwrap_or_default(),
            }),
        }
    }

    /// Whether an error is the server asking for a sign-in (401: no token or session, or one
    /// that ended).
    pub fn needs_sign_in(e: &ClientError) -> bool {
        matches!(e, ClientError::Status { status: 401, .. })
    }

    /// `GET /session`: whose `token` is (a sign-in's check).
    pub async fn session(&self, token: &str) -> Result<crate::model::Session, ClientError> {
        let url = self.url("/session");
        self.send(self.http.get(&url).bearer_auth(token), url).await
    }

    /// `POST /alarms/{id}/ack` with an operator's token.
    pub async fn ack_alarm(&self, id: i64, token: &str) -> Result<crate::model::Alarm, ClientError> {
        self.alarm_step(id, "ack", None, token).await
    }

    /// `POST /alarms/{id}/{step}` (`ack`, `assign`, `resolve`, `close`, `shelve`, `unshelve`) with
    /// an operator's token and the step's body, if it has one.
    pub async fn alarm_step(
        &self,
        id: i64,
        step: &str,
        body: Option<&serde_json::Value>,
        token: &str,
    ) -> Result<crate::model::Alarm, ClientError> {
        let url = self.url(&format!("/alarms/{id}/{}", encode(step)));
        let req = self.http.post(&url).bearer_auth(token);
        let req = match body {
            Some(b) => req.json(b),
            None => req,
        };
        self.send(req, url).await
    }

    /// `GET /alarms/figures`: the alarm-management figures of the last day.
    pub async fn alarm_figures(&self) -> Result<crate::alarm_figures::AlarmFigures, ClientError> {
        self.get_json("/alarms/figures").await
    }

    /// `POST /incidents` with an operator's token.
    pub async fn start_incident(
        &self,
        req: &crate::incident::NewIncident,
        token: &str,
    ) -> Result<crate::incident::Incident, ClientError> {
        let url = self.url("/incidents");
        self.send(self.http.post(&url).bearer_auth(token).json(req), url).await
    }

    /// `GET /incidents/{id}/resources`: the emergency resources' routes to it, quickest first.
    pub async fn incident_resources(&self, id: &str) -> Result<Vec<crate::response::ResourceRoute>, ClientError> {
        self.get_json(&format!("/incidents/{}/resources", encode(id))).await
    }

    /// `GET /incidents/{id}/protective-actions`: shelter in place or evacuate, place by place.
    pub async fn protective_actions(&self, id: &str) -> Result<Vec<crate::response::ProtectiveAction>, ClientError> {
        self.get_json(&format!("/incidents/{}/protective-actions", encode(id)))
            .await
    }

    /// `GET /incidents/{id}/plans`: the park's emergency plans for the incident.
    pub async fn incident_plans(&self, id: &str) -> Result<Vec<crate::emergency::Plan>, ClientError> {
        self.get_json(&format!("/incidents/{}/plans", encode(id))).await
    }

    /// `POST /incidents/{id}/plans/{plan}/activate` with an operator's token: the plan's tasks.
    pub async fn activate_plan(
        &self,
        id: &str,
        plan: &str,
        token: &str,
    ) -> Result<Vec<crate::emergency::Task>, ClientError> {
        let url = self.url(&format!("/incidents/{}/plans/{}/activate", encode(id), encode(plan)));
        self.send(self.http.post(&url).bearer_auth(token), url).await
    }

    /// `POST /incidents/{id}/tasks` with an operator's token: a task given by hand.
    pub async fn add_task(
        &self,
        id: &str,
        task: &crate::emergency::NewTask,
        token: &str,
    ) -> Result<crate::emergency::Task, ClientError> {
        let url = self.url(&format!("/incidents/{}/tasks", encode(id)));
        self.send(self.http.post(&url).bearer_auth(token).json(task), url).await
    }

    /// `POST /tasks/{id}/status` with an operator's token: the task moved on.
    pub async fn task_step(
        &self,
        task: i64,
        step: &crate::emergency::TaskStep,
        token: &str,
    ) -> Result<crate::emergency::Task, ClientError> {
        let url = self.url(&format!("/tasks/{task}/status"));
        self.send(self.http.post(&url).bearer_auth(token).json(step), url).await
    }

    /// `POST /incidents/{id}/messages` with an operator's token.
    pub async fn send_message(
        &self,
        id: &str,
        message: &crate::emergency::NewMessage,
        token: &str,
    ) -> Result<crate::emergency::Message, ClientError> {
        let url = self.url(&format!("/incidents/{}/messages", encode(id)));
        self.send(self.http.post(&url).bearer_auth(token).json(message), url)
            .await
    }

    /// `POST /incidents/{id}/close` with an operator's token.
    pub async fn close_incident(&self, id: &str, token: &str) -> Result<crate::incident::Incident, ClientError> {
        let url = self.url(&format!("/incidents/{}/close", encode(id)));
        self.send(self.http.post(&url).bearer_auth(token), url).await
    }

    /// `GET /wall`: the view the walls show.
    pub async fn wall(&self) -> Result<crate::wall::WallView, ClientError> {
        self.get_json("/wall").await
    }

    /// `PUT /wall` with an operator's token: sends a view to the walls.
    pub async fn put_wall(
        &self,
        view: &crate::wall::WallRequest,
        token: &str,
    ) -> Result<crate::wall::WallView, ClientError> {
        let url = self.url("/wall");
        self.send(self.http.put(&url).bearer_auth(token).json(view), url).await
    }

    /// `GET /incidents/{id}/zones`: the threat zones, GeoJSON.
    pub async fn incident_zones(&self, id: &str) -> Result<serde_json::Value, ClientError> {
        self.get_json(&format!("/incidents/{}/zones", encode(id))).await
    }

    /// `GET /incidents/{id}/zones?at=T`: the threat zones as they were drawn at `at`.
    pub async fn incident_zones_at(&self, id: &str, at: &str) -> Result<serde_json::Value, ClientError> {
        self.get_json(&format!("/incidents/{}/zones?at={}", encode(id), encode(at)))
            .await
    }

    /// `POST /incidents/{id}/what-if`: the zones the incident would have had, for a ghost.
    pub async fn what_if(&self, id: &str, what: &crate::incident::WhatIf) -> Result<serde_json::Value, ClientError> {
        let url = self.url(&format!("/incidents/{}/what-if", encode(id)));
        // A what-if is a read: it carries the reading token as every read does.
        self.send(self.with_reading_token(self.http.post(&url).json(what)), url)
            .await
    }

    /// Sends a request and decodes its JSON answer, or the API's error.
    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder, url: String) -> Result<T, ClientError> {
        let unreachable = |e: reqwest::Error| ClientError::Unreachable {
            url: url.clone(),
            reason: root_cause(&e),
        };
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            let message = serde_json::from_slice::<ApiError>(&body)
                .map(|e| e.error)
                .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
            return Err(ClientError::Status {
                url,
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Decode {
            url,
            reason: e.to_string(),
        })
    }

    /// `GET /park`.
    pub async fn park(&self) -> Result<Park, ClientError> {
        self.get_json("/park").await
    }

    /// `GET /layers`: the layer catalog.
    pub async fn layers(&self) -> Result<Vec<LayerInfo>, ClientError> {
        self.get_json("/layers").await
    }

    /// `GET /layers/{id}`: a layer's features.
    pub async fn layer(&self, id: &str) -> Result<geojson::FeatureCollection, ClientError> {
        self.get_json(&format!("/layers/{id}")).await
    }

    /// The live state now: the log's head, then the sensors, vehicles and open alarms (events
    /// after the head that the snapshot already holds fold in harmlessly).
    pub async fn live_snapshot(&self) -> Result<crate::live::LiveState, ClientError> {
        let head: crate::model::EventsHead = self.get_json("/events/head").await?;
        let mut state = crate::live::LiveState::from_snapshot(
            head.seq,
            self.get_json("/sensors").await?,
            self.get_json("/vehicles").await?,
            self.get_json("/alarms").await?,
        );
        let weather: Vec<crate::model::WeatherReport> = self.get_json("/weather/latest").await?;
        state.weather = weather.into_iter().map(|w| (w.station.clone(), w)).collect();
        let waybills: Vec<crate::model::Waybill> = self.get_json("/waybills?valid_at=now").await?;
        // Newest first: the first of a plate is the one that holds.
        for w in waybills.into_iter().rev() {
            state.waybills.insert(w.plate.clone(), w);
        }
        state.add_passes(self.get_json::<Vec<crate::model::PassRecord>>("/passes").await?);
        let incidents: Vec<crate::incident::Incident> = self.get_json("/incidents?state=open").await?;
        state.incidents = incidents.into_iter().map(|i| (i.id.clone(), i)).collect();
        let tasks: Vec<crate::emergency::Task> = self.get_json("/tasks?state=open").await?;
        state.tasks = tasks.into_iter().map(|t| (t.id, t)).collect();
        state.add_messages(
            self.get_json::<Vec<crate::emergency::Message>>(&format!("/messages?limit={}", crate::live::MESSAGES_KEPT))
                .await?,
        );
        Ok(state)
    }

    /// `GET /sensors/{id}/observations`: a sensor's readings over the last `seconds`.
    pub async fn recent_observations(
        &self,
        sensor: &str,
        seconds: i64,
    ) -> Result<Vec<crate::model::Observation>, ClientError> {
        self.get_json(&format!(
            "/sensors/{}/observations?from={}",
            encode(sensor),
            encode(&ago(seconds))
        ))
        .await
    }

    /// `GET /devices/{id}`: a device with its latest readings and what is derived from them.
    pub async fn device_report(&self, id: &str) -> Result<crate::readings::DeviceReport, ClientError> {
        self.get_json(&format!("/devices/{}", encode(id))).await
    }

    /// `GET /devices/{id}/series`: a device's quantity over the last `seconds` at `step`.
    pub async fn device_series(
        &self,
        id: &str,
        quantity: &str,
        seconds: i64,
        step: crate::readings::Step,
    ) -> Result<crate::readings::Series, ClientError> {
        self.get_json(&format!(
            "/devices/{}/series?quantity={}&from={}&step={}",
            encode(id),
            encode(quantity),
            encode(&ago(seconds)),
            step.as_str()
        ))
        .await
    }

    /// `GET /vehicles/{plate}/track`: a vehicle's fixes over the last `seconds`.
    pub async fn recent_track(
        &self,
        plate: &str,
        seconds: i64,
    ) -> Result<Vec<crate::model::VehiclePosition>, ClientError> {
        self.get_json(&format!(
            "/vehicles/{}/track?from={}",
            encode(plate),
            encode(&ago(seconds))
        ))
        .await
    }

    /// `GET /events?since=SEQ&channel=live`: the next page of the live log (drills play on
    /// channels of their own).
    pub async fn events_since(&self, since: i64) -> Result<crate::model::EventPage, ClientError> {
        self.get_json(&format!("/events?since={since}&channel=live")).await
    }

    /// `GET /events?since=SEQ&channel=CHANNEL`: the next page of one channel of the log (a
    /// drill's, `drill:<id>`).
    pub async fn channel_since(&self, since: i64, channel: &str) -> Result<crate::model::EventPage, ClientError> {
        self.get_json(&format!("/events?since={since}&channel={}", encode(channel)))
            .await
    }

    /// The state before the log's first event: every sensor known, none read yet (where a
    /// replay, or a drill's own state, starts).
    pub async fn state_before_the_log(&self) -> Result<crate::live::LiveState, ClientError> {
        Ok(crate::live::LiveState::before_the_log(self.get_json("/sensors").await?))
    }

    /// `GET /events/head?at=T`: the log's head as it was at `at` (RFC 3339), the last event
    /// recorded by then.
    pub async fn head_at(&self, at: &str) -> Result<i64, ClientError> {
        let head: crate::model::EventsHead = self.get_json(&format!("/events/head?at={}", encode(at))).await?;
        Ok(head.seq)
    }

    /// The live state as it was at `at` (RFC 3339), replayed: the log's live events up to its
    /// head at that time, folded from the start by the one reducer the live clients use, so
    /// the state is the one a client watching the park had then. `progress` is told the
    /// events folded and how many there are.
    pub async fn state_at(&self, at: &str, progress: &dyn Fn(i64, i64)) -> Result<crate::live::LiveState, ClientError> {
        let end = self.head_at(at).await?;
        let mut state = self.state_before_the_log().await?;
        let mut since = 0;
        while since < end {
            let page = self.events_since(since).await?;
            for e in page.events.iter().filter(|e| e.seq <= end) {
                state.apply(e);
            }
            if page.next <= since {
                break;
            }
            since = page.next;
            progress(since.min(end), end);
        }
        Ok(state)
    }

    /// When the recording of the live channel begins: the first live event's recording time
    /// (RFC 3339), or `None` while the log holds none (a timeline's left end).
    pub async fn recording_start(&self) -> Result<Option<String>, ClientError> {
        let page: crate::model::EventPage = self.get_json("/events?since=0&channel=live&limit=1").await?;
        Ok(page.events.into_iter().next().map(|e| e.recorded))
    }

    /// The next alarm raised or incident started on the live channel after `seq`, if any (a
    /// timeline's "next" button).
    pub async fn next_mark(&self, after: i64) -> Result<Option<crate::model::Event>, ClientError> {
        let page: crate::model::EventPage = self
            .get_json(&format!(
                "/events?since={after}&channel=live&kind={},{}&limit=1",
                crate::kinds::EventKind::AlarmRaised,
                crate::kinds::EventKind::IncidentStarted
            ))
            .await?;
        Ok(page.events.into_iter().next())
    }

    /// `GET /hazards`: the graded major hazard sources.
    pub async fn hazards(&self) -> Result<Vec<HazardSource>, ClientError> {
        self.get_json("/hazards").await
    }
}

/// A stored time `seconds` before now.
fn ago(seconds: i64) -> String {
    crate::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::seconds(seconds))
}

/// Percent-encodes a path segment or query value (plates carry Chinese characters and `·`).
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The innermost cause of an error, which is what a person needs ("Connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Runs one of the client's futures to its end on this thread (native tools, tests, and each
/// of the app's background threads), on a single-threaded tokio runtime of its own.
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded tokio runtime starts")
        .block_on(fut)
}
