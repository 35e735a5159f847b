//! Emergency command over HTTP: the park's emergency plans (admins write them), a plan
//! activated on an incident, tasks to teams and their steps, and the response's messages
//! (park-wide operators).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use parktwin_api::emergency::{Message, NewMessage, NewTask, Plan, PlanBody, Task, TaskStep, is_plan_id};

use super::access::{admin, operator};
use super::input::decode_body;
use super::{Answer, AppState, Failure, now};
use crate::emergency::Refused;
use crate::openapi::{Documented, Op};

/// A refusal as an answer: 404, 409 or 422 with its words.
fn refused(r: Refused) -> Failure {
    match r {
        Refused::Unknown(m) => Failure(StatusCode::NOT_FOUND, m),
        Refused::Conflict(m) => Failure(StatusCode::CONFLICT, m),
        Refused::Invalid(problems) => Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the body: {}", problems.join("; ")),
        ),
    }
}

fn stamp() -> String {
    parktwin_api::clock::format_utc(now())
}

fn unknown_incident(id: &str) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown incident \"{id}\""))
}

pub(super) async fn plans(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.plans()?))
}

pub(super) async fn plan(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.plan(&id)?
        .map(Json)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("unknown plan \"{id}\"")))
}

pub(super) async fn put_plan(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "writing emergency plans")?;
    if !is_plan_id(&id) {
        return Err(Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the plan's id \"{id}\": 1 to 64 letters, digits, '-' or '_'"),
        ));
    }
    let b: PlanBody = decode_body(&body)?;
    s.put_plan(&id, &b)?.map(Json).map_err(refused)
}

pub(super) async fn delete_plan(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "removing emergency plans")?;
    if s.delete_plan(&id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(StatusCode::NOT_FOUND, format!("unknown plan \"{id}\"")))
    }
}

pub(super) async fn incident_plans(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.incident_plans(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

pub(super) async fn activate_plan(
    State(s): State<AppState>,
    Path((id, plan)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    let by = operator(&s, &headers, "activating emergency plans")?;
    let tasks = s.activate_plan(&id, &plan, &by, &stamp())?.map_err(refused)?;
    Ok((StatusCode::CREATED, Json(tasks)))
}

pub(super) async fn add_task(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let by = operator(&s, &headers, "giving tasks")?;
    let b: NewTask = decode_body(&body)?;
    let task = s.add_task(&id, &b, &by, &stamp())?.map_err(refused)?;
    Ok((StatusCode::CREATED, Json(task)))
}

pub(super) async fn incident_tasks(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.tasks(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

pub(super) async fn tasks(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    match q.get("state").map(String::as_str) {
        None | Some("open") => Ok(Json(s.open_tasks()?)),
        Some(other) => Err(Failure(
            StatusCode::BAD_REQUEST,
            format!(
                "state: \"{other}\" is not one of: open (the open incidents' tasks; an incident's all are at /incidents/{{id}}/tasks)"
            ),
        )),
    }
}

pub(super) async fn task_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    operator(&s, &headers, "moving tasks on")?;
    let id: i64 = id
        .parse()
        .map_err(|_| Failure(StatusCode::NOT_FOUND, format!("unknown task \"{id}\"")))?;
    let b: TaskStep = decode_body(&body)?;
    s.task_step(id, &b, &stamp())?.map(Json).map_err(refused)
}

pub(super) async fn send_message(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let by = operator(&s, &headers, "sending messages")?;
    let b: NewMessage = decode_body(&body)?;
    let m = s.send_message(&id, &b, &by, &stamp())?.map_err(refused)?;
    Ok((StatusCode::CREATED, Json(m)))
}

pub(super) async fn incident_messages(State(s): State<AppState>, Path(id): Path<String>) -> Answer<impl IntoResponse> {
    s.messages(&id)?.map(Json).ok_or_else(|| unknown_incident(&id))
}

/// The most messages one answer of `GET /messages` lists.
const MAX_MESSAGES: i64 = 500;

pub(super) async fn messages(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let limit = match q.get("limit") {
        None => 50,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_MESSAGES).contains(n))
            .ok_or_else(|| {
                Failure(
                    StatusCode::BAD_REQUEST,
                    format!("limit: \"{v}\" is not a whole number from 1 to {MAX_MESSAGES}"),
                )
            })?,
    };
    Ok(Json(s.latest_messages(limit)?))
}

/// The operations' documents.
pub(super) fn document(d: Documented<AppState>) -> Documented<AppState> {
    use parktwin_api::model::Role;
    use serde_json::json;
    const OPERATOR: &[Role] = &[Role::Operator, Role::Admin];
    const ADMIN: &[Role] = &[Role::Admin];
    d.get(
        "/plans",
        plans,
        Op::new("The park's emergency plans (预案): what each is for (hazard sources, chemicals) and its steps.")
            .returns::<Vec<Plan>>(),
    )
    .get(
        "/plans/{id}",
        plan,
        Op::new("One emergency plan.")
            .path("id", "A plan's id.")
            .returns::<Plan>(),
    )
    .put(
        "/plans/{id}",
        put_plan,
        Op::new(
            "Writes an emergency plan, new or replacing the one of that id; every hazard source, chemical and \
             resource it names must be the park's (each problem named).",
        )
        .path("id", "A plan's id: 1 to 64 letters, digits, '-' or '_'.")
        .body::<PlanBody>("What it is for and its steps.")
        .needs(ADMIN, "an admin's")
        .returns::<Plan>(),
    )
    .delete(
        "/plans/{id}",
        delete_plan,
        Op::new("Removes an emergency plan; the tasks it gave stay.")
            .path("id", "A plan's id.")
            .needs(ADMIN, "an admin's")
            .answers_nothing(),
    )
    .get(
        "/incidents/{id}/plans",
        incident_plans,
        Op::new("The emergency plans for an incident: its major hazard source's and its chemical's.")
            .path("id", "An incident's id.")
            .returns::<Vec<Plan>>(),
    )
    .post(
        "/incidents/{id}/plans/{plan}/activate",
        activate_plan,
        Op::new("Activates an emergency plan on an incident: a task for each of its steps, given to its team.")
            .path("id", "An incident's id.")
            .path("plan", "A plan's id.")
            .needs(OPERATOR, "a park-wide operator's")
            .refuses(409, "The incident is closed, or the plan is active on it already.")
            .creates::<Vec<Task>>(),
    )
    .post(
        "/incidents/{id}/tasks",
        add_task,
        Op::new("Gives a task to a team during an incident.")
            .path("id", "An incident's id.")
            .body::<NewTask>("The team, what to do, the resources it takes.")
            .needs(OPERATOR, "a park-wide operator's")
            .refuses(409, "The incident is closed.")
            .creates::<Task>(),
    )
    .get(
        "/incidents/{id}/tasks",
        incident_tasks,
        Op::new("An incident's tasks, in the order they were given, each with its status and times.")
            .path("id", "An incident's id.")
            .returns::<Vec<Task>>(),
    )
    .get(
        "/tasks",
        tasks,
        Op::new("The open incidents' tasks.")
            .query(
                "state",
                "Which tasks: open (the open incidents').",
                json!({"type": "string", "enum": ["open"], "default": "open"}),
            )
            .returns::<Vec<Task>>(),
    )
    .post(
        "/tasks/{id}/status",
        task_step,
        Op::new("Moves a task on: en_route, on_scene or done (never back), with what the team reports.")
            .path("id", "A task's id.")
            .body::<TaskStep>("Where it stands now.")
            .needs(OPERATOR, "a park-wide operator's")
            .refuses(409, "The task is there or past it already, or its incident is closed.")
            .returns::<Task>(),
    )
    .post(
        "/incidents/{id}/messages",
        send_message,
        Op::new("Sends a message during an incident, to a team or to everyone.")
            .path("id", "An incident's id.")
            .body::<NewMessage>("To whom, and what.")
            .needs(OPERATOR, "a park-wide operator's")
            .refuses(409, "The incident is closed.")
            .creates::<Message>(),
    )
    .get(
        "/incidents/{id}/messages",
        incident_messages,
        Op::new("An incident's messages, oldest first.")
            .path("id", "An incident's id.")
            .returns::<Vec<Message>>(),
    )
    .get(
        "/messages",
        messages,
        Op::new("The newest messages of any incident, oldest first.")
            .query(
                "limit",
                "How many (1 to 500).",
                json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
            )
            .returns::<Vec<Message>>(),
    )
}
