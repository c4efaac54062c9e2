//! CRM connections, their sync runs and the records a run could not take. Scoped by a
//! `Tenant`, except what the sync job reads across organizations (`*_for_worker`, and the sync
//! it claimed: [`start_sync`], [`record_page`], [`finish_sync`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use crate::entities::text::Text;
use crate::entities::{
    attributions, crm_connections, crm_sync_errors, crm_syncs, crm_write_backs, deals, partners,
    touchpoints,
};
use crate::tenant::Tenant;
use domain::crm::{CrmKind, SyncMode, SyncStatus};
use domain::deal::DealStage;
use domain::ids::UserId;
use domain::job::JobKind;

const ACTIVE: [&str; 2] = ["queued", "running"];

pub async fn connection(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    kind: CrmKind,
) -> Result<Option<crm_connections::Model>, DbErr> {
    crm_connections::Entity::find()
        .filter(crm_connections::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(crm_connections::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await
}

pub async fn connections(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<crm_connections::Model>, DbErr> {
    crm_connections::Entity::find()
        .filter(crm_connections::Column::OrganizationId.eq(tenant.organization_id().0))
        .all(db)
        .await
}

/// The connection a webhook or a sync names, whatever its organization.
pub async fn connection_for_worker(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<crm_connections::Model>, DbErr> {
    crm_connections::Entity::find_by_id(id).one(db).await
}

/// A sync by id, for the job that runs it.
pub async fn sync_for_worker(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<crm_syncs::Model>, DbErr> {
    crm_syncs::Entity::find_by_id(id).one(db).await
}

/// Enabled connections with no sync queued since `before` and none queued or running: the
/// scheduler's list, in one query.
pub async fn due_for_worker(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<Vec<crm_connections::Model>, DbErr> {
    let busy = crm_syncs::Entity::find()
        .select_only()
        .column(crm_syncs::Column::ConnectionId)
        .filter(
            Condition::any()
                .add(crm_syncs::Column::CreatedAt.gte(before))
                .add(crm_syncs::Column::Status.is_in(ACTIVE)),
        )
        .into_query();
    crm_connections::Entity::find()
        .filter(crm_connections::Column::Enabled.eq(true))
        .filter(crm_connections::Column::Id.not_in_subquery(busy))
        .all(db)
        .await
}

/// What a save writes; `None` secrets keep the stored ones.
pub struct ConnectionChange {
    pub base_url: String,
    pub credentials: Option<String>,
    pub webhook_secret: Option<String>,
    pub settings: String,
    pub enabled: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

pub async fn save_connection(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    kind: CrmKind,
    existing: Option<crm_connections::Model>,
    change: ConnectionChange,
) -> Result<crm_connections::Model, DbErr> {
    let mut row: crm_connections::ActiveModel = match existing {
        Some(existing) => existing.into(),
        None => crm_connections::ActiveModel {
            organization_id: Set(tenant.organization_id().0),
            kind: Set(Text(kind)),
            created_at: Set(change.at),
            ..Default::default()
        },
    };
    row.base_url = Set(change.base_url);
    if let Some(sealed) = change.credentials {
        row.credentials = Set(Some(sealed));
    }
    if let Some(sealed) = change.webhook_secret {
        row.webhook_secret = Set(Some(sealed));
    }
    row.settings = Set(change.settings);
    row.enabled = Set(change.enabled);
    row.updated_at = Set(change.at);
    row.updated_by = Set(Some(change.by.0));
    use sea_orm::TryIntoModel;
    row.save(db).await?.try_into_model()
}

/// Moves the modified-since cursor on, never back.
pub async fn mark_synced(
    db: &impl ConnectionTrait,
    connection_id: i64,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    crm_connections::Entity::update_many()
        .col_expr(crm_connections::Column::SyncedUntil, Expr::value(until))
        .filter(crm_connections::Column::Id.eq(connection_id))
        .filter(
            crm_connections::Column::SyncedUntil
                .is_null()
                .or(crm_connections::Column::SyncedUntil.lt(until)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the organization's connection; its syncs, their record errors and the write-back
/// memory go with it (foreign keys cascade). Deals it brought in stay.
pub async fn delete_connection(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<u64, DbErr> {
    let done = crm_connections::Entity::delete_many()
        .filter(crm_connections::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(crm_connections::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The connection's queued or running sync, if any.
pub async fn active_sync(
    db: &impl ConnectionTrait,
    connection_id: i64,
) -> Result<Option<crm_syncs::Model>, DbErr> {
    crm_syncs::Entity::find()
        .filter(crm_syncs::Column::ConnectionId.eq(connection_id))
        .filter(crm_syncs::Column::Status.is_in(ACTIVE))
        .one(db)
        .await
}

/// The connection's sync waiting to start, if any (a webhook needs no second one).
pub async fn queued_sync(
    db: &impl ConnectionTrait,
    connection_id: i64,
) -> Result<Option<crm_syncs::Model>, DbErr> {
    crm_syncs::Entity::find()
        .filter(crm_syncs::Column::ConnectionId.eq(connection_id))
        .filter(crm_syncs::Column::Status.eq(SyncStatus::Queued.as_str()))
        .one(db)
        .await
}

pub async fn insert_sync(
    db: &impl ConnectionTrait,
    connection: &crm_connections::Model,
    mode: SyncMode,
    created_by: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<crm_syncs::Model, DbErr> {
    let since = match mode {
        SyncMode::Backfill => None,
        SyncMode::Incremental | SyncMode::Webhook => connection.synced_until,
    };
    let sync = crm_syncs::ActiveModel {
        organization_id: Set(connection.organization_id),
        connection_id: Set(connection.id),
        mode: Set(Text(mode)),
        status: Set(Text(SyncStatus::Queued)),
        since: Set(since),
        created_by: Set(created_by.map(|u| u.0)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let organization = Some(sync.organization_id);
    crate::jobs::queue::enqueue(db, JobKind::CrmSync, sync.id, organization, at, at).await?;
    Ok(sync)
}

/// A sync with the name of the user who started it.
pub type Listed = (crm_syncs::Model, Option<String>);

async fn with_names(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    rows: Vec<crm_syncs::Model>,
) -> Result<Vec<Listed>, DbErr> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.created_by).collect();
    let names = super::users::names_of(tenant, db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = row.created_by.and_then(|id| names.get(&id).cloned());
            (row, name)
        })
        .collect())
}

fn scoped_syncs(tenant: &Tenant) -> sea_orm::Select<crm_syncs::Entity> {
    crm_syncs::Entity::find()
        .filter(crm_syncs::Column::OrganizationId.eq(tenant.organization_id().0))
}

/// The connection's syncs, newest first.
pub async fn syncs(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    connection_id: i64,
    limit: u64,
) -> Result<Vec<Listed>, DbErr> {
    let rows = scoped_syncs(tenant)
        .filter(crm_syncs::Column::ConnectionId.eq(connection_id))
        .order_by_desc(crm_syncs::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    with_names(tenant, db, rows).await
}

pub async fn sync(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<Listed>, DbErr> {
    let Some(row) = scoped_syncs(tenant)
        .filter(crm_syncs::Column::Id.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(with_names(tenant, db, vec![row]).await?.pop())
}

/// Marks a claimed sync as running (from now, unless it ran before) and reads it; `None` when
/// it has finished or been cancelled meanwhile.
pub async fn start_sync(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<crm_syncs::Model>, DbErr> {
    let queued = crm_syncs::Entity::find_by_id(id)
        .filter(crm_syncs::Column::Status.eq(SyncStatus::Queued.as_str()))
        .one(db)
        .await?;
    if let Some(queued) = queued {
        let mut update = crm_syncs::Entity::update_many()
            .col_expr(
                crm_syncs::Column::Status,
                Expr::value(SyncStatus::Running.as_str()),
            )
            .col_expr(crm_syncs::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                crm_syncs::Column::NotBefore,
                Expr::value(None::<DateTime<Utc>>),
            )
            .filter(crm_syncs::Column::Id.eq(id))
            .filter(crm_syncs::Column::Status.eq(SyncStatus::Queued.as_str()));
        if queued.started_at.is_none() {
            update = update.col_expr(crm_syncs::Column::StartedAt, Expr::value(now));
        }
        update.exec(db).await?;
    }
    crm_syncs::Entity::find_by_id(id)
        .filter(crm_syncs::Column::Status.eq(SyncStatus::Running.as_str()))
        .one(db)
        .await
}

/// What a page of records did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub fetched: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub written_back: u64,
}

/// A record the sync could not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub external_id: String,
    pub name: String,
    pub message: String,
}

/// Where a page left the sync.
pub struct PageEnd<'a> {
    pub next: Option<&'a str>,
    pub seen_until: Option<DateTime<Utc>>,
    pub total: Option<i64>,
}

/// Records a page: its failed records, the counters and where the next page starts; false
/// when the sync is no longer running (cancelled meanwhile), so the worker stops.
pub async fn record_page(
    db: &impl ConnectionTrait,
    sync: &crm_syncs::Model,
    tally: Tally,
    errors: &[RecordError],
    end: PageEnd<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    if !errors.is_empty() {
        let rows = errors.iter().map(|e| crm_sync_errors::ActiveModel {
            organization_id: Set(sync.organization_id),
            sync_id: Set(sync.id),
            external_id: Set(e.external_id.chars().take(255).collect()),
            record_name: Set(e.name.chars().take(255).collect()),
            message: Set(e.message.clone()),
            created_at: Set(now),
            ..Default::default()
        });
        crm_sync_errors::Entity::insert_many(rows).exec(db).await?;
    }
    let add = |col: crm_syncs::Column, n: u64| (col, Expr::col(col).add(n as i64));
    let mut update = crm_syncs::Entity::update_many();
    for (col, expr) in [
        add(crm_syncs::Column::FetchedRecords, tally.fetched),
        add(crm_syncs::Column::CreatedRecords, tally.created),
        add(crm_syncs::Column::UpdatedRecords, tally.updated),
        add(crm_syncs::Column::UnchangedRecords, tally.unchanged),
        add(crm_syncs::Column::FailedRecords, tally.failed),
        add(crm_syncs::Column::WrittenBack, tally.written_back),
    ] {
        update = update.col_expr(col, expr);
    }
    if let Some(seen) = end.seen_until {
        update = update.col_expr(crm_syncs::Column::SeenUntil, Expr::value(seen));
    }
    if let Some(total) = end.total {
        update = update.col_expr(crm_syncs::Column::TotalRecords, Expr::value(total));
    }
    let result = update
        .col_expr(
            crm_syncs::Column::PageCursor,
            Expr::value(end.next.map(str::to_owned)),
        )
        .col_expr(crm_syncs::Column::UpdatedAt, Expr::value(now))
        .filter(crm_syncs::Column::Id.eq(sync.id))
        .filter(crm_syncs::Column::Status.eq(SyncStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Puts a rate-limited sync back in the queue until `not_before`.
pub async fn pause_sync(
    db: &impl ConnectionTrait,
    id: i64,
    not_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = crm_syncs::Entity::update_many()
        .col_expr(
            crm_syncs::Column::Status,
            Expr::value(SyncStatus::Queued.as_str()),
        )
        .col_expr(crm_syncs::Column::NotBefore, Expr::value(not_before))
        .col_expr(crm_syncs::Column::UpdatedAt, Expr::value(now))
        .filter(crm_syncs::Column::Id.eq(id))
        .filter(crm_syncs::Column::Status.eq(SyncStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends a sync in `from`: done, failed (with why) or cancelled.
pub async fn finish_sync(
    db: &impl ConnectionTrait,
    id: i64,
    from: &[SyncStatus],
    to: SyncStatus,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = crm_syncs::Entity::update_many()
        .col_expr(crm_syncs::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            crm_syncs::Column::Failure,
            Expr::value(failure.map(str::to_owned)),
        )
        .col_expr(crm_syncs::Column::UpdatedAt, Expr::value(now))
        .col_expr(crm_syncs::Column::FinishedAt, Expr::value(now))
        .filter(crm_syncs::Column::Id.eq(id))
        .filter(crm_syncs::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The first `limit` records a sync could not take, and how many there are in all.
pub async fn sync_errors(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    sync_id: i64,
    limit: u64,
) -> Result<(Vec<crm_sync_errors::Model>, u64), DbErr> {
    let select = crm_sync_errors::Entity::find()
        .filter(crm_sync_errors::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(crm_sync_errors::Column::SyncId.eq(sync_id));
    let count = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(crm_sync_errors::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, count))
}

/// What the write-back of a connection's won deals is computed from, read in a handful of
/// queries however many deals there are.
#[derive(Debug, Default)]
pub struct WriteBackFacts {
    /// Won deals from this CRM: (app id, CRM id, name).
    pub deals: Vec<(i64, String, String)>,
    /// Per deal: each partner's name and share under the model.
    pub shares: HashMap<i64, Vec<(String, Decimal)>>,
    /// Per deal: the kind of its first touch.
    pub first_touch: HashMap<i64, String>,
    /// Per deal: the fields last written to the CRM (JSON).
    pub written: HashMap<i64, String>,
}

/// Ids a query names at once (well under every back end's limit on parameters).
const CHUNK: usize = 500;

pub async fn write_back_facts(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    connection_id: i64,
    source: &str,
    model: &str,
) -> Result<WriteBackFacts, DbErr> {
    let org = tenant.organization_id().0;
    let won: Vec<(i64, Option<String>, String)> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::ExternalId)
        .column(deals::Column::Name)
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Source.eq(source))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .order_by_asc(deals::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut facts = WriteBackFacts {
        deals: won
            .into_iter()
            .filter_map(|(id, external, name)| Some((id, external?, name)))
            .collect(),
        ..WriteBackFacts::default()
    };
    let names: HashMap<i64, String> = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .filter(partners::Column::OrganizationId.eq(org))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let ids: Vec<i64> = facts.deals.iter().map(|(id, ..)| *id).collect();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, i64, Text<rust_decimal::Decimal>)> = attributions::Entity::find()
            .select_only()
            .column(attributions::Column::DealId)
            .column(attributions::Column::PartnerId)
            .column(attributions::Column::Share)
            .filter(attributions::Column::OrganizationId.eq(org))
            .filter(attributions::Column::Model.eq(model))
            .filter(attributions::Column::DealId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (deal, partner, share) in rows {
            let name = names.get(&partner).cloned().unwrap_or_default();
            facts.shares.entry(deal).or_default().push((name, share.0));
        }
        let touches: Vec<(i64, String)> = touchpoints::Entity::find()
            .select_only()
            .column(touchpoints::Column::DealId)
            .column(touchpoints::Column::Kind)
            .filter(touchpoints::Column::OrganizationId.eq(org))
            .filter(touchpoints::Column::DealId.is_in(chunk.iter().copied()))
            .order_by_asc(touchpoints::Column::OccurredAt)
            .order_by_asc(touchpoints::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        for (deal, kind) in touches {
            facts.first_touch.entry(deal).or_insert(kind);
        }
    }
    facts.written = crm_write_backs::Entity::find()
        .filter(crm_write_backs::Column::ConnectionId.eq(connection_id))
        .filter(crm_write_backs::Column::OrganizationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.deal_id, w.fields))
        .collect();
    Ok(facts)
}

/// Remembers what was written back to a deal.
pub async fn record_write_back(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    connection_id: i64,
    deal_id: i64,
    fields: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crm_write_backs::Entity::insert(crm_write_backs::ActiveModel {
        connection_id: Set(connection_id),
        deal_id: Set(deal_id),
        organization_id: Set(tenant.organization_id().0),
        fields: Set(fields.to_owned()),
        written_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            crm_write_backs::Column::ConnectionId,
            crm_write_backs::Column::DealId,
        ])
        .update_columns([
            crm_write_backs::Column::Fields,
            crm_write_backs::Column::WrittenAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
