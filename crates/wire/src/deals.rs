//! Deals: the pipeline list and one deal with its touchpoint timeline and attribution panel.

use chrono::{DateTime, NaiveDate, Utc};
use domain::attribution::AttributionModel;
use domain::deal::{DealForm, DealStage};
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::labels::label_enum;
use domain::ledger::EntryKind;
use domain::money::Money;
use domain::payout::PayoutStatus;
use domain::touchpoint::TouchpointKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Rows per page of the deal list.
pub const DEAL_PAGE_SIZE: u64 = 25;

label_enum! {
    /// The columns the deal list sorts by.
    pub enum DealSort ("sort") {
        Name => "name",
        Account => "account",
        Amount => "amount",
        Stage => "stage",
        Close => "close",
        Created => "created",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: DealId,
    pub name: String,
    pub account_name: String,
    pub amount: Money,
    pub stage: DealStage,
    /// When it closed, or for an open deal when it is expected to.
    pub close_on: Option<NaiveDate>,
    /// The partners that touched the deal, by name.
    pub partners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealPage {
    pub rows: Vec<DealRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    pub organization_total: u64,
    /// The name of the partner the list is narrowed to, if any.
    pub partner_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: TouchpointId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub kind: TouchpointKind,
    pub occurred_at: DateTime<Utc>,
    pub note: Option<String>,
    /// Whole days before the close (or the expected close); negative after it.
    pub days_before_close: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitLine {
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub share: Decimal,
    pub amount: Money,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSplit {
    pub model: AttributionModel,
    pub model_name: String,
    /// The organization's payable model: the split commissions are paid on.
    pub payable: bool,
    /// Stored when the deal was won (as opposed to computed now for comparison).
    pub stored: bool,
    pub lines: Vec<SplitLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealDetail {
    pub deal: DealRow,
    pub source: String,
    pub expected_close_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub timeline: Vec<TimelineEntry>,
    /// One entry per model, the payable model first.
    pub attribution: Vec<ModelSplit>,
    /// Why there is no attribution yet, if there is none.
    pub attribution_note: Option<String>,
    pub lost_reason: Option<String>,
    /// Commissions created from this deal's payable split.
    pub commissions: Vec<CommissionLine>,
    /// The same fields as the edit form shows them.
    pub form: DealForm,
    /// The server's date: the latest day a touchpoint may be recorded on.
    pub today: NaiveDate,
    /// For a deal won in another currency: the rate locked at its close.
    pub locked_rate: Option<LockedRate>,
}

/// The rate into the base currency a won deal locked, and its amount at that rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedRate {
    pub rate: String,
    pub effective_on: NaiveDate,
    pub base_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommissionLine {
    pub id: i64,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub attributed: Option<Money>,
    pub kind: EntryKind,
    /// Positive; a clawback counts against the partner.
    pub amount: Money,
    pub status: PayoutStatus,
    /// The settled entry an adjustment or clawback corrects.
    pub corrects: Option<i64>,
    /// Why the entry exists or was cancelled.
    pub note: Option<String>,
    /// How the amount was computed, naming the rule version.
    pub explanation: Option<String>,
}

/// What the pipeline is narrowed to. Amounts are typed in the base currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DealFilter {
    pub search: String,
    pub stage: Option<DealStage>,
    pub partner_id: Option<PartnerId>,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    /// Deals a partner of this type (or tier) touched.
    pub partner_type: Option<domain::partner::PartnerType>,
    pub tier: Option<domain::partner::PartnerTier>,
    /// Deals partners worked on, or direct ones.
    pub involvement: Option<domain::deal::Involvement>,
}
