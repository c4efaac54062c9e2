//! Worked examples (computed by hand in the comments) and properties of the engine.

use chrono::{Duration, TimeZone};
use rust_decimal::dec;

use super::*;
use crate::ids::DealId;
use crate::money::Currency;
use crate::touchpoint::TouchpointKind::*;

const A: PartnerId = PartnerId(1);
const B: PartnerId = PartnerId(2);
const C: PartnerId = PartnerId(3);

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(n)
}

fn touch(partner: PartnerId, kind: TouchpointKind, on: i64) -> Touch {
    Touch {
        partner,
        kind,
        at: day(on),
    }
}

/// $1,000.00 closing on day 100.
fn deal(touches: Vec<Touch>) -> DealInput {
    DealInput {
        deal: DealId(1),
        amount: Money::from_minor(100_000, Currency::USD),
        closed_at: day(100),
        touches,
    }
}

/// (partner, cents) per split.
fn cents(deal: &DealInput, model: AttributionModel) -> Vec<(PartnerId, i64)> {
    attribute(deal, model, &ModelSettings::default())
        .unwrap()
        .splits()
        .iter()
        .map(|s| (s.partner, s.amount.to_minor().unwrap()))
        .collect()
}

fn three_touches() -> DealInput {
    deal(vec![
        touch(A, Demo, 10),
        touch(B, Proposal, 20),
        touch(A, Negotiation, 30),
    ])
}

#[test]
fn equal_split_counts_touches() {
    // A has 2 of 3 touches: 100000 × 2/3 = 66666.67, B 33333.33; the leftover cent goes to the
    // larger remainder (A, .67).
    assert_eq!(
        cents(&three_touches(), AttributionModel::EqualSplit),
        vec![(A, 66_667), (B, 33_333)]
    );
}

#[test]
fn first_and_last_touch_take_everything() {
    let deal = deal(vec![
        touch(B, Proposal, 20),
        touch(A, Demo, 10),
        touch(C, Negotiation, 30),
    ]);
    assert_eq!(
        cents(&deal, AttributionModel::FirstTouch),
        vec![(A, 100_000)]
    );
    assert_eq!(
        cents(&deal, AttributionModel::LastTouch),
        vec![(C, 100_000)]
    );
}

#[test]
fn time_decay_halves_per_half_life() {
    // 30 days before close: 2^-1 = 0.5; at the close: 1. A 0.5/1.5 = 33333.33, B 66666.67.
    let deal = deal(vec![touch(A, Demo, 70), touch(B, Negotiation, 100)]);
    assert_eq!(
        cents(&deal, AttributionModel::TimeDecay),
        vec![(A, 33_333), (B, 66_667)]
    );
    let result = attribute(
        &deal,
        AttributionModel::TimeDecay,
        &ModelSettings::default(),
    )
    .unwrap();
    assert_eq!(result.splits()[0].explanation.weight, dec!(0.5));
    assert_eq!(result.splits()[0].share, dec!(0.333333333333));
}

#[test]
fn time_decay_explains_itself_in_a_sentence() {
    // 12 days before close: 2^(-12/30) = 0.757858 ≈ 0.76; at close: 1; 0.76 / 1.76 = 43.1 %.
    let deal = deal(vec![touch(A, Demo, 88), touch(B, Negotiation, 100)]);
    let result = attribute(
        &deal,
        AttributionModel::TimeDecay,
        &ModelSettings::default(),
    )
    .unwrap();
    assert_eq!(
        result.splits()[0].explanation.sentence(),
        "Time decay, half-life 30 days: demo 12 days before close → weight 0.76; 0.76 of 1.76 = 43.1 %"
    );
}

#[test]
fn role_based_uses_kind_weights() {
    // Defaults: registration 30, demo 10, negotiation 5; total 45. A 2/3 → 66666.67,
    // B 2/9 → 22222.22, C 1/9 → 11111.11; floors leave 1 cent for A (.67).
    let deal = deal(vec![
        touch(A, DealRegistration, 10),
        touch(B, Demo, 20),
        touch(C, Negotiation, 30),
    ]);
    assert_eq!(
        cents(&deal, AttributionModel::RoleBased),
        vec![(A, 66_667), (B, 22_222), (C, 11_111)]
    );
}

#[test]
fn position_based_is_u_shaped() {
    // A first (40) and last (40); B and C share the middle 20: 10 each.
    let deal4 = deal(vec![
        touch(A, Demo, 10),
        touch(B, Demo, 20),
        touch(C, Demo, 30),
        touch(A, Demo, 40),
    ]);
    assert_eq!(
        cents(&deal4, AttributionModel::PositionBased),
        vec![(A, 80_000), (B, 10_000), (C, 10_000)]
    );
    // Two touches: no middle, so 40/40 → 50/50. One touch: 100 %.
    let deal2 = deal(vec![touch(A, Demo, 10), touch(B, Demo, 20)]);
    assert_eq!(
        cents(&deal2, AttributionModel::PositionBased),
        vec![(A, 50_000), (B, 50_000)]
    );
    let deal1 = deal(vec![touch(B, Demo, 10)]);
    assert_eq!(
        cents(&deal1, AttributionModel::PositionBased),
        vec![(B, 100_000)]
    );
}

fn five_touches() -> DealInput {
    deal(vec![
        touch(A, Referral, 10),
        touch(B, Demo, 20),
        touch(C, DealRegistration, 30),
        touch(B, Proposal, 40),
        touch(A, Negotiation, 50),
    ])
}

#[test]
fn w_shaped_credits_first_registration_and_last() {
    // First A 30, registration C 30, last A 30; the rest (B demo, B proposal) share 10.
    assert_eq!(
        cents(&five_touches(), AttributionModel::WShaped),
        vec![(A, 60_000), (B, 10_000), (C, 30_000)]
    );
}

#[test]
fn full_path_adds_the_opportunity_touch() {
    // First A 22.5, registration C 22.5, opportunity (first proposal after it) B 22.5,
    // last A 22.5, rest (B demo) 10: A 45, B 32.5, C 22.5.
    assert_eq!(
        cents(&five_touches(), AttributionModel::FullPath),
        vec![(A, 45_000), (B, 32_500), (C, 22_500)]
    );
}

#[test]
fn w_shaped_without_registration_uses_the_earliest_middle_touch() {
    // Middle touches B demo (registration slot) and C proposal (rest): A 30+30, B 30, C 10.
    let deal = deal(vec![
        touch(A, Referral, 10),
        touch(B, Demo, 20),
        touch(C, Proposal, 30),
        touch(A, Negotiation, 40),
    ]);
    assert_eq!(
        cents(&deal, AttributionModel::WShaped),
        vec![(A, 60_000), (B, 30_000), (C, 10_000)]
    );
    // The demo stands in for the missing registration and is named so, not "the registration".
    let result = attribute(&deal, AttributionModel::WShaped, &ModelSettings::default()).unwrap();
    let b = result.splits().iter().find(|s| s.partner == B).unwrap();
    let sentence = b.explanation.sentence();
    assert!(
        sentence.contains("demo on 2026-01-21 as the earliest middle touch, holding the deal-registration slot (no deal registration)"),
        "{sentence}"
    );
    assert!(!sentence.contains("registration touch"), "{sentence}");
    // With a real registration, it is called one.
    let registered = attribute(
        &five_touches(),
        AttributionModel::WShaped,
        &ModelSettings::default(),
    )
    .unwrap();
    let all: Vec<String> = registered
        .splits()
        .iter()
        .map(|s| s.explanation.sentence())
        .collect();
    assert!(
        all.iter()
            .any(|s| s.contains("as the deal-registration touch")),
        "{all:?}"
    );
}

#[test]
fn j_shapes_favour_one_end() {
    let deal = deal(vec![
        touch(A, Referral, 10),
        touch(B, Demo, 20),
        touch(C, Negotiation, 30),
    ]);
    // J: first 20, middle 20, last 60. Inverse J: first 60, middle 20, last 20.
    assert_eq!(
        cents(&deal, AttributionModel::JShaped),
        vec![(A, 20_000), (B, 20_000), (C, 60_000)]
    );
    assert_eq!(
        cents(&deal, AttributionModel::InverseJ),
        vec![(A, 60_000), (B, 20_000), (C, 20_000)]
    );
}

#[test]
fn touches_after_the_close_are_ignored_and_reported() {
    let late = touch(C, Demo, 120);
    let deal = deal(vec![touch(A, Demo, 10), late]);
    let result = attribute(
        &deal,
        AttributionModel::EqualSplit,
        &ModelSettings::default(),
    )
    .unwrap();
    assert_eq!(result.ignored_touches, vec![late]);
    assert_eq!(
        cents(&deal, AttributionModel::EqualSplit),
        vec![(A, 100_000)]
    );
}

#[test]
fn a_deal_nobody_touched_before_closing_is_unattributed() {
    for touches in [vec![], vec![touch(A, Demo, 150)]] {
        let result = attribute(
            &deal(touches),
            AttributionModel::EqualSplit,
            &ModelSettings::default(),
        )
        .unwrap();
        assert_eq!(result.outcome, Outcome::Unattributed);
    }
}

#[test]
fn refunds_mirror_sales_and_minor_units_follow_the_currency() {
    let mut refund = three_touches();
    refund.touches.push(touch(C, Demo, 25));
    refund.amount = Money::from_minor(-10_000, Currency::USD);
    // 4 touches: A 2, B 1, C 1 → -50.00, -25.00, -25.00.
    assert_eq!(
        cents(&refund, AttributionModel::EqualSplit),
        vec![(A, -5_000), (B, -2_500), (C, -2_500)]
    );

    let mut yen = deal(vec![
        touch(A, Demo, 1),
        touch(B, Demo, 2),
        touch(C, Demo, 3),
    ]);
    yen.amount = Money::from_minor(1_000, Currency::JPY);
    // ¥1,000 / 3 = 333.33 each; the leftover yen goes to the first (ties keep order).
    assert_eq!(
        cents(&yen, AttributionModel::EqualSplit),
        vec![(A, 334), (B, 333), (C, 333)]
    );

    let mut dinar = yen.clone();
    dinar.amount = Money::from_minor(1_000, "KWD".parse().unwrap());
    let split = attribute(
        &dinar,
        AttributionModel::EqualSplit,
        &ModelSettings::default(),
    )
    .unwrap();
    assert_eq!(split.splits()[0].amount.amount(), dec!(0.334));
}

#[test]
fn all_zero_weights_fall_back_to_equal_split_and_say_so() {
    let mut settings = ModelSettings::default();
    settings.role_weights.by_kind.insert(Demo, Decimal::ZERO);
    let deal = deal(vec![touch(A, Demo, 10), touch(B, Demo, 20)]);
    let result = attribute(&deal, AttributionModel::RoleBased, &settings).unwrap();
    assert_eq!(result.splits().len(), 2);
    assert_eq!(
        result.splits()[0].explanation.fallback,
        Some(Fallback::AllWeightsZero)
    );
    assert!(
        result.splits()[0]
            .explanation
            .sentence()
            .contains("weighed zero")
    );
}

#[test]
fn data_driven_models_need_history() {
    let err = attribute(
        &three_touches(),
        AttributionModel::Shapley,
        &ModelSettings::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DomainError::NeedsHistory(_)));
}

#[test]
fn compare_runs_every_model_over_every_deal() {
    let deals = vec![three_touches(), five_touches()];
    let runs = compare(
        &deals,
        AttributionModel::RULE_BASED,
        &ModelSettings::default(),
    )
    .unwrap();
    assert_eq!(runs.len(), AttributionModel::RULE_BASED.len());
    for (run, model) in runs.iter().zip(AttributionModel::RULE_BASED) {
        assert_eq!(run.len(), 2);
        assert!(run.iter().all(|r| r.model == *model));
    }
}

#[test]
fn settings_are_validated_and_round_trip_through_json() {
    let defaults = ModelSettings::default();
    assert!(defaults.validate().is_ok());
    let json = serde_json::to_string(&defaults).unwrap();
    assert_eq!(
        serde_json::from_str::<ModelSettings>(&json).unwrap(),
        defaults
    );

    let mut bad = defaults.clone();
    bad.half_life_days = Decimal::ZERO;
    assert!(bad.validate().is_err());
    let mut bad = defaults.clone();
    bad.w_shaped.rest = dec!(-1);
    assert!(bad.validate().is_err());
    let mut bad = defaults;
    bad.j_shaped = SlotWeights::percent(0, 0, 0, 0, 0);
    assert!(bad.validate().unwrap_err().to_string().contains("J-shaped"));
}

#[test]
fn every_model_has_a_readable_sentence() {
    for model in AttributionModel::RULE_BASED {
        let result = attribute(&five_touches(), *model, &ModelSettings::default()).unwrap();
        for split in result.splits() {
            let sentence = split.explanation.sentence();
            assert!(sentence.starts_with(model.name()), "{sentence}");
            assert!(sentence.ends_with(" %"), "{sentence}");
        }
    }
}

mod properties {
    use super::*;
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn rational(value: Decimal) -> BigRational {
        BigRational::new(
            BigInt::from(value.mantissa()),
            BigInt::from(10).pow(value.scale()),
        )
    }

    fn arb_touch() -> impl Strategy<Value = Touch> {
        (
            1i64..=5,
            0usize..TouchpointKind::ALL.len(),
            0i64..130,
            0i64..86_400,
        )
            .prop_map(|(partner, kind, on, seconds)| Touch {
                partner: PartnerId(partner),
                kind: TouchpointKind::ALL[kind],
                at: day(on) + Duration::seconds(seconds),
            })
    }

    fn arb_deal() -> impl Strategy<Value = DealInput> {
        let currency = prop_oneof![
            Just(Currency::USD),
            Just(Currency::JPY),
            Just("KWD".parse().unwrap())
        ];
        (
            -1_000_000_000_000i64..1_000_000_000_000,
            currency,
            prop::collection::vec(arb_touch(), 0..9),
        )
            .prop_map(|(minor, currency, touches)| DealInput {
                deal: DealId(7),
                amount: Money::from_minor(minor, currency),
                closed_at: day(100),
                touches,
            })
    }

    fn ratio(n: i64, d: i64) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    /// A slow reference, written apart from the engine: each model's partner weights as exact
    /// fractions, with slot weights divided (not scaled) and no shortcuts.
    fn reference_weights(
        deal: &DealInput,
        model: AttributionModel,
        settings: &ModelSettings,
    ) -> BTreeMap<PartnerId, BigRational> {
        let mut touches: Vec<Touch> = deal
            .touches
            .iter()
            .copied()
            .filter(|t| t.at <= deal.closed_at)
            .collect();
        touches.sort_by_key(|t| (t.at, t.partner, t.kind));
        let n = touches.len();
        let zero = || ratio(0, 1);
        let mut weights: Vec<BigRational> = vec![zero(); n];
        use AttributionModel::*;
        match model {
            EqualSplit => weights.iter_mut().for_each(|w| *w = ratio(1, 1)),
            FirstTouch => weights[0] = ratio(1, 1),
            LastTouch => weights[n - 1] = ratio(1, 1),
            TimeDecay => {
                for (w, t) in weights.iter_mut().zip(&touches) {
                    // Calendar days between the two dates, as a person counts them.
                    let days = (deal.closed_at.date_naive() - t.at.date_naive())
                        .num_days()
                        .max(0) as f64;
                    let value = (-days / f64::try_from(settings.half_life_days).unwrap()).exp2();
                    *w = ratio((value * 1e12).round() as i64, 1_000_000_000_000);
                }
            }
            RoleBased => {
                for (w, t) in weights.iter_mut().zip(&touches) {
                    *w = rational(settings.role_weights.weight(t.kind));
                }
            }
            _ => {
                let slots = settings.slots(model).unwrap();
                let middle: Vec<usize> = (1..n.saturating_sub(1)).collect();
                let registration = if slots.registration.is_zero() {
                    None
                } else {
                    middle
                        .iter()
                        .copied()
                        .find(|&i| touches[i].kind == DealRegistration)
                        .or(middle.first().copied())
                };
                let opportunity = if slots.opportunity.is_zero() {
                    None
                } else {
                    let after: Vec<usize> = middle
                        .iter()
                        .copied()
                        .filter(|&i| registration.is_none_or(|r| i > r))
                        .collect();
                    after
                        .iter()
                        .copied()
                        .find(|&i| touches[i].kind == Proposal)
                        .or(after.first().copied())
                };
                let rest: Vec<usize> = middle
                    .iter()
                    .copied()
                    .filter(|&i| Some(i) != registration && Some(i) != opportunity)
                    .collect();
                weights[0] += rational(slots.first);
                weights[n - 1] += rational(slots.last);
                if let Some(i) = registration {
                    weights[i] += rational(slots.registration);
                }
                if let Some(i) = opportunity {
                    weights[i] += rational(slots.opportunity);
                }
                for &i in &rest {
                    weights[i] += rational(slots.rest) / BigInt::from(rest.len());
                }
            }
        }
        if weights.iter().all(|w| *w == zero()) {
            weights.iter_mut().for_each(|w| *w = ratio(1, 1));
        }
        let mut by_partner: BTreeMap<PartnerId, BigRational> = BTreeMap::new();
        for (w, t) in weights.into_iter().zip(&touches) {
            if w != zero() {
                *by_partner.entry(t.partner).or_insert_with(zero) += w;
            }
        }
        by_partner
    }

    proptest! {
        /// Each split is within one minor unit of the reference's exact share, and the partners
        /// credited are exactly the reference's.
        #[test]
        fn splits_match_the_slow_reference(deal in arb_deal()) {
            let settings = ModelSettings::default();
            let total = BigRational::from_integer(BigInt::from(deal.amount.to_minor().unwrap()));
            let one = ratio(1, 1);
            for model in AttributionModel::RULE_BASED {
                let result = attribute(&deal, *model, &settings).unwrap();
                if result.splits().is_empty() {
                    continue;
                }
                let reference = reference_weights(&deal, *model, &settings);
                let sum: BigRational = reference.values().cloned().fold(ratio(0, 1), |a, b| a + b);
                let partners: Vec<PartnerId> = result.splits().iter().map(|s| s.partner).collect();
                prop_assert_eq!(partners, reference.keys().copied().collect::<Vec<_>>(), "{}", model);
                for split in result.splits() {
                    let exact = &total * &reference[&split.partner] / &sum;
                    let error = BigRational::from_integer(BigInt::from(split.amount.to_minor().unwrap())) - exact;
                    prop_assert!(error < one && error > -&one, "{}: off by {}", model, error);
                }
            }
        }

        #[test]
        fn splits_are_exact_and_close_to_the_exact_share(deal in arb_deal()) {
            let total = deal.amount.to_minor().unwrap();
            for model in AttributionModel::RULE_BASED {
                let result = attribute(&deal, *model, &ModelSettings::default()).unwrap();
                let splits = result.splits();
                if splits.is_empty() {
                    prop_assert!(deal.touches.iter().all(|t| t.at > deal.closed_at));
                    continue;
                }
                let sum: i64 = splits.iter().map(|s| s.amount.to_minor().unwrap()).sum();
                prop_assert_eq!(sum, total, "{} must sum to the amount", model);
                for split in splits {
                    prop_assert_eq!(split.amount.currency(), deal.amount.currency());
                    let minor = split.amount.to_minor().unwrap();
                    if total > 0 {
                        prop_assert!(minor >= 0, "negative split of a sale");
                    }
                    // The exact rational share of the amount, from the same weights.
                    let e = &split.explanation;
                    let exact = BigRational::from_integer(BigInt::from(total)) * rational(e.weight)
                        / rational(e.total_weight);
                    let error = BigRational::from_integer(BigInt::from(minor)) - exact;
                    let one = BigRational::from_integer(BigInt::from(1));
                    prop_assert!(error < one && error > -one, "{}: off by {}", model, error);
                    prop_assert!(error < BigRational::from_integer(BigInt::from(1)), "{model}: off by {error}");
                }
            }
        }

        #[test]
        fn refunds_are_the_exact_negation_of_sales(deal in arb_deal()) {
            let mut refund = deal.clone();
            refund.amount = Money::from_minor(-deal.amount.to_minor().unwrap(), deal.amount.currency());
            for model in AttributionModel::RULE_BASED {
                let sale = attribute(&deal, *model, &ModelSettings::default()).unwrap();
                let back = attribute(&refund, *model, &ModelSettings::default()).unwrap();
                let negated: Vec<_> = sale.splits().iter().map(|s| (s.partner, -s.amount.to_minor().unwrap())).collect();
                let refunded: Vec<_> = back.splits().iter().map(|s| (s.partner, s.amount.to_minor().unwrap())).collect();
                prop_assert_eq!(negated, refunded);
            }
        }

        #[test]
        fn input_order_does_not_matter(deal in arb_deal(), seed in any::<u64>()) {
            let mut shuffled = deal.clone();
            // A deterministic shuffle from the seed.
            let n = shuffled.touches.len();
            for i in (1..n).rev() {
                let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
                shuffled.touches.swap(i, j);
            }
            for model in AttributionModel::RULE_BASED {
                let a = attribute(&deal, *model, &ModelSettings::default()).unwrap();
                let b = attribute(&shuffled, *model, &ModelSettings::default()).unwrap();
                prop_assert_eq!(a, b);
            }
        }

        #[test]
        fn a_single_partner_gets_everything(deal in arb_deal()) {
            let mut solo = deal.clone();
            for t in &mut solo.touches {
                t.partner = A;
            }
            for model in AttributionModel::RULE_BASED {
                let result = attribute(&solo, *model, &ModelSettings::default()).unwrap();
                if let [only] = result.splits() {
                    prop_assert_eq!(only.amount, solo.amount);
                    prop_assert_eq!(only.share, Decimal::ONE);
                } else {
                    prop_assert!(result.splits().is_empty());
                }
            }
        }

        #[test]
        fn equal_split_treats_partners_with_equal_touch_counts_alike(deal in arb_deal()) {
            let result = attribute(&deal, AttributionModel::EqualSplit, &ModelSettings::default()).unwrap();
            let count = |p: PartnerId| deal.touches.iter().filter(|t| t.partner == p && t.at <= deal.closed_at).count();
            for a in result.splits() {
                for b in result.splits() {
                    if count(a.partner) == count(b.partner) {
                        let gap = (a.amount.to_minor().unwrap() - b.amount.to_minor().unwrap()).abs();
                        prop_assert!(gap <= 1, "equal touch counts differ by {gap}");
                        prop_assert_eq!(a.share, b.share);
                    }
                }
            }
        }
    }
}

mod data_driven {
    use super::*;
    use crate::attribution::learned::{CoalitionRates, shapley};

    /// `count` closed deals touched by `partners`, `wins` of them won.
    fn history(partners: &[PartnerId], count: usize, wins: usize) -> Vec<HistoricalDeal> {
        (0..count)
            .map(|i| HistoricalDeal {
                won: i < wins,
                closed_at: day(100),
                touches: partners
                    .iter()
                    .enumerate()
                    .map(|(k, &p)| touch(p, Demo, 10 + k as i64))
                    .collect(),
            })
            .collect()
    }

    fn engine(history: &[HistoricalDeal], tweak: impl FnOnce(&mut DataDrivenSettings)) -> Engine {
        let mut settings = ModelSettings::default();
        settings.data_driven.min_closed_deals = 3;
        settings.data_driven.min_won_and_lost = 1;
        settings.data_driven.shrinkage = Decimal::ZERO;
        tweak(&mut settings.data_driven);
        let mut engine = Engine::new(settings).unwrap();
        engine.learn(history);
        engine
    }

    fn engine_cents(
        engine: &Engine,
        deal: &DealInput,
        model: AttributionModel,
    ) -> Vec<(PartnerId, i64)> {
        engine
            .attribute(deal, model)
            .unwrap()
            .splits()
            .iter()
            .map(|s| (s.partner, s.amount.to_minor().unwrap()))
            .collect()
    }

    /// Hand-computed from Shapley's formula (Shapley 1953), with win rates as the coalition value
    /// (Dalessandro et al. 2012) and no shrinkage: v(A) = 1/5, v(B) = 2/5, v(AB) = 4/5.
    /// φ_A = ½(v(A) − 0) + ½(v(AB) − v(B)) = ½(0.2) + ½(0.4) = 0.3;
    /// φ_B = ½(0.4) + ½(0.8 − 0.2) = 0.5. Efficiency: 0.3 + 0.5 = v(AB). $1,000 → $375 / $625.
    #[test]
    fn shapley_known_answer() {
        let mut past = history(&[A], 5, 1);
        past.extend(history(&[B], 5, 2));
        past.extend(history(&[A, B], 5, 4));
        let engine = engine(&past, |_| {});
        let deal = deal(vec![touch(A, Referral, 10), touch(B, Demo, 20)]);
        assert_eq!(
            engine_cents(&engine, &deal, AttributionModel::Shapley),
            vec![(A, 37_500), (B, 62_500)]
        );
        let result = engine.attribute(&deal, AttributionModel::Shapley).unwrap();
        match &result.splits()[0].explanation.partner_basis {
            Some(PartnerBasis::Shapley {
                value,
                coalition_win_rate,
                error_bound,
                ..
            }) => {
                assert_eq!(*value, dec!(0.3));
                assert_eq!(*coalition_win_rate, dec!(0.8));
                assert_eq!(*error_bound, None);
            }
            other => panic!("expected a Shapley basis, got {other:?}"),
        }
        assert!(
            result.splits()[1]
                .explanation
                .sentence()
                .contains("Shapley value 0.5")
        );
    }

    /// The example of Bryl (2016), "Marketing Multi-Channel Attribution model with R": paths
    /// C1 → C2 → C3 → conversion, C1 → null, C2 → C3 → null. P(win) = ⅔·½·1·½ + ⅓·1·½ = ⅓.
    /// Without C1: ⅓·1·½ = ⅙, removal effect ½; without C2 or C3 nothing converts: effects 1 and 1.
    /// Normalised over the deal: 0.5 / 2.5 = 20 %, 40 %, 40 %.
    #[test]
    fn markov_known_answer() {
        let (c1, c2, c3) = (PartnerId(11), PartnerId(12), PartnerId(13));
        let mut past = history(&[c1, c2, c3], 1, 1);
        past.extend(history(&[c1], 1, 0));
        past.extend(history(&[c2, c3], 1, 0));
        let engine = engine(&past, |_| {});
        let win = engine.markov_win_probability().unwrap();
        assert!(
            (win - dec!(0.333333333333)).abs() < dec!(0.000000000002),
            "{win}"
        );
        let deal = deal(vec![
            touch(c1, Referral, 10),
            touch(c2, Demo, 20),
            touch(c3, Proposal, 30),
        ]);
        assert_eq!(
            engine_cents(&engine, &deal, AttributionModel::Markov),
            vec![(c1, 20_000), (c2, 40_000), (c3, 40_000)]
        );
        let result = engine.attribute(&deal, AttributionModel::Markov).unwrap();
        assert!(
            result.splits()[0]
                .explanation
                .sentence()
                .contains("removal effect 0.5")
        );
    }

    #[test]
    fn too_little_history_falls_back_to_the_named_rule_based_model() {
        let past = history(&[A], 4, 2);
        let engine = engine(&past, |rules| {
            rules.min_closed_deals = 50;
            rules.fallback = AttributionModel::LastTouch;
        });
        let deal = three_touches();
        for model in [AttributionModel::Shapley, AttributionModel::Markov] {
            let result = engine.attribute(&deal, model).unwrap();
            assert_eq!(result.model, model);
            let [only] = result.splits() else {
                panic!("last touch credits one partner")
            };
            assert_eq!(only.partner, A);
            assert_eq!(only.explanation.model, AttributionModel::LastTouch);
            assert!(matches!(
                only.explanation.fallback,
                Some(Fallback::NotEnoughHistory { closed: 4, .. })
            ));
            let sentence = only.explanation.sentence();
            assert!(
                sentence.starts_with("Last touch instead of Data-driven"),
                "{sentence}"
            );
        }
    }

    #[test]
    fn partners_the_history_never_saw_fall_back_too() {
        let mut past = history(&[A], 5, 2);
        past.extend(history(&[B], 5, 3));
        let engine = engine(&past, |_| {});
        let stranger = deal(vec![touch(C, Demo, 10)]);
        let result = engine
            .attribute(&stranger, AttributionModel::Markov)
            .unwrap();
        assert_eq!(
            result.splits()[0].explanation.fallback,
            Some(Fallback::NoPositiveCredit {
                requested: AttributionModel::Markov
            })
        );
        assert_eq!(result.splits()[0].amount, stranger.amount);
    }

    #[test]
    fn sampled_shapley_is_deterministic_and_within_its_bound() {
        let mut past = Vec::new();
        for (partners, count, wins) in [
            (&[A][..], 10, 2),
            (&[B][..], 10, 5),
            (&[C][..], 10, 1),
            (&[A, B][..], 10, 6),
            (&[A, C][..], 10, 3),
            (&[B, C][..], 10, 7),
            (&[A, B, C][..], 10, 9),
        ] {
            past.extend(history(partners, count, wins));
        }
        let exact = engine(&past, |_| {});
        let sampled = engine(&past, |rules| rules.exact_shapley_up_to = 2);
        let deal = deal(vec![
            touch(A, Demo, 10),
            touch(B, Demo, 20),
            touch(C, Demo, 30),
        ]);
        let value = |e: &Engine| -> Vec<(Decimal, Option<Decimal>)> {
            e.attribute(&deal, AttributionModel::Shapley)
                .unwrap()
                .splits()
                .iter()
                .map(|s| match &s.explanation.partner_basis {
                    Some(PartnerBasis::Shapley {
                        value, error_bound, ..
                    }) => (*value, *error_bound),
                    _ => panic!("no Shapley basis"),
                })
                .collect()
        };
        let (exact_values, sampled_values) = (value(&exact), value(&sampled));
        assert_eq!(sampled_values, value(&sampled), "same seed, same estimate");
        for ((e, none), (s, bound)) in exact_values.iter().zip(&sampled_values) {
            assert_eq!(*none, None);
            let bound = bound.expect("sampled values state their bound");
            assert!((e - s).abs() <= bound, "{e} vs {s} ± {bound}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Efficiency (Σφ = v(N)) and symmetry (interchangeable partners get equal values),
            /// on histories made symmetric in partners 1 and 2 by mirroring.
            #[test]
            fn shapley_is_efficient_and_symmetric(
                records in prop::collection::vec((1u8..8, 0u32..6, 0u32..6), 1..12),
                shrinkage in 0.0f64..20.0,
            ) {
                let mut past = Vec::new();
                for (mask, total, wins) in records {
                    let members: Vec<PartnerId> = (0..3).filter(|i| mask & (1 << i) != 0).map(|i| PartnerId(i + 1)).collect();
                    let mirrored: Vec<PartnerId> = members.iter().map(|p| match p.0 { 1 => PartnerId(2), 2 => PartnerId(1), _ => *p }).collect();
                    for group in [members, mirrored] {
                        past.extend(history(&group, total as usize, wins.min(total) as usize));
                    }
                }
                let rates = CoalitionRates::learn(&past, shrinkage);
                let all = [PartnerId(1), PartnerId(2), PartnerId(3)];
                let values = shapley(&rates, &all, 12, 100, 1);
                let sum: f64 = values.values.iter().sum();
                prop_assert!((sum - rates.value(&all)).abs() < 1e-9, "efficiency: {sum}");
                prop_assert!((values.values[0] - values.values[1]).abs() < 1e-9, "symmetry");
            }
        }
    }
}
