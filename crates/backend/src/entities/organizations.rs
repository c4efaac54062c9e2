use domain::attribution::AttributionModel;
use domain::money::Currency;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub base_currency: Text<Currency>,
    pub payable_model: Text<AttributionModel>,
    pub settings: String,
    pub created_at: DateTimeUtc,
    /// Whether a commission's approver must be someone other than who created or last changed it.
    pub payout_four_eyes: bool,
    /// How many days an approved deal registration protects its account.
    pub registration_window_days: i32,
    /// The program's tier bars (`domain::tier_program::TierBars`), whole base-currency units.
    pub tier_silver_from: i64,
    pub tier_gold_from: i64,
    pub tier_platinum_from: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
