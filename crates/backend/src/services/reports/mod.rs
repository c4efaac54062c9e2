//! The executive reports: each authorizes, reads the monthly totals (and, for model comparison
//! and ROI, the stored credit and the ledger) and assembles the report's typed rows. The same
//! builders feed the pages and the CSV downloads.

mod csv_out;
mod forecast;
mod models;
mod revenue;
mod roi;
mod top_partners;

use chrono::{Datelike, Months, NaiveDate, Utc};

use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::money::Money;
use domain::monthly_stats::months_of;
use domain::reporting::{DateRange, Period};
use wire::AppError;
use wire::reports::{
    ForecastReport, ModelComparison, Report, ReportScope, RevenueReport, RoiReport,
    TopPartnersReport,
};

pub use csv_out::csv;

/// The period a report shows when none is chosen.
pub fn default_period(report: Report) -> Period {
    match report {
        // Replaying the commission rules under every model is the heaviest read.
        Report::Models => Period::LastQuarter,
        _ => Period::Last12Months,
    }
}

async fn scope(caller: &Caller, period: Period) -> Result<ReportScope, AppError> {
    let org = caller.tenant.organization_id();
    let currency = repo::organizations::header(caller.db(), org)
        .await?
        .base_currency;
    let (payable, _) = repo::organizations::attribution_settings(caller.db(), org).await?;
    Ok(ReportScope {
        period,
        range: period.range(Utc::now().date_naive()),
        currency,
        payable,
    })
}

/// The months a range covers, as the totals spell them.
fn month_keys(range: DateRange) -> Result<(String, String), AppError> {
    months_of(range).ok_or_else(|| AppError::internal("report periods are whole months"))
}

/// The first days of the months in `range`.
fn months_in(range: DateRange) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut month = range.start.with_day(1).unwrap_or(range.start);
    while month < range.end {
        months.push(month);
        month = month + Months::new(1);
    }
    months
}

/// "Q3 2026".
fn quarter_label(day: NaiveDate) -> String {
    format!("Q{} {}", day.month0() / 3 + 1, day.year())
}

/// Minor units in the report's currency: a stored amount or a total of them.
fn money(minor: impl Into<i128>, scope: &ReportScope) -> Money {
    Money::from_total(minor.into(), scope.currency)
}

/// A count the database summed, as the report's 64-bit count.
fn count(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub async fn revenue(caller: &Caller, period: Option<Period>) -> Result<RevenueReport, AppError> {
    caller.require(Action::View, Resource::Reports)?;
    revenue::build(caller, period.unwrap_or(default_period(Report::Revenue))).await
}

pub async fn top_partners(
    caller: &Caller,
    period: Option<Period>,
) -> Result<TopPartnersReport, AppError> {
    caller.require(Action::View, Resource::Reports)?;
    top_partners::build(
        caller,
        period.unwrap_or(default_period(Report::TopPartners)),
    )
    .await
}

pub async fn models(caller: &Caller, period: Option<Period>) -> Result<ModelComparison, AppError> {
    caller.require(Action::View, Resource::Reports)?;
    models::build(caller, period.unwrap_or(default_period(Report::Models))).await
}

pub async fn roi(caller: &Caller, period: Option<Period>) -> Result<RoiReport, AppError> {
    caller.require(Action::View, Resource::Reports)?;
    roi::build(caller, period.unwrap_or(default_period(Report::Roi))).await
}

pub async fn forecast(caller: &Caller) -> Result<ForecastReport, AppError> {
    caller.require(Action::View, Resource::Reports)?;
    forecast::build(caller, Utc::now().date_naive()).await
}
