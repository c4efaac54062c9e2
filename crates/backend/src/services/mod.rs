//! Use cases: authorize, validate, load, apply the domain, persist and audit in one transaction.
//! Server functions call exactly one of these.

pub mod accounts;
pub mod api_keys;
pub mod attribution_settings;
pub mod audit;
pub mod commission_rules;
pub mod crm;
pub mod deal_changes;
pub mod deals;
pub mod disputes;
pub mod fx;
pub mod imports;
pub mod leaderboard;
pub mod partner_performance;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod portal_profile;
pub mod program_settings;
pub mod registrations;
pub mod reports;
pub mod users;
pub mod webhooks;

/// What a save did to the stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Updated,
    /// The input matched the record as stored: nothing written, nothing audited.
    Unchanged,
}
