//! The numbers behind the leaderboard, for one tenant and one period.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::attribution::{DealInput, Touch};
use crate::domain::deal::DealStage;
use crate::domain::ids::{DealId, PartnerId};
use crate::domain::money::{Currency, Money};
use crate::domain::reporting::DateRange;
use crate::server::entities::{deals, touchpoints};
use crate::server::tenant::Tenant;

/// Spelled as a list (not "not open") so SQLite walks the (organization, stage, closed_at) index
/// instead of scanning the organization's touchpoints.
const CLOSED: [&str; 2] = ["won", "lost"];

fn at(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Deals won in the range, in `currency`, with their touches: ready to attribute. Also the
/// number won in other currencies.
pub async fn won_deals(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
    currency: Currency,
) -> Result<(Vec<DealInput>, u64), DbErr> {
    let org = tenant.organization_id().0;
    let won: Vec<(i64, i64, String, Option<DateTime<Utc>>)> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::AmountMinor)
        .column(deals::Column::Currency)
        .column(deals::Column::ClosedAt)
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .filter(deals::Column::ClosedAt.gte(at(range.start)))
        .filter(deals::Column::ClosedAt.lt(at(range.end)))
        .into_tuple()
        .all(db)
        .await?;
    let touches: Vec<(i64, i64, String, DateTime<Utc>)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::PartnerId)
        .column(touchpoints::Column::Kind)
        .column(touchpoints::Column::OccurredAt)
        .filter(touchpoints::Column::OrganizationId.eq(org))
        .filter(
            touchpoints::Column::DealId.in_subquery(
                Query::select()
                    .column(deals::Column::Id)
                    .from(deals::Entity)
                    .and_where(deals::Column::OrganizationId.eq(org))
                    .and_where(deals::Column::Stage.eq(DealStage::Won.as_str()))
                    .and_where(deals::Column::ClosedAt.gte(at(range.start)))
                    .and_where(deals::Column::ClosedAt.lt(at(range.end)))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut by_deal: HashMap<i64, Vec<Touch>> = HashMap::new();
    for (deal, partner, kind, occurred_at) in touches {
        by_deal.entry(deal).or_default().push(Touch {
            partner: PartnerId(partner),
            kind: kind
                .parse()
                .map_err(|e| super::corrupt("touchpoint kind", e))?,
            at: occurred_at,
        });
    }
    let mut inputs = Vec::new();
    let mut other = 0;
    for (id, minor, deal_currency, closed_at) in won {
        if deal_currency != currency.code() {
            other += 1;
            continue;
        }
        let Some(closed_at) = closed_at else { continue };
        inputs.push(DealInput {
            deal: DealId(id),
            amount: Money::from_minor(minor, currency),
            closed_at,
            touches: by_deal.remove(&id).unwrap_or_default(),
        });
    }
    Ok((inputs, other))
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

/// Per partner: (won, closed) among the deals closed in the range that it touched.
pub async fn outcomes(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<HashMap<i64, (u32, u32)>, DbErr> {
    let org = tenant.organization_id().0;
    let closed: Vec<(i64, String)> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::Stage)
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Stage.is_in(CLOSED))
        .filter(deals::Column::ClosedAt.gte(at(range.start)))
        .filter(deals::Column::ClosedAt.lt(at(range.end)))
        .into_tuple()
        .all(db)
        .await?;
    let stage: HashMap<i64, bool> = closed
        .into_iter()
        .map(|(id, s)| (id, s == DealStage::Won.as_str()))
        .collect();
    let pairs: Vec<(i64, i64)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::PartnerId)
        .column(touchpoints::Column::DealId)
        .filter(touchpoints::Column::OrganizationId.eq(org))
        .filter(
            touchpoints::Column::DealId.in_subquery(
                Query::select()
                    .column(deals::Column::Id)
                    .from(deals::Entity)
                    .and_where(deals::Column::OrganizationId.eq(org))
                    .and_where(deals::Column::Stage.is_in(CLOSED))
                    .and_where(deals::Column::ClosedAt.gte(at(range.start)))
                    .and_where(deals::Column::ClosedAt.lt(at(range.end)))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    // A partner with several touches on a deal counts it once.
    let pairs: std::collections::HashSet<(i64, i64)> = pairs.into_iter().collect();
    for (partner, deal) in pairs {
        if let Some(&won) = stage.get(&deal) {
            let entry = out.entry(partner).or_default();
            entry.1 += 1;
            if won {
                entry.0 += 1;
            }
        }
    }
    Ok(out)
}
