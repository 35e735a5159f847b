//! `parktwin-server token create` prints a token once, which the server then accepts.

use std::process::Command;

#[test]
fn token_create_prints_a_usable_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["token", "create", "--role", "operator", "--name", "night shift"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("pt_") && token.len() > 40, "{token}");
    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    let (role, name) = store.token_role(&token).expect("lookup").expect("known");
    assert_eq!(
        (role, name.as_str()),
        (parktwin_api::model::Role::Operator, "night shift")
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["token", "create", "--role", "boss", "--name", "x"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("viewer, ingest, operator, admin"));
}
