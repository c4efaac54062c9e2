//! Payouts: the queue finance works through (filters, totals per status, pages) and the
//! workflow's actions on one payout, a selection, or everything matching a filter.

use chrono::NaiveDate;
use domain::ids::{DealId, PartnerId, PayoutId};
use domain::labels::label_enum;
use domain::ledger::EntryKind;
use domain::money::Money;
use domain::payout::{PayoutStatus, PayoutVerb, SkipReason};
use domain::reporting::Period;
use serde::{Deserialize, Serialize};

/// Rows per page of the payout queue.
pub const PAYOUT_PAGE_SIZE: u64 = 50;

label_enum! {
    /// The columns the payout queue sorts by.
    pub enum PayoutSort ("sort") {
        Created => "created",
        Amount => "amount",
        Status => "status",
        Partner => "partner",
    }
}

/// What the queue is narrowed to. The period is when the commission was earned (created);
/// amounts are typed in the base currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub partner_id: Option<PartnerId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutRow {
    pub id: PayoutId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub deal_id: Option<DealId>,
    pub deal_name: Option<String>,
    pub amount: Money,
    pub kind: EntryKind,
    pub status: PayoutStatus,
    pub created_on: NaiveDate,
    pub approved_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub paid_reference: Option<String>,
    pub rejected_reason: Option<String>,
    /// The settled entry an adjustment or clawback corrects.
    pub corrects: Option<PayoutId>,
    pub note: Option<String>,
    /// The partner's attributed revenue the commission was computed on, when it came from a split.
    pub attributed: Option<Money>,
    /// How the amount was computed, naming the rule version.
    pub explanation: Option<String>,
    /// For a partner paid in a currency of its own: the amount in it (a clawback negative too,
    /// by its kind) and the rate it was converted at.
    pub paid_as: Option<(Money, String)>,
}

/// One status's share of the filtered queue: how many, and how much per currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusTotal {
    pub status: PayoutStatus,
    pub count: u64,
    pub amounts: Vec<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutPage {
    pub rows: Vec<PayoutRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    /// Per status, over the filter without its status (so every tab shows its count).
    pub totals: Vec<StatusTotal>,
    pub partner_name: Option<String>,
    /// Whether the organization applies the four-eyes rule to approvals.
    pub four_eyes: bool,
    /// The server's date, the default day of a payment.
    pub today: NaiveDate,
}

/// Which payouts an action is for: the ids picked, or with `all_matching` every payout the
/// filter matches (however many pages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutSelection {
    pub ids: Vec<PayoutId>,
    pub all_matching: bool,
    pub filter: PayoutFilter,
}

/// Payouts an action passed over, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub reason: SkipReason,
    pub count: u64,
    /// A few of them, to look at.
    pub examples: Vec<PayoutId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    pub verb: PayoutVerb,
    pub succeeded: u64,
    /// What the payouts acted on add up to, per currency.
    pub amounts: Vec<Money>,
    pub skipped: Vec<Skipped>,
    /// True when this answers a request already carried out (same idempotency key).
    pub replayed: bool,
}

/// The columns of the payout CSV export, in order. Part of the product's interface: documented
/// in the README, and only ever extended at the end.
pub const EXPORT_COLUMNS: [&str; 20] = [
    "payout_id",
    "partner_id",
    "partner_name",
    "deal_id",
    "deal_name",
    "kind",
    "status",
    "amount",
    "currency",
    "earned_on",
    "approved_on",
    "paid_on",
    "paid_reference",
    "rejected_reason",
    "corrects_payout_id",
    "note",
    "explanation",
    "payout_currency",
    "payout_amount",
    "payout_rate",
];

/// The address of the CSV of the payouts a filter matches (the queue's own query keys).
pub fn export_href(filter: &PayoutFilter) -> String {
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(status) = filter.status {
        query.push(("status", status.as_str().to_owned()));
    }
    if let Some(partner) = filter.partner_id {
        query.push(("partner", partner.to_string()));
    }
    if let Some(from) = filter.from {
        query.push(("from", from.to_string()));
    }
    if let Some(to) = filter.to {
        query.push(("to", to.to_string()));
    }
    for (key, value) in [("min", &filter.min_amount), ("max", &filter.max_amount)] {
        if let Some(value) = value {
            query.push((key, value.clone()));
        }
    }
    let encoded: Vec<String> = query
        .into_iter()
        .map(|(k, v)| format!("{k}={}", urlencode(&v)))
        .collect();
    match encoded.is_empty() {
        true => "/api/payouts/export.csv".into(),
        false => format!("/api/payouts/export.csv?{}", encoded.join("&")),
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One month of earnings: what was earned that month, by where it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarningsMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub pending: Money,
    pub approved: Money,
    pub paid: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerEarnings {
    pub partner_id: PartnerId,
    pub name: String,
    pub pending: Money,
    pub approved: Money,
    pub paid: Money,
    pub total: Money,
}

/// Earnings in the base currency for a period: by month (for the chart) and by partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earnings {
    pub period: Period,
    pub start: NaiveDate,
    /// The day after the period.
    pub end: NaiveDate,
    pub months: Vec<EarningsMonth>,
    pub partners: Vec<PartnerEarnings>,
    pub totals: EarningsMonth,
    /// Payouts in the period in other currencies without a locked rate, not in these sums
    /// (those with one count at it).
    pub other_currency_payouts: u64,
    pub partner_name: Option<String>,
}

/// A partner's commission statement for a period: every ledger entry earned in it, with what it
/// was computed on, and the totals per status in each currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub organization: String,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub period: Period,
    pub start: NaiveDate,
    /// The day after the period.
    pub end: NaiveDate,
    pub lines: Vec<PayoutRow>,
    pub totals: Vec<StatusTotal>,
}

/// The columns of the statement CSV, in order (documented in the README).
pub const STATEMENT_COLUMNS: [&str; 16] = [
    "payout_id",
    "earned_on",
    "deal_id",
    "deal_name",
    "kind",
    "status",
    "attributed_amount",
    "amount",
    "currency",
    "paid_on",
    "paid_reference",
    "note",
    "explanation",
    "payout_currency",
    "payout_amount",
    "payout_rate",
];
