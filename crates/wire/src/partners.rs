//! Partners: the searchable list, one partner's profile, create / edit, and the onboarding status.

use crate::dashboard::MonthlyRevenue;
use chrono::{DateTime, Utc};
use domain::attribution::AttributionModel;
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId, UserId};
use domain::labels::label_enum;
use domain::money::{Currency, Money};
use domain::partner::{CommissionRate, PartnerForm, PartnerStatus, PartnerTier, PartnerType};
use domain::reporting::DateRange;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Rows per page of the partner list.
pub const PAGE_SIZE: u64 = 25;

label_enum! {
    /// The columns the partner list sorts by.
    pub enum PartnerSort ("sort") {
        Name => "name",
        Type => "type",
        Tier => "tier",
        Status => "status",
        Rate => "rate",
        Created => "created",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRow {
    pub id: PartnerId,
    pub name: String,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
    pub status: PartnerStatus,
    pub commission_rate: CommissionRate,
    pub region: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerPage {
    pub rows: Vec<PartnerRow>,
    /// Partners matching the search and filters, on every page.
    pub total: u64,
    /// Zero-based.
    pub page: u64,
    pub page_size: u64,
    /// Partners in the organization, whatever the filters (tells "none yet" from "none match").
    pub organization_total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerDetail {
    pub partner: PartnerRow,
    pub contact_name: Option<String>,
    pub website: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The statuses the partner may move to next.
    pub next_statuses: Vec<PartnerStatus>,
    /// The partner's portal users.
    pub users: Vec<PartnerUser>,
    /// The same fields as the edit form shows them.
    pub form: PartnerForm,
    /// What pays this partner today when a commission rule does instead of its own rate, in
    /// words ("rule Gold tier v1, not the default rate", or by currency where that differs).
    pub paid_by_rule: Option<String>,
}

/// What a partner brought over the last twelve months, and its commission ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerPerformance {
    /// The last twelve months, this one included.
    pub range: DateRange,
    pub currency: Currency,
    /// The model the credit is computed with: the organization's payable model.
    pub model: AttributionModel,
    /// The partner's credit on deals won each month, in the base currency.
    pub by_month: Vec<MonthlyRevenue>,
    pub attributed: Money,
    /// Deals with one of the partner's touches in the range.
    pub deals_influenced: u64,
    /// Deals it touched that closed in the range: won, and won or lost.
    pub deals_won: u64,
    pub deals_closed: u64,
    /// Won / closed, when something closed.
    pub win_rate: Option<Decimal>,
    pub touchpoints: u64,
    /// Open deals it touched, and their amount in the base currency.
    pub open_deals: u64,
    pub open_pipeline: Money,
    /// One line per currency the partner has commissions in.
    pub commissions: Vec<CommissionTotals>,
    /// The deals it touched most recently.
    pub recent_deals: Vec<PartnerDealLine>,
}

/// A partner's commission ledger in one currency: clawbacks count negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommissionTotals {
    /// Every entry not rejected: what the partner has earned so far.
    pub earned: Money,
    pub paid: Money,
    /// Pending or approved: earned, not yet paid.
    pub outstanding: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerDealLine {
    pub id: DealId,
    pub name: String,
    pub account_name: String,
    pub stage: DealStage,
    pub amount: Money,
    pub touches: u32,
    pub last_touch: DateTime<Utc>,
}

/// Deals listed under "recent deals" on a partner's profile.
pub const RECENT_DEALS: usize = 8;

/// Partners a picker offers at once.
pub const CHOICES: u64 = 12;
