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
