//! `/api/v1/webhooks`: manage the organization's webhook endpoints and read their delivery log.
//! The same services as Settings → Webhooks.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::extract::{Json, Path, Query};
use super::pagination::{self, Page};
use super::problem::Problem;
use crate::entities::webhook_endpoints;
use crate::services::webhooks as service;
use crate::state::Backend;
use crate::webhooks::events_of;
use domain::access::{Action, Resource};
use domain::webhook::{DeliveryStatus, EndpointForm, EventType};

pub fn routes() -> OpenApiRouter<Backend> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(deliveries))
        .routes(routes!(redeliver))
}

/// An address that receives signed messages about the events it subscribes to.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// Why it is switched off (by a person, or after repeated failure).
    pub disabled_reason: Option<String>,
    /// The signing secret (`whsec_…`): verify `webhook-signature` with it. Shown to write keys
    /// only (with it, messages could be forged).
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    fn of(model: webhook_endpoints::Model, with_secret: bool) -> WebhookEndpoint {
        WebhookEndpoint {
            events: events_of(&model),
            id: model.id,
            url: model.url,
            description: model.description,
            enabled: model.enabled,
            disabled_reason: model.disabled_reason,
            secret: with_secret.then_some(model.secret),
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// An endpoint to add, or its new address, description and events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointInput {
    /// A public https address.
    #[schema(max_length = 2000)]
    pub url: String,
    #[schema(max_length = 200)]
    pub description: Option<String>,
    #[schema(min_items = 1)]
    pub events: Vec<EventType>,
    /// Update only: switch the endpoint off or back on.
    pub enabled: Option<bool>,
}

/// One message to one endpoint and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The `webhook-id` header: the same for a redelivery of the same message.
    pub message_id: String,
    pub event: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The endpoint's HTTP status on the last attempt.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Records per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (newest first).
    pub cursor: Option<String>,
}

fn form(input: WebhookEndpointInput) -> (EndpointForm, Option<bool>) {
    (
        EndpointForm {
            url: input.url,
            description: input.description.unwrap_or_default(),
            events: input.events.iter().map(|e| e.as_str().to_owned()).collect(),
        },
        input.enabled,
    )
}

async fn show(caller: &ApiCaller, id: i64) -> Result<WebhookEndpoint, Problem> {
    let with_secret = caller.can(Action::Edit, Resource::Webhooks);
    Ok(WebhookEndpoint::of(
        service::get(caller, id).await?,
        with_secret,
    ))
}

/// List webhook endpoints
#[utoipa::path(operation_id = "list_webhooks", get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Page<WebhookEndpoint>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(caller: ApiCaller) -> Result<Json<Page<WebhookEndpoint>>, Problem> {
    let with_secret = caller.can(Action::Edit, Resource::Webhooks);
    let data = service::endpoints(&caller)
        .await?
        .into_iter()
        .map(|model| WebhookEndpoint::of(model, with_secret))
        .collect();
    Ok(Json(Page {
        data,
        next_cursor: None,
    }))
}

/// Add a webhook endpoint
#[utoipa::path(operation_id = "create_webhook", post, path = "/webhooks", tag = "webhooks", request_body = WebhookEndpointInput,
    responses((status = 201, body = WebhookEndpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(
    caller: ApiCaller,
    Json(input): Json<WebhookEndpointInput>,
) -> Result<Response, Problem> {
    let (form, _) = form(input);
    let id = service::save(&caller, None, form).await?;
    let endpoint = show(&caller, id).await?;
    let location = format!("/api/v1/webhooks/{id}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(endpoint),
    )
        .into_response())
}

/// Read a webhook endpoint
#[utoipa::path(operation_id = "read_webhook", get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookEndpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn read(caller: ApiCaller, Path(id): Path<i64>) -> Result<Json<WebhookEndpoint>, Problem> {
    Ok(Json(show(&caller, id).await?))
}

/// Change a webhook endpoint
#[utoipa::path(operation_id = "update_webhook", put, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)), request_body = WebhookEndpointInput,
    responses((status = 200, body = WebhookEndpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<WebhookEndpointInput>,
) -> Result<Json<WebhookEndpoint>, Problem> {
    let (form, enabled) = form(input);
    service::save(&caller, Some(id), form).await?;
    if let Some(enabled) = enabled {
        service::set_enabled(&caller, id, enabled).await?;
    }
    Ok(Json(show(&caller, id).await?))
}

/// Delete a webhook endpoint
#[utoipa::path(operation_id = "delete_webhook", delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn remove(caller: ApiCaller, Path(id): Path<i64>) -> Result<StatusCode, Problem> {
    service::delete(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest first
#[utoipa::path(operation_id = "list_webhook_deliveries", get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path), DeliveryParams),
    responses((status = 200, body = Page<WebhookDelivery>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn deliveries(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Query(params): Query<DeliveryParams>,
) -> Result<Json<Page<WebhookDelivery>>, Problem> {
    let limit = pagination::limit(params.limit)?;
    let before = pagination::decode(params.cursor.as_deref())?;
    service::get(&caller, id).await?;
    let rows = service::deliveries(&caller, id, before, limit).await?;
    Ok(Json(Page::of(
        rows,
        limit,
        |d| d.id,
        |d| {
            Ok(WebhookDelivery {
                id: d.id,
                message_id: d.message_id,
                event: d.event,
                status: d.status,
                attempts: d.attempts,
                next_attempt_at: d.next_attempt_at,
                last_attempt_at: d.last_attempt_at,
                last_status: d.last_status,
                last_error: d.last_error,
                created_at: d.created_at,
                delivered_at: d.delivered_at,
            })
        },
    )?))
}

/// Send a delivery's message again
///
/// Queues the same message (same `webhook-id` and body) for its endpoint, due now.
#[utoipa::path(operation_id = "redeliver_webhook", post, path = "/webhooks/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    params(("delivery_id" = i64, Path)),
    responses((status = 202), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn redeliver(caller: ApiCaller, Path(delivery_id): Path<i64>) -> Result<StatusCode, Problem> {
    service::redeliver(&caller, delivery_id).await?;
    Ok(StatusCode::ACCEPTED)
}
