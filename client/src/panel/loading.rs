//! The loading screen over the map until the park is drawn: what is being loaded, how far;
//! while the server cannot be reached, what was tried and when it is tried again; and where
//! the server lets only its people read the park, the sign-in.

use bevy_egui::egui;

use crate::i18n::{Lang, Msg, tr};
use crate::loader::LoadStatus;
use crate::theme::PANEL_WIDTH;

/// Draws the loading screen for `status`: the sign-in form where the server asks one (then
/// answers what a sign-in that just ended well changed).
pub fn loading_screen(
    ctx: &egui::Context,
    status: &LoadStatus,
    sign_in: &mut crate::signin::SignIn,
    lang: Lang,
) -> Option<crate::signin::Signed> {
    let mut signed = None;
    egui::Area::new(egui::Id::new("loading"))
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(-PANEL_WIDTH / 2.0, 0.0))
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(420.0);
                match status {
                    LoadStatus::Retrying { server, error, attempt } => {
                        ui.heading(tr(Msg::CannotReach, lang));
                        ui.label(format!("{} {server}", tr(Msg::Tried, lang)));
                        ui.label(error);
                        ui.label(format!(
                            "{} {} {} ({} {attempt})…",
                            tr(Msg::RetryingEvery, lang),
                            crate::loader::RETRY_SECS,
                            tr(Msg::Seconds, lang),
                            tr(Msg::Attempt, lang)
                        ));
                    }
                    LoadStatus::Loading { done, total, .. } => {
                        ui.heading(tr(Msg::LoadingPark, lang));
                        ui.label(status.describe());
                        if *total > 0 {
                            ui.add(egui::ProgressBar::new(*done as f32 / *total as f32).show_percentage());
                        }
                    }
                    LoadStatus::SignInNeeded { server, .. } => {
                        signed = crate::signin::sign_in_to_read(ui, sign_in, server, lang);
                    }
                    LoadStatus::Ready => {}
                }
            });
        });
    signed
}
