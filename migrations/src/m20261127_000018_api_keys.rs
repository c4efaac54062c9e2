//! The REST API: keys per organization (only a digest of the secret is kept, looked up by a
//! public prefix), and an external id on partners and touchpoints, as deals already have, so a
//! CRM or a script can upsert them by its own id.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::schema_helpers::{fk, id, one_of, org_index, utc, utc_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum ApiKeys {
    Table,
    Id,
    OrganizationId,
    Name,
    /// read | write
    Scope,
    /// Public, unique across organizations: how a presented key is found.
    Prefix,
    /// SHA-256 of the whole key.
    SecretDigest,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
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
                    .table(ApiKeys::Table)
                    .col(id(ApiKeys::Id))
                    .col(big_integer(ApiKeys::OrganizationId))
                    .col(string_len(ApiKeys::Name, 100))
                    .col(string_len(ApiKeys::Scope, 16))
                    .col(string_len_uniq(ApiKeys::Prefix, 32))
                    .col(string_len(ApiKeys::SecretDigest, 64))
                    .col(big_integer_null(ApiKeys::CreatedBy))
                    .col(utc(ApiKeys::CreatedAt))
                    .col(utc_null(ApiKeys::LastUsedAt))
                    .col(utc_null(ApiKeys::RevokedAt))
                    .foreign_key(&mut fk(
                        ApiKeys::Table,
                        ApiKeys::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ApiKeys::Table,
                        ApiKeys::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_api_keys_scope",
                        ApiKeys::Scope,
                        &["read", "write"],
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index("ix_api_keys_org", ApiKeys::Table, &["id"], false))
            .await?;
        let db = manager.get_connection();
        for table in ["partners", "touchpoints"] {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD COLUMN external_id VARCHAR(255)"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX ux_{table}_org_external ON {table} (organization_id, external_id)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_helpers::fresh_schema(manager).await?;
        let db = manager.get_connection();
        for table in ["partners", "touchpoints"] {
            db.execute_unprepared(&format!("DROP INDEX ux_{table}_org_external"))
                .await?;
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN external_id"))
                .await?;
        }
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }
}
