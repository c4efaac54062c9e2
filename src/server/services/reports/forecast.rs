//! Pipeline and forecast: open partner pipeline by stage and expected close month, weighted by
//! historical win rates per partner type and stage; the trend of monthly partner revenue
//! (Holt's smoothing) for this quarter and the next two, with a back-test on past quarters.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use super::{key, months_in, quarter_label};
use crate::api::AppError;
use crate::api::reports::{
    BacktestQuarter, ForecastReport, MoneyRange, PipelineCell, QuarterForecast, StageRate,
};
use crate::domain::forecast::{Holt, Outcomes, PipelineStage, backtest, mean_error};
use crate::domain::fx;
use crate::domain::money::{Currency, Money};
use crate::domain::monthly_stats::Metric;
use crate::domain::reporting::{DateRange, month_start, quarter_start};
use crate::server::context::Caller;
use crate::server::repo::{self, monthly_stats};

/// Months of partner revenue the trend learns from, and of closed deals the win rates do.
const HISTORY_MONTHS: u32 = 36;
const OUTCOME_MONTHS: u32 = 24;
/// Past quarters the back-test forecasts.
const BACKTEST_QUARTERS: u32 = 4;

fn split_detail(detail: &str) -> Option<(&str, &str)> {
    detail.split_once(':')
}

pub async fn build(caller: &Caller, today: NaiveDate) -> Result<ForecastReport, AppError> {
    let (tenant, db) = (&caller.tenant, &caller.db);
    let currency = repo::organizations::header(db, tenant.organization_id())
        .await?
        .base_currency;
    let this_month = month_start(today);
    let next_month = this_month + Months::new(1);
    let labels = repo::reports::partner_labels(tenant, db).await?;

    // Partner revenue per month, this month included (so far).
    let first = this_month - Months::new(HISTORY_MONTHS);
    let span = (key(first), key(next_month));
    let mut revenue: HashMap<String, i64> = HashMap::new();
    for metric in [Metric::Sourced, Metric::Influenced] {
        for (month, _, minor) in
            monthly_stats::organization_months(tenant, db, metric, (&span.0, &span.1)).await?
        {
            *revenue.entry(month).or_default() += minor;
        }
    }
    let won_in = |month: NaiveDate| {
        Money::from_minor(revenue.get(&key(month)).copied().unwrap_or(0), currency)
    };
    // The complete months, from the first with revenue.
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

    // Pipeline, converted at today's rates, weighted by the win rates.
    let mut outcomes = Outcomes::default();
    let since = key(this_month - Months::new(OUTCOME_MONTHS));
    for (partner, _, detail, n) in
        monthly_stats::partner_months(tenant, db, Metric::Outcome, (&since, &key(next_month)))
            .await?
    {
        let (Some(label), Some((stage, outcome))) = (labels.get(&partner), split_detail(&detail))
        else {
            continue;
        };
        outcomes.record(label.partner_type, stage.parse()?, outcome == "won", n);
    }
    let known_rates: Vec<fx::Rate> = repo::fx::all(tenant, db)
        .await?
        .into_iter()
        .map(|(rate, _)| rate)
        .collect();
    let mut cells: BTreeMap<(String, PipelineStage), (Decimal, Decimal)> = BTreeMap::new();
    let mut unconverted: BTreeMap<Currency, i64> = BTreeMap::new();
    let mut used: BTreeMap<(crate::domain::partner::PartnerType, PipelineStage), ()> =
        BTreeMap::new();
    let everything = (
        crate::domain::monthly_stats::UNDATED.to_owned(),
        "9999-99".to_owned(),
    );
    for (partner, month, detail, minor) in
        monthly_stats::partner_months(tenant, db, Metric::Pipeline, (&everything.0, &everything.1))
            .await?
    {
        let (Some(label), Some((stage, code))) = (labels.get(&partner), split_detail(&detail))
        else {
            continue;
        };
        let stage: PipelineStage = stage.parse()?;
        let deal_currency: Currency = code.parse()?;
        let amount = Money::from_minor(minor, deal_currency);
        let amount = if deal_currency == currency {
            amount.amount()
        } else if let Some(rate) = fx::rate_on(&known_rates, deal_currency, today) {
            fx::convert(amount, rate.rate, currency).amount()
        } else {
            *unconverted.entry(deal_currency).or_default() += minor;
            continue;
        };
        let rate = outcomes.rate(label.partner_type, stage).rate;
        used.insert((label.partner_type, stage), ());
        let cell = cells.entry((month, stage)).or_default();
        cell.0 += amount;
        cell.1 += amount * rate;
    }
    let mut counts: HashMap<(String, String), i64> = HashMap::new();
    for (_, month, stage, n) in monthly_stats::partner_months(
        tenant,
        db,
        Metric::PipelineDeals,
        (&everything.0, &everything.1),
    )
    .await?
    {
        *counts.entry((month, stage)).or_default() += n;
    }
    let to_money = |value: Decimal| {
        Money::new(value.round_dp(currency.minor_units()), currency)
            .unwrap_or_else(|_| Money::zero(currency))
    };
    let pipeline: Vec<PipelineCell> = cells
        .iter()
        .map(|((month, stage), (amount, weighted))| PipelineCell {
            month: format!("{month}-01").parse().ok(),
            stage: *stage,
            amount: to_money(*amount),
            deals: counts
                .get(&(month.clone(), stage.as_str().to_owned()))
                .copied()
                .unwrap_or(0),
            weighted: to_money(*weighted),
        })
        .collect();

    // This quarter and the next two.
    let quarter = quarter_start(today);
    let elapsed = months_in(DateRange {
        start: quarter,
        end: this_month,
    });
    let quarters = (0..3u32)
        .map(|i| {
            let start = quarter + Months::new(3 * i);
            let end = start + Months::new(3);
            let in_quarter = |cell: &PipelineCell| match cell.month {
                // Overdue and undated deals are expected now.
                None => i == 0,
                Some(m) if m < quarter => i == 0,
                Some(m) => m >= start && m < end,
            };
            let sum = |pick: fn(&PipelineCell) -> Money| {
                to_money(
                    pipeline
                        .iter()
                        .filter(|c| in_quarter(c))
                        .map(|c| pick(c).amount())
                        .sum(),
                )
            };
            let done: Money = to_money(elapsed.iter().map(|m| won_in(*m).amount()).sum());
            let trend = holt.map(|holt| {
                // Months ahead of the last complete one: this month is 1.
                let ahead = |m: NaiveDate| {
                    let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
                    (index(m) - index(this_month)) as u32 + 1
                };
                if i == 0 {
                    let left = 3 - elapsed.len() as u32;
                    MoneyRange::of(holt.total(1, left), done)
                } else {
                    MoneyRange::of(holt.total(ahead(start), 3), Money::zero(currency))
                }
            });
            QuarterForecast {
                label: quarter_label(start),
                range: DateRange { start, end },
                weighted_pipeline: sum(|c| c.weighted),
                pipeline: sum(|c| c.amount),
                trend,
                won_so_far: if i == 0 {
                    to_money(done.amount() + won_in(this_month).amount())
                } else {
                    Money::zero(currency)
                },
            }
        })
        .collect();

    // Back-test: the last complete quarters, each forecast from the months before it.
    let starts: Vec<(usize, NaiveDate)> = (1..=BACKTEST_QUARTERS)
        .rev()
        .map(|back| quarter - Months::new(3 * back))
        .filter_map(|q| months.iter().position(|m| *m == q).map(|i| (i, q)))
        .collect();
    let tests = backtest(&series, &starts.iter().map(|(i, _)| *i).collect::<Vec<_>>());
    let backtest_error = mean_error(&tests);
    let backtest = tests
        .iter()
        .filter_map(|t| {
            let (_, q) = starts.iter().find(|(i, _)| *i == t.start)?;
            Some(BacktestQuarter {
                label: quarter_label(*q),
                range: DateRange {
                    start: *q,
                    end: *q + Months::new(3),
                },
                forecast: to_money(t.forecast),
                actual: to_money(t.actual),
                error: t.error(),
            })
        })
        .collect();

    let rates = used
        .into_keys()
        .map(|(partner_type, stage)| StageRate {
            partner_type,
            stage,
            rate: outcomes.rate(partner_type, stage),
        })
        .collect();
    Ok(ForecastReport {
        currency,
        today,
        pipeline,
        rates,
        history,
        quarters,
        backtest,
        backtest_error,
        unconverted: unconverted
            .into_iter()
            .map(|(c, minor)| Money::from_minor(minor, c))
            .collect(),
    })
}
