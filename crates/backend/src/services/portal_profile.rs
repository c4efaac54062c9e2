//! The partner's profile in the portal: its facts and contacts, where it is paid (the account
//! only ever leaves the server masked), and its portal users. The partner's administrator edits
//! the contacts and payout details and invites colleagues; every change is audited (payout
//! accounts masked in the trail too).

use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::partners;
use crate::repo;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::ids::{PartnerId, UserId};
use domain::partner::ContactsForm;
use domain::payout_details::{PayoutDetailsForm, mask};
use wire::AppError;
use wire::portal::{ColleagueRow, PayoutDetailsView, PortalProfile};
use wire::users::Invitation;

/// The partner a portal user acts for: `Forbidden` for anyone else.
fn portal_partner(caller: &Caller, action: Action) -> Result<PartnerId, AppError> {
    caller.require(action, Resource::Portal)?;
    caller.tenant.partner_id().ok_or(AppError::Forbidden)
}

/// The caller's partner, if they administer it; other partner users may only read.
async fn admin_partner(caller: &Caller) -> Result<PartnerId, AppError> {
    let partner = portal_partner(caller, Action::Edit)?;
    let me = repo::users::get(&caller.tenant, caller.db(), caller.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !me.partner_admin {
        return Err(AppError::Forbidden);
    }
    Ok(partner)
}

async fn partner_of(caller: &Caller, partner: PartnerId) -> Result<partners::Model, AppError> {
    repo::partners::get(&caller.tenant, caller.db(), partner)
        .await?
        .ok_or_else(|| AppError::NotFound("the partner".into()))
}

fn payout_snapshot(model: &partners::Model) -> serde_json::Value {
    json!({
        "payout_method": model.payout_method,
        "payout_holder": model.payout_holder,
        "payout_account": model.payout_account.as_deref().map(mask),
    })
}

async fn view(caller: &Caller, model: partners::Model) -> Result<PortalProfile, AppError> {
    let users =
        repo::partners::portal_users(&caller.tenant, caller.db(), PartnerId(model.id)).await?;
    let is_admin = users
        .iter()
        .any(|u| u.id == caller.user.id.0 && u.partner_admin);
    let payout = match (&model.payout_method, &model.payout_holder) {
        (Some(method), Some(holder)) => Some(PayoutDetailsView {
            method: method.0,
            holder: holder.clone(),
            account_masked: model
                .payout_account
                .as_deref()
                .map(mask)
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(PortalProfile {
        partner_name: model.name,
        partner_type: model.partner_type.0,
        tier: model.tier.0,
        region: model.region,
        contact_name: model.contact_name,
        contact_email: model.contact_email,
        website: model.website,
        payout,
        payout_currency: model.payout_currency.map(|c| c.0),
        colleagues: users
            .into_iter()
            .map(|u| ColleagueRow {
                id: UserId(u.id),
                name: u.name,
                email: u.email,
                active: u.active,
                admin: u.partner_admin,
                last_login_at: u.last_login_at,
            })
            .collect(),
        invited: repo::accounts::open_invitations_of(
            &caller.tenant,
            caller.db(),
            PartnerId(model.id),
            chrono::Utc::now(),
        )
        .await?,
        is_admin,
    })
}

pub async fn profile(caller: &Caller) -> Result<PortalProfile, AppError> {
    let partner = portal_partner(caller, Action::View)?;
    let model = partner_of(caller, partner).await?;
    view(caller, model).await
}

pub async fn save_contacts(caller: &Caller, form: ContactsForm) -> Result<PortalProfile, AppError> {
    let partner = admin_partner(caller).await?;
    let contacts = form.validate().map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let before = partner_of(caller, partner).await?;
    let snapshot = |m: &partners::Model| {
        json!({
            "contact_name": m.contact_name,
            "contact_email": m.contact_email,
            "website": m.website,
        })
    };
    let was = snapshot(&before);
    let after = repo::partners::set_contacts(&txn, before, &contacts).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::PartnerContactsUpdated,
            entity_type: "partner",
            entity_id: Some(partner.0),
            before: Some(was),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    view(caller, after).await
}

pub async fn save_payout_details(
    caller: &Caller,
    form: PayoutDetailsForm,
) -> Result<PortalProfile, AppError> {
    let partner = admin_partner(caller).await?;
    let before = partner_of(caller, partner).await?;
    let details = form
        .validate(before.payout_account.is_some())
        .map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let was = payout_snapshot(&before);
    let after = repo::partners::set_payout_details(&txn, before, &details).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::PartnerPayoutDetailsUpdated,
            entity_type: "partner",
            entity_id: Some(partner.0),
            before: Some(was),
            after: Some(payout_snapshot(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    view(caller, after).await
}

pub async fn invite(caller: &Caller, email: String) -> Result<Invitation, AppError> {
    let partner = admin_partner(caller).await?;
    crate::services::users::send_invitation(
        caller,
        &email,
        domain::user::Role::Partner.as_str(),
        Some(&partner.to_string()),
    )
    .await
}
