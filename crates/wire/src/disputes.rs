//! Disputes: the list (the company sees every one, a partner user its own partner's), one dispute
//! with its thread, opening one, the company's actions on it, and messages from either side.

use chrono::{DateTime, Utc};
use domain::dispute::{DisputeVerb, Side};
use domain::ids::{DealId, DisputeId, PartnerId, PayoutId};
use domain::money::Money;
use domain::payout::DisputeStatus;
use serde::{Deserialize, Serialize};

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
