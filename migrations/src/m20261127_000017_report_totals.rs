//! More monthly totals for the revenue reports (`domain::monthly_stats`): partner revenue in the
//! base currency, deal size, sales cycle, open pipeline and outcomes by stage; partner-sourced
//! and partner-influenced revenue. The metric columns' CHECK lists grow, which SQLite only allows
//! by making the tables anew; they start empty and the server rebuilds them from the deals at
//! start-up (`repo::monthly_stats::rebuild_missing`), as it does for any database without them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tables(partner_metrics: &str, organization_metrics: &str) -> Vec<String> {
    vec![
        "DROP TABLE organization_monthly_stats".into(),
        "DROP TABLE partner_monthly_stats".into(),
        format!(
            "CREATE TABLE partner_monthly_stats (
                organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                metric VARCHAR(24) NOT NULL
                    CONSTRAINT ck_partner_monthly_stats_metric
                    CHECK (metric IN ({partner_metrics})),
                month CHAR(7) NOT NULL,
                partner_id BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
                detail VARCHAR(40) NOT NULL,
                value BIGINT NOT NULL,
                PRIMARY KEY (organization_id, metric, month, partner_id, detail)
            )"
        ),
        format!(
            "CREATE TABLE organization_monthly_stats (
                organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                metric VARCHAR(24) NOT NULL
                    CONSTRAINT ck_organization_monthly_stats_metric
                    CHECK (metric IN ({organization_metrics})),
                month CHAR(7) NOT NULL,
                detail VARCHAR(40) NOT NULL,
                value BIGINT NOT NULL,
                PRIMARY KEY (organization_id, metric, month, detail)
            )"
        ),
        "CREATE INDEX ix_partner_monthly_stats_partner ON partner_monthly_stats (partner_id)"
            .into(),
    ]
}

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    crate::schema_helpers::execute_all(manager, &statements).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let partner = "'touched', 'won', 'closed', 'credit', 'revenue', 'won_value', \
                       'cycle_days', 'pipeline', 'pipeline_deals', 'outcome'";
        let organization = "'won_deals', 'won_amount', 'creditable', 'credited', 'won_total', \
                            'sourced', 'sourced_deals', 'influenced', 'influenced_deals'";
        run(manager, tables(partner, organization)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let partner = "'touched', 'won', 'closed', 'credit'";
        let organization = "'won_deals', 'won_amount', 'creditable', 'credited'";
        run(manager, tables(partner, organization)).await
    }
}
