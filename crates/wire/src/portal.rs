//! The partner portal: a partner user's overview, its deals, one deal, and its commission
//! statement. Every function answers for the caller's own partner only; other partners on a
//! shared deal are counted, never named.

use crate::payouts::{EarningsMonth, PayoutRow};
use chrono::{DateTime, NaiveDate, Utc};
use domain::deal::DealStage;
use domain::ids::DealId;
use domain::money::{Currency, Money};
use domain::tier_program::TierProgress;
use domain::touchpoint::TouchpointKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Rows per page of "My deals".
pub const PORTAL_DEAL_PAGE_SIZE: u64 = 25;

/// Pending, approved and paid over a stretch of time, in the base currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarnedTotals {
    pub start: NaiveDate,
    pub pending: Money,
    pub approved: Money,
    pub paid: Money,
}

/// Approved commissions waiting for the next payment run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextPayment {
    pub amount: Money,
    pub entries: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalOverview {
    pub organization: String,
    pub partner_name: String,
    pub currency: Currency,
    pub quarter: EarnedTotals,
    pub year: EarnedTotals,
    /// The trailing twelve months, oldest first.
    pub months: Vec<EarningsMonth>,
    pub next_payment: Option<NextPayment>,
    /// Deals the partner touched in the trailing twelve months.
    pub deals_influenced: u64,
    /// Deals it touched that were won in the trailing twelve months.
    pub deals_won: u64,
    /// Deals it touched that are still open.
    pub open_deals: u64,
    pub tier: TierProgress,
    /// Entries in another currency without a locked rate, left out of the totals.
    pub other_currency_payouts: u64,
    pub open_disputes: u64,
}

/// The partner's credit on a deal under the payable model: stored when the deal was won,
/// projected from today's touches while it is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credit {
    pub share: Decimal,
    pub amount: Money,
    pub projected: bool,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalDealRow {
    pub id: DealId,
    pub name: String,
    pub account_name: String,
    pub stage: DealStage,
    pub amount: Money,
    /// When it closed, or for an open deal when it is expected to.
    pub close_on: Option<NaiveDate>,
    /// The partner's own touches on it.
    pub touches: u32,
    /// How many other partners touched it (never who).
    pub other_partners: u32,
    pub credit: Option<Credit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalDealPage {
    pub rows: Vec<PortalDealRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    /// How many deals the partner has in all, whatever the filter.
    pub all_deals: u64,
    pub model_name: String,
}

/// One of the partner's own touches on a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalTouch {
    pub kind: TouchpointKind,
    pub occurred_at: DateTime<Utc>,
    pub note: Option<String>,
    /// Whole days before the close (or the expected close); negative after it.
    pub days_before_close: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalDealDetail {
    pub deal: PortalDealRow,
    pub model_name: String,
    /// The partner's touches, oldest first.
    pub timeline: Vec<PortalTouch>,
    /// The partner's ledger entries on the deal, newest first.
    pub commissions: Vec<PayoutRow>,
}

/// One of the partner's portal users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColleagueRow {
    pub id: domain::ids::UserId,
    pub name: String,
    pub email: String,
    pub active: bool,
    /// Administers the partner in the portal.
    pub admin: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// Where commissions are paid, the account masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutDetailsView {
    pub method: domain::payout_details::PayoutMethod,
    pub holder: String,
    pub account_masked: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalProfile {
    pub partner_name: String,
    pub partner_type: domain::partner::PartnerType,
    pub tier: domain::partner::PartnerTier,
    pub region: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub payout: Option<PayoutDetailsView>,
    /// The currency commissions are converted to for payment, when not each deal's own.
    pub payout_currency: Option<Currency>,
    pub colleagues: Vec<ColleagueRow>,
    /// Invitations not yet accepted: email and when the link expires.
    pub invited: Vec<(String, DateTime<Utc>)>,
    /// Whether the caller administers the partner (edits, invites).
    pub is_admin: bool,
}
