//! The monthly totals of `domain::monthly_stats` in the database: kept in step by every service
//! that changes a deal (a `Tracker` around the change applies the difference in the same
//! transaction), rebuilt from the deals after bulk loads, and summed for period numbers.
//!
//! Totals are organization-wide: they are read and written with the organization alone, never
//! narrowed to a partner user's own rows (a partner's view is a filter on the result).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::corrupt;
use super::sums::{self, SelectTotal};
use crate::entities::text::Text;
use crate::entities::{
    attributions, deals, organization_monthly_stats as org_stats, partner_monthly_stats as stats,
    touchpoints,
};
use crate::tenant::Tenant;
use domain::attribution::{AttributionModel, Touch};
use domain::deal::DealStage;
use domain::ids::{DealId, OrganizationId, PartnerId};
use domain::money::Currency;
use domain::monthly_stats::{self, DealFacts, Metric, StatKey, Totals};
use domain::touchpoint::TouchpointKind;

type DealRow = (
    i64,
    i64,
    Text<Currency>,
    Text<DealStage>,
    Option<DateTime<Utc>>,
    Option<NaiveDate>,
    Option<Text<Decimal>>,
);
type TouchRow = (i64, i64, Text<TouchpointKind>, DateTime<Utc>);
type CreditRow = (i64, Text<AttributionModel>, i64, i64);

fn facts_of(
    (_, amount_minor, Text(currency), Text(stage), closed_at, expected_close, fx_rate): DealRow,
    base: Currency,
    touches: Vec<Touch>,
    credit: Vec<(AttributionModel, PartnerId, i64)>,
) -> Result<DealFacts, DbErr> {
    let to_base = match fx_rate {
        _ if currency == base => Some(Decimal::ONE),
        Some(Text(rate)) => Some(rate),
        None => None,
    };
    Ok(DealFacts {
        amount_minor,
        stage,
        closed_at,
        expected_close,
        currency,
        base,
        to_base,
        touches,
        credit,
    })
}

fn touch_of((_, partner, Text(kind), at): TouchRow) -> Result<Touch, DbErr> {
    Ok(Touch {
        partner: PartnerId(partner),
        kind,
        at,
    })
}

async fn base_currency(org: i64, db: &impl ConnectionTrait) -> Result<Currency, DbErr> {
    use crate::entities::organizations;
    let code: Option<Text<Currency>> = organizations::Entity::find_by_id(org)
        .select_only()
        .column(organizations::Column::BaseCurrency)
        .into_tuple()
        .one(db)
        .await?;
    code.map(|Text(c)| c)
        .ok_or_else(|| DbErr::RecordNotFound("organization".into()))
}

fn deal_columns() -> sea_orm::Select<deals::Entity> {
    deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::AmountMinor)
        .column(deals::Column::Currency)
        .column(deals::Column::Stage)
        .column(deals::Column::ClosedAt)
        .column(deals::Column::ExpectedCloseOn)
        .column(deals::Column::FxRate)
}

fn touch_columns(org: i64) -> sea_orm::Select<touchpoints::Entity> {
    touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::PartnerId)
        .column(touchpoints::Column::Kind)
        .column(touchpoints::Column::OccurredAt)
        .filter(touchpoints::Column::OrganizationId.eq(org))
}

fn credit_columns(org: i64) -> sea_orm::Select<attributions::Entity> {
    attributions::Entity::find()
        .select_only()
        .column(attributions::Column::DealId)
        .column(attributions::Column::Model)
        .column(attributions::Column::PartnerId)
        .column(attributions::Column::AmountMinor)
        .filter(attributions::Column::OrganizationId.eq(org))
}

fn credit_of(
    (_, Text(model), partner, minor): CreditRow,
) -> Result<(AttributionModel, PartnerId, i64), DbErr> {
    Ok((model, PartnerId(partner), minor))
}

/// The deal as the totals see it, `None` if it does not exist. On PostgreSQL the deal's row is
/// locked until the transaction ends, so two changes to one deal apply their differences in turn
/// (SQLite has one writer at a time anyway).
pub async fn facts(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: DealId,
) -> Result<Option<DealFacts>, DbErr> {
    let org = tenant.organization_id().0;
    let mut select = deal_columns()
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Id.eq(deal.0));
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    let Some(row) = select.into_tuple::<DealRow>().one(db).await? else {
        return Ok(None);
    };
    let touches = touch_columns(org)
        .filter(touchpoints::Column::DealId.eq(deal.0))
        .into_tuple::<TouchRow>()
        .all(db)
        .await?
        .into_iter()
        .map(touch_of)
        .collect::<Result<_, _>>()?;
    let credit = credit_columns(org)
        .filter(attributions::Column::DealId.eq(deal.0))
        .into_tuple::<CreditRow>()
        .all(db)
        .await?
        .into_iter()
        .map(credit_of)
        .collect::<Result<_, _>>()?;
    let base = base_currency(org, db).await?;
    facts_of(row, base, touches, credit).map(Some)
}

/// Remembers a deal as it was before a change; `finish` moves the totals to the deal as it is.
pub struct Tracker {
    deal: DealId,
    before: Option<DealFacts>,
}

impl Tracker {
    pub async fn start(
        tenant: &Tenant,
        db: &impl ConnectionTrait,
        deal: DealId,
    ) -> Result<Tracker, DbErr> {
        Ok(Tracker {
            deal,
            before: facts(tenant, db, deal).await?,
        })
    }

    /// For a deal that did not exist before.
    pub fn new_deal(deal: DealId) -> Tracker {
        Tracker { deal, before: None }
    }

    pub async fn finish(self, tenant: &Tenant, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let after = facts(tenant, db, self.deal).await?;
        let moved = monthly_stats::difference(self.before.as_ref(), after.as_ref());
        add(tenant.organization_id(), db, &moved).await
    }
}

/// Adds `totals` to the stored ones (upserting), then drops the totals that reached zero.
async fn add(org: OrganizationId, db: &impl ConnectionTrait, totals: &Totals) -> Result<(), DbErr> {
    if totals.is_empty() {
        return Ok(());
    }
    let (partner_rows, org_rows): (Vec<_>, Vec<_>) =
        totals.iter().partition(|(key, _)| key.partner.is_some());
    // `excluded.value`: the value the conflicting insert proposed (both back ends).
    let excluded = || Expr::col((Alias::new("excluded"), Alias::new("value")));
    if !partner_rows.is_empty() {
        let mut insert = Query::insert();
        insert.into_table(stats::Entity).columns(partner_columns());
        for (key, value) in &partner_rows {
            insert.values_panic(partner_values(org, key, **value));
        }
        insert.on_conflict(
            OnConflict::columns([
                stats::Column::OrganizationId,
                stats::Column::Metric,
                stats::Column::Month,
                stats::Column::PartnerId,
                stats::Column::Detail,
            ])
            .value(
                stats::Column::Value,
                Expr::col((stats::Entity, stats::Column::Value)).add(excluded()),
            )
            .to_owned(),
        );
        db.execute(&insert).await?;
    }
    if !org_rows.is_empty() {
        let mut insert = Query::insert();
        insert.into_table(org_stats::Entity).columns(org_columns());
        for (key, value) in &org_rows {
            insert.values_panic(org_values(org, key, **value));
        }
        insert.on_conflict(
            OnConflict::columns([
                org_stats::Column::OrganizationId,
                org_stats::Column::Metric,
                org_stats::Column::Month,
                org_stats::Column::Detail,
            ])
            .value(
                org_stats::Column::Value,
                Expr::col((org_stats::Entity, org_stats::Column::Value)).add(excluded()),
            )
            .to_owned(),
        );
        db.execute(&insert).await?;
    }
    let months: Vec<&str> = totals.keys().map(|k| k.month.as_str()).collect();
    stats::Entity::delete_many()
        .filter(stats::Column::OrganizationId.eq(org.0))
        .filter(stats::Column::Month.is_in(months.clone()))
        .filter(stats::Column::Value.eq(0))
        .exec(db)
        .await?;
    org_stats::Entity::delete_many()
        .filter(org_stats::Column::OrganizationId.eq(org.0))
        .filter(org_stats::Column::Month.is_in(months))
        .filter(org_stats::Column::Value.eq(0))
        .exec(db)
        .await?;
    Ok(())
}

fn partner_columns() -> [stats::Column; 6] {
    [
        stats::Column::OrganizationId,
        stats::Column::Metric,
        stats::Column::Month,
        stats::Column::PartnerId,
        stats::Column::Detail,
        stats::Column::Value,
    ]
}

fn partner_values(org: OrganizationId, key: &StatKey, value: i64) -> [Expr; 6] {
    [
        Expr::val(org.0),
        Expr::val(key.metric.as_str()),
        Expr::val(key.month.clone()),
        Expr::val(key.partner.map_or(0, |p| p.0)),
        Expr::val(key.detail.clone()),
        Expr::val(value),
    ]
}

fn org_columns() -> [org_stats::Column; 5] {
    [
        org_stats::Column::OrganizationId,
        org_stats::Column::Metric,
        org_stats::Column::Month,
        org_stats::Column::Detail,
        org_stats::Column::Value,
    ]
}

fn org_values(org: OrganizationId, key: &StatKey, value: i64) -> [Expr; 5] {
    [
        Expr::val(org.0),
        Expr::val(key.metric.as_str()),
        Expr::val(key.month.clone()),
        Expr::val(key.detail.clone()),
        Expr::val(value),
    ]
}

/// The totals computed from every deal of the organization, as they should be.
pub async fn computed(org: OrganizationId, db: &impl ConnectionTrait) -> Result<Totals, DbErr> {
    let base = base_currency(org.0, db).await?;
    let mut touches: HashMap<i64, Vec<Touch>> = HashMap::new();
    for row in touch_columns(org.0)
        .into_tuple::<TouchRow>()
        .all(db)
        .await?
    {
        touches.entry(row.0).or_default().push(touch_of(row)?);
    }
    let mut credit: HashMap<i64, Vec<_>> = HashMap::new();
    for row in credit_columns(org.0)
        .into_tuple::<CreditRow>()
        .all(db)
        .await?
    {
        credit.entry(row.0).or_default().push(credit_of(row)?);
    }
    let mut totals = Totals::new();
    for row in deal_columns()
        .filter(deals::Column::OrganizationId.eq(org.0))
        .into_tuple::<DealRow>()
        .all(db)
        .await?
    {
        let id = row.0;
        let facts = facts_of(
            row,
            base,
            touches.remove(&id).unwrap_or_default(),
            credit.remove(&id).unwrap_or_default(),
        )?;
        for (key, value) in monthly_stats::contribution(&facts) {
            *totals.entry(key).or_default() += value;
        }
    }
    totals.retain(|_, v| *v != 0);
    Ok(totals)
}

/// The totals as stored.
pub async fn stored(org: OrganizationId, db: &impl ConnectionTrait) -> Result<Totals, DbErr> {
    let parse = |metric: String| -> Result<Metric, DbErr> {
        metric.parse().map_err(|e| corrupt("metric", e))
    };
    let mut totals = Totals::new();
    for row in stats::Entity::find()
        .filter(stats::Column::OrganizationId.eq(org.0))
        .all(db)
        .await?
    {
        let key = StatKey {
            partner: Some(PartnerId(row.partner_id)),
            month: row.month,
            metric: parse(row.metric)?,
            detail: row.detail,
        };
        totals.insert(key, row.value);
    }
    for row in org_stats::Entity::find()
        .filter(org_stats::Column::OrganizationId.eq(org.0))
        .all(db)
        .await?
    {
        let key = StatKey {
            partner: None,
            month: row.month,
            metric: parse(row.metric)?,
            detail: row.detail,
        };
        totals.insert(key, row.value);
    }
    Ok(totals)
}

/// Replaces the organization's totals with ones computed from its deals (after bulk loads, and
/// for databases that had deals before the totals existed).
pub async fn rebuild(org: OrganizationId, db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let totals = computed(org, db).await?;
    stats::Entity::delete_many()
        .filter(stats::Column::OrganizationId.eq(org.0))
        .exec(db)
        .await?;
    org_stats::Entity::delete_many()
        .filter(org_stats::Column::OrganizationId.eq(org.0))
        .exec(db)
        .await?;
    // Chunks stay under SQLite's limit on bound values per statement.
    let rows: Vec<(&StatKey, &i64)> = totals.iter().collect();
    for chunk in rows.chunks(1_000) {
        let chunk: Totals = chunk.iter().map(|(k, v)| ((*k).clone(), **v)).collect();
        add(org, db, &chunk).await?;
    }
    Ok(())
}

/// Rebuilds the totals of organizations that have touchpoints but no totals yet: databases
/// from before the totals existed. Returns how many it rebuilt.
pub async fn rebuild_missing(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    use crate::entities::organizations;
    // Two index probes per organization rather than a scan of every touchpoint at start-up.
    let orgs: Vec<i64> = organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut missing = Vec::new();
    for org in orgs {
        let touched = touchpoints::Entity::find()
            .filter(touchpoints::Column::OrganizationId.eq(org))
            .one(db)
            .await?
            .is_some();
        let totalled = stats::Entity::find()
            .filter(stats::Column::OrganizationId.eq(org))
            .one(db)
            .await?
            .is_some();
        if touched && !totalled {
            missing.push(org);
        }
    }
    for org in &missing {
        rebuild(OrganizationId(*org), db).await?;
    }
    Ok(missing.len())
}

/// Per partner: the sum of a partner metric over the months `from..to` (with `detail`, only
/// totals with that detail).
pub async fn partner_sums(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    metric: Metric,
    (from, to): (&str, &str),
    detail: Option<&str>,
) -> Result<HashMap<i64, i128>, DbErr> {
    let mut select = stats::Entity::find()
        .select_only()
        .column(stats::Column::PartnerId)
        .total_of(Expr::col(stats::Column::Value))
        .filter(stats::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(stats::Column::Metric.eq(metric.as_str()))
        .filter(stats::Column::Month.gte(from))
        .filter(stats::Column::Month.lt(to));
    select = match metric {
        // `monthly_stats::counts_in`: a deal counts at its first touched month in the range.
        Metric::Touched => select.filter(stats::Column::Detail.lt(from)),
        _ => match detail {
            Some(detail) => select.filter(stats::Column::Detail.eq(detail)),
            None => select,
        },
    };
    let rows: Vec<(i64, Option<i64>, Option<i64>)> = select
        .group_by(stats::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(partner, high, low)| (partner, sums::total(high, low)))
        .collect())
}

/// Per detail: the sum of an organization metric over the months `from..to`.
pub async fn organization_sums(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    metric: Metric,
    (from, to): (&str, &str),
) -> Result<BTreeMap<String, i128>, DbErr> {
    let rows: Vec<(String, Option<i64>, Option<i64>)> = org_stats::Entity::find()
        .select_only()
        .column(org_stats::Column::Detail)
        .total_of(Expr::col(org_stats::Column::Value))
        .filter(org_stats::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(org_stats::Column::Metric.eq(metric.as_str()))
        .filter(org_stats::Column::Month.gte(from))
        .filter(org_stats::Column::Month.lt(to))
        .group_by(org_stats::Column::Detail)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(detail, high, low)| (detail, sums::total(high, low)))
        .collect())
}

/// An organization metric's totals per month and detail over the months `from..to`.
pub async fn organization_months(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    metric: Metric,
    (from, to): (&str, &str),
) -> Result<Vec<(String, String, i64)>, DbErr> {
    org_stats::Entity::find()
        .select_only()
        .column(org_stats::Column::Month)
        .column(org_stats::Column::Detail)
        .column(org_stats::Column::Value)
        .filter(org_stats::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(org_stats::Column::Metric.eq(metric.as_str()))
        .filter(org_stats::Column::Month.gte(from))
        .filter(org_stats::Column::Month.lt(to))
        .into_tuple()
        .all(db)
        .await
}

/// A partner metric's totals per partner, month and detail over the months `from..to`
/// (`monthly_stats::UNDATED`, the month of undated open deals, sorts first).
pub async fn partner_months(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    metric: Metric,
    (from, to): (&str, &str),
) -> Result<Vec<(i64, String, String, i64)>, DbErr> {
    stats::Entity::find()
        .select_only()
        .column(stats::Column::PartnerId)
        .column(stats::Column::Month)
        .column(stats::Column::Detail)
        .column(stats::Column::Value)
        .filter(stats::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(stats::Column::Metric.eq(metric.as_str()))
        .filter(stats::Column::Month.gte(from))
        .filter(stats::Column::Month.lt(to))
        .into_tuple()
        .all(db)
        .await
}
