use domain::money::Currency;
use domain::partner::PartnerStatus;
use domain::partner::PartnerTier;
use domain::partner::PartnerType;
use domain::payout_details::PayoutMethod;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub partner_type: Text<PartnerType>,
    pub status: Text<PartnerStatus>,
    pub tier: Text<PartnerTier>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub region: Option<String>,
    pub commission_rate: Text<Decimal>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The currency the partner is paid in, when not each deal's own.
    pub payout_currency: Option<Text<Currency>>,
    /// How commissions reach the partner (`domain::payout_details::PayoutMethod`).
    pub payout_method: Option<Text<PayoutMethod>>,
    pub payout_holder: Option<String>,
    /// Stored whole; only ever shown masked.
    pub payout_account: Option<String>,
    /// The id a CRM or an API client knows this record by (unique in the organization).
    pub external_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
