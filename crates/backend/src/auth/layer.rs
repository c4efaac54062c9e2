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
use crate::repo;
use crate::state::Backend;

/// Static assets need no user; skipping them spares two queries per file.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/vendor/") || path == "/favicon.svg"
}

/// Puts the signed-in user (or `Viewer(None)`) in the request's extensions. A session whose user
/// was deactivated or removed is ended here.
pub async fn resolve_viewer(
    State(state): State<Backend>,
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
/// must be this site's origin, scheme included (the configured public URL's; without one, in
/// demo mode, `http://` and this host); without one, the browser's `Sec-Fetch-Site` must not say
/// cross-site. Clients that send neither (curl, server-to-server) are not browsers carrying a
/// victim's cookie.
pub async fn reject_cross_site(
    State(state): State<Backend>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let same_origin = match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        Some(Ok(origin)) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            is_own_origin(&state.auth.public_url, host, origin)
        }
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

/// Whether `origin` is this site's: the public URL's scheme, host and port when one is set,
/// else `http://` and the request's host.
fn is_own_origin(public_url: &str, host: Option<&str>, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    if public_url.is_empty() {
        return host.is_some_and(|h| origin.strip_prefix("http://") == Some(h));
    }
    match url::Url::parse(public_url) {
        Ok(url) => url
            .origin()
            .ascii_serialization()
            .eq_ignore_ascii_case(origin),
        Err(_) => false,
    }
}

/// Headers for every response. Pages replace the fallback Content-Security-Policy with one that
/// carries the page's script nonce (see [`page_policy`]). Served over HTTPS, browsers are also
/// told to keep to HTTPS.
pub async fn security_headers(
    State(state): State<Backend>,
    request: Request,
    next: Next,
) -> Response {
    let asset = is_static(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Pages, server functions and downloads carry one user's data: no browser or proxy cache
    // keeps them (a shared computer's back button, a proxy between tenants). Built assets may
    // be cached as the file server says.
    if !asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
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
    fn only_this_sites_own_origin_passes_scheme_included() {
        let public = "https://partners.example.com/";
        assert!(is_own_origin(public, None, "https://partners.example.com"));
        assert!(is_own_origin(
            public,
            Some("x"),
            "https://PARTNERS.example.com"
        ));
        for other in [
            "http://partners.example.com",
            "https://partners.example.com:8443",
            "https://evil.example",
            "null",
        ] {
            assert!(!is_own_origin(public, None, other), "{other}");
        }
        let host = Some("127.0.0.1:3000");
        assert!(is_own_origin("", host, "http://127.0.0.1:3000"));
        assert!(!is_own_origin("", host, "https://127.0.0.1:3000"));
        assert!(!is_own_origin("", None, "http://127.0.0.1:3000"));
    }
}
