//! API keys: the administrators' list, creating (the secret is returned once and only its digest
//! stored) and revoking, each audited; and turning a presented key into a `Caller`.

use chrono::Utc;
use rand::Rng;
use serde_json::json;

use crate::audit::{self, Actor, Entry};
use crate::auth::tokens;
use crate::caller::{Caller, KeyActor};
use crate::repo;
use crate::repo::api_keys::NewKey;
use crate::state::Backend;
use crate::tenant::Tenant;
use domain::access::{Action, Resource};
use domain::api_key::{self, ApiKeyDraft, ApiKeyForm, KEY_PREFIX, KeyScope};
use domain::audit::AuditAction;
use domain::ids::{ApiKeyId, OrganizationId, UserId};
use domain::user::Role;
use wire::AppError;
use wire::api_keys::{ApiKeyRow, CreatedApiKey};
use wire::auth::SessionUser;

const PREFIX_LEN: usize = 12;

pub async fn list(caller: &Caller) -> Result<Vec<ApiKeyRow>, AppError> {
    caller.require(Action::View, Resource::Settings)?;
    Ok(repo::api_keys::list(&caller.tenant, caller.db()).await?)
}

/// A fresh key: its public prefix and the whole value.
fn new_key() -> (String, String) {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let prefix: String = (0..PREFIX_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let whole = format!("{KEY_PREFIX}{prefix}_{}", tokens::generate());
    (prefix, whole)
}

pub async fn create(caller: &Caller, form: ApiKeyForm) -> Result<CreatedApiKey, AppError> {
    caller.require(Action::Edit, Resource::Settings)?;
    let draft = form.validate().map_err(AppError::invalid_fields)?;
    let creator = (caller.user_id(), caller.user.name.clone());
    issue(
        caller.db(),
        &caller.tenant,
        audit::actor_of(caller),
        creator,
        &draft,
    )
    .await
}

/// Makes a key for the tenant and audits it by `actor`; the secret is in the answer only.
/// `creator` is the user (if any) and the name the key list shows as its maker.
pub async fn issue(
    db: &sea_orm::DatabaseConnection,
    tenant: &Tenant,
    actor: Actor<'_>,
    creator: (Option<UserId>, String),
    draft: &ApiKeyDraft,
) -> Result<CreatedApiKey, AppError> {
    let (prefix, secret) = new_key();
    let txn = crate::repo::begin_write(db).await?;
    let saved = repo::api_keys::insert(
        tenant,
        &txn,
        NewKey {
            draft,
            prefix: &prefix,
            secret_digest: &tokens::digest(&secret),
            created_by: creator.0,
            at: Utc::now(),
        },
    )
    .await?;
    audit::record(
        tenant,
        &txn,
        actor,
        Entry {
            action: AuditAction::ApiKeyCreated,
            entity_type: "api_key",
            entity_id: Some(saved.id),
            before: None,
            after: Some(
                json!({ "name": saved.name, "scope": saved.scope, "prefix": saved.prefix }),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    let key = repo::api_keys::row(saved, Some(creator.1))?;
    Ok(CreatedApiKey { key, secret })
}

pub async fn revoke(caller: &Caller, id: ApiKeyId) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Settings)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let key = repo::api_keys::get(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the API key".into()))?;
    if !repo::api_keys::revoke(&caller.tenant, &txn, id, Utc::now()).await? {
        return Err(AppError::Conflict("This key was revoked already.".into()));
    }
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::ApiKeyRevoked,
            entity_type: "api_key",
            entity_id: Some(key.id),
            before: Some(json!({ "name": key.name, "revoked": false })),
            after: Some(json!({ "name": key.name, "revoked": true })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Why a presented key was refused. Deliberately vague towards the client.
pub const KEY_REFUSED: &str = "The API key is missing, malformed, unknown or revoked.";

/// The caller a presented key stands for: `Unauthorized` unless it is a live key whose secret
/// matches. Records the use (at most once a minute).
pub async fn caller_for_key(state: &Backend, presented: &str) -> Result<Caller, AppError> {
    let refused = || AppError::Unauthorized;
    let prefix = api_key::prefix_of(presented).ok_or_else(refused)?;
    let key = repo::api_keys::by_prefix(&state.db, prefix)
        .await?
        .ok_or_else(refused)?;
    // Digests of a 256-bit secret: comparing them leaks nothing about the secret.
    if key.revoked_at.is_some() || key.secret_digest != tokens::digest(presented) {
        return Err(refused());
    }
    repo::api_keys::mark_used(&state.db, key.id, Utc::now()).await?;
    let scope: KeyScope = key.scope.0;
    let actor = KeyActor {
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        scope,
    };
    let organization_id = OrganizationId(key.organization_id);
    // A stand-in user: `Caller::can` asks the key's scope, never this role, and
    // `Caller::user_id` keeps the id out of every row.
    let user = SessionUser {
        id: UserId(0),
        name: actor.label(),
        email: String::new(),
        role: Role::PartnerManager,
        organization_id,
        organization_name: String::new(),
        partner_id: None,
        partner_name: None,
    };
    Ok(Caller {
        backend: state.clone(),
        user,
        tenant: Tenant::system(organization_id),
        key: Some(actor),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_parse_back_to_their_prefix_and_differ() {
        let (prefix, whole) = new_key();
        assert_eq!(prefix.len(), PREFIX_LEN);
        assert_eq!(api_key::prefix_of(&whole), Some(prefix.as_str()));
        let (other, _) = new_key();
        assert_ne!(prefix, other);
    }
}
