//! What crosses the wire between the browser and the server: the arguments and answers of server
//! functions, one module per resource, with the list filters, sorts and page sizes, and
//! `AppError`, the one error they return. Defined once, compiled into both builds.

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
