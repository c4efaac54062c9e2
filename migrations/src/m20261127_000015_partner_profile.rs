//! The partner's own profile in the portal: where its commissions are paid (method, account
//! holder and account, shown masked once stored) and which of its users administers it (invites
//! colleagues, edits the contacts and payout details). The first portal user of a partner becomes
//! its administrator.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "ALTER TABLE users ADD COLUMN partner_admin BOOLEAN NOT NULL DEFAULT FALSE",
    "ALTER TABLE partners ADD COLUMN payout_method VARCHAR(20) NULL",
    "ALTER TABLE partners ADD COLUMN payout_holder VARCHAR(200) NULL",
    "ALTER TABLE partners ADD COLUMN payout_account VARCHAR(64) NULL",
    // Existing partner users: the earliest active one of each partner administers it.
    "UPDATE users SET partner_admin = TRUE WHERE role = 'partner' AND active AND id IN \
     (SELECT MIN(id) FROM users WHERE role = 'partner' AND active AND partner_id IS NOT NULL \
      GROUP BY partner_id)",
];

const DOWN: &[&str] = &[
    "ALTER TABLE partners DROP COLUMN payout_account",
    "ALTER TABLE partners DROP COLUMN payout_holder",
    "ALTER TABLE partners DROP COLUMN payout_method",
    "ALTER TABLE users DROP COLUMN partner_admin",
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
