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

use super::attribution::AttributionModel;
use super::deal::DealStage;
use super::ids::PartnerId;
use super::labels::label_enum;
use super::money::Currency;
use super::reporting::DateRange;

label_enum! {
    /// What a monthly total counts.
    pub enum Metric ("metric") {
        /// Partner: months it touched a deal; detail = the month it touched that deal before.
        Touched => "touched",
        /// Partner: deals it touched that were won in the month.
        Won => "won",
        /// Partner: deals it touched that were won or lost in the month.
        Closed => "closed",
        /// Partner: credit (minor units) stored for deals won in the month; detail = model:currency.
        Credit => "credit",
        /// Organization: deals won in the month; detail = currency.
        WonDeals => "won_deals",
        /// Organization: their amounts (minor units); detail = currency.
        WonAmount => "won_amount",
        /// Organization: deals won in the month with a touch up to the win; detail = currency.
        Creditable => "creditable",
        /// Organization: deals won in the month with stored credit; detail = model:currency.
        Credited => "credited",
    }
}

impl Metric {
    /// Metrics kept per partner; the others are the organization's.
    pub const PARTNER: [Metric; 4] = [Metric::Touched, Metric::Won, Metric::Closed, Metric::Credit];
    pub const ORGANIZATION: [Metric; 4] = [
        Metric::WonDeals,
        Metric::WonAmount,
        Metric::Creditable,
        Metric::Credited,
    ];

    pub fn is_partner(self) -> bool {
        Self::PARTNER.contains(&self)
    }
}

/// A calendar month, spelled `YYYY-MM` in the database: text that sorts like time on both back
/// ends, and '' (no month) sorts before every month.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

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
    pub currency: Currency,
    /// Every touch: its partner and when.
    pub touches: Vec<(PartnerId, DateTime<Utc>)>,
    /// Credit stored with the deal: model, partner, minor units.
    pub credit: Vec<(AttributionModel, PartnerId, i64)>,
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

/// The deal's contribution to the totals.
pub fn contribution(deal: &DealFacts) -> Totals {
    let mut totals = Totals::new();
    let mut months: BTreeMap<PartnerId, BTreeSet<String>> = BTreeMap::new();
    for (partner, at) in &deal.touches {
        months
            .entry(*partner)
            .or_default()
            .insert(month_of(at.date_naive()));
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
    let Some(closed_at) = deal.closed_at.filter(|_| deal.stage != DealStage::Open) else {
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
    if !won {
        return totals;
    }
    let currency = deal.currency.code().to_owned();
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
    if deal.touches.iter().any(|(_, at)| *at <= closed_at) {
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
    totals
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
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    fn won(touches: Vec<(PartnerId, DateTime<Utc>)>) -> DealFacts {
        DealFacts {
            amount_minor: 1000,
            stage: DealStage::Won,
            closed_at: Some(at(2026, 3, 10)),
            currency: usd(),
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
            (p1, at(2026, 1, 5)),
            (p1, at(2026, 1, 20)),
            (p1, at(2026, 3, 1)),
            (p2, at(2026, 2, 2)),
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
        let mut deal = won(vec![(PartnerId(3), at(2026, 2, 1))]);
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
        assert_eq!(open.len(), 1, "{open:?}");
    }

    #[test]
    fn the_difference_of_a_deal_with_itself_is_nothing() {
        let deal = won(vec![(PartnerId(1), at(2026, 1, 5))]);
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
            let mut deals: BTreeMap<usize, Vec<(PartnerId, DateTime<Utc>)>> = BTreeMap::new();
            for (partner, deal, month) in &touches {
                deals.entry(*deal).or_default().push((PartnerId(*partner), at(2026, *month, 3)));
            }
            for touches in deals.values() {
                let facts = DealFacts {
                    amount_minor: 100,
                    stage: DealStage::Open,
                    closed_at: None,
                    currency: usd(),
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
