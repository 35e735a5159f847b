//! People's accounts over real HTTP and SQLite (or PostgreSQL): a person signs in with a name
//! and a password on a server whose reads are private, reads and writes with the session's
//! cookie as a browser does (or its token as a tool does), signs out; wrong passwords are
//! refused, slowed and then locked with Retry-After; a disabled account's sessions end at once;
//! every write and sign-in is in the audit trail with who, when and from where.

use parktwin_api::model::{AuditEntry, Role, Session, SignedIn, User};
use parktwin_e2e::{count, execute, open_store, start_private_server};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

/// How a request is signed: nothing, a session's cookie (a browser), or a bearer token (a tool).
#[derive(Clone, Copy)]
enum As<'a> {
    Nobody,
    Cookie(&'a str),
    Bearer(&'a str),
}

fn with(r: RequestBuilder, who: As<'_>) -> RequestBuilder {
    match who {
        As::Nobody => r,
        As::Cookie(t) => r.header("Cookie", format!("theme=dark; parktwin_session={t}")),
        As::Bearer(t) => r.bearer_auth(t),
    }
}

fn call(method: &str, url: &str, who: As<'_>, body: Option<&Value>) -> Response {
    let c = Client::new();
    let r = match method {
        "POST" => c.post(url),
        "PUT" => c.put(url),
        "DELETE" => c.delete(url),
        _ => c.get(url),
    };
    let r = with(r, who);
    let r = match body {
        Some(b) => r.json(b),
        None => r,
    };
    r.send().expect("the server answers")
}

/// The status and the JSON answer (`null` for none).
fn json_call(method: &str, url: &str, who: As<'_>, body: Option<&Value>) -> (u16, Value) {
    let r = call(method, url, who, body);
    let status = r.status().as_u16();
    let text = r.text().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn sign_in(api: &str, name: &str, password: &str) -> Response {
    call(
        "POST",
        &format!("{api}/session"),
        As::Nobody,
        Some(&json!({"name": name, "password": password})),
    )
}

fn signed_in(api: &str, name: &str, password: &str) -> SignedIn {
    let r = sign_in(api, name, password);
    assert_eq!(r.status().as_u16(), 200, "{name} signs in");
    r.json().expect("a session")
}

#[test]
fn a_person_signs_in_reads_and_writes_under_private_reads_with_the_cookie_and_signs_out() {
    let dir = tempfile::tempdir().expect("as set up");
    let server = start_private_server(dir.path()).expect("as set up");
    let api = format!("{}/api/v1", server.url);
    let store = open_store(dir.path());
    store
        .create_user("ops-li", Role::Operator, None, "pipe-rack-7-north")
        .expect("as set up")
        .expect("as set up");
    store
        .create_user("viewer-zhao", Role::Viewer, None, "tank-farm-B-view")
        .expect("as set up")
        .expect("as set up");

    // Nobody reads a private park; signing in is open.
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Nobody, None).status().as_u16(),
        401
    );
    let wrong = sign_in(&api, "ops-li", "pipe-rack-7-south");
    assert_eq!(wrong.status().as_u16(), 401);
    let said: Value = wrong.json().expect("as set up");
    assert!(
        said["error"].as_str().expect("as set up").contains("wrong password"),
        "{said}"
    );

    let r = sign_in(&api, "ops-li", "pipe-rack-7-north");
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r.headers()["set-cookie"].to_str().expect("as set up").to_string();
    let session: SignedIn = r.json().expect("as set up");
    assert_eq!((session.role, session.name.as_str()), (Role::Operator, "ops-li"));
    assert!(
        cookie.starts_with(&format!("parktwin_session={};", session.token)),
        "{cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP: the cookie cannot be Secure: {cookie}"
    );

    // The browser's cookie reads the park and says whose it is; a tool's bearer token too.
    let t = session.token.as_str();
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(t), None)
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        call("GET", &format!("{api}/layers"), As::Bearer(t), None)
            .status()
            .as_u16(),
        200
    );
    let me: Session = call("GET", &format!("{api}/session"), As::Cookie(t), None)
        .json()
        .expect("as set up");
    assert_eq!((me.role, me.name.as_str()), (Role::Operator, "ops-li"));

    // An operator's session writes in its name (alarm 999 does not exist: past the role check,
    // the alarm is looked for); a viewer's may not.
    let (status, body) = json_call("POST", &format!("{api}/alarms/999/ack"), As::Cookie(t), None);
    assert_eq!(status, 404, "{body}");
    let viewer = signed_in(&api, "viewer-zhao", "tank-farm-B-view");
    let (status, body) = json_call(
        "POST",
        &format!("{api}/alarms/999/ack"),
        As::Cookie(&viewer.token),
        None,
    );
    assert_eq!(status, 403, "{body}");

    // Signing out ends the session and clears the cookie.
    let out = call("DELETE", &format!("{api}/session"), As::Cookie(t), None);
    assert_eq!(out.status().as_u16(), 204);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .expect("as set up")
            .contains("Max-Age=0")
    );
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(t), None)
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Bearer(t), None)
            .status()
            .as_u16(),
        401
    );
    // A token made on the command line is not a session: it is revoked there.
    let (status, body) = json_call("DELETE", &format!("{api}/session"), As::Bearer(&server.operator), None);
    assert_eq!(status, 403, "{body}");
}

#[test]
fn repeated_wrong_passwords_slow_down_then_answer_429_with_retry_after() {
    let dir = tempfile::tempdir().expect("as set up");
    let server = start_private_server(dir.path()).expect("as set up");
    let api = format!("{}/api/v1", server.url);
    open_store(dir.path())
        .create_user("gate-wang", Role::Viewer, None, "east-gate-2026")
        .expect("as set up")
        .expect("as set up");
    let mut took = Vec::new();
    for _ in 0..4 {
        let started = std::time::Instant::now();
        assert_eq!(sign_in(&api, "gate-wang", "east-gate-2025").status().as_u16(), 401);
        took.push(started.elapsed());
    }
    // The fourth failure in a row waits a second before it answers (250 ms a failure).
    assert!(took[3] >= std::time::Duration::from_millis(1000), "{took:?}");
    let locked = sign_in(&api, "gate-wang", "east-gate-2025");
    assert_eq!(locked.status().as_u16(), 429);
    assert_eq!(locked.headers()["retry-after"].to_str().expect("as set up"), "60");
    // Locked means locked: the right password waits as well, and says when.
    let right = sign_in(&api, "gate-wang", "east-gate-2026");
    assert_eq!(right.status().as_u16(), 429);
    let said: Value = right.json().expect("as set up");
    assert!(
        said["error"].as_str().expect("as set up").contains("try again in"),
        "{said}"
    );
    // An unknown name is refused as a wrong password is: the answer does not say which.
    let (status, body) = json_call(
        "POST",
        &format!("{api}/session"),
        As::Nobody,
        Some(&json!({"name": "nobody", "password": "east-gate-2026"})),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unknown name or wrong password"))
    );
    // A name no account can have (a NUL: PostgreSQL's text cannot hold one) is just unknown.
    let (status, body) = json_call(
        "POST",
        &format!("{api}/session"),
        As::Nobody,
        Some(&json!({"name": "gate\u{0}wang", "password": "east-gate-2026"})),
    );
    assert_eq!(status, 401, "{body}");
    // A body that is not a sign-in is refused, naming what is wrong.
    let (status, body) = json_call(
        "POST",
        &format!("{api}/session"),
        As::Nobody,
        Some(&json!([null, null])),
    );
    assert_eq!(status, 422, "{body}");
}

#[test]
fn an_admin_manages_accounts_and_a_disabled_or_reset_accounts_sessions_end_at_once() {
    let dir = tempfile::tempdir().expect("as set up");
    let server = start_private_server(dir.path()).expect("as set up");
    let api = format!("{}/api/v1", server.url);
    open_store(dir.path())
        .create_user("admin-chen", Role::Admin, None, "control-room-1")
        .expect("as set up")
        .expect("as set up");
    let admin = signed_in(&api, "admin-chen", "control-room-1");
    let a = As::Bearer(&admin.token);

    let make = |body: Value| json_call("POST", &format!("{api}/users"), a, Some(&body));
    let (status, made) = make(json!({"name": "王工", "role": "operator", "password": "储罐区-巡检-2026"}));
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["name"], "王工");
    let (status, body) = make(json!({"name": "王工", "role": "viewer", "password": "another-one-1"}));
    assert_eq!(status, 409, "{body}");
    let (status, body) = make(json!({"name": "short", "role": "viewer", "password": "abc"}));
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().expect("as set up").contains("at least 10"),
        "{body}"
    );
    let (status, body) = make(json!({"name": "feed", "role": "ingest", "password": "a-feed-password"}));
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .expect("as set up")
            .contains("token create --role ingest"),
        "{body}"
    );
    let (status, body) =
        make(json!({"name": "ent", "role": "viewer", "enterprise": "ent-99", "password": "scoped-viewer-1"}));
    assert_eq!(status, 422);
    assert!(body["error"].as_str().expect("as set up").contains("ent-99"), "{body}");
    let (status, _) = make(json!({"name": "viewer-sun", "role": "viewer", "password": "viewer-sun-pw"}));
    assert_eq!(status, 201);

    let users: Vec<User> = call("GET", &format!("{api}/users"), a, None).json().expect("as set up");
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["admin-chen", "viewer-sun", "王工"]);
    assert!(users.iter().all(|u| u.disabled.is_none()));
    let viewer = signed_in(&api, "viewer-sun", "viewer-sun-pw");
    let (status, _) = json_call("GET", &format!("{api}/users"), As::Cookie(&viewer.token), None);
    assert_eq!(status, 403, "a viewer does not list accounts");

    // Disabling ends the account's session at once, and it cannot sign in again.
    let wang = signed_in(&api, "王工", "储罐区-巡检-2026");
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(&wang.token), None)
            .status()
            .as_u16(),
        200
    );
    let (status, body) = json_call("POST", &format!("{api}/users/%E7%8E%8B%E5%B7%A5/disable"), a, None);
    assert_eq!(status, 200, "{body}");
    assert!(body["disabled"].is_string(), "{body}");
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(&wang.token), None)
            .status()
            .as_u16(),
        401
    );
    let (status, body) = json_call(
        "POST",
        &format!("{api}/session"),
        As::Nobody,
        Some(&json!({"name": "王工", "password": "储罐区-巡检-2026"})),
    );
    assert_eq!(status, 401);
    assert!(
        body["error"].as_str().expect("as set up").contains("disabled"),
        "{body}"
    );
    let (status, _) = json_call("POST", &format!("{api}/users/%E7%8E%8B%E5%B7%A5/disable"), a, None);
    assert_eq!(status, 409, "disabled already");
    let (status, _) = json_call("POST", &format!("{api}/users/nobody/disable"), a, None);
    assert_eq!(status, 404);

    // A new password ends the sessions too; the old password no longer signs in.
    let (status, body) = json_call(
        "PUT",
        &format!("{api}/users/viewer-sun/password"),
        a,
        Some(&json!({"password": "viewer-sun-new"})),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(&viewer.token), None)
            .status()
            .as_u16(),
        401
    );
    assert_eq!(sign_in(&api, "viewer-sun", "viewer-sun-pw").status().as_u16(), 401);
    signed_in(&api, "viewer-sun", "viewer-sun-new");
}

#[test]
fn every_write_and_sign_in_a_test_makes_is_in_the_audit_trail_and_its_export() {
    let dir = tempfile::tempdir().expect("as set up");
    let server = start_private_server(dir.path()).expect("as set up");
    let api = format!("{}/api/v1", server.url);
    let store = open_store(dir.path());
    store
        .create_user("admin-chen", Role::Admin, None, "control-room-1")
        .expect("as set up")
        .expect("as set up");
    store
        .create_user("ops-li", Role::Operator, None, "pipe-rack-7-north")
        .expect("as set up")
        .expect("as set up");
    assert_eq!(sign_in(&api, "ops-li", "wrong-password").status().as_u16(), 401);
    let ops = signed_in(&api, "ops-li", "pipe-rack-7-north");
    let admin = signed_in(&api, "admin-chen", "control-room-1");

    // Writes: an acknowledgement of an alarm that is not there, a batch of readings from the
    // feed, a refused one, a what-if (which writes nothing), a sign-out.
    assert_eq!(
        json_call("POST", &format!("{api}/alarms/7/ack"), As::Cookie(&ops.token), None).0,
        404
    );
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    let sensors: Vec<Value> = call("GET", &format!("{api}/sensors"), As::Bearer(&ops.token), None)
        .json()
        .expect("as set up");
    let sensor = sensors[0]["id"].as_str().expect("as set up");
    let (status, body) = json_call(
        "POST",
        &format!("{api}/observations"),
        As::Bearer(&server.ingest),
        Some(&json!([{"sensor": sensor, "time": now, "value": 1.0}])),
    );
    assert_eq!(status, 200, "{body}");
    let (status, _) = json_call("POST", &format!("{api}/observations"), As::Nobody, Some(&json!([])));
    assert_eq!(status, 401);
    assert_eq!(
        call("DELETE", &format!("{api}/session"), As::Cookie(&ops.token), None)
            .status()
            .as_u16(),
        204
    );

    let (status, body) = json_call("GET", &format!("{api}/audit"), As::Bearer(&admin.token), None);
    assert_eq!(status, 200, "{body}");
    let lines: Vec<AuditEntry> = serde_json::from_value(body).expect("as set up");
    let seen: Vec<(&str, &str, &str, u16)> = lines
        .iter()
        .map(|l| (l.who.as_str(), l.action.as_str(), l.target.as_str(), l.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("ops-li", "POST", "/api/v1/session", 401),
            ("ops-li", "POST", "/api/v1/session", 200),
            ("admin-chen", "POST", "/api/v1/session", 200),
            ("ops-li", "POST", "/api/v1/alarms/7/ack", 404),
            ("test feed", "POST", "/api/v1/observations", 200),
            ("(anonymous)", "POST", "/api/v1/observations", 401),
            ("ops-li", "DELETE", "/api/v1/session", 204),
        ]
    );
    for l in &lines {
        assert_eq!(l.from, "127.0.0.1", "{l:?}");
        assert!(l.time.ends_with('Z'), "{l:?}");
    }
    assert_eq!(lines[0].detail, "unknown name or wrong password");
    assert!(lines[3].detail.contains("unknown alarm"), "{:?}", lines[3]);
    assert_eq!(lines[3].role, Some(Role::Operator));

    // Filters, and who may read it.
    let only: Vec<AuditEntry> = call(
        "GET",
        &format!("{api}/audit?who=ops-li&action=DELETE"),
        As::Bearer(&admin.token),
        None,
    )
    .json()
    .expect("as set up");
    assert_eq!(only.len(), 1);
    let feeds: Vec<AuditEntry> = call(
        "GET",
        &format!("{api}/audit?target=/api/v1/observations"),
        As::Bearer(&admin.token),
        None,
    )
    .json()
    .expect("as set up");
    assert_eq!(
        feeds.iter().map(|l| l.status).collect::<Vec<_>>(),
        [200, 401],
        "the lines whose target begins so"
    );
    assert_eq!(
        json_call("GET", &format!("{api}/audit"), As::Bearer(&server.operator), None).0,
        403
    );
    let (status, body) = json_call(
        "GET",
        &format!("{api}/audit?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z"),
        As::Bearer(&admin.token),
        None,
    );
    assert_eq!(status, 400, "{body}");

    // The after-action export has the same lines, as CSV.
    let csv = call(
        "GET",
        &format!("{api}/after-action/audit.csv"),
        As::Bearer(&admin.token),
        None,
    )
    .text()
    .expect("as set up");
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        reader.headers().expect("as set up").iter().collect::<Vec<_>>(),
        ["time", "who", "role", "from", "action", "target", "status", "detail"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        lines.len(),
        "the same lines: the admin's reads are not writes"
    );
    assert_eq!(&rows[3][1], "ops-li");
    assert_eq!(&rows[3][5], "/api/v1/alarms/7/ack");
}

#[test]
fn a_session_in_use_goes_on_and_one_left_unused_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_private_server(dir.path()).expect("server");
    let api = format!("{}/api/v1", server.url);
    let store = open_store(dir.path());
    store
        .create_user("wall-north", Role::Viewer, None, "north-wall-screen")
        .expect("stored")
        .expect("made");
    let wall = signed_in(&api, "wall-north", "north-wall-screen");
    let soon = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
    assert_eq!(
        execute(
            dir.path(),
            &format!("UPDATE tokens SET expires = '{soon}' WHERE user_name = 'wall-north'")
        ),
        1
    );
    // Read an hour before its end, the session runs a whole session from now.
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(&wall.token), None)
            .status()
            .as_u16(),
        200
    );
    let later = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() + time::Duration::hours(11));
    assert_eq!(
        count(
            dir.path(),
            &format!("SELECT COUNT(*) FROM tokens WHERE user_name = 'wall-north' AND expires > '{later}'")
        ),
        1,
        "renewed"
    );
    // Past its end, it is refused: its person signs in again.
    let past = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
    execute(
        dir.path(),
        &format!("UPDATE tokens SET expires = '{past}' WHERE user_name = 'wall-north'"),
    );
    assert_eq!(
        call("GET", &format!("{api}/park"), As::Cookie(&wall.token), None)
            .status()
            .as_u16(),
        401
    );
}
