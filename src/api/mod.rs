//! Server functions, one module per resource. Each is thin: authorize the caller, call one repository
//! or service function, convert. Each module re-exports its request and response types from the
//! `wire` crate, where they are defined once for the server and the browser.

pub mod api_docs;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod commission_rules;
pub mod crm;
pub mod dashboard;
pub mod deals;
pub mod disputes;
pub mod fx;
pub mod imports;
pub mod leaderboard;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod registrations;
pub mod reports;
pub mod settings;
pub mod users;
pub mod webhooks;

pub use wire::{AppError, error};
