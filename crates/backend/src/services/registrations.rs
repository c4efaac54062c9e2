//! Deal registration use cases: a partner registers (checked for channel conflicts), managers
//! list and decide (approval creates the deal with the partner's registration touch, in one
//! transaction), registrations whose protection ran out expire, and administrators set the
//! window. Every change is audited.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use crate::audit::{self, Actor, Entry};
use crate::caller::Caller;
use crate::entities::deal_registrations as registrations;
use crate::entities::text::Text;
use crate::repo;
use crate::repo::monthly_stats::Tracker;
use crate::repo::registrations::{Decision, NewRegistration};
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::deal::DealDraft;
use domain::ids::{DealId, OrganizationId, PartnerId, RegistrationId};
use domain::money::Money;
use domain::registration::{
    self, RegistrationForm, RegistrationStatus, conflicts, protected_until, runs_out,
};
use domain::touchpoint::{TouchpointDraft, TouchpointKind};
use wire::AppError;
use wire::registrations::{
    DecisionForm, REGISTRATION_PAGE_SIZE, RegistrationPage, RegistrationRow,
};

fn not_found() -> AppError {
    AppError::NotFound("the registration".into())
}

/// Staff with the deals permission, or a partner user through the portal (fenced to its own).
fn allow_read(caller: &Caller) -> Result<(), AppError> {
    match caller.require(Action::View, Resource::Deals) {
        Err(AppError::Forbidden) => {
            caller.require(Action::View, Resource::Portal)?;
            caller.tenant.partner_id().ok_or(AppError::Forbidden)?;
            Ok(())
        }
        other => other,
    }
}

fn snapshot(model: &registrations::Model) -> serde_json::Value {
    json!({
        "partner_id": model.partner_id,
        "account_name": model.account_name,
        "contact_name": model.contact_name,
        "contact_email": model.contact_email,
        "estimated_amount_minor": model.estimated_amount_minor,
        "currency": model.currency,
        "expected_close_on": model.expected_close_on,
        "status": model.status,
        "conflict": model.conflict,
        "rejected_reason": model.rejected_reason,
        "deal_id": model.deal_id,
        "protected_until": model.protected_until,
    })
}

async fn audit_registration(
    caller: &Caller,
    db: &impl ConnectionTrait,
    action: AuditAction,
    before: Option<&registrations::Model>,
    after: &registrations::Model,
) -> Result<(), AppError> {
    audit::by_caller(
        caller,
        db,
        Entry {
            action,
            entity_type: "registration",
            entity_id: Some(after.id),
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await?;
    Ok(())
}

/// A row as the caller may see it: a partner user learns that its registration was flagged,
/// never what it collided with (that may be another partner's claim).
fn row(
    caller: &Caller,
    model: registrations::Model,
    partner_name: String,
) -> Result<RegistrationRow, AppError> {
    let currency = model.currency.0;
    let conflicts: Vec<String> = match caller.tenant.partner_id() {
        Some(_) => Vec::new(),
        None => model
            .conflict
            .as_deref()
            .map(|c| c.lines().map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    Ok(RegistrationRow {
        id: RegistrationId(model.id),
        partner_id: PartnerId(model.partner_id),
        partner_name,
        status: model.status.0,
        flagged: model.conflict.is_some(),
        conflicts,
        account_name: model.account_name,
        contact_name: model.contact_name,
        contact_email: model.contact_email,
        estimated: Money::from_minor(model.estimated_amount_minor, currency),
        expected_close_on: model.expected_close_on,
        notes: model.notes,
        registered_at: model.created_at,
        decided_at: model.decided_at,
        rejected_reason: model.rejected_reason,
        deal_id: model.deal_id.map(DealId),
        protected_until: model.protected_until,
    })
}

/// Expires what ran out of protection (an approved registration whose deal was not won in the
/// window; a pending one never decided within it). Runs before reads and new registrations, so
/// lists and conflict checks never show a protection that has ended.
async fn expire_due(caller: &Caller) -> Result<(), AppError> {
    expire_in(caller.db(), caller.tenant.organization_id()).await
}

/// The periodic sweep: expires what ran out in every organization with an open registration,
/// so a protection ends (audited, webhooks sent) even when nobody reads the list.
pub async fn expire_everywhere(db: &DatabaseConnection) -> Result<(), AppError> {
    for organization in repo::registrations::organizations_with_open(db).await? {
        expire_in(db, organization).await?;
    }
    Ok(())
}

async fn expire_in(db: &DatabaseConnection, organization: OrganizationId) -> Result<(), AppError> {
    let window = repo::organizations::header(db, organization)
        .await?
        .registration_window_days;
    let today = Utc::now().date_naive();
    // The sweep is the company's, whoever's request triggers it.
    let company = crate::tenant::Tenant::system(organization);
    let due = repo::registrations::running_out(&company, db, today, window).await?;
    if due.is_empty() {
        return Ok(());
    }
    let txn = crate::repo::begin_write(db).await?;
    for (model, stage) in due {
        let status = model.status.0;
        let until = match model.protected_until {
            Some(until) => until,
            None => registration::protected_until(model.created_at.date_naive(), window),
        };
        let won = stage.as_deref() == Some("won");
        if !runs_out(status, until, won, today) {
            continue;
        }
        status.transition(RegistrationStatus::Expired)?;
        let id = RegistrationId(model.id);
        if repo::registrations::expire(&company, &txn, id, status).await? {
            let mut after = model.clone();
            after.status = Text(RegistrationStatus::Expired);
            audit::record(
                &company,
                &txn,
                Actor::Named {
                    user_id: None,
                    label: "Protection window".into(),
                },
                Entry {
                    action: AuditAction::RegistrationExpired,
                    entity_type: "registration",
                    entity_id: Some(model.id),
                    before: Some(snapshot(&model)),
                    after: Some(snapshot(&after)),
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

pub async fn list(
    caller: &Caller,
    status: Option<RegistrationStatus>,
    partner: Option<PartnerId>,
    page: u64,
) -> Result<RegistrationPage, AppError> {
    allow_read(caller)?;
    expire_due(caller).await?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let (models, total) =
        repo::registrations::page(tenant, db, status, partner, page, REGISTRATION_PAGE_SIZE)
            .await?;
    let ids: Vec<i64> = models.iter().map(|m| m.partner_id).collect();
    let names: HashMap<i64, String> = repo::deals::names_of(tenant, db, &ids).await?;
    let rows = models
        .into_iter()
        .map(|m| {
            let name = names.get(&m.partner_id).cloned().unwrap_or_default();
            row(caller, m, name)
        })
        .collect::<Result<_, _>>()?;
    Ok(RegistrationPage {
        rows,
        total,
        page,
        page_size: REGISTRATION_PAGE_SIZE,
        counts: repo::registrations::counts(tenant, db).await?,
        window_days: repo::organizations::header(db, tenant.organization_id())
            .await?
            .registration_window_days,
        can_decide: caller.can(Action::Approve, Resource::Deals),
    })
}

pub async fn register(
    caller: &Caller,
    mut form: RegistrationForm,
) -> Result<RegistrationRow, AppError> {
    caller.require(Action::Edit, Resource::Portal)?;
    let partner = caller.tenant.partner_id().ok_or(AppError::Forbidden)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    if form.currency.trim().is_empty() {
        form.currency = repo::organizations::header(db, tenant.organization_id())
            .await?
            .base_currency
            .to_string();
    }
    let today = Utc::now().date_naive();
    let draft = form.validate(today).map_err(AppError::invalid_fields)?;
    expire_due(caller).await?;
    let claims = repo::registrations::claims(tenant, db, &draft.account_name).await?;
    let found = conflicts(partner, &draft.account_name, &claims, today);
    let txn = crate::repo::begin_write(db).await?;
    let model = repo::registrations::insert(
        tenant,
        &txn,
        &NewRegistration {
            partner,
            by: caller.user.id,
            draft: &draft,
            conflict: (!found.is_empty()).then(|| found.join("\n")),
            at: Utc::now(),
        },
    )
    .await?;
    audit_registration(caller, &txn, AuditAction::RegistrationCreated, None, &model).await?;
    txn.commit().await?;
    let name = caller.user.partner_name.clone().unwrap_or_default();
    row(caller, model, name)
}

/// The reason a rejection gives the partner: required, at most 500 characters.
fn reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        Err(AppError::invalid_field(
            "form.reason",
            "Say why, for the partner (for example: the account is already in our pipeline).",
        ))
    } else if text.chars().count() > 500 {
        Err(AppError::invalid_field(
            "form.reason",
            "Use at most 500 characters.",
        ))
    } else {
        Ok(text.to_owned())
    }
}

pub async fn decide(
    caller: &Caller,
    id: RegistrationId,
    form: DecisionForm,
) -> Result<RegistrationRow, AppError> {
    caller.require(Action::Approve, Resource::Deals)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let approve = match form.verb.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::invalid_field(
                "form.verb",
                "Choose approve or reject.",
            ));
        }
    };
    let rejection = if approve {
        None
    } else {
        Some(reason(&form.reason)?)
    };
    let now = Utc::now();
    let today = now.date_naive();
    let window = repo::organizations::header(db, tenant.organization_id())
        .await?
        .registration_window_days;
    let txn = crate::repo::begin_write(db).await?;
    let before = repo::registrations::get(tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let to = if approve {
        RegistrationStatus::Approved
    } else {
        RegistrationStatus::Rejected
    };
    before.status.0.transition(to)?;
    let partner = PartnerId(before.partner_id);
    let partner_name = repo::deals::names_of(tenant, &txn, &[partner.0])
        .await?
        .remove(&partner.0)
        .unwrap_or_default();
    let decision = match &rejection {
        Some(reason) => Decision::Reject { reason },
        None => {
            let deal = open_deal(caller, &txn, &before).await?;
            Decision::Approve {
                deal,
                protected_until: protected_until(today, window),
            }
        }
    };
    if !repo::registrations::decide(tenant, &txn, id, decision, caller.user.id, now).await? {
        // Someone decided first; the transaction (and any deal it created) is dropped.
        return Err(AppError::Conflict(
            "This registration was decided meanwhile: reload to see how.".into(),
        ));
    }
    let after = repo::registrations::get(tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let action = if approve {
        AuditAction::RegistrationApproved
    } else {
        AuditAction::RegistrationRejected
    };
    audit_registration(caller, &txn, action, Some(&before), &after).await?;
    tell_partner(caller, &txn, &after).await?;
    txn.commit().await?;
    row(caller, after, partner_name)
}

/// Tells the partner user who registered how it was decided (a message in the outbox, which a
/// mail server would send), with a link to its registrations.
async fn tell_partner(
    caller: &Caller,
    db: &impl ConnectionTrait,
    registration: &registrations::Model,
) -> Result<(), AppError> {
    let Some(user) = registration.registered_by else {
        return Ok(());
    };
    let Some(user) = repo::users::get(&caller.tenant, db, domain::ids::UserId(user)).await? else {
        return Ok(());
    };
    if !user.active {
        return Ok(());
    }
    let recipient: domain::user::Email = user.email.parse().map_err(AppError::internal)?;
    let account = &registration.account_name;
    let (subject, body) = match (&registration.rejected_reason, registration.protected_until) {
        (Some(reason), _) => (
            format!("Your deal registration for {account} was not approved"),
            format!(
                "Hello {},\n\nYour registration of {account} was not approved: {reason}",
                user.name
            ),
        ),
        (None, until) => (
            format!("Your deal registration for {account} was approved"),
            format!(
                "Hello {},\n\nYour registration of {account} was approved: the deal is credited to you{}.",
                user.name,
                until
                    .map(|d| format!(" and the account is protected for you until {d}"))
                    .unwrap_or_default()
            ),
        ),
    };
    repo::accounts::insert_message(
        &caller.tenant,
        db,
        repo::accounts::NewMessage {
            token_id: None,
            recipient: &recipient,
            subject,
            body,
            link: Some(format!("{}/portal/registrations", caller.backend.site_url)),
        },
    )
    .await?;
    Ok(())
}

/// The deal an approval creates: open, the registration's account, estimate and close, credited
/// to the partner with a registration touch dated when it registered.
async fn open_deal(
    caller: &Caller,
    db: &impl ConnectionTrait,
    registration: &registrations::Model,
) -> Result<DealId, AppError> {
    let tenant = &caller.tenant;
    let currency = registration.currency.0;
    let draft = DealDraft {
        // No partner's name in it: other partners may come to touch the deal and see its name.
        name: format!(
            "{} (deal registration #{})",
            registration.account_name, registration.id
        ),
        account_name: registration.account_name.clone(),
        amount: Money::from_minor(registration.estimated_amount_minor, currency),
        expected_close_on: Some(registration.expected_close_on),
    };
    let deal = repo::deals::insert(tenant, db, &draft, Some(caller.user.id), None).await?;
    let id = DealId(deal.id);
    let totals = Tracker::new_deal(id);
    let touch = TouchpointDraft {
        partner: PartnerId(registration.partner_id),
        kind: TouchpointKind::DealRegistration,
        occurred_at: registration.created_at,
        note: Some(match &registration.notes {
            Some(notes) => format!("Deal registration #{}: {notes}", registration.id),
            None => format!("Deal registration #{}", registration.id),
        }),
    };
    let saved =
        repo::deals::insert_touchpoint(tenant, db, id, &touch, Some(caller.user.id), None).await?;
    for entry in [
        Entry {
            action: AuditAction::DealCreated,
            entity_type: "deal",
            entity_id: Some(deal.id),
            before: None,
            after: Some(json!({
                "name": deal.name,
                "account_name": deal.account_name,
                "amount_minor": deal.amount_minor,
                "currency": deal.currency,
                "stage": deal.stage,
                "expected_close_on": deal.expected_close_on,
                "registration_id": registration.id,
            })),
        },
        Entry {
            action: AuditAction::TouchpointCreated,
            entity_type: "touchpoint",
            entity_id: Some(saved.id),
            before: None,
            after: Some(json!({
                "deal_id": deal.id,
                "partner_id": touch.partner.0,
                "kind": touch.kind.as_str(),
                "occurred_at": touch.occurred_at,
                "note": touch.note,
            })),
        },
    ] {
        audit::by_caller(caller, db, entry).await?;
    }
    totals.finish(tenant, db).await?;
    Ok(id)
}

pub async fn set_window(caller: &Caller, days: String) -> Result<u32, AppError> {
    caller.require(Action::Edit, Resource::Settings)?;
    let days = registration::window_days(&days).map_err(|e| AppError::invalid_field("days", e))?;
    let org = caller.tenant.organization_id();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let before = repo::organizations::header(&txn, org)
        .await?
        .registration_window_days;
    if before != days {
        repo::organizations::set_registration_window(&txn, org, days).await?;
        audit::by_caller(
            caller,
            &txn,
            Entry {
                action: AuditAction::RegistrationSettingsUpdated,
                entity_type: "organization",
                entity_id: Some(org.0),
                before: Some(json!({ "window_days": before })),
                after: Some(json!({ "window_days": days })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(days)
}
