//! Background jobs: the work the one job runner does away from any request (imports, CRM syncs,
//! webhook deliveries and the periodic sweeps). Pure: the kinds, where a job stands and how it
//! may move, how long a lease lasts, when a failed attempt is retried and when a sweep is due.
//!
//! A job is claimed for a lease; the server holding it renews the lease as it works (the
//! heartbeat), and a lease that runs out (its server stopped) lets another server take the job
//! up where its subject's progress says it was.

use crate::labels::label_enum;

label_enum! {
    /// What a job does. The first three work on one subject (an import, a sync, a delivery);
    /// the rest are sweeps, one job each, run again every `every()`.
    pub enum JobKind ("job kind") {
        Import => "import",
        CrmSync => "crm_sync",
        WebhookDelivery => "webhook_delivery",
        /// Expired sessions leave the database.
        SessionCleanup => "session_cleanup",
        /// Uploads no import was started from leave the database.
        UploadCleanup => "upload_cleanup",
        /// An incremental sync is queued for each CRM connection due one.
        CrmSchedule => "crm_schedule",
        /// Approved registrations whose protection ran out expire.
        RegistrationExpiry => "registration_expiry",
        /// Finished jobs older than `FINISHED_KEPT_DAYS` leave the queue.
        JobCleanup => "job_cleanup",
    }
}

label_enum! {
    /// Where a job stands. Queued → running → done | failed | cancelled; a running job goes back
    /// to queued to wait for a retry (or, for a sweep, its next turn); a queued one can be
    /// cancelled.
    pub enum JobStatus ("job status") {
        Queued => "queued",
        Running => "running",
        Done => "done",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

/// Days a finished job stays in the queue (for the operator's eyes), after which it is removed.
/// Its subject (the import, sync or delivery) keeps its own history.
pub const FINISHED_KEPT_DAYS: i64 = 7;

/// The longest wait before a retry, in seconds.
pub const BACKOFF_CAP_SECONDS: u32 = 3_600;

impl JobStatus {
    pub fn can_become(self, next: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, next),
            (Queued, Running | Cancelled) | (Running, Queued | Done | Failed | Cancelled)
        )
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// Which of a server's lanes runs a kind: a long job must not hold up a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Imports and syncs: one at a time per server, for minutes.
    Long,
    /// Deliveries: many per pass, each bounded by the endpoint timeout.
    Quick,
    /// Sweeps: short, periodic.
    Sweep,
}

impl JobKind {
    /// The kinds a lane runs.
    pub fn of_lane(lane: Lane) -> Vec<JobKind> {
        JobKind::ALL
            .iter()
            .copied()
            .filter(|kind| kind.lane() == lane)
            .collect()
    }

    pub fn lane(self) -> Lane {
        match self {
            JobKind::Import | JobKind::CrmSync => Lane::Long,
            JobKind::WebhookDelivery => Lane::Quick,
            _ => Lane::Sweep,
        }
    }

    /// How often a sweep runs, in seconds; `None` for a job about one subject.
    pub fn every_seconds(self) -> Option<u32> {
        match self {
            JobKind::Import | JobKind::CrmSync | JobKind::WebhookDelivery => None,
            JobKind::CrmSchedule => Some(60),
            JobKind::RegistrationExpiry => Some(15 * 60),
            JobKind::SessionCleanup | JobKind::UploadCleanup | JobKind::JobCleanup => Some(3_600),
        }
    }

    /// The lease a claim takes, in seconds: long enough for the work between two heartbeats (a
    /// batch of rows, a page of records, a sweep).
    pub fn lease_seconds(self) -> u32 {
        match self {
            JobKind::Import => 60,
            // A page may wait out a rate limit first.
            JobKind::CrmSync => 120,
            // The runner lengthens it to the endpoint timeout when that is longer.
            JobKind::WebhookDelivery => 40,
            _ => 300,
        }
    }

    /// Claims after which a job that keeps failing (or keeps taking its server down) is given
    /// up as failed. A delivery's own retry schedule ends it sooner; a sweep never gives up.
    pub fn max_attempts(self) -> Option<u32> {
        match self {
            JobKind::Import | JobKind::CrmSync => Some(5),
            JobKind::WebhookDelivery => Some(20),
            _ => None,
        }
    }
}

/// Seconds to wait after `attempts` failed claims before the next: 10 s doubling each time, at
/// most an hour.
pub fn backoff_seconds(attempts: u32) -> u32 {
    let doublings = attempts.saturating_sub(1).min(16);
    10u32
        .saturating_mul(1 << doublings)
        .min(BACKOFF_CAP_SECONDS)
}

/// Whether a job claimed for the `attempts`-th time has run out of attempts.
pub fn exhausted(kind: JobKind, attempts: u32) -> bool {
    kind.max_attempts().is_some_and(|max| attempts > max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_legal_moves() {
        use JobStatus::*;
        assert!(Queued.can_become(Running));
        assert!(Running.can_become(Queued));
        assert!(Running.can_become(Done));
        assert!(!Queued.can_become(Done), "a job runs before it is done");
        for finished in [Done, Failed, Cancelled] {
            assert!(finished.is_finished());
            assert!(
                JobStatus::ALL
                    .iter()
                    .all(|&next| !finished.can_become(next)),
                "{finished} is final"
            );
        }
        assert!(!Running.is_finished());
    }

    #[test]
    fn backoff_doubles_to_its_cap() {
        assert_eq!(backoff_seconds(1), 10);
        assert_eq!(backoff_seconds(2), 20);
        assert_eq!(backoff_seconds(3), 40);
        let waits: Vec<u32> = (1..40).map(backoff_seconds).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*waits.last().unwrap(), BACKOFF_CAP_SECONDS);
        assert_eq!(backoff_seconds(0), 10);
    }

    #[test]
    fn every_kind_has_one_lane_and_sweeps_recur() {
        let lanes = [Lane::Long, Lane::Quick, Lane::Sweep];
        let total: usize = lanes.iter().map(|&l| JobKind::of_lane(l).len()).sum();
        assert_eq!(total, JobKind::ALL.len());
        for &kind in JobKind::ALL {
            assert_eq!(
                kind.every_seconds().is_some(),
                kind.lane() == Lane::Sweep,
                "{kind}"
            );
            assert!(kind.lease_seconds() > 0);
        }
    }

    #[test]
    fn attempts_run_out_except_for_sweeps() {
        assert!(!exhausted(JobKind::Import, 5));
        assert!(exhausted(JobKind::Import, 6));
        assert!(!exhausted(JobKind::SessionCleanup, 1_000));
    }
}
