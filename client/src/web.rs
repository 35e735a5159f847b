//! The browser's side of the app (WASM only): where the page came from, and what the page can
//! read of the app. (Downloads are the exports' own: [`crate::export`].)

/// The page's origin (`http://host:port`): the API is served from the same place.
pub fn origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// Whether the page's address asks for the video wall (`?wall`, or `wall` among its parameters).
pub fn wants_wall() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "wall" || p.starts_with("wall="))
        })
}

/// The frames the app has run, and those with the park on screen.
#[derive(Default)]
pub struct Frames {
    run: u64,
    drawn: u32,
}

/// What the page can read of the app, as attributes of `<body>` (the loading screen and the
/// browser tests read them; the map and panel are painted, so there is no DOM to look into):
///
/// - `data-park`: `loading`, `sign-in` while the server asks for one before the park may be
///   read, then `drawn` once the park's meshes have been on screen for a couple of frames, and `data-park-ms`: when that happened, milliseconds since the page's
///   navigation began (the time to the first park frame);
/// - `data-layers`: the visible layers' ids, comma-separated;
/// - `data-toggles`: each layer's on/off box in the panel, `{"id": [x, y, w, h]}` in CSS pixels;
/// - `data-incidents`: how many incidents have their threat zones on the map;
/// - `data-frame`: how many frames the app has run (a test paces its input by it: egui takes a
///   press and a release within one frame as no click, and a software GPU's frame takes seconds);
/// - `data-gpu` and `data-gpu-adapter`: see [`publish_gpu`].
pub fn publish_state(
    data: Option<bevy::prelude::Res<parktwin_scene::ParkData>>,
    meshes: bevy::prelude::Query<(), bevy::prelude::With<bevy::prelude::Mesh3d>>,
    registry: bevy::prelude::Res<parktwin_layers::LayerRegistry>,
    // The wall has no panel, so no layer toggles.
    rects: Option<bevy::prelude::Res<crate::panel::LayerToggleRects>>,
    zones: bevy::prelude::Res<parktwin_layers::incident::IncidentZones>,
    status: bevy::prelude::Res<crate::loader::LoadStatus>,
    mut frames: bevy::prelude::Local<Frames>,
    mut last: bevy::prelude::Local<[String; 4]>,
) {
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else {
        return;
    };
    frames.run += 1;
    let _ = body.set_attribute("data-frame", &frames.run.to_string());
    if data.is_some() && !meshes.is_empty() {
        frames.drawn = frames.drawn.saturating_add(1);
    }
    let park = match (frames.drawn >= 3, &*status) {
        (true, _) => "drawn",
        (false, crate::loader::LoadStatus::SignInNeeded { .. }) => "sign-in",
        (false, _) => "loading",
    };
    let layers: Vec<&str> = registry
        .layers()
        .iter()
        .filter(|l| l.visible)
        .map(|l| l.info.id.as_str())
        .collect();
    let toggles: serde_json::Map<String, serde_json::Value> = rects
        .iter()
        .flat_map(|r| r.0.iter())
        .map(|(id, r)| (id.clone(), serde_json::json!([r.min.x, r.min.y, r.width(), r.height()])))
        .collect();
    let now = [
        park.to_string(),
        layers.join(","),
        serde_json::Value::Object(toggles).to_string(),
        zones.0.len().to_string(),
    ];
    for (i, (name, value)) in ["data-park", "data-layers", "data-toggles", "data-incidents"]
        .iter()
        .zip(&now)
        .enumerate()
    {
        if last[i] != *value {
            if i == 0 && value == "drawn" {
                let ms = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
                let _ = body.set_attribute("data-park-ms", &format!("{ms:.0}"));
            }
            let _ = body.set_attribute(name, value);
            last[i] = value.clone();
        }
    }
}

/// Says on `<body>` what the renderer draws with, once it knows: `data-gpu`, the graphics API as
/// wgpu names it (`webgpu`, or `gl` for WebGL2), and `data-gpu-adapter`, the adapter's name and
/// driver, for a support call.
pub fn publish_gpu(adapter: Option<bevy::prelude::Res<bevy::render::renderer::RenderAdapterInfo>>) {
    let Some(info) = adapter.filter(bevy::prelude::DetectChanges::is_added) else {
        return;
    };
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-gpu", info.backend.to_str());
        let _ = body.set_attribute("data-gpu-adapter", format!("{} {}", info.name, info.driver_info).trim());
    }
}
