//! Deal registration: a partner registers an opportunity; a manager approves it (which creates
//! the deal) or rejects it with a reason. A registration that conflicts with an open deal or
//! another partner's protected registration for the same account is flagged for the manager.
//! An approved registration protects the account for the organization's window (90 days unless
//! changed) and expires when the window ends without a win. The database refuses illegal moves
//! and a rejection without its reason.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261126_000002_state_machine_triggers::StateMachine;
use crate::schema_helpers::{fk, id, one_of, org_index, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum DealRegistrations {
    Table,
    Id,
    OrganizationId,
    PartnerId,
    RegisteredBy,
    AccountName,
    /// The account name folded for matching (case, punctuation and legal suffixes dropped).
    AccountKey,
    ContactName,
    ContactEmail,
    EstimatedAmountMinor,
    Currency,
    ExpectedCloseOn,
    Notes,
    /// pending | approved | rejected | expired
    Status,
    /// Why the registration was flagged, in words; none when it conflicts with nothing.
    Conflict,
    DecidedBy,
    DecidedAt,
    RejectedReason,
    /// The deal an approval created.
    DealId,
    /// The last day the account is protected for the partner.
    ProtectedUntil,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Partners {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Deals {
    Table,
    Id,
}

const MACHINE: StateMachine = StateMachine {
    table: "deal_registrations",
    column: "status",
    moves: &[
        ("pending", "approved"),
        ("pending", "rejected"),
        ("pending", "expired"),
        ("approved", "expired"),
    ],
};

const MISSING: &str = "(NEW.status = 'rejected' AND COALESCE(TRIM(NEW.rejected_reason), '') = '') \
     OR (NEW.status = 'approved' AND (NEW.deal_id IS NULL OR NEW.protected_until IS NULL))";
const MESSAGE: &str =
    "a rejected registration needs its reason, and an approved one its deal and protection";

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
                    .table(DealRegistrations::Table)
                    .col(id(DealRegistrations::Id))
                    .col(big_integer(DealRegistrations::OrganizationId))
                    .col(big_integer(DealRegistrations::PartnerId))
                    .col(big_integer_null(DealRegistrations::RegisteredBy))
                    .col(string_len(DealRegistrations::AccountName, 200))
                    .col(string_len(DealRegistrations::AccountKey, 200))
                    .col(string_len(DealRegistrations::ContactName, 200))
                    .col(string_len(DealRegistrations::ContactEmail, 254))
                    .col(big_integer(DealRegistrations::EstimatedAmountMinor))
                    .col(char_len(DealRegistrations::Currency, 3))
                    .col(date(DealRegistrations::ExpectedCloseOn))
                    .col(text_null(DealRegistrations::Notes))
                    .col(string_len(DealRegistrations::Status, 16).default("pending"))
                    .col(text_null(DealRegistrations::Conflict))
                    .col(big_integer_null(DealRegistrations::DecidedBy))
                    .col(utc_null(DealRegistrations::DecidedAt))
                    .col(text_null(DealRegistrations::RejectedReason))
                    .col(big_integer_null(DealRegistrations::DealId))
                    .col(date_null(DealRegistrations::ProtectedUntil))
                    .col(utc(DealRegistrations::CreatedAt))
                    .foreign_key(&mut fk(
                        DealRegistrations::Table,
                        DealRegistrations::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        DealRegistrations::Table,
                        DealRegistrations::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        DealRegistrations::Table,
                        DealRegistrations::RegisteredBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        DealRegistrations::Table,
                        DealRegistrations::DecidedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        DealRegistrations::Table,
                        DealRegistrations::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_deal_registrations_status",
                        DealRegistrations::Status,
                        &["pending", "approved", "rejected", "expired"],
                    ))
                    .check((
                        "ck_deal_registrations_amount",
                        Expr::col(DealRegistrations::EstimatedAmountMinor).gt(0),
                    ))
                    .to_owned(),
            )
            .await?;
        // The queue (by status, newest first), a partner's own list, and conflict look-ups.
        for (name, cols) in [
            ("ix_deal_registrations_org_status", &["status", "id"][..]),
            (
                "ix_deal_registrations_org_partner",
                &["partner_id", "id"][..],
            ),
            ("ix_deal_registrations_org_account", &["account_key"][..]),
        ] {
            manager
                .create_index(org_index(name, DealRegistrations::Table, cols, false))
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE organizations ADD COLUMN registration_window_days INTEGER NOT NULL DEFAULT 90",
        )
        .await?;
        let backend = manager.get_database_backend();
        let mut statements = MACHINE.create(backend);
        statements.extend(crate::schema_helpers::status_change_guard(
            backend,
            "deal_registrations",
            "trg_deal_registrations_decision_details",
            MISSING,
            MESSAGE,
        ));
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut statements = MACHINE.drop(backend);
        statements.extend(match backend {
            DbBackend::Postgres => vec![
                "DROP TRIGGER trg_deal_registrations_decision_details ON deal_registrations".into(),
                "DROP FUNCTION trg_deal_registrations_decision_details()".into(),
            ],
            _ => vec!["DROP TRIGGER trg_deal_registrations_decision_details".to_owned()],
        });
        statements.extend([
            "DROP TABLE deal_registrations".to_owned(),
            "ALTER TABLE organizations DROP COLUMN registration_window_days".to_owned(),
        ]);
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
