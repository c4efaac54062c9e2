//! Model comparison: the period's won deals attributed now under every rule-based model with the
//! organization's settings, each partner's credit side by side, and what the commission rules in
//! force would pay on it — deal by deal in the order the deals were won, so tiered bands count
//! the quarter's earlier credit under the same model. Deals in other currencies are counted
//! apart, as in the settings preview.

use std::collections::{BTreeSet, HashMap};

use super::{money, scope};
use crate::api::AppError;
use crate::api::reports::{ModelComparison, ModelRow, ModelTotals};
use crate::domain::attribution::{self, AttributionModel};
use crate::domain::commission_rules::{ReplayDeal, commissions};
use crate::domain::reporting::Period;
use crate::server::context::Caller;
use crate::server::repo;

pub async fn build(caller: &Caller, period: Period) -> Result<ModelComparison, AppError> {
    let scope = scope(caller, period).await?;
    let (tenant, db) = (&caller.tenant, &caller.db);
    let (_, settings) =
        repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
    let mut deals =
        repo::leaderboard::won_deals(tenant, db, scope.range, scope.currency, None).await?;
    // In the order they were won: tiered rules count earlier credit in the quarter.
    deals.sort_by_key(|d| (d.closed_at, d.deal));
    let other_currency_deals =
        repo::leaderboard::won_in_other_currencies(tenant, db, scope.range, scope.currency).await?;
    let models = AttributionModel::RULE_BASED;
    let results = attribution::compare(&deals, models, &settings)?;

    let partners: Vec<i64> = results
        .iter()
        .flatten()
        .flat_map(|r| r.splits().iter().map(|s| s.partner.0))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let facts = repo::commission_rules::facts_of(tenant, db, &partners).await?;
    let rules = repo::commission_rules::in_force(tenant, db).await?;

    // Per partner, per model (in `models` order): credit and commission, minor units.
    let mut sums: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (column, per_deal) in results.iter().enumerate() {
        let mut credited = Vec::new();
        let mut replay = Vec::new();
        for (deal, result) in deals.iter().zip(per_deal) {
            for split in result.splits() {
                replay.push(ReplayDeal {
                    partner: *facts
                        .get(&split.partner.0)
                        .ok_or_else(|| AppError::internal("credited partner vanished"))?,
                    attributed: split.amount,
                    deal_amount: deal.amount,
                    won_on: deal.closed_at.date_naive(),
                });
                credited.push((split.partner.0, split.amount.to_minor()?));
            }
        }
        for ((partner, credit), paid) in credited.into_iter().zip(commissions(&rules, &replay)?) {
            let row = sums
                .entry(partner)
                .or_insert_with(|| vec![(0, 0); models.len()]);
            row[column].0 += credit;
            row[column].1 += paid.to_minor()?;
        }
    }

    let labels = repo::reports::partner_labels(tenant, db).await?;
    let mut rows: Vec<ModelRow> = sums
        .iter()
        .map(|(partner, cells)| ModelRow {
            partner_id: crate::domain::ids::PartnerId(*partner),
            name: labels
                .get(partner)
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
        .enumerate()
        .map(|(column, model)| {
            let (credit, commission) = sums
                .values()
                .map(|cells| cells[column])
                .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
            ModelTotals {
                model: *model,
                credit: money(credit, &scope),
                commission: money(commission, &scope),
            }
        })
        .collect();
    let attributed = results.first().map_or(0, |per_deal| {
        per_deal.iter().filter(|r| !r.splits().is_empty()).count()
    });
    Ok(ModelComparison {
        scope,
        models: totals,
        rows,
        deals: attributed as i64,
        other_currency_deals: other_currency_deals as i64,
    })
}
