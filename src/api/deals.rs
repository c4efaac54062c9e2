//! Deals: the pipeline list and one deal with its touchpoint timeline and attribution panel.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::attribution::AttributionModel;
use crate::domain::deal::DealStage;
use crate::domain::ids::{DealId, PartnerId, TouchpointId};
use crate::domain::labels::label_enum;
use crate::domain::money::Money;
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
