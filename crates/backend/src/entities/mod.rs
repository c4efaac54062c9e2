//! SeaORM entities: the shape of each table, nothing more. Conversion to domain types lives in
//! `repo/`, so rows never reach the browser.

pub mod api_keys;
pub mod attributions;
pub mod audit_events;
pub mod auth_tokens;
pub mod bulk_operations;
pub mod commission_rules;
pub mod crm_connections;
pub mod crm_sync_errors;
pub mod crm_syncs;
pub mod crm_write_backs;
pub mod deal_registrations;
pub mod deals;
pub mod dispute_messages;
pub mod disputes;
pub mod fx_rates;
pub mod import_errors;
pub mod import_mappings;
pub mod import_uploads;
pub mod imports;
pub mod jobs;
pub mod organization_monthly_stats;
pub mod organizations;
pub mod outbox_messages;
pub mod partner_monthly_stats;
pub mod partners;
pub mod payouts;
pub mod sessions;
pub mod text;
pub mod touchpoints;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
