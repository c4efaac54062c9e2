//! Pipeline and forecast: open partner pipeline by stage and expected close month, weighted by
//! historical win rates per partner type and stage; the trend of monthly partner revenue
//! (Holt's smoothing) for this quarter and the next two, with a back-test on past quarters.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use super::{months_in, quarter_label};
use crate::caller::Caller;
use crate::repo::reports::PartnerLabel;
use crate::repo::{self, monthly_stats};
use domain::forecast::{Holt, Outcomes, PipelineStage, backtest, mean_error};
use domain::fx;
use domain::money::{Currency, Money};
use domain::monthly_stats::{Metric, UNDATED, month_of};
use domain::partner::PartnerType;
use domain::reporting::{DateRange, month_start, quarter_start};
use wire::AppError;
use wire::reports::{
    BacktestQuarter, ForecastReport, MoneyRange, PipelineCell, QuarterForecast, StageRate,
};

/// Months of partner revenue the trend learns from, and of closed deals the win rates do.
const HISTORY_MONTHS: u32 = 36;
const OUTCOME_MONTHS: u32 = 24;
/// Past quarters the back-test forecasts.
const BACKTEST_QUARTERS: u32 = 4;

fn split_detail(detail: &str) -> Option<(&str, &str)> {
    detail.split_once(':')
}

/// Amounts in the base currency, rounded to its minor unit.
#[derive(Clone, Copy)]
struct Base(Currency);

impl Base {
    fn money(self, value: Decimal) -> Money {
        Money::new(value.round_dp(self.0.minor_units()), self.0)
            .unwrap_or_else(|_| Money::zero(self.0))
    }

    fn minor(self, minor: i128) -> Money {
        Money::from_total(minor, self.0)
    }
}

/// Partner revenue (sourced + influenced) per month key, from `first` through this month.
async fn partner_revenue(
    caller: &Caller,
    first: NaiveDate,
    next_month: NaiveDate,
) -> Result<HashMap<String, i128>, AppError> {
    let span = (month_of(first), month_of(next_month));
    let mut revenue: HashMap<String, i128> = HashMap::new();
    for metric in [Metric::Sourced, Metric::Influenced] {
        for (month, _, minor) in monthly_stats::organization_months(
            &caller.tenant,
            caller.db(),
            metric,
            (&span.0, &span.1),
        )
        .await?
        {
            *revenue.entry(month).or_default() += i128::from(minor);
        }
    }
    Ok(revenue)
}

/// How deals closed since `since` ended, by the type of partner that brought them and stage.
async fn outcomes(
    caller: &Caller,
    labels: &HashMap<i64, PartnerLabel>,
    (since, until): (&str, &str),
) -> Result<Outcomes, AppError> {
    let mut outcomes = Outcomes::default();
    for (partner, _, detail, n) in
        monthly_stats::partner_months(&caller.tenant, caller.db(), Metric::Outcome, (since, until))
            .await?
    {
        let (Some(label), Some((stage, outcome))) = (labels.get(&partner), split_detail(&detail))
        else {
            continue;
        };
        outcomes.record(label.partner_type, stage.parse()?, outcome == "won", n);
    }
    Ok(outcomes)
}

/// The open partner pipeline by expected month and stage, converted at today's rates and
/// weighted by `outcomes`; what could not be converted; the rates used.
struct Pipeline {
    cells: Vec<PipelineCell>,
    unconverted: Vec<Money>,
    rates: Vec<StageRate>,
}

async fn open_pipeline(
    caller: &Caller,
    labels: &HashMap<i64, PartnerLabel>,
    outcomes: &Outcomes,
    base: Base,
    today: NaiveDate,
) -> Result<Pipeline, AppError> {
    let (tenant, db) = (&caller.tenant, caller.db());
    let known_rates: Vec<fx::Rate> = repo::fx::all(tenant, db)
        .await?
        .into_iter()
        .map(|(rate, _)| rate)
        .collect();
    let everything = (UNDATED, "9999-99");
    let mut cells: BTreeMap<(String, PipelineStage), (Decimal, Decimal)> = BTreeMap::new();
    let mut unconverted: BTreeMap<Currency, i128> = BTreeMap::new();
    let mut used: BTreeSet<(PartnerType, PipelineStage)> = BTreeSet::new();
    for (partner, month, detail, minor) in
        monthly_stats::partner_months(tenant, db, Metric::Pipeline, everything).await?
    {
        let (Some(label), Some((stage, code))) = (labels.get(&partner), split_detail(&detail))
        else {
            continue;
        };
        let stage: PipelineStage = stage.parse()?;
        let currency: Currency = code.parse()?;
        let amount = Money::from_minor(minor, currency);
        let amount = if currency == base.0 {
            amount.amount()
        } else if let Some(rate) = fx::rate_on(&known_rates, currency, today) {
            fx::convert(amount, rate.rate, base.0).amount()
        } else {
            *unconverted.entry(currency).or_default() += i128::from(minor);
            continue;
        };
        let rate = outcomes.rate(label.partner_type, stage).rate;
        used.insert((label.partner_type, stage));
        let cell = cells.entry((month, stage)).or_default();
        cell.0 += amount;
        cell.1 += amount * rate;
    }
    let mut counts: HashMap<(String, String), i64> = HashMap::new();
    for (_, month, stage, n) in
        monthly_stats::partner_months(tenant, db, Metric::PipelineDeals, everything).await?
    {
        *counts.entry((month, stage)).or_default() += n;
    }
    Ok(Pipeline {
        cells: cells
            .into_iter()
            .map(|((month, stage), (amount, weighted))| PipelineCell {
                month: format!("{month}-01").parse().ok(),
                stage,
                amount: base.money(amount),
                deals: counts
                    .get(&(month, stage.as_str().to_owned()))
                    .copied()
                    .unwrap_or(0),
                weighted: base.money(weighted),
            })
            .collect(),
        unconverted: unconverted
            .into_iter()
            .map(|(c, minor)| Money::from_total(minor, c))
            .collect(),
        rates: used
            .into_iter()
            .map(|(partner_type, stage)| StageRate {
                partner_type,
                stage,
                rate: outcomes.rate(partner_type, stage),
            })
            .collect(),
    })
}

/// Months from the first of `from` to the first of `to`.
fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    index(to) - index(from)
}

/// This quarter and the next two: won so far, pipeline expected in each, and the trend (for
/// this quarter, the months already over as won plus the rest forecast).
fn quarters(
    today: NaiveDate,
    pipeline: &[PipelineCell],
    holt: Option<Holt>,
    won_in: impl Fn(NaiveDate) -> Money,
    base: Base,
) -> Vec<QuarterForecast> {
    let this_month = month_start(today);
    let quarter = quarter_start(today);
    let elapsed = months_in(DateRange {
        start: quarter,
        end: this_month,
    });
    let done = base.money(elapsed.iter().map(|m| won_in(*m).amount()).sum());
    (0..3u32)
        .map(|i| {
            let start = quarter + Months::new(3 * i);
            let end = start + Months::new(3);
            let in_quarter = |cell: &&PipelineCell| match cell.month {
                // Overdue and undated deals are expected now.
                None => i == 0,
                Some(m) if m < quarter => i == 0,
                Some(m) => m >= start && m < end,
            };
            let sum = |pick: fn(&PipelineCell) -> Money| {
                base.money(
                    pipeline
                        .iter()
                        .filter(in_quarter)
                        .map(|c| pick(c).amount())
                        .sum(),
                )
            };
            // Months ahead of the last complete one: this month is 1.
            let trend = holt.map(|holt| match i {
                0 => MoneyRange::of(holt.total(1, 3 - elapsed.len() as u32), done),
                _ => {
                    let ahead = months_between(this_month, start) as u32 + 1;
                    MoneyRange::of(holt.total(ahead, 3), base.minor(0))
                }
            });
            QuarterForecast {
                label: quarter_label(start),
                range: DateRange { start, end },
                weighted_pipeline: sum(|c| c.weighted),
                pipeline: sum(|c| c.amount),
                trend,
                won_so_far: match i {
                    0 => base.money(done.amount() + won_in(this_month).amount()),
                    _ => base.minor(0),
                },
            }
        })
        .collect()
}

/// The last complete quarters in `months`, each forecast from the months before it.
fn backtests(
    quarter: NaiveDate,
    months: &[NaiveDate],
    series: &[Decimal],
    base: Base,
) -> (Vec<BacktestQuarter>, Option<Decimal>) {
    let starts: Vec<(usize, NaiveDate)> = (1..=BACKTEST_QUARTERS)
        .rev()
        .map(|back| quarter - Months::new(3 * back))
        .filter_map(|q| months.iter().position(|m| *m == q).map(|i| (i, q)))
        .collect();
    let tests = backtest(series, &starts.iter().map(|(i, _)| *i).collect::<Vec<_>>());
    let quarters = tests
        .iter()
        .filter_map(|t| {
            let (_, q) = starts.iter().find(|(i, _)| *i == t.start)?;
            Some(BacktestQuarter {
                label: quarter_label(*q),
                range: DateRange {
                    start: *q,
                    end: *q + Months::new(3),
                },
                forecast: base.money(t.forecast),
                actual: base.money(t.actual),
                error: t.error(),
            })
        })
        .collect();
    (quarters, mean_error(&tests))
}

pub async fn build(caller: &Caller, today: NaiveDate) -> Result<ForecastReport, AppError> {
    let currency = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    let base = Base(currency);
    let this_month = month_start(today);
    let next_month = this_month + Months::new(1);
    let labels = repo::reports::partner_labels(&caller.tenant, caller.db()).await?;

    let first = this_month - Months::new(HISTORY_MONTHS);
    let revenue = partner_revenue(caller, first, next_month).await?;
    let won_in = |month: NaiveDate| base.minor(revenue.get(&month_of(month)).copied().unwrap_or(0));
    // The trend learns from the complete months, from the first with revenue.
    let months: Vec<NaiveDate> = months_in(DateRange {
        start: first,
        end: this_month,
    })
    .into_iter()
    .skip_while(|m| won_in(*m).is_zero())
    .collect();
    let history: Vec<(NaiveDate, Money)> = months.iter().map(|m| (*m, won_in(*m))).collect();
    let series: Vec<Decimal> = history.iter().map(|(_, m)| m.amount()).collect();
    let holt = Holt::fit(&series);

    let since = month_of(this_month - Months::new(OUTCOME_MONTHS));
    let outcomes = outcomes(caller, &labels, (&since, &month_of(next_month))).await?;
    let pipeline = open_pipeline(caller, &labels, &outcomes, base, today).await?;
    let quarters = quarters(today, &pipeline.cells, holt, won_in, base);
    let (backtest, backtest_error) = backtests(quarter_start(today), &months, &series, base);
    Ok(ForecastReport {
        currency,
        today,
        pipeline: pipeline.cells,
        rates: pipeline.rates,
        history,
        quarters,
        backtest,
        backtest_error,
        unconverted: pipeline.unconverted,
    })
}
