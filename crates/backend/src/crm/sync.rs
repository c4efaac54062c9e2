//! The sync job: reads a claimed sync's CRM page by page, writing each deal through `apply`,
//! recording progress and per-record errors and renewing its lease after each page (so when its
//! server stops another resumes at the page it was on). A rate-limited sync waits in the queue
//! for the time the CRM asks; a failing CRM is retried three times with back-off, then the sync
//! fails with the CRM's own message. A finished sync writes changed results back to the CRM.
//! `schedule` (a periodic sweep) queues an incremental sync for each enabled connection.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::Crm;
use super::apply::{self, Failure, Outcome};
use super::client::{Connection, CrmError, Page, Record};
use crate::caller::Caller;
use crate::entities::crm_syncs;
use crate::jobs::{Lease, Outcome as JobOutcome};
use crate::repo::{
    self,
    crm::{PageEnd, RecordError, Tally},
};
use crate::services::deals;
use crate::state::Backend;
use domain::crm::{self, SyncMode, SyncStatus};
use domain::ids::{OrganizationId, UserId};
use domain::touchpoint::TouchpointKind;
use wire::AppError;

/// Runs a claimed sync from the page it was on, renewing the lease after each page.
pub async fn run_job(backend: &Backend, lease: &Lease) -> Result<JobOutcome, AppError> {
    let db = &backend.db;
    let Some(sync) = repo::crm::start_sync(db, lease.subject(), Utc::now()).await? else {
        return Ok(JobOutcome::Done);
    };
    let id = sync.id;
    match run(backend, sync, lease).await {
        Ok(false) => return Ok(JobOutcome::Lost),
        Ok(true) => {}
        Err(err) => {
            tracing::error!(sync = id, %err, "CRM sync failed");
            fail(db, id, &format!("The sync stopped: {err}")).await?;
        }
    }
    let Some(ended) = repo::crm::sync_for_worker(db, id).await? else {
        return Ok(JobOutcome::Done);
    };
    Ok(match ended.status.0 {
        SyncStatus::Done => JobOutcome::Done,
        SyncStatus::Failed => JobOutcome::Failed(ended.failure.unwrap_or_default()),
        SyncStatus::Cancelled => JobOutcome::Cancelled,
        // Paused for a rate limit: due again when the CRM said.
        SyncStatus::Queued => JobOutcome::Wait(ended.not_before.unwrap_or_else(Utc::now)),
        SyncStatus::Running => JobOutcome::Lost,
    })
}

/// Ends a sync that is not finished as failed, with why.
pub async fn give_up(db: &DatabaseConnection, id: i64, message: &str) -> Result<(), AppError> {
    repo::crm::finish_sync(
        db,
        id,
        &[SyncStatus::Queued, SyncStatus::Running],
        SyncStatus::Failed,
        Some(message),
        Utc::now(),
    )
    .await?;
    Ok(())
}

async fn fail(db: &DatabaseConnection, id: i64, message: &str) -> Result<bool, AppError> {
    repo::crm::finish_sync(
        db,
        id,
        &[SyncStatus::Running],
        SyncStatus::Failed,
        Some(message),
        Utc::now(),
    )
    .await?;
    Ok(true)
}

/// A page, retrying a CRM that fails three times (waiting `retry_ms`, then twice, four times
/// that).
async fn fetch_with_retries(
    crm: &Crm,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    let mut wait = Duration::from_millis(crm.config.retry_ms);
    let mut attempt = 0;
    loop {
        match super::fetch(crm, conn, cursor, since).await {
            Err(CrmError::Unavailable(message)) if attempt < 3 => {
                tracing::warn!(crm = conn.kind.as_str(), %message, "CRM request failed; retrying");
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// A page, signed in first where the connection signs in, and once more when the CRM no longer
/// takes the access token (it expired mid-sync).
async fn fetch_signed_in(
    crm: &Crm,
    conn: &mut Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    if conn.sign_in_secret.is_some() && conn.token.is_empty() {
        super::sign_in(crm, conn).await?;
    }
    match fetch_with_retries(crm, conn, cursor, since).await {
        Err(CrmError::Unauthorized(_)) if conn.sign_in_secret.is_some() => {
            super::sign_in(crm, conn).await?;
            fetch_with_retries(crm, conn, cursor, since).await
        }
        other => other,
    }
}

/// True when the sync ended or paused; false when the lease was lost.
async fn run(backend: &Backend, sync: crm_syncs::Model, lease: &Lease) -> Result<bool, AppError> {
    let (db, crm) = (&backend.db, &*backend.crm);
    let Some(row) = repo::crm::connection_for_worker(db, sync.connection_id).await? else {
        return fail(db, sync.id, "The connection was removed.").await;
    };
    let mut conn = match super::ready(crm, &row) {
        Ok(conn) => conn,
        Err(message) => return fail(db, sync.id, &message).await,
    };
    let actor = sync.created_by.or(row.updated_by);
    let caller = match actor {
        Some(user) => {
            Caller::for_user(backend, OrganizationId(row.organization_id), UserId(user)).await?
        }
        None => None,
    };
    let Some(caller) = caller else {
        return fail(
            db,
            sync.id,
            "The person the sync acts for can no longer sign in; save the connection again.",
        )
        .await;
    };
    let mut cursor = sync.page_cursor.clone();
    let mut seen_until = sync.seen_until;
    loop {
        let page = match fetch_signed_in(crm, &mut conn, cursor.as_deref(), sync.since).await {
            Ok(page) => page,
            Err(CrmError::RateLimited { wait, .. }) => {
                let until = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                repo::crm::pause_sync(db, sync.id, until, Utc::now()).await?;
                return Ok(true);
            }
            Err(err) => return fail(db, sync.id, &err.to_string()).await,
        };
        let mut tally = Tally::default();
        let mut errors = Vec::new();
        for record in &page.records {
            tally.fetched += 1;
            let (id, name, applied) = match record {
                Record::Deal(deal) => {
                    seen_until = seen_until.max(deal.modified_at);
                    let applied =
                        apply::apply(&caller, conn.kind, &conn.settings, deal, Utc::now()).await;
                    (&deal.id, &deal.name, applied)
                }
                Record::Deleted { id, name } => (
                    id,
                    name,
                    apply::delete(&caller, conn.kind, id, Utc::now()).await,
                ),
                Record::Unreadable { id, name, message } => {
                    (id, name, Err(Failure::Record(message.clone())))
                }
            };
            let error = |message: String| RecordError {
                external_id: id.clone(),
                name: name.clone(),
                message,
            };
            match applied {
                Ok(applied) => {
                    match applied.outcome {
                        Outcome::Created => tally.created += 1,
                        Outcome::Updated => tally.updated += 1,
                        Outcome::Unchanged => tally.unchanged += 1,
                    }
                    errors.extend(applied.warnings.into_iter().map(error));
                }
                Err(Failure::Record(message)) => {
                    tally.failed += 1;
                    errors.push(error(message));
                }
                Err(Failure::Server(err)) => return Err(err),
            }
        }
        let end = PageEnd {
            next: page.next.as_deref(),
            seen_until,
            total: page.total,
        };
        if !repo::crm::record_page(db, &sync, tally, &errors, end, Utc::now()).await? {
            // Cancelled meanwhile: what was written stays.
            return Ok(true);
        }
        if !lease.renew(db, Utc::now()).await? {
            return Ok(false);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    if conn.settings.writes_back()
        && !write_back_changed(db, crm, &caller, &mut conn, &sync, lease).await?
    {
        return Ok(true);
    }
    if let Some(until) = seen_until {
        repo::crm::mark_synced(db, row.id, until).await?;
    }
    repo::crm::finish_sync(
        db,
        sync.id,
        &[SyncStatus::Running],
        SyncStatus::Done,
        None,
        Utc::now(),
    )
    .await?;
    Ok(true)
}

/// Write-backs recorded between two progress records.
const WRITE_BACK_BATCH: usize = 50;

/// Pushes each won deal's result to the CRM where it differs from what was last written there:
/// each partner's share under the payable model, and whether a partner sourced the deal (its
/// first touch is of a sourcing kind). A result changed in the app (a touch added, a model
/// switched) goes out with the next sync. False when the sync was cancelled meanwhile.
async fn write_back_changed(
    db: &DatabaseConnection,
    crm: &Crm,
    caller: &Caller,
    conn: &mut Connection,
    sync: &crm_syncs::Model,
    lease: &Lease,
) -> Result<bool, AppError> {
    let model = deals::payable_model(caller).await?;
    let facts = repo::crm::write_back_facts(
        &caller.tenant,
        db,
        sync.connection_id,
        conn.kind.as_str(),
        model.as_str(),
    )
    .await?;
    let mut tally = Tally::default();
    let mut errors = Vec::new();
    let mut pending = 0;
    for (deal, crm_id, name) in &facts.deals {
        let mut shares = facts.shares.get(deal).cloned().unwrap_or_default();
        let written = facts.written.get(deal);
        // A deal no partner touched says nothing the CRM does not know, unless it said more before.
        if shares.is_empty() && written.is_none() {
            continue;
        }
        shares.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let sourced = facts
            .first_touch
            .get(deal)
            .and_then(|kind| kind.parse::<TouchpointKind>().ok())
            .is_some_and(TouchpointKind::sources);
        let back = crm::write_back(&conn.settings, &shares, sourced);
        let text = serde_json::to_string(&back.fields).map_err(AppError::internal)?;
        if written == Some(&text) {
            continue;
        }
        match send_write_back(crm, conn, crm_id, &back).await {
            Ok(()) => {
                repo::crm::record_write_back(
                    &caller.tenant,
                    db,
                    sync.connection_id,
                    *deal,
                    &text,
                    Utc::now(),
                )
                .await?;
                tally.written_back += 1;
            }
            Err(err) => {
                errors.push(RecordError {
                    external_id: crm_id.clone(),
                    name: name.clone(),
                    message: format!("Write-back to {} failed: {err}", conn.kind.name()),
                });
                // Still limited after waiting: the rest waits for the next sync.
                if matches!(err, CrmError::RateLimited { .. }) {
                    break;
                }
            }
        }
        pending += 1;
        if pending == WRITE_BACK_BATCH {
            pending = 0;
            let end = PageEnd {
                next: None,
                seen_until: None,
                total: None,
            };
            if !repo::crm::record_page(db, sync, tally, &errors, end, Utc::now()).await?
                || !lease.renew(db, Utc::now()).await?
            {
                return Ok(false);
            }
            tally = Tally::default();
            errors.clear();
        }
    }
    let end = PageEnd {
        next: None,
        seen_until: None,
        total: None,
    };
    Ok(repo::crm::record_page(db, sync, tally, &errors, end, Utc::now()).await?)
}

/// One write-back; a rate limit is waited out once (up to half a minute), an expired access
/// token the connection signs in for is renewed once.
async fn send_write_back(
    crm: &Crm,
    conn: &mut Connection,
    crm_id: &str,
    back: &crm::WriteBack,
) -> Result<(), CrmError> {
    match super::write_back(crm, conn, crm_id, back).await {
        Err(CrmError::RateLimited { wait, .. }) => {
            tokio::time::sleep(wait.min(Duration::from_secs(30))).await;
            super::write_back(crm, conn, crm_id, back).await
        }
        Err(CrmError::Unauthorized(_)) if conn.sign_in_secret.is_some() => {
            super::sign_in(crm, conn).await?;
            super::write_back(crm, conn, crm_id, back).await
        }
        other => other,
    }
}

/// Queues an incremental sync for each enabled connection not synced in `sync_minutes`.
pub async fn schedule(db: &DatabaseConnection, crm: &Crm) -> Result<(), AppError> {
    if crm.config.sync_minutes == 0 {
        return Ok(());
    }
    let now = Utc::now();
    let before = now - chrono::Duration::minutes(crm.config.sync_minutes as i64);
    for connection in repo::crm::due_for_worker(db, before).await? {
        repo::crm::insert_sync(db, &connection, SyncMode::Incremental, None, now).await?;
    }
    Ok(())
}
