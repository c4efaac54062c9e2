//! Settling a deal after it is won, re-opened or edited while won: from the facts of the deal
//! (its touches, the engine, the commission rules, the partners, the ledger as it stands) the
//! plan says what each model credits, what each partner is owed under the payable split, and
//! which ledger writes bring every partner's entries there. Pure: the back end loads the facts
//! once, and writes the plan in one step.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::attribution::{AttributionModel, DealAttribution, DealInput, Engine, Touch};
use crate::commission_rules::{self, Commission, Credit, PartnerFacts, Rule};
use crate::ids::{DealId, PartnerId};
use crate::ledger;
use crate::money::Money;

/// Everything settling one deal needs to know.
#[derive(Debug, Clone)]
pub struct Facts {
    pub deal: DealId,
    pub amount: Money,
    /// When it was won; `None`: it is no longer won, and nothing is owed on it.
    pub closed_at: Option<DateTime<Utc>>,
    pub touches: Vec<Touch>,
    /// The organization's payable model.
    pub payable: AttributionModel,
    /// The models' settings, and what the payable model learned when it learns from history.
    pub engine: Engine,
    /// Each partner's stored credit under the payable model before this change, minor units.
    pub credit_before: BTreeMap<PartnerId, i64>,
    /// Each partner's commission entries on the deal, as they stand.
    pub ledger: BTreeMap<PartnerId, Vec<ledger::Entry>>,
    /// The commission rules in force.
    pub rules: Vec<Rule>,
    /// What the rules read of each partner that touched the deal.
    pub partners: HashMap<PartnerId, PartnerFacts>,
    /// Each partner's payable credit on deals won earlier in the same quarter (tiered rules).
    pub quarter_before: HashMap<PartnerId, Money>,
}

/// One partner's commission on the deal as it should stand, and the writes that get it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerSettlement {
    pub partner: PartnerId,
    /// Minor units owed in the deal's currency (0: nothing, the partner is no longer credited).
    pub owed_minor: i64,
    /// How it was computed, when the partner is credited: the payable credit, the quarter's
    /// earlier credit, the rules' parts.
    pub basis: Option<Basis>,
    pub changes: Vec<ledger::Change>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub attributed: Money,
    pub quarter_before: Money,
    pub commission: Commission,
}

/// What settling writes.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The deal attributed under every rule-based model (and the payable one when it learns);
    /// empty when the deal is no longer won.
    pub attributions: Vec<DealAttribution>,
    /// The model commissions follow, when the deal is won.
    pub payable: Option<AttributionModel>,
    /// Each partner's credit under the payable model now, minor units.
    pub credit_after: BTreeMap<PartnerId, i64>,
    /// Every partner credited now or holding entries, by id.
    pub partners: Vec<PartnerSettlement>,
}

impl Plan {
    /// The partners whose ledger this plan touches or who are owed something.
    pub fn partner_ids(&self) -> Vec<PartnerId> {
        self.partners.iter().map(|p| p.partner).collect()
    }
}

/// The plan for `facts`.
pub fn plan(facts: &Facts) -> Result<Plan, DomainError> {
    let (payable, attributions) = match facts.closed_at {
        Some(closed_at) => {
            let input = DealInput {
                deal: facts.deal,
                amount: facts.amount,
                closed_at,
                touches: facts.touches.clone(),
            };
            let mut models = AttributionModel::RULE_BASED.to_vec();
            if facts.payable.is_data_driven() {
                models.push(facts.payable);
            }
            let attributions = models
                .iter()
                .map(|model| facts.engine.attribute(&input, *model))
                .collect::<Result<Vec<_>, _>>()?;
            (Some(facts.payable), attributions)
        }
        None => (None, Vec::new()),
    };
    let splits = attributions
        .iter()
        .find(|a| Some(a.model) == payable)
        .map(|a| a.splits().to_vec())
        .unwrap_or_default();

    let mut owed: BTreeMap<PartnerId, (i64, Option<Basis>)> = BTreeMap::new();
    if let Some(closed_at) = facts.closed_at {
        for split in &splits {
            let partner = *facts
                .partners
                .get(&split.partner)
                .ok_or_else(|| DomainError::InvalidId(format!("partner {}", split.partner.0)))?;
            let quarter_before = facts
                .quarter_before
                .get(&split.partner)
                .copied()
                .unwrap_or_else(|| Money::zero(facts.amount.currency()));
            let credit = Credit {
                partner,
                attributed: split.amount,
                deal_amount: facts.amount,
                won_on: closed_at.date_naive(),
                quarter_before,
            };
            let commission = commission_rules::commission(&facts.rules, &credit)?;
            let minor = commission.amount.to_minor()?;
            owed.insert(
                split.partner,
                (
                    minor,
                    Some(Basis {
                        attributed: split.amount,
                        quarter_before,
                        commission,
                    }),
                ),
            );
        }
    }
    for partner in facts.ledger.keys() {
        owed.entry(*partner).or_insert((0, None));
    }
    let partners = owed
        .into_iter()
        .map(|(partner, (owed_minor, basis))| {
            let entries = facts.ledger.get(&partner).map_or(&[][..], Vec::as_slice);
            PartnerSettlement {
                partner,
                owed_minor,
                basis,
                changes: ledger::reconcile(entries, owed_minor),
            }
        })
        .collect();
    let credit_after = splits
        .iter()
        .map(|s| Ok((s.partner, s.amount.to_minor()?)))
        .collect::<Result<_, DomainError>>()?;
    Ok(Plan {
        attributions,
        payable,
        credit_after,
        partners,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::ModelSettings;
    use crate::ledger::{Change, Entry, EntryKind};
    use crate::money::Currency;
    use crate::partner::{CommissionRate, PartnerTier, PartnerType};
    use crate::payout::PayoutStatus;
    use crate::touchpoint::TouchpointKind;
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    const A: PartnerId = PartnerId(1);
    const B: PartnerId = PartnerId(2);

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, day, 12, 0, 0).unwrap()
    }

    /// A 10,000.00 USD deal won on 20 May, touched by A and B, both on their own 10 % rate,
    /// settled under the equal split.
    fn won(amount_minor: i64) -> Facts {
        let facts = |id| PartnerFacts {
            id,
            partner_type: PartnerType::Reseller,
            tier: PartnerTier::Silver,
            default_rate: CommissionRate::from_fraction(Decimal::new(10, 2)).unwrap(),
        };
        Facts {
            deal: DealId(7),
            amount: usd(amount_minor),
            closed_at: Some(at(20)),
            touches: vec![
                Touch {
                    partner: A,
                    kind: TouchpointKind::Referral,
                    at: at(1),
                },
                Touch {
                    partner: B,
                    kind: TouchpointKind::Demo,
                    at: at(10),
                },
            ],
            payable: AttributionModel::EqualSplit,
            engine: Engine::new(ModelSettings::default()).unwrap(),
            credit_before: BTreeMap::new(),
            ledger: BTreeMap::new(),
            rules: Vec::new(),
            partners: HashMap::from([(A, facts(A)), (B, facts(B))]),
            quarter_before: HashMap::new(),
        }
    }

    fn entry(id: i64, status: PayoutStatus, amount_minor: i64) -> Entry {
        Entry {
            id,
            kind: EntryKind::Commission,
            status,
            amount_minor,
        }
    }

    fn of(plan: &Plan, partner: PartnerId) -> &PartnerSettlement {
        plan.partners.iter().find(|p| p.partner == partner).unwrap()
    }

    #[test]
    fn a_win_credits_every_model_and_owes_each_partner_a_new_commission() {
        let plan = plan(&won(1_000_000)).unwrap();
        assert_eq!(plan.payable, Some(AttributionModel::EqualSplit));
        assert_eq!(plan.attributions.len(), AttributionModel::RULE_BASED.len());
        for attribution in &plan.attributions {
            let total: i64 = attribution
                .splits()
                .iter()
                .map(|s| s.amount.to_minor().unwrap())
                .sum();
            assert_eq!(
                total, 1_000_000,
                "{:?} splits the whole deal",
                attribution.model
            );
        }
        assert_eq!(
            plan.credit_after,
            BTreeMap::from([(A, 500_000), (B, 500_000)])
        );
        for partner in [A, B] {
            let owed = of(&plan, partner);
            assert_eq!(owed.owed_minor, 50_000, "10 % of 5,000.00");
            assert_eq!(
                owed.changes,
                vec![Change::Add {
                    kind: EntryKind::Commission,
                    amount_minor: 50_000,
                    corrects: None,
                }]
            );
            let basis = owed.basis.as_ref().unwrap();
            assert_eq!(basis.attributed, usd(500_000));
            assert_eq!(basis.commission.amount, usd(50_000));
        }
    }

    #[test]
    fn re_opening_owes_nothing_cancels_what_is_pending_and_claws_back_what_was_paid() {
        let mut facts = won(1_000_000);
        facts.closed_at = None;
        facts.credit_before = BTreeMap::from([(A, 500_000), (B, 500_000)]);
        facts.ledger = BTreeMap::from([
            (A, vec![entry(11, PayoutStatus::Pending, 50_000)]),
            (B, vec![entry(12, PayoutStatus::Paid, 50_000)]),
        ]);
        let plan = plan(&facts).unwrap();
        assert!(plan.attributions.is_empty());
        assert_eq!(plan.payable, None);
        assert!(plan.credit_after.is_empty());
        assert_eq!(of(&plan, A).owed_minor, 0);
        assert_eq!(of(&plan, A).changes, vec![Change::Cancel { id: 11 }]);
        assert_eq!(
            of(&plan, B).changes,
            vec![Change::Add {
                kind: EntryKind::Clawback,
                amount_minor: 50_000,
                corrects: Some(12),
            }]
        );
        assert!(of(&plan, B).basis.is_none());
    }

    #[test]
    fn a_larger_amount_after_approval_adds_an_adjustment_and_resizes_what_is_pending() {
        let mut facts = won(1_200_000);
        facts.ledger = BTreeMap::from([
            (A, vec![entry(11, PayoutStatus::Approved, 50_000)]),
            (B, vec![entry(12, PayoutStatus::Pending, 50_000)]),
        ]);
        let plan = plan(&facts).unwrap();
        assert_eq!(
            of(&plan, A).changes,
            vec![Change::Add {
                kind: EntryKind::Adjustment,
                amount_minor: 10_000,
                corrects: Some(11),
            }]
        );
        assert_eq!(
            of(&plan, B).changes,
            vec![Change::Resize {
                id: 12,
                amount_minor: 60_000,
            }]
        );
    }

    #[test]
    fn a_partner_no_longer_touching_the_deal_is_owed_nothing() {
        let mut facts = won(1_000_000);
        facts.touches.retain(|t| t.partner == A);
        facts.ledger = BTreeMap::from([(B, vec![entry(12, PayoutStatus::Pending, 50_000)])]);
        let plan = plan(&facts).unwrap();
        assert_eq!(of(&plan, A).owed_minor, 100_000);
        assert_eq!(of(&plan, B).owed_minor, 0);
        assert_eq!(of(&plan, B).changes, vec![Change::Cancel { id: 12 }]);
        assert_eq!(plan.credit_after, BTreeMap::from([(A, 1_000_000)]));
    }

    #[test]
    fn settling_the_same_facts_again_after_the_writes_changes_nothing() {
        let mut facts = won(1_000_000);
        let first = plan(&facts).unwrap();
        facts.ledger = first
            .partners
            .iter()
            .map(|p| {
                (
                    p.partner,
                    vec![entry(p.partner.0 + 10, PayoutStatus::Pending, p.owed_minor)],
                )
            })
            .collect();
        let again = plan(&facts).unwrap();
        assert!(again.partners.iter().all(|p| p.changes.is_empty()));
    }
}
