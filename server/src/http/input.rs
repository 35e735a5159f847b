//! What every request goes through before its handler reads it, and how a handler reads its
//! query and body: the refusals of a NUL or a repeated parameter, axum's own refusals made
//! JSON, the query's parameters and time window, a JSON body.

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Failure, MAX_BODY_BYTES, now};

/// A URL holding a NUL character (`%00`) is answered before it reaches a handler: no name, id
/// or time of the park holds one (and PostgreSQL's text cannot, so the two stores answer it
/// alike). In the path it names nothing (404); in the query it is a bad argument (400).
pub(super) async fn refuse_nul(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let nul = |s: &str| s.as_bytes().windows(3).any(|w| w == b"%00");
    let uri = req.uri();
    if nul(uri.path()) {
        return Failure(
            StatusCode::NOT_FOUND,
            format!("{}: no name or id of the park holds a NUL character (%00)", uri.path()),
        )
        .into_response();
    }
    // Each parameter once: which of two values a server takes is its own guess.
    if let Some(twice) = uri.query().and_then(repeated_parameter) {
        return Failure(
            StatusCode::BAD_REQUEST,
            format!("query parameter \"{twice}\" is given more than once"),
        )
        .into_response();
    }
    if uri.query().is_some_and(nul) {
        return Failure(
            StatusCode::BAD_REQUEST,
            "the query holds a NUL character (%00), which no name, id or time of the park holds".into(),
        )
        .into_response();
    }
    next.run(req).await
}

/// The first parameter a query names twice, if any.
fn repeated_parameter(query: &str) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .find(|k| !seen.insert(*k))
        .map(str::to_string)
}

/// Every error the API answers is JSON `{"error": "..."}`: axum's own refusals (a body over
/// the limit, a path or query that does not parse, a wrong content type) come as plain text
/// and are rewrapped here, with the limit named where the body was too large.
pub(super) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && is_text) {
        return response;
    }
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "the request body is larger than the limit of {} MiB; send it in smaller batches",
            MAX_BODY_BYTES / (1024 * 1024)
        )
    } else if text.is_empty() {
        status.canonical_reason().unwrap_or("bad request").to_string()
    } else {
        text
    };
    Failure(status, error).into_response()
}

pub(super) fn param<T: std::str::FromStr>(
    q: &HashMap<String, String>,
    key: &str,
    default: T,
    what: &str,
) -> Result<T, Failure> {
    match q.get(key) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            Failure(
                StatusCode::BAD_REQUEST,
                format!("query parameter \"{key}\" must be {what}, got \"{v}\""),
            )
        }),
    }
}

/// The `from`/`to` window of a history query, as stored times (default: the last `span`).
pub(super) fn window(q: &HashMap<String, String>, span: time::Duration) -> Result<(String, String), Failure> {
    let bad = |key: &str, e: String| Failure(StatusCode::BAD_REQUEST, format!("query parameter \"{key}\": {e}"));
    let parse = |key: &str| -> Result<Option<time::OffsetDateTime>, Failure> {
        q.get(key)
            .map(|t| {
                parktwin_api::clock::normalise_time(t)
                    .and_then(|n| {
                        time::OffsetDateTime::parse(&n, &time::format_description::well_known::Rfc3339)
                            .map_err(|e| e.to_string())
                    })
                    .map_err(|e| bad(key, e))
            })
            .transpose()
    };
    // Alone, `to` ends a window of `span` before it, and `from` starts one that ends now (or
    // at `from`, when that is later: an empty window rather than a refusal).
    let (from, to) = match (parse("from")?, parse("to")?) {
        (Some(f), Some(t)) => (f, t),
        (None, Some(t)) => (t.checked_sub(span).unwrap_or(t), t),
        (Some(f), None) => (f, f.max(now())),
        (None, None) => (now() - span, now()),
    };
    let (from, to) = (
        parktwin_api::clock::format_utc(from),
        parktwin_api::clock::format_utc(to),
    );
    if from > to {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("\"from\" ({from}) is after \"to\" ({to})"),
        ));
    }
    Ok((from, to))
}

/// A JSON body decoded as a `T`: 400 when it is not JSON at all, 422 naming what is wrong when
/// it is JSON of another shape (a wrong type, a missing or unknown field).
pub(super) fn decode_body<T: serde::de::DeserializeOwned + serde::Serialize>(body: &[u8]) -> Result<T, Failure> {
    let value = parktwin_api::validate::json_body(body).map_err(|e| Failure(StatusCode::BAD_REQUEST, e))?;
    parktwin_api::validate::decode_record(value)
        .map_err(|e| Failure(StatusCode::UNPROCESSABLE_ENTITY, format!("the body: {e}")))
}
