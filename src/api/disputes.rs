//! Disputes: the list (the company sees every one, a partner user its own partner's), one dispute
//! with its thread, opening one, the company's actions on it, and messages from either side.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::dispute::{DisputeActionForm, DisputeForm, DisputeVerb, Side};
use crate::domain::ids::{DealId, DisputeId, PartnerId, PayoutId};
use crate::domain::money::Money;
use crate::domain::payout::DisputeStatus;

/// Rows per page of the dispute list.
pub const DISPUTE_PAGE_SIZE: u64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeRow {
    pub id: DisputeId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub deal_id: Option<DealId>,
    pub deal_name: Option<String>,
    /// Set when the dispute is about a payout rather than the deal's attribution.
    pub payout_id: Option<PayoutId>,
    pub reason: String,
    pub status: DisputeStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputePage {
    pub rows: Vec<DisputeRow>,
    pub total: u64,
    /// From 0.
    pub page: u64,
    pub page_size: u64,
    /// How many are open or under review, whatever the filter.
    pub open: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub author: String,
    pub side: Side,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDetail {
    pub dispute: DisputeRow,
    /// Who opened it (none for imported history).
    pub opened_by: Option<String>,
    pub resolution: Option<String>,
    /// The entry a resolution added to the ledger, and its amount (a clawback negative).
    pub adjustment: Option<(PayoutId, Money)>,
    /// The disputed payout's amount, or the partner's commission on the deal.
    pub amount_in_question: Option<Money>,
    /// Oldest first; the reason opens it.
    pub thread: Vec<ThreadMessage>,
    /// The company's moves the caller may make now.
    pub verbs: Vec<DisputeVerb>,
    /// Whether the caller may write in the thread (both sides, until it closes).
    pub can_reply: bool,
}

#[server(endpoint = "disputes/list")]
pub async fn list_disputes(
    status: Option<DisputeStatus>,
    partner_id: Option<PartnerId>,
    page: Option<u64>,
) -> Result<DisputePage, AppError> {
    use crate::server::{context, services};
    context::finish(services::disputes::list(status, partner_id, page.unwrap_or(0)).await)
}

#[server(endpoint = "disputes/get")]
pub async fn get_dispute(id: DisputeId) -> Result<DisputeDetail, AppError> {
    use crate::server::{context, services};
    context::finish(services::disputes::get(id).await)
}

/// Opens a dispute; a partner user's is always its own partner's.
#[server(endpoint = "disputes/open")]
pub async fn open_dispute(form: DisputeForm) -> Result<DisputeId, AppError> {
    use crate::server::{context, services};
    context::finish(services::disputes::open(form).await)
}

#[server(endpoint = "disputes/act")]
pub async fn act_on_dispute(id: DisputeId, form: DisputeActionForm) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::disputes::act(id, form).await)
}

#[server(endpoint = "disputes/reply")]
pub async fn reply_to_dispute(id: DisputeId, body: String) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::disputes::reply(id, body).await)
}
