//! The database refuses illegal state changes, as the domain does: a paid payout never goes back
//! to pending, a won deal never reopens, a closed dispute stays closed, whatever code writes to it.
//! SQLite and PostgreSQL spell triggers differently; both are generated from one list of moves.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) struct StateMachine {
    pub(crate) table: &'static str,
    pub(crate) column: &'static str,
    /// Allowed (from, to) moves; staying in the same state is always allowed.
    pub(crate) moves: &'static [(&'static str, &'static str)],
}

pub(crate) const MACHINES: &[StateMachine] = &[
    StateMachine {
        table: "deals",
        column: "stage",
        moves: &[("open", "won"), ("open", "lost")],
    },
    StateMachine {
        table: "payouts",
        column: "status",
        moves: &[
            ("pending", "approved"),
            ("pending", "rejected"),
            ("approved", "paid"),
            ("approved", "rejected"),
        ],
    },
    StateMachine {
        table: "disputes",
        column: "status",
        moves: &[
            ("open", "under_review"),
            ("open", "rejected"),
            ("under_review", "resolved"),
            ("under_review", "rejected"),
        ],
    },
];

impl StateMachine {
    fn name(&self) -> String {
        format!("trg_{}_{}_transition", self.table, self.column)
    }

    /// SQL that is true when the move from OLD to NEW is allowed.
    fn allowed(&self) -> String {
        let column = self.column;
        let moves: Vec<String> = self
            .moves
            .iter()
            .map(|(from, to)| format!("(OLD.{column} = '{from}' AND NEW.{column} = '{to}')"))
            .collect();
        format!("OLD.{column} = NEW.{column} OR {}", moves.join(" OR "))
    }

    pub(crate) fn create(&self, backend: DatabaseBackend) -> Vec<String> {
        let (name, table, column, allowed) = (self.name(), self.table, self.column, self.allowed());
        match backend {
            DatabaseBackend::Postgres => vec![
                format!(
                    "CREATE FUNCTION {name}() RETURNS trigger AS $$ \
                     BEGIN \
                       IF NOT ({allowed}) THEN \
                         RAISE EXCEPTION 'illegal {table}.{column} transition from % to %', OLD.{column}, NEW.{column} \
                           USING ERRCODE = 'check_violation'; \
                       END IF; \
                       RETURN NEW; \
                     END $$ LANGUAGE plpgsql"
                ),
                format!(
                    "CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION {name}()"
                ),
            ],
            _ => vec![format!(
                "CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} \
                 FOR EACH ROW WHEN NOT ({allowed}) \
                 BEGIN SELECT RAISE(ABORT, 'illegal {table}.{column} transition'); END"
            )],
        }
    }

    pub(crate) fn drop(&self, backend: DatabaseBackend) -> Vec<String> {
        let (name, table) = (self.name(), self.table);
        match backend {
            DatabaseBackend::Postgres => vec![
                format!("DROP TRIGGER IF EXISTS {name} ON {table}"),
                format!("DROP FUNCTION IF EXISTS {name}()"),
            ],
            _ => vec![format!("DROP TRIGGER IF EXISTS {name}")],
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for machine in MACHINES {
            for sql in machine.create(manager.get_database_backend()) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for machine in MACHINES {
            for sql in machine.drop(manager.get_database_backend()) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
