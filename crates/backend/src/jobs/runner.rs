//! The lanes every server runs: long jobs (imports, syncs) one at a time, deliveries in batches,
//! sweeps on their schedules. Each lane claims what is due, runs it to its outcome, and looks
//! again after `poll-ms` when it found nothing.

use std::time::Duration;

use chrono::Utc;
use tower_sessions::session_store::ExpiredDeletion;

use super::{JobSettings, Lease, Outcome, queue, worker_id};
use crate::outbound::Outbound;
use crate::state::Backend;
use domain::job::{FINISHED_KEPT_DAYS, JobKind, Lane};
use wire::AppError;

/// Sweeps claimed per pass (there is one job per sweep kind).
const SWEEPS_PER_PASS: u64 = 8;

/// Starts the lanes (and queues the sweeps, if no server did yet); they run until the process
/// ends.
pub fn spawn(backend: Backend, settings: JobSettings) {
    tokio::spawn(async move {
        if let Err(err) = queue::ensure_sweeps(&backend.db, Utc::now()).await {
            tracing::error!(%err, "the periodic sweeps could not be queued");
        }
        for lane in [Lane::Long, Lane::Quick, Lane::Sweep] {
            let backend = backend.clone();
            // Built once: a client loads its TLS roots.
            let client = crate::webhooks::worker::client(&backend.webhooks);
            tokio::spawn(async move {
                let poll = Duration::from_millis(settings.poll_ms.max(10));
                let mut every = tokio::time::interval(poll);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    loop {
                        match run_lane(&backend, &client, &settings, lane).await {
                            Ok(0) => break,
                            Ok(_) => continue,
                            Err(err) => {
                                tracing::error!(?lane, %err, "the job queue could not be read");
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
}

/// One pass of a lane: what it claimed and ran.
pub async fn run_lane(
    backend: &Backend,
    client: &Outbound,
    settings: &JobSettings,
    lane: Lane,
) -> Result<usize, AppError> {
    if lane == Lane::Quick {
        let sent = crate::webhooks::worker::deliver_due(
            &backend.db,
            client,
            &backend.webhooks,
            Utc::now(),
        )
        .await?;
        return Ok(sent);
    }
    let kinds = JobKind::of_lane(lane);
    let lease = kinds
        .iter()
        .map(|&kind| settings.lease(kind))
        .max()
        .unwrap_or_default();
    let limit = if lane == Lane::Long {
        1
    } else {
        SWEEPS_PER_PASS
    };
    let claimed = queue::claim(&backend.db, &kinds, &worker_id(), lease, Utc::now(), limit).await?;
    let count = claimed.len();
    for lease in claimed {
        run(backend, lease).await?;
    }
    Ok(count)
}

/// Claims the next due job of one kind (import or sync) and runs it to its outcome, with the
/// shipped lease; false when there was none. What a test calls to drain a queue.
pub async fn run_next(backend: &Backend, kind: JobKind) -> Result<bool, AppError> {
    let lease = JobSettings::default().lease(kind);
    let claimed = queue::claim(&backend.db, &[kind], &worker_id(), lease, Utc::now(), 1).await?;
    let found = !claimed.is_empty();
    for lease in claimed {
        run(backend, lease).await?;
    }
    Ok(found)
}

/// Runs one claimed import, sync or sweep to its outcome and records it. Deliveries run in
/// `webhooks::worker`, which sends a batch at a time.
pub async fn run(backend: &Backend, lease: Lease) -> Result<(), AppError> {
    let kind = lease.kind();
    if let Some(message) = lease.given_up() {
        give_up(backend, &lease, &message).await?;
        lease
            .finish(&backend.db, Ok(Outcome::Failed(message)), Utc::now())
            .await?;
        return Ok(());
    }
    let outcome = match kind {
        JobKind::Import => crate::imports::run_job(backend, &lease).await,
        JobKind::CrmSync => crate::crm::sync::run_job(backend, &lease).await,
        JobKind::WebhookDelivery => {
            return Err(AppError::internal("deliveries run in their own lane"));
        }
        sweep => run_sweep(backend, sweep).await.map(|()| Outcome::Done),
    };
    if let Err(err) = &outcome {
        tracing::error!(job = lease.job.id, kind = kind.as_str(), %err, "job failed; it will be retried");
    }
    lease
        .finish(&backend.db, outcome.map_err(|e| e.to_string()), Utc::now())
        .await?;
    Ok(())
}

/// Marks the subject of a job that ran out of attempts as failed, with why.
async fn give_up(backend: &Backend, lease: &Lease, message: &str) -> Result<(), AppError> {
    tracing::error!(job = lease.job.id, kind = lease.kind().as_str(), %message, "job given up");
    match lease.kind() {
        JobKind::Import => crate::imports::give_up(&backend.db, lease.subject(), message).await,
        JobKind::CrmSync => crate::crm::sync::give_up(&backend.db, lease.subject(), message).await,
        JobKind::WebhookDelivery => {
            crate::webhooks::worker::give_up(&backend.db, lease.subject(), message).await
        }
        _ => Ok(()),
    }
}

async fn run_sweep(backend: &Backend, kind: JobKind) -> Result<(), AppError> {
    let (db, now) = (&backend.db, Utc::now());
    match kind {
        JobKind::SessionCleanup => {
            crate::auth::session_store::DbSessionStore::new(db.clone())
                .delete_expired()
                .await
                .map_err(AppError::internal)?;
        }
        JobKind::UploadCleanup => {
            let before = now - crate::services::imports::UPLOAD_KEPT;
            crate::repo::imports::sweep_uploads(db, before).await?;
        }
        JobKind::CrmSchedule => crate::crm::sync::schedule(db, &backend.crm).await?,
        JobKind::RegistrationExpiry => {
            crate::services::registrations::expire_everywhere(db).await?;
        }
        JobKind::JobCleanup => {
            queue::prune(db, now - chrono::Duration::days(FINISHED_KEPT_DAYS)).await?;
        }
        JobKind::Import | JobKind::CrmSync | JobKind::WebhookDelivery => {}
    }
    Ok(())
}
