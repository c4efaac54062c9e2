use domain::attribution::AttributionModel;
use domain::money::Currency;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attributions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub deal_id: i64,
    pub model: Text<AttributionModel>,
    pub partner_id: i64,
    pub share: Text<Decimal>,
    pub amount_minor: i64,
    pub currency: Text<Currency>,
    pub explanation: String,
    pub computed_at: DateTimeUtc,
    /// The deal's locked rate into the base currency (none when the deal is in it).
    pub fx_rate: Option<Text<Decimal>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
