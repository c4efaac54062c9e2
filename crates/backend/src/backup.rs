//! `partner-attribution backup FILE`: a consistent copy of the database while servers keep
//! running. SQLite: `VACUUM INTO`, a compact snapshot of one read transaction. PostgreSQL:
//! `pg_dump` in its custom format, restored with `pg_restore` (docs/DEPLOYMENT.md).

use std::path::Path;
use std::process::Command;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::database;

/// Writes a backup of the database at `url` to `to`, which must not exist yet. `pg_dump` is the
/// program used for PostgreSQL (its major version at least the server's).
pub async fn write(url: &str, to: &Path, pg_dump: &Path) -> Result<(), String> {
    if to.exists() {
        return Err(format!(
            "{} exists: a backup never overwrites a file",
            to.display()
        ));
    }
    if database::is_postgres(url) {
        return dump_postgres(url, to, pg_dump);
    }
    let db = database::connect(url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let result = snapshot_sqlite(&db, to).await;
    let _ = db.close().await;
    result
}

async fn snapshot_sqlite(db: &DatabaseConnection, to: &Path) -> Result<(), String> {
    let target = to
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", to.display()))?;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "VACUUM INTO ?",
        [target.into()],
    ))
    .await
    .map_err(|e| format!("the snapshot failed: {e}"))?;
    Ok(())
}

/// Runs `pg_dump`, handing it the password in its environment rather than on its command line
/// (where every user of the machine could read it).
fn dump_postgres(url: &str, to: &Path, pg_dump: &Path) -> Result<(), String> {
    let mut parsed = url::Url::parse(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let password = parsed.password().map(str::to_owned);
    let _ = parsed.set_password(None);
    let mut command = Command::new(pg_dump);
    command
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(to)
        .arg("--dbname")
        .arg(parsed.as_str());
    if let Some(password) = password {
        let decoded = percent_encoding::percent_decode_str(&password).decode_utf8_lossy();
        command.env("PGPASSWORD", decoded.as_ref());
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pg_dump.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        let _ = std::fs::remove_file(to);
        Err(format!(
            "{} failed: {}",
            pg_dump.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
