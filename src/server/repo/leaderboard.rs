//! The numbers behind the leaderboard, for one tenant and one period. The database does the
//! counting and summing: only one row per partner travels back.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::attribution::{AttributionModel, DealInput};
use crate::domain::deal::DealStage;
use crate::domain::ids::DealId;
use crate::domain::money::{Currency, Money};
use crate::domain::reporting::DateRange;
use crate::server::entities::{attributions, deals, touchpoints};
use crate::server::tenant::Tenant;

/// Spelled as a list (not "not open") so SQLite walks the (organization, stage, closed_at) index
/// instead of scanning the organization's touchpoints. Won first.
const CLOSED: [&str; 2] = ["won", "lost"];

fn at(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The ids of the deals won in the range, in `currency`.
fn won_in(org: i64, range: DateRange, currency: Currency) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(deals::Column::Id)
        .from(deals::Entity)
        .and_where(deals::Column::OrganizationId.eq(org))
        .and_where(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .and_where(deals::Column::ClosedAt.gte(at(range.start)))
        .and_where(deals::Column::ClosedAt.lt(at(range.end)))
        .and_where(deals::Column::Currency.eq(currency.code()))
        .to_owned()
}

/// Per partner: its credit under `model` stored with the deals won in the range (in `currency`),
/// summed by the database.
pub async fn stored_credit(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    model: AttributionModel,
    currency: Currency,
) -> Result<HashMap<i64, i64>, DbErr> {
    let org = tenant.organization_id().0;
    let rows: Vec<(i64, i64)> = attributions::Entity::find()
        .select_only()
        .column(attributions::Column::PartnerId)
        .column_as(
            Expr::expr(Func::sum(Expr::col(attributions::Column::AmountMinor)))
                .cast_as(Alias::new("BIGINT")),
            "credit",
        )
        .filter(attributions::Column::OrganizationId.eq(org))
        .filter(attributions::Column::Model.eq(model.as_str()))
        .filter(attributions::Column::DealId.in_subquery(won_in(org, range, currency)))
        .group_by(attributions::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Deals won in the range, in `currency`, with their touches: ready to attribute. With
/// `without_stored`, only those without a stored split under that model (history that was
/// imported rather than won here).
pub async fn won_deals(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    currency: Currency,
    without_stored: Option<AttributionModel>,
) -> Result<Vec<DealInput>, DbErr> {
    let org = tenant.organization_id().0;
    let stored = |model: AttributionModel| {
        Query::select()
            .expr(Expr::val(1))
            .from(attributions::Entity)
            .and_where(
                Expr::col((attributions::Entity, attributions::Column::OrganizationId))
                    .equals((deals::Entity, deals::Column::OrganizationId)),
            )
            .and_where(
                Expr::col((attributions::Entity, attributions::Column::DealId))
                    .equals((deals::Entity, deals::Column::Id)),
            )
            .and_where(
                Expr::col((attributions::Entity, attributions::Column::Model)).eq(model.as_str()),
            )
            .to_owned()
    };
    let mut select = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::AmountMinor)
        .column(deals::Column::ClosedAt)
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .filter(deals::Column::ClosedAt.gte(at(range.start)))
        .filter(deals::Column::ClosedAt.lt(at(range.end)))
        .filter(deals::Column::Currency.eq(currency.code()));
    if let Some(model) = without_stored {
        select = select.filter(Expr::not_exists(stored(model)));
    }
    let won: Vec<(i64, i64, Option<DateTime<Utc>>)> = select.into_tuple().all(db).await?;
    if won.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = won.iter().map(|(id, ..)| *id).collect();
    let mut by_deal = super::partner_stats::touches_of(tenant, db, &ids).await?;
    Ok(won
        .into_iter()
        .filter_map(|(id, minor, closed_at)| {
            Some(DealInput {
                deal: DealId(id),
                amount: Money::from_minor(minor, currency),
                closed_at: closed_at?,
                touches: by_deal.remove(&DealId(id)).unwrap_or_default(),
            })
        })
        .collect())
}

/// Deals won in the range in a currency other than `currency`: not in a leaderboard in it.
pub async fn won_in_other_currencies(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    currency: Currency,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    deals::Entity::find()
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .filter(deals::Column::ClosedAt.gte(at(range.start)))
        .filter(deals::Column::ClosedAt.lt(at(range.end)))
        .filter(deals::Column::Currency.ne(currency.code()))
        .count(db)
        .await
}

/// Per partner: distinct deals touched in the range.
pub async fn influenced(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<HashMap<i64, u32>, DbErr> {
    let rows: Vec<(i64, i64)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::PartnerId)
        .column_as(
            Expr::col(touchpoints::Column::DealId).count_distinct(),
            "deals",
        )
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::OccurredAt.gte(at(range.start)))
        .filter(touchpoints::Column::OccurredAt.lt(at(range.end)))
        .group_by(touchpoints::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(p, n)| (p, n as u32)).collect())
}

/// The ids of the deals that closed in the range, won or lost or (`won_only`) won.
fn closed_in(org: i64, range: DateRange, won_only: bool) -> sea_orm::sea_query::SelectStatement {
    let stages: &[&str] = if won_only { &CLOSED[..1] } else { &CLOSED };
    Query::select()
        .column(deals::Column::Id)
        .from(deals::Entity)
        .and_where(deals::Column::OrganizationId.eq(org))
        .and_where(deals::Column::Stage.is_in(stages.iter().copied()))
        .and_where(deals::Column::ClosedAt.gte(at(range.start)))
        .and_where(deals::Column::ClosedAt.lt(at(range.end)))
        .to_owned()
}

/// Per partner: (won, closed) among the deals closed in the range that it touched, counted by
/// the database (a partner with several touches on a deal counts it once).
pub async fn outcomes(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<HashMap<i64, (u32, u32)>, DbErr> {
    let org = tenant.organization_id().0;
    let count = |won_only: bool| {
        touchpoints::Entity::find()
            .select_only()
            .column(touchpoints::Column::PartnerId)
            .column_as(
                Expr::col(touchpoints::Column::DealId).count_distinct(),
                "deals",
            )
            .filter(touchpoints::Column::OrganizationId.eq(org))
            .filter(touchpoints::Column::DealId.in_subquery(closed_in(org, range, won_only)))
            .group_by(touchpoints::Column::PartnerId)
            .into_tuple::<(i64, i64)>()
            .all(db)
    };
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (partner, closed) in count(false).await? {
        out.entry(partner).or_default().1 = closed as u32;
    }
    for (partner, won) in count(true).await? {
        out.entry(partner).or_default().0 = won as u32;
    }
    Ok(out)
}
