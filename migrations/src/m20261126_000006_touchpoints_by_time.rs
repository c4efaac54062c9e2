//! Touchpoints by time: "deals each partner touched in a period" reads this index alone instead
//! of every touchpoint of the organization.

use sea_orm_migration::prelude::*;

use crate::schema_helpers::org_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Touchpoints {
    Table,
}

const NAME: &str = "ix_touchpoints_org_occurred_partner_deal";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(org_index(
                NAME,
                Touchpoints::Table,
                &["occurred_at", "partner_id", "deal_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Touchpoints::Table)
                    .to_owned(),
            )
            .await
    }
}
