//! Administering the organization's users: invitations, roles, deactivation, the outbox.

use crate::entities::text::Text;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

use crate::audit::{self, Entry};
use crate::auth::{session_store, tokens};
use crate::caller::Caller;
use crate::entities::users;
use crate::repo;
use crate::repo::accounts::{self as links, NewMessage, NewToken, Purpose};
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::ids::{PartnerId, UserId};
use domain::user::{Email, Role};
use wire::AppError;
use wire::users::{Invitation, OutboxMessage, PartnerOption, UserRow};

const OUTBOX_SHOWN: u64 = 200;

pub async fn list(caller: &Caller) -> Result<Vec<UserRow>, AppError> {
    caller.require(Action::View, Resource::Users)?;
    Ok(repo::users::list(&caller.tenant, caller.db(), caller.user.id).await?)
}

pub async fn partner_options(caller: &Caller) -> Result<Vec<PartnerOption>, AppError> {
    caller.require(Action::Edit, Resource::Users)?;
    Ok(repo::users::partner_options(&caller.tenant, caller.db()).await?)
}

pub async fn outbox(caller: &Caller) -> Result<Vec<OutboxMessage>, AppError> {
    caller.require(Action::View, Resource::Users)?;
    Ok(repo::accounts::outbox(&caller.tenant, caller.db(), OUTBOX_SHOWN, Utc::now()).await?)
}

pub async fn invite(
    caller: &Caller,
    email: &str,
    role: &str,
    partner_id: Option<&str>,
) -> Result<Invitation, AppError> {
    caller.require(Action::Edit, Resource::Users)?;
    send_invitation(caller, email, role, partner_id).await
}

/// Invites `email` to the caller's organization as `role` (for a partner user, of the partner
/// named): a one-time link in the outbox, audited. The caller's permission is checked before.
pub(crate) async fn send_invitation(
    caller: &Caller,
    email: &str,
    role: &str,
    partner_id: Option<&str>,
) -> Result<Invitation, AppError> {
    let email: Email = email
        .parse()
        .map_err(|e: String| AppError::invalid_field("email", e))?;
    let role: Role = role
        .parse()
        .map_err(|e: domain::DomainError| AppError::invalid_field("role", e.to_string()))?;
    let partner = partner_id.map(str::trim).filter(|p| !p.is_empty());
    let (partner_id, partner_name) = match (role, partner) {
        (Role::Partner, None) => {
            return Err(AppError::invalid_field(
                "partner_id",
                "Choose the partner this user works for.",
            ));
        }
        (Role::Partner, Some(id)) => {
            let id: PartnerId = id
                .parse()
                .map_err(|_| AppError::invalid_field("partner_id", "Choose a partner."))?;
            let name = repo::users::partner_name(&caller.tenant, caller.db(), id)
                .await?
                .ok_or_else(|| AppError::invalid_field("partner_id", "Choose a partner."))?;
            (Some(id), Some(name))
        }
        (_, _) => (None, None),
    };
    if repo::users::by_email(caller.db(), &email).await?.is_some() {
        return Err(AppError::invalid_field(
            "email",
            "Someone with this email already has an account.",
        ));
    }
    let token = tokens::generate();
    let path = format!("/invitation/{token}");
    let link = format!("{}{path}", caller.backend.site_url);
    let expires_at = Utc::now() + Duration::days(caller.backend.auth.invitation_days);
    let txn = crate::repo::begin_write(caller.db()).await?;
    let token_id = links::insert_token(
        &caller.tenant,
        &txn,
        NewToken {
            purpose: Purpose::Invitation,
            digest: tokens::digest(&token),
            email: &email,
            role: Some(role),
            partner_id,
            user_id: None,
            created_by: Some(caller.user.id),
            expires_at,
        },
    )
    .await?;
    let joining = match &partner_name {
        Some(partner) => format!("as a member of {partner}"),
        None => format!("as {}", role.title().to_lowercase()),
    };
    links::insert_message(
        &caller.tenant,
        &txn,
        NewMessage {
            token_id: Some(token_id),
            recipient: &email,
            subject: format!(
                "{} invited you to {} on Partner Attribution",
                caller.user.name, caller.user.organization_name
            ),
            body: format!(
                "Hello,\n\n{} invited you to join {} {joining}. Open the link below to choose \
                 your password. It works once and expires in {} days.",
                caller.user.name,
                caller.user.organization_name,
                caller.backend.auth.invitation_days
            ),
            link: Some(link.clone()),
        },
    )
    .await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::UserInvited,
            entity_type: "invitation",
            entity_id: Some(token_id),
            before: None,
            after: Some(json!({
                "email": email.as_str(),
                "role": role.as_str(),
                "partner_id": partner_id,
                "expires_at": expires_at,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Invitation {
        email: email.to_string(),
        role,
        link,
        expires_at,
    })
}

/// A user of the caller's organization other than the caller.
async fn other_user(caller: &Caller, id: UserId, doing: &str) -> Result<users::Model, AppError> {
    if id == caller.user.id {
        return Err(AppError::Conflict(format!("You cannot {doing} yourself.")));
    }
    repo::users::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("the user".into()))
}

pub async fn change_role(caller: &Caller, id: UserId, role: &str) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Users)?;
    let role: Role = role
        .parse()
        .map_err(|e: domain::DomainError| AppError::invalid_field("role", e.to_string()))?;
    let user = other_user(caller, id, "change the role of").await?;
    let before: Role = user.role.0;
    if before == role {
        return Ok(());
    }
    if (before == Role::Partner) != (role == Role::Partner) {
        return Err(AppError::invalid_field(
            "role",
            "Partner users belong to a partner: invite a new user instead of changing a role to \
             or from partner.",
        ));
    }
    let txn = crate::repo::begin_write(caller.db()).await?;
    users::ActiveModel {
        id: Set(user.id),
        role: Set(Text(role)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::UserRoleChanged,
            entity_type: "user",
            entity_id: Some(user.id),
            before: Some(json!({ "role": before.as_str() })),
            after: Some(json!({ "role": role.as_str() })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_active(caller: &Caller, id: UserId, active: bool) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Users)?;
    let user = other_user(caller, id, if active { "reactivate" } else { "deactivate" }).await?;
    if user.active == active {
        return Ok(());
    }
    let txn = crate::repo::begin_write(caller.db()).await?;
    users::ActiveModel {
        id: Set(user.id),
        active: Set(active),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let ended = if active {
        0
    } else {
        session_store::delete_user_sessions(&txn, user.id).await?
    };
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: if active {
                AuditAction::UserReactivated
            } else {
                AuditAction::UserDeactivated
            },
            entity_type: "user",
            entity_id: Some(user.id),
            before: Some(json!({ "active": user.active })),
            after: Some(json!({ "active": active, "sessions_ended": ended })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
