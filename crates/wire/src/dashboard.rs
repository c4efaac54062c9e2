//! The manager dashboard: headline numbers and revenue by month.

use chrono::NaiveDate;
use domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub organization_name: String,
    pub base_currency: Currency,
    /// Won deal amounts, one total per currency, the base currency first.
    pub won_revenue: Vec<Money>,
    pub won_deals: u64,
    /// Open deal amounts, one total per currency, the base currency first.
    pub open_pipeline: Vec<Money>,
    pub open_deals: u64,
    pub active_partners: u64,
    pub total_partners: u64,
    /// Pending payout amounts, one total per currency, the base currency first.
    pub pending_payouts: Vec<Money>,
    pub pending_payout_count: u64,
    /// Deal registrations awaiting a decision, and how many of them are flagged as conflicts.
    pub pending_registrations: u64,
    pub flagged_registrations: u64,
    /// Disputes open or under review.
    pub open_disputes: u64,
    /// Won revenue in the base currency for each of the last twelve months, oldest first.
    pub revenue_by_month: Vec<MonthlyRevenue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyRevenue {
    /// The first day of the month.
    pub month: NaiveDate,
    pub revenue: Money,
    pub deals: u64,
}
