//! "Send to wall": an operator sends what the map shows — the camera, the layers on, the
//! incident on show, the thing selected — to the command centre's walls (`PUT /api/v1/wall`),
//! asked for with a [`SendViewToWall`] message.

use bevy::prelude::*;
use parktwin_api::client::ApiClient;
use parktwin_api::frame::LocalFrame;
use parktwin_api::wall::{CameraBookmark, WallView};
use parktwin_layers::LayerRegistry;
use parktwin_layers::incident::ShownIncident;
use parktwin_scene::mesh::map_point;
use parktwin_scene::{OrbitCamera, ParkData, Selection};

use crate::i18n::{Lang, Msg, tr};
use crate::net::{ActionStatus, OperatorToken, ServerUrl};

/// Sends what the operator's map shows to the walls.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendViewToWall;

/// "Send to wall" on the operator's map.
pub struct SendToWallPlugin;

impl Plugin for SendToWallPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<SendViewToWall>().add_systems(Update, send_to_wall);
    }
}

/// Sends the view asked for, off the frame loop; the outcome is said under the alarms.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
fn send_to_wall(
    mut asked: MessageReader<SendViewToWall>,
    token: Res<OperatorToken>,
    data: Option<Res<ParkData>>,
    rig: Query<&OrbitCamera>,
    registry: Res<LayerRegistry>,
    shown: Res<ShownIncident>,
    selection: Res<Selection>,
    server: Res<ServerUrl>,
    action: Res<ActionStatus>,
    lang: Res<Lang>,
) {
    if asked.read().count() == 0 {
        return;
    }
    let (Some(token), Some(d), Ok(cam)) = (token.0.clone(), &data, rig.single()) else {
        return;
    };
    let lang = *lang;
    let camera = bookmark_of(&d.park.frame(), cam);
    let layers: Vec<String> = registry
        .layers()
        .iter()
        .filter(|l| l.visible)
        .map(|l| l.info.id.clone())
        .collect();
    let incident = shown.0.clone();
    let focus = selection.0.as_ref().map(|f| f.feature.clone());
    let (server, status) = (server.0.clone(), action.clone());
    action.say(Some(tr(Msg::SendingToWall, lang).to_string()));
    crate::net::spawn("send-to-wall", move || async move {
        let said = match send_view(&server, &token, camera, layers, incident, focus).await {
            Ok(v) => format!("{} {}", tr(Msg::SentToWall, lang), v.rev),
            Err(e) => format!("{}: {e}", tr(Msg::SendToWall, lang)),
        };
        status.say(Some(said));
    });
}

/// The bookmark of a camera, in WGS84 (what "send to wall" sends).
pub fn bookmark_of(frame: &LocalFrame, cam: &OrbitCamera) -> CameraBookmark {
    let [e, n] = map_point(cam.target);
    let (lon, lat) = frame.to_wgs84(e, n);
    CameraBookmark {
        lon: (lon * 1e7).round() / 1e7,
        lat: (lat * 1e7).round() / 1e7,
        distance_m: (cam.distance as f64).clamp(parktwin_api::wall::MIN_DISTANCE_M, parktwin_api::wall::MAX_DISTANCE_M),
        heading_deg: ((-(cam.yaw as f64).to_degrees()).rem_euclid(360.0) * 10.0).round() / 10.0,
        tilt_deg: (cam.pitch as f64)
            .to_degrees()
            .clamp(parktwin_api::wall::MIN_TILT_DEG, parktwin_api::wall::MAX_TILT_DEG),
    }
}

/// What "send to wall" sends: the operator's camera, the layers shown that the server knows,
/// the incident on show and the thing selected; the wall's tour, its timings and the drill on
/// show stay as they were (`current`).
pub fn view_to_send(
    camera: CameraBookmark,
    shown_layers: &[String],
    known_layers: &[String],
    incident: Option<String>,
    focus: Option<String>,
    current: Option<&parktwin_api::wall::WallRequest>,
) -> parktwin_api::wall::WallRequest {
    let keep = current.cloned().unwrap_or_default();
    let layers = shown_layers
        .iter()
        .filter(|id| known_layers.contains(id) || parktwin_api::wall::CLIENT_LAYERS.contains(&id.as_str()))
        .cloned()
        .collect();
    parktwin_api::wall::WallRequest {
        camera: Some(camera),
        focus,
        layers: Some(layers),
        incident,
        ..keep
    }
}

/// Sends the operator's view to the walls (reading the wall's view first, to keep its tour):
/// the new view, or why not in words.
pub async fn send_view(
    server: &str,
    token: &str,
    camera: CameraBookmark,
    shown_layers: Vec<String>,
    incident: Option<String>,
    focus: Option<String>,
) -> Result<WallView, String> {
    let api = ApiClient::new(server);
    let current = api.wall().await.map_err(|e| e.to_string())?;
    let known: Vec<String> = api
        .layers()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let view = view_to_send(camera, &shown_layers, &known, incident, focus, Some(&current.view));
    api.put_wall(&view, token).await.map_err(|e| e.to_string())
}
