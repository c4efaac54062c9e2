//! What services need from the HTTP request: the session, the client's address, the site's
//! address for links.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::Session;

use crate::api::AppError;
use crate::server::context;
use crate::server::state::AppState;

pub fn session() -> Result<Session, AppError> {
    context::request_parts()?
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::internal("session layer missing"))
}

/// The client's IP address: the socket peer, or behind a proxy the first `X-Forwarded-For` entry.
pub fn client_ip(state: &AppState) -> Option<IpAddr> {
    let parts = context::request_parts().ok()?;
    if state.auth.behind_proxy {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The address links in messages start with: the configured public URL, else (demo mode and
/// tests: the server refuses to start without one otherwise) the address it listens on. Never
/// the request's `Host`, which whoever sends the request chooses: a reset link must not carry
/// its token to another site.
pub fn site_url(state: &AppState) -> String {
    state.auth.site_url(state.leptos_options.site_addr)
}
