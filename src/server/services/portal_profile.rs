//! The partner's profile in the portal: its facts and contacts, where it is paid (the account
//! only ever leaves the server masked), and its portal users. The partner's administrator edits
//! the contacts and payout details and invites colleagues; every change is audited (payout
//! accounts masked in the trail too).

use serde_json::json;

use crate::api::AppError;
use crate::api::portal::{ColleagueRow, PayoutDetailsView, PortalProfile};
use crate::api::users::Invitation;
use crate::domain::access::{Action, Resource};
use crate::domain::ids::{PartnerId, UserId};
use crate::domain::partner::ContactsForm;
use crate::domain::payout_details::{PayoutDetailsForm, mask};
use crate::server::audit::{self, Entry};
use crate::server::context::{self, Caller};
use crate::server::entities::partners;
use crate::server::repo;

async fn partner_caller(action: Action) -> Result<(Caller, PartnerId), AppError> {
    let caller = context::authorize(action, Resource::Portal).await?;
    let partner = caller.tenant.partner_id().ok_or(AppError::Forbidden)?;
    Ok((caller, partner))
}

/// The caller, if it administers its partner; other partner users may only read.
async fn admin_caller() -> Result<(Caller, PartnerId), AppError> {
    let (caller, partner) = partner_caller(Action::Edit).await?;
    let me = repo::users::get(&caller.tenant, &caller.db, caller.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !me.partner_admin {
        return Err(AppError::Forbidden);
    }
    Ok((caller, partner))
}

async fn partner_of(caller: &Caller, partner: PartnerId) -> Result<partners::Model, AppError> {
    repo::partners::get(&caller.tenant, &caller.db, partner)
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
        repo::partners::portal_users(&caller.tenant, &caller.db, PartnerId(model.id)).await?;
    let is_admin = users
        .iter()
        .any(|u| u.id == caller.user.id.0 && u.partner_admin);
    let payout = match (&model.payout_method, &model.payout_holder) {
        (Some(method), Some(holder)) => Some(PayoutDetailsView {
            method: method.parse().map_err(AppError::internal)?,
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
        partner_type: model.partner_type.parse().map_err(AppError::internal)?,
        tier: model.tier.parse().map_err(AppError::internal)?,
        region: model.region,
        contact_name: model.contact_name,
        contact_email: model.contact_email,
        website: model.website,
        payout,
        payout_currency: model
            .payout_currency
            .map(|c| c.parse())
            .transpose()
            .map_err(AppError::internal)?,
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
            &caller.db,
            PartnerId(model.id),
            chrono::Utc::now(),
        )
        .await?,
        is_admin,
    })
}

pub async fn profile() -> Result<PortalProfile, AppError> {
    let (caller, partner) = partner_caller(Action::View).await?;
    let model = partner_of(&caller, partner).await?;
    view(&caller, model).await
}

pub async fn save_contacts(form: ContactsForm) -> Result<PortalProfile, AppError> {
    let (caller, partner) = admin_caller().await?;
    let contacts = form.validate().map_err(AppError::invalid_fields)?;
    let txn = crate::server::repo::begin_write(&caller.db).await?;
    let before = partner_of(&caller, partner).await?;
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
        &caller,
        &txn,
        Entry {
            action: "partner.contacts_updated",
            entity_type: "partner",
            entity_id: Some(partner.0),
            before: Some(was),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    view(&caller, after).await
}

pub async fn save_payout_details(form: PayoutDetailsForm) -> Result<PortalProfile, AppError> {
    let (caller, partner) = admin_caller().await?;
    let before = partner_of(&caller, partner).await?;
    let details = form
        .validate(before.payout_account.is_some())
        .map_err(AppError::invalid_fields)?;
    let txn = crate::server::repo::begin_write(&caller.db).await?;
    let was = payout_snapshot(&before);
    let after = repo::partners::set_payout_details(&txn, before, &details).await?;
    audit::by_caller(
        &caller,
        &txn,
        Entry {
            action: "partner.payout_details_updated",
            entity_type: "partner",
            entity_id: Some(partner.0),
            before: Some(was),
            after: Some(payout_snapshot(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    view(&caller, after).await
}

pub async fn invite(email: String) -> Result<Invitation, AppError> {
    let (caller, partner) = admin_caller().await?;
    crate::server::services::users::send_invitation(
        &caller,
        &email,
        crate::domain::user::Role::Partner.as_str(),
        Some(&partner.to_string()),
    )
    .await
}
