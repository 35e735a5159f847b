//! The audit trail over HTTP: every write is recorded as it is answered (sign-ins record
//! their own, with the name tried), an admin reads it, and the headers every answer carries
//! (security, CORS).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::access::{admin, bearer};
use super::{Answer, AppState, Failure, blocking, window};
use crate::store::{AuditFilter, AuditRecord};
use parktwin_api::model::ApiError;

/// Most lines `GET /audit` answers at once.
pub const MAX_AUDIT_LINES: usize = 10_000;

/// Where a request came from: the client's address as the connection shows it (a proxy in
/// front shows as itself), or `unknown` where the server was not told (a router served
/// without connection info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(client_addr(&parts.extensions))
    }
}

fn client_addr(extensions: &axum::http::Extensions) -> ClientAddr {
    ClientAddr(
        extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string()),
    )
}

/// Whether a request changes something: every method but GET, HEAD and OPTIONS, except a
/// what-if (which only computes) and a sign-in (whose handler records it with the name tried).
fn writes(method: &Method, path: &str) -> bool {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || path.ends_with("/what-if");
    let signs_in = *method == Method::POST && path.ends_with("/session");
    !(reads || signs_in)
}

/// Records each write once it is answered: who (the caller as it was before the request: a
/// sign-out ends its own session), from where, the method, path and query, the status, and
/// the refusal's words when it was refused.
pub(super) async fn record_writes(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // The path as the client sent it: this router is nested under the API's prefix, which
    // its own URI has lost.
    let uri = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().clone(), |o| o.0.clone());
    let path = uri.path().to_string();
    if !writes(req.method(), &path) {
        return next.run(req).await;
    }
    let target = uri.path_and_query().map_or(path, |p| p.as_str().to_string());
    let action = req.method().to_string();
    let from = client_addr(req.extensions()).0;
    let token = bearer(req.headers()).map(str::to_string);
    let store = s.clone();
    let caller = match token {
        None => None,
        Some(t) => Some(match blocking(move || store.caller(&t)).await {
            Ok(Ok(Some(c))) => Ok(c),
            _ => Err(()),
        }),
    };
    let (who, role) = match caller {
        None => ("(anonymous)".to_string(), None),
        Some(Ok(c)) => (c.name, Some(c.role)),
        Some(Err(())) => ("(unknown token)".to_string(), None),
    };
    let response = next.run(req).await;
    let status = response.status();
    let (response, detail) = if status.is_client_error() || status.is_server_error() {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
        let detail = serde_json::from_slice::<ApiError>(&bytes).map_or_else(
            |_| String::from_utf8_lossy(&bytes).chars().take(500).collect(),
            |e| e.error,
        );
        (Response::from_parts(parts, axum::body::Body::from(bytes)), detail)
    } else {
        (response, String::new())
    };
    let record = AuditRecord {
        who,
        role,
        from,
        action,
        target,
        status: status.as_u16(),
        detail,
    };
    let store = s.clone();
    match blocking(move || store.audit(&record)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("the audit trail could not record a write: {e}"),
        Err(e) => tracing::error!("the audit trail could not record a write: {}", e.1),
    }
    response
}

fn filter(q: &HashMap<String, String>) -> Result<AuditFilter, Failure> {
    let (from, to) = window(q, time::Duration::hours(24))?;
    let limit: usize = super::param(q, "limit", MAX_AUDIT_LINES, "a whole number of lines")?;
    if !(1..=MAX_AUDIT_LINES).contains(&limit) {
        return Err(Failure(
            StatusCode::BAD_REQUEST,
            format!("query parameter \"limit\" must be 1 to {MAX_AUDIT_LINES}"),
        ));
    }
    Ok(AuditFilter {
        from,
        to,
        who: q.get("who").cloned(),
        action: q.get("action").cloned(),
        target: q.get("target").cloned(),
        limit,
    })
}

/// `GET /audit` (admin).
pub(super) async fn audit_entries(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<impl IntoResponse> {
    admin(&s, &headers, "reading the audit trail")?;
    Ok(Json(s.audit_entries(&filter(&q)?)?))
}

/// The audit trail's columns in the after-action export.
pub const AUDIT_HEADER: [&str; 8] = ["time", "who", "role", "from", "action", "target", "status", "detail"];

/// `GET /after-action/audit.csv` (admin): the period's audit trail, as a spreadsheet opens it
/// (UTF-8 with its byte-order mark, as the timeline).
pub(super) async fn after_action_audit(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Response> {
    admin(&s, &headers, "exporting the audit trail")?;
    let mut f = filter(&q)?;
    f.limit = usize::MAX >> 1;
    let lines = s.audit_entries(&f)?;
    let rows: Vec<[String; 8]> = lines
        .into_iter()
        .map(|e| {
            [
                e.time,
                e.who,
                e.role.map_or("", |r| r.as_str()).to_string(),
                e.from,
                e.action,
                e.target,
                e.status.to_string(),
                e.detail,
            ]
        })
        .collect();
    let text = crate::after_action::csv_with_bom(&AUDIT_HEADER, rows.iter().map(|r| r.iter().map(String::as_str)))
        .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"parktwin-audit.csv\"".to_string(),
            ),
        ],
        text,
    )
        .into_response())
}

/// The Content-Security-Policy of every answer: the page, its module and its data come from
/// this server only; WebAssembly may be compiled (`wasm-unsafe-eval`, which allows no eval of
/// script); the loading page's own inline styles are allowed, and its inline scripts by their
/// hashes ([`inline_script_hashes`]); no other site may frame the map. The map may also fetch
/// from `fetch_from`, an online basemap's origin.
fn content_security_policy(script_hashes: &[String], fetch_from: Option<&str>) -> String {
    let scripts: String = script_hashes.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    let connect: String = fetch_from.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'{connect}; worker-src 'self' blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// SHA-256 (base64) of each inline script of a page (the browser client's index.html, whose
/// loader is one): what a Content-Security-Policy names to allow exactly those scripts. The
/// hash is of the text between the tags, as the browser hashes it.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let tag_and_after = &rest[start..];
        let Some(tag_end) = tag_and_after.find('>') else { break };
        let body = &tag_and_after[tag_end + 1..];
        let Some(end) = body.find("</script>") else { break };
        if !tag_and_after[..tag_end].contains("src=") {
            hashes.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body.as_bytes()[..end])));
        }
        rest = &body[end..];
    }
    hashes
}

/// The headers every answer carries: the policy above (allowing the inline scripts whose
/// hashes are given), `nosniff`, no framing, no referrer, and over TLS,
/// Strict-Transport-Security.
pub(super) fn security_headers(
    app: axum::Router<AppState>,
    tls: bool,
    script_hashes: &[String],
    fetch_from: Option<&str>,
) -> axum::Router<AppState> {
    use tower_http::set_header::SetResponseHeaderLayer as Set;
    let value = |v: &str| HeaderValue::from_str(v).expect("the policy is ASCII");
    let app = app
        .layer(Set::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            value(&content_security_policy(script_hashes, fetch_from)),
        ))
        .layer(Set::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(Set::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(Set::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    if tls {
        app.layer(Set::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        app
    }
}

/// CORS for the origins configured (`--cors-origin`): none by default, so that no other
/// site's page can call the API from a visitor's browser.
pub(super) fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    Some(
        tower_http::cors::CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_ifs_and_sign_ins_are_not_recorded_as_writes() {
        assert!(!writes(&Method::GET, "/api/v1/alarms"));
        assert!(!writes(&Method::POST, "/api/v1/incidents/i-1/what-if"));
        assert!(!writes(&Method::POST, "/api/v1/session"));
        assert!(writes(&Method::DELETE, "/api/v1/session"));
        assert!(writes(&Method::POST, "/api/v1/alarms/3/ack"));
        assert!(writes(&Method::PUT, "/api/v1/wall"));
    }

    #[test]
    fn the_policy_allows_webassembly_and_the_pages_own_scripts_and_no_framing() {
        let page = include_str!("../../../wasm/web/index.html");
        let hashes = inline_script_hashes(page);
        assert_eq!(hashes.len(), 1, "the loader is the page's one inline script");
        let p = content_security_policy(&hashes, None);
        assert!(
            p.contains("'wasm-unsafe-eval'") && p.contains("frame-ancestors 'none'"),
            "{p}"
        );
        assert!(p.contains("connect-src 'self';"), "{p}");
        let online = content_security_policy(&hashes, Some("https://t0.tianditu.gov.cn"));
        assert!(
            online.contains("connect-src 'self' https://t0.tianditu.gov.cn;"),
            "{online}"
        );
        assert!(p.contains(&format!("'sha256-{}'", hashes[0])), "{p}");
        assert!(
            !p.contains("'unsafe-eval'") && !p.contains("script-src 'self' 'unsafe-inline'"),
            "{p}"
        );
    }

    #[test]
    fn a_scripts_hash_is_of_the_text_between_its_tags() {
        // `echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64`
        let page = "<p><script>alert(1)</script><script src=\"x.js\"></script>";
        assert_eq!(
            inline_script_hashes(page),
            ["bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="]
        );
    }
}
