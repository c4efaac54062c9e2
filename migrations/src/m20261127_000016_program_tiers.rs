//! The partner program's tier bars: the attributed revenue (trailing twelve months, whole units
//! of the base currency) each tier above Registered asks for, set per organization.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "ALTER TABLE organizations ADD COLUMN tier_silver_from BIGINT NOT NULL DEFAULT 250000",
    "ALTER TABLE organizations ADD COLUMN tier_gold_from BIGINT NOT NULL DEFAULT 1000000",
    "ALTER TABLE organizations ADD COLUMN tier_platinum_from BIGINT NOT NULL DEFAULT 2500000",
];

const DOWN: &[&str] = &[
    "ALTER TABLE organizations DROP COLUMN tier_platinum_from",
    "ALTER TABLE organizations DROP COLUMN tier_gold_from",
    "ALTER TABLE organizations DROP COLUMN tier_silver_from",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too (see 000005).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::execute_all(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::execute_all(manager, DOWN).await
    }
}
