//! What a server function knows about the request it serves: the app state and the signed-in
//! user (resolved once per request by `auth::layer::resolve_viewer`), made into a [`Caller`].

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use tower_sessions::Session;

use super::state::AppState;
use crate::api::AppError;
use crate::api::auth::SessionUser;
use crate::domain::access::{Action, Resource};
use backend::auth::Viewer;
use backend::caller::{Caller, Visitor};

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the request context"))
}

/// The request's head (headers, extensions), as Leptos provides it.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from the request context"))
}

/// The signed-in user, if any. Works in server functions and while rendering pages.
pub fn viewer() -> Option<SessionUser> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
        .and_then(|viewer| viewer.0)
}

/// The caller of this server function or page: `Unauthorized` when nobody is signed in. The
/// service it calls decides what they may do.
pub fn caller() -> Result<Caller, AppError> {
    Caller::signed_in(&app_state()?.backend, viewer())
}

/// The caller of a plain Axum handler (a download, an upload), which is handed the viewer
/// directly, if they may `action` the `resource`.
pub fn authorize_viewer(
    state: &AppState,
    user: Option<SessionUser>,
    action: Action,
    resource: Resource,
) -> Result<Caller, AppError> {
    let caller = Caller::signed_in(&state.backend, user)?;
    caller.require(action, resource)?;
    Ok(caller)
}

/// The visitor of a sign-in, sign-up or link page: their session, address and, if any, user.
pub fn visitor() -> Result<Visitor, AppError> {
    let state = app_state()?;
    let parts = request_parts()?;
    let session = parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::internal("session layer missing"))?;
    Ok(Visitor {
        ip: client_ip(&parts, state.auth.behind_proxy),
        session,
        user: viewer(),
        backend: state.backend,
    })
}

/// The client's IP address: the socket peer, or behind a proxy the first `X-Forwarded-For` entry.
fn client_ip(parts: &Parts, behind_proxy: bool) -> Option<IpAddr> {
    if behind_proxy {
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

/// [`serve`] for the pages at the door: the visitor, one service call, its error's status.
pub async fn welcome<T, F, Fut>(service: F) -> Result<T, AppError>
where
    F: FnOnce(Visitor) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let result = match visitor() {
        Ok(visitor) => service(visitor).await,
        Err(err) => Err(err),
    };
    finish(result)
}

/// A server function's body: the caller, one service call, its error's HTTP status.
pub async fn serve<T, F, Fut>(service: F) -> Result<T, AppError>
where
    F: FnOnce(Caller) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let result = match caller() {
        Ok(caller) => service(caller).await,
        Err(err) => Err(err),
    };
    finish(result)
}

/// Gives a server function's error its HTTP status (401, 403, 404, 422, 409, 429, 500), so API
/// clients and logs see what happened without reading the body. While a page renders, server
/// functions run in-process and the page keeps its own status.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let over_http = use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if let Err(err) = &result
        && over_http
    {
        let status = status_of(err);
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
            if let AppError::RateLimited {
                retry_after_seconds,
                ..
            } = err
            {
                response.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(*retry_after_seconds),
                );
            }
        }
    }
    result
}

/// The HTTP status an error answers with.
pub fn status_of(err: &AppError) -> StatusCode {
    StatusCode::from_u16(err.status()).expect("AppError statuses are valid HTTP statuses")
}
