//! Partners: the searchable list, one partner's profile, create / edit, and the onboarding status.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use rust_decimal::Decimal;

use super::AppError;
use super::dashboard::MonthlyRevenue;
use crate::domain::attribution::AttributionModel;
use crate::domain::deal::DealStage;
use crate::domain::ids::{DealId, PartnerId, UserId};
use crate::domain::labels::label_enum;
use crate::domain::money::{Currency, Money};
use crate::domain::partner::{
    CommissionRate, PartnerForm, PartnerStatus, PartnerTier, PartnerType,
};
use crate::domain::reporting::DateRange;

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

/// One page of partners matching a search (name, contact or region) and filters.
#[server(endpoint = "partners/list")]
pub async fn list_partners(
    search: Option<String>,
    partner_type: Option<PartnerType>,
    tier: Option<PartnerTier>,
    status: Option<PartnerStatus>,
    sort: Option<PartnerSort>,
    descending: Option<bool>,
    page: Option<u64>,
) -> Result<PartnerPage, AppError> {
    use crate::server::{context, services};
    let query = services::partners::ListQuery {
        search: search.unwrap_or_default(),
        partner_type,
        tier,
        status,
        sort: sort.unwrap_or(PartnerSort::Name),
        descending: descending.unwrap_or(false),
        page: page.unwrap_or(0),
    };
    context::finish(services::partners::list(query).await)
}

#[server(endpoint = "partners/get")]
pub async fn get_partner(id: PartnerId) -> Result<PartnerDetail, AppError> {
    use crate::server::{context, services};
    context::finish(services::partners::detail(id).await)
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

#[server(endpoint = "partners/performance")]
pub async fn load_partner_performance(id: PartnerId) -> Result<PartnerPerformance, AppError> {
    use crate::server::{context, services};
    context::finish(services::partner_performance::performance(id).await)
}

/// Creates a partner (`id` empty) or updates one; answers with its id.
#[server(endpoint = "partners/save")]
pub async fn save_partner(id: Option<PartnerId>, form: PartnerForm) -> Result<PartnerId, AppError> {
    use crate::server::{context, services};
    context::finish(services::partners::save(id, form).await)
}

/// Moves a partner along invited → onboarding → active ⇄ inactive.
#[server(endpoint = "partners/status")]
pub async fn change_partner_status(
    id: PartnerId,
    status: PartnerStatus,
) -> Result<PartnerStatus, AppError> {
    use crate::server::{context, services};
    context::finish(services::partners::change_status(id, status).await)
}

/// Partners whose name contains `search` (all when empty), by name, at most [`CHOICES`]: what a
/// type-ahead picker offers.
#[server(endpoint = "partners/choices")]
pub async fn partner_choices(
    search: Option<String>,
) -> Result<Vec<crate::api::users::PartnerOption>, AppError> {
    use crate::server::{context, services};
    context::finish(services::partners::choices(search.as_deref().unwrap_or_default()).await)
}

/// Partners a picker offers at once.
pub const CHOICES: u64 = 12;

/// The partner's history: changes to its record and to its portal users, newest first.
#[server(endpoint = "partners/history")]
pub async fn get_partner_history(
    id: PartnerId,
) -> Result<Vec<crate::api::audit::AuditRow>, AppError> {
    use crate::server::{context, services};
    context::finish(services::audit::partner_history(id).await)
}
