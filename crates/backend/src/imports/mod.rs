//! The import job: writes a claimed import's rows in batches, recording progress and bad rows
//! and renewing its lease after each batch, so the page can show a progress bar and, when its
//! server stops, another resumes where it was. An all-or-nothing import checks every row first and
//! writes nothing when one is bad.

pub mod file;
pub mod rows;
pub mod upload;

pub use file::{Table, parse};

use chrono::Utc;
use sea_orm::ConnectionTrait;

use crate::caller::Caller;
use crate::entities::imports;
use crate::jobs::{Lease, Outcome as JobOutcome};
use crate::repo::{self, imports::Tally};
use crate::state::Backend;
use domain::ids::{OrganizationId, UserId};
use domain::import::{ColumnMapping, ImportKind, ImportMode, ImportStatus, RowError};
use rows::{Lookups, Outcome, RowFailure};
use wire::AppError;

/// Rows written between two progress records.
const BATCH: usize = 200;

/// Runs a claimed import from where its progress says (a resumed import skips the rows its
/// batches recorded), renewing the lease after each batch.
pub async fn run_job(backend: &Backend, lease: &Lease) -> Result<JobOutcome, AppError> {
    let db = &backend.db;
    let Some(import) = repo::imports::start(db, lease.subject(), Utc::now()).await? else {
        // Finished or cancelled before it was claimed.
        return Ok(JobOutcome::Done);
    };
    let id = import.id;
    let outcome = run(backend, import, lease).await;
    crate::memory::release();
    match outcome {
        Ok(false) => return Ok(JobOutcome::Lost),
        Ok(true) => {}
        Err(err) => {
            tracing::error!(import = id, %err, "import failed");
            let message = format!("The import stopped: {err}");
            give_up(db, id, &message).await?;
        }
    }
    let ended = repo::imports::status(db, id).await?;
    Ok(match ended {
        Some((ImportStatus::Done, _)) | None => JobOutcome::Done,
        Some((ImportStatus::Failed, failure)) => JobOutcome::Failed(failure.unwrap_or_default()),
        Some((ImportStatus::Cancelled, _)) => JobOutcome::Cancelled,
        Some((ImportStatus::Queued | ImportStatus::Running, _)) => JobOutcome::Lost,
    })
}

/// Ends a running import as failed, with why.
pub async fn give_up(db: &impl ConnectionTrait, id: i64, message: &str) -> Result<(), AppError> {
    repo::imports::finish(
        db,
        id,
        &[ImportStatus::Queued, ImportStatus::Running],
        ImportStatus::Failed,
        Some(message),
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// True when the import ended (done, failed or cancelled); false when the lease was lost.
async fn run(backend: &Backend, import: imports::Model, lease: &Lease) -> Result<bool, AppError> {
    let db = &backend.db;
    let kind: ImportKind = import.kind.0;
    let mode: ImportMode = import.mode.0;
    let mapping: ColumnMapping =
        serde_json::from_str(&import.mapping).map_err(AppError::internal)?;
    let fail = |message: String| async move {
        repo::imports::finish(
            db,
            import.id,
            &[ImportStatus::Running],
            ImportStatus::Failed,
            Some(&message),
            Utc::now(),
        )
        .await
        .map(|_| true)
        .map_err(AppError::from)
    };
    let caller = match import.created_by {
        Some(user) => {
            Caller::for_user(
                backend,
                OrganizationId(import.organization_id),
                UserId(user),
            )
            .await?
        }
        None => None,
    };
    let Some(caller) = caller else {
        return fail("The person who started this import can no longer sign in.".into()).await;
    };
    // The file was read to its end when it was queued; it is read again row by row here, so
    // only a batch of rows is held at a time.
    let rows_of = || file::read(&import.content);
    let headers = match rows_of() {
        Ok(rows) => rows.headers,
        Err(message) => return fail(message).await,
    };
    let mut lookups = Lookups::default();
    let fields_of = |record: &[String]| {
        domain::import::fields_of(&headers, &mapping, record)
            .into_iter()
            .map(|(field, value)| (field, value.to_owned()))
            .collect::<std::collections::BTreeMap<String, String>>()
    };

    if mode == ImportMode::AllOrNothing && import.processed_rows == 0 {
        let mut errors = Vec::new();
        let mut bad_rows = 0;
        for (index, row) in rows_of().map_err(AppError::internal)?.enumerate() {
            if index % BATCH == BATCH - 1 && !lease.renew(db, Utc::now()).await? {
                return Ok(false);
            }
            let (line, record) = match row {
                Ok(row) => row,
                Err(message) => return fail(message).await,
            };
            let owned = fields_of(&record);
            let fields = borrowed(&owned);
            match rows::check(&caller, kind, line, &fields, &mut lookups).await {
                Ok(()) => {}
                Err(RowFailure::Row(row_errors)) => {
                    bad_rows += 1;
                    errors.extend(row_errors);
                }
                Err(RowFailure::Server(err)) => return Err(err),
            }
        }
        if bad_rows > 0 {
            let tally = Tally {
                failed: bad_rows,
                ..Tally::default()
            };
            repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await?;
            let rows = if bad_rows == 1 {
                "row has"
            } else {
                "rows have"
            };
            return fail(format!(
                "{bad_rows} {rows} errors, so nothing was imported. Correct them and upload the file again."
            ))
            .await;
        }
    }

    let skip = usize::try_from(import.processed_rows).unwrap_or(usize::MAX);
    let mut remaining = rows_of().map_err(AppError::internal)?.skip(skip).peekable();
    while remaining.peek().is_some() {
        let mut tally = Tally::default();
        let mut errors: Vec<RowError> = Vec::new();
        for row in remaining.by_ref().take(BATCH) {
            let (line, record) = match row {
                Ok(row) => row,
                Err(message) => {
                    repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await?;
                    return fail(message).await;
                }
            };
            let owned = fields_of(&record);
            let fields = borrowed(&owned);
            tally.processed += 1;
            match rows::apply(&caller, kind, line, &fields, &mut lookups).await {
                Ok(Outcome::Created) => tally.created += 1,
                Ok(Outcome::Updated) => tally.updated += 1,
                Ok(Outcome::Unchanged) => tally.unchanged += 1,
                Err(RowFailure::Row(row_errors)) => {
                    tally.failed += 1;
                    errors.extend(row_errors);
                }
                Err(RowFailure::Server(err)) => {
                    tally.processed -= 1;
                    repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await?;
                    return Err(err);
                }
            }
        }
        // The batch counts only while the lease is this server's: renewed and recorded in one
        // transaction, so a server that lost its job (stalled past its lease) adds nothing to
        // the counters of the server that took it over. Rows it wrote meanwhile are written
        // again by that server, as unchanged.
        let txn = repo::begin_write(db).await?;
        if !lease.renew(&txn, Utc::now()).await? {
            return Ok(false);
        }
        let running =
            repo::imports::record_batch(&txn, &import, tally, &errors, Utc::now()).await?;
        txn.commit().await?;
        if !running {
            // Cancelled meanwhile: what was written stays, the rest is left.
            return Ok(true);
        }
    }
    repo::imports::finish(
        db,
        import.id,
        &[ImportStatus::Running],
        ImportStatus::Done,
        None,
        Utc::now(),
    )
    .await?;
    Ok(true)
}

fn borrowed(
    owned: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, &str> {
    owned.iter().map(|(k, v)| (k.clone(), v.as_str())).collect()
}
