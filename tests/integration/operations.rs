//! Running a fleet: liveness and readiness, the Prometheus metrics and who may read them, and a
//! backup taken while the server runs, restored as docs/DEPLOYMENT.md says, holding every row.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

use backend::demo;
use backend::jobs::queue;
use chrono::{Duration, Utc};
use migration::{Migrator, MigratorTrait};
use partner_attribution::api::dashboard::DashboardSummary;
use partner_attribution::domain::job::JobKind;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

const TOKEN: &str = "scrape-7f3a-token";

async fn get(app: &common::TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// The value of the sample whose line starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
}

async fn probes(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let app = common::TestApp::spawn(db.clone()).await;
    let live = get(&app, "/healthz", None).await;
    assert_eq!(live.status(), 200);
    assert_eq!(
        live.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    let ready = get(&app, "/readyz", None).await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );

    // A schema behind the binary: not ready (no traffic), yet alive (no restart).
    Migrator::down(&db, Some(1))
        .await
        .expect("roll back one migration");
    let ready = get(&app, "/readyz", None).await;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    let problem = body["problem"].as_str().unwrap();
    assert!(problem.contains("1 migration(s) pending"), "{problem}");
    assert_eq!(get(&app, "/healthz", None).await.status(), 200);

    Migrator::up(&db, None).await.expect("migrate again");
    assert_eq!(get(&app, "/readyz", None).await.status(), 200);
}
on_both_databases!(liveness_and_readiness, probes);

async fn metrics_served(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    // Without a token configured, metrics are not served at all.
    let closed = common::TestApp::spawn(db.clone()).await;
    assert_eq!(get(&closed, "/metrics", Some(TOKEN)).await.status(), 404);

    let app = common::TestApp::spawn_with(db.clone(), |config| {
        config.metrics_token = Some(TOKEN.to_owned());
    })
    .await;
    for token in [None, Some("scrape-7f3a-toke"), Some("")] {
        let refused = get(&app, "/metrics", token).await;
        assert_eq!(refused.status(), 401, "token {token:?}");
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    }

    // Two imports due, the older queued a minute ago; a webhook delivery not due for an hour.
    let now = Utc::now();
    queue::enqueue(
        &db,
        JobKind::Import,
        9_001,
        None,
        now - Duration::minutes(1),
        now,
    )
    .await
    .unwrap();
    queue::enqueue(&db, JobKind::Import, 9_002, None, now, now)
        .await
        .unwrap();
    queue::enqueue(
        &db,
        JobKind::WebhookDelivery,
        9_003,
        None,
        now + Duration::hours(1),
        now,
    )
    .await
    .unwrap();
    // A page and an id'd REST route, so both show under their templates.
    assert_eq!(get(&app, "/sign-in", None).await.status(), 200);
    assert_eq!(get(&app, "/api/v1/deals/12345", None).await.status(), 401);

    let scraped = get(&app, "/metrics", Some(TOKEN)).await;
    assert_eq!(scraped.status(), 200);
    assert_eq!(
        scraped.headers()["content-type"],
        backend::metrics::CONTENT_TYPE
    );
    let text = scraped.text().await.unwrap();
    let due = |kind: &str| {
        sample(
            &text,
            &format!("partner_attribution_jobs_due{{kind=\"{kind}\"}}"),
        )
    };
    assert_eq!(due("import"), Some(2.0), "{text}");
    assert_eq!(due("webhook_delivery"), Some(0.0), "not due yet: {text}");
    assert_eq!(due("crm_sync"), Some(0.0), "every kind is listed: {text}");
    let waited = sample(
        &text,
        r#"partner_attribution_jobs_oldest_due_age_seconds{kind="import"}"#,
    )
    .unwrap();
    assert!((59.0..600.0).contains(&waited), "{waited}");
    let pool_max = sample(&text, "partner_attribution_db_pool_max_connections").unwrap();
    let expected = if db.get_database_backend() == DatabaseBackend::Postgres {
        20.0
    } else {
        8.0
    };
    assert_eq!(pool_max, expected);
    let in_use = sample(
        &text,
        r#"partner_attribution_db_pool_connections{state="in_use"}"#,
    );
    assert!(in_use.is_some_and(|n| n >= 0.0), "{text}");
    let latency = |route: &str, status: u16| {
        sample(
            &text,
            &format!(
                "partner_attribution_http_request_duration_seconds_count{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
            ),
        )
    };
    assert!(latency("/sign-in", 200).is_some_and(|n| n >= 1.0), "{text}");
    assert!(
        latency("/api/v1/deals/{id}", 401).is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        !text.contains("12345"),
        "ids never become label values: {text}"
    );
    assert!(text.ends_with("# EOF\n"));
}
on_both_databases!(prometheus_metrics, metrics_served);

/// Every table's row count, by name.
async fn row_counts(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let backend = db.get_database_backend();
    let list = match backend {
        DatabaseBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        }
    };
    let mut counts = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, list))
        .await
        .unwrap()
    {
        let name: String = row.try_get("", "name").unwrap();
        let count = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM \"{name}\""),
            ))
            .await
            .unwrap()
            .unwrap();
        counts.push((name, count.try_get::<i64>("", "n").unwrap()));
    }
    counts
}

/// Where the PostgreSQL client programs are: `PG_BIN` (the test command sets it), else `PATH`.
fn pg_program(name: &str) -> PathBuf {
    match std::env::var_os("PG_BIN") {
        Some(dir) => Path::new(&dir).join(name),
        None => PathBuf::from(name),
    }
}

fn run_backup(url: &str, to: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_partner-attribution"))
        .arg("backup")
        .arg(to)
        .arg("--pg-dump")
        .arg(pg_program("pg_dump"))
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the backup command")
}

async fn summary(app: &common::TestApp) -> DashboardSummary {
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let response = app.call(&manager, "/api/dashboard/summary", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn backup_and_restore(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(7, 120, Utc::now()))
        .await
        .expect("load demo data");
    // The server keeps running while the backup is taken.
    let app = common::TestApp::spawn(db.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("partner-attribution.backup");
    let made = run_backup(&test_db.url, &file);
    assert!(
        made.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("backup written to"));
    let original = row_counts(&db).await;

    // Restored as docs/DEPLOYMENT.md says.
    let restored = if db.get_database_backend() == DatabaseBackend::Postgres {
        // A new, empty database, as `createdb` makes.
        let target = common::TestDb::postgres().await.expect("a second database");
        let restore = Command::new(pg_program("pg_restore"))
            .args(["--no-owner", "--exit-on-error", "--dbname"])
            .arg(&target.url)
            .arg(&file)
            .output()
            .expect("run pg_restore");
        assert!(
            restore.status.success(),
            "pg_restore: {}",
            String::from_utf8_lossy(&restore.stderr)
        );
        target
    } else {
        let target = common::TestDb::sqlite();
        let path = backend::database::sqlite_file(&target.url).unwrap();
        std::fs::copy(&file, path).expect("copy the backup into place");
        target
    };
    let restored_db = restored.migrated().await;
    let copy = row_counts(&restored_db).await;
    assert_eq!(copy, original, "every table, every row");
    assert!(
        original
            .iter()
            .any(|(table, n)| table == "deals" && *n == 120),
        "{original:?}"
    );

    // The restored database serves the same numbers.
    let restored_app = common::TestApp::spawn(restored_db).await;
    assert_eq!(summary(&restored_app).await, summary(&app).await);

    // A backup never overwrites a file.
    let before = std::fs::metadata(&file).unwrap().len();
    let again = run_backup(&test_db.url, &file);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("never overwrites"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::metadata(&file).unwrap().len(), before);
}
on_both_databases!(backup_then_restore, backup_and_restore);

/// Servers of a fleet starting at once on a new PostgreSQL database: each migrates or waits for
/// the one that does, and all of them start.
#[tokio::test]
async fn servers_starting_at_once_migrate_once() {
    let Some(target) = common::TestDb::postgres().await else {
        return;
    };
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = target.url.clone();
            tokio::spawn(async move { backend::database::connect_and_migrate(&url).await })
        })
        .collect();
    for start in starts {
        let db = start.await.unwrap().expect("every server starts");
        let _ = db.close().await;
    }
    let db = backend::database::connect(&target.url).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty(),
        "the schema is complete"
    );
    let applied = Migrator::get_applied_migrations(&db).await.unwrap();
    assert_eq!(
        applied.len(),
        Migrator::migrations().len(),
        "each migration once"
    );
}
