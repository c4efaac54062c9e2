//! The one background-job runner. Imports, CRM syncs, webhook deliveries and the periodic sweeps
//! are rows of one `jobs` table; every server runs the same lanes (`runner`), each claiming due
//! jobs for a lease (`queue::claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite), so several servers on one database share the work and no job runs twice. The holder
//! renews the lease as it works; a server that stops lets its lease run out and another takes the
//! job up where its subject's progress says. What a job's subject holds (rows imported, records
//! synced, answers received) stays in the subject's table; the job holds only who runs it, when,
//! and how often it has failed.

pub mod queue;
pub mod runner;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Deserialize;

use crate::entities::jobs;
use domain::job::JobKind;

pub use runner::{run_next, spawn};

/// The `[partner-attribution.jobs]` section of Leptos.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct JobSettings {
    /// How often each lane looks for due jobs when it found none.
    pub poll_ms: u64,
    /// The lease a claim takes, overriding each kind's own (`JobKind::lease_seconds`) when not 0.
    pub lease_seconds: u32,
}

impl Default for JobSettings {
    fn default() -> JobSettings {
        JobSettings {
            poll_ms: 500,
            lease_seconds: 0,
        }
    }
}

impl JobSettings {
    pub fn lease(&self, kind: JobKind) -> Duration {
        let seconds = match self.lease_seconds {
            0 => kind.lease_seconds(),
            configured => configured,
        };
        Duration::seconds(i64::from(seconds))
    }
}

/// This process, as the `leased_by` of the jobs it claims: host, process id and a random tag
/// (a restarted process on the same host is another worker).
pub fn worker_id() -> Arc<str> {
    static ID: OnceLock<Arc<str>> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "server".to_owned());
        let tag = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}/{}/{}", std::process::id(), &tag[..8]).into()
    })
    .clone()
}

/// How a job's run ended, as its handler saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished (a sweep: until its next turn).
    Done,
    /// Nothing wrong, but not finished: run again at this time (a delivery's next retry, a sync
    /// paused for a rate limit). Does not count as a failed attempt.
    Wait(DateTime<Utc>),
    /// Finished without success; the subject says why.
    Failed(String),
    /// The subject was cancelled.
    Cancelled,
    /// The lease was lost (the job was cancelled, or another server took it over): nothing
    /// more may be written.
    Lost,
}

/// A claimed job: the right to work on it until `lease_until`, renewed by `renew`.
#[derive(Debug, Clone)]
pub struct Lease {
    pub job: jobs::Model,
    pub(crate) lease: Duration,
}

impl Lease {
    pub fn kind(&self) -> JobKind {
        self.job.kind.0
    }

    pub fn subject(&self) -> i64 {
        self.job.subject_id
    }

    /// Why the job is given up instead of run, when this claim is one too many.
    pub fn given_up(&self) -> Option<String> {
        let attempts = u32::try_from(self.job.attempts).unwrap_or(u32::MAX);
        domain::job::exhausted(self.kind(), attempts).then(|| {
            format!(
                "Stopped after {} attempts. The last: {}",
                attempts - 1,
                self.job
                    .last_error
                    .as_deref()
                    .unwrap_or("the server stopped")
            )
        })
    }

    /// Extends the lease from `now`; false when it is no longer this worker's (cancelled, or
    /// taken over after it ran out), so the work must stop.
    pub async fn renew(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        queue::renew(db, &self.job, now + self.lease, now).await
    }

    /// Records how the run ended. An error is retried after the back-off, unless the job has
    /// run out of attempts.
    pub async fn finish(
        self,
        db: &impl ConnectionTrait,
        outcome: Result<Outcome, String>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        crate::metrics::job_finished(self.kind(), &outcome);
        queue::finish(db, &self.job, outcome, now).await
    }
}
