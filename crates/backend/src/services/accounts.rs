//! Signing up, in and out; accepting invitations; resetting passwords.

use crate::entities::text::Text;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::audit::{self, Actor, Entry};
use crate::auth::{password, session, session_store, tokens};
use crate::caller::Visitor;
use crate::entities::{organizations, users};
use crate::repo::accounts::{self as links, NewMessage, NewToken, Purpose};
use crate::repo::{self, users::NewUser};
use crate::state::Backend;
use crate::tenant::Tenant;
use domain::attribution::{AttributionModel, ModelSettings};
use domain::audit::AuditAction;
use domain::ids::{OrganizationId, PartnerId, UserId};
use domain::money::Currency;
use domain::registration::DEFAULT_WINDOW_DAYS;
use domain::user::{Email, Role};
use wire::AppError;
use wire::auth::{DemoLogin, DemoLogins, LinkDetails, SessionUser};
use wire::error::FieldError;

/// The one answer to a wrong email or a wrong password, so neither reveals which accounts exist.
pub const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

const USED_LINK: &str =
    "This link has already been used or has expired. Ask your administrator for a new one.";

/// Collects field errors so a form shows all of them at once.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn check<T, E: std::fmt::Display>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.to_string())).ok()
    }

    fn required(&mut self, field: &str, value: &str, what: &str, max: usize) -> Option<String> {
        domain::text::required(value, what, max)
            .map_err(|problem| self.add(field, problem))
            .ok()
    }

    fn password(&mut self, field: &str, password: &str, personal: &[&str]) {
        if let Some(problem) = password::weakness(password, personal) {
            self.add(field, problem);
        }
    }

    fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid {
                message: "Please correct the highlighted fields.".into(),
                fields: self.0,
            })
        }
    }
}

/// Counts an attempt against the visitor's address (sign-in, sign-up and link pages alike).
fn count_attempt(visitor: &Visitor) -> Result<(), AppError> {
    match visitor.ip {
        Some(ip) => visitor.backend.limits.attempt_from(ip),
        None => Ok(()),
    }
}

fn ip_label(visitor: &Visitor) -> String {
    visitor
        .ip
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

async fn signed_in_user(state: &Backend, id: UserId) -> Result<SessionUser, AppError> {
    repo::users::session_user(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal(format!("user {id} vanished while signing in")))
}

pub async fn sign_in(
    visitor: &Visitor,
    email: &str,
    password: &str,
    remember: bool,
) -> Result<SessionUser, AppError> {
    let state = &visitor.backend;
    count_attempt(visitor)?;
    let email: Email = email
        .parse()
        .map_err(|e: String| AppError::invalid_field("email", e))?;
    state.limits.check_account(email.as_str())?;
    let row = repo::users::by_email(&state.db, &email).await?;
    let stored = row
        .as_ref()
        .filter(|r| r.active)
        .map(|r| r.password_hash.clone());
    let matches = password::verify(password, stored).await?;
    let Some(row) = row.filter(|_| matches) else {
        state.limits.record_failure(email.as_str());
        let known = repo::users::by_email(&state.db, &email).await?;
        match known {
            Some(user) => {
                audit::record(
                    &Tenant::system(OrganizationId(user.organization_id)),
                    &state.db,
                    Actor::Named {
                        user_id: Some(UserId(user.id)),
                        label: email.to_string(),
                    },
                    Entry {
                        action: AuditAction::UserSignInFailed,
                        entity_type: "user",
                        entity_id: Some(user.id),
                        before: None,
                        after: Some(json!({ "ip": ip_label(visitor), "active": user.active })),
                    },
                )
                .await?
            }
            None => tracing::warn!(ip = %ip_label(visitor), "sign-in failed for an unknown email"),
        }
        return Err(AppError::invalid_field("password", WRONG_CREDENTIALS));
    };
    let user_id = UserId(row.id);
    session::begin(&visitor.session, user_id, remember, &state.auth).await?;
    let txn = crate::repo::begin_write(&state.db).await?;
    users::ActiveModel {
        id: Set(row.id),
        last_login_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(
        &Tenant::system(OrganizationId(row.organization_id)),
        &txn,
        Actor::Named {
            user_id: Some(user_id),
            label: row.email.clone(),
        },
        Entry {
            action: AuditAction::UserSignedIn,
            entity_type: "user",
            entity_id: Some(row.id),
            before: None,
            after: Some(json!({ "ip": ip_label(visitor), "remember": remember })),
        },
    )
    .await?;
    txn.commit().await?;
    signed_in_user(state, user_id).await
}

pub async fn sign_out(visitor: &Visitor) -> Result<(), AppError> {
    let state = &visitor.backend;
    if let Some(user) = &visitor.user {
        audit::record(
            &Tenant::of(user),
            &state.db,
            Actor::User(user),
            Entry {
                action: AuditAction::UserSignedOut,
                entity_type: "user",
                entity_id: Some(user.id.0),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    session::end(&visitor.session).await
}

pub struct SignUp {
    pub organization: String,
    pub currency: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// A URL-safe slug of the organization's name, made unique with a numeric suffix.
async fn free_slug(db: &impl sea_orm::ConnectionTrait, name: &str) -> Result<String, AppError> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let mut base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base.truncate(48);
    if base.is_empty() {
        base = "organization".into();
    }
    for n in 1u32.. {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let taken = organizations::Entity::find()
            .filter(organizations::Column::Slug.eq(&candidate))
            .count(db)
            .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    unreachable!("some slug is always free")
}

pub async fn sign_up(visitor: &Visitor, form: SignUp) -> Result<SessionUser, AppError> {
    let state = &visitor.backend;
    count_attempt(visitor)?;
    let mut fields = Fields::default();
    let organization = fields.required(
        "organization",
        &form.organization,
        "your organization's name",
        120,
    );
    let currency: Option<Currency> =
        fields.check("currency", form.currency.trim().to_uppercase().parse());
    let name = fields.required("name", &form.name, "your name", 120);
    let email: Option<Email> = fields.check("email", form.email.parse());
    fields.password(
        "password",
        &form.password,
        &[&form.email, &form.name, &form.organization],
    );
    if let Some(email) = &email
        && repo::users::by_email(&state.db, email).await?.is_some()
    {
        fields.add(
            "email",
            "An account with this email already exists. Sign in instead.",
        );
    }
    fields.finish()?;
    let (Some(organization), Some(currency), Some(name), Some(email)) =
        (organization, currency, name, email)
    else {
        unreachable!("field errors were reported above");
    };
    let password_hash = password::hash(&form.password).await?;

    let txn = crate::repo::begin_write(&state.db).await?;
    let org =
        organizations::ActiveModel {
            name: Set(organization.clone()),
            slug: Set(free_slug(&txn, &organization).await?),
            base_currency: Set(Text(currency)),
            payable_model: Set(Text(AttributionModel::EqualSplit)),
            settings: Set(
                serde_json::to_string(&ModelSettings::default()).map_err(AppError::internal)?
            ),
            created_at: Set(Utc::now()),
            payout_four_eyes: Set(false),
            registration_window_days: Set(DEFAULT_WINDOW_DAYS as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    let tenant = Tenant::system(OrganizationId(org.id));
    let user_id = repo::users::insert(
        &tenant,
        &txn,
        NewUser {
            email: &email,
            name: &name,
            password_hash,
            role: Role::Admin,
            partner_id: None,
        },
    )
    .await?;
    let actor = || Actor::Named {
        user_id: Some(user_id),
        label: email.to_string(),
    };
    audit::record(
        &tenant,
        &txn,
        actor(),
        Entry {
            action: AuditAction::OrganizationCreated,
            entity_type: "organization",
            entity_id: Some(org.id),
            before: None,
            after: Some(json!({ "name": organization, "base_currency": currency.to_string() })),
        },
    )
    .await?;
    audit::record(
        &tenant,
        &txn,
        actor(),
        Entry {
            action: AuditAction::UserCreated,
            entity_type: "user",
            entity_id: Some(user_id.0),
            before: None,
            after: Some(json!({ "email": email.as_str(), "name": name, "role": "admin" })),
        },
    )
    .await?;
    txn.commit().await?;
    session::begin(&visitor.session, user_id, false, &state.auth).await?;
    signed_in_user(state, user_id).await
}

pub async fn demo_logins(visitor: &Visitor) -> Result<Option<DemoLogins>, AppError> {
    let state = &visitor.backend;
    if !state.demo {
        return Ok(None);
    }
    let Some(org) = repo::organizations::default_organization(&state.db).await? else {
        return Ok(None);
    };
    let rows = repo::users::demo_logins(&Tenant::system(org), &state.db).await?;
    let logins = rows
        .into_iter()
        .map(|row| DemoLogin {
            role: row.role.0,
            email: row.email,
            name: row.name,
        })
        .collect();
    Ok(Some(DemoLogins {
        password: crate::demo::DEMO_PASSWORD.to_owned(),
        logins,
    }))
}

pub async fn request_password_reset(visitor: &Visitor, email: &str) -> Result<(), AppError> {
    let state = &visitor.backend;
    count_attempt(visitor)?;
    let email: Email = email
        .parse()
        .map_err(|e: String| AppError::invalid_field("email", e))?;
    let Some(user) = repo::users::by_email(&state.db, &email)
        .await?
        .filter(|u| u.active)
    else {
        tracing::info!("password reset requested for an email without an active account");
        return Ok(());
    };
    let tenant = Tenant::system(OrganizationId(user.organization_id));
    let token = tokens::generate();
    let expires_at = Utc::now() + Duration::hours(state.auth.reset_hours);
    let link = format!("{}/reset-password/{token}", state.site_url);
    let txn = crate::repo::begin_write(&state.db).await?;
    let token_id = links::insert_token(
        &tenant,
        &txn,
        NewToken {
            purpose: Purpose::PasswordReset,
            digest: tokens::digest(&token),
            email: &email,
            role: None,
            partner_id: None,
            user_id: Some(UserId(user.id)),
            created_by: None,
            expires_at,
        },
    )
    .await?;
    links::insert_message(
        &tenant,
        &txn,
        NewMessage {
            token_id: Some(token_id),
            recipient: &email,
            subject: "Reset your Partner Attribution password".into(),
            body: format!(
                "Hello {},\n\nSomeone asked to reset the password of your account. Open the link \
                 below to choose a new one. It works once and expires in {} hours. If it was not \
                 you, ignore this message: your password stays as it is.",
                user.name, state.auth.reset_hours
            ),
            link: Some(link),
        },
    )
    .await?;
    audit::record(
        &tenant,
        &txn,
        Actor::Named {
            user_id: Some(UserId(user.id)),
            label: email.to_string(),
        },
        Entry {
            action: AuditAction::UserPasswordResetRequested,
            entity_type: "user",
            entity_id: Some(user.id),
            before: None,
            after: Some(json!({ "ip": ip_label(visitor), "expires_at": expires_at })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn link_details(visitor: &Visitor, token: &str) -> Result<LinkDetails, AppError> {
    let state = &visitor.backend;
    let digest = tokens::digest(token);
    let now = Utc::now();
    let row = match links::open_token(&state.db, &digest, Purpose::Invitation, now).await? {
        Some(row) => row,
        None => links::open_token(&state.db, &digest, Purpose::PasswordReset, now)
            .await?
            .ok_or_else(|| AppError::Conflict(USED_LINK.into()))?,
    };
    let tenant = Tenant::system(OrganizationId(row.organization_id));
    let organization = repo::organizations::header(&state.db, tenant.organization_id()).await?;
    let partner_name = match row.partner_id {
        Some(id) => repo::users::partner_name(&tenant, &state.db, PartnerId(id)).await?,
        None => None,
    };
    Ok(LinkDetails {
        organization_name: organization.name,
        email: row.email,
        role: row.role.as_deref().and_then(|r| r.parse().ok()),
        partner_name,
    })
}

pub async fn accept_invitation(
    visitor: &Visitor,
    token: &str,
    name: &str,
    password: &str,
) -> Result<SessionUser, AppError> {
    let state = &visitor.backend;
    count_attempt(visitor)?;
    let now = Utc::now();
    let invitation = links::open_token(&state.db, &tokens::digest(token), Purpose::Invitation, now)
        .await?
        .ok_or_else(|| AppError::Conflict(USED_LINK.into()))?;
    let email: Email = invitation
        .email
        .parse()
        .map_err(|e: String| AppError::internal(format!("stored invitation email: {e}")))?;
    let role: Role = invitation
        .role
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(AppError::internal)?;
    let mut fields = Fields::default();
    let name = fields.required("name", name, "your name", 120);
    fields.password(
        "password",
        password,
        &[email.as_str(), name.as_deref().unwrap_or("")],
    );
    fields.finish()?;
    let name = name.unwrap_or_default();
    if repo::users::by_email(&state.db, &email).await?.is_some() {
        return Err(AppError::Conflict(
            "An account with this email already exists. Sign in instead.".into(),
        ));
    }
    let password_hash = password::hash(password).await?;
    let tenant = Tenant::system(OrganizationId(invitation.organization_id));
    let txn = crate::repo::begin_write(&state.db).await?;
    if !links::consume_token(&txn, invitation.id, now).await? {
        return Err(AppError::Conflict(USED_LINK.into()));
    }
    let user_id = repo::users::insert(
        &tenant,
        &txn,
        NewUser {
            email: &email,
            name: &name,
            password_hash,
            role,
            partner_id: invitation.partner_id.map(PartnerId),
        },
    )
    .await?;
    audit::record(
        &tenant,
        &txn,
        Actor::Named {
            user_id: Some(user_id),
            label: email.to_string(),
        },
        Entry {
            action: AuditAction::UserInvitationAccepted,
            entity_type: "user",
            entity_id: Some(user_id.0),
            before: None,
            after: Some(json!({
                "email": email.as_str(),
                "name": name,
                "role": role.as_str(),
                "partner_id": invitation.partner_id,
                "invited_by": invitation.created_by,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    session::begin(&visitor.session, user_id, false, &state.auth).await?;
    signed_in_user(state, user_id).await
}

pub async fn reset_password(
    visitor: &Visitor,
    token: &str,
    password: &str,
) -> Result<SessionUser, AppError> {
    let state = &visitor.backend;
    count_attempt(visitor)?;
    let now = Utc::now();
    let reset = links::open_token(
        &state.db,
        &tokens::digest(token),
        Purpose::PasswordReset,
        now,
    )
    .await?
    .ok_or_else(|| AppError::Conflict(USED_LINK.into()))?;
    let user_id = reset
        .user_id
        .map(UserId)
        .ok_or_else(|| AppError::internal("password reset without a user"))?;
    let tenant = Tenant::system(OrganizationId(reset.organization_id));
    let user = repo::users::get(&tenant, &state.db, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::Conflict(USED_LINK.into()))?;
    let mut fields = Fields::default();
    fields.password("password", password, &[&user.email, &user.name]);
    fields.finish()?;
    let password_hash = password::hash(password).await?;
    let txn = crate::repo::begin_write(&state.db).await?;
    if !links::consume_token(&txn, reset.id, now).await? {
        return Err(AppError::Conflict(USED_LINK.into()));
    }
    users::ActiveModel {
        id: Set(user.id),
        password_hash: Set(password_hash),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    // Whoever knew the old password is signed out everywhere.
    let ended = session_store::delete_user_sessions(&txn, user.id).await?;
    audit::record(
        &tenant,
        &txn,
        Actor::Named {
            user_id: Some(user_id),
            label: user.email.clone(),
        },
        Entry {
            action: AuditAction::UserPasswordReset,
            entity_type: "user",
            entity_id: Some(user.id),
            before: None,
            after: Some(json!({ "sessions_ended": ended, "ip": ip_label(visitor) })),
        },
    )
    .await?;
    txn.commit().await?;
    session::begin(&visitor.session, user_id, false, &state.auth).await?;
    signed_in_user(state, user_id).await
}
