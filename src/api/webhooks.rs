//! Webhook endpoints (administrators): subscribe an address to events, see each endpoint's
//! signing secret and delivery log, switch it off and on, redeliver a message.

pub use wire::webhooks::*;

use super::AppError;
use crate::domain::webhook::EndpointForm;
use leptos::prelude::*;

#[server(endpoint = "webhooks/targets")]
pub async fn load_webhook_targets() -> Result<TargetRule, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::webhooks::target_rule(&caller).await }).await
}

#[server(endpoint = "webhooks/list")]
pub async fn load_webhook_endpoints() -> Result<Vec<EndpointRow>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::webhooks::list(&caller).await }).await
}

#[server(endpoint = "webhooks/get")]
pub async fn load_webhook_endpoint(id: i64) -> Result<EndpointDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::webhooks::detail(&caller, id).await }).await
}

/// Creates (`id` none) or changes an endpoint; answers its id.
#[server(endpoint = "webhooks/save")]
pub async fn save_webhook_endpoint(
    #[server(default)] id: Option<i64>,
    #[server(default)] form: EndpointForm,
) -> Result<i64, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::webhooks::save(&caller, id, form).await }).await
}

/// Switches an endpoint off or back on (back on clears its failure count).
#[server(endpoint = "webhooks/enable")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::webhooks::set_enabled(&caller, id, enabled).await },
    )
    .await
}

#[server(endpoint = "webhooks/delete")]
pub async fn delete_webhook_endpoint(id: i64) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::webhooks::delete(&caller, id).await }).await
}

/// Queues the delivery's message again, under the same message id (receivers deduplicate by it).
#[server(endpoint = "webhooks/redeliver")]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::webhooks::redeliver(&caller, delivery_id)
            .await
            .map(|_| ())
    })
    .await
}
