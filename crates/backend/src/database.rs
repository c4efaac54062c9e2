//! Connecting to SQLite or PostgreSQL (chosen by the URL) and bringing the schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, TransactionTrait,
};

/// The PostgreSQL advisory lock migrating servers take turns on (any number, the same for all).
const MIGRATION_LOCK: i64 = 0x5041_4D49_4752; // "PAMIGR"

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The file behind a `sqlite://` URL, if it names one (not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then_some(path)
}

/// Opens the pool and runs every pending migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    // Servers starting at once on one PostgreSQL take turns: the first migrates, the others
    // wait here and then find nothing to do. The lock is the transaction's, so a server that
    // dies holding it lets go.
    let turn = if is_postgres(url) {
        let turn = db.begin().await?;
        turn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        Some(turn)
    } else {
        None
    };
    Migrator::up(&db, None).await?;
    let txn = db.begin().await?;
    let rebuilt = super::repo::monthly_stats::rebuild_missing(&txn).await?;
    txn.commit().await?;
    if let Some(turn) = turn {
        turn.commit().await?;
    }
    if rebuilt > 0 {
        tracing::info!(
            organizations = rebuilt,
            "monthly totals computed from the deals"
        );
    }
    if !is_postgres(url) {
        // Without statistics SQLite may join through the wrong index; this refreshes them where
        // they are missing or stale, reading a bounded sample (cheap at start-up).
        db.execute_unprepared("PRAGMA optimize = 0x10002").await?;
    }
    Ok(db)
}

/// A new pool after a bulk load: SQLite connections read the planner's statistics when they
/// open, so the ones opened before the load would keep planning for an empty database.
pub async fn reopen(db: DatabaseConnection, url: &str) -> Result<DatabaseConnection, DbErr> {
    if is_postgres(url) {
        return Ok(db);
    }
    db.close().await?;
    connect(url).await
}

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(file) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(file).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if is_postgres(url) { 20 } else { 8 })
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if !is_postgres(url) {
        // Every pooled connection: a 32 MB page cache and reads through a memory map, so
        // aggregates over the touchpoint indexes do not go back to the kernel page by page.
        options.map_sqlx_sqlite_opts(|opts| {
            opts.pragma("cache_size", "-32768")
                .pragma("mmap_size", "268435456")
        });
    }
    let db = Database::connect(options).await?;
    if !is_postgres(url) {
        // Readers never wait for the writer; the setting is stored in the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// Whether this server can serve: the database answers and its schema is the one this binary
/// expects (no migration pending, none applied that it does not know). `Err` says what is
/// wrong, for the readiness probe.
pub async fn readiness(db: &DatabaseConnection) -> Result<(), String> {
    db.ping()
        .await
        .map_err(|e| format!("the database does not answer: {e}"))?;
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .map_err(|e| format!("the schema cannot be read: {e}"))?;
    match pending.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} migration(s) pending, from {}: run `partner-attribution migrate`",
            pending.len(),
            first.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/partner-attribution.db?mode=rwc"),
            Some("data/partner-attribution.db")
        );
        assert_eq!(sqlite_file("sqlite:///tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/pa"), None);
        assert!(is_postgres("postgresql://u@h/db"));
    }
}
