//! Partner Attribution's back end: database, use cases, REST, CRM, imports, webhooks, sign-in and
//! demo data. It depends on `domain` and `wire` and on no UI code; the app's server functions
//! and pages call it, and so do the workers, the CLI and the tests.

pub mod analyst;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod caller;
pub mod crm;
pub mod database;
pub mod demo;
pub mod entities;
pub mod exports;
pub mod imports;
pub mod jobs;
pub mod memory;
pub mod metrics;
pub mod outbound;
pub mod repo;
pub mod report_cache;
pub mod rest;
pub mod services;
pub mod state;
pub mod synthetic;
pub mod tenant;
pub mod webhooks;

pub use state::Backend;

/// The HTTP status an error answers with.
pub fn status_of(err: &wire::AppError) -> axum::http::StatusCode {
    axum::http::StatusCode::from_u16(err.status())
        .expect("AppError statuses are valid HTTP statuses")
}
