//! The import worker: takes queued imports one at a time and writes their rows in batches,
//! recording progress and bad rows after each batch, so the page can show a progress bar and a
//! stopped server resumes where it was. An all-or-nothing import checks every row first and
//! writes nothing when one is bad.

pub mod file;
pub mod rows;
pub mod upload;

pub use file::{Table, parse};

use std::time::Duration;

use chrono::Utc;

use crate::caller::Caller;
use crate::entities::imports;
use crate::repo::{self, imports::Tally};
use crate::state::Backend;
use domain::ids::{OrganizationId, UserId};
use domain::import::{ColumnMapping, ImportKind, ImportMode, ImportStatus, RowError};
use rows::{Lookups, Outcome, RowFailure};
use wire::AppError;

/// Rows written between two progress records.
const BATCH: usize = 200;

/// Runs the next import there is, to its end; false when there was none.
pub async fn run_next(backend: &Backend) -> Result<bool, AppError> {
    let db = &backend.db;
    let now = Utc::now();
    let Some(import) = repo::imports::next_to_run(db, now).await? else {
        return Ok(false);
    };
    if !repo::imports::claim(db, &import, now).await? {
        return Ok(true);
    }
    let id = import.id;
    let outcome = run(backend, import).await;
    crate::memory::release();
    if let Err(err) = outcome {
        tracing::error!(import = id, %err, "import failed");
        let message = format!("The import stopped: {err}");
        repo::imports::finish(
            db,
            id,
            &[ImportStatus::Running],
            ImportStatus::Failed,
            Some(&message),
            Utc::now(),
        )
        .await?;
    }
    Ok(true)
}

async fn run(backend: &Backend, import: imports::Model) -> Result<(), AppError> {
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
        .map(|_| ())
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
        for row in rows_of().map_err(AppError::internal)? {
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
        if !repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await? {
            // Cancelled meanwhile: what was written stays, the rest is left.
            return Ok(());
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
    Ok(())
}

fn borrowed(
    owned: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, &str> {
    owned.iter().map(|(k, v)| (k.clone(), v.as_str())).collect()
}

/// Works through queued imports every `poll` until the process ends.
pub fn spawn(backend: Backend, poll: Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut swept = None::<tokio::time::Instant>;
        loop {
            every.tick().await;
            // Uploads no import started from, hourly (each upload sweeps too).
            if swept.is_none_or(|at| at.elapsed() >= Duration::from_secs(3600)) {
                let before = Utc::now() - crate::services::imports::UPLOAD_KEPT;
                if let Err(err) = repo::imports::sweep_uploads(&backend.db, before).await {
                    tracing::error!(%err, "stale uploads could not be removed");
                }
                swept = Some(tokio::time::Instant::now());
            }
            loop {
                match run_next(&backend).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::error!(%err, "the import queue could not be read");
                        break;
                    }
                }
            }
        }
    });
}
