//! Fetching descriptor layers in the background: those of the server's catalog and those of
//! a local folder (`--layers DIR`), each source fetched again at its `refresh_s`; on the
//! desktop, the folder is watched and an edited, added or deleted file takes effect within a
//! second, without a restart. The server's device layers follow the moment the map shows
//! (`&at=` on their endpoint, sent through [`DescribedMoment`]), fetched again within a second
//! of a new moment. A descriptor that fails is reported (file, line, field, reason);
//! the layer it replaced stays drawn.
//!
//! The folder is polled for modification times once a second instead of using an OS file
//! watcher: a folder of a few descriptors costs nothing to poll, it works the same on every
//! platform and network share, and it needs no extra crate.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bevy::platform::time::Instant;

use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender, unbounded};
use parktwin_api::client::ApiClient;
use parktwin_api::descriptor::{
    Descriptor, DescriptorError, ModelSource, SourceKind, features_from_text, is_descriptor_file, load_features,
    load_file,
};
use parktwin_layers::described::{DescribedLayer, DescribedLayers};

/// What the task reports.
#[derive(Debug)]
pub enum DescribedEvent {
    /// A layer, new or changed.
    Put(Box<DescribedLayer>),
    /// A layer whose file is gone.
    Remove(String),
    /// Every problem now (replaces the last list).
    Problems(Vec<DescriptorError>),
    /// The first load is over.
    Settled,
}

/// The channel from the task.
#[derive(Resource)]
pub struct DescribedChannel(pub Receiver<DescribedEvent>);

/// Where the device layers are read as of: the moment shown, sent to the task when it moves
/// (`None`: the present).
#[derive(Resource)]
pub struct DescribedMoment {
    tx: Sender<Option<String>>,
    /// The moment sent last.
    pub sent: Option<String>,
}

impl DescribedMoment {
    /// Sends a new moment, if it is one.
    pub fn set(&mut self, moment: Option<String>) {
        if moment != self.sent {
            let _ = self.tx.send(moment.clone());
            self.sent = moment;
        }
    }

    /// Has the device layers fetched again as of the same moment (a drill's readings written
    /// over them are gone).
    pub fn refetch(&self) {
        let _ = self.tx.send(self.sent.clone());
    }
}

/// The path to fetch a source from as of a moment: a device layer's endpoint with `&at=`.
fn as_of(d: &Descriptor, path: &str, moment: Option<&str>) -> String {
    match moment {
        Some(t) if !d.source.device_kinds().is_empty() => format!("{path}&at={t}"),
        _ => path.to_string(),
    }
}

/// Fetches a descriptor's features; `dir` is the descriptor's folder (for file sources), and
/// a device layer is read as of `moment`.
pub async fn fetch_features(
    client: &ApiClient,
    origin: &str,
    d: &Descriptor,
    dir: Option<&Path>,
    moment: Option<&str>,
) -> Result<geojson::FeatureCollection, Vec<DescriptorError>> {
    let problem = |reason: String| {
        vec![DescriptorError {
            file: origin.to_string(),
            line: None,
            field: Some("source".into()),
            reason,
        }]
    };
    match d.source.kind() {
        Some(SourceKind::File(f)) => match dir {
            Some(dir) => load_features(origin, d, &dir.join(f)),
            None => Err(problem(format!("file source {f} has no folder to be read from"))),
        },
        Some(SourceKind::Url(u)) | Some(SourceKind::Endpoint(u)) => {
            let u = &as_of(d, u, moment);
            let text = client.get_text(u).await.map_err(|e| problem(e.to_string()))?;
            features_from_text(origin, d, u, &text)
        }
        None => Err(problem("no source".into())),
    }
}

/// Fetches the bytes of the glTF model a descriptor's style places, if it names one: a file
/// beside the descriptor (`dir`), or a server path or URL.
pub async fn fetch_model(
    client: &ApiClient,
    origin: &str,
    d: &Descriptor,
    dir: Option<&Path>,
) -> Result<Option<std::sync::Arc<[u8]>>, Vec<DescriptorError>> {
    // The browser has no glTF loader (layers/Cargo.toml): nothing to fetch it for.
    if cfg!(target_arch = "wasm32") {
        return Ok(None);
    }
    let Some(m) = &d.style.model else { return Ok(None) };
    let problem = |reason: String| {
        vec![DescriptorError {
            file: origin.to_string(),
            line: None,
            field: Some("style.model.file".into()),
            reason,
        }]
    };
    let bytes = match m.source() {
        ModelSource::File(f) => match dir {
            Some(dir) => {
                let path = dir.join(f);
                std::fs::read(&path).map_err(|e| problem(format!("cannot read {}: {e}", path.display())))?
            }
            None => return Err(problem(format!("the model file {f} has no folder to be read from"))),
        },
        ModelSource::Fetched(u) => client.get_bytes(u).await.map_err(|e| problem(e.to_string()))?,
    };
    Ok(Some(bytes.into()))
}

struct Watched {
    descriptor: Descriptor,
    /// The descriptor file and its data file's modification times when last read.
    stamp: (Option<SystemTime>, Option<SystemTime>),
    next_fetch: Option<Instant>,
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn data_file(path: &Path, d: &Descriptor) -> Option<PathBuf> {
    match d.source.kind() {
        Some(SourceKind::File(f)) => Some(path.parent().unwrap_or(Path::new(".")).join(f)),
        _ => None,
    }
}

/// Starts the task, its device layers read as of `moment` (`None`: the present) until the
/// receiver says otherwise. With `watch`, it keeps watching the folder and refreshing the
/// sources; without (a rendered frame), it loads everything once and ends. (The browser has no
/// folder.)
pub fn spawn_described(
    api: &ApiClient,
    dir: Option<PathBuf>,
    watch: bool,
    moment: Option<String>,
    moments: Receiver<Option<String>>,
) -> Receiver<DescribedEvent> {
    let (tx, rx) = unbounded();
    let client = api.clone();
    crate::net::spawn("described-layers", move || {
        run(client, dir, watch, (moment, moments), tx)
    });
    rx
}

async fn run(
    client: ApiClient,
    dir: Option<PathBuf>,
    watch: bool,
    (mut moment, moments): (Option<String>, Receiver<Option<String>>),
    tx: Sender<DescribedEvent>,
) {
    let mut problems: BTreeMap<String, Vec<DescriptorError>> = BTreeMap::new();
    let mut sent_problems: Option<Vec<DescriptorError>> = None;
    // Local descriptors by file; the server's by id.
    let mut local: HashMap<PathBuf, Watched> = HashMap::new();
    // Files that failed to load, by the stamp they failed at: read again only once changed.
    let mut failed: HashMap<PathBuf, (Option<SystemTime>, Option<SystemTime>)> = HashMap::new();
    let mut server: Option<Vec<(Descriptor, Option<Instant>)>> = None;
    let mut settled = false;
    let send = |ev: DescribedEvent| tx.send(ev).is_ok();
    loop {
        let now = Instant::now();
        // A new moment shown (or the same one asked again): the device layers are due at once.
        if let Some(m) = moments.try_iter().last() {
            moment = m;
            for (d, next) in server.iter_mut().flatten() {
                if !d.source.device_kinds().is_empty() {
                    *next = Some(now);
                }
            }
            for w in local.values_mut() {
                if !w.descriptor.source.device_kinds().is_empty() {
                    w.next_fetch = Some(now);
                }
            }
        }
        // The server's catalog, once it answers.
        if server.is_none() {
            match client.layers().await {
                Ok(catalog) => {
                    let mut list = Vec::new();
                    for info in catalog {
                        let Some(d) = info.descriptor else { continue };
                        list.push((d, Some(now)));
                    }
                    if let Ok(p) = client.get_json::<Vec<DescriptorError>>("/layer-problems").await {
                        problems.insert("server".into(), p);
                    }
                    server = Some(list);
                }
                Err(e) => debug!("descriptor layers: {e}"),
            }
        }
        if let Some(list) = &mut server {
            for (d, next) in list.iter_mut() {
                if next.is_none_or(|t| t > now) {
                    continue;
                }
                let origin = format!("{} (server catalog)", client.url("/layers"));
                let key = format!("server:{}", d.id);
                let fetched = match fetch_features(&client, &origin, d, None, moment.as_deref()).await {
                    Ok(features) => fetch_model(&client, &origin, d, None)
                        .await
                        .map(|model| (features, model)),
                    Err(e) => Err(e),
                };
                match fetched {
                    Ok((features, model)) => {
                        problems.remove(&key);
                        if !send(DescribedEvent::Put(Box::new(DescribedLayer {
                            descriptor: d.clone(),
                            origin,
                            features,
                            model,
                        }))) {
                            return;
                        }
                    }
                    Err(errs) => {
                        problems.insert(key, errs);
                    }
                }
                *next = d.source.refresh_s.map(|s| now + Duration::from_secs_f64(s));
            }
        }
        // The local folder: new, edited and deleted files, and refreshes that are due.
        if let Some(dir) = &dir {
            let files: Vec<PathBuf> = match std::fs::read_dir(dir) {
                Ok(entries) => {
                    problems.remove(&dir.display().to_string());
                    let mut v: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file() && is_descriptor_file(p))
                        .collect();
                    v.sort();
                    v
                }
                Err(e) => {
                    problems.insert(
                        dir.display().to_string(),
                        vec![DescriptorError {
                            file: dir.display().to_string(),
                            line: None,
                            field: None,
                            reason: format!("cannot read the layers folder: {e}"),
                        }],
                    );
                    Vec::new()
                }
            };
            failed.retain(|p, _| files.contains(p));
            let gone: Vec<PathBuf> = local.keys().filter(|p| !files.contains(p)).cloned().collect();
            for p in gone {
                if let Some(w) = local.remove(&p) {
                    info!("layer file {} removed", p.display());
                    if !send(DescribedEvent::Remove(w.descriptor.id)) {
                        return;
                    }
                }
                problems.remove(&p.display().to_string());
            }
            for path in files {
                let name = path.display().to_string();
                let old = local.get(&path);
                let data_stamp = old
                    .and_then(|w| data_file(&path, &w.descriptor))
                    .and_then(|p| modified(&p));
                let stamp = (modified(&path), data_stamp);
                let edited = match old {
                    Some(w) => w.stamp != stamp,
                    None => failed.get(&path) != Some(&stamp),
                };
                let due = old.and_then(|w| w.next_fetch).is_some_and(|t| t <= now);
                if !edited && !due {
                    continue;
                }
                let loaded = match load_file(&path) {
                    Ok(l) => match l.features {
                        Some(f) => Ok((l.descriptor, f)),
                        None => fetch_features(&client, &name, &l.descriptor, path.parent(), moment.as_deref())
                            .await
                            .map(|f| (l.descriptor, f)),
                    },
                    Err(e) => Err(e),
                };
                let loaded = match loaded {
                    Ok((d, f)) => fetch_model(&client, &name, &d, path.parent()).await.map(|m| (d, f, m)),
                    Err(e) => Err(e),
                };
                match loaded {
                    Ok((d, features, model)) => {
                        // Another file (or the server) may have the id already.
                        let taken = local.iter().find(|(p, w)| **p != path && w.descriptor.id == d.id);
                        if let Some((other, _)) = taken {
                            problems.insert(
                                name.clone(),
                                vec![DescriptorError {
                                    file: name.clone(),
                                    line: None,
                                    field: Some("id".into()),
                                    reason: format!("the id \"{}\" is taken by {}", d.id, other.display()),
                                }],
                            );
                            continue;
                        }
                        problems.remove(&name);
                        failed.remove(&path);
                        if let Some(w) = old
                            && w.descriptor.id != d.id
                            && !send(DescribedEvent::Remove(w.descriptor.id.clone()))
                        {
                            return;
                        }
                        let stamp = (modified(&path), data_file(&path, &d).and_then(|p| modified(&p)));
                        let next_fetch = d.source.refresh_s.map(|s| now + Duration::from_secs_f64(s));
                        if !send(DescribedEvent::Put(Box::new(DescribedLayer {
                            descriptor: d.clone(),
                            origin: name.clone(),
                            features,
                            model,
                        }))) {
                            return;
                        }
                        local.insert(
                            path,
                            Watched {
                                descriptor: d,
                                stamp,
                                next_fetch,
                            },
                        );
                    }
                    Err(errs) => {
                        for e in &errs {
                            warn!("layer descriptor: {e}");
                        }
                        problems.insert(name, errs);
                        // Keep the last good version drawn; try again when the file changes.
                        if !local.contains_key(&path) {
                            failed.insert(path.clone(), stamp);
                        }
                        if let Some(w) = local.get_mut(&path) {
                            w.stamp = stamp;
                            w.next_fetch = w.descriptor.source.refresh_s.map(|s| now + Duration::from_secs_f64(s));
                        }
                    }
                }
            }
        }
        let all: Vec<DescriptorError> = problems.values().flatten().cloned().collect();
        if sent_problems.as_ref() != Some(&all) {
            if !send(DescribedEvent::Problems(all.clone())) {
                return;
            }
            sent_problems = Some(all);
        }
        if !settled && server.is_some() {
            settled = true;
            if !send(DescribedEvent::Settled) {
                return;
            }
            if !watch {
                return;
            }
        }
        crate::net::sleep(Duration::from_secs(1)).await;
    }
}

/// Drains the task's channel into [`DescribedLayers`].
pub fn poll_described(channel: Option<Res<DescribedChannel>>, mut layers: ResMut<DescribedLayers>) {
    let Some(channel) = channel else { return };
    while let Ok(ev) = channel.0.try_recv() {
        match ev {
            DescribedEvent::Put(l) => layers.put(*l),
            DescribedEvent::Remove(id) => layers.remove(&id),
            DescribedEvent::Problems(p) => layers.problems = p,
            DescribedEvent::Settled => layers.settled = true,
        }
    }
}

/// Descriptor layers from the server's catalog and a local folder (`--layers DIR`), watched
/// for changes while the map runs.
pub struct DescribedPlugin {
    /// The server, and the token its reads carry.
    pub api: ApiClient,
    /// The local folder of descriptors, if any.
    pub dir: Option<PathBuf>,
    /// Whether to watch the folder (a render reads it once).
    pub watch: bool,
    /// The moment the map starts at (a rendered past moment), `None` for the present.
    pub at: Option<String>,
}

impl Plugin for DescribedPlugin {
    fn build(&self, app: &mut App) {
        let (tx, moments) = unbounded();
        app.insert_resource(DescribedChannel(spawn_described(
            &self.api,
            self.dir.clone(),
            self.watch,
            self.at.clone(),
            moments,
        )))
        .insert_resource(DescribedMoment {
            tx,
            sent: self.at.clone(),
        })
        .add_systems(Update, poll_described);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_layer_is_fetched_as_of_the_moment_and_any_other_as_it_is() {
        let d = |endpoint: &str| {
            parktwin_api::descriptor::parse_toml(
                "d.toml",
                &format!("id = \"d\"\ntitle = \"D\"\ngroup = \"energy\"\n[source]\nendpoint = \"{endpoint}\"\n"),
            )
            .expect("a descriptor")
        };
        let devices = d("/api/v1/devices/geojson?kind=substation_load");
        let t = Some("2026-12-07T10:00:00.000Z");
        assert_eq!(
            as_of(&devices, "/api/v1/devices/geojson?kind=substation_load", t),
            "/api/v1/devices/geojson?kind=substation_load&at=2026-12-07T10:00:00.000Z"
        );
        assert_eq!(
            as_of(&devices, "/api/v1/devices/geojson?kind=substation_load", None),
            "/api/v1/devices/geojson?kind=substation_load"
        );
        let other = d("/api/v1/layers/isolation_valves");
        assert_eq!(
            as_of(&other, "/api/v1/layers/isolation_valves", t),
            "/api/v1/layers/isolation_valves"
        );
    }
}
