//! People's accounts over the API: signing in and out (`/session`), and an admin's accounts
//! (`/users`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parktwin_api::model::{NewPassword, NewUser, SignIn as SignInBody};

use super::access::{SESSION_COOKIE, admin, bearer, unknown_token};
use super::{Answer, AppState, Failure, Transport, blocking, decode_body};
use crate::store::{AuditRecord, Refusal, SignIn};

/// `POST /session`: a name and a password; a session's token in the body and, for a browser,
/// in an HttpOnly cookie. 401 for a wrong name or password, 429 with `Retry-After` once a name
/// has failed too often. Every attempt is in the audit trail.
pub(super) async fn sign_in(
    State(s): State<AppState>,
    axum::Extension(transport): axum::Extension<Transport>,
    from: super::ClientAddr,
    body: Bytes,
) -> Answer<Response> {
    let SignInBody { name, password } = decode_body(&body)?;
    let store = s.clone();
    let tried = name.clone();
    let outcome = blocking(move || store.sign_in(&tried, &password)).await??;
    let (status, detail) = match &outcome {
        SignIn::Signed(_) => (StatusCode::OK, "signed in".to_string()),
        SignIn::Refused { why, .. } => (StatusCode::UNAUTHORIZED, why.clone()),
        SignIn::Throttled { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("locked for {} s after repeated failures", retry_after.as_secs()),
        ),
    };
    s.audit(&AuditRecord {
        who: name.clone(),
        role: match &outcome {
            SignIn::Signed(signed) => Some(signed.role),
            _ => None,
        },
        from: from.0,
        action: "POST".into(),
        target: format!("{}/session", super::API_PREFIX),
        status: status.as_u16(),
        detail,
    })?;
    match outcome {
        SignIn::Signed(signed) => {
            // No Max-Age: the cookie lives as long as the browser, and the server says when the
            // session ends (12 hours unused; one in use goes on).
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}",
                signed.token,
                if transport.tls { "; Secure" } else { "" }
            );
            let mut response = Json(signed).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        SignIn::Refused { why, delay } => {
            // Each failure in a row answers later than the last: guessing slows down before
            // the name is locked.
            tokio::time::sleep(delay).await;
            Err(Failure(StatusCode::UNAUTHORIZED, why))
        }
        SignIn::Throttled { retry_after } => {
            let secs = retry_after.as_secs().max(1);
            let mut response = Failure(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed sign-ins for \"{name}\": try again in {secs} s"),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            Ok(response)
        }
    }
}

/// `DELETE /session`: ends the session the request carries (its bearer token or its cookie)
/// and clears the cookie.
pub(super) async fn sign_out(State(s): State<AppState>, headers: HeaderMap) -> Answer<Response> {
    let token = bearer(&headers).ok_or_else(|| {
        Failure(
            StatusCode::UNAUTHORIZED,
            "signing out needs the session: its cookie or Authorization: Bearer <token>".into(),
        )
    })?;
    if s.caller(token)?.is_none() {
        return Err(unknown_token());
    }
    if !s.sign_out(token)? {
        return Err(Failure(
            StatusCode::FORBIDDEN,
            "this token is not a session: a token made with `parktwin-server token create` is revoked with `token revoke`"
                .into(),
        ));
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("parktwin_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

fn refusal(r: Refusal) -> Failure {
    let status = match r {
        Refusal::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::Conflict(_) => StatusCode::CONFLICT,
        Refusal::NotFound(_) => StatusCode::NOT_FOUND,
    };
    Failure(status, r.to_string())
}

/// `GET /users` (admin): every account.
pub(super) async fn users(State(s): State<AppState>, headers: HeaderMap) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "listing accounts")?;
    Ok(Json(s.users()?))
}

/// `POST /users` (admin): a new account.
pub(super) async fn create_user(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer<Response> {
    admin(&s, &headers, "making accounts")?;
    let new: NewUser = decode_body(&body)?;
    let store = s.clone();
    let made = blocking(move || store.create_user(&new.name, new.role, new.enterprise.as_deref(), &new.password))
        .await??
        .map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// `POST /users/{name}/disable` (admin): the account cannot sign in, its sessions end now.
pub(super) async fn disable_user(
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "disabling accounts")?;
    Ok(Json(s.disable_user(&name)?.map_err(refusal)?))
}

/// `PUT /users/{name}/password` (admin): a new password; the account's sessions end now.
pub(super) async fn reset_password(
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "resetting passwords")?;
    let NewPassword { password } = decode_body(&body)?;
    let store = s.clone();
    let user = blocking(move || store.reset_password(&name, &password))
        .await??
        .map_err(refusal)?;
    Ok(Json(user))
}
