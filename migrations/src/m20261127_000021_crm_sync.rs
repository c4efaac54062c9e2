//! CRM connectors: one connection per organization and CRM (HubSpot, Salesforce, Pipedrive)
//! with its credentials sealed at rest, its field and stage mapping and its modified-since
//! cursor; the sync runs (backfill, incremental, webhook-triggered) a background job works
//! through page by page, resuming after a restart; the records each run could not take; and what
//! was last written back to each CRM deal, so only a changed result is written again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::schema_helpers::{fk, id, one_of, org_index, status_change_guard, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum CrmConnections {
    Table,
    Id,
    OrganizationId,
    /// hubspot | salesforce | pipedrive
    Kind,
    /// The CRM's API address (a Salesforce instance, a Pipedrive company domain).
    BaseUrl,
    /// The API token, sealed (XChaCha20-Poly1305) with the server's key.
    Credentials,
    /// What inbound webhooks are checked with (HubSpot app secret, Pipedrive basic-auth
    /// password), sealed likewise.
    WebhookSecret,
    /// JSON: partner field, stage mapping, touch kind, write-back fields.
    Settings,
    Enabled,
    /// The newest modification time the last finished sync saw: where the next incremental
    /// sync starts.
    SyncedUntil,
    CreatedAt,
    UpdatedAt,
    /// Who last saved the settings: the actor of scheduled and webhook-triggered syncs.
    UpdatedBy,
}

#[derive(DeriveIden, Clone)]
enum CrmSyncs {
    Table,
    Id,
    OrganizationId,
    ConnectionId,
    /// backfill | incremental | webhook
    Mode,
    /// queued | running | done | failed | cancelled
    Status,
    /// Where a resumed run goes on from (the CRM's page token).
    PageCursor,
    /// Records modified from this time on (none for a backfill).
    Since,
    /// The newest modification time seen so far.
    SeenUntil,
    /// How many records the CRM says there are, when it says.
    TotalRecords,
    FetchedRecords,
    CreatedRecords,
    UpdatedRecords,
    UnchangedRecords,
    FailedRecords,
    /// Written back to the CRM (attribution results of won deals).
    WrittenBack,
    Failure,
    /// A rate-limited run waits until this time.
    NotBefore,
    CreatedBy,
    CreatedAt,
    StartedAt,
    /// Moved on with each page: a running sync with an old one was left by a stopped server.
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone)]
enum CrmSyncErrors {
    Table,
    Id,
    OrganizationId,
    SyncId,
    /// The CRM's id of the record, or empty for the run as a whole.
    ExternalId,
    /// The record's name in the CRM, to find it there.
    RecordName,
    Message,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum CrmWriteBacks {
    Table,
    ConnectionId,
    DealId,
    OrganizationId,
    /// JSON: the fields and values last written to the CRM deal.
    Fields,
    WrittenAt,
}

#[derive(DeriveIden, Clone)]
enum Deals {
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

const KINDS: &[&str] = &["hubspot", "salesforce", "pipedrive"];

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
                    .table(CrmConnections::Table)
                    .col(id(CrmConnections::Id))
                    .col(big_integer(CrmConnections::OrganizationId))
                    .col(string_len(CrmConnections::Kind, 16))
                    .col(string_len(CrmConnections::BaseUrl, 500))
                    .col(text_null(CrmConnections::Credentials))
                    .col(text_null(CrmConnections::WebhookSecret))
                    .col(text(CrmConnections::Settings))
                    .col(boolean(CrmConnections::Enabled).default(false))
                    .col(utc_null(CrmConnections::SyncedUntil))
                    .col(utc(CrmConnections::CreatedAt))
                    .col(utc(CrmConnections::UpdatedAt))
                    .col(big_integer_null(CrmConnections::UpdatedBy))
                    .foreign_key(&mut fk(
                        CrmConnections::Table,
                        CrmConnections::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CrmConnections::Table,
                        CrmConnections::UpdatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_crm_connections_kind",
                        CrmConnections::Kind,
                        KINDS,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ux_crm_connections_org_kind",
                CrmConnections::Table,
                &["kind"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CrmSyncs::Table)
                    .col(id(CrmSyncs::Id))
                    .col(big_integer(CrmSyncs::OrganizationId))
                    .col(big_integer(CrmSyncs::ConnectionId))
                    .col(string_len(CrmSyncs::Mode, 16))
                    .col(string_len(CrmSyncs::Status, 16).default("queued"))
                    .col(text_null(CrmSyncs::PageCursor))
                    .col(utc_null(CrmSyncs::Since))
                    .col(utc_null(CrmSyncs::SeenUntil))
                    .col(big_integer_null(CrmSyncs::TotalRecords))
                    .col(big_integer(CrmSyncs::FetchedRecords).default(0))
                    .col(big_integer(CrmSyncs::CreatedRecords).default(0))
                    .col(big_integer(CrmSyncs::UpdatedRecords).default(0))
                    .col(big_integer(CrmSyncs::UnchangedRecords).default(0))
                    .col(big_integer(CrmSyncs::FailedRecords).default(0))
                    .col(big_integer(CrmSyncs::WrittenBack).default(0))
                    .col(text_null(CrmSyncs::Failure))
                    .col(utc_null(CrmSyncs::NotBefore))
                    .col(big_integer_null(CrmSyncs::CreatedBy))
                    .col(utc(CrmSyncs::CreatedAt))
                    .col(utc_null(CrmSyncs::StartedAt))
                    .col(utc(CrmSyncs::UpdatedAt))
                    .col(utc_null(CrmSyncs::FinishedAt))
                    .foreign_key(&mut fk(
                        CrmSyncs::Table,
                        CrmSyncs::ConnectionId,
                        CrmConnections::Table,
                        CrmConnections::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CrmSyncs::Table,
                        CrmSyncs::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_crm_syncs_mode",
                        CrmSyncs::Mode,
                        &["backfill", "incremental", "webhook"],
                    ))
                    .check(one_of(
                        "ck_crm_syncs_status",
                        CrmSyncs::Status,
                        &["queued", "running", "done", "failed", "cancelled"],
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_crm_syncs_org_connection",
                CrmSyncs::Table,
                &["connection_id", "id"],
                false,
            ))
            .await?;
        // The worker's queue.
        manager
            .create_index(
                Index::create()
                    .name("ix_crm_syncs_status")
                    .table(CrmSyncs::Table)
                    .col(CrmSyncs::Status)
                    .col(CrmSyncs::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CrmSyncErrors::Table)
                    .col(id(CrmSyncErrors::Id))
                    .col(big_integer(CrmSyncErrors::OrganizationId))
                    .col(big_integer(CrmSyncErrors::SyncId))
                    .col(string_len(CrmSyncErrors::ExternalId, 255))
                    .col(string_len(CrmSyncErrors::RecordName, 255))
                    .col(text(CrmSyncErrors::Message))
                    .col(utc(CrmSyncErrors::CreatedAt))
                    .foreign_key(&mut fk(
                        CrmSyncErrors::Table,
                        CrmSyncErrors::SyncId,
                        CrmSyncs::Table,
                        CrmSyncs::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_crm_sync_errors_org_sync",
                CrmSyncErrors::Table,
                &["sync_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CrmWriteBacks::Table)
                    .col(big_integer(CrmWriteBacks::ConnectionId))
                    .col(big_integer(CrmWriteBacks::DealId))
                    .col(big_integer(CrmWriteBacks::OrganizationId))
                    .col(text(CrmWriteBacks::Fields))
                    .col(utc(CrmWriteBacks::WrittenAt))
                    .primary_key(
                        Index::create()
                            .col(CrmWriteBacks::ConnectionId)
                            .col(CrmWriteBacks::DealId),
                    )
                    .foreign_key(&mut fk(
                        CrmWriteBacks::Table,
                        CrmWriteBacks::ConnectionId,
                        CrmConnections::Table,
                        CrmConnections::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CrmWriteBacks::Table,
                        CrmWriteBacks::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Queued → running | cancelled; running → queued (paused by a rate limit) | done |
        // failed | cancelled; finished stays.
        let illegal = "NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'cancelled')) \
             OR (OLD.status = 'running' AND NEW.status IN ('queued', 'done', 'failed', 'cancelled')))";
        let db = manager.get_connection();
        for sql in status_change_guard(
            manager.get_database_backend(),
            "crm_syncs",
            "crm_syncs_status_moves",
            illegal,
            "illegal sync status change",
        ) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER crm_syncs_status_moves ON crm_syncs")
                .await?;
            db.execute_unprepared("DROP FUNCTION crm_syncs_status_moves()")
                .await?;
        }
        for table in [
            CrmWriteBacks::Table.into_iden(),
            CrmSyncErrors::Table.into_iden(),
            CrmSyncs::Table.into_iden(),
            CrmConnections::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
