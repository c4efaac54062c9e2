//! Executive reports: partner revenue, top partners, attribution model comparison, program ROI,
//! and pipeline with forecast. Each is read from the monthly totals (`domain::monthly_stats`),
//! in the organization's base currency (other currencies at the rate locked at the win).

use chrono::NaiveDate;
use domain::attribution::AttributionModel;
use domain::deal::Involvement;
use domain::forecast::{Estimate, PipelineStage, WinRate};
use domain::ids::PartnerId;
use domain::labels::label_enum;
use domain::money::{Currency, Money};
use domain::partner::{PartnerTier, PartnerType};
use domain::reporting::{DateRange, Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

label_enum! {
    /// The reports, as their addresses and downloads name them.
    pub enum Report ("report") {
        Revenue => "revenue",
        TopPartners => "top_partners",
        Models => "models",
        Roi => "roi",
        Forecast => "forecast",
    }
}

impl Report {
    pub fn name(self) -> &'static str {
        match self {
            Report::Revenue => "Partner revenue",
            Report::TopPartners => "Top partners",
            Report::Models => "Model comparison",
            Report::Roi => "Program ROI",
            Report::Forecast => "Pipeline and forecast",
        }
    }

    /// The page's address.
    pub fn path(self) -> &'static str {
        match self {
            Report::Revenue => "/reports",
            Report::TopPartners => "/reports/top-partners",
            Report::Models => "/reports/models",
            Report::Roi => "/reports/roi",
            Report::Forecast => "/reports/forecast",
        }
    }

    /// The CSV download's address (without the query).
    pub fn csv_path(self) -> &'static str {
        match self {
            Report::Revenue => "/api/reports/revenue.csv",
            Report::TopPartners => "/api/reports/top-partners.csv",
            Report::Models => "/api/reports/models.csv",
            Report::Roi => "/api/reports/roi.csv",
            Report::Forecast => "/api/reports/forecast.csv",
        }
    }
}

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportScope {
    pub period: Period,
    pub range: DateRange,
    pub currency: Currency,
    /// The model commissions are paid on: partner revenue is credit under it.
    pub payable: AttributionModel,
}

/// The deals behind a chart point: the deal list filtered to them.
pub fn deals_link(stage: &str, range: DateRange, partner: Option<PartnerId>) -> String {
    let last = range.end.pred_opt().unwrap_or(range.end);
    let partner = partner.map(|p| format!("&partner={p}")).unwrap_or_default();
    format!(
        "/deals?stage={stage}&from={}&to={last}{partner}",
        range.start
    )
}

/// The won deals of `range` partners were involved in so: what a partner revenue bar adds up
/// (sourced, influenced, or both for last year's line).
pub fn involved_deals_link(range: DateRange, involvement: Involvement) -> String {
    format!(
        "{}&partners={}",
        deals_link("won", range, None),
        involvement.as_str()
    )
}

/// The deals behind a point of the revenue chart in `month` (see `charts::reports::revenue_mix`):
/// the sourced bar (series 0) the won deals partners brought in, the influenced bar (1) those
/// they worked on, the all-won line (2) every won deal, last year's line (3) the deals partners
/// worked on a year before.
pub fn revenue_point_link(month: NaiveDate, series: usize) -> String {
    let range = |start: NaiveDate| DateRange {
        start,
        end: start + chrono::Months::new(1),
    };
    match series {
        0 => involved_deals_link(range(month), Involvement::Sourced),
        1 => involved_deals_link(range(month), Involvement::Influenced),
        2 => deals_link("won", range(month), None),
        _ => involved_deals_link(
            range(month - chrono::Months::new(12)),
            Involvement::Partnered,
        ),
    }
}

/// `deals_link` narrowed to deals a partner of one type (`key` "type") or tier ("tier") touched.
pub fn group_deals_link(stage: &str, range: DateRange, key: &str, value: &str) -> String {
    format!("{}&{key}={value}", deals_link(stage, range, None))
}

/// One month of won revenue, split by what partners did for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueMonth {
    pub month: NaiveDate,
    /// Won deals a partner brought in (first touch a referral, introduction, registration or
    /// marketplace listing).
    pub sourced: Money,
    pub sourced_deals: i64,
    /// Won deals partners worked on but did not bring in.
    pub influenced: Money,
    pub influenced_deals: i64,
    /// Every won deal, partner or not.
    pub total: Money,
    /// Partner revenue (sourced + influenced) in the same month a year before.
    pub partner_last_year: Money,
}

impl RevenueMonth {
    pub fn partner(&self) -> Money {
        sum(&[self.sourced, self.influenced]).or_zero(self.sourced.currency())
    }
}

/// Totals over a run of months (a quarter, the whole period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueTotals {
    pub label: String,
    pub range: DateRange,
    pub sourced: Money,
    pub influenced: Money,
    pub total: Money,
    pub partner_last_year: Money,
}

impl RevenueTotals {
    pub fn of(
        label: String,
        range: DateRange,
        months: &[&RevenueMonth],
        currency: Currency,
    ) -> Self {
        let pick = |f: fn(&RevenueMonth) -> Money| {
            sum(&months.iter().map(|m| f(m)).collect::<Vec<_>>()).or_zero(currency)
        };
        RevenueTotals {
            label,
            range,
            sourced: pick(|m| m.sourced),
            influenced: pick(|m| m.influenced),
            total: pick(|m| m.total),
            partner_last_year: pick(|m| m.partner_last_year),
        }
    }

    pub fn partner(&self) -> Money {
        sum(&[self.sourced, self.influenced]).or_zero(self.sourced.currency())
    }

    /// Partner revenue's share of all won revenue.
    pub fn partner_share(&self) -> Option<Decimal> {
        ratio(self.partner().amount(), self.total.amount())
    }

    /// Change in partner revenue over the same months a year before.
    pub fn year_over_year(&self) -> Option<Decimal> {
        let before = self.partner_last_year.amount();
        ratio(self.partner().amount() - before, before)
    }
}

/// Attributed revenue of a group of partners (a type or a tier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueGroup {
    /// The type's or tier's label, as the partner list filters by it.
    pub key: String,
    pub label: String,
    pub revenue: Money,
    pub partners: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueReport {
    pub scope: ReportScope,
    pub months: Vec<RevenueMonth>,
    pub quarters: Vec<RevenueTotals>,
    pub total: RevenueTotals,
    pub by_type: Vec<RevenueGroup>,
    pub by_tier: Vec<RevenueGroup>,
}

/// One partner's record over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopPartner {
    pub partner_id: PartnerId,
    pub name: String,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
    /// Credit under the payable model.
    pub attributed: Money,
    pub deals_won: i64,
    pub deals_closed: i64,
    /// Average amount of the won deals it touched.
    pub average_deal: Option<Money>,
    /// Average days from its first touch to the win.
    pub cycle_days: Option<Decimal>,
}

impl TopPartner {
    pub fn win_rate(&self) -> Option<Decimal> {
        ratio(
            Decimal::from(self.deals_won),
            Decimal::from(self.deals_closed),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopPartnersReport {
    pub scope: ReportScope,
    /// The top partners by attributed revenue.
    pub rows: Vec<TopPartner>,
    /// How many partners had revenue or closed deals in the period.
    pub partners: usize,
}

/// Rows the top partners report shows.
pub const TOP_PARTNERS: usize = 50;

/// One model's totals over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTotals {
    pub model: AttributionModel,
    pub credit: Money,
    /// What the commission rules in force would pay on that credit, deal by deal.
    pub commission: Money,
}

/// One partner's credit and implied commission under each model, in the report's model order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub partner_id: PartnerId,
    pub name: String,
    pub credit: Vec<Money>,
    pub commission: Vec<Money>,
}

impl ModelRow {
    /// The largest gap between two models' credit: how much the choice matters to this partner.
    pub fn spread(&self) -> Option<Money> {
        let currency = self.credit.first()?.currency();
        let amounts = self.credit.iter().map(|m| m.amount());
        let (high, low) = (amounts.clone().max()?, amounts.min()?);
        Money::new(high - low, currency).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelComparison {
    pub scope: ReportScope,
    pub models: Vec<ModelTotals>,
    pub rows: Vec<ModelRow>,
    /// Won deals in the period with partner credit (in the base currency).
    pub deals: i64,
    /// Won deals in other currencies, left out.
    pub other_currency_deals: i64,
}

/// Commission cost against attributed revenue for a partner or a partner type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiRow {
    /// The partner's id or the type's label.
    pub key: String,
    pub label: String,
    pub attributed: Money,
    /// Commission earned on deals won in the period (pending, approved or paid; net of
    /// clawbacks), at the time the deal was won.
    pub commission: Money,
    /// Of it, paid.
    pub paid: Money,
}

impl RoiRow {
    /// Revenue per unit of commission.
    pub fn roi(&self) -> Option<Decimal> {
        ratio(self.attributed.amount(), self.commission.amount())
    }

    /// Commission as a share of revenue.
    pub fn cost_share(&self) -> Option<Decimal> {
        ratio(self.commission.amount(), self.attributed.amount())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiReport {
    pub scope: ReportScope,
    pub total: RoiRow,
    pub by_type: Vec<RoiRow>,
    pub by_partner: Vec<RoiRow>,
}

/// Open partner pipeline in one stage and expected close month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineCell {
    /// `None`: no expected close date.
    pub month: Option<NaiveDate>,
    pub stage: PipelineStage,
    pub amount: Money,
    pub deals: i64,
    /// Amount times each deal's win rate.
    pub weighted: Money,
}

/// A win rate the weighting used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRate {
    pub partner_type: PartnerType,
    pub stage: PipelineStage,
    pub rate: WinRate,
}

/// One quarter's partner revenue forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterForecast {
    pub label: String,
    pub range: DateRange,
    /// Open deals expected to close in it (overdue and undated ones count in the current
    /// quarter), weighted by win rates.
    pub weighted_pipeline: Money,
    pub pipeline: Money,
    /// Trend of monthly partner revenue (for the current quarter: the months already over as
    /// won, the rest forecast); `None` without enough history.
    pub trend: Option<MoneyRange>,
    /// Revenue already won in it (the current quarter).
    pub won_so_far: Money,
}

/// A forecast with its 80 % range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyRange {
    pub expected: Money,
    pub low: Money,
    pub high: Money,
}

impl MoneyRange {
    /// `estimate` (base-currency units) plus `known`, to the cent.
    pub fn of(estimate: Estimate, known: Money) -> MoneyRange {
        let currency = known.currency();
        let at = |value: Decimal| {
            Money::new(
                (value + known.amount()).round_dp(currency.minor_units()),
                currency,
            )
            .unwrap_or(known)
        };
        MoneyRange {
            expected: at(estimate.expected),
            low: at(estimate.low),
            high: at(estimate.high),
        }
    }
}

/// A past quarter forecast from the months before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestQuarter {
    pub label: String,
    pub range: DateRange,
    pub forecast: Money,
    pub actual: Money,
    pub error: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastReport {
    pub currency: Currency,
    pub today: NaiveDate,
    pub pipeline: Vec<PipelineCell>,
    pub rates: Vec<StageRate>,
    /// The months of partner revenue the trend was fitted on.
    pub history: Vec<(NaiveDate, Money)>,
    pub quarters: Vec<QuarterForecast>,
    pub backtest: Vec<BacktestQuarter>,
    /// Mean absolute percentage error of the back-test.
    pub backtest_error: Option<Decimal>,
    /// Open pipeline in currencies without an exchange rate, left out.
    pub unconverted: Vec<Money>,
}

fn ratio(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| part / whole)
}

/// The sum of amounts in one currency (`None` for none).
fn sum(amounts: &[Money]) -> Option<Money> {
    let first = amounts.first()?;
    amounts[1..]
        .iter()
        .try_fold(*first, |total, m| total.checked_add(*m))
        .ok()
}

trait OrZero {
    fn or_zero(self, currency: Currency) -> Money;
}

impl OrZero for Option<Money> {
    fn or_zero(self, currency: Currency) -> Money {
        self.unwrap_or_else(|| Money::zero(currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn each_revenue_series_opens_the_deals_it_adds_up() {
        let march = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let won = "/deals?stage=won&from=2026-03-01&to=2026-03-31";
        assert_eq!(
            revenue_point_link(march, 0),
            format!("{won}&partners=sourced")
        );
        assert_eq!(
            revenue_point_link(march, 1),
            format!("{won}&partners=influenced")
        );
        assert_eq!(revenue_point_link(march, 2), won);
        assert_eq!(
            revenue_point_link(march, 3),
            "/deals?stage=won&from=2025-03-01&to=2025-03-31&partners=partnered"
        );
    }

    fn range() -> DateRange {
        DateRange {
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        }
    }

    #[test]
    fn revenue_totals_add_months_and_compare_with_the_year_before() {
        let month = |sourced, influenced, total, last_year| RevenueMonth {
            month: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            sourced: usd(sourced),
            sourced_deals: 1,
            influenced: usd(influenced),
            influenced_deals: 1,
            total: usd(total),
            partner_last_year: usd(last_year),
        };
        let (a, b) = (month(300, 100, 1_000, 200), month(0, 200, 600, 400));
        let totals = RevenueTotals::of("Q1 2026".into(), range(), &[&a, &b], Currency::USD);
        assert_eq!(totals.partner(), usd(600));
        // 600 of 1,600; against 600 a year before.
        assert_eq!(totals.partner_share(), Some(Decimal::new(375, 3)));
        assert_eq!(totals.year_over_year(), Some(Decimal::ZERO));
        let empty = RevenueTotals::of("Q2".into(), range(), &[], Currency::USD);
        assert_eq!(
            (empty.partner_share(), empty.year_over_year()),
            (None, None)
        );
    }

    #[test]
    fn ratios_have_nothing_to_divide_by_when_the_base_is_zero() {
        let row = RoiRow {
            key: "reseller".into(),
            label: "Reseller".into(),
            attributed: usd(100_000),
            commission: usd(8_000),
            paid: usd(0),
        };
        assert_eq!(row.roi(), Some(Decimal::new(125, 1)));
        assert_eq!(row.cost_share(), Some(Decimal::new(8, 2)));
        let unpaid = RoiRow {
            commission: usd(0),
            ..row
        };
        assert_eq!(unpaid.roi(), None);
        let models = ModelRow {
            partner_id: PartnerId(1),
            name: "Apex".into(),
            credit: vec![usd(500), usd(900), usd(0)],
            commission: vec![usd(50), usd(90), usd(0)],
        };
        assert_eq!(models.spread(), Some(usd(900)));
        assert_eq!(
            deals_link("won", range(), Some(PartnerId(4))),
            "/deals?stage=won&from=2026-01-01&to=2026-03-31&partner=4"
        );
        assert_eq!(
            group_deals_link("won", range(), "tier", "gold"),
            "/deals?stage=won&from=2026-01-01&to=2026-03-31&tier=gold"
        );
    }
}
