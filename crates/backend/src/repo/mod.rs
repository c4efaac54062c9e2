//! Database access: free functions over `&impl ConnectionTrait` (so they work inside transactions)
//! that take and return domain types. Every query is filtered by the caller's
//! `Tenant`, passed first.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod commission_rules;
pub mod commissions;
pub mod crm;
pub mod dashboard;
pub mod deals;
pub mod disputes;
pub mod fx;
pub mod imports;
pub mod leaderboard;
pub mod monthly_stats;
pub mod organizations;
pub mod partner_stats;
pub mod partners;
pub mod payouts;
pub mod registrations;
pub mod reports;
pub mod sums;
pub mod users;

use sea_orm::DbErr;

/// Where a REST API listing continues (keyset pagination in id order) and what else narrows it.
#[derive(Default)]
pub struct Cursor<'a> {
    /// Records with a greater id only (the last id of the previous page).
    pub after: Option<i64>,
    /// Records changed at or after this time, for incremental sync.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    pub external_id: Option<&'a str>,
}

use domain::DomainError;

/// A stored value the domain refuses: the database holds something it should not.
pub(crate) fn corrupt(what: &str, err: DomainError) -> DbErr {
    DbErr::Custom(format!("stored {what} is invalid: {err}"))
}

/// The longest search text looked for; a longer one matches no row. No searched column holds
/// text that long, and the pattern stays far inside SQLite's 50,000-byte limit for `LIKE`
/// (which answers "LIKE or GLOB pattern too complex" beyond it).
pub(crate) const MAX_SEARCH_CHARS: usize = 2_000;

/// Rows where any of `columns` contains `text`, ignoring case on both back ends (the column is
/// lower-cased too) and taking `%` and `_` literally.
pub(crate) fn contains_any<C>(text: &str, columns: &[C]) -> sea_orm::Condition
where
    C: sea_orm::ColumnTrait,
{
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    if text.trim().chars().count() > MAX_SEARCH_CHARS {
        return sea_orm::Condition::all().add(Expr::val(1).eq(0));
    }
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    columns
        .iter()
        .fold(sea_orm::Condition::any(), |any, column| {
            any.add(
                Expr::expr(Func::lower(Expr::col(*column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\')),
            )
        })
}

/// Begins a transaction that will write: on SQLite it holds the write lock from the start (see
/// [`write_lock_first`]), so concurrent requests queue instead of failing.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    write_lock_first(&txn).await?;
    Ok(txn)
}

/// Takes SQLite's write lock at once, so a concurrent writer waits for this transaction instead
/// of both reading the same state and one failing to upgrade ("database is locked"). The lock
/// covers the whole database; PostgreSQL locks rows instead and needs nothing here.
pub async fn write_lock_first(db: &impl sea_orm::ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("UPDATE organizations SET id = id WHERE 0 = 1")
            .await?;
    }
    Ok(())
}
