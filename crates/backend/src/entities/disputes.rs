use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::payout::DisputeStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disputes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub partner_id: i64,
    pub deal_id: Option<i64>,
    pub payout_id: Option<i64>,
    pub reason: String,
    pub status: Text<DisputeStatus>,
    pub resolution: Option<String>,
    pub adjustment_payout_id: Option<i64>,
    pub opened_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
