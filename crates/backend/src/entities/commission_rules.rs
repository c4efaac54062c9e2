use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::commission_rules::KindName;
use domain::money::Currency;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commission_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub scope: String,
    pub scope_value: Option<String>,
    pub kind: Text<KindName>,
    pub rate: Option<Text<Decimal>>,
    pub amount_minor: Option<i64>,
    pub currency: Option<Text<Currency>>,
    pub bands: Option<String>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub priority: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// The rule every version of it shares (the first version's id).
    pub rule_id: Option<i64>,
    pub version: i32,
    /// A SPIF's minimum deal size, in `currency`.
    pub min_deal_minor: Option<i64>,
    pub created_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
