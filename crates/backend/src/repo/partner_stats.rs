//! One partner's record: the deals it touched, its touches in a period, the won deals it shares
//! (with every partner's touches, ready to attribute) and its commission ledger totals. Every
//! query starts from the partner's touchpoints index.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::text::Text;
use crate::entities::{attributions, deals, payouts, touchpoints};
use crate::tenant::Tenant;
use domain::attribution::{AttributionModel, Touch};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId};
use domain::ledger::EntryKind;
use domain::money::Currency;
use domain::payout::PayoutStatus;
use domain::reporting::DateRange;
use domain::touchpoint::TouchpointKind;
use rust_decimal::Decimal;

use super::sums::{SelectTotal, total};

fn at(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// A deal the partner touched, with its own touches on it.
pub struct TouchedDeal {
    pub deal: deals::Model,
    pub touches: u32,
    pub last_touch: DateTime<Utc>,
    /// Whether one of the partner's touches falls in the period asked for.
    pub touched_in_range: bool,
}

pub async fn touched_deals(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
    range: DateRange,
) -> Result<Vec<TouchedDeal>, DbErr> {
    let org = tenant.organization_id().0;
    let touches: Vec<(i64, DateTime<Utc>)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::OccurredAt)
        .filter(touchpoints::Column::OrganizationId.eq(org))
        .filter(touchpoints::Column::PartnerId.eq(partner.0))
        .into_tuple()
        .all(db)
        .await?;
    let (start, end) = (at(range.start), at(range.end));
    let mut by_deal: HashMap<i64, (u32, DateTime<Utc>, bool)> = HashMap::new();
    for (deal, occurred_at) in touches {
        let entry = by_deal.entry(deal).or_insert((0, occurred_at, false));
        entry.0 += 1;
        entry.1 = Ord::max(entry.1, occurred_at);
        entry.2 |= occurred_at >= start && occurred_at < end;
    }
    let ids: Vec<i64> = by_deal.keys().copied().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for deal in deals::Entity::find()
            .filter(deals::Column::OrganizationId.eq(org))
            .filter(deals::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            let (touches, last_touch, touched_in_range) = by_deal[&deal.id];
            out.push(TouchedDeal {
                deal,
                touches,
                last_touch,
                touched_in_range,
            });
        }
    }
    Ok(out)
}

/// Every partner's touches on the deals named, by deal.
pub async fn touches_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal_ids: &[i64],
) -> Result<HashMap<DealId, Vec<Touch>>, DbErr> {
    let mut by_deal: HashMap<DealId, Vec<Touch>> = HashMap::new();
    for chunk in deal_ids.chunks(500) {
        let more = touches_where(
            tenant,
            db,
            touchpoints::Column::DealId.is_in(chunk.iter().copied()),
        )
        .await?;
        by_deal.extend(more);
    }
    Ok(by_deal)
}

/// The touches matching `condition`, by deal.
pub async fn touches_where(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> Result<HashMap<DealId, Vec<Touch>>, DbErr> {
    let rows: Vec<(i64, i64, Text<TouchpointKind>, DateTime<Utc>)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::PartnerId)
        .column(touchpoints::Column::Kind)
        .column(touchpoints::Column::OccurredAt)
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(condition)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_deal: HashMap<DealId, Vec<Touch>> = HashMap::new();
    for (deal, partner, kind, occurred_at) in rows {
        by_deal.entry(DealId(deal)).or_default().push(Touch {
            partner: PartnerId(partner),
            kind: kind.0,
            at: occurred_at,
        });
    }
    Ok(by_deal)
}

/// The partner's ledger summed by (status, kind, currency), in minor units.
pub async fn commission_totals(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<(PayoutStatus, EntryKind, Currency, i128)>, DbErr> {
    // Status, kind, currency and the total's partial sums.
    type Row = (
        Text<PayoutStatus>,
        Text<EntryKind>,
        Text<Currency>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = payouts::Entity::find()
        .select_only()
        .column(payouts::Column::Status)
        .column(payouts::Column::Kind)
        .column(payouts::Column::Currency)
        .total_of(Expr::col(payouts::Column::AmountMinor))
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(payouts::Column::PartnerId.eq(partner.0))
        .group_by(payouts::Column::Status)
        .group_by(payouts::Column::Kind)
        .group_by(payouts::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(status, kind, currency, high, low)| (status.0, kind.0, currency.0, total(high, low)))
        .collect())
}

/// The partner's touches in the period.
pub async fn touches_in(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
    range: DateRange,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    touchpoints::Entity::find()
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::PartnerId.eq(partner.0))
        .filter(touchpoints::Column::OccurredAt.gte(at(range.start)))
        .filter(touchpoints::Column::OccurredAt.lt(at(range.end)))
        .count(db)
        .await
}

/// The partner's stored credit under `model` on the deals named (won deals only have one), by
/// deal.
pub async fn credit_on(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
    model: &str,
    deal_ids: &[i64],
) -> Result<HashMap<i64, attributions::Model>, DbErr> {
    let mut out = HashMap::new();
    for chunk in deal_ids.chunks(500) {
        for row in attributions::Entity::find()
            .filter(attributions::Column::OrganizationId.eq(tenant.organization_id().0))
            .filter(attributions::Column::PartnerId.eq(partner.0))
            .filter(attributions::Column::Model.eq(model))
            .filter(attributions::Column::DealId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(row.deal_id, row);
        }
    }
    Ok(out)
}

/// The partner's stored credit under `model` on deals won in the range: amount in minor units,
/// currency and the deal's locked rate into the base currency.
pub async fn credit_won_in(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
    model: AttributionModel,
    range: DateRange,
) -> Result<Vec<(i64, Currency, Option<Decimal>)>, DbErr> {
    let org = tenant.organization_id().0;
    let won = sea_orm::sea_query::Query::select()
        .column(deals::Column::Id)
        .from(deals::Entity)
        .and_where(deals::Column::OrganizationId.eq(org))
        .and_where(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .and_where(deals::Column::ClosedAt.gte(at(range.start)))
        .and_where(deals::Column::ClosedAt.lt(at(range.end)))
        .to_owned();
    attributions::Entity::find()
        .select_only()
        .column(attributions::Column::AmountMinor)
        .column(attributions::Column::Currency)
        .column(attributions::Column::FxRate)
        .filter(attributions::Column::OrganizationId.eq(org))
        .filter(attributions::Column::PartnerId.eq(partner.0))
        .filter(attributions::Column::Model.eq(model.as_str()))
        .filter(attributions::Column::DealId.in_subquery(won))
        .into_tuple::<(i64, Text<Currency>, Option<Text<Decimal>>)>()
        .all(db)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(minor, currency, rate)| (minor, currency.0, rate.map(|r| r.0)))
                .collect()
        })
}
