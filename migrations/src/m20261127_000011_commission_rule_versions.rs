//! Commission rules become versioned: every version is its own row sharing the rule's
//! `rule_id`, numbered from 1. A version's terms never change once saved (the database refuses
//! it): an edit is a new version from a date, and the one it replaces only has its end date set.
//! Commissions keep the explanation they were computed with, naming the rule version.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "ALTER TABLE commission_rules ADD COLUMN rule_id BIGINT NULL",
    "ALTER TABLE commission_rules ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE commission_rules ADD COLUMN min_deal_minor BIGINT NULL",
    "ALTER TABLE commission_rules ADD COLUMN created_by BIGINT NULL REFERENCES users (id) ON DELETE SET NULL",
    "UPDATE commission_rules SET rule_id = id",
    "CREATE UNIQUE INDEX ux_rules_org_rule_version ON commission_rules (organization_id, rule_id, version)",
    "ALTER TABLE payouts ADD COLUMN explanation TEXT NULL",
];

/// The columns that make up a version's terms.
const TERMS: &str = "organization_id, rule_id, version, name, scope, scope_value, kind, rate, \
     amount_minor, currency, bands, min_deal_minor, effective_from, priority";

/// A set `rule_id` is part of the terms too; the first version fills its own once.
const CHANGED: &str = "(OLD.rule_id IS NOT NULL AND NEW.rule_id IS DISTINCT FROM OLD.rule_id) \
     OR NEW.version IS DISTINCT FROM OLD.version OR NEW.name IS DISTINCT FROM OLD.name \
     OR NEW.scope IS DISTINCT FROM OLD.scope OR NEW.scope_value IS DISTINCT FROM OLD.scope_value \
     OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.rate IS DISTINCT FROM OLD.rate \
     OR NEW.amount_minor IS DISTINCT FROM OLD.amount_minor \
     OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.bands IS DISTINCT FROM OLD.bands \
     OR NEW.min_deal_minor IS DISTINCT FROM OLD.min_deal_minor \
     OR NEW.effective_from IS DISTINCT FROM OLD.effective_from \
     OR NEW.priority IS DISTINCT FROM OLD.priority \
     OR NEW.organization_id IS DISTINCT FROM OLD.organization_id";

const MESSAGE: &str = "a commission rule version never changes its terms: save a new version";

fn create_guard(backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION trg_rules_versions_fixed() RETURNS trigger AS $$ \
                 BEGIN \
                   IF TG_OP = 'DELETE' THEN \
                     RAISE EXCEPTION 'commission rule versions are never deleted' USING ERRCODE = 'check_violation'; \
                   END IF; \
                   IF {CHANGED} THEN \
                     RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; \
                   END IF; \
                   RETURN NEW; \
                 END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER trg_rules_versions_fixed BEFORE UPDATE OF {TERMS} OR DELETE \
                 ON commission_rules FOR EACH ROW EXECUTE FUNCTION trg_rules_versions_fixed()"
            ),
        ],
        // SQLite spells IS DISTINCT FROM as IS NOT.
        _ => vec![
            format!(
                "CREATE TRIGGER trg_rules_versions_fixed BEFORE UPDATE OF {TERMS} \
                 ON commission_rules FOR EACH ROW WHEN {} \
                 BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                CHANGED.replace("IS DISTINCT FROM", "IS NOT")
            ),
            "CREATE TRIGGER trg_rules_versions_kept BEFORE DELETE ON commission_rules \
             BEGIN SELECT RAISE(ABORT, 'commission rule versions are never deleted'); END"
                .into(),
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
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        for sql in create_guard(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        let mut statements: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TRIGGER trg_rules_versions_fixed ON commission_rules".into(),
                "DROP FUNCTION trg_rules_versions_fixed()".into(),
            ],
            _ => vec![
                "DROP TRIGGER trg_rules_versions_fixed".into(),
                "DROP TRIGGER trg_rules_versions_kept".into(),
            ],
        };
        statements.extend(
            [
                "ALTER TABLE payouts DROP COLUMN explanation",
                "DROP INDEX ux_rules_org_rule_version",
                "ALTER TABLE commission_rules DROP COLUMN created_by",
                "ALTER TABLE commission_rules DROP COLUMN min_deal_minor",
                "ALTER TABLE commission_rules DROP COLUMN version",
                "ALTER TABLE commission_rules DROP COLUMN rule_id",
            ]
            .map(str::to_owned),
        );
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
