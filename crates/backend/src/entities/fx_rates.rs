use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::money::Currency;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fx_rates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    /// The currency the rate converts from, into the organization's base currency.
    pub currency: Text<Currency>,
    /// Base-currency units for one unit of `currency`, as exact decimal text.
    pub rate: Text<Decimal>,
    pub effective_on: Date,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
