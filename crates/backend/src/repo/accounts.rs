//! One-time tokens (invitations, password resets) and the outbox that carries their links.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entities::{auth_tokens, outbox_messages};
use crate::tenant::Tenant;
use domain::ids::{PartnerId, UserId};
use domain::user::{Email, Role};
use wire::users::{LinkState, OutboxMessage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

pub struct NewToken<'a> {
    pub purpose: Purpose,
    pub digest: String,
    pub email: &'a Email,
    /// Invitations: the role granted and, for partner users, the partner.
    pub role: Option<Role>,
    pub partner_id: Option<PartnerId>,
    /// Password resets: whose password.
    pub user_id: Option<UserId>,
    pub created_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_token(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    token: NewToken<'_>,
) -> Result<i64, DbErr> {
    let row = auth_tokens::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        purpose: Set(token.purpose.as_str().to_owned()),
        token_hash: Set(token.digest),
        email: Set(token.email.as_str().to_owned()),
        role: Set(token.role.map(|r| r.as_str().to_owned())),
        partner_id: Set(token.partner_id.map(|p| p.0)),
        user_id: Set(token.user_id.map(|u| u.0)),
        created_by: Set(token.created_by.map(|u| u.0)),
        created_at: Set(Utc::now()),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The unused, unexpired token with this digest and purpose. This look-up establishes the
/// tenant (the token's organization), so it is the one query here not scoped by one.
pub async fn open_token(
    db: &impl ConnectionTrait,
    digest: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<auth_tokens::Model>, DbErr> {
    auth_tokens::Entity::find()
        .filter(auth_tokens::Column::TokenHash.eq(digest))
        .filter(auth_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .filter(auth_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Marks a token used, if it still is open: of two requests racing with the same link, exactly
/// one gets `true`.
pub async fn consume_token(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::UsedAt, Expr::value(now))
        .filter(auth_tokens::Column::Id.eq(id))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .filter(auth_tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub struct NewMessage<'a> {
    pub token_id: Option<i64>,
    pub recipient: &'a Email,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
}

pub async fn insert_message(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    message: NewMessage<'_>,
) -> Result<(), DbErr> {
    outbox_messages::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        auth_token_id: Set(message.token_id),
        recipient: Set(message.recipient.as_str().to_owned()),
        subject: Set(message.subject),
        body: Set(message.body),
        link: Set(message.link),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The organization's outbox, newest first, each link with its state.
pub async fn outbox(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<OutboxMessage>, DbErr> {
    let org = tenant.organization_id().0;
    let messages = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::OrganizationId.eq(org))
        .order_by_desc(outbox_messages::Column::CreatedAt)
        .order_by_desc(outbox_messages::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let token_ids: Vec<i64> = messages.iter().filter_map(|m| m.auth_token_id).collect();
    let tokens: std::collections::HashMap<i64, auth_tokens::Model> = auth_tokens::Entity::find()
        .filter(auth_tokens::Column::OrganizationId.eq(org))
        .filter(auth_tokens::Column::Id.is_in(token_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(messages
        .into_iter()
        .map(|m| {
            let token = m.auth_token_id.and_then(|id| tokens.get(&id));
            OutboxMessage {
                recipient: m.recipient,
                subject: m.subject,
                body: m.body,
                link: m.link,
                link_state: token.map(|t| match t.used_at {
                    Some(_) => LinkState::Used,
                    None if t.expires_at <= now => LinkState::Expired,
                    None => LinkState::Open,
                }),
                expires_at: token.map(|t| t.expires_at),
                created_at: m.created_at,
            }
        })
        .collect())
}

/// The partner's invitations still waiting to be accepted: (email, expires at), newest first.
pub async fn open_invitations_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
    now: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, DbErr> {
    auth_tokens::Entity::find()
        .select_only()
        .column(auth_tokens::Column::Email)
        .column(auth_tokens::Column::ExpiresAt)
        .filter(auth_tokens::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(auth_tokens::Column::Purpose.eq(Purpose::Invitation.as_str()))
        .filter(auth_tokens::Column::PartnerId.eq(partner.0))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .filter(auth_tokens::Column::ExpiresAt.gt(now))
        .order_by_desc(auth_tokens::Column::Id)
        .into_tuple()
        .all(db)
        .await
}
