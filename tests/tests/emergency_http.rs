//! Emergency command over real HTTP (SQLite here, PostgreSQL in `scripts/test-postgres`): the
//! demo park's plans for a chlorine release, one activated as tasks to teams, the tasks moved
//! on with their times (never back), a task and a message by hand, the roles that may, the
//! events in the log and the lines of the after-action timeline; the resources a task takes
//! dispatched, and an engine's live position the start of its route.

use parktwin_api::emergency::{Message, Plan, Task, TaskStatus};
use parktwin_api::model::Role;
use parktwin_api::response::ResourceRoute;
use parktwin_e2e::{open_store, send, start_server};
use serde_json::{Value, json};

/// The chlorine tank (tank-001, of the hazard source mhs-02) of the demo park.
const TANK: (f64, f64) = (118.4542447, 37.5683106);

fn ok(method: &str, url: &str, token: &str, body: Option<&Value>) -> Value {
    let (code, v) = send(method, url, Some(token), body);
    assert!((200..300).contains(&code), "{method} {url}: {code} {v}");
    v
}

fn chlorine_release(api: &str, op: &str) -> String {
    let release = json!({"lon": TANK.0, "lat": TANK.1, "height_m": 1.0, "chemical": "chlorine", "rate_kg_s": 3.0,
                         "origin": "tank-001",
                         "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 261.0, "stability": "E", "temperature_c": 20.0}});
    ok("POST", &format!("{api}/incidents"), op, Some(&release))["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

#[test]
fn a_plan_activated_on_an_incident_gives_its_teams_tasks_that_move_on_with_their_times_and_only_operators_act() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let viewer = store.create_token(Role::Viewer, "visitor").expect("as set up");
    store
        .create_user("ops-ent", Role::Operator, Some("ent-01"), "enterprise-ops-9")
        .expect("as set up")
        .expect("as set up");
    let scoped = send(
        "POST",
        &format!("{api}/session"),
        None,
        Some(&json!({"name": "ops-ent", "password": "enterprise-ops-9"})),
    )
    .1["token"]
        .as_str()
        .expect("a session")
        .to_string();
    let id = chlorine_release(&api, &s.operator);

    // The park's plans for it: the toxic-gas plan (by its chemical) and the chlorine tank
    // farm's (by the hazard source tank-001 belongs to); not the fire plan.
    let plans: Vec<Plan> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/plans"), &viewer, None)).expect("plans");
    let ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["chlorine-tank-farm", "toxic-gas-release"]);

    // Who may not activate: a viewer, a feed, nobody, an operator of one enterprise.
    let activate = format!("{api}/incidents/{id}/plans/toxic-gas-release/activate");
    assert_eq!(send("POST", &activate, Some(&viewer), None).0, 403);
    assert_eq!(send("POST", &activate, Some(&s.ingest), None).0, 403);
    assert_eq!(send("POST", &activate, None, None).0, 401);
    let (code, why) = send("POST", &activate, Some(&scoped), None);
    assert_eq!(code, 403, "{why}");
    assert!(why["error"].as_str().unwrap_or_default().contains("ent-01"), "{why}");
    assert_eq!(
        send(
            "POST",
            &format!("{api}/incidents/{id}/plans/no-such/activate"),
            Some(&s.operator),
            None
        )
        .0,
        404
    );

    // An operator activates it: a task for each of its six steps, to its teams, with its
    // resources.
    let tasks: Vec<Task> = serde_json::from_value(ok("POST", &activate, &s.operator, None)).expect("tasks");
    let teams: Vec<&str> = tasks.iter().map(|t| t.team.as_str()).collect();
    assert_eq!(
        teams,
        [
            "fire brigade",
            "hazmat team",
            "security",
            "evacuation",
            "medical",
            "decontamination"
        ]
    );
    assert!(
        tasks
            .iter()
            .all(|t| t.status == TaskStatus::Assigned && t.incident == id && t.by == "test operator")
    );
    assert_eq!(tasks[0].resources, ["ev-01", "ev-04"]);
    let (code, twice) = send("POST", &activate, Some(&s.operator), None);
    assert_eq!(code, 409, "a plan is activated once: {twice}");

    // The fire brigade's task: en route, on scene, done, each timed; never back.
    let step = |task: i64, body: Value, token: &str| {
        send("POST", &format!("{api}/tasks/{task}/status"), Some(token), Some(&body))
    };
    let fire = tasks[0].id;
    assert_eq!(step(fire, json!({"status": "en_route"}), &viewer).0, 403);
    let (code, t) = step(
        fire,
        json!({"status": "en_route", "note": "Engine 1 and Aerial 1 leaving"}),
        &s.operator,
    );
    assert_eq!(code, 200, "{t}");
    let t: Task = serde_json::from_value(t).expect("a task");
    assert_eq!(
        (t.status, t.note.as_deref()),
        (TaskStatus::EnRoute, Some("Engine 1 and Aerial 1 leaving"))
    );
    assert!(t.en_route.is_some() && t.on_scene.is_none());

    // Its resources are dispatched: their status on the routes is the task's.
    let routes: Vec<ResourceRoute> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/resources"), &viewer, None)).expect("routes");
    let status = |rid: &str| routes.iter().find(|r| r.id == rid).map(|r| r.status.clone());
    assert_eq!(status("ev-01").as_deref(), Some("en_route"));
    assert_eq!(status("ev-04").as_deref(), Some("en_route"));
    assert_eq!(
        status("ev-05").as_deref(),
        Some("assigned"),
        "the hazmat team's task is given"
    );
    assert_eq!(
        status("ev-03").as_deref(),
        Some("maintenance"),
        "as the vehicles' layer declares it"
    );
    assert_eq!(status("er-shelter-1").as_deref(), Some("available"));

    let (code, back) = step(fire, json!({"status": "assigned"}), &s.operator);
    assert_eq!(code, 409, "never back: {back}");
    assert!(
        back["error"].as_str().unwrap_or_default().contains("never back"),
        "{back}"
    );
    let (code, bad) = step(fire, json!({"status": "finished"}), &s.operator);
    assert_eq!(code, 422, "{bad}");
    assert_eq!(step(987_654, json!({"status": "done"}), &s.operator).0, 404);
    let t: Task = serde_json::from_value(step(fire, json!({"status": "on_scene"}), &s.operator).1).expect("a task");
    assert!(t.on_scene.as_deref() >= t.en_route.as_deref());
    let t: Task =
        serde_json::from_value(step(fire, json!({"status": "done", "note": "curtain holding"}), &s.operator).1)
            .expect("a task");
    assert_eq!(t.status, TaskStatus::Done);
    assert!(t.done.is_some());

    // A task by hand, naming a resource the park does not have: refused, naming it.
    let add = format!("{api}/incidents/{id}/tasks");
    let (code, why) = send(
        "POST",
        &add,
        Some(&s.operator),
        Some(&json!({"team": "environment", "text": "Sample the outfall", "resources": ["ev-99"]})),
    );
    assert_eq!(code, 422, "{why}");
    assert!(
        why["error"]
            .as_str()
            .unwrap_or_default()
            .contains("resources[0]: \"ev-99\""),
        "{why}"
    );
    let by_hand: Task = serde_json::from_value(ok(
        "POST",
        &add,
        &s.operator,
        Some(&json!({"team": "environment", "text": "Sample the outfall"})),
    ))
    .expect("a task");
    assert_eq!(by_hand.plan, None);

    // A message to everyone; a viewer may not send one.
    let say = format!("{api}/incidents/{id}/messages");
    let m = json!({"to": "everyone", "text": "Command post at the Main Gate"});
    assert_eq!(send("POST", &say, Some(&viewer), Some(&m)).0, 403);
    let sent: Message = serde_json::from_value(ok("POST", &say, &s.operator, Some(&m))).expect("a message");
    assert_eq!((sent.to.as_str(), sent.by.as_str()), ("everyone", "test operator"));

    // As the server keeps them: the incident's tasks and messages, the open ones, the log.
    let all: Vec<Task> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/tasks"), &viewer, None)).expect("tasks");
    assert_eq!(all.len(), 7);
    assert_eq!(all[0].status, TaskStatus::Done);
    let open: Vec<Task> = serde_json::from_value(ok("GET", &format!("{api}/tasks"), &viewer, None)).expect("tasks");
    assert_eq!(open, all);
    let said: Vec<Message> = serde_json::from_value(ok("GET", &say, &viewer, None)).expect("messages");
    assert_eq!(said, std::slice::from_ref(&sent));
    let live = parktwin_api::client::block_on(parktwin_api::client::ApiClient::new(&s.url).live_snapshot())
        .expect("the live state");
    assert_eq!(live.tasks_of(&id).len(), 7);
    assert_eq!(live.messages, [sent]);

    let timeline = reqwest::blocking::Client::new()
        .get(format!("{api}/after-action/timeline.csv"))
        .bearer_auth(&s.operator)
        .send()
        .expect("answers")
        .text()
        .expect("text");
    for line in [
        "plan toxic-gas-release (Toxic gas release",
        &format!(
            "task {fire} for incident {id} given to fire brigade by test operator (plan toxic-gas-release) with ev-01, ev-04: Water curtain"
        ),
        &format!(
            "task {fire} (Water curtain downwind of the source; SCBA only; stage at the edge of the hot zone.) now en_route: Engine 1 and Aerial 1 leaving"
        ),
        "now done: curtain holding",
        &format!("message to everyone on incident {id}, from test operator: Command post at the Main Gate"),
    ] {
        assert!(timeline.contains(line), "no \"{line}\" in the timeline:\n{timeline}");
    }

    // Closed, the incident takes no more: its tasks stay in its record, not among the open.
    ok("POST", &format!("{api}/incidents/{id}/close"), &s.operator, None);
    let (code, why) = step(tasks[1].id, json!({"status": "en_route"}), &s.operator);
    assert_eq!(code, 409, "{why}");
    assert_eq!(send("POST", &say, Some(&s.operator), Some(&m)).0, 409);
    let open: Vec<Value> = serde_json::from_value(ok("GET", &format!("{api}/tasks"), &viewer, None)).expect("tasks");
    assert!(open.is_empty());
    assert_eq!(
        send("GET", &format!("{api}/incidents/no-such/tasks"), None, None).0,
        404
    );
}

#[test]
fn admins_write_plans_checked_against_the_park_and_an_engine_starts_its_route_from_its_live_position() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "planner").expect("as set up");

    // A plan naming what the park does not have: every problem named, nothing stored.
    let bad = json!({"name": "Phosgene", "hazard_sources": ["mhs-99"], "chemicals": ["phosgene"],
                     "steps": [{"team": "hazmat team", "text": "Ammonia curtain", "resources": ["ev-77"]}]});
    let (code, why) = send("PUT", &format!("{api}/plans/phosgene"), Some(&admin), Some(&bad));
    assert_eq!(code, 422, "{why}");
    let words = why["error"].as_str().unwrap_or_default();
    assert!(
        words.contains("hazard_sources[0]: \"mhs-99\"") && words.contains("steps[0].resources[0]: \"ev-77\""),
        "{words}"
    );
    assert_eq!(send("GET", &format!("{api}/plans/phosgene"), None, None).0, 404);
    // An operator may not write one; an admin may.
    let good = json!({"name": "Phosgene unit release", "name_zh": "光气泄漏", "hazard_sources": ["mhs-09"],
                      "steps": [{"team": "hazmat team", "text": "Ammonia curtain", "resources": ["ev-05"]}]});
    assert_eq!(
        send("PUT", &format!("{api}/plans/phosgene"), Some(&s.operator), Some(&good)).0,
        403
    );
    assert_eq!(
        send("PUT", &format!("{api}/plans/bad%20id"), Some(&admin), Some(&good)).0,
        422
    );
    let plan: Plan =
        serde_json::from_value(ok("PUT", &format!("{api}/plans/phosgene"), &admin, Some(&good))).expect("a plan");
    assert_eq!(plan.body.hazard_sources, ["mhs-09"]);
    let listed: Vec<Plan> = serde_json::from_value(ok("GET", &format!("{api}/plans"), &admin, None)).expect("plans");
    assert_eq!(listed.len(), 4, "the demo's three and this one");
    assert_eq!(
        send("DELETE", &format!("{api}/plans/phosgene"), Some(&admin), None).0,
        204
    );
    assert_eq!(
        send("DELETE", &format!("{api}/plans/phosgene"), Some(&admin), None).0,
        404
    );

    // Engine 1's tracker reports it on the road: its route starts there, from a live fix.
    let id = chlorine_release(&api, &s.operator);
    let before: Vec<ResourceRoute> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/resources"), &admin, None)).expect("routes");
    let engine = before.iter().find(|r| r.id == "ev-01").expect("Engine 1").clone();
    assert_eq!(engine.fix, None, "from its station");
    let plate = engine.plate.clone().expect("its plate");
    let coords = engine.route["coordinates"].as_array().expect("a line").clone();
    let halfway = &coords[coords.len() / 2];
    let (lon, lat) = (halfway[0].as_f64().expect("lon"), halfway[1].as_f64().expect("lat"));
    let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
    ok(
        "POST",
        &format!("{api}/vehicles/positions"),
        &s.ingest,
        Some(&json!([{"plate": plate, "time": now, "lon": lon, "lat": lat, "speed_kmh": 40.0, "heading_deg": 0.0}])),
    );
    let after: Vec<ResourceRoute> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/resources"), &admin, None)).expect("routes");
    let moved = after.iter().find(|r| r.id == "ev-01").expect("Engine 1");
    assert_eq!(moved.fix.as_deref(), Some(now.as_str()));
    assert_eq!(moved.route["coordinates"][0], json!([lon, lat]), "from where it is");
    assert!(
        moved.time_s < engine.time_s && moved.distance_m < engine.distance_m,
        "half way there, it is nearer: {} s against {} s",
        moved.time_s,
        engine.time_s
    );
}

#[test]
fn in_the_demo_an_engine_whose_task_is_en_route_drives_its_road_route_to_the_incident_and_back() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let id = chlorine_release(&api, &s.operator);
    let task: Task = serde_json::from_value(ok(
        "POST",
        &format!("{api}/incidents/{id}/tasks"),
        &s.operator,
        Some(&json!({"team": "fire brigade", "text": "Water curtain", "resources": ["ev-01"]})),
    ))
    .expect("a task");
    let routes: Vec<ResourceRoute> =
        serde_json::from_value(ok("GET", &format!("{api}/incidents/{id}/resources"), &s.operator, None))
            .expect("routes");
    let engine = routes.iter().find(|r| r.id == "ev-01").expect("Engine 1").clone();
    let plate = engine.plate.clone().expect("a plate");
    ok(
        "POST",
        &format!("{api}/tasks/{}/status", task.id),
        &s.operator,
        Some(&json!({"status": "en_route"})),
    );

    // The demo's simulator on a store of the test's own, with the park's descriptor layers (the
    // emergency vehicles') as the server loads them.
    let descriptors = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/park/descriptors");
    store
        .set_descriptor_layers(parktwin_api::descriptor::load_dir(std::path::Path::new(descriptors)))
        .expect("the descriptors");
    let mut sim = parktwin_server::sim::Simulator::new(&store, 7).expect("the simulator");
    let t0 = time::OffsetDateTime::now_utc();
    let fix = |store: &parktwin_server::Store| store.vehicles().expect("fixes").into_iter().find(|v| v.plate == plate);
    // Its road time and a little: it drives at the roads' speeds.
    let drive = engine.time_s.ceil() as i64 + 10;
    let mut seen = Vec::new();
    for s in 0..drive {
        sim.feed(&store, t0 + time::Duration::seconds(s))
            .expect("a second of the demo");
        if let Some(f) = fix(&store) {
            seen.push(f);
        }
    }
    assert!(
        seen.len() as i64 >= drive - 6,
        "a fix each second once it set off: {}",
        seen.len()
    );
    assert!(seen.iter().any(|f| f.speed_kmh >= 29.0), "it drove");
    let last = seen.last().expect("a fix");
    let to = engine.destination;
    let off_m = parktwin_api::frame::LocalFrame::new(to[0], to[1]).to_map(last.lon, last.lat);
    assert!(
        off_m[0].hypot(off_m[1]) < 1.0,
        "on scene at the route's end: {off_m:?} m off"
    );
    assert_eq!(last.speed_kmh, 0.0);
    // A responder standing on scene, inside the zones, raises none of the trucks' alarms.
    let alarms: Vec<Value> =
        serde_json::from_value(ok("GET", &format!("{api}/alarms"), &s.operator, None)).expect("alarms");
    assert!(!alarms.iter().any(|a| a["source"] == plate.as_str()), "{alarms:?}");

    // Done: it drives back.
    ok(
        "POST",
        &format!("{api}/tasks/{}/status", task.id),
        &s.operator,
        Some(&json!({"status": "done"})),
    );
    for s in drive..drive + 20 {
        sim.feed(&store, t0 + time::Duration::seconds(s))
            .expect("a second of the demo");
    }
    let back = fix(&store).expect("a fix");
    let away = parktwin_api::frame::LocalFrame::new(to[0], to[1]).to_map(back.lon, back.lat);
    assert!(away[0].hypot(away[1]) > 50.0, "on its way home: {away:?}");
}
