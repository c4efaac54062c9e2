//! HTTP layers of the authentication story: who is asking (resolved once per request), no
//! cross-site writes, and the security headers every response carries.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::Viewer;
use super::session as signed_in;
use crate::server::repo;
use crate::server::state::AppState;

/// Static assets need no user; skipping them spares two queries per file.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/vendor/") || path == "/favicon.svg"
}

/// Puts the signed-in user (or `Viewer(None)`) in the request's extensions. A session whose user
/// was deactivated or removed is ended here.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let user = if is_static(path) {
        None
    } else {
        match signed_in::signed_in_user(&session).await {
            Ok(Some(user_id)) => match repo::users::session_user(&state.db, user_id).await {
                Ok(Some(user)) => Some(user),
                Ok(None) => {
                    let _ = signed_in::end(&session).await;
                    None
                }
                Err(err) => {
                    tracing::error!(%err, "loading the signed-in user failed");
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
            },
            Ok(None) => None,
            Err(_) => None,
        }
    };
    request.extensions_mut().insert(Viewer(user));
    next.run(request).await
}

/// Refuses state-changing requests sent by another site (CSRF): an `Origin` header, when present,
/// must name this host; without one, the browser's `Sec-Fetch-Site` must not say cross-site.
/// Clients that send neither (curl, server-to-server) are not browsers carrying a victim's cookie.
pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let same_origin = match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        Some(Ok(origin)) => origin_host(origin).is_some_and(|o| Some(o) == host),
        Some(Err(_)) => false,
        None => !matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    };
    if same_origin {
        next.run(request).await
    } else {
        tracing::warn!(uri = %request.uri(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not accepted. Use the application's own pages.",
        )
            .into_response()
    }
}

/// `host[:port]` of an origin such as `https://example.com:8443`.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    Some(rest.trim_end_matches('/'))
}

/// Headers for every response. Pages replace the fallback Content-Security-Policy with one that
/// carries the page's script nonce (see [`page_policy`]). Served over HTTPS, browsers are also
/// told to keep to HTTPS.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.auth.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    response
}

/// The Content-Security-Policy of a page: scripts only from this site or carrying the page's
/// nonce (the hydration script), WebAssembly allowed to compile, no framing, no plugins. Styles
/// allow inline attributes, which the charts use. Debug builds also allow the live-reload socket.
pub fn page_policy(nonce: &str) -> String {
    let sockets = if cfg!(debug_assertions) {
        " ws: wss:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_host_strips_the_scheme() {
        assert_eq!(origin_host("http://127.0.0.1:3000"), Some("127.0.0.1:3000"));
        assert_eq!(
            origin_host("https://app.example.com"),
            Some("app.example.com")
        );
        assert_eq!(origin_host("null"), None);
    }
}
