//! Deal registrations: partners register opportunities from the portal; managers work the queue
//! (approve, which creates the deal, or reject with a reason); administrators set how long an
//! approval protects the account.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{DealId, PartnerId, RegistrationId};
use domain::money::Money;
use domain::registration::RegistrationStatus;
use serde::{Deserialize, Serialize};

/// Rows per page of the registration lists.
pub const REGISTRATION_PAGE_SIZE: u64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRow {
    pub id: RegistrationId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub account_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub estimated: Money,
    pub expected_close_on: NaiveDate,
    pub notes: Option<String>,
    pub status: RegistrationStatus,
    /// Whether it was flagged as a channel conflict.
    pub flagged: bool,
    /// Why, one sentence per claim. Only the company sees them: they may name other partners.
    pub conflicts: Vec<String>,
    pub registered_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub rejected_reason: Option<String>,
    /// The deal an approval created.
    pub deal_id: Option<DealId>,
    pub protected_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationPage {
    pub rows: Vec<RegistrationRow>,
    pub total: u64,
    /// From 0.
    pub page: u64,
    pub page_size: u64,
    /// How many in each status, whatever the filter.
    pub counts: Vec<(RegistrationStatus, u64)>,
    /// Days an approval protects the account.
    pub window_days: u32,
    /// Whether the caller may approve and reject.
    pub can_decide: bool,
}

/// A manager's decision, as the queue's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// `approve` or `reject`.
    pub verb: String,
    /// Required to reject; told to the partner.
    pub reason: String,
}
