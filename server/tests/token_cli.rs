//! `parktwin-server token create` prints a token once, which the server then accepts.

use std::process::Command;

#[test]
fn token_create_prints_a_usable_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cli(dir.path(), &["create", "--role", "operator", "--name", "night shift"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("pt_") && token.len() > 40, "{token}");
    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    let (role, name) = store.token_role(&token).expect("lookup").expect("known");
    assert_eq!(
        (role, name.as_str()),
        (parktwin_api::model::Role::Operator, "night shift")
    );
    let bad = cli(dir.path(), &["create", "--role", "boss", "--name", "x"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("viewer, ingest, operator, admin"));
}

/// `parktwin-server --data-dir DIR token ARGS…`.
fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .arg("--data-dir")
        .arg(dir)
        .arg("token")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn a_listed_token_can_be_revoked_and_is_refused_from_then_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = cli(dir.path(), &["create", "--role", "ingest", "--name", "DCS gateway"]);
    let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
    cli(dir.path(), &["create", "--role", "viewer", "--name", "lobby screen"]);
    let list = cli(dir.path(), &["list"]);
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.status.success());
    assert!(!text.contains(&token), "the list never shows a token itself");
    let row = text
        .lines()
        .find(|l| l.contains("DCS gateway"))
        .unwrap_or_else(|| panic!("the token is listed: {text}"));
    assert!(
        row.contains("ingest") && row.trim_end().ends_with("DCS gateway"),
        "{row}"
    );
    let id = row.split_whitespace().next().expect("id");
    assert_eq!(id.len(), parktwin_server::TOKEN_ID_LEN);

    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    assert!(store.token_role(&token).expect("lookup").is_some());
    let revoke = cli(dir.path(), &["revoke", &id[..8]]);
    assert!(revoke.status.success(), "{}", String::from_utf8_lossy(&revoke.stderr));
    assert!(String::from_utf8_lossy(&revoke.stdout).contains("DCS gateway"));
    assert_eq!(
        store.token_role(&token).expect("lookup"),
        None,
        "a revoked token is refused"
    );
    let list = String::from_utf8_lossy(&cli(dir.path(), &["list"]).stdout).to_string();
    let row = list.lines().find(|l| l.contains("DCS gateway")).expect("still listed");
    assert!(!row.contains(" - "), "its revocation time is shown: {row}");
    let viewer_row = list.lines().find(|l| l.contains("lobby screen")).expect("listed");
    assert!(
        viewer_row.contains(" - "),
        "the other token is not revoked: {viewer_row}"
    );

    let again = cli(dir.path(), &["revoke", id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("revoked already"));
    let unknown = cli(dir.path(), &["revoke", "abcdef123456"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no token has id"));
    let bad = cli(dir.path(), &["revoke", "xyz"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a token id"));
}

#[test]
fn a_viewer_token_can_be_scoped_to_an_enterprise_of_the_park_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).to_string();
    let scoped = [
        "create",
        "--role",
        "viewer",
        "--name",
        "Ammonia HSE desk",
        "--enterprise",
        "ent-03",
    ];
    // Before the park is in the database there is nothing to check the enterprise against.
    let early = cli(dir.path(), &scoped);
    assert!(!early.status.success());
    assert!(stderr(&early).contains("no park yet"), "{}", stderr(&early));

    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    let seed = parktwin_server::load_assets(&parktwin_server::default_assets_dir()).expect("assets");
    store.seed(&seed).expect("seed");
    let made = cli(dir.path(), &scoped);
    assert!(made.status.success(), "{}", stderr(&made));
    let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
    let caller = store.caller(&token).expect("lookup").expect("known");
    assert_eq!(caller.access, parktwin_api::scope::Access::Enterprise("ent-03".into()));
    let list = String::from_utf8_lossy(&cli(dir.path(), &["list"]).stdout).to_string();
    let row = list.lines().find(|l| l.contains("Ammonia HSE desk")).expect("listed");
    assert!(row.contains("viewer") && row.contains("ent-03"), "{row}");

    let operator = cli(
        dir.path(),
        &["create", "--role", "operator", "--name", "x", "--enterprise", "ent-03"],
    );
    assert!(!operator.status.success());
    assert!(
        stderr(&operator).contains("only a viewer token"),
        "{}",
        stderr(&operator)
    );
    let unknown = cli(
        dir.path(),
        &["create", "--role", "viewer", "--name", "y", "--enterprise", "ent-99"],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no enterprise \"ent-99\""),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(store.tokens().expect("tokens").len(), 1, "nothing else was stored");
}
