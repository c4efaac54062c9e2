//! API keys. Scoped by a `Tenant`, except [`by_prefix`]: finding the key a request presents is
//! how its tenant is established.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::entities::text::Text;
use crate::entities::{api_keys, users};
use crate::tenant::Tenant;
use domain::api_key::{ApiKeyDraft, KEY_PREFIX};
use domain::ids::{ApiKeyId, UserId};
use wire::api_keys::ApiKeyRow;

/// How stale `last_used_at` may get: a busy key writes it at most once a minute.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

pub struct NewKey<'a> {
    pub draft: &'a ApiKeyDraft,
    pub prefix: &'a str,
    pub secret_digest: &'a str,
    pub created_by: Option<UserId>,
    pub at: DateTime<Utc>,
}

pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    key: NewKey<'_>,
) -> Result<api_keys::Model, DbErr> {
    api_keys::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        name: Set(key.draft.name.clone()),
        scope: Set(Text(key.draft.scope)),
        prefix: Set(key.prefix.to_owned()),
        secret_digest: Set(key.secret_digest.to_owned()),
        created_by: Set(key.created_by.map(|u| u.0)),
        created_at: Set(key.at),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub fn row(model: api_keys::Model, created_by: Option<String>) -> Result<ApiKeyRow, DbErr> {
    Ok(ApiKeyRow {
        id: ApiKeyId(model.id),
        name: model.name,
        scope: model.scope.0,
        starts_with: format!("{KEY_PREFIX}{}_", model.prefix),
        created_at: model.created_at,
        created_by,
        last_used_at: model.last_used_at,
        revoked_at: model.revoked_at,
    })
}

/// The organization's keys, live ones first, newest first, with their creators' names.
pub async fn list(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<Vec<ApiKeyRow>, DbErr> {
    let keys = api_keys::Entity::find()
        .filter(api_keys::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_desc(api_keys::Column::Id)
        .all(db)
        .await?;
    let creators: Vec<i64> = keys.iter().filter_map(|k| k.created_by).collect();
    let names: std::collections::HashMap<i64, String> = users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::Id.is_in(creators))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut rows = keys
        .into_iter()
        .map(|k| {
            let by = k.created_by.and_then(|id| names.get(&id).cloned());
            row(k, by)
        })
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by_key(|r| r.revoked_at.is_some());
    Ok(rows)
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: ApiKeyId,
) -> Result<Option<api_keys::Model>, DbErr> {
    api_keys::Entity::find_by_id(id.0)
        .filter(api_keys::Column::OrganizationId.eq(tenant.organization_id().0))
        .one(db)
        .await
}

/// Revokes a live key; false when it was revoked already (or is not the tenant's).
pub async fn revoke(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: ApiKeyId,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = api_keys::Entity::update_many()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(at))
        .filter(api_keys::Column::Id.eq(id.0))
        .filter(api_keys::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The key with this public prefix, live or revoked, in whichever organization.
pub async fn by_prefix(
    db: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Option<api_keys::Model>, DbErr> {
    api_keys::Entity::find()
        .filter(api_keys::Column::Prefix.eq(prefix))
        .one(db)
        .await
}

/// Records a use of the key, unless one was recorded within the last minute.
pub async fn mark_used(db: &impl ConnectionTrait, id: i64, at: DateTime<Utc>) -> Result<(), DbErr> {
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::LastUsedAt, Expr::value(at))
        .filter(api_keys::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(api_keys::Column::LastUsedAt.is_null())
                .add(api_keys::Column::LastUsedAt.lt(at - LAST_USED_RESOLUTION)),
        )
        .exec(db)
        .await?;
    Ok(())
}
