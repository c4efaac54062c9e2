//! One queue for the background work of every server: a job per import, CRM sync and webhook
//! delivery, and one per periodic sweep. A server claims a job for a lease and renews it as it
//! works; a lease that runs out lets another server take the job up. The work already queued in
//! the subject tables becomes jobs here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::schema_helpers::{fk, id, one_of, status_change_guard, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Jobs {
    Table,
    Id,
    /// `domain::job::JobKind`
    Kind,
    /// The import, sync or delivery the job works on; 0 for a sweep.
    SubjectId,
    /// The tenant whose work it is; none for a sweep.
    OrganizationId,
    Status,
    /// Claims so far (a retry or a server that stopped mid-way each count one).
    Attempts,
    /// Not claimed before this.
    RunAfter,
    /// While running: the holder's lease; once past, another server may take the job.
    LeaseUntil,
    /// The server that claimed it last (kept when it finishes).
    LeasedBy,
    LastError,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

const KINDS: &[&str] = &[
    "import",
    "crm_sync",
    "webhook_delivery",
    "session_cleanup",
    "upload_cleanup",
    "crm_schedule",
    "registration_expiry",
    "job_cleanup",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(id(Jobs::Id))
                    .col(string_len(Jobs::Kind, 32))
                    .col(big_integer(Jobs::SubjectId))
                    .col(big_integer_null(Jobs::OrganizationId))
                    .col(string_len(Jobs::Status, 16))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(utc(Jobs::RunAfter))
                    .col(utc_null(Jobs::LeaseUntil))
                    .col(string_len_null(Jobs::LeasedBy, 128))
                    .col(text_null(Jobs::LastError))
                    .col(utc(Jobs::CreatedAt))
                    .col(utc(Jobs::UpdatedAt))
                    .col(utc_null(Jobs::FinishedAt))
                    .foreign_key(&mut fk(
                        Jobs::Table,
                        Jobs::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .check(one_of("ck_jobs_kind", Jobs::Kind, KINDS))
                    .check(one_of(
                        "ck_jobs_status",
                        Jobs::Status,
                        &["queued", "running", "done", "failed", "cancelled"],
                    ))
                    .to_owned(),
            )
            .await?;
        // One job per subject: a second enqueue of the same work is a no-op.
        manager
            .create_index(
                Index::create()
                    .name("ux_jobs_subject")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The claim: due queued jobs in order, and running ones whose lease ran out.
        manager
            .create_index(
                Index::create()
                    .name("ix_jobs_due")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::RunAfter)
                    .to_owned(),
            )
            .await?;
        let illegal = "NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'cancelled')) \
             OR (OLD.status = 'running' AND NEW.status IN ('queued', 'done', 'failed', 'cancelled')))";
        let db = manager.get_connection();
        for sql in status_change_guard(
            manager.get_database_backend(),
            "jobs",
            "jobs_status_moves",
            illegal,
            "illegal job status change",
        ) {
            db.execute_unprepared(&sql).await?;
        }
        // What was waiting or under way becomes a job, due at once (a running one resumes where
        // its progress says).
        db.execute_unprepared(
            "INSERT INTO jobs (kind, subject_id, organization_id, status, attempts, run_after, \
                               created_at, updated_at) \
             SELECT 'import', id, organization_id, 'queued', 0, created_at, created_at, created_at \
             FROM imports WHERE status IN ('queued', 'running')",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO jobs (kind, subject_id, organization_id, status, attempts, run_after, \
                               created_at, updated_at) \
             SELECT 'crm_sync', id, organization_id, 'queued', 0, \
                    COALESCE(not_before, created_at), created_at, created_at \
             FROM crm_syncs WHERE status IN ('queued', 'running')",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO jobs (kind, subject_id, organization_id, status, attempts, run_after, \
                               created_at, updated_at) \
             SELECT 'webhook_delivery', id, organization_id, 'queued', 0, \
                    COALESCE(next_attempt_at, created_at), created_at, created_at \
             FROM webhook_deliveries WHERE status = 'pending'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS jobs_status_moves() CASCADE")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}
