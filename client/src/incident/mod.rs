//! Incidents on the operator's map: the form that starts one from a click ([`form`], its
//! window [`window`], what a tank on the map releases [`tank`], and a pipe that breaks [`pipe`]) and the card of the incident on show ([`card`]: zones, who is inside,
//! the threat at a place, exports).
//!
//! Other plugins open the form with an [`OpenIncidentForm`] message; the panel draws the card
//! with [`IncidentCard::section`].

pub mod card;
pub mod form;
pub mod pipe;
pub mod response;
pub mod tank;
pub mod window;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiPrimaryContextPass, egui};
use parktwin_layers::incident::{IncidentView, IncidentZones, ShownIncident};
use parktwin_layers::live::Live;
use parktwin_scene::ParkData;

use crate::i18n::Lang;
use crate::net::{ActionStatus, ServerUrl};
use crate::theme::UiSet;

pub use form::IncidentForm;
pub use window::FormState;

/// Opens the incident form, prefilled (with the nearest station's weather added).
#[derive(Message, Debug, Clone)]
pub struct OpenIncidentForm(pub Box<IncidentForm>);

/// The incident form and card.
pub struct IncidentPlugin;

impl Plugin for IncidentPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<OpenIncidentForm>()
            .init_resource::<FormState>()
            .init_resource::<card::Resources>()
            .add_systems(Update, (open_forms, draw_routes))
            .add_systems(EguiPrimaryContextPass, window::incident_form.in_set(UiSet::Overlays));
    }
}

/// Opens the form asked for, with the nearest station's latest report.
fn open_forms(
    mut asked: MessageReader<OpenIncidentForm>,
    mut state: ResMut<FormState>,
    live: Res<Live>,
    data: Option<Res<ParkData>>,
) {
    if let Some(OpenIncidentForm(form)) = asked.read().last() {
        state.open((**form).clone(), &live, data.as_deref());
    }
}

/// What the card of the incident on show reads, and what its buttons do.
#[derive(SystemParam)]
pub struct IncidentCard<'w, 's> {
    shown: Res<'w, ShownIncident>,
    view: Res<'w, IncidentView>,
    zones: Res<'w, IncidentZones>,
    server: Res<'w, ServerUrl>,
    action: Res<'w, ActionStatus>,
    chart: Local<'s, Option<(String, f64, f64)>>,
    resources: ResMut<'w, card::Resources>,
    response: Local<'s, response::Response>,
    live: Res<'w, Live>,
    time: Res<'w, Time>,
    commands: Commands<'w, 's>,
}

impl IncidentCard<'_, '_> {
    /// The card of the incident on show, and its legend over the map; `clicked` is where a new
    /// click on the map landed (the threat there is charted), `token` the operator's.
    pub fn section(&mut self, ui: &mut egui::Ui, clicked: Option<[f64; 2]>, token: Option<&str>, lang: Lang) {
        let Some(id) = self.shown.0.clone() else { return };
        let Some(state) = self.view.incidents.get(&id) else {
            return;
        };
        if let Some([lon, lat]) = clicked {
            *self.chart = Some((format!("{lat:.5} N, {lon:.5} E"), lon, lat));
        }
        card::map_legend(ui.ctx(), state, lang);
        let act = card::incident_card(ui, state, self.zones.0.get(&id), token.is_some(), &mut self.chart, lang);
        // A drill's release is the drill's, not the server's: it has no routes there.
        let drill = state.incident.created_by.starts_with("drill ");
        if !drill {
            let tasks = response::tasks_key(&self.live.0, &id);
            self.resources
                .section(ui, &id, tasks, &self.server, self.time.elapsed_secs_f64(), lang);
        }
        ui.separator();
        self.response
            .section(ui, &id, drill, &self.live.0, &self.server, token, &self.action, lang);
        if let Some(path) = act.screenshot {
            use bevy::render::view::screenshot::{Screenshot, save_to_disk};
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            self.commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path.clone()));
            self.action.say(Some(format!("saved {}", path.display())));
        }
        if let Some(m) = act.message {
            self.action.say(Some(m));
        }
        if let (Some(id), Some(token)) = (act.close, token) {
            let (server, token, status) = (self.server.0.clone(), token.to_string(), self.action.clone());
            crate::net::spawn("close-incident", move || async move {
                let outcome = parktwin_api::client::ApiClient::new(&server)
                    .close_incident(&id, &token)
                    .await
                    .err()
                    .map(|e| format!("closing {id}: {e}"));
                status.say(outcome);
            });
        }
        ui.separator();
    }
}

/// Draws the routes the incident card lists, over everything, each in its resource's colour
/// (a task's status, or a free resource's); not over the field's read-out values.
fn draw_routes(
    resources: Res<card::Resources>,
    shown: Res<ShownIncident>,
    data: Option<Res<ParkData>>,
    readout: Option<Res<parktwin_layers::incident::FieldReadout>>,
    mut on_top: Gizmos<crate::pick::OnTopGizmos>,
) {
    let (Some(id), Some(data)) = (shown.0.as_deref(), data) else {
        return;
    };
    if readout.is_some_and(|r| r.0) {
        return;
    }
    let frame = data.park.frame();
    for r in resources.routes_of(id) {
        let c = crate::theme::route(&r.status);
        let colour = Color::srgb_u8(c.r(), c.g(), c.b());
        let points = r.route["coordinates"].as_array().into_iter().flatten().filter_map(|p| {
            let (lon, lat) = (p[0].as_f64()?, p[1].as_f64()?);
            Some(parktwin_scene::mesh::scene_point(frame.to_map(lon, lat), 3.0))
        });
        on_top.linestrip(points, colour);
    }
}
