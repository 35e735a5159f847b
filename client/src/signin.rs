//! Operator sign-in: a token typed into the panel is checked with the server's `/session`
//! before it is kept, and only an operator's (or an admin's) is; a token given on the command
//! line counts as signed in. The token then acknowledges alarms, starts and closes incidents
//! and sends the view to the wall.

use bevy::prelude::*;
use bevy_egui::egui;
use parktwin_api::model::Role;

use crate::i18n::{Lang, Msg, tr};
use crate::theme::{self, PANEL_WIDTH};

/// Sign-in on the operator's map: the box's state. (The token itself, [`crate::net::OperatorToken`],
/// is the app's: the one given at start counts as signed in.)
pub struct SignInPlugin;

impl Plugin for SignInPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<SignIn>();
    }
}

/// The sign-in box's state: the token being typed, and the check under way.
#[derive(Resource, Default)]
pub struct SignIn {
    typed: String,
    pending: Option<(
        String,
        crossbeam_channel::Receiver<Result<parktwin_api::model::Session, String>>,
    )>,
    who: Option<String>,
    error: Option<String>,
}

/// Sign in with an operator's token (checked by the server's `/session` before it is kept),
/// or sign out. A token given on the command line counts as signed in.
pub fn sign_in_box(ui: &mut egui::Ui, s: &mut SignIn, token: &mut Option<String>, server: &str, lang: Lang) {
    if let Some((typed, rx)) = &s.pending
        && let Ok(outcome) = rx.try_recv()
    {
        match outcome {
            Ok(session) if matches!(session.role, Role::Operator | Role::Admin) => {
                *token = Some(typed.clone());
                s.who = Some(session.name);
                s.typed.clear();
                s.error = None;
            }
            Ok(session) => {
                s.error = Some(format!(
                    "a token of the {} role cannot act as an operator",
                    format!("{:?}", session.role).to_lowercase()
                ));
            }
            Err(e) => s.error = Some(e),
        }
        s.pending = None;
    }
    if token.is_some() {
        ui.horizontal(|ui| {
            ui.label(tr(Msg::SignedIn, lang));
            ui.strong(s.who.as_deref().unwrap_or("operator"));
            if ui.small_button(tr(Msg::SignOut, lang)).clicked() {
                *token = None;
                s.who = None;
            }
        });
        return;
    }
    egui::CollapsingHeader::new(tr(Msg::OperatorSignIn, lang))
        .id_salt("sign-in")
        .show(ui, |ui| {
            ui.small(tr(Msg::SignInWhy, lang));
            ui.horizontal(|ui| {
                let field = ui.add(
                    egui::TextEdit::singleline(&mut s.typed)
                        .password(true)
                        .hint_text(tr(Msg::TokenHint, lang))
                        .desired_width(PANEL_WIDTH - 110.0),
                );
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let ready = !s.typed.trim().is_empty() && s.pending.is_none();
                let label = if s.pending.is_some() {
                    tr(Msg::Checking, lang)
                } else {
                    tr(Msg::SignIn, lang)
                };
                if (ui.add_enabled(ready, egui::Button::new(label)).clicked() || (enter && ready))
                    && s.pending.is_none()
                {
                    let (typed, server) = (s.typed.trim().to_string(), server.to_string());
                    let (tx, rx) = crossbeam_channel::bounded(1);
                    let t = typed.clone();
                    crate::net::spawn("sign-in", move || async move {
                        let api = parktwin_api::client::ApiClient::new(&server);
                        let _ = tx.send(api.session(&t).await.map_err(|e| e.to_string()));
                    });
                    s.pending = Some((typed, rx));
                    s.error = None;
                }
            });
            if let Some(e) = &s.error {
                ui.colored_label(theme::ERROR, e);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egui_screen::Screen;

    /// The sign-in box's state and the token it keeps.
    #[derive(Default)]
    struct Box {
        state: SignIn,
        token: Option<String>,
    }

    fn draw<'a>(b: &'a mut Box, server: &'a str) -> impl FnMut(&mut egui::Ui) + 'a {
        move |ui| sign_in_box(ui, &mut b.state, &mut b.token, server, Lang::En)
    }

    /// Types `token`, presses Sign in, and runs frames until the server has answered.
    fn sign_in(screen: &mut Screen, b: &mut Box, server: &str, token: &str) {
        b.state.typed.clear();
        screen.type_into("operator's token", token, &mut draw(b, server));
        screen.click("Sign in", &mut draw(b, server));
        for _ in 0..200 {
            screen.frame(vec![], &mut draw(b, server));
            if b.state.pending.is_none() {
                screen.frame(vec![], &mut draw(b, server));
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("the server did not answer the sign-in");
    }

    #[test]
    fn signing_in_checks_the_token_with_the_server_and_keeps_only_an_operators() {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
        let (url, mut b, mut screen) = (server.url.clone(), Box::default(), Screen::new());
        screen.frame(vec![], &mut draw(&mut b, &url));
        screen.click("Operator sign-in", &mut draw(&mut b, &url));
        for _ in 0..20 {
            // The header's opening animation.
            screen.frame(vec![], &mut draw(&mut b, &url));
        }
        assert!(screen.find("Sign in").is_disabled(), "nothing typed, nothing to send");

        sign_in(&mut screen, &mut b, &url, "pt_not-a-token");
        assert_eq!(b.token, None);
        assert!(screen.shows("unknown or revoked"), "the server's reason is shown");

        sign_in(&mut screen, &mut b, &url, &server.ingest);
        assert_eq!(b.token, None, "a feed's token is not an operator's");
        assert!(screen.shows("cannot act as an operator"));

        sign_in(&mut screen, &mut b, &url, &server.operator);
        assert_eq!(b.token.as_deref(), Some(server.operator.as_str()));
        assert!(screen.shows("Signed in:") && screen.shows("test operator"));

        screen.click("Sign out", &mut draw(&mut b, &url));
        assert_eq!(b.token, None);
        screen.frame(vec![], &mut draw(&mut b, &url));
        assert!(screen.shows("Operator sign-in"), "signed out, the box is back");
    }
}
