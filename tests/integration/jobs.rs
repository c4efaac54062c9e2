//! The job queue on both databases: what a claim takes, leases that run out and are taken over,
//! the back-off after a failure, sweeps that come round again, cancelling, and many workers
//! claiming at once without taking a job twice.

use std::collections::BTreeMap;

use backend::entities::jobs;
use backend::jobs::{Outcome, queue};
use chrono::{Duration, SubsecRound, Utc};
use partner_attribution::domain::job::{JobKind, JobStatus, backoff_seconds};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::common;

async fn job(db: &DatabaseConnection, kind: JobKind, subject: i64) -> jobs::Model {
    jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(kind.as_str()))
        .filter(jobs::Column::SubjectId.eq(subject))
        .one(db)
        .await
        .unwrap()
        .expect("the job exists")
}

async fn queue_semantics(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    // PostgreSQL keeps microseconds.
    let t0 = Utc::now().trunc_subsecs(6);
    let lease = Duration::seconds(60);
    let import = [JobKind::Import];
    queue::enqueue(&db, JobKind::Import, 1, None, t0, t0)
        .await
        .unwrap();
    queue::enqueue(&db, JobKind::Import, 2, None, t0 + Duration::hours(1), t0)
        .await
        .unwrap();
    // A second enqueue of the same work is a no-op.
    queue::enqueue(&db, JobKind::Import, 1, None, t0, t0)
        .await
        .unwrap();
    assert_eq!(jobs::Entity::find().count(&db).await.unwrap(), 2);

    // Only what is due, once: the first claim takes it, a second finds it leased.
    let claimed = queue::claim(&db, &import, "a", lease, t0, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let first = claimed.into_iter().next().unwrap();
    assert_eq!((first.subject(), first.job.attempts), (1, 1));
    assert_eq!(first.job.status, JobStatus::Running);
    assert!(
        queue::claim(&db, &import, "b", lease, t0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Another kind's lane does not see it.
    assert!(
        queue::claim(&db, &[JobKind::CrmSync], "b", lease, t0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(first.renew(&db, t0 + Duration::seconds(30)).await.unwrap());

    // Its server stops: once the renewed lease has run out, another worker takes the job over,
    // and the first can neither renew nor finish it any more.
    let late = t0 + Duration::seconds(91);
    assert!(
        queue::claim(&db, &import, "b", lease, t0 + Duration::seconds(89), 10)
            .await
            .unwrap()
            .is_empty(),
        "the renewed lease still holds"
    );
    let taken = queue::claim(&db, &import, "b", lease, late, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    let second = taken.into_iter().next().unwrap();
    assert_eq!(second.job.attempts, 2);
    assert_eq!(second.job.leased_by.as_deref(), Some("b"));
    assert!(!first.renew(&db, late).await.unwrap());
    first.finish(&db, Ok(Outcome::Done), late).await.unwrap();
    assert_eq!(
        job(&db, JobKind::Import, 1).await.status,
        JobStatus::Running
    );

    // A failure waits out the back-off, then runs again.
    second.finish(&db, Err("boom".into()), late).await.unwrap();
    let failed = job(&db, JobKind::Import, 1).await;
    assert_eq!(failed.status, JobStatus::Queued);
    assert_eq!(failed.last_error.as_deref(), Some("boom"));
    let due = late + Duration::seconds(i64::from(backoff_seconds(2)));
    assert_eq!(failed.run_after, due);
    assert!(
        queue::claim(&db, &import, "a", lease, due - Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let third = queue::claim(&db, &import, "a", lease, due, 10)
        .await
        .unwrap();
    let third = third.into_iter().next().expect("due after its back-off");
    assert_eq!(third.job.attempts, 3);
    // Waiting is no failure: the attempts start over.
    let later = due + Duration::minutes(5);
    third
        .finish(&db, Ok(Outcome::Wait(later)), due)
        .await
        .unwrap();
    let waiting = job(&db, JobKind::Import, 1).await;
    assert_eq!(
        (waiting.status.0, waiting.attempts, waiting.run_after),
        (JobStatus::Queued, 0, later)
    );
    let fourth = queue::claim(&db, &import, "a", lease, later, 1)
        .await
        .unwrap();
    fourth
        .into_iter()
        .next()
        .unwrap()
        .finish(&db, Ok(Outcome::Done), later)
        .await
        .unwrap();
    let done = job(&db, JobKind::Import, 1).await;
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.finished_at, Some(later));
    assert_eq!(done.lease_until, None);

    // Cancelled before it ran: never claimed.
    queue::enqueue(&db, JobKind::Import, 3, None, t0, t0)
        .await
        .unwrap();
    queue::cancel(&db, JobKind::Import, 3, t0).await.unwrap();
    let far = t0 + Duration::days(1);
    let claimed = queue::claim(&db, &import, "a", lease, far, 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|l| l.subject()).collect::<Vec<_>>(),
        [2],
        "only the job due later"
    );
    assert_eq!(
        job(&db, JobKind::Import, 3).await.status,
        JobStatus::Cancelled
    );
    // Cancelled while running: its holder loses the lease.
    let running = claimed.into_iter().next().unwrap();
    queue::cancel(&db, JobKind::Import, 2, far).await.unwrap();
    assert!(!running.renew(&db, far).await.unwrap());

    // Sweeps: one each however many servers start, and each comes round again after it ran.
    queue::ensure_sweeps(&db, t0).await.unwrap();
    queue::ensure_sweeps(&db, t0).await.unwrap();
    let sweeps: Vec<JobKind> = JobKind::ALL
        .iter()
        .copied()
        .filter(|k| k.every_seconds().is_some())
        .collect();
    let claimed = queue::claim(&db, &sweeps, "a", lease, t0, 100)
        .await
        .unwrap();
    assert_eq!(claimed.len(), sweeps.len());
    for sweep in claimed {
        sweep.finish(&db, Ok(Outcome::Done), t0).await.unwrap();
    }
    for &kind in &sweeps {
        let next = job(&db, kind, 0).await;
        assert_eq!(next.status, JobStatus::Queued, "{kind}");
        let every = Duration::seconds(i64::from(kind.every_seconds().unwrap()));
        assert_eq!(next.run_after, t0 + every, "{kind}");
    }

    // The operator's view, then finished jobs leave.
    let depths = queue::depths(&db, t0 + Duration::days(1)).await.unwrap();
    let by_kind: BTreeMap<JobKind, (u64, u64)> = depths
        .iter()
        .map(|d| (d.kind, (d.due, d.running)))
        .collect();
    assert_eq!(by_kind[&JobKind::Import], (0, 0));
    assert_eq!(by_kind[&JobKind::SessionCleanup], (1, 0));
    assert_eq!(by_kind.len(), JobKind::ALL.len());
    let removed = queue::prune(&db, far + Duration::seconds(1)).await.unwrap();
    assert_eq!(removed, 3, "the done and the two cancelled imports");
}
on_both_databases!(
    a_job_is_claimed_leased_retried_and_finished,
    queue_semantics
);

async fn racing_workers(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let now = Utc::now();
    let jobs = 120;
    for subject in 1..=jobs {
        queue::enqueue(&db, JobKind::WebhookDelivery, subject, None, now, now)
            .await
            .unwrap();
    }
    let mut workers = Vec::new();
    for worker in 0..6 {
        let db = db.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let kinds = [JobKind::WebhookDelivery];
            let mut taken = Vec::new();
            loop {
                let claimed = queue::claim(&db, &kinds, &name, Duration::seconds(60), now, 7)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return taken;
                }
                for lease in claimed {
                    taken.push(lease.subject());
                    lease.finish(&db, Ok(Outcome::Done), now).await.unwrap();
                }
            }
        }));
    }
    let mut seen = BTreeMap::<i64, u32>::new();
    for worker in workers {
        for subject in worker.await.unwrap() {
            *seen.entry(subject).or_default() += 1;
        }
    }
    assert_eq!(seen.len() as i64, jobs, "every job ran");
    assert!(seen.values().all(|&n| n == 1), "no job ran twice: {seen:?}");
}
on_both_databases!(workers_claiming_at_once_never_share_a_job, racing_workers);
