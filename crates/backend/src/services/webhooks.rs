//! Webhook endpoints: list, detail with the delivery log, create / change, switch off and on,
//! delete, redeliver. Every change audited; each `*_as` function serves the web app and the REST
//! API alike.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::text::Text;
use crate::entities::{webhook_deliveries as deliveries, webhook_endpoints as endpoints};
use crate::repo;
use crate::webhooks::{events_of, sign};
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::webhook::{DeliveryStatus, EndpointForm};
use wire::AppError;
use wire::webhooks::{DELIVERIES_SHOWN, DeliveryRow, EndpointDetail, EndpointRow, TargetRule};

fn not_found() -> AppError {
    AppError::NotFound("the webhook endpoint".into())
}

pub fn row(model: &endpoints::Model) -> EndpointRow {
    EndpointRow {
        id: model.id,
        url: model.url.clone(),
        description: model.description.clone(),
        events: events_of(model),
        enabled: model.enabled,
        disabled_reason: model.disabled_reason.clone(),
        failure_streak: model.failure_streak,
        created_at: model.created_at,
    }
}

pub fn delivery_row(model: deliveries::Model) -> Result<DeliveryRow, AppError> {
    Ok(DeliveryRow {
        id: model.id,
        event: model.event_type.0,
        status: model.status.0,
        message_id: model.message_id,
        attempts: model.attempts,
        next_attempt_at: model.next_attempt_at,
        last_attempt_at: model.last_attempt_at,
        last_status: model.last_status,
        last_error: model.last_error,
        created_at: model.created_at,
        delivered_at: model.delivered_at,
    })
}

fn snapshot(model: &endpoints::Model) -> serde_json::Value {
    json!({
        "url": model.url,
        "description": model.description,
        "events": model.events,
        "enabled": model.enabled,
    })
}

pub async fn target_rule(caller: &Caller) -> Result<TargetRule, AppError> {
    caller.require(Action::View, Resource::Webhooks)?;
    Ok(TargetRule {
        private_allowed: caller.backend.webhooks.allow_private_targets,
    })
}

pub async fn list(caller: &Caller) -> Result<Vec<EndpointRow>, AppError> {
    Ok(endpoints(caller).await?.iter().map(row).collect())
}

/// The organization's endpoints as stored, oldest first.
pub async fn endpoints(caller: &Caller) -> Result<Vec<endpoints::Model>, AppError> {
    caller.require(Action::View, Resource::Webhooks)?;
    Ok(endpoints::Entity::find()
        .filter(endpoints::Column::OrganizationId.eq(caller.tenant.organization_id().0))
        .order_by_asc(endpoints::Column::Id)
        .all(caller.db())
        .await?)
}

pub async fn get(caller: &Caller, id: i64) -> Result<endpoints::Model, AppError> {
    caller.require(Action::View, Resource::Webhooks)?;
    endpoints::Entity::find_by_id(id)
        .filter(endpoints::Column::OrganizationId.eq(caller.tenant.organization_id().0))
        .one(caller.db())
        .await?
        .ok_or_else(not_found)
}

pub async fn detail(caller: &Caller, id: i64) -> Result<EndpointDetail, AppError> {
    caller.require(Action::View, Resource::Webhooks)?;
    let endpoint = get(caller, id).await?;
    let deliveries = deliveries(caller, id, None, DELIVERIES_SHOWN).await?;
    Ok(EndpointDetail {
        form: EndpointForm {
            url: endpoint.url.clone(),
            description: endpoint.description.clone().unwrap_or_default(),
            events: events_of(&endpoint)
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
        },
        secret: endpoint.secret.clone(),
        endpoint: row(&endpoint),
        deliveries,
    })
}

/// The endpoint's deliveries, newest first, before `before` (an id) when given.
pub async fn deliveries(
    caller: &Caller,
    endpoint: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<DeliveryRow>, AppError> {
    caller.require(Action::View, Resource::Webhooks)?;
    let mut select = deliveries::Entity::find()
        .filter(deliveries::Column::OrganizationId.eq(caller.tenant.organization_id().0))
        .filter(deliveries::Column::EndpointId.eq(endpoint));
    if let Some(before) = before {
        select = select.filter(deliveries::Column::Id.lt(before));
    }
    select
        .order_by_desc(deliveries::Column::Id)
        .limit(limit)
        .all(caller.db())
        .await?
        .into_iter()
        .map(delivery_row)
        .collect()
}

/// Creates (`id` none) or changes an endpoint whose address the server's settings allow.
pub async fn save(caller: &Caller, id: Option<i64>, form: EndpointForm) -> Result<i64, AppError> {
    caller.require(Action::Edit, Resource::Webhooks)?;
    let draft = form
        .validate(caller.backend.webhooks.targets())
        .map_err(AppError::invalid_fields)?;
    let events = draft
        .events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let now = Utc::now();
    let txn = repo::begin_write(caller.db()).await?;
    let (saved, before, action) = match id {
        None => {
            let model = endpoints::ActiveModel {
                organization_id: Set(caller.tenant.organization_id().0),
                url: Set(draft.url.clone()),
                description: Set(draft.description.clone()),
                events: Set(events),
                secret: Set(sign::new_secret()),
                enabled: Set(true),
                failure_streak: Set(0),
                created_by: Set(caller.user_id().map(|u| u.0)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (model, None, AuditAction::WebhookEndpointCreated)
        }
        Some(id) => {
            let existing = get(caller, id).await?;
            let before = snapshot(&existing);
            let mut model: endpoints::ActiveModel = existing.into();
            model.url = Set(draft.url.clone());
            model.description = Set(draft.description.clone());
            model.events = Set(events);
            model.updated_at = Set(now);
            (
                model.update(&txn).await?,
                Some(before),
                AuditAction::WebhookEndpointUpdated,
            )
        }
    };
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action,
            entity_type: "webhook_endpoint",
            entity_id: Some(saved.id),
            before,
            after: Some(snapshot(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

pub async fn set_enabled(caller: &Caller, id: i64, enabled: bool) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Webhooks)?;
    let existing = get(caller, id).await?;
    if existing.enabled == enabled {
        return Ok(());
    }
    let txn = repo::begin_write(caller.db()).await?;
    let reason = (!enabled).then(|| format!("Switched off by {}.", caller.user.name));
    endpoints::Entity::update_many()
        .col_expr(endpoints::Column::Enabled, Expr::value(enabled))
        .col_expr(
            endpoints::Column::DisabledReason,
            Expr::value(reason.clone()),
        )
        .col_expr(endpoints::Column::FailureStreak, Expr::value(0))
        .col_expr(endpoints::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(endpoints::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: if enabled {
                AuditAction::WebhookEndpointEnabled
            } else {
                AuditAction::WebhookEndpointDisabled
            },
            entity_type: "webhook_endpoint",
            entity_id: Some(id),
            before: Some(
                json!({ "enabled": existing.enabled, "reason": existing.disabled_reason }),
            ),
            after: Some(json!({ "enabled": enabled, "reason": reason })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes the endpoint and its delivery log; pending messages to it are dropped.
pub async fn delete(caller: &Caller, id: i64) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Webhooks)?;
    let existing = get(caller, id).await?;
    let txn = repo::begin_write(caller.db()).await?;
    deliveries::Entity::delete_many()
        .filter(deliveries::Column::EndpointId.eq(id))
        .exec(&txn)
        .await?;
    endpoints::Entity::delete_by_id(id).exec(&txn).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::WebhookEndpointDeleted,
            entity_type: "webhook_endpoint",
            entity_id: Some(id),
            before: Some(snapshot(&existing)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Queues the message of a delivery again (same message id and body), due now; answers the new
/// delivery's id. Refused while the endpoint is switched off.
pub async fn redeliver(caller: &Caller, delivery_id: i64) -> Result<i64, AppError> {
    caller.require(Action::Edit, Resource::Webhooks)?;
    let original = deliveries::Entity::find_by_id(delivery_id)
        .filter(deliveries::Column::OrganizationId.eq(caller.tenant.organization_id().0))
        .one(caller.db())
        .await?
        .ok_or_else(|| AppError::NotFound("the delivery".into()))?;
    let endpoint = get(caller, original.endpoint_id).await?;
    if !endpoint.enabled {
        return Err(AppError::Conflict(
            "The endpoint is switched off: switch it on to deliver again.".into(),
        ));
    }
    let now = Utc::now();
    let txn = repo::begin_write(caller.db()).await?;
    let copy = deliveries::ActiveModel {
        organization_id: Set(original.organization_id),
        endpoint_id: Set(original.endpoint_id),
        message_id: Set(original.message_id.clone()),
        event_type: Set(original.event_type),
        payload: Set(original.payload.clone()),
        status: Set(Text(DeliveryStatus::Pending)),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let organization = Some(copy.organization_id);
    let job = domain::job::JobKind::WebhookDelivery;
    crate::jobs::queue::enqueue(&txn, job, copy.id, organization, now, now).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::WebhookDeliveryRedelivered,
            entity_type: "webhook_delivery",
            entity_id: Some(copy.id),
            before: None,
            after: Some(json!({ "of": original.id, "message_id": original.message_id })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(copy.id)
}
