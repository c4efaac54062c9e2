//! Small builders shared by the migrations, so each table reads as a list of its columns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// `id BIGINT PRIMARY KEY` with auto-increment on both back ends.
pub fn id<T: IntoIden>(col: T) -> ColumnDef {
    big_pk_auto(col)
}

/// A UTC timestamp column (`timestamptz` on PostgreSQL, ISO-8601 text on SQLite).
pub fn utc<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone(col)
}

pub fn utc_null<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// `CHECK (col IN (...))`: the database refuses values the domain enum does not know.
pub fn one_of<T: IntoIden + Clone>(name: &str, col: T, values: &[&str]) -> (String, Expr) {
    (
        name.to_owned(),
        Expr::col(col).is_in(values.iter().map(|v| (*v).to_owned())),
    )
}

/// A named foreign key from `table.col` to `target.id`.
pub fn fk<A, B, C, D>(
    table: A,
    col: B,
    target: C,
    target_id: D,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    A: IntoIden + Clone,
    B: IntoIden + Clone,
    C: IntoIden + Clone,
    D: IntoIden + Clone,
{
    let name = format!(
        "fk_{}_{}",
        table.clone().into_iden(),
        col.clone().into_iden()
    );
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(target, target_id)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .to_owned()
}

/// An index whose first column is always `organization_id` (tenants can be sharded by it later).
pub fn org_index<T: IntoIden + Clone>(
    name: &str,
    table: T,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(name)
        .table(table)
        .col(Alias::new("organization_id"));
    for col in cols {
        index.col(Alias::new(*col));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

/// On SQLite, makes this connection read the current schema before changing it. A pooled
/// connection parses DDL against the schema it last loaded, so right after another connection
/// dropped a trigger it could still answer "trigger already exists"; reading `sqlite_master`
/// first starts a read transaction, which reloads a changed schema.
pub async fn fresh_schema(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
    if manager.get_database_backend() == DbBackend::Sqlite {
        manager
            .get_connection()
            .execute_unprepared("SELECT COUNT(*) FROM sqlite_master")
            .await?;
    }
    Ok(())
}

/// A trigger `name` refusing a change of `table.status` to a row for which `missing` (SQL over
/// `NEW`) holds: what a status change must carry, whoever writes the row.
pub fn status_change_guard(
    backend: sea_orm_migration::sea_orm::DbBackend,
    table: &str,
    name: &str,
    missing: &str,
    message: &str,
) -> Vec<String> {
    use sea_orm_migration::sea_orm::DbBackend;
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger AS $$ \
                 BEGIN \
                   IF NEW.status IS DISTINCT FROM OLD.status AND ({missing}) THEN \
                     RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; \
                   END IF; \
                   RETURN NEW; \
                 END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER {name} BEFORE UPDATE OF status ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {name}()"
            ),
        ],
        _ => vec![format!(
            "CREATE TRIGGER {name} BEFORE UPDATE OF status ON {table} \
             FOR EACH ROW WHEN NEW.status IS NOT OLD.status AND ({missing}) \
             BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )],
    }
}

/// Runs the statements in order on the migration's connection (schema read fresh first).
pub async fn execute_all(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::ConnectionTrait;
    fresh_schema(manager).await?;
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
