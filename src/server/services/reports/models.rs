//! Model comparison: every partner's credit in the period under each attribution model, and
//! what the commission rules in force would pay on it, deal by deal in the order the deals were
//! won (tiered bands count the quarter's earlier credit under the same model).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{money, month_keys, scope};
use crate::api::AppError;
use crate::api::reports::{ModelComparison, ModelRow, ModelTotals};
use crate::domain::attribution::AttributionModel;
use crate::domain::commission_rules::{ReplayDeal, commissions};
use crate::domain::fx;
use crate::domain::monthly_stats::Metric;
use crate::domain::reporting::Period;
use crate::server::context::Caller;
use crate::server::repo::{self, monthly_stats};

pub async fn build(caller: &Caller, period: Period) -> Result<ModelComparison, AppError> {
    let scope = scope(caller, period).await?;
    let (from, to) = month_keys(scope.range)?;
    let span = (from.as_str(), to.as_str());
    let (tenant, db) = (&caller.tenant, &caller.db);

    // Credit per (partner, model), base currency, from the totals.
    let mut credit: HashMap<(i64, AttributionModel), i64> = HashMap::new();
    let mut present: BTreeSet<AttributionModel> = BTreeSet::new();
    for (partner, detail, minor) in
        monthly_stats::partner_detail_sums(tenant, db, Metric::Revenue, span).await?
    {
        let model: AttributionModel = detail.parse()?;
        present.insert(model);
        *credit.entry((partner, model)).or_default() += minor;
    }
    let models: Vec<AttributionModel> = AttributionModel::ALL
        .iter()
        .copied()
        .filter(|m| present.contains(m))
        .collect();

    // Commission per (partner, model): the rules replayed on each model's credit lines.
    let lines = repo::reports::credit_lines(tenant, db, scope.range).await?;
    let partners: Vec<i64> = lines
        .iter()
        .map(|l| l.partner.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let facts = repo::commission_rules::facts_of(tenant, db, &partners).await?;
    let rules = repo::commission_rules::in_force(tenant, db).await?;
    let mut commission: HashMap<(i64, AttributionModel), i64> = HashMap::new();
    let mut by_model: BTreeMap<AttributionModel, Vec<&repo::reports::CreditLine>> = BTreeMap::new();
    for line in &lines {
        by_model.entry(line.model).or_default().push(line);
    }
    for (model, lines) in by_model {
        let replay = lines
            .iter()
            .map(|line| {
                Ok(ReplayDeal {
                    partner: *facts
                        .get(&line.partner.0)
                        .ok_or_else(|| AppError::internal("credited partner vanished"))?,
                    attributed: line.credit,
                    deal_amount: line.deal_amount,
                    won_on: line.closed_at.date_naive(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        for (line, paid) in lines.iter().zip(commissions(&rules, &replay)?) {
            let in_base = match line.fx_rate {
                Some(rate) if paid.currency() != scope.currency => {
                    fx::convert(paid, rate, scope.currency)
                }
                _ if paid.currency() != scope.currency => continue,
                _ => paid,
            };
            *commission.entry((line.partner.0, model)).or_default() += in_base.to_minor()?;
        }
    }

    let labels = repo::reports::partner_labels(tenant, db).await?;
    let ids: BTreeSet<i64> = credit.keys().map(|(p, _)| *p).collect();
    let get = |map: &HashMap<(i64, AttributionModel), i64>, p: i64, m: AttributionModel| {
        money(map.get(&(p, m)).copied().unwrap_or(0), &scope)
    };
    let mut rows: Vec<ModelRow> = ids
        .into_iter()
        .map(|p| ModelRow {
            partner_id: crate::domain::ids::PartnerId(p),
            name: labels
                .get(&p)
                .map_or_else(|| format!("Partner {p}"), |l| l.name.clone()),
            credit: models.iter().map(|m| get(&credit, p, *m)).collect(),
            commission: models.iter().map(|m| get(&commission, p, *m)).collect(),
        })
        .collect();
    let payable_at = models.iter().position(|m| *m == scope.payable).unwrap_or(0);
    rows.sort_by(|a, b| {
        let amount = |r: &ModelRow| r.credit.get(payable_at).map(|m| m.amount());
        amount(b).cmp(&amount(a)).then(a.name.cmp(&b.name))
    });
    let models: Vec<ModelTotals> = models
        .iter()
        .map(|m| {
            let total = |map: &HashMap<(i64, AttributionModel), i64>| {
                money(
                    map.iter()
                        .filter(|((_, model), _)| model == m)
                        .map(|(_, v)| v)
                        .sum(),
                    &scope,
                )
            };
            ModelTotals {
                model: *m,
                credit: total(&credit),
                commission: total(&commission),
            }
        })
        .collect();
    let payable_prefix = format!("{}:", scope.payable.as_str());
    let deals = monthly_stats::organization_sums(tenant, db, Metric::Credited, span)
        .await?
        .into_iter()
        .filter(|(detail, _)| detail.starts_with(&payable_prefix))
        .map(|(_, n)| n)
        .sum();
    Ok(ModelComparison {
        scope,
        models,
        rows,
        deals,
    })
}
