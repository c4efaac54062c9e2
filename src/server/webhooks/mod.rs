//! Webhooks: messages about what happened, signed (Standard Webhooks) and delivered to the
//! organization's endpoints through a durable queue. A message is queued in the transaction of
//! the audited change that raised it (`enqueue`, called by `audit::record`), so a rolled-back
//! change sends nothing and a restart loses nothing; `worker` sends what is due, retrying with
//! back-off, and switches off an endpoint that keeps failing.

pub mod sign;
pub mod worker;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::webhook::{EventType, Targets};
use crate::server::entities::{webhook_deliveries, webhook_endpoints};
use crate::server::tenant::Tenant;

/// The `[partner-attribution.webhooks]` section of Leptos.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Allow endpoints on loopback or private addresses and plain http (development, tests).
    pub allow_private_targets: bool,
    /// How often the worker looks for due deliveries.
    pub poll_ms: u64,
    /// The length of one step of the retry schedule (`domain::webhook::RETRY_SCHEDULE`, in
    /// seconds when this is 1000).
    pub retry_unit_ms: u64,
    /// How long an endpoint may take to answer.
    pub timeout_seconds: u64,
}

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings {
            allow_private_targets: false,
            poll_ms: 1_000,
            retry_unit_ms: 1_000,
            timeout_seconds: 10,
        }
    }
}

impl WebhookSettings {
    pub fn targets(&self) -> Targets {
        if self.allow_private_targets {
            Targets::AnyHttp
        } else {
            Targets::PublicHttpsOnly
        }
    }
}

/// The events an endpoint's `events` column lists.
pub fn events_of(endpoint: &webhook_endpoints::Model) -> Vec<EventType> {
    endpoint
        .events
        .split(',')
        .filter_map(|e| e.trim().parse().ok())
        .collect()
}

/// The message body: what happened, when, and the record as the change left it.
pub fn payload(
    event: EventType,
    at: DateTime<Utc>,
    entity_type: &str,
    entity_id: Option<i64>,
    after: Option<&Value>,
) -> Value {
    json!({
        "type": event.as_str(),
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": { "object": entity_type, "id": entity_id, "state": after },
    })
}

pub fn message_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// Queues a message for every enabled endpoint of the tenant subscribed to an event the audited
/// `action` raises. Runs in the caller's transaction.
pub async fn enqueue(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    action: &str,
    entity_type: &str,
    entity_id: Option<i64>,
    after: Option<&Value>,
) -> Result<(), DbErr> {
    let events = EventType::raised_by(action);
    if events.is_empty() {
        return Ok(());
    }
    let endpoints = webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(webhook_endpoints::Column::Enabled.eq(true))
        .all(db)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::new();
    for &event in events {
        let body = payload(event, now, entity_type, entity_id, after).to_string();
        let id = message_id();
        for endpoint in endpoints.iter().filter(|e| events_of(e).contains(&event)) {
            rows.push(webhook_deliveries::ActiveModel {
                organization_id: Set(tenant.organization_id().0),
                endpoint_id: Set(endpoint.id),
                message_id: Set(id.clone()),
                event_type: Set(event.as_str().to_owned()),
                payload: Set(body.clone()),
                status: Set("pending".to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                created_at: Set(now),
                ..Default::default()
            });
        }
    }
    if !rows.is_empty() {
        webhook_deliveries::Entity::insert_many(rows)
            .exec(db)
            .await?;
    }
    Ok(())
}
