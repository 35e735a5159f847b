//! An alarm's lifecycle over real HTTP and SQLite (or PostgreSQL), as the operators take it:
//! raised → acknowledged → assigned → resolved → closed, a latched alarm waiting for its
//! operator, shelving with its end, the waybill alarm that closes when the truck leaves, who
//! may take which step, every step in the alarm's history and in the after-action timeline, and
//! the alarm-management figures.

use parktwin_api::alarm_figures::AlarmFigures;
use parktwin_api::alarm_life::AlarmState;
use parktwin_api::clock::format_utc;
use parktwin_api::model::{Alarm, Role, SensorState};
use parktwin_e2e::{open_store, start_server};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

fn ago(s: i64) -> String {
    format_utc(OffsetDateTime::now_utc() - Duration::seconds(s))
}

/// A request with `token` (none for `""`): the status and the JSON answer (`null` for none).
fn call(method: &str, url: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    parktwin_e2e::send(method, url, (!token.is_empty()).then_some(token), body)
}

fn ok(method: &str, url: &str, token: &str, body: Option<&Value>) -> Value {
    let (status, v) = call(method, url, token, body);
    assert!((200..300).contains(&status), "{method} {url}: {status} {v}");
    v
}

/// The detectors of the park with their enterprise and thresholds (warning, alarm).
fn detectors(api: &str) -> Vec<(String, Option<String>, f64, f64)> {
    let fc = ok("GET", &format!("{api}/layers/detectors"), "", None);
    let sensors: Vec<SensorState> =
        serde_json::from_value(ok("GET", &format!("{api}/sensors"), "", None)).expect("sensors");
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| {
            let id = f["id"].as_str()?.to_string();
            let s = sensors.iter().find(|s| s.id == id)?;
            Some((
                id,
                f["properties"]["enterprise"].as_str().map(String::from),
                s.warn?,
                s.alarm?,
            ))
        })
        .collect()
}

fn open_alarm(api: &str, source: &str) -> Alarm {
    let open: Vec<Alarm> = serde_json::from_value(ok("GET", &format!("{api}/alarms"), "", None)).expect("alarms");
    open.into_iter()
        .find(|a| a.source == source)
        .unwrap_or_else(|| panic!("an open alarm of {source}"))
}

fn alarm(v: Value) -> Alarm {
    serde_json::from_value(v).expect("an alarm")
}

#[test]
fn an_alarm_goes_from_raised_to_closed_with_who_and_when_and_only_those_allowed_take_its_steps() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let viewer = store.create_token(Role::Viewer, "visitor").expect("as set up");
    let all = detectors(&api);
    let (gd, ent, warn, level) = all
        .iter()
        .find(|d| d.1.is_some())
        .cloned()
        .expect("a detector of an enterprise");
    let ent = ent.expect("its enterprise");
    store
        .create_user(
            "ops-other",
            Role::Operator,
            Some(if ent == "ent-01" { "ent-02" } else { "ent-01" }),
            "another-enterprise-7",
        )
        .expect("as set up")
        .expect("as set up");
    let signed = ok(
        "POST",
        &format!("{api}/session"),
        "",
        Some(&json!({"name": "ops-other", "password": "another-enterprise-7"})),
    );
    let other_operator = signed["token"].as_str().expect("a session").to_string();

    // The detector reads over its alarm level: one alarm, raised.
    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([{"sensor": gd, "time": ago(30), "value": level * 1.5}])),
    );
    let a = open_alarm(&api, &gd);
    assert_eq!(a.state, AlarmState::Raised);
    let step = |what: &str, token: &str, body: Option<Value>| {
        call("POST", &format!("{api}/alarms/{}/{what}", a.id), token, body.as_ref())
    };
    let resolve = json!({"cause": "flange leak at the chlorine unloading arm", "action": "isolated, gasket replaced"});

    // Who may not: a viewer, a feed, nobody, an operator of another enterprise.
    assert_eq!(step("resolve", &viewer, Some(resolve.clone())).0, 403);
    assert_eq!(step("resolve", &s.ingest, Some(resolve.clone())).0, 403);
    assert_eq!(step("resolve", "", Some(resolve.clone())).0, 401);
    let (status, body) = step("assign", &other_operator, Some(json!({"to": "Team 2"})));
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains(&gd)), "{body}");

    // The duty operator assigns it (acknowledging it), cannot close it while the gas is there,
    // and resolves it.
    let (status, body) = step("assign", &s.operator, Some(json!({"to": "Fire team 2"})));
    assert_eq!(status, 200, "{body}");
    let assigned = alarm(body);
    assert_eq!(assigned.state, AlarmState::Assigned);
    assert_eq!(assigned.assigned.as_ref().map(|x| x.to.as_str()), Some("Fire team 2"));
    assert_eq!(
        assigned.acknowledged.as_ref().map(|k| k.by.as_str()),
        Some("test operator")
    );
    let (status, body) = step("close", &s.operator, None);
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("persists")), "{body}");
    let (status, body) = step("resolve", &s.operator, Some(json!({"cause": " ", "action": "x"})));
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("cause")), "{body}");
    let (status, body) = step("resolve", &s.operator, Some(resolve.clone()));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        alarm(body).state,
        AlarmState::Resolved,
        "resolved while the gas is still there: still open"
    );
    assert_eq!(
        step("resolve", &s.operator, Some(resolve.clone())).0,
        409,
        "resolved once"
    );

    // The reading falls back: the resolved alarm closes by itself, and is closed to any step.
    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([{"sensor": gd, "time": ago(10), "value": warn * 0.1}])),
    );
    let (status, body) = step("ack", &s.operator, None);
    assert_eq!(status, 409, "{body}");
    let with_history = ok("GET", &format!("{api}/alarms/{}", a.id), "", None);
    assert_eq!(with_history["state"], "closed");
    assert_eq!(with_history["resolution"]["cause"], resolve["cause"]);
    let steps: Vec<(&str, &str)> = with_history["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| (h["step"].as_str().unwrap_or(""), h["by"].as_str().unwrap_or("(rule)")))
        .collect();
    assert_eq!(
        steps,
        [
            ("alarm_raised", "(rule)"),
            ("alarm_assigned", "test operator"),
            ("alarm_resolved", "test operator"),
            ("alarm_closed", "(rule)"),
        ]
    );
    assert_eq!(call("GET", &format!("{api}/alarms/999999"), "", None).0, 404);

    // The after-action timeline says who assigned and who resolved.
    let r = reqwest::blocking::get(format!(
        "{api}/after-action/timeline.csv?from={}&to={}",
        ago(120),
        ago(-60)
    ))
    .expect("answers");
    assert_eq!(r.status().as_u16(), 200);
    let csv = r.text().expect("text");
    assert!(csv.contains("assigned to Fire team 2 by test operator"), "{csv}");
    assert!(csv.contains("resolved by test operator: cause flange leak"), "{csv}");
}

#[test]
fn a_latched_alarm_waits_for_its_operator_and_a_shelved_one_comes_back_by_itself() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let admin = open_store(dir.path())
        .create_token(Role::Admin, "safety manager")
        .expect("as set up");
    let all = detectors(&api);
    let (gd, _, warn, level) = all[0].clone();
    let (gd2, _, warn2, _) = all[1].clone();

    // The park latches gas alarms at the alarm level; only an admin sets the policy, and a bad
    // one is refused naming its fields.
    let mut policy = ok("GET", &format!("{api}/alarms/policy"), "", None);
    assert_eq!(policy["confirm"], json!({}), "nothing latches by default");
    policy["confirm"] = json!({"detector_threshold": "alarm"});
    assert_eq!(
        call("PUT", &format!("{api}/alarms/policy"), &s.operator, Some(&policy)).0,
        403
    );
    let bad = json!({"confirm": {"no_rule": "alarm"}, "escalate_after_s": {"alarm": 0}, "shelve_max_s": 5});
    let (status, body) = call("PUT", &format!("{api}/alarms/policy"), &admin, Some(&bad));
    assert_eq!(status, 422, "{body}");
    let m = body["error"].as_str().unwrap_or("");
    assert!(
        m.contains("no_rule") && m.contains("escalate_after_s.alarm") && m.contains("shelve_max_s"),
        "{m}"
    );
    ok("PUT", &format!("{api}/alarms/policy"), &admin, Some(&policy));

    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([
            {"sensor": gd, "time": ago(40), "value": level * 1.2},
            {"sensor": gd, "time": ago(30), "value": warn * 0.1},
        ])),
    );
    let a = open_alarm(&api, &gd);
    assert!(a.cleared.is_some(), "cleared, and still open: {a:?}");
    // Back over its level before anyone closed it: the same alarm, raised again.
    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([
            {"sensor": gd, "time": ago(25), "value": level * 1.3},
            {"sensor": gd, "time": ago(20), "value": warn * 0.1},
        ])),
    );
    let again = open_alarm(&api, &gd);
    assert_eq!(again.id, a.id, "one alarm, raised again");
    let (status, body) = call("POST", &format!("{api}/alarms/{}/close", a.id), &s.operator, None);
    assert_eq!(status, 200, "{body}");
    let closed = alarm(body);
    assert_eq!(
        (closed.state, closed.closed_by.as_deref()),
        (AlarmState::Closed, Some("test operator"))
    );
    let steps: Vec<String> = ok("GET", &format!("{api}/alarms/{}", a.id), "", None)["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["step"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        steps,
        [
            "alarm_raised",
            "alarm_cleared",
            "alarm_raised",
            "alarm_cleared",
            "alarm_closed"
        ]
    );

    // Shelving: a reason and an end within the policy's longest; it is back when that passes.
    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&json!([{"sensor": gd2, "time": ago(5), "value": warn2 * 1.1}])),
    );
    let w = open_alarm(&api, &gd2);
    let shelve = |body: Value| {
        call(
            "POST",
            &format!("{api}/alarms/{}/shelve", w.id),
            &s.operator,
            Some(&body),
        )
    };
    let (status, body) = shelve(json!({"reason": "calibration", "for_s": 9 * 3600}));
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("28800")), "{body}");
    assert_eq!(shelve(json!({"reason": "calibration"})).0, 422, "an end is needed");
    let (status, body) = shelve(json!({"reason": "calibration by the instrument shop", "for_s": 2}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(alarm(body).state, AlarmState::Shelved);
    // The sweep (every 5 s) takes it off the shelf once its 2 s are up.
    let back = (0..40).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let a = open_alarm(&api, &gd2);
        (a.shelved.is_none()).then_some(a)
    });
    let back = back.expect("back from the shelf within 20 s");
    assert_eq!(back.state, AlarmState::Raised);
    let steps: Vec<String> = ok("GET", &format!("{api}/alarms/{}", w.id), "", None)["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["step"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(steps, ["alarm_raised", "alarm_shelved", "alarm_unshelved"]);
}

#[test]
fn the_waybill_alarm_closes_when_the_truck_leaves_or_an_operator_resolves_it() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let pass = |plate: &str, direction: &str, t: i64| json!({"time": ago(t), "plate": plate, "direction": direction, "hazmat": true, "un_number": "UN1230", "tonnes": 25.0});
    ok(
        "POST",
        &format!("{api}/gates/gate-hazmat/passes"),
        &s.ingest,
        Some(&json!([pass("鲁E·L1", "in", 60), pass("鲁E·L2", "in", 50)])),
    );
    let l1 = open_alarm(&api, "鲁E·L1");
    let l2 = open_alarm(&api, "鲁E·L2");
    ok(
        "POST",
        &format!("{api}/gates/gate-hazmat/passes"),
        &s.ingest,
        Some(&json!([pass("鲁E·L1", "out", 20)])),
    );
    let l1 = alarm(ok("GET", &format!("{api}/alarms/{}", l1.id), "", None));
    assert_eq!(
        (l1.state, l1.closed_by),
        (AlarmState::Closed, None),
        "closed by the truck leaving"
    );
    let (status, body) = call(
        "POST",
        &format!("{api}/alarms/{}/resolve", l2.id),
        &s.operator,
        Some(
            &json!({"cause": "paper waybill YD-0042 checked at the gate", "action": "registered by hand", "false_alarm": true}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let l2 = alarm(body);
    assert_eq!(l2.state, AlarmState::Closed, "the operator's check closes it");
    assert!(l2.resolution.is_some_and(|r| r.false_alarm));
    let open: Vec<Alarm> = serde_json::from_value(ok("GET", &format!("{api}/alarms"), "", None)).expect("alarms");
    assert!(open.is_empty(), "nothing left on the board: {open:?}");
}

#[test]
fn the_alarm_figures_count_what_came_in_and_find_the_chattering_one() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let all = detectors(&api);
    let (gd, _, warn, _) = all[0].clone();
    let (gd2, _, warn2, _) = all[1].clone();
    // gd comes in and clears three times within 40 s: chattering; gd2 once.
    let mut readings = Vec::new();
    for k in 0..3 {
        readings.push(json!({"sensor": gd, "time": ago(60 - 12 * k), "value": warn * 1.2}));
        readings.push(json!({"sensor": gd, "time": ago(55 - 12 * k), "value": warn * 0.2}));
    }
    readings.push(json!({"sensor": gd2, "time": ago(20), "value": warn2 * 1.2}));
    ok(
        "POST",
        &format!("{api}/observations"),
        &s.ingest,
        Some(&Value::Array(readings)),
    );
    let f: AlarmFigures =
        serde_json::from_value(ok("GET", &format!("{api}/alarms/figures"), "", None)).expect("figures");
    assert_eq!(f.raised, 4);
    assert_eq!(f.per_10_min.iter().map(|p| p.count).sum::<usize>(), 4);
    assert!(
        (144..=145).contains(&f.per_10_min.len()),
        "a day of 10-minute periods: {}",
        f.per_10_min.len()
    );
    assert_eq!(f.chattering.len(), 1);
    assert_eq!(
        (f.chattering[0].source.as_str(), f.chattering[0].count),
        (gd.as_str(), 3)
    );
    assert_eq!(f.top_ten[0].source, gd);
    assert!((f.top_ten_share - 1.0).abs() < 1e-9, "two alarms are all of the load");
    assert!(f.standing.is_empty());
    let (status, body) = call(
        "GET",
        &format!("{api}/alarms/figures?from={}&to={}", ago(40 * 86_400), ago(0)),
        "",
        None,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().is_some_and(|m| m.contains("31 days")), "{body}");
}
