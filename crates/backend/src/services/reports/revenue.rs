//! Partner revenue: sourced and influenced won revenue by month and quarter, its share of all
//! won revenue, the same months a year before, and attributed revenue by partner type and tier.

use std::collections::{BTreeMap, HashMap};

use chrono::Months;

use super::{count, money, month_keys, months_in, quarter_label, scope};
use crate::caller::Caller;
use crate::repo::{self, monthly_stats};
use domain::monthly_stats::{Metric, month_of};
use domain::reporting::{DateRange, Period, quarter_start};
use wire::AppError;
use wire::reports::{RevenueGroup, RevenueMonth, RevenueReport, RevenueTotals};

/// Per month key: the organization metric's total (every detail).
async fn by_month(
    caller: &Caller,
    metric: Metric,
    span: (&str, &str),
) -> Result<HashMap<String, i128>, AppError> {
    let mut months: HashMap<String, i128> = HashMap::new();
    for (month, _, value) in
        monthly_stats::organization_months(&caller.tenant, caller.db(), metric, span).await?
    {
        *months.entry(month).or_default() += i128::from(value);
    }
    Ok(months)
}

pub async fn build(caller: &Caller, period: Period) -> Result<RevenueReport, AppError> {
    let scope = scope(caller, period).await?;
    let range = scope.range;
    let (from, to) = month_keys(range)?;
    let span = (from.as_str(), to.as_str());
    let year_before = DateRange {
        start: range.start - Months::new(12),
        end: range.end - Months::new(12),
    };
    let (from_before, to_before) = month_keys(year_before)?;
    let span_before = (from_before.as_str(), to_before.as_str());

    let total = by_month(caller, Metric::WonTotal, span).await?;
    let sourced = by_month(caller, Metric::Sourced, span).await?;
    let sourced_deals = by_month(caller, Metric::SourcedDeals, span).await?;
    let influenced = by_month(caller, Metric::Influenced, span).await?;
    let influenced_deals = by_month(caller, Metric::InfluencedDeals, span).await?;
    let mut last_year = by_month(caller, Metric::Sourced, span_before).await?;
    for (month, value) in by_month(caller, Metric::Influenced, span_before).await? {
        *last_year.entry(month).or_default() += value;
    }

    let get = |map: &HashMap<String, i128>, month: &str| map.get(month).copied().unwrap_or(0);
    let months: Vec<RevenueMonth> = months_in(range)
        .into_iter()
        .map(|month| {
            let k = month_of(month);
            let before = month_of(month - Months::new(12));
            RevenueMonth {
                month,
                sourced: money(get(&sourced, &k), &scope),
                sourced_deals: count(get(&sourced_deals, &k)),
                influenced: money(get(&influenced, &k), &scope),
                influenced_deals: count(get(&influenced_deals, &k)),
                total: money(get(&total, &k), &scope),
                partner_last_year: money(get(&last_year, &before), &scope),
            }
        })
        .collect();

    let mut quarters: BTreeMap<chrono::NaiveDate, Vec<&RevenueMonth>> = BTreeMap::new();
    for month in &months {
        quarters
            .entry(quarter_start(month.month))
            .or_default()
            .push(month);
    }
    let quarters = quarters
        .into_iter()
        .map(|(start, months)| {
            let first = months.first().map_or(start, |m| m.month);
            let last = months.last().map_or(start, |m| m.month) + Months::new(1);
            RevenueTotals::of(
                quarter_label(start),
                DateRange {
                    start: first,
                    end: last,
                },
                &months,
                scope.currency,
            )
        })
        .collect();
    let all: Vec<&RevenueMonth> = months.iter().collect();
    let total = RevenueTotals::of(period.title(), range, &all, scope.currency);

    let credit = monthly_stats::partner_sums(
        &caller.tenant,
        caller.db(),
        Metric::Revenue,
        span,
        Some(scope.payable.as_str()),
    )
    .await?;
    let labels = repo::reports::partner_labels(&caller.tenant, caller.db()).await?;
    let mut by_type: BTreeMap<_, (i128, i64)> = BTreeMap::new();
    let mut by_tier: BTreeMap<_, (i128, i64)> = BTreeMap::new();
    for (partner, minor) in credit.into_iter().filter(|(_, minor)| *minor != 0) {
        let Some(label) = labels.get(&partner) else {
            continue;
        };
        let t = by_type.entry(label.partner_type).or_default();
        *t = (t.0 + minor, t.1 + 1);
        let t = by_tier.entry(label.tier).or_default();
        *t = (t.0 + minor, t.1 + 1);
    }
    let group = |key: &str, label: String, (minor, partners): (i128, i64)| RevenueGroup {
        key: key.to_owned(),
        label,
        revenue: money(minor, &scope),
        partners,
    };
    let mut by_type: Vec<RevenueGroup> = by_type
        .into_iter()
        .map(|(t, sums)| group(t.as_str(), t.title(), sums))
        .collect();
    by_type.sort_by_key(|g| std::cmp::Reverse(g.revenue.amount()));
    // Tiers in their own order, highest first.
    let by_tier: Vec<RevenueGroup> = by_tier
        .into_iter()
        .rev()
        .map(|(t, sums)| group(t.as_str(), t.title(), sums))
        .collect();
    Ok(RevenueReport {
        scope,
        months,
        quarters,
        total,
        by_type,
        by_tier,
    })
}
