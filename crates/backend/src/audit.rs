//! The audit trail: who did what to which record, with the state before and after, and the
//! request it happened in. Written in the same transaction as the change it records, with the
//! webhook messages the change raises (`webhooks::enqueue`).

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde_json::Value;

use crate::entities::audit_events;
use crate::tenant::Tenant;
use domain::audit::AuditAction;
use domain::ids::UserId;
use wire::auth::SessionUser;

/// Who acted: a signed-in user, or someone identified only by what they typed (a failed
/// sign-in, a person accepting an invitation) or by a system process.
pub enum Actor<'a> {
    User(&'a SessionUser),
    Named {
        user_id: Option<UserId>,
        label: String,
    },
}

pub struct Entry<'a> {
    /// What happened (stored as `entity.verb`, for example `user.signed_in`).
    pub action: AuditAction,
    pub entity_type: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    entry: Entry<'_>,
) -> Result<(), DbErr> {
    let (actor_user_id, actor_label) = match actor {
        Actor::User(user) => (Some(user.id.0), user.email.clone()),
        Actor::Named { user_id, label } => (user_id.map(|u| u.0), label),
    };
    let request_id = request_id();
    crate::webhooks::enqueue(tenant, db, &[change_of(&entry)]).await?;
    audit_events::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        actor_user_id: Set(actor_user_id),
        actor_label: Set(actor_label),
        action: Set(entry.action.as_str().to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
        request_id: Set(request_id),
        at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn change_of<'a>(entry: &'a Entry<'a>) -> crate::webhooks::Change<'a> {
    crate::webhooks::Change {
        action: entry.action,
        entity_type: entry.entity_type,
        entity_id: entry.entity_id,
        after: entry.after.as_ref(),
    }
}

/// An entry by the signed-in caller of a server function.
pub async fn by_caller(
    caller: &crate::caller::Caller,
    db: &impl ConnectionTrait,
    entry: Entry<'_>,
) -> Result<(), DbErr> {
    record(&caller.tenant, db, actor_of(caller), entry).await
}

/// The caller as the audit trail names it: the user, or the API key (no user acted).
pub fn actor_of(caller: &crate::caller::Caller) -> Actor<'_> {
    match &caller.key {
        Some(key) => Actor::Named {
            user_id: None,
            label: key.label(),
        },
        None => Actor::User(&caller.user),
    }
}

/// Many entries by one actor at once (bulk actions): one statement per thousand rows.
pub async fn record_many(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    entries: Vec<Entry<'_>>,
) -> Result<(), DbErr> {
    use sea_orm::EntityTrait;
    let (actor_user_id, actor_label) = match actor {
        Actor::User(user) => (Some(user.id.0), user.email.clone()),
        Actor::Named { user_id, label } => (user_id.map(|u| u.0), label),
    };
    let request_id = request_id();
    let at = chrono::Utc::now();
    let changes: Vec<_> = entries.iter().map(change_of).collect();
    crate::webhooks::enqueue(tenant, db, &changes).await?;
    let rows: Vec<audit_events::ActiveModel> = entries
        .into_iter()
        .map(|entry| audit_events::ActiveModel {
            organization_id: Set(tenant.organization_id().0),
            actor_user_id: Set(actor_user_id),
            actor_label: Set(actor_label.clone()),
            action: Set(entry.action.as_str().to_owned()),
            entity_type: Set(entry.entity_type.to_owned()),
            entity_id: Set(entry.entity_id),
            before: Set(entry.before.map(|v| v.to_string())),
            after: Set(entry.after.map(|v| v.to_string())),
            request_id: Set(request_id.clone()),
            at: Set(at),
            ..Default::default()
        })
        .collect();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1_000).collect();
        audit_events::Entity::insert_many(chunk).exec(db).await?;
    }
    Ok(())
}

tokio::task_local! {
    /// The id of the request being served (`http::name_request` sets it for every request), so
    /// each entry says which request made the change; none for work outside a request.
    pub static REQUEST_ID: Option<String>;
}

fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}
