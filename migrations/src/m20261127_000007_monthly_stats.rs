//! Monthly totals per partner and per organization (`domain::monthly_stats`): what period
//! numbers add up instead of every deal and touch. Derived data, kept in step with the deals by
//! the services and rebuilt from them when missing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL both databases accept. The key leads with what every query filters on.
const UP: &[&str] = &[
    "CREATE TABLE partner_monthly_stats (
        organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        metric VARCHAR(16) NOT NULL
            CONSTRAINT ck_partner_monthly_stats_metric
            CHECK (metric IN ('touched', 'won', 'closed', 'credit')),
        month CHAR(7) NOT NULL,
        partner_id BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
        detail VARCHAR(40) NOT NULL,
        value BIGINT NOT NULL,
        PRIMARY KEY (organization_id, metric, month, partner_id, detail)
    )",
    "CREATE TABLE organization_monthly_stats (
        organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        metric VARCHAR(16) NOT NULL
            CONSTRAINT ck_organization_monthly_stats_metric
            CHECK (metric IN ('won_deals', 'won_amount', 'creditable', 'credited')),
        month CHAR(7) NOT NULL,
        detail VARCHAR(40) NOT NULL,
        value BIGINT NOT NULL,
        PRIMARY KEY (organization_id, metric, month, detail)
    )",
    "CREATE INDEX ix_partner_monthly_stats_partner ON partner_monthly_stats (partner_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["organization_monthly_stats", "partner_monthly_stats"] {
            db.execute_unprepared(&format!("DROP TABLE {table}"))
                .await?;
        }
        Ok(())
    }
}
