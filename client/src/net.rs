//! Work off the frame loop, one way on both builds. Natively a task is a named thread that
//! runs its future on a single-threaded runtime of its own; in the browser, where there are no
//! threads and nothing may block, it is a task on the page's event loop. Either way it reports
//! through a channel that a system drains each frame.

use std::future::Future;
use std::time::Duration;

/// `Send` where tasks run on threads (native), nothing in the browser (one thread).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
/// `Send` where tasks run on threads (native), nothing in the browser (one thread).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// Starts `make()`'s future in the background; `name` names the thread natively.
pub fn spawn<F, Fut>(name: &str, make: F)
where
    F: FnOnce() -> Fut + MaybeSend + 'static,
    Fut: Future<Output = ()> + 'static,
{
    #[cfg(not(target_arch = "wasm32"))]
    if let Err(e) = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || parktwin_api::client::block_on(make()))
    {
        bevy::log::error!("cannot start the {name} thread: {e}");
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = name;
        wasm_bindgen_futures::spawn_local(make());
    }
}

/// Waits without blocking the thread (natively) or the page (in the browser).
pub async fn sleep(d: Duration) {
    #[cfg(not(target_arch = "wasm32"))]
    tokio::time::sleep(d).await;
    #[cfg(target_arch = "wasm32")]
    gloo_timers::future::sleep(d).await;
}

/// The server the client talks to, and the token its reads carry: the one it was started with
/// (`--token`), which a server running with `--private-reads` needs, and which, for an
/// enterprise's viewer, scopes what the map shows; or the session a person signs in with.
#[derive(bevy::prelude::Resource, Debug, Clone)]
pub struct ServerUrl(pub String, pub ReadingToken);

impl ServerUrl {
    /// The server at `url`, its reads carrying `token`.
    pub fn new(url: &str, token: Option<String>) -> Self {
        let reading = ReadingToken::default();
        reading.set(token);
        Self(url.to_string(), reading)
    }

    /// A client of the server whose reads carry the token: every client made here shares it,
    /// so that a sign-in reaches the loader, the feed and the wall at once.
    pub fn api(&self) -> parktwin_api::client::ApiClient {
        parktwin_api::client::ApiClient::new(&self.0).reading_from(self.1.0.clone())
    }
}

/// The token the app's reads carry, shared by every client [`ServerUrl::api`] makes: a
/// sign-in sets it for all of them. (In the browser the session's cookie carries every read
/// as well.)
#[derive(bevy::prelude::Resource, Debug, Clone, Default)]
pub struct ReadingToken(pub parktwin_api::client::ReadingCell);

impl ReadingToken {
    /// The token, if there is one.
    pub fn get(&self) -> Option<String> {
        self.0.read().ok().and_then(|t| t.clone())
    }

    /// Sets it (a sign-in) or clears it (a sign-out).
    pub fn set(&self, token: Option<String>) {
        if let Ok(mut t) = self.0.write() {
            *t = token;
        }
    }
}

/// The operator's token, if the client was given one or an operator signed in.
#[derive(bevy::prelude::Resource, Debug, Clone, Default)]
pub struct OperatorToken(pub Option<String>);

/// The outcome of the last operator action (acknowledge, close, send to the wall, an export),
/// for the panel; written from the background task that did it.
#[derive(bevy::prelude::Resource, Debug, Clone, Default)]
pub struct ActionStatus(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl ActionStatus {
    /// Says `message` (or nothing) under the alarms.
    pub fn say(&self, message: Option<String>) {
        if let Ok(mut s) = self.0.lock() {
            *s = message;
        }
    }

    /// What was last said.
    pub fn said(&self) -> Option<String> {
        self.0.lock().ok().and_then(|m| m.clone())
    }
}

/// What a background read brings back to the frame loop: nothing yet, the answer, or why not.
pub type Fetched<T> = std::sync::Arc<std::sync::Mutex<Option<Result<T, String>>>>;
