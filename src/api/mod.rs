//! Server functions, one module per resource. Each is thin: authorize the caller, call one repository
//! or service function, convert. The request and response types are defined here once
//! and shared by the server and the browser.

pub mod api_docs;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod commission_rules;
pub mod crm;
pub mod dashboard;
pub mod deals;
pub mod disputes;
pub mod error;
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

pub use error::AppError;
