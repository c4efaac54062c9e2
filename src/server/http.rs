//! The HTTP server: Leptos pages and server functions, static files, the operations endpoints,
//! request logging with request ids and latency metrics, and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, Request};
use axum::middleware;
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::SessionManagerLayer;
use tower_sessions::cookie::SameSite;
use tracing::Level;

use super::state::AppState;
use crate::app::{App, shell};
use backend::auth::layer::{reject_cross_site, resolve_viewer, security_headers};
use backend::auth::session_store::DbSessionStore;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "pa_session";

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // HttpOnly by default; Lax keeps the cookie off cross-site subrequests and form posts.
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.auth.secure_cookies())
        .with_path("/");
    let options = state.leptos_options.clone();
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<Body>| {
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        })
        // One line per request at info level, with status and latency.
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    Router::new()
        .route(
            "/api/payouts/export.csv",
            get(backend::exports::payouts_csv),
        )
        .route(
            "/api/payouts/statement.csv",
            get(backend::exports::statement_csv),
        )
        .route(
            "/api/imports/{id}/errors.csv",
            get(backend::exports::import_errors_csv),
        )
        .route(
            crate::api::imports::UPLOAD_PATH,
            axum::routing::post(backend::imports::upload::upload),
        )
        .merge(report_downloads())
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Innermost first: the user needs the session, which needs the cookie.
        .layer(middleware::from_fn_with_state(
            state.backend.clone(),
            resolve_viewer,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.backend.clone(),
            reject_cross_site,
        ))
        .with_state(state.clone())
        // The REST API authenticates each request by its key: no session, no cookie, so no
        // cross-site forgery to refuse.
        .merge(backend::rest::router(&state.backend))
        .merge(backend::crm::hooks::router(&state.backend))
        .merge(super::operations::routes().with_state(state.clone()))
        .layer(middleware::from_fn_with_state(
            state.backend.clone(),
            security_headers,
        ))
        .layer(middleware::from_fn(name_request))
        .layer(middleware::from_fn(super::operations::time_request))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}

/// Serves the request with its id (set by `SetRequestIdLayer` outside) where the audit trail
/// finds it, whichever handler, server function or service records a change.
async fn name_request(request: Request<Body>, next: middleware::Next) -> axum::response::Response {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    backend::audit::REQUEST_ID
        .scope(id, next.run(request))
        .await
}

/// Serves until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Housekeeping of this process while it runs (what the database needs is a periodic job):
/// SQLite's statistics stay fresh, idle rate-limit entries leave memory.
pub fn spawn_housekeeping(state: &AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            // SQLite's advice for long-running applications: keep the statistics fresh.
            if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
                && let Err(err) =
                    sea_orm::ConnectionTrait::execute_unprepared(&db, "PRAGMA optimize").await
            {
                tracing::error!(%err, "refreshing SQLite statistics failed");
            }
        }
    });
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// `GET /api/reports/<report>.csv`, one route per report.
fn report_downloads() -> Router<AppState> {
    use crate::api::reports::Report;
    use axum::extract::{Extension, Query, State};
    let mut router = Router::new();
    for report in Report::ALL.iter().copied() {
        router = router.route(
            report.csv_path(),
            get(
                move |State(state): State<AppState>,
                      viewer: Option<Extension<backend::auth::Viewer>>,
                      Query(query): Query<backend::exports::ReportQuery>| {
                    backend::exports::report_csv(state.backend, viewer, query, report)
                },
            ),
        );
    }
    router
}
