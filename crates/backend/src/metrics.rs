//! What a fleet's operators watch, in Prometheus' text format at `/metrics`: request latency by
//! route, the job queue (depth and age per kind, runs by outcome), webhook and CRM failures, and
//! the database pool.
//!
//! One registry per process, as Prometheus scrapes processes: events (requests, job runs,
//! failures) count as they happen; the queue and the pool are read when scraped. The queue is the
//! database's, so every server of a fleet reports the same depths (take their `max`, not their
//! `sum`). Labels are route templates and kinds, never ids, names or tenants.

use std::sync::LazyLock;
use std::time::Duration;

use chrono::Utc;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseBackend, DatabaseConnection, DbErr};

use crate::jobs::{Outcome, queue};
use domain::job::JobKind;

/// The OpenMetrics text format, which Prometheus scrapes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's template (`/api/v1/deals/{id}`), or `unmatched` (static files, not found).
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    /// `status` (the endpoint answered, not 2xx) or `unreachable` (no answer, refused address).
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram>,
    jobs_finished: Family<OutcomeLabels, Counter>,
    jobs_due: Family<KindLabels, Gauge>,
    jobs_running: Family<KindLabels, Gauge>,
    jobs_oldest_due: Family<KindLabels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    webhook_failures: Family<ReasonLabels, Counter>,
    crm_failures: Counter,
    pool: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("partner_attribution");
        // 5 ms … ~20 s, doubling: a page, a report, an upload.
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 13))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by method, route template and status",
            requests.clone(),
        );
        let jobs_finished = Family::default();
        registry.register(
            "jobs_finished",
            "Job runs by kind and how they ended (done, wait, failed, cancelled, lost, error)",
            jobs_finished.clone(),
        );
        let jobs_due = Family::default();
        registry.register(
            "jobs_due",
            "Jobs queued and due now, by kind (the database's queue: the same on every server)",
            jobs_due.clone(),
        );
        let jobs_running = Family::default();
        registry.register(
            "jobs_running",
            "Jobs leased to a server now, by kind",
            jobs_running.clone(),
        );
        let jobs_oldest_due = Family::default();
        registry.register(
            "jobs_oldest_due_age_seconds",
            "How long the longest-waiting due job of each kind has waited (0 when none is due)",
            jobs_oldest_due.clone(),
        );
        let webhook_failures = Family::default();
        registry.register(
            "webhook_delivery_failures",
            "Webhook delivery attempts that failed, by reason (status or unreachable)",
            webhook_failures.clone(),
        );
        let crm_failures = Counter::default();
        registry.register(
            "crm_sync_failures",
            "CRM syncs that ended failed",
            crm_failures.clone(),
        );
        let pool = Family::default();
        registry.register(
            "db_pool_connections",
            "Database connections of this server's pool, by state (idle or in_use)",
            pool.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections this server's pool opens",
            pool_max.clone(),
        );
        Metrics {
            registry,
            requests,
            jobs_finished,
            jobs_due,
            jobs_running,
            jobs_oldest_due,
            webhook_failures,
            crm_failures,
            pool,
            pool_max,
        }
    }
}

/// Records one answered request.
pub fn observe_request(method: &str, route: Option<&str>, status: u16, elapsed: Duration) {
    let labels = RequestLabels {
        method: method.to_owned(),
        route: route.unwrap_or("unmatched").to_owned(),
        status,
    };
    METRICS
        .requests
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
}

/// Records how a job's run ended (`Err`: the handler failed and the job will be retried).
pub fn job_finished(kind: JobKind, outcome: &Result<Outcome, String>) {
    let outcome_label = match outcome {
        Ok(Outcome::Done) => "done",
        Ok(Outcome::Wait(_)) => "wait",
        Ok(Outcome::Failed(_)) => "failed",
        Ok(Outcome::Cancelled) => "cancelled",
        Ok(Outcome::Lost) => "lost",
        Err(_) => "error",
    };
    METRICS
        .jobs_finished
        .get_or_create(&OutcomeLabels {
            kind: kind.as_str(),
            outcome: outcome_label,
        })
        .inc();
    if kind == JobKind::CrmSync && matches!(outcome, Ok(Outcome::Failed(_)) | Err(_)) {
        METRICS.crm_failures.inc();
    }
}

/// Records a webhook delivery attempt that failed: `status` when the endpoint answered.
pub fn webhook_failed(status: Option<u16>) {
    let reason = if status.is_some() {
        "status"
    } else {
        "unreachable"
    };
    METRICS
        .webhook_failures
        .get_or_create(&ReasonLabels { reason })
        .inc();
}

/// The metrics as Prometheus text, with the queue and the pool read now.
pub async fn render(db: &DatabaseConnection) -> Result<String, DbErr> {
    let now = Utc::now();
    let depths = queue::depths(db, now).await?;
    // Read-then-encode under one lock, so two scrapes at once each see their own reading.
    static SCRAPE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = SCRAPE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for depth in depths {
        let kind = KindLabels {
            kind: depth.kind.as_str(),
        };
        let age = depth
            .oldest_due
            .map_or(0.0, |at| (now - at).as_seconds_f64().max(0.0));
        METRICS
            .jobs_due
            .get_or_create(&kind)
            .set(i64::try_from(depth.due).unwrap_or(i64::MAX));
        METRICS
            .jobs_running
            .get_or_create(&kind)
            .set(i64::try_from(depth.running).unwrap_or(i64::MAX));
        METRICS.jobs_oldest_due.get_or_create(&kind).set(age);
    }
    let (size, idle, max) = pool_use(db);
    METRICS
        .pool
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    METRICS
        .pool
        .get_or_create(&PoolLabels { state: "in_use" })
        .set(size - idle);
    METRICS.pool_max.set(max);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &METRICS.registry)
        .map_err(|e| DbErr::Custom(format!("encoding the metrics: {e}")))?;
    Ok(text)
}

/// The pool's open connections, idle ones and limit.
fn pool_use(db: &DatabaseConnection) -> (i64, i64, i64) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                i64::from(pool.size()),
                pool.num_idle() as i64,
                i64::from(pool.options().get_max_connections()),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                i64::from(pool.size()),
                pool.num_idle() as i64,
                i64::from(pool.options().get_max_connections()),
            )
        }
        _ => (0, 0, 0),
    }
}

/// Whether a scraper's token is the configured one; compares digests, so the time taken says
/// nothing about how much of the token was right.
pub fn token_matches(expected: &str, given: &str) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(expected.as_bytes()) == Sha256::digest(given.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_token_matches() {
        assert!(token_matches("s3cret-token", "s3cret-token"));
        assert!(!token_matches("s3cret-token", "s3cret-toke"));
        assert!(!token_matches("s3cret-token", ""));
    }

    #[test]
    fn events_show_up_in_the_text_under_their_labels() {
        observe_request(
            "GET",
            Some("/api/v1/deals/{id}"),
            200,
            Duration::from_millis(12),
        );
        observe_request("GET", None, 404, Duration::from_millis(1));
        job_finished(
            JobKind::CrmSync,
            &Ok(Outcome::Failed("token expired".into())),
        );
        webhook_failed(Some(502));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &METRICS.registry).unwrap();
        assert!(text.contains(
            r#"partner_attribution_http_request_duration_seconds_count{method="GET",route="/api/v1/deals/{id}",status="200"} "#
        ), "{text}");
        assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
        assert!(
            text.contains(
                r#"partner_attribution_jobs_finished_total{kind="crm_sync",outcome="failed"} "#
            ),
            "{text}"
        );
        assert!(
            text.contains("partner_attribution_crm_sync_failures_total "),
            "{text}"
        );
        assert!(
            text.contains(
                r#"partner_attribution_webhook_delivery_failures_total{reason="status"} "#
            ),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
