//! Partners: listing, the profile, create / edit with validation, the onboarding status flow.

use serde_json::{Value, json};

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::partners;
use crate::repo::partners::{self as repo, Filter};
use crate::services::Saved;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::ids::PartnerId;
use domain::partner::{PartnerForm, PartnerStatus, PartnerTier, PartnerType};
use wire::AppError;
use wire::error::FieldError;
use wire::partners::{PAGE_SIZE, PartnerDetail, PartnerPage, PartnerSort};

pub struct ListQuery {
    pub search: String,
    pub partner_type: Option<PartnerType>,
    pub tier: Option<PartnerTier>,
    pub status: Option<PartnerStatus>,
    pub sort: PartnerSort,
    pub descending: bool,
    pub page: u64,
}

pub async fn list(caller: &Caller, query: ListQuery) -> Result<PartnerPage, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    let filter = Filter {
        search: &query.search,
        partner_type: query.partner_type,
        tier: query.tier,
        status: query.status,
    };
    let (rows, total) = repo::page(
        &caller.tenant,
        caller.db(),
        &filter,
        query.sort,
        query.descending,
        query.page,
        PAGE_SIZE,
    )
    .await?;
    Ok(PartnerPage {
        rows,
        total,
        page: query.page,
        page_size: PAGE_SIZE,
        organization_total: repo::count(&caller.tenant, caller.db()).await?,
    })
}

pub async fn choices(
    caller: &Caller,
    search: &str,
) -> Result<Vec<wire::users::PartnerOption>, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    Ok(repo::choices(&caller.tenant, caller.db(), search, wire::partners::CHOICES).await?)
}

fn not_found() -> AppError {
    AppError::NotFound("the partner".into())
}

/// The edit form filled with the partner as stored.
pub(crate) fn form_of(model: &partners::Model) -> Result<PartnerForm, AppError> {
    let row = repo::row(model.clone())?;
    Ok(PartnerForm {
        name: model.name.clone(),
        partner_type: row.partner_type.as_str().to_owned(),
        tier: row.tier.as_str().to_owned(),
        commission_rate: row.commission_rate.percent().to_string(),
        contact_name: model.contact_name.clone().unwrap_or_default(),
        contact_email: model.contact_email.clone().unwrap_or_default(),
        website: model.website.clone().unwrap_or_default(),
        region: model.region.clone().unwrap_or_default(),
        payout_currency: model
            .payout_currency
            .map(|c| c.0.to_string())
            .unwrap_or_default(),
    })
}

pub async fn detail(caller: &Caller, id: PartnerId) -> Result<PartnerDetail, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    let model = repo::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let form = form_of(&model)?;
    let users = repo::users_of(&caller.tenant, caller.db(), id).await?;
    let contact_name = model.contact_name.clone();
    let website = model.website.clone();
    let updated_at = model.updated_at;
    let partner = repo::row(model)?;
    let paid_by_rule = paying_rule_name(caller, id).await?;
    Ok(PartnerDetail {
        paid_by_rule,
        next_statuses: partner.status.next(),
        partner,
        contact_name,
        website,
        updated_at,
        users,
        form,
    })
}

/// The name and version of the rule that would pay the partner on a deal won today in the
/// base currency, when one covers it (so its own rate does not apply).
async fn paying_rule_name(caller: &Caller, id: PartnerId) -> Result<Option<String>, AppError> {
    let db = caller.db();
    let rules = crate::repo::commission_rules::in_force(&caller.tenant, db).await?;
    if rules.is_empty() {
        return Ok(None);
    }
    let facts = crate::repo::commission_rules::facts_of(&caller.tenant, db, &[id.0]).await?;
    let Some(partner) = facts.get(&id.0) else {
        return Ok(None);
    };
    let base = crate::repo::organizations::header(db, caller.tenant.organization_id())
        .await?
        .base_currency;
    let today = chrono::Utc::now().date_naive();
    Ok(domain::commission_rules::what_pays(
        &rules, partner, base, today,
    ))
}

/// The audited picture of a partner.
fn snapshot(model: &partners::Model) -> Value {
    json!({
        "name": model.name,
        "partner_type": model.partner_type,
        "tier": model.tier,
        "status": model.status,
        "commission_rate": model.commission_rate,
        "contact_name": model.contact_name,
        "contact_email": model.contact_email,
        "website": model.website,
        "region": model.region,
        "external_id": model.external_id,
    })
}

/// Creates (`id` none; with the `external_id` a CRM knows it by, if any) or updates a partner,
/// for the web app and the REST API alike.
pub async fn save(
    caller: &Caller,
    id: Option<PartnerId>,
    form: PartnerForm,
    external_id: Option<&str>,
) -> Result<(PartnerId, Saved), AppError> {
    caller.require(Action::Edit, Resource::Partners)?;
    let mut fields: Vec<FieldError> = Vec::new();
    let draft = form.validate().map_err(|errors| {
        errors
            .into_iter()
            .map(|(field, message)| FieldError {
                field: field.to_owned(),
                message,
            })
            .collect::<Vec<_>>()
    });
    let draft = match draft {
        Ok(draft) => Some(draft),
        Err(errors) => {
            fields.extend(errors);
            None
        }
    };
    let name = form.name.trim();
    if !name.is_empty() && repo::name_taken(&caller.tenant, caller.db(), name, id).await? {
        fields.push(FieldError {
            field: "name".into(),
            message: format!("Another partner is already called \"{name}\"."),
        });
    }
    let draft = match draft {
        Some(draft) if fields.is_empty() => draft,
        _ => {
            return Err(AppError::Invalid {
                message: "Please correct the highlighted fields.".into(),
                fields,
            });
        }
    };

    let txn = crate::repo::begin_write(caller.db()).await?;
    let (saved, before, action) = match id {
        None => (
            repo::insert(&caller.tenant, &txn, &draft, external_id).await?,
            None,
            AuditAction::PartnerCreated,
        ),
        Some(id) => {
            let existing = repo::get(&caller.tenant, &txn, id)
                .await?
                .ok_or_else(not_found)?;
            if form_of(&existing)?.validate().as_ref() == Ok(&draft) {
                return Ok((id, Saved::Unchanged));
            }
            let before = snapshot(&existing);
            (
                repo::update(&txn, existing, &draft).await?,
                Some(before),
                AuditAction::PartnerUpdated,
            )
        }
    };
    let outcome = if before.is_some() {
        Saved::Updated
    } else {
        Saved::Created
    };
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action,
            entity_type: "partner",
            entity_id: Some(saved.id),
            before,
            after: Some(snapshot(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((PartnerId(saved.id), outcome))
}

/// Moves a partner along its onboarding flow (refusing a move the flow does not allow).
pub async fn change_status(
    caller: &Caller,
    id: PartnerId,
    to: PartnerStatus,
) -> Result<PartnerStatus, AppError> {
    caller.require(Action::Edit, Resource::Partners)?;
    let existing = repo::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let from: PartnerStatus = existing.status.0;
    from.transition(to)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    if !repo::set_status(&caller.tenant, &txn, id, from, to).await? {
        return Err(AppError::Conflict(
            "Someone changed this partner's status a moment ago; reload to see it.".into(),
        ));
    }
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::PartnerStatusChanged,
            entity_type: "partner",
            entity_id: Some(id.0),
            before: Some(json!({ "status": from.as_str() })),
            after: Some(json!({ "status": to.as_str() })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(to)
}

/// One partner of the caller's organization, as stored (for the REST API).
pub async fn get(caller: &Caller, id: PartnerId) -> Result<partners::Model, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    repo::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)
}

/// The partner a CRM or API client knows by `external_id`, if any.
pub async fn by_external_id(
    caller: &Caller,
    external_id: &str,
) -> Result<Option<partners::Model>, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    Ok(repo::by_external_id(&caller.tenant, caller.db(), external_id).await?)
}

/// The partner of this name (without case), if any: how an import without ids finds a partner.
pub async fn by_name(caller: &Caller, name: &str) -> Result<Option<partners::Model>, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    Ok(repo::by_name(&caller.tenant, caller.db(), name).await?)
}

/// Partners in id order from a cursor on (the REST API's list).
pub async fn after(
    caller: &Caller,
    filter: &Filter<'_>,
    cursor: &crate::repo::Cursor<'_>,
    limit: u64,
) -> Result<Vec<partners::Model>, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    Ok(repo::after(&caller.tenant, caller.db(), filter, cursor, limit).await?)
}
