//! The activity log for the people who answer for the organization's numbers.

use crate::caller::Caller;
use crate::entities::audit_events;
use crate::repo;
use domain::access::{Action, Resource};
use domain::ids::{DealId, PartnerId};
use wire::AppError;
use wire::audit::{AUDIT_PAGE_SIZE, AuditFilter, AuditPage, AuditRow};

pub async fn list(caller: &Caller, filter: AuditFilter, page: u64) -> Result<AuditPage, AppError> {
    caller.require(Action::View, Resource::AuditLog)?;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(AppError::invalid_field(
            "to",
            "The period ends before it starts.",
        ));
    }
    let parsed = repo::audit::Filter {
        entity_type: filter.entity_type.as_deref().filter(|t| !t.is_empty()),
        entity_id: filter.entity_id,
        action: filter.action.as_deref().filter(|a| !a.is_empty()),
        actor: &filter.actor,
        from: filter.from,
        to: filter.to,
    };
    let (tenant, db) = (&caller.tenant, caller.db());
    let (rows, total) = repo::audit::page(tenant, db, &parsed, page, AUDIT_PAGE_SIZE).await?;
    Ok(AuditPage {
        rows,
        total,
        page,
        page_size: AUDIT_PAGE_SIZE,
        actions: repo::audit::distinct(tenant, db, audit_events::Column::Action).await?,
        entity_types: repo::audit::distinct(tenant, db, audit_events::Column::EntityType).await?,
    })
}

/// How many events a record page shows.
const HISTORY_SIZE: u64 = 100;

/// A deal's own history for those who may see the deal: the deal, its touchpoints and its
/// ledger entries.
pub async fn deal_history(caller: &Caller, id: DealId) -> Result<Vec<AuditRow>, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    repo::deals::get(tenant, db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the deal".into()))?;
    let touchpoints: Vec<i64> = repo::deals::touchpoints_of(tenant, db, id)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let payouts: Vec<i64> = repo::deals::payouts_of(tenant, db, id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let records = [
        ("deal", vec![id.0]),
        ("touchpoint", touchpoints),
        ("payout", payouts),
    ];
    Ok(repo::audit::of_records(tenant, db, &records, HISTORY_SIZE).await?)
}

/// A partner's own history for those who may see partners: its record and its portal users.
pub async fn partner_history(caller: &Caller, id: PartnerId) -> Result<Vec<AuditRow>, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    repo::partners::get(tenant, db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the partner".into()))?;
    let users = repo::users::ids_of_partner(tenant, db, id).await?;
    let records = [("partner", vec![id.0]), ("user", users)];
    Ok(repo::audit::of_records(tenant, db, &records, HISTORY_SIZE).await?)
}
