//! Reading the audit trail (writing is `server::audit`, insert only).

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::entities::audit_events;
use crate::tenant::Tenant;
use domain::audit::changes;
use wire::audit::AuditRow;

#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub entity_type: Option<&'a str>,
    pub entity_id: Option<i64>,
    pub action: Option<&'a str>,
    pub actor: &'a str,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn filtered(tenant: &Tenant, filter: &Filter<'_>) -> Select<audit_events::Entity> {
    let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let mut select = audit_events::Entity::find()
        .filter(audit_events::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(entity_type) = filter.entity_type {
        select = select.filter(audit_events::Column::EntityType.eq(entity_type));
    }
    if let Some(id) = filter.entity_id {
        select = select.filter(audit_events::Column::EntityId.eq(id));
    }
    if let Some(action) = filter.action {
        select = select.filter(audit_events::Column::Action.eq(action));
    }
    if !filter.actor.trim().is_empty() {
        select = select.filter(super::contains_any(
            filter.actor,
            &[audit_events::Column::ActorLabel],
        ));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_events::Column::At.gte(start(from)));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_events::Column::At.lt(start(to) + Duration::days(1)));
    }
    select
}

fn parse(text: Option<&str>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

fn row(e: audit_events::Model) -> AuditRow {
    AuditRow {
        id: e.id,
        at: e.at,
        actor: e.actor_label,
        changes: changes(
            parse(e.before.as_deref()).as_ref(),
            parse(e.after.as_deref()).as_ref(),
        ),
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        request_id: e.request_id,
    }
}

/// The latest events (at most `limit`) about any of the records named by type and ids.
pub async fn of_records(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    records: &[(&str, Vec<i64>)],
    limit: u64,
) -> Result<Vec<AuditRow>, DbErr> {
    let mut any = sea_orm::Condition::any();
    for (entity_type, ids) in records.iter().filter(|(_, ids)| !ids.is_empty()) {
        any = any.add(
            sea_orm::Condition::all()
                .add(audit_events::Column::EntityType.eq(*entity_type))
                .add(audit_events::Column::EntityId.is_in(ids.iter().copied())),
        );
    }
    Ok(audit_events::Entity::find()
        .filter(audit_events::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(any)
        .order_by_desc(audit_events::Column::At)
        .order_by_desc(audit_events::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(row)
        .collect())
}

pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    page: u64,
    page_size: u64,
) -> Result<(Vec<AuditRow>, u64), DbErr> {
    let total = filtered(tenant, filter).count(db).await?;
    let rows = filtered(tenant, filter)
        .order_by_desc(audit_events::Column::At)
        .order_by_desc(audit_events::Column::Id)
        .offset(page * page_size)
        .limit(page_size)
        .all(db)
        .await?
        .into_iter()
        .map(row)
        .collect();
    Ok((rows, total))
}

/// The distinct values of a column in the organization's log, sorted.
pub async fn distinct(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    column: audit_events::Column,
) -> Result<Vec<String>, DbErr> {
    audit_events::Entity::find()
        .select_only()
        .column(column)
        .distinct()
        .filter(audit_events::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_asc(column)
        .into_tuple()
        .all(db)
        .await
}

/// The organization's newest audit event: every change writes one, so it versions the
/// organization's data (`report_cache`). Found through the (organization, at) index.
pub async fn newest(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let newest: Option<i64> = audit_events::Entity::find()
        .select_only()
        .column(audit_events::Column::Id)
        .filter(audit_events::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_desc(audit_events::Column::At)
        .order_by_desc(audit_events::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}
