//! Program ROI: commission earned in the period against the revenue attributed to partners,
//! per partner type and per partner.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{money, month_keys, scope};
use crate::caller::Caller;
use crate::repo::{self, monthly_stats};
use domain::earnings::summarize;
use domain::monthly_stats::Metric;
use domain::reporting::Period;
use wire::AppError;
use wire::reports::{ReportScope, RoiReport, RoiRow};

/// Attributed, commission and paid (minor units).
type Sums = (i128, i128, i128);

fn row(
    key: String,
    label: String,
    (attributed, commission, paid): Sums,
    scope: &ReportScope,
) -> RoiRow {
    RoiRow {
        key,
        label,
        attributed: money(attributed, scope),
        commission: money(commission, scope),
        paid: money(paid, scope),
    }
}

fn add(into: &mut Sums, from: Sums) {
    into.0 += from.0;
    into.1 += from.1;
    into.2 += from.2;
}

pub async fn build(caller: &Caller, period: Period) -> Result<RoiReport, AppError> {
    let scope = scope(caller, period).await?;
    let (from, to) = month_keys(scope.range)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let attributed = monthly_stats::partner_sums(
        tenant,
        db,
        Metric::Revenue,
        (&from, &to),
        Some(scope.payable.as_str()),
    )
    .await?;
    let entries = repo::payouts::earned_by_partner(tenant, db, scope.range, scope.currency).await?;
    let earned: HashMap<i64, (i128, i128)> = summarize(&entries, &[])
        .partners
        .into_iter()
        .map(|(p, by)| (p.0, (by.total(), by.paid)))
        .collect();
    let labels = repo::reports::partner_labels(tenant, db).await?;

    let ids: BTreeSet<i64> = attributed.keys().chain(earned.keys()).copied().collect();
    let mut total: Sums = (0, 0, 0);
    let mut by_type: BTreeMap<_, Sums> = BTreeMap::new();
    let mut by_partner = Vec::new();
    for id in ids {
        let (commission, paid) = earned.get(&id).copied().unwrap_or_default();
        let sums = (attributed.get(&id).copied().unwrap_or(0), commission, paid);
        if sums == (0, 0, 0) {
            continue;
        }
        add(&mut total, sums);
        let Some(label) = labels.get(&id) else {
            continue;
        };
        add(by_type.entry(label.partner_type).or_default(), sums);
        by_partner.push(row(id.to_string(), label.name.clone(), sums, &scope));
    }
    by_partner.sort_by(|a, b| {
        b.attributed
            .amount()
            .cmp(&a.attributed.amount())
            .then(a.label.cmp(&b.label))
    });
    let mut by_type: Vec<RoiRow> = by_type
        .into_iter()
        .map(|(t, sums)| row(t.as_str().to_owned(), t.title(), sums, &scope))
        .collect();
    by_type.sort_by_key(|r| std::cmp::Reverse(r.attributed.amount()));
    Ok(RoiReport {
        total: row(String::new(), "All partners".into(), total, &scope),
        scope,
        by_type,
        by_partner,
    })
}
