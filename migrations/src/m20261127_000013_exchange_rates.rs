//! Exchange rates: finance keeps effective-dated rates of each currency into the organization's
//! base currency, and a deal won in another currency locks the rate of its close date, stored
//! with the deal, its attributions and its commissions so base-currency figures never move when
//! a later rate is entered. A partner may be paid in a currency of its own: each commission then
//! keeps its amount in that currency and the rate it was converted at.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::schema_helpers::{fk, id, org_index, utc};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum FxRates {
    Table,
    Id,
    OrganizationId,
    /// The currency the rate converts from (into the base currency).
    Currency,
    /// Base-currency units for one unit of `currency`, as exact decimal text.
    Rate,
    EffectiveOn,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
}

const LOCKED: &[&str] = &[
    "ALTER TABLE deals ADD COLUMN fx_rate VARCHAR(40) NULL",
    "ALTER TABLE deals ADD COLUMN fx_rate_on DATE NULL",
    "ALTER TABLE attributions ADD COLUMN fx_rate VARCHAR(40) NULL",
    "ALTER TABLE payouts ADD COLUMN fx_rate VARCHAR(40) NULL",
    "ALTER TABLE partners ADD COLUMN payout_currency CHAR(3) NULL",
    "ALTER TABLE payouts ADD COLUMN payout_currency CHAR(3) NULL",
    "ALTER TABLE payouts ADD COLUMN payout_amount_minor BIGINT NULL",
    "ALTER TABLE payouts ADD COLUMN payout_rate VARCHAR(40) NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too (see 000005).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(FxRates::Table)
                    .col(id(FxRates::Id))
                    .col(big_integer(FxRates::OrganizationId))
                    .col(char_len(FxRates::Currency, 3))
                    .col(string_len(FxRates::Rate, 40))
                    .col(date(FxRates::EffectiveOn))
                    .col(big_integer_null(FxRates::CreatedBy))
                    .col(utc(FxRates::CreatedAt))
                    .col(utc(FxRates::UpdatedAt))
                    .foreign_key(&mut fk(
                        FxRates::Table,
                        FxRates::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        FxRates::Table,
                        FxRates::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ux_fx_rates_org_currency_day",
                FxRates::Table,
                &["currency", "effective_on"],
                true,
            ))
            .await?;
        let db = manager.get_connection();
        for sql in LOCKED {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE payouts DROP COLUMN payout_rate",
            "ALTER TABLE payouts DROP COLUMN payout_amount_minor",
            "ALTER TABLE payouts DROP COLUMN payout_currency",
            "ALTER TABLE partners DROP COLUMN payout_currency",
            "ALTER TABLE payouts DROP COLUMN fx_rate",
            "ALTER TABLE attributions DROP COLUMN fx_rate",
            "ALTER TABLE deals DROP COLUMN fx_rate_on",
            "ALTER TABLE deals DROP COLUMN fx_rate",
        ] {
            db.execute_unprepared(sql).await?;
        }
        manager
            .drop_table(Table::drop().table(FxRates::Table).to_owned())
            .await
    }
}
