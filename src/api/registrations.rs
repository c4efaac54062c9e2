//! Deal registrations: partners register opportunities from the portal; managers work the queue
//! (approve, which creates the deal, or reject with a reason); administrators set how long an
//! approval protects the account.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::ids::{DealId, PartnerId, RegistrationId};
use crate::domain::money::Money;
use crate::domain::registration::{RegistrationForm, RegistrationStatus};

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

#[server(endpoint = "registrations/list")]
pub async fn list_registrations(
    status: Option<RegistrationStatus>,
    partner_id: Option<PartnerId>,
    page: Option<u64>,
) -> Result<RegistrationPage, AppError> {
    use crate::server::{context, services};
    context::finish(services::registrations::list(status, partner_id, page.unwrap_or(0)).await)
}

/// A partner user registers an opportunity for its own partner.
#[server(endpoint = "registrations/register")]
pub async fn register_deal(form: RegistrationForm) -> Result<RegistrationRow, AppError> {
    use crate::server::{context, services};
    context::finish(services::registrations::register(form).await)
}

#[server(endpoint = "registrations/decide")]
pub async fn decide_registration(
    id: RegistrationId,
    form: DecisionForm,
) -> Result<RegistrationRow, AppError> {
    use crate::server::{context, services};
    context::finish(services::registrations::decide(id, form).await)
}

#[server(endpoint = "registrations/window")]
pub async fn set_registration_window(days: String) -> Result<u32, AppError> {
    use crate::server::{context, services};
    context::finish(services::registrations::set_window(days).await)
}
