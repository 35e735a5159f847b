//! The basemap under the park, as its server names it (`GET /api/v1/tiles`): the tiles the server
//! serves (`parktwin-server --tiles`) or an online source's (`--basemap-url`, fetched from there,
//! without the server's token), as a layer of the tree ("Basemap", with its opacity and on/off),
//! its credit shown beside the map's own.
//!
//! The tiles wanted are those around the point the camera looks at, at the zoom level whose
//! pixels match the screen's there ([`parktwin_scene::basemap`]); a few fetches run at once
//! (threads natively, tasks on the page's event loop in the browser), each tile decoded off the
//! frame loop and drawn as a textured grid on the ground. While the basemap is shown it takes
//! the place of the map's own ground ([`Ground`]). Tiles no longer wanted go once the ones
//! that replace them are in, so that the map never shows a hole while it moves.

use std::collections::HashMap;
use std::time::Duration;

use bevy::asset::RenderAssetUsages;
use bevy::image::{CompressedImageFormats, ImageSampler, ImageType};
use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};
use parktwin_api::model::{LayerGroup, LayerInfo};
use parktwin_api::tiles::{TileFormat, TileSetInfo};
use parktwin_layers::{LayerRegistry, LayersApplied, MapLayer};
use parktwin_scene::basemap::{TileId, tile_grid, tiles_around, zoom_for};
use parktwin_scene::camera::OrbitCamera;
use parktwin_scene::{Ground, LayerMember, ParkData};

use crate::net::{ServerUrl, spawn};

/// The basemap's layer id.
pub const BASEMAP_LAYER: &str = "basemap";

/// Fetches that run at once.
const FETCHERS: usize = 4;

/// The most tiles drawn at once: a screen of 1920 × 1080 at the zoom level matched to it
/// takes some 40; more are asked only at a lower zoom.
const MOST_TILES: usize = 96;

/// The grid cells along a tile's side (the tiles follow the park frame's curvature).
const CELLS: u32 = 4;

/// The basemap's state: its set, if the server has one, and whether what is wanted is drawn.
#[derive(Resource, Debug, Default)]
pub struct BasemapStatus {
    /// The server's tile set (`None` until it answers, or when it has none).
    pub set: Option<TileSetInfo>,
    /// The server has answered, and every tile wanted is drawn or has failed.
    pub settled: bool,
    /// Tiles that did not load (each logged once).
    pub failed: usize,
}

impl BasemapStatus {
    /// The credit to show beside the map while the basemap is drawn.
    pub fn credit(&self, registry: &LayerRegistry) -> Option<&str> {
        let set = self.set.as_ref()?;
        registry
            .is_visible(BASEMAP_LAYER)
            .then_some(set.attribution.as_str())
            .filter(|a| !a.is_empty())
    }
}

/// The map's credit line: the park data's and, while it is drawn, the basemap's, each once.
///
/// ```
/// use parktwin::basemap::credit_line;
/// assert_eq!(credit_line(Some("© OpenStreetMap contributors"), Some("© OpenStreetMap contributors")).as_deref(),
///            Some("© OpenStreetMap contributors"));
/// assert_eq!(credit_line(Some("Park survey"), Some("© Tianditu")).as_deref(), Some("Park survey · © Tianditu"));
/// assert_eq!(credit_line(None, None), None);
/// ```
pub fn credit_line(park: Option<&str>, basemap: Option<&str>) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in [park, basemap].into_iter().flatten().map(str::trim) {
        if !p.is_empty() && !parts.contains(&p) {
            parts.push(p);
        }
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

enum TileState {
    Asked,
    Drawn(Entity),
    Failed,
}

/// The fetchers' channels and what each tile has come to.
#[derive(Resource)]
struct Tiles {
    answer: Receiver<Option<TileSetInfo>>,
    ask: Sender<TileId>,
    asks: Receiver<TileId>,
    done: Sender<(TileId, Result<Image, String>)>,
    fetched: Receiver<(TileId, Result<Image, String>)>,
    state: HashMap<TileId, TileState>,
    wanted: Vec<TileId>,
    fetchers_started: bool,
}

/// Draws the server's offline basemap under the park.
pub struct BasemapPlugin;

impl Plugin for BasemapPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<BasemapStatus>()
            .add_systems(Update, ask_for_the_set.run_if(resource_added::<ParkData>))
            .add_systems(
                Update,
                (set_answered, want_tiles, draw_fetched, drop_unwanted)
                    .chain()
                    .run_if(resource_exists::<Tiles>),
            )
            .add_systems(Update, give_way_to_the_basemap.after(LayersApplied));
    }
}

/// Asks the server whether it has a tile set, once the park is in.
fn ask_for_the_set(mut commands: Commands, server: Res<ServerUrl>) {
    let (answer_tx, answer) = unbounded();
    let (ask, asks) = unbounded();
    let (done, fetched) = unbounded();
    let client = server.api();
    spawn("basemap", move || async move {
        let set = match client.get_json::<Option<TileSetInfo>>("/tiles").await {
            Ok(set) => set,
            Err(e) => {
                bevy::log::warn!("no basemap: {e}");
                None
            }
        };
        let _ = answer_tx.send(set);
    });
    commands.insert_resource(Tiles {
        answer,
        ask,
        asks,
        done,
        fetched,
        state: HashMap::new(),
        wanted: Vec::new(),
        fetchers_started: false,
    });
}

/// Takes the server's answer: a layer in the tree and the fetchers when it has a set.
fn set_answered(
    mut tiles: ResMut<Tiles>,
    mut status: ResMut<BasemapStatus>,
    mut registry: ResMut<LayerRegistry>,
    server: Res<ServerUrl>,
) {
    let Ok(answer) = tiles.answer.try_recv() else { return };
    let Some(set) = answer else {
        status.settled = true;
        return;
    };
    registry.insert(MapLayer::new(
        LayerInfo {
            id: BASEMAP_LAYER.into(),
            title: format!("Basemap: {}", set.name),
            title_zh: format!("底图：{}", set.name),
            group: LayerGroup::Base,
            default_visible: true,
            feature_count: 0,
            descriptor: None,
        },
        -100,
        Vec::new(),
    ));
    if !tiles.fetchers_started {
        tiles.fetchers_started = true;
        for k in 0..FETCHERS {
            let (asks, done, client) = (tiles.asks.clone(), tiles.done.clone(), server.api());
            let template = set.template.clone();
            let media = set.format.media_type();
            spawn(&format!("basemap tiles {k}"), move || async move {
                loop {
                    let tile = match asks.try_recv() {
                        Ok(tile) => tile,
                        Err(TryRecvError::Empty) => {
                            crate::net::sleep(Duration::from_millis(25)).await;
                            continue;
                        }
                        Err(TryRecvError::Disconnected) => return,
                    };
                    let image = match client.get_bytes(&tile.url(&template)).await {
                        Ok(bytes) => decode(&bytes, media),
                        Err(e) => Err(e.to_string()),
                    };
                    if done.send((tile, image)).is_err() {
                        return;
                    }
                }
            });
        }
    }
    status.set = Some(set);
}

/// A tile's image, decoded (off the frame loop natively): its format as its first bytes say
/// (an online source's may differ from tile to tile), the set's where they say nothing known.
fn decode(bytes: &[u8], set_media: &'static str) -> Result<Image, String> {
    let media = TileFormat::sniffed(bytes).map_or(set_media, TileFormat::media_type);
    Image::from_buffer(
        bytes,
        ImageType::MimeType(media),
        CompressedImageFormats::NONE,
        true,
        ImageSampler::linear(),
        RenderAssetUsages::RENDER_WORLD,
    )
    .map_err(|e| match media {
        // Bevy decodes PNG only in this build (a JPEG and a WebP decoder would grow the
        // browser's module).
        "image/png" => format!("{media}: {e}"),
        _ => format!("{media} tiles are not drawn by this build of the map, only PNG ({e})"),
    })
}

/// The tiles around the point looked at, at the zoom level that matches the screen there;
/// asks for those not yet asked.
fn want_tiles(
    mut tiles: ResMut<Tiles>,
    mut status: ResMut<BasemapStatus>,
    registry: Res<LayerRegistry>,
    data: Res<ParkData>,
    rig: Query<&OrbitCamera>,
    windows: Query<&Window>,
) {
    let Some(set) = status.set.clone() else { return };
    let (Ok(cam), Some(window)) = (rig.single(), windows.iter().next()) else {
        return;
    };
    if !registry.is_visible(BASEMAP_LAYER) {
        status.settled = true;
        return;
    }
    let frame = data.park.frame();
    let (lon, lat) = frame.to_wgs84(f64::from(cam.target.x), -f64::from(cam.target.z));
    let m_per_px = parktwin_scene::camera::metres_per_point(cam.distance, window.height());
    let mut z = zoom_for(m_per_px, lat, set.min_zoom, set.max_zoom);
    // Far enough round the point looked at to reach the horizon of a tilted view.
    let half = f64::from(cam.distance) * 2.0;
    let wanted = loop {
        if let Some(w) = tiles_around(lon, lat, half, z, MOST_TILES) {
            break w;
        }
        if z == set.min_zoom {
            break tiles_around(lon, lat, half, z, usize::MAX).unwrap_or_default();
        }
        z -= 1;
    };
    if wanted == tiles.wanted {
        return;
    }
    for t in &wanted {
        if !tiles.state.contains_key(t) {
            tiles.state.insert(*t, TileState::Asked);
            let _ = tiles.ask.send(*t);
        }
    }
    tiles.wanted = wanted;
    status.settled = false;
}

/// Draws each tile as it comes in.
#[allow(clippy::too_many_arguments)]
fn draw_fetched(
    mut commands: Commands,
    mut tiles: ResMut<Tiles>,
    mut status: ResMut<BasemapStatus>,
    registry: Res<LayerRegistry>,
    data: Res<ParkData>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let frame = data.park.frame();
    let opacity = registry.get(BASEMAP_LAYER).map_or(1.0, |l| l.opacity);
    while let Ok((tile, image)) = tiles.fetched.try_recv() {
        let state = match image {
            Ok(image) => {
                let grid = tile_grid(&frame, tile, CELLS, 0.0);
                let mesh = Mesh::new(
                    bevy::mesh::PrimitiveTopology::TriangleList,
                    RenderAssetUsages::RENDER_WORLD,
                )
                .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, grid.positions)
                .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, vec![[0.0f32, 1.0, 0.0]; grid.uvs.len()])
                .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, grid.uvs)
                .with_inserted_indices(bevy::mesh::Indices::U32(grid.indices));
                let material = StandardMaterial {
                    base_color: Color::WHITE.with_alpha(opacity),
                    base_color_texture: Some(images.add(image)),
                    unlit: true,
                    alpha_mode: if opacity < 1.0 {
                        AlphaMode::Blend
                    } else {
                        AlphaMode::Opaque
                    },
                    ..default()
                };
                let visibility = if registry.is_visible(BASEMAP_LAYER) {
                    Visibility::Inherited
                } else {
                    Visibility::Hidden
                };
                TileState::Drawn(
                    commands
                        .spawn((
                            Mesh3d(meshes.add(mesh)),
                            MeshMaterial3d(materials.add(material)),
                            LayerMember(BASEMAP_LAYER.into()),
                            visibility,
                            Name::new(format!("basemap tile {}/{}/{}", tile.z, tile.x, tile.y)),
                        ))
                        .id(),
                )
            }
            Err(e) => {
                bevy::log::warn!("basemap tile {}/{}/{}: {e}", tile.z, tile.x, tile.y);
                status.failed += 1;
                TileState::Failed
            }
        };
        tiles.state.insert(tile, state);
    }
    let pending = tiles
        .wanted
        .iter()
        .any(|t| matches!(tiles.state.get(t), Some(TileState::Asked) | None));
    status.settled = !pending;
}

/// Once every tile wanted is in, takes away those no longer wanted (and forgets failures, so
/// that a tile that failed is asked again when it is next wanted).
fn drop_unwanted(mut commands: Commands, mut tiles: ResMut<Tiles>, status: Res<BasemapStatus>) {
    if !status.settled {
        return;
    }
    let wanted: std::collections::HashSet<TileId> = tiles.wanted.iter().copied().collect();
    tiles.state.retain(|t, state| match state {
        TileState::Drawn(e) if !wanted.contains(t) => {
            commands.entity(*e).despawn();
            false
        }
        TileState::Failed => wanted.contains(t),
        _ => true,
    });
}

/// Hides the map's own ground while the basemap is drawn in its place (and gives the park's
/// surface back to its layer's visibility when it is not).
fn give_way_to_the_basemap(
    status: Res<BasemapStatus>,
    registry: Res<LayerRegistry>,
    mut ground: Query<(Option<&LayerMember>, &mut Visibility), With<Ground>>,
) {
    let basemap = status.set.is_some() && registry.is_visible(BASEMAP_LAYER);
    for (member, mut vis) in &mut ground {
        let shown = !basemap && member.is_none_or(|m| registry.is_visible(&m.0));
        let want = if shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *vis != want {
            *vis = want;
        }
    }
}
