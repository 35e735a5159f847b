//! Signing in with a name and a password (`POST /api/v1/session`). The session's token then
//! carries the map's reads (a server with `--private-reads` asks one of every read; in the
//! browser the session's cookie carries them too) and, for an operator or an admin, its
//! writes: acknowledging alarms, starting and closing incidents, sending the view to the wall.
//! A token given on the command line counts as signed in.

use bevy::prelude::*;
use bevy_egui::egui;
use parktwin_api::model::{Role, SignedIn};

use crate::i18n::{Lang, Msg, tr};
use crate::theme::{self, PANEL_WIDTH};

/// Sign-in on the operator's map: the form's state, and the token the reads carry.
pub struct SignInPlugin;

impl Plugin for SignInPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<SignIn>();
    }
}

/// The sign-in form's state: what is typed, the request under way, who signed in.
#[derive(Resource, Default)]
pub struct SignIn {
    name: String,
    password: String,
    pending: Option<crossbeam_channel::Receiver<Result<SignedIn, String>>>,
    /// Who is signed in, and the session's token (none for a token from the command line).
    who: Option<(String, Option<String>)>,
    error: Option<String>,
    /// Whether the name field has had the keyboard's focus once (the form takes it when it
    /// first shows, so that a person can type at once).
    focused: bool,
}

impl SignIn {
    /// Whether a sign-in is under way.
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }
}

/// What a sign-in changed, for the app to apply: the session's token carries the reads from
/// now on, and is the operator's token when the account is an operator's or an admin's.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    /// The session.
    pub session: SignedIn,
    /// Whether it may act as an operator.
    pub operates: bool,
}

/// Takes the answer of a sign-in under way, if it has come.
fn take_answer(s: &mut SignIn) -> Option<Signed> {
    let outcome = s.pending.as_ref()?.try_recv().ok()?;
    s.pending = None;
    match outcome {
        Ok(session) => {
            s.password.clear();
            s.error = None;
            s.who = Some((session.name.clone(), Some(session.token.clone())));
            let operates = matches!(session.role, Role::Operator | Role::Admin);
            Some(Signed { session, operates })
        }
        Err(e) => {
            s.password.clear();
            s.error = Some(e);
            None
        }
    }
}

/// The name and password fields and the button; sends the sign-in when asked.
fn form(ui: &mut egui::Ui, s: &mut SignIn, server: &str, lang: Lang) {
    let width = PANEL_WIDTH - 40.0;
    let name = ui.add(
        egui::TextEdit::singleline(&mut s.name)
            .hint_text(tr(Msg::AccountName, lang))
            .desired_width(width),
    );
    if !s.focused {
        name.request_focus();
        s.focused = true;
    }
    let password = ui.add(
        egui::TextEdit::singleline(&mut s.password)
            .password(true)
            .hint_text(tr(Msg::Password, lang))
            .desired_width(width),
    );
    let enter = password.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let ready = !s.name.trim().is_empty() && !s.password.is_empty() && s.pending.is_none();
    let label = if s.pending.is_some() {
        tr(Msg::Checking, lang)
    } else {
        tr(Msg::SignIn, lang)
    };
    if ui.add_enabled(ready, egui::Button::new(label)).clicked() || (enter && ready) {
        let (name, password, server) = (s.name.trim().to_string(), s.password.clone(), server.to_string());
        let (tx, rx) = crossbeam_channel::bounded(1);
        crate::net::spawn("sign-in", move || async move {
            let api = parktwin_api::client::ApiClient::new(&server);
            let _ = tx.send(api.sign_in(&name, &password).await.map_err(|e| match e {
                parktwin_api::client::ClientError::Status { message, .. } => message,
                other => other.to_string(),
            }));
        });
        s.pending = Some(rx);
        s.error = None;
    }
    if let Some(e) = &s.error {
        ui.colored_label(theme::ERROR, e);
    }
}

/// The sign-in box of the panel: who is signed in and a way out, or the form under a header.
/// `token` is the operator's token (one from the command line counts as signed in). Answers
/// what a sign-in that just ended well changed.
pub fn sign_in_box(
    ui: &mut egui::Ui,
    s: &mut SignIn,
    token: &mut Option<String>,
    server: &str,
    lang: Lang,
) -> Option<Signed> {
    let signed = take_answer(s);
    if let Some(new) = &signed {
        *token = new.operates.then(|| new.session.token.clone());
    }
    if s.who.is_some() || token.is_some() {
        ui.horizontal(|ui| {
            ui.label(tr(Msg::SignedIn, lang));
            ui.strong(s.who.as_ref().map_or("operator", |(name, _)| name.as_str()));
            if ui.small_button(tr(Msg::SignOut, lang)).clicked() {
                // The session ends on the server too (and the browser's cookie with it).
                if let Some((_, Some(session))) = s.who.take() {
                    let server = server.to_string();
                    crate::net::spawn("sign-out", move || async move {
                        let api = parktwin_api::client::ApiClient::new(&server);
                        if let Err(e) = api.sign_out(&session).await {
                            warn!("signing out: {e}");
                        }
                    });
                }
                *token = None;
                s.who = None;
                s.focused = false;
            }
        });
        return signed;
    }
    egui::CollapsingHeader::new(tr(Msg::AccountSignIn, lang))
        .id_salt("sign-in")
        .show(ui, |ui| {
            ui.small(tr(Msg::SignInWhy, lang));
            form(ui, s, server, lang);
        });
    signed
}

/// The sign-in the loading screen shows when the server asks one before it lets the park be
/// read (`--private-reads`); answers what a sign-in that just ended well changed.
pub fn sign_in_to_read(ui: &mut egui::Ui, s: &mut SignIn, server: &str, lang: Lang) -> Option<Signed> {
    let signed = take_answer(s);
    ui.heading(tr(Msg::SignInToRead, lang));
    ui.label(format!("{} {server}", tr(Msg::SignInToReadWhy, lang)));
    form(ui, s, server, lang);
    signed
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
        signed: Option<Signed>,
    }

    fn draw<'a>(b: &'a mut Box, server: &'a str) -> impl FnMut(&mut egui::Ui) + 'a {
        move |ui| {
            if let Some(s) = sign_in_box(ui, &mut b.state, &mut b.token, server, Lang::En) {
                b.signed = Some(s);
            }
        }
    }

    /// Types a name and a password, presses Sign in, and runs frames until the server has
    /// answered.
    fn sign_in(screen: &mut Screen, b: &mut Box, server: &str, name: &str, password: &str) {
        b.state.name.clear();
        b.state.password.clear();
        screen.type_into("account name", name, &mut draw(b, server));
        screen.type_into("password", password, &mut draw(b, server));
        screen.click("Sign in", &mut draw(b, server));
        for _ in 0..400 {
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
    fn signing_in_with_a_name_and_a_password_opens_a_session_and_an_operators_acts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = parktwin_e2e::start_private_server(dir.path()).expect("server");
        let store = parktwin_e2e::open_store(dir.path());
        store
            .create_user("ops-li", Role::Operator, None, "pipe-rack-7-north")
            .expect("stored")
            .expect("made");
        store
            .create_user("viewer-zhao", Role::Viewer, None, "tank-farm-B-view")
            .expect("stored")
            .expect("made");
        let (url, mut b, mut screen) = (server.url.clone(), Box::default(), Screen::new());
        screen.frame(vec![], &mut draw(&mut b, &url));
        screen.click("Sign in to read and act", &mut draw(&mut b, &url));
        for _ in 0..20 {
            // The header's opening animation.
            screen.frame(vec![], &mut draw(&mut b, &url));
        }
        assert!(screen.find("Sign in").is_disabled(), "nothing typed, nothing to send");

        sign_in(&mut screen, &mut b, &url, "ops-li", "pipe-rack-7-south");
        assert_eq!((&b.token, &b.signed), (&None, &None));
        assert!(
            screen.shows("unknown name or wrong password"),
            "the server's reason is shown"
        );

        sign_in(&mut screen, &mut b, &url, "viewer-zhao", "tank-farm-B-view");
        let viewer = b.signed.take().expect("signed in");
        assert!(
            !viewer.operates && b.token.is_none(),
            "a viewer reads, and does not act"
        );
        assert!(screen.shows("Signed in:") && screen.shows("viewer-zhao"));
        let session = viewer.session.token.clone();
        assert!(store.caller(&session).expect("read").is_some(), "the session is open");
        screen.click("Sign out", &mut draw(&mut b, &url));
        for _ in 0..200 {
            if store.caller(&session).expect("read").is_none() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(
            store.caller(&session).expect("read").is_none(),
            "signing out ends the session"
        );
        screen.frame(vec![], &mut draw(&mut b, &url));

        sign_in(&mut screen, &mut b, &url, "ops-li", "pipe-rack-7-north");
        let ops = b.signed.take().expect("signed in");
        assert!(ops.operates);
        assert_eq!(b.token.as_deref(), Some(ops.session.token.as_str()), "the session acts");
        assert!(screen.shows("ops-li"));
    }
}
