//! What a load balancer, an orchestrator and Prometheus ask a server: is it alive (`/healthz`),
//! should it get traffic (`/readyz`), and its numbers (`/metrics`).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde_json::json;

use super::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(liveness))
        .route("/readyz", get(readiness))
        .route("/metrics", get(metrics))
}

/// Liveness: the process answers. It reads nothing, so a database outage takes servers out of
/// rotation (readiness) without getting them restarted.
async fn liveness() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers and its schema is the one this binary expects.
async fn readiness(State(state): State<AppState>) -> Response {
    match backend::database::readiness(&state.db).await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(problem) => {
            tracing::error!(%problem, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not ready", "problem": problem })),
            )
                .into_response()
        }
    }
}

/// The Prometheus metrics, for a scraper holding the configured token (`METRICS_TOKEN`); without
/// a token configured they are not served.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        return (
            StatusCode::NOT_FOUND,
            "Metrics are off: set METRICS_TOKEN (or metrics.token in Leptos.toml) and scrape \
             with it as a bearer token.",
        )
            .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|given| backend::metrics::token_matches(expected, given)) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Scrape with the metrics token as a bearer token.",
        )
            .into_response();
    }
    match backend::metrics::render(&state.db).await {
        Ok(text) => (
            [(header::CONTENT_TYPE, backend::metrics::CONTENT_TYPE)],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "metrics could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The job queue could not be read.",
            )
                .into_response()
        }
    }
}

/// Times every request under its route's template (`/api/v1/deals/{id}`), so the latency
/// histogram has one series per route, not per id.
pub async fn time_request(request: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    backend::metrics::observe_request(
        method.as_str(),
        route.as_deref(),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
