//! CSV imports: each upload with its file, column mapping, mode and progress (a background job
//! works through it, resuming after a restart), the bad rows it met, and the mapping each
//! organization last used per kind, offered again on the next upload.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::schema_helpers::{fk, id, one_of, org_index, status_change_guard, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Imports {
    Table,
    Id,
    OrganizationId,
    /// partners | deals | touchpoints
    Kind,
    /// valid_only | all_or_nothing
    Mode,
    /// queued | running | done | failed | cancelled
    Status,
    FileName,
    /// The file itself, emptied once the import finishes.
    Content,
    /// JSON: field → column header.
    Mapping,
    TotalRows,
    /// Rows worked through so far: where a resumed import goes on from.
    ProcessedRows,
    CreatedRows,
    UpdatedRows,
    UnchangedRows,
    FailedRows,
    /// Why a whole import failed (all-or-nothing with bad rows, or an error of the server).
    Failure,
    CreatedBy,
    CreatedAt,
    StartedAt,
    /// Moved on by the worker with each batch: an import running with an old one was left by a
    /// stopped server and is taken up again.
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone)]
enum ImportErrors {
    Table,
    Id,
    OrganizationId,
    ImportId,
    /// The row's line in the file (the header is line 1).
    Line,
    /// The field at fault, or empty for the row as a whole.
    Field,
    Message,
}

#[derive(DeriveIden, Clone)]
enum ImportMappings {
    Table,
    OrganizationId,
    Kind,
    Mapping,
    UpdatedAt,
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

const KINDS: &[&str] = &["partners", "deals", "touchpoints"];

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
                    .table(Imports::Table)
                    .col(id(Imports::Id))
                    .col(big_integer(Imports::OrganizationId))
                    .col(string_len(Imports::Kind, 16))
                    .col(string_len(Imports::Mode, 16))
                    .col(string_len(Imports::Status, 16).default("queued"))
                    .col(string_len(Imports::FileName, 255))
                    .col(text(Imports::Content))
                    .col(text(Imports::Mapping))
                    .col(big_integer(Imports::TotalRows).default(0))
                    .col(big_integer(Imports::ProcessedRows).default(0))
                    .col(big_integer(Imports::CreatedRows).default(0))
                    .col(big_integer(Imports::UpdatedRows).default(0))
                    .col(big_integer(Imports::UnchangedRows).default(0))
                    .col(big_integer(Imports::FailedRows).default(0))
                    .col(text_null(Imports::Failure))
                    .col(big_integer_null(Imports::CreatedBy))
                    .col(utc(Imports::CreatedAt))
                    .col(utc_null(Imports::StartedAt))
                    .col(utc(Imports::UpdatedAt))
                    .col(utc_null(Imports::FinishedAt))
                    .foreign_key(&mut fk(
                        Imports::Table,
                        Imports::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Imports::Table,
                        Imports::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of("ck_imports_kind", Imports::Kind, KINDS))
                    .check(one_of(
                        "ck_imports_mode",
                        Imports::Mode,
                        &["valid_only", "all_or_nothing"],
                    ))
                    .check(one_of(
                        "ck_imports_status",
                        Imports::Status,
                        &["queued", "running", "done", "failed", "cancelled"],
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index("ix_imports_org", Imports::Table, &["id"], false))
            .await?;
        // The worker's queue.
        manager
            .create_index(
                Index::create()
                    .name("ix_imports_status")
                    .table(Imports::Table)
                    .col(Imports::Status)
                    .col(Imports::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportErrors::Table)
                    .col(id(ImportErrors::Id))
                    .col(big_integer(ImportErrors::OrganizationId))
                    .col(big_integer(ImportErrors::ImportId))
                    .col(big_integer(ImportErrors::Line))
                    .col(string_len(ImportErrors::Field, 64))
                    .col(text(ImportErrors::Message))
                    .foreign_key(&mut fk(
                        ImportErrors::Table,
                        ImportErrors::ImportId,
                        Imports::Table,
                        Imports::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_import_errors_org_import",
                ImportErrors::Table,
                &["import_id", "line"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportMappings::Table)
                    .col(big_integer(ImportMappings::OrganizationId))
                    .col(string_len(ImportMappings::Kind, 16))
                    .col(text(ImportMappings::Mapping))
                    .col(utc(ImportMappings::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ImportMappings::OrganizationId)
                            .col(ImportMappings::Kind),
                    )
                    .foreign_key(&mut fk(
                        ImportMappings::Table,
                        ImportMappings::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .check(one_of(
                        "ck_import_mappings_kind",
                        ImportMappings::Kind,
                        KINDS,
                    ))
                    .to_owned(),
            )
            .await?;
        // Queued → running | cancelled; running → done | failed | cancelled; finished stays.
        let illegal = "NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'cancelled')) \
             OR (OLD.status = 'running' AND NEW.status IN ('done', 'failed', 'cancelled')))";
        let db = manager.get_connection();
        for sql in status_change_guard(
            manager.get_database_backend(),
            "imports",
            "imports_status_moves",
            illegal,
            "illegal import status change",
        ) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER imports_status_moves ON imports")
                .await?;
            db.execute_unprepared("DROP FUNCTION imports_status_moves()")
                .await?;
        }
        for table in [
            ImportMappings::Table.into_iden(),
            ImportErrors::Table.into_iden(),
            Imports::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
