//! Disputes get their thread (messages from the partner's side and the company's) and their
//! adjustments a mark: a ledger entry a dispute resolution created is the dispute's, so a later
//! re-attribution of the deal leaves it alone. The database refuses closing a dispute without
//! its answer, and resolving one without its adjustment.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::schema_helpers::{fk, id, org_index, utc};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum DisputeMessages {
    Table,
    Id,
    OrganizationId,
    DisputeId,
    AuthorUserId,
    AuthorName,
    /// `partner` or `company`.
    Side,
    Body,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Disputes {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
}

/// What closing a dispute must carry.
const MISSING: &str = "(NEW.status IN ('resolved', 'rejected') AND COALESCE(TRIM(NEW.resolution), '') = '') \
     OR (NEW.status = 'resolved' AND NEW.adjustment_payout_id IS NULL)";
const MESSAGE: &str = "a closed dispute needs its answer, and a resolved one its adjustment";

fn create_guard(backend: DbBackend) -> Vec<String> {
    crate::schema_helpers::status_change_guard(
        backend,
        "disputes",
        "trg_disputes_close_details",
        MISSING,
        MESSAGE,
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
        manager
            .create_table(
                Table::create()
                    .table(DisputeMessages::Table)
                    .col(id(DisputeMessages::Id))
                    .col(big_integer(DisputeMessages::OrganizationId))
                    .col(big_integer(DisputeMessages::DisputeId))
                    .col(big_integer_null(DisputeMessages::AuthorUserId))
                    .col(string(DisputeMessages::AuthorName))
                    .col(string(DisputeMessages::Side))
                    .col(text(DisputeMessages::Body))
                    .col(utc(DisputeMessages::CreatedAt))
                    .foreign_key(&mut fk(
                        DisputeMessages::Table,
                        DisputeMessages::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        DisputeMessages::Table,
                        DisputeMessages::DisputeId,
                        Disputes::Table,
                        Disputes::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        DisputeMessages::Table,
                        DisputeMessages::AuthorUserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check((
                        "ck_dispute_messages_side",
                        Expr::col(DisputeMessages::Side).is_in(["partner", "company"]),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_dispute_messages_org_dispute",
                DisputeMessages::Table,
                &["dispute_id", "id"],
                false,
            ))
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE payouts ADD COLUMN dispute_id BIGINT NULL REFERENCES disputes (id) ON DELETE SET NULL",
        )
        .await?;
        for sql in create_guard(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        let mut statements: Vec<&str> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TRIGGER trg_disputes_close_details ON disputes",
                "DROP FUNCTION trg_disputes_close_details()",
            ],
            _ => vec!["DROP TRIGGER trg_disputes_close_details"],
        };
        statements.extend([
            "ALTER TABLE payouts DROP COLUMN dispute_id",
            "DROP TABLE dispute_messages",
        ]);
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
