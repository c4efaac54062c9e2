//! Aggregates for the dashboard, computed in SQL over integer minor units (exact on both back ends).

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::entities::text::Text;
use crate::entities::{deals, partners, payouts};
use crate::tenant::Tenant;
use domain::deal::DealStage;
use domain::ids::OrganizationId;
use domain::money::{Currency, Money};
use domain::partner::PartnerStatus;
use domain::payout::PayoutStatus;
use domain::reporting::trailing_months;
use wire::AppError;
use wire::dashboard::{DashboardSummary, MonthlyRevenue};

use super::sums::{self, SelectTotal};

const MONTHS_SHOWN: u32 = 12;

pub async fn summary(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<DashboardSummary, AppError> {
    let org = tenant.organization_id();
    let header = super::organizations::header(db, org).await?;
    let base = header.base_currency;
    let (won_revenue, won_deals) = deal_totals(db, org, DealStage::Won, base).await?;
    let (open_pipeline, open_deals) = deal_totals(db, org, DealStage::Open, base).await?;
    let (pending_payouts, pending_payout_count) = pending_payout_totals(db, org, base).await?;
    let partners_in_org =
        partners::Entity::find().filter(partners::Column::OrganizationId.eq(org.0));
    let total_partners = partners_in_org.clone().count(db).await?;
    let active_partners = partners_in_org
        .filter(partners::Column::Status.eq(PartnerStatus::Active.as_str()))
        .count(db)
        .await?;
    Ok(DashboardSummary {
        organization_name: header.name,
        base_currency: base,
        won_revenue,
        won_deals,
        open_pipeline,
        open_deals,
        active_partners,
        total_partners,
        pending_payouts,
        pending_payout_count,
        pending_registrations: super::registrations::pending(tenant, db, false).await?,
        flagged_registrations: super::registrations::pending(tenant, db, true).await?,
        open_disputes: super::disputes::open_count(tenant, db).await?,
        revenue_by_month: revenue_by_month(db, org, base, now).await?,
    })
}

/// A currency, its total's high and low halves (`sums`), and how many rows.
type CurrencyTotal = (Text<Currency>, Option<i64>, Option<i64>, i64);

/// Per-currency totals, base currency first (present even when zero), then the others by code.
fn totals_by_currency(
    rows: Vec<CurrencyTotal>,
    base: Currency,
) -> Result<(Vec<Money>, u64), DbErr> {
    let mut totals = vec![Money::zero(base)];
    let mut count = 0u64;
    for (Text(currency), high, low, n) in rows {
        count += u64::try_from(n).unwrap_or(0);
        let money = Money::from_total(sums::total(high, low), currency);
        match totals.iter_mut().find(|m| m.currency() == currency) {
            Some(total) => {
                *total = total
                    .checked_add(money)
                    .map_err(|e| super::corrupt("amount", e))?
            }
            None => totals.push(money),
        }
    }
    totals[1..].sort_by_key(|m| m.currency());
    Ok((totals, count))
}

async fn deal_totals(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    stage: DealStage,
    base: Currency,
) -> Result<(Vec<Money>, u64), DbErr> {
    let rows: Vec<CurrencyTotal> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Currency)
        .total_of(Expr::col(deals::Column::AmountMinor))
        .column_as(deals::Column::Id.count(), "n")
        .filter(deals::Column::OrganizationId.eq(org.0))
        .filter(deals::Column::Stage.eq(stage.as_str()))
        .group_by(deals::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    totals_by_currency(rows, base)
}

async fn pending_payout_totals(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    base: Currency,
) -> Result<(Vec<Money>, u64), DbErr> {
    let rows: Vec<CurrencyTotal> = payouts::Entity::find()
        .select_only()
        .column(payouts::Column::Currency)
        .total_of(Expr::col(payouts::Column::AmountMinor))
        .column_as(payouts::Column::Id.count(), "n")
        .filter(payouts::Column::OrganizationId.eq(org.0))
        .filter(payouts::Column::Status.eq(PayoutStatus::Pending.as_str()))
        .group_by(payouts::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    totals_by_currency(rows, base)
}

/// "YYYY-MM" of a UTC timestamp column, in each back end's dialect.
fn month_of(backend: DatabaseBackend, column: &str) -> SimpleExpr {
    match backend {
        DatabaseBackend::Postgres => {
            Expr::cust(format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"))
        }
        // SQLite stores RFC 3339 text in UTC: the month is its first seven characters.
        _ => Expr::cust(format!("substr({column}, 1, 7)")),
    }
}

/// Won revenue in the base currency per month, zero for months without wins.
async fn revenue_by_month(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    base: Currency,
    now: DateTime<Utc>,
) -> Result<Vec<MonthlyRevenue>, DbErr> {
    let months = trailing_months(now.date_naive(), MONTHS_SHOWN);
    let first = months.first().copied().unwrap_or_else(|| now.date_naive());
    let since = Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default());
    let month = month_of(db.get_database_backend(), "closed_at");
    let rows: Vec<(String, Option<i64>, Option<i64>, i64)> = deals::Entity::find()
        .select_only()
        .column_as(month.clone(), "month")
        .total_of(Expr::col(deals::Column::AmountMinor))
        .column_as(deals::Column::Id.count(), "n")
        .filter(deals::Column::OrganizationId.eq(org.0))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .filter(deals::Column::Currency.eq(base.code()))
        .filter(deals::Column::ClosedAt.gte(since))
        .filter(deals::Column::ClosedAt.lte(now))
        .group_by(month)
        .into_tuple()
        .all(db)
        .await?;
    Ok(months
        .into_iter()
        .map(|month| {
            let key = month.format("%Y-%m").to_string();
            let (minor, deals) = rows
                .iter()
                .find(|(m, ..)| *m == key)
                .map(|(_, high, low, n)| (sums::total(*high, *low), u64::try_from(*n).unwrap_or(0)))
                .unwrap_or((0, 0));
            MonthlyRevenue {
                month,
                revenue: Money::from_total(minor, base),
                deals,
            }
        })
        .collect())
}
