//! Accounts: one-time links (invitations and password resets), the outbox that stands in for a
//! mail server, and the owner of each session (so a password reset or a deactivation can end
//! every session of that user).
//!
//! Only a hash of each one-time token is stored; the link itself exists only in the outbox
//! message, which is what an email would have carried.

use crate::schema_helpers::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLES: &[&str] = &[
    "admin",
    "partner_manager",
    "finance",
    "executive",
    "partner",
];
const PURPOSES: &[&str] = &["invitation", "password_reset"];

#[derive(DeriveIden, Clone, Copy)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Partners {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuthTokens {
    Table,
    Id,
    OrganizationId,
    Purpose,
    TokenHash,
    Email,
    Role,
    PartnerId,
    UserId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OutboxMessages {
    Table,
    Id,
    OrganizationId,
    AuthTokenId,
    Recipient,
    Subject,
    Body,
    Link,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthTokens::Table)
                    .col(id(AuthTokens::Id))
                    .col(big_integer(AuthTokens::OrganizationId))
                    .col(string(AuthTokens::Purpose))
                    .col(string_uniq(AuthTokens::TokenHash))
                    .col(string(AuthTokens::Email))
                    .col(string_null(AuthTokens::Role))
                    .col(big_integer_null(AuthTokens::PartnerId))
                    .col(big_integer_null(AuthTokens::UserId))
                    .col(big_integer_null(AuthTokens::CreatedBy))
                    .col(utc(AuthTokens::CreatedAt))
                    .col(utc(AuthTokens::ExpiresAt))
                    .col(utc_null(AuthTokens::UsedAt))
                    .foreign_key(&mut fk(
                        AuthTokens::Table,
                        AuthTokens::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        AuthTokens::Table,
                        AuthTokens::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        AuthTokens::Table,
                        AuthTokens::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        AuthTokens::Table,
                        AuthTokens::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_auth_tokens_purpose",
                        AuthTokens::Purpose,
                        PURPOSES,
                    ))
                    // An invitation names the role (and, for partner users, the partner); a
                    // password reset names the user whose password it resets.
                    .check((
                        "ck_auth_tokens_shape",
                        Expr::col(AuthTokens::Purpose)
                            .eq("invitation")
                            .and(Expr::col(AuthTokens::Role).is_in(ROLES.iter().copied()))
                            .and(Expr::col(AuthTokens::UserId).is_null())
                            .and(
                                Expr::col(AuthTokens::Role)
                                    .eq("partner")
                                    .and(Expr::col(AuthTokens::PartnerId).is_not_null())
                                    .or(Expr::col(AuthTokens::Role)
                                        .ne("partner")
                                        .and(Expr::col(AuthTokens::PartnerId).is_null())),
                            )
                            .or(Expr::col(AuthTokens::Purpose)
                                .eq("password_reset")
                                .and(Expr::col(AuthTokens::UserId).is_not_null())
                                .and(Expr::col(AuthTokens::Role).is_null())),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_auth_tokens_org_created",
                AuthTokens::Table,
                &["created_at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(id(OutboxMessages::Id))
                    .col(big_integer(OutboxMessages::OrganizationId))
                    .col(big_integer_null(OutboxMessages::AuthTokenId))
                    .col(string(OutboxMessages::Recipient))
                    .col(string(OutboxMessages::Subject))
                    .col(text(OutboxMessages::Body))
                    .col(text_null(OutboxMessages::Link))
                    .col(utc(OutboxMessages::CreatedAt))
                    .foreign_key(&mut fk(
                        OutboxMessages::Table,
                        OutboxMessages::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        OutboxMessages::Table,
                        OutboxMessages::AuthTokenId,
                        AuthTokens::Table,
                        AuthTokens::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_outbox_org_created",
                OutboxMessages::Table,
                &["created_at"],
                false,
            ))
            .await?;

        // Sessions name their user so that every session of one user can be ended at once.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(big_integer_null(Sessions::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        for table in [
            OutboxMessages::Table.into_iden(),
            AuthTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
