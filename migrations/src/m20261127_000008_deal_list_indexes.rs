//! The deals list at 100,000 deals: indexes in the order of each sortable column (the default
//! sort, latest close first, read straight off its index, however deep the page), and substring
//! search through trigrams — SQLite's FTS5 trigram tokenizer over the deal and account names
//! (kept in step by triggers), PostgreSQL's pg_trgm where the server offers it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Ordered like `ORDER BY closed_at DESC NULLS LAST, expected_close_on DESC NULLS LAST, id DESC`
/// (SQLite puts NULLs last in a descending index by itself and refuses the words in one).
const CLOSE_ORDER_SQLITE: &str = "CREATE INDEX ix_deals_org_close_order ON deals \
     (organization_id, closed_at DESC, expected_close_on DESC, id DESC)";
const CLOSE_ORDER_POSTGRES: &str = "CREATE INDEX ix_deals_org_close_order ON deals \
     (organization_id, closed_at DESC NULLS LAST, expected_close_on DESC NULLS LAST, id DESC)";

const SORT_INDEXES: &[&str] = &[
    "CREATE INDEX ix_deals_org_name ON deals (organization_id, name)",
    "CREATE INDEX ix_deals_org_account ON deals (organization_id, account_name)",
    "CREATE INDEX ix_deals_org_amount ON deals (organization_id, amount_minor)",
];

const SEARCH_SQLITE: &[&str] = &[
    "CREATE VIRTUAL TABLE deals_search USING fts5 \
     (name, account_name, content='deals', content_rowid='id', tokenize='trigram')",
    "INSERT INTO deals_search (rowid, name, account_name) SELECT id, name, account_name FROM deals",
    "CREATE TRIGGER deals_search_insert AFTER INSERT ON deals BEGIN \
     INSERT INTO deals_search (rowid, name, account_name) VALUES (new.id, new.name, new.account_name); \
     END",
    "CREATE TRIGGER deals_search_delete AFTER DELETE ON deals BEGIN \
     INSERT INTO deals_search (deals_search, rowid, name, account_name) \
     VALUES ('delete', old.id, old.name, old.account_name); \
     END",
    "CREATE TRIGGER deals_search_update AFTER UPDATE OF name, account_name ON deals BEGIN \
     INSERT INTO deals_search (deals_search, rowid, name, account_name) \
     VALUES ('delete', old.id, old.name, old.account_name); \
     INSERT INTO deals_search (rowid, name, account_name) VALUES (new.id, new.name, new.account_name); \
     END",
];

/// `lower(column) LIKE '%text%'`, which the list already asks, reads these.
const SEARCH_POSTGRES: &[&str] = &[
    "CREATE INDEX ix_deals_name_trgm ON deals USING gin (lower(name) gin_trgm_ops)",
    "CREATE INDEX ix_deals_account_trgm ON deals USING gin (lower(account_name) gin_trgm_ops)",
];

async fn run(db: &SchemaManagerConnection<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too (see 000005).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        run(db, SORT_INDEXES).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                run(db, &[CLOSE_ORDER_POSTGRES]).await?;
                // pg_trgm ships with PostgreSQL's contrib modules and is a trusted extension;
                // without it searches still work, by scanning.
                let available = db
                    .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'",
                    ))
                    .await?
                    .is_some();
                if available {
                    run(db, &["CREATE EXTENSION IF NOT EXISTS pg_trgm"]).await?;
                    run(db, SEARCH_POSTGRES).await?;
                }
            }
            _ => {
                run(db, &[CLOSE_ORDER_SQLITE]).await?;
                run(db, SEARCH_SQLITE).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                run(
                    db,
                    &[
                        "DROP INDEX IF EXISTS ix_deals_name_trgm",
                        "DROP INDEX IF EXISTS ix_deals_account_trgm",
                    ],
                )
                .await?
            }
            _ => {
                run(
                    db,
                    &[
                        "DROP TRIGGER deals_search_insert",
                        "DROP TRIGGER deals_search_delete",
                        "DROP TRIGGER deals_search_update",
                        "DROP TABLE deals_search",
                    ],
                )
                .await?
            }
        }
        run(
            db,
            &[
                "DROP INDEX ix_deals_org_close_order",
                "DROP INDEX ix_deals_org_name",
                "DROP INDEX ix_deals_org_account",
                "DROP INDEX ix_deals_org_amount",
            ],
        )
        .await
    }
}
