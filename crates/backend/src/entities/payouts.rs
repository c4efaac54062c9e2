use domain::ledger::EntryKind;
use domain::money::Currency;
use domain::payout::PayoutStatus;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub partner_id: i64,
    pub deal_id: Option<i64>,
    pub attribution_id: Option<i64>,
    pub commission_rule_id: Option<i64>,
    pub amount_minor: i64,
    pub currency: Text<Currency>,
    pub status: Text<PayoutStatus>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub paid_reference: Option<String>,
    pub rejected_reason: Option<String>,
    pub batch_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// commission, adjustment or clawback (which counts negative).
    pub kind: Text<EntryKind>,
    /// The settled entry an adjustment or clawback corrects.
    pub corrects_payout_id: Option<i64>,
    /// Why the entry exists, in words ("Deal re-opened").
    pub note: Option<String>,
    /// Who created and who last changed the entry (none for system work): the four-eyes rule
    /// keeps them from approving it.
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    /// The day the payment was made, as finance entered it.
    pub paid_on: Option<Date>,
    /// How the amount was computed, naming the rule version ("10 % of attributed revenue
    /// (Gold tier commission v1)").
    pub explanation: Option<String>,
    /// The dispute whose resolution created this entry: it is the dispute's, not the deal's
    /// commission, so re-attributing the deal leaves it alone.
    pub dispute_id: Option<i64>,
    /// The deal's locked rate into the base currency (none when the deal is in it).
    pub fx_rate: Option<Text<Decimal>>,
    /// For a partner paid in a currency of its own: the amount in it, and the rate from the
    /// entry's currency it was converted at (on the deal's close date).
    pub payout_currency: Option<Text<Currency>>,
    pub payout_amount_minor: Option<i64>,
    pub payout_rate: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
