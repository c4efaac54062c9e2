//! CSV imports, their bad rows and each organization's remembered mappings. Scoped by a `Tenant`,
//! except what the import job calls ([`start`], [`record_batch`], [`finish`]) with the id of the
//! import it claimed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entities::text::Text;
use crate::entities::{import_errors, import_mappings, import_uploads, imports};
use crate::tenant::Tenant;
use domain::ids::UserId;
use domain::import::{ImportKind, ImportMode, ImportStatus, RowError};
use domain::job::JobKind;

fn scoped(tenant: &Tenant) -> sea_orm::Select<imports::Entity> {
    imports::Entity::find().filter(imports::Column::OrganizationId.eq(tenant.organization_id().0))
}

pub struct NewImport<'a> {
    pub kind: ImportKind,
    pub mode: ImportMode,
    pub file_name: &'a str,
    pub content: String,
    pub mapping: String,
    pub total_rows: u64,
    pub created_by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// Queues an import (and its job); answers its id (without reading the file back).
pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    new: NewImport<'_>,
) -> Result<i64, DbErr> {
    let model = imports::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        kind: Set(Text(new.kind)),
        mode: Set(Text(new.mode)),
        status: Set(Text(ImportStatus::Queued)),
        file_name: Set(new.file_name.to_owned()),
        content: Set(new.content),
        mapping: Set(new.mapping),
        total_rows: Set(new.total_rows as i64),
        created_by: Set(new.created_by.map(|u| u.0)),
        created_at: Set(new.at),
        updated_at: Set(new.at),
        ..Default::default()
    };
    let id = imports::Entity::insert(model)
        .exec(db)
        .await?
        .last_insert_id;
    let organization = Some(tenant.organization_id().0);
    crate::jobs::queue::enqueue(db, JobKind::Import, id, organization, new.at, new.at).await?;
    Ok(id)
}

/// Keeps a file `user` uploaded; answers its id.
pub async fn save_upload(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    user: UserId,
    file_name: &str,
    content: String,
    at: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let model = import_uploads::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        user_id: Set(user.0),
        file_name: Set(file_name.to_owned()),
        content: Set(content),
        created_at: Set(at),
        ..Default::default()
    };
    Ok(import_uploads::Entity::insert(model)
        .exec(db)
        .await?
        .last_insert_id)
}

/// `user`'s upload `id`, in the tenant.
pub async fn upload(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<import_uploads::Model>, DbErr> {
    import_uploads::Entity::find_by_id(id)
        .filter(import_uploads::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(import_uploads::Column::UserId.eq(user.0))
        .one(db)
        .await
}

/// Removes an upload an import started from; false when it was already gone (started twice).
pub async fn delete_upload(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<bool, DbErr> {
    let deleted = import_uploads::Entity::delete_many()
        .filter(import_uploads::Column::Id.eq(id))
        .filter(import_uploads::Column::OrganizationId.eq(tenant.organization_id().0))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected == 1)
}

/// Removes every organization's uploads made before `before` that no import started from.
pub async fn sweep_uploads(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(import_uploads::Entity::delete_many()
        .filter(import_uploads::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// An import with the name of the user who started it.
pub type Listed = (imports::Model, Option<String>);

async fn with_names(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    rows: Vec<imports::Model>,
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

/// The tenant's imports, newest first, without their files.
pub async fn list(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<Listed>, DbErr> {
    let rows = scoped(tenant)
        .select_only()
        .columns(imports::Column::iter().filter(|c| !matches!(c, imports::Column::Content)))
        .expr_as(Expr::value(""), "content")
        .order_by_desc(imports::Column::Id)
        .limit(limit)
        .into_model::<imports::Model>()
        .all(db)
        .await?;
    with_names(tenant, db, rows).await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<Listed>, DbErr> {
    let Some(row) = scoped(tenant)
        .filter(imports::Column::Id.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(with_names(tenant, db, vec![row]).await?.pop())
}

/// Marks a claimed import as running (from now, unless it ran before) and reads it; `None`
/// when it has finished or been cancelled meanwhile.
pub async fn start(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<imports::Model>, DbErr> {
    imports::Entity::update_many()
        .col_expr(
            imports::Column::Status,
            Expr::value(ImportStatus::Running.as_str()),
        )
        .col_expr(imports::Column::StartedAt, Expr::value(now))
        .col_expr(imports::Column::UpdatedAt, Expr::value(now))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.eq(ImportStatus::Queued.as_str()))
        .exec(db)
        .await?;
    imports::Entity::find_by_id(id)
        .filter(imports::Column::Status.eq(ImportStatus::Running.as_str()))
        .one(db)
        .await
}

/// Where an import stands, and why it failed.
pub async fn status(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(ImportStatus, Option<String>)>, DbErr> {
    let row: Option<(Text<ImportStatus>, Option<String>)> = imports::Entity::find_by_id(id)
        .select_only()
        .column(imports::Column::Status)
        .column(imports::Column::Failure)
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|(status, failure)| (status.0, failure)))
}

/// What a batch of rows did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

/// Records a batch: its bad rows and the counters; false when the import is no longer running
/// (cancelled meanwhile), so the worker stops.
pub async fn record_batch(
    db: &impl ConnectionTrait,
    import: &imports::Model,
    tally: Tally,
    errors: &[RowError],
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    insert_errors(db, import, errors).await?;
    let add = |col: imports::Column, n: u64| (col, Expr::col(col).add(n as i64));
    let mut update = imports::Entity::update_many();
    for (col, expr) in [
        add(imports::Column::ProcessedRows, tally.processed),
        add(imports::Column::CreatedRows, tally.created),
        add(imports::Column::UpdatedRows, tally.updated),
        add(imports::Column::UnchangedRows, tally.unchanged),
        add(imports::Column::FailedRows, tally.failed),
    ] {
        update = update.col_expr(col, expr);
    }
    let result = update
        .col_expr(imports::Column::UpdatedAt, Expr::value(now))
        .filter(imports::Column::Id.eq(import.id))
        .filter(imports::Column::Status.eq(ImportStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn insert_errors(
    db: &impl ConnectionTrait,
    import: &imports::Model,
    errors: &[RowError],
) -> Result<(), DbErr> {
    if errors.is_empty() {
        return Ok(());
    }
    let rows = errors.iter().map(|e| import_errors::ActiveModel {
        organization_id: Set(import.organization_id),
        import_id: Set(import.id),
        line: Set(e.line as i64),
        field: Set(e.field.chars().take(64).collect()),
        message: Set(e.message.clone()),
        ..Default::default()
    });
    import_errors::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// Ends a running import: done, failed (with why) or cancelled. Its file is dropped.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: i64,
    from: &[ImportStatus],
    to: ImportStatus,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            imports::Column::Failure,
            Expr::value(failure.map(str::to_owned)),
        )
        .col_expr(imports::Column::Content, Expr::value(""))
        .col_expr(imports::Column::UpdatedAt, Expr::value(now))
        .col_expr(imports::Column::FinishedAt, Expr::value(now))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The first `limit` bad rows of an import (all of them without), by line, and how many there
/// are in all.
pub async fn errors(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    import_id: i64,
    limit: Option<u64>,
) -> Result<(Vec<RowError>, u64), DbErr> {
    let select = import_errors::Entity::find()
        .filter(import_errors::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(import_errors::Column::ImportId.eq(import_id));
    let count = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(import_errors::Column::Line)
        .order_by_asc(import_errors::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let errors = rows
        .into_iter()
        .map(|r| RowError {
            line: r.line as u64,
            field: r.field,
            message: r.message,
        })
        .collect();
    Ok((errors, count))
}

pub async fn mapping(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    kind: ImportKind,
) -> Result<Option<String>, DbErr> {
    Ok(import_mappings::Entity::find()
        .filter(import_mappings::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(import_mappings::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await?
        .map(|m| m.mapping))
}

pub async fn remember_mapping(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    kind: ImportKind,
    mapping: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    import_mappings::Entity::insert(import_mappings::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        kind: Set(kind.as_str().to_owned()),
        mapping: Set(mapping.to_owned()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            import_mappings::Column::OrganizationId,
            import_mappings::Column::Kind,
        ])
        .update_columns([
            import_mappings::Column::Mapping,
            import_mappings::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
