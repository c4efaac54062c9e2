//! Closed deals may be re-opened, and commissions become a ledger: a re-attribution or re-opening
//! adds an adjustment or clawback entry that names the settled entry it corrects, with a note
//! saying why, instead of changing money that was already approved or paid.

use sea_orm_migration::prelude::*;

use crate::m20261126_000002_state_machine_triggers::{MACHINES, StateMachine};

#[derive(DeriveMigrationName)]
pub struct Migration;

const DEALS: StateMachine = StateMachine {
    table: "deals",
    column: "stage",
    moves: &[
        ("open", "won"),
        ("open", "lost"),
        ("won", "open"),
        ("lost", "open"),
    ],
};

/// Plain SQL both databases accept. SQLite checks a new column's constraint against existing
/// rows, which all take the default.
const ADD_COLUMNS: &[&str] = &[
    "ALTER TABLE payouts ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'commission' \
     CONSTRAINT ck_payouts_kind CHECK (kind IN ('commission', 'adjustment', 'clawback'))",
    "ALTER TABLE payouts ADD COLUMN corrects_payout_id BIGINT NULL \
     REFERENCES payouts (id) ON DELETE RESTRICT",
    "ALTER TABLE payouts ADD COLUMN note TEXT NULL",
];

fn original_deals() -> &'static StateMachine {
    MACHINES
        .iter()
        .find(|m| m.table == "deals")
        .expect("the deals state machine")
}

async fn replace(
    manager: &SchemaManager<'_>,
    old: &StateMachine,
    new: &StateMachine,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    for sql in old.drop(backend).into_iter().chain(new.create(backend)) {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too: dropping and re-creating the trigger
    /// on different pooled connections could see different schemas.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        replace(manager, original_deals(), &DEALS).await?;
        let db = manager.get_connection();
        for sql in ADD_COLUMNS {
            db.execute_unprepared(sql).await?;
        }
        db.execute_unprepared("CREATE INDEX ix_payouts_corrects ON payouts (corrects_payout_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_payouts_corrects")
            .await?;
        for column in ["note", "corrects_payout_id", "kind"] {
            db.execute_unprepared(&format!("ALTER TABLE payouts DROP COLUMN {column}"))
                .await?;
        }
        replace(manager, &DEALS, original_deals()).await
    }
}
