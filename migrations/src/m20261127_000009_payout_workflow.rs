//! The payout workflow: who created and last changed each commission (for the four-eyes rule),
//! the payment's own date, the organization's four-eyes switch, bulk requests remembered by
//! their idempotency key, and the database refusing a rejection without a reason or a payment
//! without a reference.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL both databases accept.
const UP: &[&str] = &[
    "ALTER TABLE payouts ADD COLUMN created_by BIGINT NULL REFERENCES users (id) ON DELETE SET NULL",
    "ALTER TABLE payouts ADD COLUMN updated_by BIGINT NULL REFERENCES users (id) ON DELETE SET NULL",
    "ALTER TABLE payouts ADD COLUMN paid_on DATE NULL",
    "ALTER TABLE organizations ADD COLUMN payout_four_eyes BOOLEAN NOT NULL DEFAULT FALSE",
    "CREATE TABLE bulk_operations (
        organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        idempotency_key VARCHAR(100) NOT NULL,
        request TEXT NOT NULL,
        result TEXT NOT NULL,
        user_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (organization_id, idempotency_key)
    )",
];

/// What a status change must carry: a rejection its reason, a payment its reference and date.
const MISSING: &str = "(NEW.status = 'rejected' AND COALESCE(TRIM(NEW.rejected_reason), '') = '') \
     OR (NEW.status = 'paid' AND (COALESCE(TRIM(NEW.paid_reference), '') = '' OR NEW.paid_on IS NULL))";

fn create_guard(backend: DbBackend) -> Vec<String> {
    crate::schema_helpers::status_change_guard(
        backend,
        "payouts",
        "trg_payouts_status_details",
        MISSING,
        "a rejected payout needs its reason and a paid one its reference and date",
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too (see 000005).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        // Payments made before the date was its own column were made when they were marked.
        db.execute_unprepared(match manager.get_database_backend() {
            DbBackend::Postgres => {
                "UPDATE payouts SET paid_on = (paid_at AT TIME ZONE 'UTC')::date WHERE status = 'paid'"
            }
            // Timestamps are ISO-8601 text in UTC: the date is their first ten characters.
            _ => "UPDATE payouts SET paid_on = substr(paid_at, 1, 10) WHERE status = 'paid'",
        })
        .await?;
        for sql in create_guard(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        let mut statements = vec!["DROP TRIGGER trg_payouts_status_details ON payouts".to_owned()];
        if manager.get_database_backend() == DbBackend::Postgres {
            statements.push("DROP FUNCTION trg_payouts_status_details()".into());
        } else {
            statements[0] = "DROP TRIGGER trg_payouts_status_details".into();
        }
        statements.extend(
            [
                "DROP TABLE bulk_operations",
                "ALTER TABLE organizations DROP COLUMN payout_four_eyes",
                "ALTER TABLE payouts DROP COLUMN paid_on",
                "ALTER TABLE payouts DROP COLUMN updated_by",
                "ALTER TABLE payouts DROP COLUMN created_by",
            ]
            .map(str::to_owned),
        );
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
