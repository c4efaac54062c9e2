//! Webhook endpoints (administrators): subscribe an address to events, see each endpoint's
//! signing secret and delivery log, switch it off and on, redeliver a message.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::webhook::{DeliveryStatus, EndpointForm, EventType};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// Why it is switched off (by a person, or after repeated failure).
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row.
    pub failure_streak: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub message_id: String,
    pub event: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The endpoint's HTTP status on the last attempt (none when it could not be reached).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDetail {
    pub endpoint: EndpointRow,
    /// The signing secret (`whsec_…`), for the receiver to verify signatures.
    pub secret: String,
    /// The newest deliveries first.
    pub deliveries: Vec<DeliveryRow>,
    pub form: EndpointForm,
}

/// Deliveries the endpoint page lists.
pub const DELIVERIES_SHOWN: u64 = 100;

/// Which endpoint addresses this server sends to: public `https://` ones only, or (with
/// `allow-private-targets` in its settings, for development and on-premises receivers) also
/// plain `http://` and private network addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRule {
    pub private_allowed: bool,
}

#[server(endpoint = "webhooks/targets")]
pub async fn load_webhook_targets() -> Result<TargetRule, AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::target_rule().await)
}

#[server(endpoint = "webhooks/list")]
pub async fn load_webhook_endpoints() -> Result<Vec<EndpointRow>, AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::list().await)
}

#[server(endpoint = "webhooks/get")]
pub async fn load_webhook_endpoint(id: i64) -> Result<EndpointDetail, AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::detail(id).await)
}

/// Creates (`id` none) or changes an endpoint; answers its id.
#[server(endpoint = "webhooks/save")]
pub async fn save_webhook_endpoint(
    #[server(default)] id: Option<i64>,
    #[server(default)] form: EndpointForm,
) -> Result<i64, AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::save(id, form).await)
}

/// Switches an endpoint off or back on (back on clears its failure count).
#[server(endpoint = "webhooks/enable")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::set_enabled(id, enabled).await)
}

#[server(endpoint = "webhooks/delete")]
pub async fn delete_webhook_endpoint(id: i64) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::delete(id).await)
}

/// Queues the delivery's message again, under the same message id (receivers deduplicate by it).
#[server(endpoint = "webhooks/redeliver")]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::webhooks::redeliver(delivery_id).await)
}
