//! An alarm's lifecycle over HTTP: one alarm with its history, the operators' steps
//! (acknowledge, assign, resolve, close, shelve, unshelve), the park's alarm policy and the
//! alarm-management figures.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use parktwin_api::alarm_life::{AlarmPolicy, Refusal, Step};
use serde::{Deserialize, Serialize};

use super::access::{Scope, admin, any_operator, not_yours};
use super::input::{decode_body, window};
use super::{Answer, AppState, Failure, now};
use crate::openapi::{Documented, Op};
use crate::store::StepOutcome;

/// `POST /alarms/{id}/assign`'s body.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The person or team to deal with it (at most 500 characters).
    #[schemars(length(min = 1, max = 500))]
    pub to: String,
}

/// `POST /alarms/{id}/resolve`'s body.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// What caused it (at most 500 characters).
    #[schemars(length(min = 1, max = 500))]
    pub cause: String,
    /// What was done (at most 500 characters).
    #[schemars(length(min = 1, max = 500))]
    pub action: String,
    /// Whether there was nothing to it.
    #[serde(default)]
    pub false_alarm: bool,
}

/// `POST /alarms/{id}/shelve`'s body: a reason and an end, either a time or a number of seconds
/// from now (one of the two).
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShelveBody {
    /// Why (at most 500 characters).
    #[schemars(length(min = 1, max = 500))]
    pub reason: String,
    /// Until this time (RFC 3339).
    #[serde(default)]
    pub until: Option<String>,
    /// For this many seconds from now (at most the policy's `shelve_max_s`).
    #[serde(default)]
    #[schemars(range(min = 1, max = 604800))]
    pub for_s: Option<i64>,
}

fn alarm_id(id: &str) -> Result<i64, Failure> {
    id.parse()
        .map_err(|_| Failure(StatusCode::NOT_FOUND, format!("unknown alarm \"{id}\"")))
}

fn unknown(id: i64) -> Failure {
    Failure(StatusCode::NOT_FOUND, format!("unknown alarm {id}"))
}

/// Takes `step` on the alarm `id` for `who`, an operator, and one scoped to an enterprise only
/// on that enterprise's alarms.
fn take(s: &AppState, who: crate::store::Caller, id: &str, step: Step) -> Answer<impl IntoResponse + use<>> {
    let id = alarm_id(id)?;
    let alarm = s.alarm(id)?.ok_or_else(|| unknown(id))?;
    if !who.access.sees(&s.index()?.owners, &alarm.source) {
        return Err(not_yours(format!("alarm {id} (of {})", alarm.source)));
    }
    let at = parktwin_api::clock::format_utc(now());
    match s.alarm_step(id, &step, &who.name, &at)? {
        StepOutcome::Unknown => Err(unknown(id)),
        StepOutcome::Refused(Refusal::Conflict(m)) => Err(Failure(StatusCode::CONFLICT, m)),
        StepOutcome::Refused(Refusal::Invalid(m)) => {
            Err(Failure(StatusCode::UNPROCESSABLE_ENTITY, format!("the body: {m}")))
        }
        StepOutcome::Done(a) => {
            s.notify_waiting();
            Ok(Json(a))
        }
    }
}

pub(super) async fn ack_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "acknowledging alarms")?;
    take(&s, who, &id, Step::Ack)
}

pub(super) async fn assign_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "assigning alarms")?;
    let b: AssignBody = decode_body(&body)?;
    take(&s, who, &id, Step::Assign { to: b.to })
}

pub(super) async fn resolve_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "resolving alarms")?;
    let b: ResolveBody = decode_body(&body)?;
    let step = Step::Resolve {
        cause: b.cause,
        action: b.action,
        false_alarm: b.false_alarm,
    };
    take(&s, who, &id, step)
}

pub(super) async fn close_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "closing alarms")?;
    take(&s, who, &id, Step::Close)
}

pub(super) async fn shelve_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "shelving alarms")?;
    let b: ShelveBody = decode_body(&body)?;
    let until = match (b.until, b.for_s) {
        (Some(u), None) => u,
        (None, Some(secs)) => match now().checked_add(time::Duration::seconds(secs)).filter(|_| secs > 0) {
            Some(t) => parktwin_api::clock::format_utc(t),
            None => {
                return Err(Failure(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("the body: for_s: {secs} is not a number of seconds the shelving can last"),
                ));
            }
        },
        _ => {
            return Err(Failure(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the body: give the shelving's end as one of \"until\" (a time) or \"for_s\" (seconds)".into(),
            ));
        }
    };
    take(
        &s,
        who,
        &id,
        Step::Shelve {
            reason: b.reason,
            until,
        },
    )
}

pub(super) async fn unshelve_alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    let who = any_operator(&s, &headers, "unshelving alarms")?;
    take(&s, who, &id, Step::Unshelve)
}

/// `GET /alarms/{id}`: the alarm with its history, for those who see its source.
pub(super) async fn alarm(
    State(s): State<AppState>,
    Path(id): Path<String>,
    axum::Extension(a): Scope,
) -> Answer<impl IntoResponse> {
    let id = alarm_id(&id)?;
    let found = s.alarm_with_history(id)?.ok_or_else(|| unknown(id))?;
    if !a.sees(&s.index()?.owners, &found.alarm.source) {
        return Err(not_yours(format!("alarm {id} (of {})", found.alarm.source)));
    }
    Ok(Json(found))
}

pub(super) async fn alarm_policy(State(s): State<AppState>) -> Answer<impl IntoResponse> {
    Ok(Json(s.alarm_policy()?))
}

pub(super) async fn set_alarm_policy(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "setting the alarm policy")?;
    let policy: AlarmPolicy = decode_body(&body)?;
    let problems = policy.problems();
    if !problems.is_empty() {
        return Err(Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the body: {}", problems.join("; ")),
        ));
    }
    s.set_alarm_policy(&policy)?;
    Ok(Json(policy))
}

/// The longest period the figures are computed over: a month of 10-minute periods.
const FIGURES_MAX_DAYS: i64 = 31;

pub(super) async fn alarm_figures(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let (from, to) = window(&q, time::Duration::hours(24))?;
    let span = parktwin_api::clock::unix_seconds(&to) - parktwin_api::clock::unix_seconds(&from);
    if span > (FIGURES_MAX_DAYS * 86_400) as f64 {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("the period from {from} to {to} is longer than {FIGURES_MAX_DAYS} days"),
        ));
    }
    Ok(Json(s.alarm_figures(&from, &to)?))
}

/// The operations of this file, in the API's one list (see [`super::api`]).
pub(super) fn document(d: Documented<AppState>) -> Documented<AppState> {
    use parktwin_api::model::{Alarm, Role};
    use serde_json::json;
    const OPERATOR: &[Role] = &[Role::Operator, Role::Admin];
    const ADMIN: &[Role] = &[Role::Admin];
    let time =
        || json!({"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-11-27T08:00:00Z"});
    d        .get(
            "/alarms/figures",
            alarm_figures,
            Op::new(
                "Alarm-management figures of a period (ISA-18.2 clause 16, EEMUA 191): alarms per 10 minutes, \
                 the share of 10-minute periods in flood (more than 10), chattering alarms (3 or more within a \
                 minute), the ten most frequent and their share, standing alarms (active 24 hours or more).",
            )
            .query("from", "Start of the period (\"to\" less a day when only \"to\" is given); not after \"to\"; at most 31 days before it.", time())
            .query("to", "End of the period (now by default, or \"from\" when that is later).", time())
            .returns::<parktwin_api::alarm_figures::AlarmFigures>(),
        )
        .get(
            "/alarms/policy",
            alarm_policy,
            Op::new("The park's alarm policy: which rules latch, when an unacknowledged alarm is escalated, the longest shelving.")
                .returns::<parktwin_api::alarm_life::AlarmPolicy>(),
        )
        .put(
            "/alarms/policy",
            set_alarm_policy,
            Op::new("Replaces the park's alarm policy; every problem named in the answer.")
                .body::<parktwin_api::alarm_life::AlarmPolicy>("The whole policy.")
                .needs(ADMIN, "an admin's")
                .returns::<parktwin_api::alarm_life::AlarmPolicy>(),
        )
        .get(
            "/alarms/{id}",
            alarm,
            Op::new("One alarm with its history: every step, who took it and when.")
                .path("id", "An alarm's id.")
                .refuses(403, "It is about another enterprise than an enterprise-scoped viewer's.")
                .returns::<crate::store::AlarmWithHistory>(),
        )
        .post(
            "/alarms/{id}/ack",
            ack_alarm,
            Op::new("Acknowledges an alarm in the caller's name (a second acknowledgement changes nothing).")
                .path("id", "An alarm's id.")
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The alarm is closed.")
                .returns::<Alarm>(),
        )
        .post(
            "/alarms/{id}/assign",
            assign_alarm,
            Op::new("Gives an alarm to a person or a team (acknowledging it if nobody has).")
                .path("id", "An alarm's id.")
                .body::<AssignBody>("Who is to deal with it.")
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The alarm is closed.")
                .returns::<Alarm>(),
        )
        .post(
            "/alarms/{id}/resolve",
            resolve_alarm,
            Op::new(
                "Records an alarm's cause and the action taken, or that it was a false alarm. It closes when its \
                 condition has cleared (at once if it has, or if its rule is judged once: the waybill's).",
            )
            .path("id", "An alarm's id.")
            .body::<ResolveBody>("Cause, action, and whether it was a false alarm.")
            .needs(OPERATOR, "an operator's")
            .refuses(409, "The alarm is closed or resolved already.")
            .returns::<Alarm>(),
        )
        .post(
            "/alarms/{id}/close",
            close_alarm,
            Op::new("Closes an alarm whose condition has cleared (a latched alarm waits for this).")
                .path("id", "An alarm's id.")
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The alarm is closed, or its condition persists.")
                .returns::<Alarm>(),
        )
        .post(
            "/alarms/{id}/shelve",
            shelve_alarm,
            Op::new(
                "Sets an alarm aside until a time, with a reason: it neither escalates nor notifies meanwhile, and \
                 comes back by itself when the time is up (at most the policy's shelve_max_s).",
            )
            .path("id", "An alarm's id.")
            .body::<ShelveBody>("A reason, and the end as a time or seconds from now.")
            .needs(OPERATOR, "an operator's")
            .refuses(409, "The alarm is closed.")
            .returns::<Alarm>(),
        )
        .post(
            "/alarms/{id}/unshelve",
            unshelve_alarm,
            Op::new("Takes a shelved alarm back before its time.")
                .path("id", "An alarm's id.")
                .needs(OPERATOR, "an operator's")
                .refuses(409, "The alarm is closed or not shelved.")
                .returns::<Alarm>(),
        )
        .get(
            "/subscriptions",
            subscriptions,
            Op::new("Who is told of alarms: webhooks and email addresses with what they asked for.")
                .needs(ADMIN, "an admin's")
                .returns::<Vec<crate::store::Subscription>>(),
        )
        .post(
            "/subscriptions",
            subscribe,
            Op::new(
                "Subscribes a webhook (a JSON POST signed with HMAC-SHA256 in X-ParkTwin-Signature, retried with \
                 backoff) or an email address to alarm events, by event, tier, rule and enterprise. The answer \
                 carries the webhook's signing secret, once.",
            )
            .body::<crate::store::NewSubscription>("Where to, and which alarms.")
            .needs(ADMIN, "an admin's")
            .creates::<crate::store::Subscription>(),
        )
        .delete(
            "/subscriptions/{id}",
            unsubscribe,
            Op::new("Removes a subscription and its deliveries still waiting.")
                .path("id", "A subscription's id.")
                .needs(ADMIN, "an admin's")
                .answers_nothing(),
        )
        .get(
            "/subscriptions/{id}/deliveries",
            deliveries,
            Op::new("A subscription's deliveries, newest first: tries, when delivered, the last error.")
                .path("id", "A subscription's id.")
                .needs(ADMIN, "an admin's")
                .returns::<Vec<crate::store::Delivery>>(),
        )
}

/// Whether the server has an SMTP relay, for the subscriptions' checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HasSmtp(pub bool);

pub(super) async fn subscriptions(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "reading the subscriptions")?;
    Ok(Json(s.subscriptions()?))
}

pub(super) async fn subscribe(
    State(s): State<AppState>,
    axum::Extension(HasSmtp(smtp)): axum::Extension<HasSmtp>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    let by = admin(&s, &headers, "subscribing to alarms")?;
    let wants: crate::store::NewSubscription = decode_body(&body)?;
    let problems = wants.problems(smtp);
    if !problems.is_empty() {
        return Err(Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the body: {}", problems.join("; ")),
        ));
    }
    let at = parktwin_api::clock::format_utc(now());
    Ok((StatusCode::CREATED, Json(s.add_subscription(&wants, &by, &at)?)))
}

fn subscription_id(id: &str) -> Result<i64, Failure> {
    id.parse()
        .map_err(|_| Failure(StatusCode::NOT_FOUND, format!("unknown subscription \"{id}\"")))
}

pub(super) async fn unsubscribe(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "removing a subscription")?;
    let id = subscription_id(&id)?;
    if s.remove_subscription(id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Failure(StatusCode::NOT_FOUND, format!("unknown subscription {id}")))
    }
}

/// The most deliveries one answer lists.
const MAX_DELIVERIES: usize = 500;

pub(super) async fn deliveries(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "reading a subscription's deliveries")?;
    let id = subscription_id(&id)?;
    if !s.subscriptions()?.iter().any(|x| x.id == id) {
        return Err(Failure(StatusCode::NOT_FOUND, format!("unknown subscription {id}")));
    }
    Ok(Json(s.deliveries(id, MAX_DELIVERIES)?))
}
