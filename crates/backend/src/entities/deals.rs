use domain::deal::DealStage;
use domain::money::Currency;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub account_name: String,
    pub amount_minor: i64,
    pub currency: Text<Currency>,
    pub stage: Text<DealStage>,
    pub expected_close_on: Option<Date>,
    pub closed_at: Option<DateTimeUtc>,
    pub source: String,
    pub external_id: Option<String>,
    pub owner_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub lost_reason: Option<String>,
    /// For a deal won in another currency: the rate into the base currency locked at the close,
    /// and the day it was effective from.
    pub fx_rate: Option<Text<Decimal>>,
    pub fx_rate_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
