use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::money::Currency;
use domain::registration::RegistrationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub partner_id: i64,
    pub registered_by: Option<i64>,
    pub account_name: String,
    pub account_key: String,
    pub contact_name: String,
    pub contact_email: String,
    pub estimated_amount_minor: i64,
    pub currency: Text<Currency>,
    pub expected_close_on: Date,
    pub notes: Option<String>,
    pub status: Text<RegistrationStatus>,
    pub conflict: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub rejected_reason: Option<String>,
    pub deal_id: Option<i64>,
    pub protected_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
