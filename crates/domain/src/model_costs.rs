//! What each attribution model would give each partner on a set of won deals, and what the
//! commission rules would pay on it: the numbers behind "which model is fair".

use std::collections::{BTreeMap, HashMap};

use super::DomainError;
use super::attribution::{AttributionModel, DealInput, ModelSettings, attribute};
use super::commission_rules::{PartnerFacts, ReplayDeal, Rule, commissions};
use super::ids::PartnerId;

/// Credit and commission (minor units of the deals' currency; totals, so wider than an
/// amount) per partner.
pub type PartnerCosts = BTreeMap<PartnerId, (i128, i128)>;

/// `deals` (in the order they were won, all in one currency) attributed under `model`, and the
/// commission `rules` pay on each split in that order, so tiered bands count the quarter's
/// earlier credit under the same model. `partners` has the facts of every partner touching them.
pub fn model_costs(
    deals: &[DealInput],
    model: AttributionModel,
    settings: &ModelSettings,
    rules: &[Rule],
    partners: &HashMap<i64, PartnerFacts>,
) -> Result<PartnerCosts, DomainError> {
    let mut credited = Vec::new();
    let mut replay = Vec::new();
    for deal in deals {
        let result = attribute(deal, model, settings)?;
        for split in result.splits() {
            let partner = partners
                .get(&split.partner.0)
                .copied()
                .ok_or_else(|| DomainError::InvalidId(split.partner.to_string()))?;
            replay.push(ReplayDeal {
                partner,
                attributed: split.amount,
                deal_amount: deal.amount,
                won_on: deal.closed_at.date_naive(),
            });
            credited.push((split.partner, split.amount.total_minor()));
        }
    }
    let mut costs = PartnerCosts::new();
    for ((partner, credit), paid) in credited.into_iter().zip(commissions(rules, &replay)?) {
        let entry = costs.entry(partner).or_default();
        entry.0 += credit;
        entry.1 += paid.total_minor();
    }
    Ok(costs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::Touch;
    use crate::commission_rules::{RuleKind, Scope};
    use crate::ids::DealId;
    use crate::money::{Currency, Money};
    use crate::partner::{CommissionRate, PartnerTier, PartnerType};
    use crate::touchpoint::TouchpointKind;
    use chrono::{NaiveDate, TimeZone, Utc};
    use rust_decimal::Decimal;

    fn facts(id: i64, percent: i64) -> PartnerFacts {
        PartnerFacts {
            id: PartnerId(id),
            partner_type: PartnerType::Reseller,
            tier: PartnerTier::Gold,
            default_rate: CommissionRate::from_fraction(Decimal::new(percent, 2)).unwrap(),
        }
    }

    fn deal(id: i64, minor: i64, touches: &[(i64, u32)]) -> DealInput {
        DealInput {
            deal: DealId(id),
            amount: Money::from_minor(minor, Currency::USD),
            closed_at: Utc.with_ymd_and_hms(2026, 5, 20, 12, 0, 0).unwrap(),
            touches: touches
                .iter()
                .map(|(partner, day)| Touch {
                    partner: PartnerId(*partner),
                    kind: TouchpointKind::Demo,
                    at: Utc.with_ymd_and_hms(2026, 5, *day, 12, 0, 0).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn each_model_shares_the_same_deals_and_prices_its_own_split() {
        // Partner 1 earns its own 10 %; partner 2 is covered by a flat $50 per deal.
        let partners = HashMap::from([(1, facts(1, 10)), (2, facts(2, 5))]);
        let rules = vec![Rule {
            id: 7,
            rule_id: 7,
            version: 1,
            name: "Flat".into(),
            scope: Scope::Partner(PartnerId(2)),
            kind: RuleKind::Flat {
                amount_minor: 5_000,
            },
            currency: Some(Currency::USD),
            priority: 0,
            effective_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            effective_to: None,
        }];
        let deals = [
            deal(1, 100_000, &[(1, 1), (2, 10)]),
            deal(2, 40_000, &[(2, 2)]),
        ];
        let settings = ModelSettings::default();
        let first = model_costs(
            &deals,
            AttributionModel::FirstTouch,
            &settings,
            &rules,
            &partners,
        )
        .unwrap();
        assert_eq!(first[&PartnerId(1)], (100_000, 10_000));
        assert_eq!(first[&PartnerId(2)], (40_000, 5_000));
        let equal = model_costs(
            &deals,
            AttributionModel::EqualSplit,
            &settings,
            &rules,
            &partners,
        )
        .unwrap();
        assert_eq!(equal[&PartnerId(1)], (50_000, 5_000));
        // A flat amount per deal it is credited on: two deals.
        assert_eq!(equal[&PartnerId(2)], (90_000, 10_000));
        let unknown = HashMap::from([(1, facts(1, 10))]);
        assert!(
            model_costs(
                &deals,
                AttributionModel::EqualSplit,
                &settings,
                &rules,
                &unknown
            )
            .is_err()
        );
    }
}
