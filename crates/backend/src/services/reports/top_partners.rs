//! Top partners: attributed revenue, deals won, win rate, average deal size and sales cycle.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::{count, money, month_keys, scope};
use crate::caller::Caller;
use crate::repo::{self, monthly_stats};
use domain::monthly_stats::Metric;
use domain::reporting::Period;
use wire::AppError;
use wire::reports::{TOP_PARTNERS, TopPartner, TopPartnersReport};

pub async fn build(caller: &Caller, period: Period) -> Result<TopPartnersReport, AppError> {
    let scope = scope(caller, period).await?;
    let (from, to) = month_keys(scope.range)?;
    let span = (from.as_str(), to.as_str());
    let (tenant, db) = (&caller.tenant, caller.db());
    let sums = |metric, detail| monthly_stats::partner_sums(tenant, db, metric, span, detail);
    let revenue = sums(Metric::Revenue, Some(scope.payable.as_str())).await?;
    let won = sums(Metric::Won, None).await?;
    let closed = sums(Metric::Closed, None).await?;
    let won_value = sums(Metric::WonValue, None).await?;
    let cycle = sums(Metric::CycleDays, None).await?;
    let labels = repo::reports::partner_labels(tenant, db).await?;

    let partners: BTreeSet<i64> = revenue.keys().chain(closed.keys()).copied().collect();
    let get = |map: &HashMap<i64, i128>, id: i64| map.get(&id).copied().unwrap_or(0);
    let mut rows: Vec<TopPartner> = partners
        .into_iter()
        .filter_map(|id| {
            let label = labels.get(&id)?;
            let deals_won = count(get(&won, id));
            Some(TopPartner {
                partner_id: domain::ids::PartnerId(id),
                name: label.name.clone(),
                partner_type: label.partner_type,
                tier: label.tier,
                attributed: money(get(&revenue, id), &scope),
                deals_won,
                deals_closed: count(get(&closed, id)),
                average_deal: (deals_won > 0 && won_value.contains_key(&id)).then(|| {
                    let average =
                        money(get(&won_value, id), &scope).amount() / Decimal::from(deals_won);
                    domain::money::Money::new(
                        average.round_dp(scope.currency.minor_units()),
                        scope.currency,
                    )
                    .unwrap_or(money(0i64, &scope))
                }),
                cycle_days: (deals_won > 0 && cycle.contains_key(&id)).then(|| {
                    (Decimal::from(get(&cycle, id)) / Decimal::from(deals_won)).round_dp(1)
                }),
            })
        })
        .collect();
    let partners = rows.len();
    rows.sort_by(|a, b| {
        b.attributed
            .amount()
            .cmp(&a.attributed.amount())
            .then(b.deals_won.cmp(&a.deals_won))
            .then(a.name.cmp(&b.name))
    });
    rows.truncate(TOP_PARTNERS);
    Ok(TopPartnersReport {
        scope,
        rows,
        partners,
    })
}
