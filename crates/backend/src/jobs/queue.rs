//! The `jobs` table: queueing, claiming for a lease, renewing, finishing, cancelling, and what
//! the operator's metrics read. Serves every organization (a job carries its tenant's id; the
//! handler builds the tenant's caller).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query, SimpleExpr,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use super::{Lease, Outcome};
use crate::entities::jobs::{self, Column};
use crate::entities::text::Text;
use domain::job::{JobKind, JobStatus, backoff_seconds};
use domain::webhook::DeliveryStatus;

/// Queues the job for a subject, due at `run_after`; a job already queued for it stays as it is.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: JobKind,
    subject_id: i64,
    organization_id: Option<i64>,
    run_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = jobs::ActiveModel {
        kind: Set(Text(kind)),
        subject_id: Set(subject_id),
        organization_id: Set(organization_id),
        status: Set(Text(JobStatus::Queued)),
        attempts: Set(0),
        run_after: Set(run_after),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    jobs::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::Kind, Column::SubjectId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Queues a job for each delivery of the given messages still pending, due now: one statement
/// per chunk, in the transaction that queued the deliveries.
pub async fn enqueue_deliveries(
    db: &impl ConnectionTrait,
    message_ids: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::entities::webhook_deliveries as deliveries;
    for chunk in message_ids.chunks(500) {
        let pending = Query::select()
            .expr(Expr::val(JobKind::WebhookDelivery.as_str()))
            .column(deliveries::Column::Id)
            .column(deliveries::Column::OrganizationId)
            .expr(Expr::val(JobStatus::Queued.as_str()))
            .expr(Expr::val(0))
            .expr(Expr::val(now))
            .expr(Expr::val(now))
            .expr(Expr::val(now))
            .from(deliveries::Entity)
            .and_where(deliveries::Column::MessageId.is_in(chunk.iter().cloned()))
            .and_where(deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .to_owned();
        let insert = Query::insert()
            .into_table(jobs::Entity)
            .columns([
                Column::Kind,
                Column::SubjectId,
                Column::OrganizationId,
                Column::Status,
                Column::Attempts,
                Column::RunAfter,
                Column::CreatedAt,
                Column::UpdatedAt,
            ])
            .select_from(pending)
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .on_conflict(
                OnConflict::columns([Column::Kind, Column::SubjectId])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Due jobs of these kinds, taken for this worker for `lease`: queued ones whose time has come
/// and running ones whose lease ran out (their server stopped), oldest first, at most `limit`.
/// One statement: PostgreSQL skips the rows another server is claiming at the same moment;
/// SQLite has one writer at a time.
pub async fn claim(
    db: &impl ConnectionTrait,
    kinds: &[JobKind],
    worker: &str,
    lease: Duration,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Lease>, DbErr> {
    let due = Expr::col(Column::Status)
        .eq(JobStatus::Queued.as_str())
        .and(Expr::col(Column::RunAfter).lte(now))
        .or(Expr::col(Column::Status)
            .eq(JobStatus::Running.as_str())
            .and(Expr::col(Column::LeaseUntil).lt(now)));
    let pick = Query::select()
        .column(Column::Id)
        .from(jobs::Entity)
        .and_where(Expr::col(Column::Kind).is_in(kinds.iter().map(|k| k.as_str())))
        .and_where(due)
        .order_by(Column::RunAfter, Order::Asc)
        .order_by(Column::Id, Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let update = Query::update()
        .table(jobs::Entity)
        .value(Column::Status, JobStatus::Running.as_str())
        .value(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .value(Column::LeaseUntil, now + lease)
        .value(Column::LeasedBy, worker)
        .value(Column::UpdatedAt, now)
        .and_where(Expr::col(Column::Id).in_subquery(pick))
        .returning_all()
        .to_owned();
    let statement = db.get_database_backend().build(&update);
    let mut claimed = jobs::Entity::find().from_raw_sql(statement).all(db).await?;
    claimed.sort_by_key(|job| (job.run_after, job.id));
    Ok(claimed
        .into_iter()
        .map(|job| Lease { job, lease })
        .collect())
}

/// The job, still running under the claim that took it (same worker, same attempt).
fn held(job: &jobs::Model) -> sea_orm::UpdateMany<jobs::Entity> {
    jobs::Entity::update_many()
        .filter(Column::Id.eq(job.id))
        .filter(Column::Status.eq(JobStatus::Running.as_str()))
        .filter(Column::LeasedBy.eq(job.leased_by.clone()))
        .filter(Column::Attempts.eq(job.attempts))
}

pub(super) async fn renew(
    db: &impl ConnectionTrait,
    job: &jobs::Model,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let renewed = held(job)
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .exec(db)
        .await?;
    Ok(renewed.rows_affected == 1)
}

pub(super) async fn finish(
    db: &impl ConnectionTrait,
    job: &jobs::Model,
    outcome: Result<Outcome, String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let kind = job.kind.0;
    let never = Option::<DateTime<Utc>>::None;
    let update = held(job)
        .col_expr(Column::LeaseUntil, Expr::value(never))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    let queued = |update: sea_orm::UpdateMany<jobs::Entity>, at: DateTime<Utc>| {
        update
            .col_expr(Column::Status, Expr::value(JobStatus::Queued.as_str()))
            .col_expr(Column::RunAfter, Expr::value(at))
    };
    let ended = |update: sea_orm::UpdateMany<jobs::Entity>, status: JobStatus| {
        update
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::FinishedAt, Expr::value(now))
    };
    let error = |message: Option<String>| Expr::value(message);
    let update = match outcome {
        Ok(Outcome::Lost) => return Ok(()),
        Ok(Outcome::Done) => match kind.every_seconds() {
            Some(every) => queued(update, now + Duration::seconds(i64::from(every)))
                .col_expr(Column::Attempts, Expr::value(0))
                .col_expr(Column::LastError, error(None)),
            None => ended(update, JobStatus::Done).col_expr(Column::LastError, error(None)),
        },
        Ok(Outcome::Wait(at)) => queued(update, at)
            .col_expr(Column::Attempts, Expr::value(0))
            .col_expr(Column::LastError, error(None)),
        Ok(Outcome::Failed(why)) => {
            ended(update, JobStatus::Failed).col_expr(Column::LastError, error(Some(why)))
        }
        Ok(Outcome::Cancelled) => ended(update, JobStatus::Cancelled),
        Err(why) => {
            let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
            let wait = Duration::seconds(i64::from(backoff_seconds(attempts)));
            queued(update, now + wait).col_expr(Column::LastError, error(Some(why)))
        }
    };
    update.exec(db).await?;
    Ok(())
}

/// Cancels the subject's job if it has not finished: a queued one is never claimed, a running
/// one loses its lease at its next renewal.
pub async fn cancel(
    db: &impl ConnectionTrait,
    kind: JobKind,
    subject_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    jobs::Entity::update_many()
        .col_expr(Column::Status, Expr::value(JobStatus::Cancelled.as_str()))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(Column::SubjectId.eq(subject_id))
        .filter(Column::Status.is_in([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
        .exec(db)
        .await?;
    Ok(())
}

/// One job per sweep, due now unless it already exists (every server calls this at start).
pub async fn ensure_sweeps(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), DbErr> {
    for &kind in JobKind::ALL {
        if kind.every_seconds().is_some() {
            enqueue(db, kind, 0, None, now, now).await?;
        }
    }
    Ok(())
}

/// Removes jobs that finished before `before`.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let finished = [
        JobStatus::Done.as_str(),
        JobStatus::Failed.as_str(),
        JobStatus::Cancelled.as_str(),
    ];
    let removed = jobs::Entity::delete_many()
        .filter(Column::Status.is_in(finished))
        .filter(Column::FinishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}

/// How a kind's queue stands: jobs due and waiting, running, and when the oldest due one
/// became due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depth {
    pub kind: JobKind,
    pub due: u64,
    pub running: u64,
    pub oldest_due: Option<DateTime<Utc>>,
}

/// Every kind's queue at `now` (kinds with nothing queued included, at zero).
pub async fn depths(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Depth>, DbErr> {
    let count: SimpleExpr = Expr::col(Column::Id).count();
    let due: Vec<(String, i64, Option<DateTime<Utc>>)> = jobs::Entity::find()
        .select_only()
        .column(Column::Kind)
        .column_as(count.clone(), "n")
        .column_as(Expr::col(Column::RunAfter).min(), "oldest")
        .filter(Column::Status.eq(JobStatus::Queued.as_str()))
        .filter(Column::RunAfter.lte(now))
        .group_by(Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let running: Vec<(String, i64)> = jobs::Entity::find()
        .select_only()
        .column(Column::Kind)
        .column_as(count, "n")
        .filter(Column::Status.eq(JobStatus::Running.as_str()))
        .group_by(Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    Ok(JobKind::ALL
        .iter()
        .map(|&kind| {
            let queued = due.iter().find(|(k, ..)| k == kind.as_str());
            Depth {
                kind,
                due: queued.map_or(0, |(_, n, _)| *n as u64),
                running: running
                    .iter()
                    .find(|(k, _)| k == kind.as_str())
                    .map_or(0, |(_, n)| *n as u64),
                oldest_due: queued.and_then(|(.., at)| *at),
            }
        })
        .collect())
}
