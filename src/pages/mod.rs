//! One module per route, grouped by audience.

pub mod exec;
pub mod manager;
pub mod not_found;
pub mod portal;
