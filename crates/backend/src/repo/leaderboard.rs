//! The numbers behind the leaderboard, for one tenant and one period of whole months, summed
//! from the monthly totals (`repo::monthly_stats`): a few hundred rows, however many deals.
//! Only deals won without stored credit under the chosen model (imported history) are read
//! and attributed.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

use crate::entities::{attributions, deals, touchpoints};
use crate::repo::monthly_stats;
use crate::tenant::Tenant;
use domain::attribution::{AttributionModel, DealInput};
use domain::deal::DealStage;
use domain::ids::DealId;
use domain::money::{Currency, Money};
use domain::monthly_stats::{self as totals, Metric};
use domain::reporting::DateRange;

fn at(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
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
    // The touches of those deals in one statement (the deals as a subquery), rather than
    // thousands of ids bound in chunks.
    let ids = select
        .clone()
        .select_only()
        .column(deals::Column::Id)
        .into_query();
    let won: Vec<(i64, i64, Option<DateTime<Utc>>)> = select.into_tuple().all(db).await?;
    if won.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_deal = super::partner_stats::touches_where(
        tenant,
        db,
        touchpoints::Column::DealId.in_subquery(ids),
    )
    .await?;
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

fn months(range: DateRange) -> Result<(String, String), DbErr> {
    totals::months_of(range).ok_or_else(|| DbErr::Custom(format!("{range:?} is not whole months")))
}

/// Per partner: its credit under `model` stored with the deals won in the range, in `currency`;
/// and whether some of those deals have none stored under it (history imported, not won here).
pub async fn stored_credit(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    model: AttributionModel,
    currency: Currency,
) -> Result<(HashMap<i64, i128>, bool), DbErr> {
    let (from, to) = months(range)?;
    let detail = totals::credit_detail(model, currency);
    let span = (from.as_str(), to.as_str());
    let credit =
        monthly_stats::partner_sums(tenant, db, Metric::Credit, span, Some(&detail)).await?;
    let creditable = monthly_stats::organization_sums(tenant, db, Metric::Creditable, span).await?;
    let credited = monthly_stats::organization_sums(tenant, db, Metric::Credited, span).await?;
    let missing = creditable.get(currency.code()) != credited.get(&detail);
    Ok((credit, missing))
}

/// Deals won in the range in a currency other than `currency`: not in a leaderboard in it.
pub async fn won_in_other_currencies(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    currency: Currency,
) -> Result<u64, DbErr> {
    let (from, to) = months(range)?;
    let won = monthly_stats::organization_sums(tenant, db, Metric::WonDeals, (&from, &to)).await?;
    Ok(won
        .into_iter()
        .filter(|(code, _)| code != currency.code())
        .map(|(_, n)| u64::try_from(n).unwrap_or_default())
        .sum())
}

/// Per partner: distinct deals touched in the range.
pub async fn influenced(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<HashMap<i64, u32>, DbErr> {
    let (from, to) = months(range)?;
    let counts =
        monthly_stats::partner_sums(tenant, db, Metric::Touched, (&from, &to), None).await?;
    Ok(counts.into_iter().map(|(p, n)| (p, n as u32)).collect())
}

/// Per partner: (won, closed) among the deals closed in the range that it touched (a partner
/// with several touches on a deal counts it once).
pub async fn outcomes(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<HashMap<i64, (u32, u32)>, DbErr> {
    let (from, to) = months(range)?;
    let span = (from.as_str(), to.as_str());
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (partner, closed) in
        monthly_stats::partner_sums(tenant, db, Metric::Closed, span, None).await?
    {
        out.entry(partner).or_default().1 = closed as u32;
    }
    for (partner, won) in monthly_stats::partner_sums(tenant, db, Metric::Won, span, None).await? {
        out.entry(partner).or_default().0 = won as u32;
    }
    Ok(out)
}
