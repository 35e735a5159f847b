//! Loading the park from the server in the background, retrying until it answers.

use std::time::Duration;

use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::client::{ApiClient, ClientError};
use parktwin_scene::ParkData;

/// Seconds between attempts while the server cannot be reached.
pub const RETRY_SECS: u64 = 2;

/// What the loader reports.
#[derive(Debug)]
pub enum LoadEvent {
    /// A step of the load is under way.
    Progress {
        /// What is being fetched.
        step: String,
        /// Steps done.
        done: usize,
        /// Steps in all (known once the catalog is in).
        total: usize,
    },
    /// An attempt failed; another follows after `retry_in`.
    Failed {
        /// Why, naming the URL tried.
        error: String,
        /// Whether the server asked for a sign-in (401): the next attempt carries the session
        /// a person opens meanwhile.
        sign_in: bool,
        /// Attempts so far.
        attempt: u32,
        /// Wait before the next.
        retry_in: Duration,
    },
    /// The park is loaded.
    Loaded(Box<ParkData>),
}

/// Where the load stands, for the UI.
#[derive(Resource, Debug, Clone, PartialEq)]
pub enum LoadStatus {
    /// Talking to the server.
    Loading {
        /// The server's base URL.
        server: String,
        /// What is being fetched.
        step: String,
        /// Steps done.
        done: usize,
        /// Steps in all (0 until the catalog is in).
        total: usize,
    },
    /// The server lets only its people read the park (`--private-reads`): someone must sign
    /// in; the loader tries again every few seconds and carries the session once there is one.
    SignInNeeded {
        /// The server's base URL.
        server: String,
        /// What the server said.
        error: String,
    },
    /// The last attempt failed; retrying.
    Retrying {
        /// The server's base URL.
        server: String,
        /// The error, naming the URL tried.
        error: String,
        /// Attempts so far.
        attempt: u32,
    },
    /// Loaded.
    Ready,
}

impl LoadStatus {
    /// One line for the status bar or the loading screen.
    pub fn describe(&self) -> String {
        match self {
            LoadStatus::Loading {
                server,
                step,
                done,
                total,
            } if *total > 0 => {
                format!("Loading the park from {server}: {step} ({done}/{total})")
            }
            LoadStatus::Loading { server, .. } => format!("Connecting to {server}…"),
            LoadStatus::Retrying { error, attempt, .. } => {
                format!("{error}. Retrying every {RETRY_SECS} s (attempt {attempt}).")
            }
            LoadStatus::SignInNeeded { server, .. } => format!("{server} asks for a sign-in"),
            LoadStatus::Ready => "Park loaded".into(),
        }
    }
}

/// The channel from the loader.
#[derive(Resource)]
pub struct LoaderChannel(pub Receiver<LoadEvent>);

/// Fetches everything the map needs, reporting each step.
pub async fn load_park(client: &ApiClient, progress: &dyn Fn(String, usize, usize)) -> Result<ParkData, ClientError> {
    progress("park".into(), 0, 0);
    let park = client.park().await?;
    // Descriptor layers are fetched (and refreshed) by the described-layers thread.
    let catalog: Vec<_> = client
        .layers()
        .await?
        .into_iter()
        .filter(|l| l.descriptor.is_none())
        .collect();
    let total = catalog.len() + 1;
    let mut layers = Vec::with_capacity(catalog.len());
    for (i, info) in catalog.into_iter().enumerate() {
        progress(format!("layer {}", info.title), i, total);
        let fc = client.layer(&info.id).await?;
        layers.push((info, fc));
    }
    progress("hazard sources".into(), total - 1, total);
    let hazards = client.hazards().await?;
    Ok(ParkData { park, layers, hazards })
}

/// Starts the loader on `api`'s server; it retries every [`RETRY_SECS`] until the park loads
/// (its reads carry the token `api` shares with the app, which a sign-in sets).
pub fn spawn_loader(api: &ApiClient) -> Receiver<LoadEvent> {
    let (tx, rx) = unbounded();
    let client = api.clone();
    crate::net::spawn("park-loader", move || run(client, tx));
    rx
}

async fn run(client: ApiClient, tx: Sender<LoadEvent>) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let report = |step: String, done: usize, total: usize| {
            let _ = tx.send(LoadEvent::Progress { step, done, total });
        };
        match load_park(&client, &report).await {
            Ok(data) => {
                let _ = tx.send(LoadEvent::Loaded(Box::new(data)));
                return;
            }
            Err(e) => {
                warn!("{e}");
                let retry_in = Duration::from_secs(RETRY_SECS);
                if tx
                    .send(LoadEvent::Failed {
                        sign_in: ApiClient::needs_sign_in(&e),
                        error: e.to_string(),
                        attempt,
                        retry_in,
                    })
                    .is_err()
                {
                    return; // the app is gone
                }
                crate::net::sleep(retry_in).await;
            }
        }
    }
}

/// Drains the loader's channel into [`LoadStatus`] and, when loaded, the [`ParkData`] resource.
pub fn poll_loader(
    mut commands: Commands,
    channel: Option<Res<LoaderChannel>>,
    mut status: ResMut<LoadStatus>,
    server: Res<crate::net::ServerUrl>,
) {
    let Some(channel) = channel else { return };
    while let Ok(ev) = channel.0.try_recv() {
        match ev {
            LoadEvent::Progress { step, done, total } => {
                *status = LoadStatus::Loading {
                    server: server.0.clone(),
                    step,
                    done,
                    total,
                };
            }
            LoadEvent::Failed {
                error, sign_in: true, ..
            } => {
                *status = LoadStatus::SignInNeeded {
                    server: server.0.clone(),
                    error,
                };
            }
            LoadEvent::Failed { error, attempt, .. } => {
                *status = LoadStatus::Retrying {
                    server: server.0.clone(),
                    error,
                    attempt,
                };
            }
            LoadEvent::Loaded(data) => {
                *status = LoadStatus::Ready;
                commands.insert_resource(*data);
                commands.remove_resource::<LoaderChannel>();
            }
        }
    }
}

/// Loads the park from the server, retrying until it answers, with the progress on screen.
pub struct LoaderPlugin {
    /// The server, and the token its reads carry.
    pub api: ApiClient,
}

impl Plugin for LoaderPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(LoadStatus::Loading {
            server: self.api.base().to_string(),
            step: String::new(),
            done: 0,
            total: 0,
        })
        .insert_resource(LoaderChannel(spawn_loader(&self.api)))
        .add_systems(Update, poll_loader);
    }
}
