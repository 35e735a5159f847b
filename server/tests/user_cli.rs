//! `parktwin-server user create|list|disable|reset-password`: the password read from standard
//! input, every change in the audit trail, and a clear refusal for what cannot be.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use parktwin_server::{AuditFilter, SignIn, Store};

/// `parktwin-server --data-dir DIR user ARGS…`, with `stdin` on its standard input.
fn user(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .arg("--data-dir")
        .arg(dir)
        .arg("user")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("the password goes in");
    child.wait_with_output().expect("ends")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_account_made_on_the_command_line_signs_in_with_the_password_it_was_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = user(
        dir.path(),
        &["create", "--name", "shift-lead", "--role", "operator"],
        "night-shift-2026\n",
    );
    assert!(made.status.success(), "{}", text(&made));
    let store = Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    let SignIn::Signed(session) = store.sign_in("shift-lead", "night-shift-2026").expect("signs in") else {
        panic!("the password from standard input signs in");
    };
    assert_eq!(session.role, parktwin_api::model::Role::Operator);
    assert!(matches!(
        store.sign_in("shift-lead", "night-shift-2026\n").expect("as set up"),
        SignIn::Refused { .. }
    ));

    let list = user(dir.path(), &["list"], "");
    let listed = text(&list);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("shift-lead") && l.contains("operator") && l.contains("(park)")),
        "{listed}"
    );
    assert!(
        !listed.contains("night-shift-2026") && !listed.contains("argon2"),
        "{listed}"
    );

    // What cannot be is refused, naming why; nothing is made.
    let short = user(dir.path(), &["create", "--name", "x", "--role", "viewer"], "short\n");
    assert!(!short.status.success());
    assert!(text(&short).contains("at least 10"), "{}", text(&short));
    let none = user(dir.path(), &["create", "--name", "x", "--role", "viewer"], "");
    assert!(text(&none).contains("no password on standard input"), "{}", text(&none));
    let twice = user(
        dir.path(),
        &["create", "--name", "shift-lead", "--role", "viewer"],
        "another-password\n",
    );
    assert!(text(&twice).contains("exists already"), "{}", text(&twice));
    let scoped_admin = user(
        dir.path(),
        &["create", "--name", "y", "--role", "admin", "--enterprise", "ent-01"],
        "another-password\n",
    );
    assert!(
        text(&scoped_admin).contains("only viewers and operators"),
        "{}",
        text(&scoped_admin)
    );
    assert_eq!(store.users().expect("as set up").len(), 1);

    // A new password ends the session; disabling refuses the right password.
    let reset = user(dir.path(), &["reset-password", "shift-lead"], "day-shift-2026\n");
    assert!(reset.status.success(), "{}", text(&reset));
    assert_eq!(
        store.caller(&session.token).expect("as set up"),
        None,
        "the old session ended"
    );
    assert!(matches!(
        store.sign_in("shift-lead", "day-shift-2026").expect("as set up"),
        SignIn::Signed(_)
    ));
    let disable = user(dir.path(), &["disable", "shift-lead"], "");
    assert!(disable.status.success(), "{}", text(&disable));
    let SignIn::Refused { why, .. } = store.sign_in("shift-lead", "day-shift-2026").expect("as set up") else {
        panic!("a disabled account does not sign in");
    };
    assert!(why.contains("disabled"), "{why}");
    let unknown = user(dir.path(), &["disable", "nobody"], "");
    assert!(
        text(&unknown).contains("no account is named \"nobody\""),
        "{}",
        text(&unknown)
    );

    // Each change is in the audit trail, from the command line.
    let trail = store
        .audit_entries(&AuditFilter {
            from: "2000-01-01T00:00:00Z".into(),
            to: "2100-01-01T00:00:00Z".into(),
            limit: 100,
            ..AuditFilter::default()
        })
        .expect("as set up");
    let actions: Vec<(&str, &str)> = trail.iter().map(|l| (l.action.as_str(), l.target.as_str())).collect();
    assert_eq!(
        actions,
        [
            ("user create", "shift-lead"),
            ("user reset-password", "shift-lead"),
            ("user disable", "shift-lead")
        ]
    );
    assert!(trail.iter().all(|l| l.from == "command line"), "{trail:?}");
}
