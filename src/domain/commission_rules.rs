//! Commission rules: which rule pays a partner's credit on a won deal, and how much, with the
//! reason in words. Pure: the caller supplies the rules in force and what the partner was
//! already credited in the quarter (for tiered bands).
//!
//! One *base* rule applies — the most specific one in scope on the day the deal was won
//! (partner > tier > partner type > everyone; then the higher priority, the later start, the
//! higher id) — plus every SPIF bonus in scope whose window holds that day. Each part is
//! computed exactly and rounded half away from zero to the currency's minor unit; the
//! commission is the sum of its rounded parts, so the explanation adds up to the cent.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ids::PartnerId;
use super::money::{Currency, Money};
use super::partner::{PartnerTier, PartnerType};

/// Who a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Everyone,
    PartnerType(PartnerType),
    Tier(PartnerTier),
    Partner(PartnerId),
}

impl Scope {
    /// Higher is more specific.
    fn specificity(self) -> u8 {
        match self {
            Scope::Everyone => 0,
            Scope::PartnerType(_) => 1,
            Scope::Tier(_) => 2,
            Scope::Partner(_) => 3,
        }
    }

    fn covers(self, partner: &PartnerFacts) -> bool {
        match self {
            Scope::Everyone => true,
            Scope::PartnerType(t) => partner.partner_type == t,
            Scope::Tier(t) => partner.tier == t,
            Scope::Partner(id) => partner.id == id,
        }
    }
}

/// One band of a tiered rule: `rate` on the quarter's attributed revenue from the previous
/// band's limit up to `up_to` (minor units; `None`: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub up_to: Option<i64>,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleKind {
    /// A fraction of the partner's attributed amount.
    Percentage { rate: Decimal },
    /// A fixed amount per won deal the partner is credited on.
    Flat { amount_minor: i64 },
    /// Marginal bands over the partner's attributed revenue in the calendar quarter.
    Tiered { bands: Vec<Band> },
    /// A bonus on deals won inside a window, optionally only from a minimum deal size: a fraction
    /// of the attributed amount, or a fixed amount.
    Spif {
        from: NaiveDate,
        until: NaiveDate,
        min_deal_minor: Option<i64>,
        rate: Option<Decimal>,
        amount_minor: Option<i64>,
    },
}

/// A version of a rule, in force from `effective_from` until the day before `effective_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub version: u32,
    pub name: String,
    pub scope: Scope,
    pub kind: RuleKind,
    pub priority: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl Rule {
    fn in_force(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|end| day < end)
    }

    fn is_spif(&self) -> bool {
        matches!(self.kind, RuleKind::Spif { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerFacts {
    pub id: PartnerId,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
}

/// What a commission is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    pub partner: PartnerFacts,
    /// The partner's attributed amount on the deal.
    pub attributed: Money,
    pub deal_amount: Money,
    pub won_on: NaiveDate,
    /// What the partner was credited earlier in the same quarter, in the same currency.
    pub quarter_before: Money,
}

/// One part of a commission: which rule version, how much, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub rule_id: i64,
    pub version: u32,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    pub amount: Money,
    pub parts: Vec<Part>,
}

impl Commission {
    /// The parts in one sentence: "10 % of attributed revenue + SPIF 'Q4 push' 2 %".
    pub fn explanation(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.reason.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn round(amount: Decimal, currency: Currency) -> Money {
    let rounded = amount.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointAwayFromZero,
    );
    Money::new(rounded, currency).unwrap_or_else(|_| Money::zero(currency))
}

fn percent(rate: Decimal) -> String {
    format!("{} %", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn quarter_name(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("Q{} {}", day.month0() / 3 + 1, day.year())
}

/// The exact commission of marginal `bands` on revenue from `before` to `before + amount`.
fn tiered(
    bands: &[Band],
    before: Decimal,
    amount: Decimal,
    currency: Currency,
) -> (Decimal, Vec<String>) {
    let unit = Decimal::new(1, currency.minor_units());
    let (start, end) = (before, before + amount);
    let mut lower = Decimal::ZERO;
    let mut total = Decimal::ZERO;
    let mut used = Vec::new();
    for band in bands {
        let upper = band.up_to.map(|u| Decimal::from(u) * unit);
        let from = start.max(lower);
        let to = upper.map_or(end, |u| end.min(u));
        if to > from {
            total += (to - from) * band.rate;
            let money = |d: Decimal| {
                Money::new(d, currency)
                    .map_or_else(|_| d.normalize().to_string(), |m| m.format_whole())
            };
            used.push(match upper {
                Some(u) if lower.is_zero() => format!("{} up to {}", percent(band.rate), money(u)),
                Some(u) => format!(
                    "{} from {} to {}",
                    percent(band.rate),
                    money(lower),
                    money(u)
                ),
                None => format!("{} above {}", percent(band.rate), money(lower)),
            });
        }
        match upper {
            Some(u) => lower = u,
            None => break,
        }
    }
    (total, used)
}

/// The commission on `credit` under `rules` (all versions; the ones in force are picked), or
/// `None` when no base rule covers the partner.
pub fn commission(rules: &[Rule], credit: &Credit) -> Option<Commission> {
    let currency = credit.attributed.currency();
    let day = credit.won_on;
    let applicable = |r: &&Rule| r.in_force(day) && r.scope.covers(&credit.partner);
    let base = rules
        .iter()
        .filter(applicable)
        .filter(|r| !r.is_spif())
        .max_by_key(|r| (r.scope.specificity(), r.priority, r.effective_from, r.id))?;
    let attributed = credit.attributed.amount();
    let mut parts = Vec::new();
    let (exact, reason) = match &base.kind {
        RuleKind::Percentage { rate } => (
            attributed * rate,
            format!("{} of attributed revenue", percent(*rate)),
        ),
        RuleKind::Flat { amount_minor } => (
            Money::from_minor(*amount_minor, currency).amount(),
            format!(
                "flat {} per won deal",
                Money::from_minor(*amount_minor, currency).format()
            ),
        ),
        RuleKind::Tiered { bands } => {
            let (exact, used) = tiered(bands, credit.quarter_before.amount(), attributed, currency);
            (
                exact,
                format!(
                    "{} of {} attributed revenue",
                    used.join(", "),
                    quarter_name(day)
                ),
            )
        }
        RuleKind::Spif { .. } => unreachable!("SPIFs are filtered out of the base rules"),
    };
    parts.push(Part {
        rule_id: base.id,
        version: base.version,
        amount: round(exact, currency),
        reason: format!("{} ({} v{})", reason, base.name, base.version),
    });
    for spif in rules.iter().filter(applicable).filter(|r| r.is_spif()) {
        let RuleKind::Spif {
            from,
            until,
            min_deal_minor,
            rate,
            amount_minor,
        } = &spif.kind
        else {
            continue;
        };
        let in_window = *from <= day && day <= *until;
        let big_enough =
            min_deal_minor.is_none_or(|min| credit.deal_amount.to_minor().is_ok_and(|m| m >= min));
        if !in_window || !big_enough {
            continue;
        }
        let mut exact = Decimal::ZERO;
        let mut what = Vec::new();
        if let Some(rate) = rate {
            exact += attributed * rate;
            what.push(percent(*rate));
        }
        if let Some(minor) = amount_minor {
            let bonus = Money::from_minor(*minor, currency);
            exact += bonus.amount();
            what.push(bonus.format());
        }
        parts.push(Part {
            rule_id: spif.id,
            version: spif.version,
            amount: round(exact, currency),
            reason: format!("SPIF '{}' {}", spif.name, what.join(" + ")),
        });
    }
    let amount = parts
        .iter()
        .try_fold(Money::zero(currency), |sum, p| sum.checked_add(p.amount))
        .ok()?;
    Some(Commission { amount, parts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn partner() -> PartnerFacts {
        PartnerFacts {
            id: PartnerId(7),
            partner_type: PartnerType::Reseller,
            tier: PartnerTier::Gold,
        }
    }

    fn rule(id: i64, scope: Scope, kind: RuleKind) -> Rule {
        Rule {
            id,
            version: 1,
            name: format!("rule {id}"),
            scope,
            kind,
            priority: 0,
            effective_from: day(2026, 1, 1),
            effective_to: None,
        }
    }

    fn credit(attributed: i64, before: i64) -> Credit {
        Credit {
            partner: partner(),
            attributed: usd(attributed),
            deal_amount: usd(attributed),
            won_on: day(2026, 8, 14),
            quarter_before: usd(before),
        }
    }

    fn bands() -> RuleKind {
        // 10 % up to 100,000, 15 % above (in dollars; bands in minor units).
        RuleKind::Tiered {
            bands: vec![
                Band {
                    up_to: Some(10_000_000),
                    rate: dec("0.10"),
                },
                Band {
                    up_to: None,
                    rate: dec("0.15"),
                },
            ],
        }
    }

    #[test]
    fn tiered_bands_are_marginal_across_the_boundary() {
        let rules = [rule(1, Scope::Everyone, bands())];
        // 90,000 before, 20,000 now: 10,000 at 10 % + 10,000 at 15 % = 2,500.
        let c = commission(&rules, &credit(2_000_000, 9_000_000)).unwrap();
        assert_eq!(c.amount, usd(250_000));
        assert!(
            c.explanation().starts_with(
                "10 % up to $100,000, 15 % above $100,000 of Q3 2026 attributed revenue"
            ),
            "{}",
            c.explanation()
        );
        assert!(c.explanation().contains("Q3 2026"));
        // Exactly at the boundary: all at 10 %.
        assert_eq!(
            commission(&rules, &credit(1_000_000, 9_000_000))
                .unwrap()
                .amount,
            usd(100_000)
        );
        // Entirely above it: all at 15 %.
        assert_eq!(
            commission(&rules, &credit(1_000_000, 10_000_000))
                .unwrap()
                .amount,
            usd(150_000)
        );
    }

    #[test]
    fn the_most_specific_rule_in_force_is_the_base() {
        let mut everyone = rule(
            1,
            Scope::Everyone,
            RuleKind::Percentage { rate: dec("0.10") },
        );
        everyone.priority = 99;
        let gold = rule(
            2,
            Scope::Tier(PartnerTier::Gold),
            RuleKind::Percentage { rate: dec("0.12") },
        );
        let mut mine = rule(
            3,
            Scope::Partner(PartnerId(7)),
            RuleKind::Flat {
                amount_minor: 50_000,
            },
        );
        mine.effective_to = Some(day(2026, 8, 1));
        let rules = [everyone, gold, mine];
        // The partner's own rule ended before the win: the tier rule applies.
        let c = commission(&rules, &credit(1_000_000, 0)).unwrap();
        assert_eq!((c.parts[0].rule_id, c.amount), (2, usd(120_000)));
        let mut earlier = credit(1_000_000, 0);
        earlier.won_on = day(2026, 7, 31);
        assert_eq!(commission(&rules, &earlier).unwrap().amount, usd(50_000));
        // Nobody covers a partner of another type and tier when only specific rules exist.
        let other = Credit {
            partner: PartnerFacts {
                id: PartnerId(8),
                partner_type: PartnerType::Referral,
                tier: PartnerTier::Silver,
            },
            ..credit(1_000_000, 0)
        };
        assert!(commission(&rules[1..], &other).is_none());
    }

    #[test]
    fn spifs_add_inside_their_window_and_from_their_minimum() {
        let base = rule(
            1,
            Scope::Everyone,
            RuleKind::Percentage { rate: dec("0.10") },
        );
        let mut spif = rule(
            2,
            Scope::PartnerType(PartnerType::Reseller),
            RuleKind::Spif {
                from: day(2026, 8, 1),
                until: day(2026, 8, 31),
                min_deal_minor: Some(500_000),
                rate: Some(dec("0.02")),
                amount_minor: Some(10_000),
            },
        );
        spif.name = "Q3 push".into();
        let rules = [base, spif];
        let c = commission(&rules, &credit(1_000_000, 0)).unwrap();
        assert_eq!(c.amount, usd(100_000 + 20_000 + 10_000));
        assert_eq!(c.parts.len(), 2);
        assert!(
            c.explanation().contains("SPIF 'Q3 push' 2 % + $100.00"),
            "{}",
            c.explanation()
        );
        // Too small a deal, or outside the window: no bonus.
        assert_eq!(
            commission(&rules, &credit(400_000, 0)).unwrap().parts.len(),
            1
        );
        let mut late = credit(1_000_000, 0);
        late.won_on = day(2026, 9, 1);
        assert_eq!(commission(&rules, &late).unwrap().parts.len(), 1);
    }

    proptest! {
        /// The commission is the sum of its rounded parts, and every part is within half a
        /// cent of its exact value.
        #[test]
        fn parts_add_up_to_the_cent(attributed in 0i64..50_000_000, before in 0i64..30_000_000) {
            let rules = [
                rule(1, Scope::Everyone, bands()),
                rule(2, Scope::Everyone, RuleKind::Spif {
                    from: day(2026, 1, 1), until: day(2026, 12, 31), min_deal_minor: None,
                    rate: Some(dec("0.0333")), amount_minor: None,
                }),
            ];
            let c = commission(&rules, &credit(attributed, before)).unwrap();
            let sum: i64 = c.parts.iter().map(|p| p.amount.to_minor().unwrap()).sum();
            prop_assert_eq!(c.amount.to_minor().unwrap(), sum);
            let exact_spif = usd(attributed).amount() * dec("0.0333");
            prop_assert!((c.parts[1].amount.amount() - exact_spif).abs() <= dec("0.005"));
        }

        /// Splitting a quarter's revenue over two deals never changes the exact tiered total.
        #[test]
        fn tiers_do_not_depend_on_how_revenue_is_split(first in 0i64..20_000_000, second in 0i64..20_000_000) {
            let RuleKind::Tiered { bands } = bands() else { unreachable!() };
            let one = |before: i64, amount: i64| {
                tiered(&bands, usd(before).amount(), usd(amount).amount(), Currency::USD).0
            };
            prop_assert_eq!(one(0, first) + one(first, second), one(0, first + second));
        }
    }
}
