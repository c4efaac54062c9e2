//! Webhook endpoints (administrators): subscribe an address to events, see each endpoint's
//! signing secret and delivery log, switch it off and on, redeliver a message.

pub use wire::webhooks::*;

use super::AppError;
use crate::domain::webhook::EndpointForm;
use leptos::prelude::*;

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
