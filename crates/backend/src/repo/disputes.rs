//! Disputes and their threads. A partner user's tenant reaches only its own partner's disputes.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

use crate::entities::text::Text;
use crate::entities::{dispute_messages, disputes, payouts};
use crate::tenant::Tenant;
use domain::dispute::Side;
use domain::ids::{DisputeId, PartnerId};
use domain::payout::DisputeStatus;

fn scoped(tenant: &Tenant) -> Select<disputes::Entity> {
    let mut select = disputes::Entity::find()
        .filter(disputes::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(disputes::Column::PartnerId.eq(own.0));
    }
    select
}

/// One page (from 0), newest first, and how many match in all.
pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    status: Option<DisputeStatus>,
    partner: Option<PartnerId>,
    page: u64,
    size: u64,
) -> Result<(Vec<disputes::Model>, u64), DbErr> {
    let mut select = scoped(tenant);
    if let Some(status) = status {
        select = select.filter(disputes::Column::Status.eq(status.as_str()));
    }
    if let Some(partner) = partner {
        select = select.filter(disputes::Column::PartnerId.eq(partner.0));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(disputes::Column::CreatedAt)
        .order_by_desc(disputes::Column::Id)
        .offset(page * size)
        .limit(size)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// How many are still open or under review.
pub async fn open_count(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    scoped(tenant)
        .filter(disputes::Column::Status.is_in([
            DisputeStatus::Open.as_str(),
            DisputeStatus::UnderReview.as_str(),
        ]))
        .count(db)
        .await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DisputeId,
) -> Result<Option<disputes::Model>, DbErr> {
    scoped(tenant)
        .filter(disputes::Column::Id.eq(id.0))
        .one(db)
        .await
}

/// A payout of the tenant (a partner user's: only its own partner's).
pub async fn payout(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<payouts::Model>, DbErr> {
    let mut select = payouts::Entity::find()
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(payouts::Column::Id.eq(id));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(payouts::Column::PartnerId.eq(own.0));
    }
    select.one(db).await
}

pub struct NewDispute<'a> {
    pub partner: PartnerId,
    pub deal: Option<i64>,
    pub payout: Option<i64>,
    pub reason: &'a str,
    pub by: i64,
    pub at: DateTime<Utc>,
}

pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    new: &NewDispute<'_>,
) -> Result<disputes::Model, DbErr> {
    disputes::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        partner_id: Set(new.partner.0),
        deal_id: Set(new.deal),
        payout_id: Set(new.payout),
        reason: Set(new.reason.to_owned()),
        status: Set(Text(DisputeStatus::Open)),
        opened_by: Set(Some(new.by)),
        created_at: Set(new.at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// How a dispute closes: the answer, and the ledger entry of a resolution.
pub struct Closing<'a> {
    pub answer: &'a str,
    pub adjustment: Option<i64>,
}

/// Moves the dispute from `from` to `to`, only if it is still in `from` (two reviewers at once:
/// one wins). Closing sets the answer, the adjustment and the time.
pub async fn transition(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DisputeId,
    (from, to): (DisputeStatus, DisputeStatus),
    closing: Option<Closing<'_>>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = disputes::Entity::update_many()
        .col_expr(disputes::Column::Status, Expr::value(to.as_str()))
        .filter(disputes::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(disputes::Column::Id.eq(id.0))
        .filter(disputes::Column::Status.eq(from.as_str()));
    if let Some(closing) = closing {
        update = update
            .col_expr(disputes::Column::Resolution, Expr::value(closing.answer))
            .col_expr(
                disputes::Column::AdjustmentPayoutId,
                Expr::value(closing.adjustment),
            )
            .col_expr(disputes::Column::ResolvedAt, Expr::value(at));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

pub async fn messages(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DisputeId,
) -> Result<Vec<dispute_messages::Model>, DbErr> {
    dispute_messages::Entity::find()
        .filter(dispute_messages::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(dispute_messages::Column::DisputeId.eq(id.0))
        .order_by_asc(dispute_messages::Column::Id)
        .all(db)
        .await
}

pub async fn add_message(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DisputeId,
    author: (i64, &str),
    side: Side,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    dispute_messages::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        dispute_id: Set(id.0),
        author_user_id: Set(Some(author.0)),
        author_name: Set(author.1.to_owned()),
        side: Set(side.as_str().to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
