//! Who is asking: the bearer token of a request, the scope of what a read may see, the roles
//! a write needs, and the session a client signs in with.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Reads;
use super::{Answer, AppState, Failure, blocking};
use crate::store::Store;
use parktwin_api::scope::Access;

/// Decides what a read may see, from its bearer token, before the route runs: the route finds
/// the [`Access`] in the request's extensions. A read with an unknown or revoked token is
/// refused (401), and so is one without a token when reads are private, except the contract's
/// document. Writes check their own roles (each route names whose token it needs).
pub(super) async fn reader(
    State((s, reads)): State<(AppState, Reads)>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // A what-if is posted, but it only computes and reads: under private reads it needs a
    // token as every read does.
    let reading = matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD)
        || (req.method() == axum::http::Method::POST && req.uri().path().ends_with("/what-if"));
    let access = if !reading {
        Access::Park
    } else {
        match bearer(req.headers()) {
            Some(token) => {
                let store = s.clone();
                let token = token.to_string();
                match blocking(move || store.caller(&token)).await {
                    Ok(Ok(Some(c))) => c.access,
                    Ok(Ok(None)) => return unknown_token().into_response(),
                    Ok(Err(e)) => return Failure::from(e).into_response(),
                    Err(e) => return e.into_response(),
                }
            }
            None if reads == Reads::Private && !req.uri().path().ends_with(crate::openapi::DOCUMENT_PATH) => {
                return Failure(
                    StatusCode::UNAUTHORIZED,
                    "reading this park needs a token (the server runs with --private-reads): \
                     Authorization: Bearer <token>"
                        .into(),
                )
                .into_response();
            }
            None => Access::Park,
        }
    };
    req.extensions_mut().insert(access);
    next.run(req).await
}

/// The bearer token of a request, if it has one: its `Authorization: Bearer` header (tools),
/// or else its session cookie (a browser signed in with a name and a password).
pub(super) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or_else(|| session_cookie(headers))
}

/// The name of the cookie a browser's session travels in.
pub(super) const SESSION_COOKIE: &str = "parktwin_session";

/// The session cookie's value, if the request carries it.
fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|t| !t.is_empty())
}

pub(super) fn unknown_token() -> Failure {
    Failure(StatusCode::UNAUTHORIZED, "the token is unknown or revoked".to_string())
}

/// 403 for what belongs to another enterprise than the reader's.
pub(super) fn not_yours(what: String) -> Failure {
    Failure(
        StatusCode::FORBIDDEN,
        format!("{what} belongs to another enterprise: this token reads and acts for its own enterprise only"),
    )
}

/// What the request may read, as [`reader`] decided.
pub(super) type Scope = Extension<Access>;

/// The role and name of the request's bearer token; 401 when there is none or it is unknown.
pub(super) fn caller(s: &Store, headers: &axum::http::HeaderMap, needs: &str) -> Result<crate::store::Caller, Failure> {
    let token = bearer(headers).ok_or_else(|| {
        Failure(
            StatusCode::UNAUTHORIZED,
            format!("{needs} needs a token (Authorization: Bearer <token>) or a session (POST /api/v1/session)"),
        )
    })?;
    s.caller(token)?.ok_or_else(unknown_token)
}

/// The caller when its token has one of `roles` (`whose` names them for the refusal): 401
/// without a token or with an unknown or revoked one, 403 with another role's.
pub(super) fn may(
    s: &Store,
    headers: &axum::http::HeaderMap,
    roles: &[parktwin_api::model::Role],
    what: &str,
    whose: &str,
) -> Result<crate::store::Caller, Failure> {
    let c = caller(s, headers, what)?;
    if !roles.contains(&c.role) {
        return Err(Failure(
            StatusCode::FORBIDDEN,
            format!("a {:?} token may not do {what}; {whose} may", c.role),
        ));
    }
    Ok(c)
}

/// An operator (or an admin), whether park-wide or scoped to an enterprise.
pub(super) fn any_operator(
    s: &Store,
    headers: &axum::http::HeaderMap,
    what: &str,
) -> Result<crate::store::Caller, Failure> {
    use parktwin_api::model::Role;
    may(s, headers, &[Role::Operator, Role::Admin], what, "an operator's")
}

/// The caller's name when it is a park-wide operator (or an admin): incidents, drills and the
/// wall act for the whole park, which an operator scoped to an enterprise does not.
pub(super) fn operator(s: &Store, headers: &axum::http::HeaderMap, what: &str) -> Result<String, Failure> {
    let c = any_operator(s, headers, what)?;
    if let Access::Enterprise(e) = &c.access {
        return Err(Failure(
            StatusCode::FORBIDDEN,
            format!(
                "{} operates for the enterprise {e} only, and {what} acts for the whole park: a park-wide operator may",
                c.name
            ),
        ));
    }
    Ok(c.name)
}

/// The caller's name when it is an admin.
pub(super) fn admin(s: &Store, headers: &axum::http::HeaderMap, what: &str) -> Result<String, Failure> {
    use parktwin_api::model::Role;
    Ok(may(s, headers, &[Role::Admin], what, "an admin's")?.name)
}

/// The caller's name when its token is a machine feed's (or an admin's): only feeds write
/// readings, positions, weather, passes and waybills, so that nobody who finds the port can
/// forge them.
pub(super) fn ingest(s: &Store, headers: &axum::http::HeaderMap, what: &str) -> Result<String, Failure> {
    use parktwin_api::model::Role;
    Ok(may(s, headers, &[Role::Ingest, Role::Admin], what, "an ingest feed's")?.name)
}

/// `GET /session`: the role and name of the bearer token (401 without one or with an unknown
/// or revoked one), for a client's sign-in.
pub(super) async fn session(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Answer<impl IntoResponse> {
    let c = caller(&s, &headers, "a session")?;
    let enterprise = match c.access {
        Access::Park => None,
        Access::Enterprise(e) => Some(e),
    };
    Ok(Json(parktwin_api::model::Session {
        role: c.role,
        name: c.name,
        enterprise,
    }))
}
