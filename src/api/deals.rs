//! Deals: the pipeline list and one deal with its touchpoint timeline and attribution panel.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::attribution::AttributionModel;
use crate::domain::deal::{DealForm, DealStage};
use crate::domain::ids::{DealId, PartnerId, TouchpointId};
use crate::domain::labels::label_enum;
use crate::domain::ledger::EntryKind;
use crate::domain::money::Money;
use crate::domain::payout::PayoutStatus;
use crate::domain::touchpoint::TouchpointForm;
use crate::domain::touchpoint::TouchpointKind;

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
    pub partner_type: Option<crate::domain::partner::PartnerType>,
    pub tier: Option<crate::domain::partner::PartnerTier>,
    /// Deals partners worked on, or direct ones.
    pub involvement: Option<crate::domain::deal::Involvement>,
}

/// One page of deals matching a search (deal or account name) and filters.
#[server(endpoint = "deals/list")]
pub async fn list_deals(
    #[server(default)] filter: DealFilter,
    sort: Option<DealSort>,
    descending: Option<bool>,
    page: Option<u64>,
) -> Result<DealPage, AppError> {
    use crate::server::{context, services};
    context::finish(
        services::deals::list(
            filter,
            sort.unwrap_or(DealSort::Close),
            descending.unwrap_or(true),
            page.unwrap_or(0),
        )
        .await,
    )
}

#[server(endpoint = "deals/get")]
pub async fn get_deal(id: DealId) -> Result<DealDetail, AppError> {
    use crate::server::{context, services};
    context::finish(services::deals::detail(id).await)
}

/// Creates a deal (`id` empty; it starts open) or updates one; answers with its id. A won deal's
/// new amount re-attributes it and adjusts its commissions.
#[server(endpoint = "deals/save")]
pub async fn save_deal(id: Option<DealId>, form: DealForm) -> Result<DealId, AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::save(id, form).await)
}

/// Adds a touchpoint; on a won deal (touches up to its close only) the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/add")]
pub async fn add_touchpoint(
    deal_id: DealId,
    form: TouchpointForm,
) -> Result<TouchpointId, AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::add_touchpoint(deal_id, form).await)
}

/// Changes a touchpoint (partner, kind, day, note); on a won deal the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/update")]
pub async fn update_touchpoint(id: TouchpointId, form: TouchpointForm) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::update_touchpoint(id, form).await)
}

/// Removes a touchpoint; on a won deal the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/remove")]
pub async fn remove_touchpoint(id: TouchpointId) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::remove_touchpoint(id).await)
}

/// Closes an open deal. Won: attributes it under every rule-based model, stores the results and
/// creates the pending commissions of the payable split, all in one transaction. Lost: records
/// the reason.
#[server(endpoint = "deals/close")]
pub async fn close_deal(
    id: DealId,
    outcome: DealStage,
    reason: Option<String>,
) -> Result<DealStage, AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::close(id, outcome, reason.as_deref()).await)
}

/// Re-opens a won or lost deal. A won deal's commissions are reversed through the ledger: pending
/// ones cancelled, approved or paid ones clawed back by a new pending entry.
#[server(endpoint = "deals/reopen")]
pub async fn reopen_deal(id: DealId) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::deal_changes::reopen(id).await)
}

/// The deal's history: changes to it, its touchpoints and its commissions, newest first.
#[server(endpoint = "deals/history")]
pub async fn get_deal_history(id: DealId) -> Result<Vec<crate::api::audit::AuditRow>, AppError> {
    use crate::server::{context, services};
    context::finish(services::audit::deal_history(id).await)
}
