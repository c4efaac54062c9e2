//! The reports as CSV: the table behind each chart, amounts as plain decimals in the base
//! currency (named in a column), text defused against spreadsheet formulas.

use crate::caller::Caller;
use crate::services::payouts::cell;
use domain::money::Money;
use domain::reporting::Period;
use wire::AppError;
use wire::reports::Report;

/// The amount with its currency's decimals: "10000.00".
fn amount(money: &Money) -> String {
    let places = money.currency().minor_units() as usize;
    format!("{:.places$}", money.amount())
}

/// One decimal place: "50.0".
fn percent(value: Option<rust_decimal::Decimal>) -> String {
    value
        .map(|v| format!("{:.1}", v * rust_decimal::Decimal::ONE_HUNDRED))
        .unwrap_or_default()
}

fn write(rows: Vec<Vec<String>>) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(&row).map_err(AppError::internal)?;
    }
    let bytes = out.into_inner().map_err(AppError::internal)?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

fn strings<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// The report's file name and CSV body.
pub async fn csv(
    caller: &Caller,
    report: Report,
    period: Option<Period>,
) -> Result<(String, String), AppError> {
    let period = period.unwrap_or(super::default_period(report));
    let rows = match report {
        Report::Revenue => {
            let r = super::revenue::build(caller, period).await?;
            let mut rows = vec![strings([
                "month",
                "currency",
                "partner_sourced",
                "sourced_deals",
                "partner_influenced",
                "influenced_deals",
                "partner_total",
                "all_won",
                "partner_share_percent",
                "partner_same_month_last_year",
            ])];
            for m in &r.months {
                let share = (!m.total.is_zero()).then(|| m.partner().amount() / m.total.amount());
                rows.push(vec![
                    m.month.format("%Y-%m").to_string(),
                    r.scope.currency.to_string(),
                    amount(&m.sourced),
                    m.sourced_deals.to_string(),
                    amount(&m.influenced),
                    m.influenced_deals.to_string(),
                    amount(&m.partner()),
                    amount(&m.total),
                    percent(share),
                    amount(&m.partner_last_year),
                ]);
            }
            rows
        }
        Report::TopPartners => {
            let r = super::top_partners::build(caller, period).await?;
            let mut rows = vec![strings([
                "partner_id",
                "partner",
                "type",
                "tier",
                "currency",
                "attributed_revenue",
                "deals_won",
                "deals_closed",
                "win_rate_percent",
                "average_deal",
                "average_cycle_days",
            ])];
            for p in &r.rows {
                rows.push(vec![
                    p.partner_id.to_string(),
                    cell(&p.name),
                    p.partner_type.to_string(),
                    p.tier.to_string(),
                    r.scope.currency.to_string(),
                    amount(&p.attributed),
                    p.deals_won.to_string(),
                    p.deals_closed.to_string(),
                    percent(p.win_rate()),
                    p.average_deal.as_ref().map(amount).unwrap_or_default(),
                    p.cycle_days.map(|d| d.to_string()).unwrap_or_default(),
                ]);
            }
            rows
        }
        Report::Models => {
            let r = super::models::build(caller, period).await?;
            let mut rows = vec![strings([
                "partner_id",
                "partner",
                "model",
                "currency",
                "credit",
                "commission",
            ])];
            for p in &r.rows {
                for (i, m) in r.models.iter().enumerate() {
                    rows.push(vec![
                        p.partner_id.to_string(),
                        cell(&p.name),
                        m.model.to_string(),
                        r.scope.currency.to_string(),
                        amount(&p.credit[i]),
                        amount(&p.commission[i]),
                    ]);
                }
            }
            rows
        }
        Report::Roi => {
            let r = super::roi::build(caller, period).await?;
            let mut rows = vec![strings([
                "level",
                "key",
                "name",
                "currency",
                "attributed_revenue",
                "commission",
                "paid",
                "revenue_per_commission",
                "cost_percent",
            ])];
            let lines = std::iter::once(("total", &r.total))
                .chain(r.by_type.iter().map(|t| ("partner_type", t)))
                .chain(r.by_partner.iter().map(|p| ("partner", p)));
            for (level, row) in lines {
                rows.push(vec![
                    level.to_owned(),
                    row.key.clone(),
                    cell(&row.label),
                    r.scope.currency.to_string(),
                    amount(&row.attributed),
                    amount(&row.commission),
                    amount(&row.paid),
                    row.roi()
                        .map(|v| v.round_dp(2).to_string())
                        .unwrap_or_default(),
                    percent(row.cost_share()),
                ]);
            }
            rows
        }
        Report::Forecast => {
            let r = super::forecast::build(caller, chrono::Utc::now().date_naive()).await?;
            let mut rows = vec![strings([
                "quarter",
                "currency",
                "open_pipeline",
                "weighted_pipeline",
                "trend_expected",
                "trend_low",
                "trend_high",
                "won_so_far",
            ])];
            for q in &r.quarters {
                let trend = |pick: fn(&wire::reports::MoneyRange) -> &Money| {
                    q.trend
                        .as_ref()
                        .map(|t| amount(pick(t)))
                        .unwrap_or_default()
                };
                rows.push(vec![
                    q.label.clone(),
                    r.currency.to_string(),
                    amount(&q.pipeline),
                    amount(&q.weighted_pipeline),
                    trend(|t| &t.expected),
                    trend(|t| &t.low),
                    trend(|t| &t.high),
                    amount(&q.won_so_far),
                ]);
            }
            rows
        }
    };
    let name = format!(
        "{}-{}.csv",
        report.as_str().replace('_', "-"),
        period.as_str().replace('_', "-")
    );
    Ok((name, write(rows)?))
}
