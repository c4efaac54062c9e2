//! `Authorization: Bearer <key>` for every `/api/v1` route: the key becomes the request's
//! `Caller` (its organization, its scope), and counts against its rate limit.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::Problem;
use crate::caller::Caller;
use crate::services::api_keys;
use crate::state::Backend;
use wire::AppError;

/// The caller an API key stands for, set by [`require_key`].
#[derive(Clone)]
pub struct ApiCaller(pub Arc<Caller>);

impl std::ops::Deref for ApiCaller {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ApiCaller, Problem> {
        parts
            .extensions
            .get::<ApiCaller>()
            .cloned()
            .ok_or_else(|| AppError::Unauthorized.into())
    }
}

/// The key in an `Authorization: Bearer` header (the scheme in any case).
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

pub async fn require_key(
    State(state): State<Backend>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match bearer(&request) {
        Some(key) => api_keys::caller_for_key(&state, key).await,
        None => Err(AppError::Unauthorized),
    };
    let caller = match caller {
        Ok(caller) => caller,
        Err(err) => return Problem::from(err).into_response(),
    };
    let key_id = caller.key.as_ref().map_or(0, |k| k.id);
    if let Err(err) = state.limits.api_request(key_id) {
        return Problem::from(err).into_response();
    }
    request.extensions_mut().insert(ApiCaller(Arc::new(caller)));
    next.run(request).await
}
