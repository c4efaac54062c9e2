//! The audit trail is append-only in the database too: any UPDATE or DELETE of an audit event
//! is refused, whatever code or person issues it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const MESSAGE: &str = "audit events are append-only";

fn create(backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION trg_audit_events_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END \
                 $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION trg_audit_events_append_only()"
                .into(),
        ],
        _ => ["UPDATE", "DELETE"]
            .iter()
            .map(|event| {
                format!(
                    "CREATE TRIGGER trg_audit_events_no_{} BEFORE {event} ON audit_events \
                     BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                    event.to_lowercase()
                )
            })
            .collect(),
    }
}

fn drop(backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            "DROP TRIGGER trg_audit_events_append_only ON audit_events".into(),
            "DROP FUNCTION trg_audit_events_append_only()".into(),
        ],
        _ => vec![
            "DROP TRIGGER trg_audit_events_no_update".into(),
            "DROP TRIGGER trg_audit_events_no_delete".into(),
        ],
    }
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
        for sql in create(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        for sql in drop(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
