//! The integration tests, one module per area, linked into one test binary (so the app is linked
//! once, not once per file). Each test runs against SQLite and, when `TEST_DATABASE_URL` names a
//! PostgreSQL server, against PostgreSQL too; HTTP tests drive the real router on a loopback port.

#[macro_use]
mod common;

mod access;
mod analyst;
mod audit;
mod auth;
mod commission_rules;
mod crm;
mod deals;
mod disputes;
mod fx;
mod http;
mod imports;
mod jobs;
mod leaderboard;
mod ledger;
mod migrations;
mod monthly_stats;
mod operations;
mod partners;
mod payouts;
mod portal;
mod registrations;
mod reports;
mod rest_api;
mod settings;
mod webhooks;
