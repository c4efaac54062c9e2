//! Database schema, as an ordered list of SeaORM migrations. They run at server start-up and are
//! tested on SQLite and PostgreSQL (up, down, up again).
//!
//! Migrations are history: once released, a migration never changes. Enum values are spelled out
//! here rather than imported from the domain, and a test in the app checks that they still agree.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_core_schema;
mod m20261126_000002_state_machine_triggers;
mod m20261126_000003_accounts;
mod m20261126_000004_deal_lost_reason;
mod m20261126_000005_reopen_and_adjustments;
mod m20261126_000006_touchpoints_by_time;
mod m20261127_000007_monthly_stats;
mod m20261127_000008_deal_list_indexes;
mod m20261127_000009_payout_workflow;
mod m20261127_000010_audit_append_only;
mod m20261127_000011_commission_rule_versions;
mod m20261127_000012_dispute_threads;
mod m20261127_000013_exchange_rates;
mod m20261127_000014_deal_registrations;
mod m20261127_000015_partner_profile;
mod m20261127_000016_program_tiers;
mod m20261127_000017_report_totals;
mod m20261127_000018_api_keys;
mod m20261127_000019_webhooks;
mod m20261127_000020_imports;
mod m20261127_000021_crm_sync;
mod m20261127_000022_partner_name_lookup;
mod m20261203_000023_import_uploads;
mod m20261206_000024_jobs;
mod schema_helpers;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_core_schema::Migration),
            Box::new(m20261126_000002_state_machine_triggers::Migration),
            Box::new(m20261126_000003_accounts::Migration),
            Box::new(m20261126_000004_deal_lost_reason::Migration),
            Box::new(m20261126_000005_reopen_and_adjustments::Migration),
            Box::new(m20261126_000006_touchpoints_by_time::Migration),
            Box::new(m20261127_000007_monthly_stats::Migration),
            Box::new(m20261127_000008_deal_list_indexes::Migration),
            Box::new(m20261127_000009_payout_workflow::Migration),
            Box::new(m20261127_000010_audit_append_only::Migration),
            Box::new(m20261127_000011_commission_rule_versions::Migration),
            Box::new(m20261127_000012_dispute_threads::Migration),
            Box::new(m20261127_000013_exchange_rates::Migration),
            Box::new(m20261127_000014_deal_registrations::Migration),
            Box::new(m20261127_000015_partner_profile::Migration),
            Box::new(m20261127_000016_program_tiers::Migration),
            Box::new(m20261127_000017_report_totals::Migration),
            Box::new(m20261127_000018_api_keys::Migration),
            Box::new(m20261127_000019_webhooks::Migration),
            Box::new(m20261127_000020_imports::Migration),
            Box::new(m20261127_000021_crm_sync::Migration),
            Box::new(m20261127_000022_partner_name_lookup::Migration),
            Box::new(m20261203_000023_import_uploads::Migration),
            Box::new(m20261206_000024_jobs::Migration),
        ]
    }
}
