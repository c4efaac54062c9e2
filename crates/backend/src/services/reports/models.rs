//! Model comparison: the period's won deals attributed now under every rule-based model with the
//! organization's settings, each partner's credit side by side, and what the commission rules in
//! force would pay on it (`domain::model_costs`). Deals in other currencies are counted apart,
//! as in the settings preview. The models run in parallel, off the async workers, and the result
//! is kept until the organization's data changes (`report_cache`).

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::{money, scope};
use crate::caller::Caller;
use crate::repo;
use domain::attribution::AttributionModel;
use domain::ids::PartnerId;
use domain::model_costs::{PartnerCosts, model_costs};
use domain::reporting::Period;
use wire::AppError;
use wire::reports::{ModelComparison, ModelRow, ModelTotals};

pub async fn build(caller: &Caller, period: Period) -> Result<ModelComparison, AppError> {
    let scope = scope(caller, period).await?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let org = tenant.organization_id().0;
    let version = repo::audit::newest(tenant, db).await?;
    if let Some(report) = caller
        .backend
        .report_cache
        .models(org, scope.range, version)
    {
        return Ok(report);
    }

    let (_, settings) =
        repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
    let mut deals =
        repo::leaderboard::won_deals(tenant, db, scope.range, scope.currency, None).await?;
    // In the order they were won: tiered rules count earlier credit in the quarter.
    deals.sort_by_key(|d| (d.closed_at, d.deal));
    let other_currency_deals =
        repo::leaderboard::won_in_other_currencies(tenant, db, scope.range, scope.currency).await?;
    let partners: Vec<i64> = deals
        .iter()
        .flat_map(|d| d.touches.iter().map(|t| t.partner.0))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let facts = repo::commission_rules::facts_of(tenant, db, &partners).await?;
    let rules = repo::commission_rules::in_force(tenant, db).await?;
    let attributed = deals
        .iter()
        .filter(|d| d.touches.iter().any(|t| t.at <= d.closed_at))
        .count();
    let models = AttributionModel::RULE_BASED;
    let costs: Vec<PartnerCosts> = tokio::task::spawn_blocking(move || {
        models
            .par_iter()
            .map(|model| model_costs(&deals, *model, &settings, &rules, &facts))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(AppError::internal)??;

    // Per partner, per model in `models` order: (credit, commission).
    let mut sums: BTreeMap<PartnerId, Vec<(i128, i128)>> = BTreeMap::new();
    for (column, per_partner) in costs.iter().enumerate() {
        for (partner, cell) in per_partner {
            sums.entry(*partner)
                .or_insert_with(|| vec![(0, 0); models.len()])[column] = *cell;
        }
    }
    let labels = repo::reports::partner_labels(tenant, db).await?;
    let mut rows: Vec<ModelRow> = sums
        .iter()
        .map(|(partner, cells)| ModelRow {
            partner_id: *partner,
            name: labels
                .get(&partner.0)
                .map_or_else(|| format!("Partner {partner}"), |l| l.name.clone()),
            credit: cells.iter().map(|(c, _)| money(*c, &scope)).collect(),
            commission: cells.iter().map(|(_, c)| money(*c, &scope)).collect(),
        })
        .collect();
    let payable_at = models.iter().position(|m| *m == scope.payable).unwrap_or(0);
    rows.sort_by(|a, b| {
        let amount = |r: &ModelRow| r.credit.get(payable_at).map(|m| m.amount());
        amount(b).cmp(&amount(a)).then(a.name.cmp(&b.name))
    });
    let totals = models
        .iter()
        .zip(&costs)
        .map(|(model, per_partner)| {
            let (credit, commission) = per_partner
                .values()
                .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
            ModelTotals {
                model: *model,
                credit: money(credit, &scope),
                commission: money(commission, &scope),
            }
        })
        .collect();
    let report = ModelComparison {
        scope,
        models: totals,
        rows,
        deals: attributed as i64,
        other_currency_deals: other_currency_deals as i64,
    };
    caller
        .backend
        .report_cache
        .keep_models(org, report.scope.range, version, &report);
    Ok(report)
}
