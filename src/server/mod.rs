//! The server build's own part of the app: configuration, logging, the request context of server
//! functions, the health, readiness and metrics endpoints, and the HTTP router that puts the pages and the back end's routes together.
//! Everything else on the server is the `backend` crate.

pub mod config;
pub mod context;
pub mod http;
pub mod operations;
pub mod state;
pub mod telemetry;
