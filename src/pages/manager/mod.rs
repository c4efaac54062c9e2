//! The partner managers' workspace.

pub mod activity;
pub mod attribution_settings;
pub mod commission_rules;
pub mod dashboard;
pub mod deal;
pub mod deal_form;
pub mod deals;
pub mod disputes;
pub mod earnings;
pub mod exchange_rates;
pub mod imports;
pub mod leaderboard;
pub mod partner_form;
pub mod partner_profile;
pub mod partners;
pub mod payouts;
pub mod program_settings;
pub mod registrations;
pub mod statement;
