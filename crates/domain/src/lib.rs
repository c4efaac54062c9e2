//! Pure domain code, compiled for the server and the browser alike: no web framework, no database.
//! Everything here is plain data and functions, unit-tested without I/O.

mod error;
pub mod labels;

pub mod access;
pub mod api_key;
pub mod attribution;
pub mod audit;
pub mod commission_rules;
pub mod crm;
pub mod deal;
pub mod dispute;
pub mod earnings;
pub mod forecast;
pub mod fx;
pub mod ids;
pub mod import;
pub mod job;
pub mod leaderboard;
pub mod ledger;
pub mod model_costs;
pub mod money;
pub mod monthly_stats;
pub mod net;
pub mod partner;
pub mod payout;
pub mod payout_details;
pub mod registration;
pub mod reporting;
pub mod settlement;
pub mod text;
pub mod tier_program;
pub mod touchpoint;
pub mod user;
pub mod webhook;

pub use error::DomainError;
