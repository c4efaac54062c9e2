//! One module per route, grouped by audience.

pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod manager;
pub mod not_found;
pub mod portal;
pub mod reports;
