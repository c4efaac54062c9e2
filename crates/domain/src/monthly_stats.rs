//! Monthly totals per partner (and per organization), kept next to the deals so period numbers
//! (leaderboards, reports) add up a few hundred rows instead of walking every deal and touch.
//!
//! Each deal *contributes* counts and amounts to keys of the form (partner, month, metric,
//! detail). A change to a deal moves the totals by the difference between its contribution
//! after and before, so the totals always equal the sum over the deals as they are now (a test
//! rebuilds them from scratch and compares).
//!
//! "Deals a partner touched in a range of months" is not a sum of monthly counts (a deal touched
//! in two months counts once). It becomes one by counting, for each month a partner touched a
//! deal, the month it touched that deal before (`detail`): the deal counts in a range exactly
//! once, at its first touch month inside the range — the one whose previous month lies before
//! the range (or that has none).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use rust_decimal::Decimal;

use super::attribution::{AttributionModel, Touch};
use super::deal::DealStage;
use super::forecast::PipelineStage;
use super::fx;
use super::ids::PartnerId;
use super::labels::label_enum;
use super::money::{Currency, Money, allocate_minor};
use super::reporting::DateRange;

label_enum! {
    /// What a monthly total counts. Amounts are minor units; "base" amounts are in the
    /// organization's base currency, other currencies converted at the rate locked at the win.
    pub enum Metric ("metric") {
        /// Partner: months it touched a deal; detail = the month it touched that deal before.
        Touched => "touched",
        /// Partner: deals it touched that were won in the month.
        Won => "won",
        /// Partner: deals it touched that were won or lost in the month.
        Closed => "closed",
        /// Partner: credit (minor units) stored for deals won in the month; detail = model:currency.
        Credit => "credit",
        /// Partner: that credit in the base currency; detail = model.
        Revenue => "revenue",
        /// Partner: base amount of the deals it touched that were won in the month.
        WonValue => "won_value",
        /// Partner: days from its first touch to the win, summed over those deals.
        CycleDays => "cycle_days",
        /// Partner (the first to touch an open deal): the deal's amount in the month it is
        /// expected to close (`UNDATED` when undated); detail = stage:currency.
        Pipeline => "pipeline",
        /// Partner: those deals counted; detail = stage.
        PipelineDeals => "pipeline_deals",
        /// Partner (the first to touch before the close): deals closed in the month by the
        /// stage they had reached; detail = stage:won or stage:lost.
        Outcome => "outcome",
        /// Organization: deals won in the month; detail = currency.
        WonDeals => "won_deals",
        /// Organization: their amounts (minor units); detail = currency.
        WonAmount => "won_amount",
        /// Organization: deals won in the month with a touch up to the win; detail = currency.
        Creditable => "creditable",
        /// Organization: deals won in the month with stored credit; detail = model:currency.
        Credited => "credited",
        /// Organization: base amount of every deal won in the month.
        WonTotal => "won_total",
        /// Organization: base amount of won deals a partner sourced (the first touch up to the
        /// win is a sourcing kind, such as a referral or a deal registration).
        Sourced => "sourced",
        /// Organization: those deals counted.
        SourcedDeals => "sourced_deals",
        /// Organization: base amount of won deals partners touched but did not source.
        Influenced => "influenced",
        /// Organization: those deals counted.
        InfluencedDeals => "influenced_deals",
    }
}

impl Metric {
    /// Metrics kept per partner; the others are the organization's.
    pub const PARTNER: [Metric; 10] = [
        Metric::Touched,
        Metric::Won,
        Metric::Closed,
        Metric::Credit,
        Metric::Revenue,
        Metric::WonValue,
        Metric::CycleDays,
        Metric::Pipeline,
        Metric::PipelineDeals,
        Metric::Outcome,
    ];

    pub fn is_partner(self) -> bool {
        Self::PARTNER.contains(&self)
    }

    /// The organization's metrics.
    pub fn organization() -> impl Iterator<Item = Metric> {
        Self::ALL.iter().copied().filter(|m| !m.is_partner())
    }
}

/// A calendar month, spelled `YYYY-MM` in the database: text that sorts like time on both back
/// ends, and '' (no month) sorts before every month.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The month of open deals without an expected close: before every month, and seven characters
/// like them (the column is `CHAR(7)`, which PostgreSQL pads).
pub const UNDATED: &str = "0000-00";

/// The months `from..to` (as `month_of`) a range covers, if it starts and ends on a month's first
/// day; every reporting period does.
pub fn months_of(range: DateRange) -> Option<(String, String)> {
    (range.start.day() == 1 && range.end.day() == 1)
        .then(|| (month_of(range.start), month_of(range.end)))
}

/// `model:currency`, the detail of credit totals.
pub fn credit_detail(model: AttributionModel, currency: Currency) -> String {
    format!("{}:{}", model.as_str(), currency.code())
}

/// One total: `partner` is `None` for the organization's own metrics.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatKey {
    pub partner: Option<PartnerId>,
    pub month: String,
    pub metric: Metric,
    pub detail: String,
}

/// What a deal is, as far as the totals care.
#[derive(Debug, Clone, PartialEq)]
pub struct DealFacts {
    pub amount_minor: i64,
    pub stage: DealStage,
    pub closed_at: Option<DateTime<Utc>>,
    pub expected_close: Option<NaiveDate>,
    pub currency: Currency,
    /// The organization's base currency and the rate into it: 1 for deals in the base currency,
    /// the rate locked at the win for the others, `None` while unknown (open deals).
    pub base: Currency,
    pub to_base: Option<Decimal>,
    /// Every touch.
    pub touches: Vec<Touch>,
    /// Credit stored with the deal: model, partner, minor units.
    pub credit: Vec<(AttributionModel, PartnerId, i64)>,
}

impl DealFacts {
    /// `minor` units of the deal's currency in the base currency, if the rate is known.
    fn in_base(&self, minor: i64) -> Option<i64> {
        if self.currency == self.base {
            return Some(minor);
        }
        let rate = self.to_base?;
        fx::convert(Money::from_minor(minor, self.currency), rate, self.base)
            .to_minor()
            .ok()
    }
}

pub type Totals = BTreeMap<StatKey, i64>;

fn add(
    totals: &mut Totals,
    partner: Option<PartnerId>,
    month: &str,
    metric: Metric,
    detail: String,
    value: i64,
) {
    *totals
        .entry(StatKey {
            partner,
            month: month.to_owned(),
            metric,
            detail,
        })
        .or_default() += value;
}

/// The earliest of `touches` (ties broken by partner, then kind, so input order never matters).
fn first(touches: impl Iterator<Item = Touch>) -> Option<Touch> {
    touches.min_by_key(|t| (t.at, t.partner, t.kind))
}

/// The deal's contribution to the totals.
pub fn contribution(deal: &DealFacts) -> Totals {
    let mut totals = Totals::new();
    let mut months: BTreeMap<PartnerId, BTreeSet<String>> = BTreeMap::new();
    for touch in &deal.touches {
        months
            .entry(touch.partner)
            .or_default()
            .insert(month_of(touch.at.date_naive()));
    }
    for (partner, touched) in &months {
        let mut before = String::new();
        for month in touched {
            add(
                &mut totals,
                Some(*partner),
                month,
                Metric::Touched,
                before,
                1,
            );
            before = month.clone();
        }
    }
    let currency = deal.currency.code().to_owned();
    let Some(closed_at) = deal.closed_at.filter(|_| deal.stage != DealStage::Open) else {
        open_pipeline(deal, &mut totals);
        return totals;
    };
    let closed = month_of(closed_at.date_naive());
    let won = deal.stage == DealStage::Won;
    for partner in months.keys() {
        add(
            &mut totals,
            Some(*partner),
            &closed,
            Metric::Closed,
            String::new(),
            1,
        );
        if won {
            add(
                &mut totals,
                Some(*partner),
                &closed,
                Metric::Won,
                String::new(),
                1,
            );
        }
    }
    let before_close = || deal.touches.iter().copied().filter(|t| t.at <= closed_at);
    let opener = first(before_close());
    if let (Some(opener), Some(stage)) = (
        opener,
        PipelineStage::reached(before_close().map(|t| t.kind)),
    ) {
        let outcome = if won { "won" } else { "lost" };
        add(
            &mut totals,
            Some(opener.partner),
            &closed,
            Metric::Outcome,
            format!("{}:{outcome}", stage.as_str()),
            1,
        );
    }
    if !won {
        return totals;
    }
    add(
        &mut totals,
        None,
        &closed,
        Metric::WonDeals,
        currency.clone(),
        1,
    );
    add(
        &mut totals,
        None,
        &closed,
        Metric::WonAmount,
        currency.clone(),
        deal.amount_minor,
    );
    if opener.is_some() {
        add(&mut totals, None, &closed, Metric::Creditable, currency, 1);
    }
    let mut credited = BTreeSet::new();
    for (model, partner, minor) in &deal.credit {
        let detail = credit_detail(*model, deal.currency);
        add(
            &mut totals,
            Some(*partner),
            &closed,
            Metric::Credit,
            detail.clone(),
            *minor,
        );
        credited.insert(detail);
    }
    for detail in credited {
        add(&mut totals, None, &closed, Metric::Credited, detail, 1);
    }
    if let Some(base) = deal.in_base(deal.amount_minor) {
        won_in_base(deal, base, closed_at, opener, &months, &mut totals);
    }
    totals
}

/// What a won deal adds in the base currency (`base`: its amount there).
fn won_in_base(
    deal: &DealFacts,
    base: i64,
    closed_at: DateTime<Utc>,
    opener: Option<Touch>,
    months: &BTreeMap<PartnerId, BTreeSet<String>>,
    totals: &mut Totals,
) {
    let closed = month_of(closed_at.date_naive());
    add(totals, None, &closed, Metric::WonTotal, String::new(), base);
    if let Some(opener) = opener {
        let (amount, count) = if opener.kind.sources() {
            (Metric::Sourced, Metric::SourcedDeals)
        } else {
            (Metric::Influenced, Metric::InfluencedDeals)
        };
        add(totals, None, &closed, amount, String::new(), base);
        add(totals, None, &closed, count, String::new(), 1);
    }
    for partner in months.keys() {
        add(
            totals,
            Some(*partner),
            &closed,
            Metric::WonValue,
            String::new(),
            base,
        );
        let since = first(
            deal.touches
                .iter()
                .copied()
                .filter(|t| t.partner == *partner),
        );
        if let Some(since) = since {
            let days = (closed_at.date_naive() - since.at.date_naive()).num_days();
            add(
                totals,
                Some(*partner),
                &closed,
                Metric::CycleDays,
                String::new(),
                days.max(0),
            );
        }
    }
    // Each model's credit in the base currency: its total converted, then shared out in
    // proportion, so the partners' parts add up to the converted total exactly.
    let mut by_model: BTreeMap<AttributionModel, Vec<(PartnerId, i64)>> = BTreeMap::new();
    for (model, partner, minor) in &deal.credit {
        by_model.entry(*model).or_default().push((*partner, *minor));
    }
    for (model, credit) in by_model {
        let total: i64 = credit.iter().map(|(_, minor)| minor).sum();
        let Some(total_base) = deal.in_base(total) else {
            continue;
        };
        let weights: Vec<Decimal> = credit.iter().map(|(_, m)| Decimal::from(*m)).collect();
        let Ok(parts) = allocate_minor(total_base, &weights) else {
            continue;
        };
        for ((partner, _), part) in credit.iter().zip(parts) {
            add(
                totals,
                Some(*partner),
                &closed,
                Metric::Revenue,
                model.as_str().to_owned(),
                part,
            );
        }
    }
}

/// An open deal's place in the partner pipeline: under the partner that touched it first, in
/// the month it is expected to close, by the stage its touches reached.
fn open_pipeline(deal: &DealFacts, totals: &mut Totals) {
    if deal.stage != DealStage::Open {
        return;
    }
    let (Some(opener), Some(stage)) = (
        first(deal.touches.iter().copied()),
        PipelineStage::reached(deal.touches.iter().map(|t| t.kind)),
    ) else {
        return;
    };
    let month = deal
        .expected_close
        .map_or_else(|| UNDATED.to_owned(), month_of);
    add(
        totals,
        Some(opener.partner),
        &month,
        Metric::Pipeline,
        format!("{}:{}", stage.as_str(), deal.currency.code()),
        deal.amount_minor,
    );
    add(
        totals,
        Some(opener.partner),
        &month,
        Metric::PipelineDeals,
        stage.as_str().to_owned(),
        1,
    );
}

/// What moves when a deal goes from `before` to `after` (either may be absent): only the keys
/// whose total changes.
pub fn difference(before: Option<&DealFacts>, after: Option<&DealFacts>) -> Totals {
    let mut moved = after.map(contribution).unwrap_or_default();
    for (key, value) in before.map(contribution).unwrap_or_default() {
        *moved.entry(key).or_default() -= value;
    }
    moved.retain(|_, v| *v != 0);
    moved
}

/// Whether a `Touched` total (a partner touched a deal in `month`, and before that last in
/// `before`) counts the deal for the months `from..to`: it does at the deal's first touched
/// month inside the range. Summing the totals that pass gives each partner's distinct deals
/// touched in the range; the database applies the same test in SQL.
pub fn counts_in(month: &str, before: &str, from: &str, to: &str) -> bool {
    month >= from && month < to && before < from
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::touchpoint::TouchpointKind;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    fn touch(partner: i64, kind: TouchpointKind, at: DateTime<Utc>) -> Touch {
        Touch {
            partner: PartnerId(partner),
            kind,
            at,
        }
    }

    fn demo(partner: i64, at: DateTime<Utc>) -> Touch {
        touch(partner, TouchpointKind::Demo, at)
    }

    fn won(touches: Vec<Touch>) -> DealFacts {
        DealFacts {
            amount_minor: 1000,
            stage: DealStage::Won,
            closed_at: Some(at(2026, 3, 10)),
            expected_close: None,
            currency: usd(),
            base: usd(),
            to_base: Some(Decimal::ONE),
            touches,
            credit: vec![
                (AttributionModel::EqualSplit, PartnerId(1), 600),
                (AttributionModel::EqualSplit, PartnerId(2), 400),
            ],
        }
    }

    fn get(
        totals: &Totals,
        partner: Option<i64>,
        month: &str,
        metric: Metric,
        detail: &str,
    ) -> i64 {
        totals
            .get(&StatKey {
                partner: partner.map(PartnerId),
                month: month.into(),
                metric,
                detail: detail.into(),
            })
            .copied()
            .unwrap_or_default()
    }

    #[test]
    fn a_won_deal_counts_once_per_partner_and_carries_its_credit() {
        let p1 = PartnerId(1);
        let p2 = PartnerId(2);
        let deal = won(vec![
            demo(p1.0, at(2026, 1, 5)),
            demo(p1.0, at(2026, 1, 20)),
            demo(p1.0, at(2026, 3, 1)),
            demo(p2.0, at(2026, 2, 2)),
        ]);
        let totals = contribution(&deal);
        assert_eq!(get(&totals, Some(1), "2026-01", Metric::Touched, ""), 1);
        assert_eq!(
            get(&totals, Some(1), "2026-03", Metric::Touched, "2026-01"),
            1
        );
        assert_eq!(get(&totals, Some(2), "2026-02", Metric::Touched, ""), 1);
        assert_eq!(get(&totals, Some(1), "2026-03", Metric::Won, ""), 1);
        assert_eq!(get(&totals, Some(2), "2026-03", Metric::Closed, ""), 1);
        assert_eq!(
            get(
                &totals,
                Some(1),
                "2026-03",
                Metric::Credit,
                "equal_split:USD"
            ),
            600
        );
        assert_eq!(
            get(&totals, None, "2026-03", Metric::WonAmount, "USD"),
            1000
        );
        assert_eq!(get(&totals, None, "2026-03", Metric::Creditable, "USD"), 1);
        assert_eq!(
            get(
                &totals,
                None,
                "2026-03",
                Metric::Credited,
                "equal_split:USD"
            ),
            1
        );
    }

    #[test]
    fn open_and_lost_deals_only_count_what_happened() {
        let mut deal = won(vec![demo(3, at(2026, 2, 1))]);
        deal.stage = DealStage::Lost;
        deal.credit.clear();
        let lost = contribution(&deal);
        assert_eq!(get(&lost, Some(3), "2026-03", Metric::Closed, ""), 1);
        assert_eq!(get(&lost, Some(3), "2026-03", Metric::Won, ""), 0);
        assert_eq!(get(&lost, None, "2026-03", Metric::WonDeals, "USD"), 0);
        assert_eq!(get(&lost, None, "2026-03", Metric::Creditable, "USD"), 0);
        deal.stage = DealStage::Open;
        deal.closed_at = None;
        let open = contribution(&deal);
        // Its touch, and its place in partner 3's pipeline (undated).
        assert_eq!(open.len(), 3, "{open:?}");
        assert_eq!(
            get(&open, Some(3), UNDATED, Metric::Pipeline, "evaluation:USD"),
            1000
        );
        assert_eq!(
            get(&open, Some(3), UNDATED, Metric::PipelineDeals, "evaluation"),
            1
        );
    }

    #[test]
    fn the_difference_of_a_deal_with_itself_is_nothing() {
        let deal = won(vec![demo(1, at(2026, 1, 5))]);
        assert!(difference(Some(&deal), Some(&deal)).is_empty());
        assert_eq!(difference(None, Some(&deal)), contribution(&deal));
        let gone = difference(Some(&deal), None);
        assert!(gone.values().all(|v| *v < 0));
    }

    #[test]
    fn ranges_must_be_whole_months() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let range = |start, end| DateRange { start, end };
        assert_eq!(
            months_of(range(d(2025, 12, 1), d(2026, 12, 1))),
            Some(("2025-12".into(), "2026-12".into()))
        );
        assert_eq!(months_of(range(d(2025, 12, 2), d(2026, 12, 1))), None);
    }

    #[test]
    fn a_won_deal_is_sourced_by_its_first_touch_and_counted_in_the_base_currency() {
        let eur: Currency = "EUR".parse().unwrap();
        let mut deal = won(vec![
            touch(1, TouchpointKind::Referral, at(2026, 1, 5)),
            touch(2, TouchpointKind::Negotiation, at(2026, 2, 20)),
        ]);
        deal.currency = eur;
        deal.to_base = Some(Decimal::new(11, 1));
        deal.credit = vec![
            (AttributionModel::EqualSplit, PartnerId(1), 501),
            (AttributionModel::EqualSplit, PartnerId(2), 499),
        ];
        let totals = contribution(&deal);
        let m = "2026-03";
        assert_eq!(get(&totals, None, m, Metric::WonTotal, ""), 1100);
        assert_eq!(get(&totals, None, m, Metric::Sourced, ""), 1100);
        assert_eq!(get(&totals, None, m, Metric::SourcedDeals, ""), 1);
        assert_eq!(get(&totals, None, m, Metric::Influenced, ""), 0);
        // 501 and 499 of 1000 EUR cents, shared out of 1100 USD cents: 551.1 and 548.9.
        assert_eq!(
            get(&totals, Some(1), m, Metric::Revenue, "equal_split"),
            551
        );
        assert_eq!(
            get(&totals, Some(2), m, Metric::Revenue, "equal_split"),
            549
        );
        assert_eq!(get(&totals, Some(2), m, Metric::WonValue, ""), 1100);
        // Partner 1 touched on 5 January, partner 2 on 20 February; won on 10 March.
        assert_eq!(get(&totals, Some(1), m, Metric::CycleDays, ""), 64);
        assert_eq!(get(&totals, Some(2), m, Metric::CycleDays, ""), 18);
        assert_eq!(
            get(&totals, Some(1), m, Metric::Outcome, "negotiation:won"),
            1
        );
        assert_eq!(
            get(&totals, Some(2), m, Metric::Outcome, "negotiation:won"),
            0
        );

        deal.touches[0].kind = TouchpointKind::Demo;
        let influenced = contribution(&deal);
        assert_eq!(get(&influenced, None, m, Metric::Influenced, ""), 1100);
        assert_eq!(get(&influenced, None, m, Metric::InfluencedDeals, ""), 1);
        assert_eq!(get(&influenced, None, m, Metric::Sourced, ""), 0);
    }

    #[test]
    fn open_deals_sit_in_the_pipeline_of_their_first_partner_by_expected_month() {
        let mut deal = won(vec![
            touch(2, TouchpointKind::Proposal, at(2026, 2, 1)),
            touch(1, TouchpointKind::Referral, at(2026, 1, 1)),
        ]);
        deal.stage = DealStage::Open;
        deal.closed_at = None;
        deal.credit.clear();
        deal.expected_close = NaiveDate::from_ymd_opt(2026, 5, 15);
        let totals = contribution(&deal);
        assert_eq!(
            get(
                &totals,
                Some(1),
                "2026-05",
                Metric::Pipeline,
                "proposal:USD"
            ),
            1000
        );
        assert_eq!(
            get(
                &totals,
                Some(2),
                "2026-05",
                Metric::Pipeline,
                "proposal:USD"
            ),
            0
        );
        assert_eq!(get(&totals, None, "2026-05", Metric::WonTotal, ""), 0);
    }

    proptest! {
        /// Counting through the previous-month detail gives, for any range of months, exactly
        /// the number of distinct deals each partner touched in it.
        #[test]
        fn deals_touched_in_any_range_is_exact(
            touches in prop::collection::vec((0i64..3, 0usize..30, 1u32..13), 0..60),
            from in 1u32..13,
            length in 0u32..13,
        ) {
            let mut totals = Totals::new();
            let mut deals: BTreeMap<usize, Vec<Touch>> = BTreeMap::new();
            for (partner, deal, month) in &touches {
                deals.entry(*deal).or_default().push(demo(*partner, at(2026, *month, 3)));
            }
            for touches in deals.values() {
                let facts = DealFacts {
                    amount_minor: 100,
                    stage: DealStage::Open,
                    closed_at: None,
                    expected_close: None,
                    currency: usd(),
                    base: usd(),
                    to_base: None,
                    touches: touches.clone(),
                    credit: Vec::new(),
                };
                for (key, value) in contribution(&facts) {
                    *totals.entry(key).or_default() += value;
                }
            }
            let to = from + length;
            let (from_key, to_key) = (format!("2026-{from:02}"), if to > 12 { "2027-01".to_owned() } else { format!("2026-{to:02}") });
            let mut counted: BTreeMap<PartnerId, i64> = BTreeMap::new();
            for (key, value) in &totals {
                if key.metric == Metric::Touched
                    && counts_in(&key.month, &key.detail, &from_key, &to_key)
                {
                    *counted.entry(key.partner.unwrap()).or_default() += value;
                }
            }
            let mut expected: BTreeMap<PartnerId, BTreeSet<usize>> = BTreeMap::new();
            for (partner, deal, month) in &touches {
                if *month >= from && *month < to {
                    expected.entry(PartnerId(*partner)).or_default().insert(*deal);
                }
            }
            let expected: BTreeMap<PartnerId, i64> =
                expected.into_iter().map(|(p, d)| (p, d.len() as i64)).collect();
            prop_assert_eq!(counted, expected);
        }
    }
}
