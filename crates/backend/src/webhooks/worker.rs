//! Sends due deliveries: signs each message, posts it, and records the answer. A failure waits
//! its turn in the retry schedule; after the last retry the delivery has failed. An endpoint
//! that fails `DISABLE_AFTER_FAILURES` times in a row is switched off (audited). Each delivery
//! is a job: several servers send the due ones, each claiming a delivery before sending it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use wire::AppError;

use super::WebhookSettings;
use super::sign::sign;
use crate::audit::{self, Actor, Entry};
use crate::entities::{webhook_deliveries as deliveries, webhook_endpoints as endpoints};
use crate::jobs::{self, Outcome, queue};
use crate::outbound::Outbound;
use crate::tenant::Tenant;
use domain::audit::AuditAction;
use domain::ids::OrganizationId;
use domain::job::JobKind;
use domain::webhook::DeliveryStatus;
use domain::webhook::{DISABLE_AFTER_FAILURES, retry_delay};

/// Deliveries sent per pass, at most.
const BATCH: u64 = 50;
/// What of an endpoint's answer the log keeps.
const ANSWER_KEPT: usize = 500;

pub fn client(settings: &WebhookSettings) -> Outbound {
    let builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(Ord::max(settings.timeout_seconds, 1)))
        .user_agent(concat!(
            "PartnerAttribution-Webhooks/",
            env!("CARGO_PKG_VERSION")
        ));
    Outbound::new(builder, settings.allow_private_targets)
}

/// Claims the deliveries due at `now` and sends each; returns how many were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    client: &Outbound,
    settings: &WebhookSettings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    // Long enough for the endpoint to answer.
    let lease = chrono::Duration::seconds(Ord::max(
        i64::from(JobKind::WebhookDelivery.lease_seconds()),
        settings.timeout_seconds as i64 + 30,
    ));
    // One claim per send, so a slow endpoint cannot hold later deliveries past their lease.
    let mut attempted = 0;
    for _ in 0..BATCH {
        let Some(lease) = queue::claim(
            db,
            &[JobKind::WebhookDelivery],
            &jobs::worker_id(),
            lease,
            now,
            1,
        )
        .await?
        .pop() else {
            break;
        };
        let outcome = if let Some(message) = lease.given_up() {
            finish_failed(db, lease.subject(), &message, now).await?;
            Ok(Outcome::Failed(message))
        } else {
            let delivery = deliveries::Entity::find_by_id(lease.subject())
                .filter(deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
                .one(db)
                .await?;
            match delivery {
                Some(delivery) => {
                    attempted += 1;
                    attempt(db, client, settings, delivery, now).await
                }
                // Sent or given up meanwhile (a redelivery is a delivery of its own).
                None => Ok(Outcome::Done),
            }
        };
        lease
            .finish(db, outcome.map_err(|e: DbErr| e.to_string()), Utc::now())
            .await?;
    }
    Ok(attempted)
}

/// Ends a pending delivery as failed, with why (its job ran out of attempts).
pub async fn give_up(db: &DatabaseConnection, id: i64, message: &str) -> Result<(), AppError> {
    Ok(finish_failed(db, id, message, Utc::now()).await?)
}

async fn finish_failed(
    db: &DatabaseConnection,
    id: i64,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::Status,
            Expr::value(DeliveryStatus::Failed.as_str()),
        )
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(deliveries::Column::LastError, Expr::value(message))
        .col_expr(deliveries::Column::LastAttemptAt, Expr::value(now))
        .filter(deliveries::Column::Id.eq(id))
        .filter(deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

enum Answer {
    Delivered(u16),
    Failed(Option<u16>, String),
}

async fn post(
    client: &Outbound,
    endpoint: &endpoints::Model,
    delivery: &deliveries::Model,
    now: DateTime<Utc>,
) -> Answer {
    let timestamp = now.timestamp();
    let signature = match sign(
        &endpoint.secret,
        &delivery.message_id,
        timestamp,
        &delivery.payload,
    ) {
        Ok(signature) => signature,
        Err(err) => return Answer::Failed(None, err),
    };
    let request = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone());
    let sent = client.send(request).await;
    match sent {
        Ok(response) if response.status().is_success() => {
            Answer::Delivered(response.status().as_u16())
        }
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let body: String = body.chars().take(ANSWER_KEPT).collect();
            Answer::Failed(
                Some(status),
                format!("HTTP {status} {body}").trim().to_owned(),
            )
        }
        Err(err) => Answer::Failed(None, err.to_string()),
    }
}

async fn attempt(
    db: &DatabaseConnection,
    client: &Outbound,
    settings: &WebhookSettings,
    delivery: deliveries::Model,
    now: DateTime<Utc>,
) -> Result<Outcome, DbErr> {
    let Some(endpoint) = endpoints::Entity::find_by_id(delivery.endpoint_id)
        .one(db)
        .await?
    else {
        return Ok(Outcome::Done);
    };
    let attempts = delivery.attempts + 1;
    if !endpoint.enabled {
        let why = "The endpoint is switched off.";
        finish(db, &delivery, "failed", attempts - 1, None, Some(why), now).await?;
        return Ok(Outcome::Failed(why.to_owned()));
    }
    match post(client, &endpoint, &delivery, now).await {
        Answer::Delivered(status) => {
            finish(
                db,
                &delivery,
                "delivered",
                attempts,
                Some(status),
                None,
                now,
            )
            .await?;
            endpoints::Entity::update_many()
                .col_expr(endpoints::Column::FailureStreak, Expr::value(0))
                .filter(endpoints::Column::Id.eq(endpoint.id))
                .exec(db)
                .await?;
            Ok(Outcome::Done)
        }
        Answer::Failed(status, error) => {
            crate::metrics::webhook_failed(status);
            let outcome = match retry_delay(attempts as u32) {
                Some(units) => {
                    let wait = chrono::Duration::milliseconds(
                        i64::from(units) * settings.retry_unit_ms as i64,
                    );
                    deliveries::Entity::update_many()
                        .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
                        .col_expr(deliveries::Column::NextAttemptAt, Expr::value(now + wait))
                        .col_expr(deliveries::Column::LastAttemptAt, Expr::value(now))
                        .col_expr(
                            deliveries::Column::LastStatus,
                            Expr::value(status.map(i32::from)),
                        )
                        .col_expr(deliveries::Column::LastError, Expr::value(error.clone()))
                        .filter(deliveries::Column::Id.eq(delivery.id))
                        .exec(db)
                        .await?;
                    Outcome::Wait(now + wait)
                }
                None => {
                    finish(db, &delivery, "failed", attempts, status, Some(&error), now).await?;
                    Outcome::Failed(error.clone())
                }
            };
            count_failure(db, &endpoint, &error).await?;
            Ok(outcome)
        }
    }
}

async fn finish(
    db: &DatabaseConnection,
    delivery: &deliveries::Model,
    status: &str,
    attempts: i32,
    answer: Option<u16>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::Status, Expr::value(status))
        .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(deliveries::Column::LastAttemptAt, Expr::value(now))
        .col_expr(
            deliveries::Column::LastStatus,
            Expr::value(answer.map(i32::from)),
        )
        .col_expr(
            deliveries::Column::LastError,
            Expr::value(error.map(str::to_owned)),
        )
        .col_expr(
            deliveries::Column::DeliveredAt,
            Expr::value((status == "delivered").then_some(now)),
        )
        .filter(deliveries::Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

/// One more failure in a row for the endpoint; at the limit it is switched off.
async fn count_failure(
    db: &DatabaseConnection,
    endpoint: &endpoints::Model,
    error: &str,
) -> Result<(), DbErr> {
    endpoints::Entity::update_many()
        .col_expr(
            endpoints::Column::FailureStreak,
            Expr::col(endpoints::Column::FailureStreak).add(1),
        )
        .filter(endpoints::Column::Id.eq(endpoint.id))
        .exec(db)
        .await?;
    let streak = endpoint.failure_streak + 1;
    if streak < DISABLE_AFTER_FAILURES as i32 {
        return Ok(());
    }
    let reason =
        format!("Switched off after {streak} failed deliveries in a row. The last: {error}");
    let txn = crate::repo::begin_write(db).await?;
    let switched = endpoints::Entity::update_many()
        .col_expr(endpoints::Column::Enabled, Expr::value(false))
        .col_expr(
            endpoints::Column::DisabledReason,
            Expr::value(reason.clone()),
        )
        .filter(endpoints::Column::Id.eq(endpoint.id))
        .filter(endpoints::Column::Enabled.eq(true))
        .exec(&txn)
        .await?;
    if switched.rows_affected == 1 {
        tracing::warn!(endpoint = endpoint.id, %reason, "webhook endpoint switched off");
        audit::record(
            &Tenant::system(OrganizationId(endpoint.organization_id)),
            &txn,
            Actor::Named {
                user_id: None,
                label: "webhook delivery".into(),
            },
            Entry {
                action: AuditAction::WebhookEndpointDisabled,
                entity_type: "webhook_endpoint",
                entity_id: Some(endpoint.id),
                before: Some(json!({ "enabled": true })),
                after: Some(json!({ "enabled": false, "reason": reason })),
            },
        )
        .await?;
    }
    txn.commit().await
}
