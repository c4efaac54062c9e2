//! Webhooks: endpoints an organization subscribes to events, and the durable delivery queue
//! (one row per attempt series, written in the transaction of the change that caused it, so a
//! restart loses nothing and a rolled-back change sends nothing).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema_helpers::{fk, id, one_of, org_index, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum WebhookEndpoints {
    Table,
    Id,
    OrganizationId,
    Url,
    Description,
    /// Event types, comma-separated.
    Events,
    /// `whsec_` + base64 of the signing key (Standard Webhooks).
    Secret,
    Enabled,
    /// Why the endpoint was switched off (by a person, or after repeated failure).
    DisabledReason,
    /// Deliveries that failed in a row; reset by a success.
    FailureStreak,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum WebhookDeliveries {
    Table,
    Id,
    OrganizationId,
    EndpointId,
    /// The message id (`webhook-id`): the same for a redelivery of the same message.
    MessageId,
    EventType,
    Payload,
    /// pending | delivered | failed
    Status,
    Attempts,
    NextAttemptAt,
    LastAttemptAt,
    LastStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden, Clone)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection and all or nothing on SQLite too (see 000005).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(id(WebhookEndpoints::Id))
                    .col(big_integer(WebhookEndpoints::OrganizationId))
                    .col(text(WebhookEndpoints::Url))
                    .col(string_len_null(WebhookEndpoints::Description, 200))
                    .col(text(WebhookEndpoints::Events))
                    .col(string_len(WebhookEndpoints::Secret, 100))
                    .col(boolean(WebhookEndpoints::Enabled).default(true))
                    .col(text_null(WebhookEndpoints::DisabledReason))
                    .col(integer(WebhookEndpoints::FailureStreak).default(0))
                    .col(big_integer_null(WebhookEndpoints::CreatedBy))
                    .col(utc(WebhookEndpoints::CreatedAt))
                    .col(utc(WebhookEndpoints::UpdatedAt))
                    .foreign_key(&mut fk(
                        WebhookEndpoints::Table,
                        WebhookEndpoints::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        WebhookEndpoints::Table,
                        WebhookEndpoints::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_webhook_endpoints_org",
                WebhookEndpoints::Table,
                &["id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(id(WebhookDeliveries::Id))
                    .col(big_integer(WebhookDeliveries::OrganizationId))
                    .col(big_integer(WebhookDeliveries::EndpointId))
                    .col(string_len(WebhookDeliveries::MessageId, 64))
                    .col(string_len(WebhookDeliveries::EventType, 40))
                    .col(text(WebhookDeliveries::Payload))
                    .col(string_len(WebhookDeliveries::Status, 16).default("pending"))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(utc_null(WebhookDeliveries::NextAttemptAt))
                    .col(utc_null(WebhookDeliveries::LastAttemptAt))
                    .col(integer_null(WebhookDeliveries::LastStatus))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(utc(WebhookDeliveries::CreatedAt))
                    .col(utc_null(WebhookDeliveries::DeliveredAt))
                    .foreign_key(&mut fk(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::EndpointId,
                        WebhookEndpoints::Table,
                        WebhookEndpoints::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .check(one_of(
                        "ck_webhook_deliveries_status",
                        WebhookDeliveries::Status,
                        &["pending", "delivered", "failed"],
                    ))
                    .to_owned(),
            )
            .await?;
        // The worker's queue (due pending deliveries), and each endpoint's log, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_webhook_deliveries_org_endpoint",
                WebhookDeliveries::Table,
                &["endpoint_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await
    }
}
