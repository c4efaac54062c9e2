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
        default_rate: CommissionRate::from_fraction(dec("0.07")).unwrap(),
    }
}

fn rule(id: i64, scope: Scope, kind: RuleKind) -> Rule {
    Rule {
        id,
        rule_id: id,
        version: 1,
        name: format!("rule {id}"),
        scope,
        kind,
        currency: None,
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
        c.explanation()
            .starts_with("10 % up to $100,000, 15 % above $100,000 of Q3 2026 attributed revenue"),
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
    mine.effective_to = Some(day(2026, 7, 31));
    let rules = [everyone, gold, mine];
    // The partner's own rule ended before the win: the tier rule applies.
    let c = commission(&rules, &credit(1_000_000, 0)).unwrap();
    assert_eq!((c.base_rule(), c.amount), (Some(2), usd(120_000)));
    let mut earlier = credit(1_000_000, 0);
    earlier.won_on = day(2026, 7, 31);
    assert_eq!(commission(&rules, &earlier).unwrap().amount, usd(50_000));
    // The partner's own rule is in force through its last day.
    earlier.won_on = day(2026, 7, 31);
    assert_eq!(commission(&rules, &earlier).unwrap().base_rule(), Some(3));
    // Nobody covers a partner of another type and tier when only specific rules exist: it
    // earns the rate on its profile.
    let other = Credit {
        partner: PartnerFacts {
            id: PartnerId(8),
            partner_type: PartnerType::Referral,
            tier: PartnerTier::Silver,
            default_rate: CommissionRate::from_fraction(dec("0.05")).unwrap(),
        },
        ..credit(1_000_000, 0)
    };
    let fallback = commission(&rules[1..], &other).unwrap();
    assert_eq!((fallback.base_rule(), fallback.amount), (None, usd(50_000)));
    assert_eq!(
        fallback.explanation(),
        "5 % of attributed revenue (partner rate)"
    );
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
            min_deal_minor: Some(500_000),
            rate: Some(dec("0.02")),
            amount_minor: Some(10_000),
        },
    );
    spif.name = "Q3 push".into();
    spif.currency = Some(Currency::USD);
    spif.effective_from = day(2026, 8, 1);
    spif.effective_to = Some(day(2026, 8, 31));
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
                min_deal_minor: None,
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

#[test]
fn rules_with_amounts_only_pay_in_their_currency() {
    let mut flat = rule(
        1,
        Scope::Everyone,
        RuleKind::Flat {
            amount_minor: 50_000,
        },
    );
    flat.currency = Some(Currency::EUR);
    let percentage = rule(
        2,
        Scope::Everyone,
        RuleKind::Percentage { rate: dec("0.10") },
    );
    let rules = [flat.clone(), percentage];
    // A USD deal: the EUR flat rule does not apply although it is more recent by id.
    let c = commission(&rules, &credit(1_000_000, 0)).unwrap();
    assert_eq!((c.base_rule(), c.amount), (Some(2), usd(100_000)));
    let eur = Credit {
        attributed: Money::from_minor(1_000_000, Currency::EUR),
        deal_amount: Money::from_minor(1_000_000, Currency::EUR),
        quarter_before: Money::zero(Currency::EUR),
        ..credit(0, 0)
    };
    let c = commission(&[flat], &eur).unwrap();
    assert_eq!(c.amount, Money::from_minor(50_000, Currency::EUR));
    assert_eq!(c.explanation(), "flat €500.00 per won deal (rule 1 v1)");
}

#[test]
fn what_pays_a_partner_is_said_per_currency_when_it_differs() {
    let today = day(2026, 8, 14);
    let percentage = rule(
        2,
        Scope::Everyone,
        RuleKind::Percentage { rate: dec("0.10") },
    );
    let mut flat = rule(
        1,
        Scope::Everyone,
        RuleKind::Flat {
            amount_minor: 50_000,
        },
    );
    flat.currency = Some(Currency::EUR);
    flat.priority = 5;
    assert_eq!(what_pays(&[], &partner(), Currency::USD, today), None);
    assert_eq!(
        what_pays(
            std::slice::from_ref(&percentage),
            &partner(),
            Currency::USD,
            today
        )
        .as_deref(),
        Some("rule rule 2 v1, not the default rate")
    );
    // The EUR rule outranks the percentage on EUR deals only.
    assert_eq!(
        what_pays(
            &[percentage, flat.clone()],
            &partner(),
            Currency::USD,
            today
        )
        .as_deref(),
        Some("rule rule 2 v1 on USD deals, rule rule 1 v1 on EUR deals")
    );
    // Only EUR deals are paid by a rule: the partner's rate pays the base currency.
    assert_eq!(
        what_pays(&[flat.clone()], &partner(), Currency::USD, today).as_deref(),
        Some("the default rate on USD deals, rule rule 1 v1 on EUR deals")
    );
    // Rules not yet in force say nothing.
    assert_eq!(
        what_pays(&[flat], &partner(), Currency::USD, day(2025, 1, 1)),
        None
    );
}

#[test]
fn overlapping_rules_pick_by_priority_then_later_start_then_id() {
    let base = |id: i64, priority: i32, from: NaiveDate| {
        let mut r = rule(
            id,
            Scope::Everyone,
            RuleKind::Percentage {
                rate: Decimal::new(id, 2),
            },
        );
        r.priority = priority;
        r.effective_from = from;
        r
    };
    let early = day(2026, 1, 1);
    let late = day(2026, 6, 1);
    let pick = |rules: &[Rule]| {
        commission(rules, &credit(1_000_000, 0))
            .unwrap()
            .base_rule()
    };
    assert_eq!(pick(&[base(1, 200, early), base(2, 100, late)]), Some(1));
    assert_eq!(pick(&[base(1, 100, late), base(2, 100, early)]), Some(1));
    assert_eq!(pick(&[base(1, 100, early), base(2, 100, early)]), Some(2));
    // The order the rules arrive in does not matter.
    assert_eq!(pick(&[base(2, 100, early), base(1, 100, early)]), Some(2));
}

#[test]
fn commissions_round_half_away_from_zero_to_the_minor_unit() {
    let mut twelve_and_a_half = partner();
    twelve_and_a_half.default_rate = CommissionRate::from_percent_text("12.5").unwrap();
    let on = |minor: i64, currency: Currency| {
        let money = Money::from_minor(minor, currency);
        let credit = Credit {
            partner: twelve_and_a_half,
            attributed: money,
            deal_amount: money,
            won_on: day(2026, 8, 14),
            quarter_before: Money::zero(currency),
        };
        commission(&[], &credit).unwrap().amount.to_minor().unwrap()
    };
    // 100.04 × 12.5 % = 12.505 -> 12.51; ¥1003 × 12.5 % = 125.375 -> 125.
    assert_eq!(on(10_004, Currency::USD), 1251);
    assert_eq!(on(1003, Currency::JPY), 125);
}
