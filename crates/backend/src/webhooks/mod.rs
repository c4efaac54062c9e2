//! Webhooks: messages about what happened, signed (Standard Webhooks) and delivered to the
//! organization's endpoints through a durable queue. A message is queued in the transaction of
//! the audited change that raised it (`enqueue`, called by `audit::record`), with a job per
//! delivery, so a rolled-back change sends nothing and a restart loses nothing; `worker` sends what is due, retrying with
//! back-off, and switches off an endpoint that keeps failing.

pub mod sign;
pub mod worker;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::entities::text::Text;
use crate::entities::{webhook_deliveries, webhook_endpoints};
use crate::tenant::Tenant;
use domain::audit::AuditAction;
use domain::webhook::{DeliveryStatus, EventType, Targets};

/// The `[partner-attribution.webhooks]` section of Leptos.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Allow endpoints on loopback or private addresses and plain http (development, tests).
    pub allow_private_targets: bool,
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

/// An audited change, as far as webhooks care.
pub struct Change<'a> {
    pub action: AuditAction,
    pub entity_type: &'a str,
    pub entity_id: Option<i64>,
    pub after: Option<&'a Value>,
}

/// Queues a message for every enabled endpoint of the tenant subscribed to an event the audited
/// changes raise. Runs in the caller's transaction; reads the endpoints once for all changes.
pub async fn enqueue(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    changes: &[Change<'_>],
) -> Result<(), DbErr> {
    if changes
        .iter()
        .all(|c| EventType::raised_by(c.action).is_empty())
    {
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
    let subscribed: Vec<(i64, Vec<EventType>)> =
        endpoints.iter().map(|e| (e.id, events_of(e))).collect();
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut messages = Vec::new();
    for change in changes {
        for &event in EventType::raised_by(change.action) {
            let body = payload(
                event,
                now,
                change.entity_type,
                change.entity_id,
                change.after,
            )
            .to_string();
            let id = message_id();
            let before = rows.len();
            for (endpoint, _) in subscribed
                .iter()
                .filter(|(_, events)| events.contains(&event))
            {
                rows.push(webhook_deliveries::ActiveModel {
                    organization_id: Set(tenant.organization_id().0),
                    endpoint_id: Set(*endpoint),
                    message_id: Set(id.clone()),
                    event_type: Set(Text(event)),
                    payload: Set(body.clone()),
                    status: Set(Text(DeliveryStatus::Pending)),
                    attempts: Set(0),
                    next_attempt_at: Set(Some(now)),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
            if rows.len() > before {
                messages.push(id);
            }
        }
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        webhook_deliveries::Entity::insert_many(chunk)
            .exec(db)
            .await?;
    }
    crate::jobs::queue::enqueue_deliveries(db, &messages, now).await
}
