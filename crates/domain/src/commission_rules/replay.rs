//! What-if replay: a period's won deals re-run under the rules in force and under a proposal,
//! with what each partner would earn either way.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Credit, PartnerFacts, Rule, commission};
use crate::DomainError;
use crate::ids::PartnerId;
use crate::money::{Currency, Money};
use crate::reporting::quarter_start;

/// One partner's credit on one won deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayDeal {
    pub partner: PartnerFacts,
    pub attributed: Money,
    pub deal_amount: Money,
    pub won_on: NaiveDate,
}

/// What one partner earns on the replayed deals in one currency, now and under the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerChange {
    pub partner: PartnerId,
    pub deals: u32,
    pub current: Money,
    pub proposed: Money,
}

impl PartnerChange {
    pub fn difference(&self) -> Money {
        Money::new(
            self.proposed.amount() - self.current.amount(),
            self.current.currency(),
        )
        .unwrap_or_else(|_| Money::zero(self.current.currency()))
    }
}

/// Commissions of `deals` under `rules`, each with the partner's earlier credit in the quarter
/// counted in the order the deals come (the order they were won).
pub fn commissions(rules: &[Rule], deals: &[ReplayDeal]) -> Result<Vec<Money>, DomainError> {
    let mut quarter: HashMap<(PartnerId, Currency, NaiveDate), Money> = HashMap::new();
    deals
        .iter()
        .map(|deal| {
            let currency = deal.attributed.currency();
            let key = (deal.partner.id, currency, quarter_start(deal.won_on));
            let before = quarter.get(&key).copied().unwrap_or(Money::zero(currency));
            let credit = Credit {
                partner: deal.partner,
                attributed: deal.attributed,
                deal_amount: deal.deal_amount,
                won_on: deal.won_on,
                quarter_before: before,
            };
            quarter.insert(key, before.checked_add(deal.attributed)?);
            Ok(commission(rules, &credit)?.amount)
        })
        .collect()
}

/// Every partner's commissions on `deals` under `current` and under `proposed`, the largest
/// change first.
pub fn replay(
    current: &[Rule],
    proposed: &[Rule],
    deals: &[ReplayDeal],
) -> Result<Vec<PartnerChange>, DomainError> {
    let now = commissions(current, deals)?;
    let then = commissions(proposed, deals)?;
    let mut totals: BTreeMap<(PartnerId, Currency), PartnerChange> = BTreeMap::new();
    for ((deal, now), then) in deals.iter().zip(now).zip(then) {
        let currency = now.currency();
        let row = totals
            .entry((deal.partner.id, currency))
            .or_insert_with(|| PartnerChange {
                partner: deal.partner.id,
                deals: 0,
                current: Money::zero(currency),
                proposed: Money::zero(currency),
            });
        row.deals += 1;
        row.current = row.current.checked_add(now)?;
        row.proposed = row.proposed.checked_add(then)?;
    }
    let mut rows: Vec<PartnerChange> = totals.into_values().collect();
    rows.sort_by_key(|r| (std::cmp::Reverse(r.difference().amount().abs()), r.partner));
    Ok(rows)
}

/// The rules in force with `proposal` saved: its rule's other versions give way to it. So that
/// a proposal dated after the replayed period still shows its effect, one whose window misses
/// `from..=to` entirely is replayed as if in force over the whole period.
pub fn with_proposal(
    rules: &[Rule],
    mut proposal: Rule,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Rule> {
    let misses =
        proposal.effective_from > to || proposal.effective_to.is_some_and(|end| end < from);
    if misses {
        proposal.effective_from = from;
        proposal.effective_to = Some(to);
    }
    let replaced = proposal.rule_id;
    rules
        .iter()
        .filter(|r| r.rule_id != replaced)
        .cloned()
        .chain(std::iter::once(proposal))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commission_rules::{Band, RuleKind, Scope};
    use crate::partner::{CommissionRate, PartnerTier, PartnerType};
    use rust_decimal::Decimal;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn partner(id: i64) -> PartnerFacts {
        PartnerFacts {
            id: PartnerId(id),
            partner_type: PartnerType::Reseller,
            tier: PartnerTier::Gold,
            default_rate: CommissionRate::from_fraction(Decimal::new(5, 2)).unwrap(),
        }
    }

    fn deal(partner_id: i64, minor: i64, won_on: NaiveDate) -> ReplayDeal {
        let money = Money::from_minor(minor, Currency::USD);
        ReplayDeal {
            partner: partner(partner_id),
            attributed: money,
            deal_amount: money,
            won_on,
        }
    }

    fn tiered(rule_id: i64) -> Rule {
        Rule {
            id: rule_id,
            rule_id,
            version: 1,
            name: "Tiers".into(),
            scope: Scope::Everyone,
            kind: RuleKind::Tiered {
                bands: vec![
                    Band {
                        up_to: Some(10_000_000),
                        rate: Decimal::new(10, 2),
                    },
                    Band {
                        up_to: None,
                        rate: Decimal::new(20, 2),
                    },
                ],
            },
            currency: Some(Currency::USD),
            priority: 100,
            effective_from: day(1, 1),
            effective_to: None,
        }
    }

    #[test]
    fn tiers_accumulate_over_the_quarter_in_the_order_deals_were_won() {
        // 80,000 then 40,000 in Q3: the second crosses the 100,000 band. A Q4 deal starts over.
        let deals = [
            deal(1, 8_000_000, day(7, 10)),
            deal(1, 4_000_000, day(8, 1)),
            deal(1, 1_000_000, day(10, 2)),
            deal(2, 1_000_000, day(8, 1)),
        ];
        let rows = replay(&[], &[tiered(1)], &deals).unwrap();
        let one = rows.iter().find(|r| r.partner == PartnerId(1)).unwrap();
        // Now: 5 % partner rate on 130,000. Proposed: 8,000 + 2,000 + 4,000 + 1,000.
        assert_eq!(one.current, Money::from_minor(650_000, Currency::USD));
        assert_eq!(one.proposed, Money::from_minor(1_500_000, Currency::USD));
        assert_eq!(one.deals, 3);
        // The largest change comes first.
        assert_eq!(rows[0].partner, PartnerId(1));
        assert_eq!(
            rows[1].difference(),
            Money::from_minor(50_000, Currency::USD)
        );
    }

    #[test]
    fn a_proposal_replaces_its_rules_versions_and_covers_the_period_when_dated_later() {
        let old = tiered(1);
        let mut next = tiered(1);
        next.id = 9;
        next.version = 2;
        next.kind = RuleKind::Percentage {
            rate: Decimal::new(1, 2),
        };
        next.effective_from = day(11, 1);
        let rules = with_proposal(&[old], next, day(7, 1), day(9, 30));
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id, 9);
        assert_eq!(
            (rules[0].effective_from, rules[0].effective_to),
            (day(7, 1), Some(day(9, 30)))
        );
        // A proposal inside the period keeps its window.
        let mut spif = tiered(5);
        spif.effective_from = day(8, 1);
        spif.effective_to = Some(day(8, 31));
        let rules = with_proposal(&[tiered(1)], spif, day(7, 1), day(9, 30));
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].effective_from, day(8, 1));
    }
}
