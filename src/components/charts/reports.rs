//! Chart specifications of the executive reports. Series order is part of the contract: the
//! pages map a click's (series, data index) back to the deals behind it.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{
    AxisLabel, AxisType, ItemStyle, LineStyle, LineStyleType, Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use rust_decimal::prelude::ToPrimitive;

use super::spec::{ACCENT, compact_label, formatter, whole_label};
use crate::api::reports::{ForecastReport, ModelComparison, PipelineCell, RevenueMonth, RoiRow};
use crate::domain::forecast::PipelineStage;
use crate::domain::money::{Currency, Money};

const GREEN: &str = "#12b76a";
const ORANGE: &str = "#f79009";
const GREY: &str = "#98a2b3";
const PURPLE: &str = "#7a5af8";

fn number(money: &Money) -> f64 {
    money.amount().to_f64().unwrap_or(0.0)
}

fn symbol(currency: Currency) -> String {
    currency
        .symbol()
        .map_or_else(|| format!("{currency} "), str::to_owned)
}

/// A chart with a category x axis of `labels` and a money y axis in `currency`.
fn frame(labels: Vec<String>, currency: Currency, rotate: bool) -> Chart {
    framed(labels, currency, rotate, 16)
}

/// `frame` with `right` pixels beside the plot (room for a second axis).
fn framed(labels: Vec<String>, currency: Currency, rotate: bool, right: i32) -> Chart {
    let symbol = symbol(currency);
    // Every category keeps its label (ECharts would drop some on a narrow chart); crowded
    // axes turn them.
    let label = AxisLabel::new().interval(0);
    let x = Axis::new()
        .type_(AxisType::Category)
        .data(labels)
        .axis_label(if rotate { label.rotate(30) } else { label });
    Chart::new()
        .animation(false)
        .legend(Legend::new().bottom(0))
        .grid(
            Grid::new()
                .left(72)
                .right(right)
                .top(24)
                .bottom(if rotate { 130 } else { 64 }),
        )
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .value_formatter(formatter(symbol.clone(), whole_label)),
        )
        .x_axis(x)
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter(formatter(symbol, compact_label))),
        )
}

/// Series 0 and 1 (sourced, influenced) are stacked bars per month; 2 is all won revenue and 3
/// partner revenue a year before, as lines.
pub fn revenue_mix(months: &[RevenueMonth], currency: Currency) -> Chart {
    let labels = months
        .iter()
        .map(|m| m.month.format("%b %Y").to_string())
        .collect();
    let values = |pick: fn(&RevenueMonth) -> Money| -> Vec<f64> {
        months.iter().map(|m| number(&pick(m))).collect()
    };
    frame(labels, currency, false)
        .series(
            Bar::new()
                .name("Partner-sourced")
                .stack("partner")
                .item_style(ItemStyle::new().color(ACCENT))
                .data(values(|m| m.sourced)),
        )
        .series(
            Bar::new()
                .name("Partner-influenced")
                .stack("partner")
                .item_style(ItemStyle::new().color(GREEN))
                .data(values(|m| m.influenced)),
        )
        .series(
            Line::new()
                .name("All won revenue")
                .item_style(ItemStyle::new().color(GREY))
                .data(values(|m| m.total)),
        )
        .series(
            Line::new()
                .name("Partner revenue a year before")
                .item_style(ItemStyle::new().color(ORANGE))
                .line_style(LineStyle::new().type_(LineStyleType::Dashed))
                .data(values(|m| m.partner_last_year)),
        )
}

/// One bar per row (a partner, a type, a tier), in the order given.
pub fn ranked_bars(rows: &[(String, Money)], currency: Currency, series: &str) -> Chart {
    let labels = rows.iter().map(|(label, _)| label.clone()).collect();
    let values: Vec<f64> = rows.iter().map(|(_, m)| number(m)).collect();
    frame(labels, currency, rows.len() > 4).series(
        Bar::new()
            .name(series)
            .item_style(ItemStyle::new().color(ACCENT).border_radius(4))
            .data(values),
    )
}

/// Partners the model chart names; the rest are summed as "Other partners".
pub const MODEL_CHART_PARTNERS: usize = 6;

/// Per model, its credit stacked by the top partners (series i = row i, the last one "Other
/// partners"), with the implied commission as a line (the last series).
pub fn model_comparison(report: &ModelComparison) -> Chart {
    let currency = report.scope.currency;
    let labels = report
        .models
        .iter()
        .map(|m| m.model.name().to_owned())
        .collect();
    // Commission is a tenth of the credit or less: it gets its own axis, on the right.
    let mut chart = framed(labels, currency, true, 72).y_axis(
        Axis::new()
            .type_(AxisType::Value)
            .position("right")
            .axis_label(AxisLabel::new().formatter(formatter(symbol(currency), compact_label))),
    );
    let named = report.rows.len().min(MODEL_CHART_PARTNERS);
    for row in &report.rows[..named] {
        chart = chart.series(
            Bar::new()
                .name(row.name.clone())
                .stack("credit")
                .data(row.credit.iter().map(number).collect::<Vec<_>>()),
        );
    }
    if report.rows.len() > named {
        let others: Vec<f64> = (0..report.models.len())
            .map(|i| {
                report.rows[named..]
                    .iter()
                    .map(|r| number(&r.credit[i]))
                    .sum()
            })
            .collect();
        chart = chart.series(
            Bar::new()
                .name("Other partners")
                .stack("credit")
                .item_style(ItemStyle::new().color(GREY))
                .data(others),
        );
    }
    chart.series(
        Line::new()
            .name("Implied commission (right axis)")
            .y_axis_index(1)
            .item_style(ItemStyle::new().color(ORANGE))
            .data(
                report
                    .models
                    .iter()
                    .map(|m| number(&m.commission))
                    .collect::<Vec<_>>(),
            ),
    )
}

/// Per row (partner type), attributed revenue (series 0) and commission (series 1).
pub fn roi(rows: &[RoiRow], currency: Currency) -> Chart {
    let labels = rows.iter().map(|r| r.label.clone()).collect();
    frame(labels, currency, rows.len() > 6)
        .series(
            Bar::new()
                .name("Attributed revenue")
                .item_style(ItemStyle::new().color(ACCENT))
                .data(
                    rows.iter()
                        .map(|r| number(&r.attributed))
                        .collect::<Vec<_>>(),
                ),
        )
        .series(
            Bar::new()
                .name("Commission")
                .item_style(ItemStyle::new().color(ORANGE))
                .data(
                    rows.iter()
                        .map(|r| number(&r.commission))
                        .collect::<Vec<_>>(),
                ),
        )
}

/// The columns of the pipeline chart: overdue or undated first (when there are any), then each
/// month ahead.
pub fn pipeline_columns(report: &ForecastReport) -> Vec<Option<chrono::NaiveDate>> {
    let this_month = crate::domain::reporting::month_start(report.today);
    let mut months: Vec<chrono::NaiveDate> = report
        .pipeline
        .iter()
        .filter_map(|c| c.month.filter(|m| *m >= this_month))
        .collect();
    months.sort();
    months.dedup();
    let late = report
        .pipeline
        .iter()
        .any(|c| in_column(c, None, report.today));
    late.then_some(None)
        .into_iter()
        .chain(months.into_iter().map(Some))
        .collect()
}

/// Whether a cell falls in a column of `pipeline_columns`.
pub fn in_column(
    cell: &PipelineCell,
    column: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> bool {
    let this_month = crate::domain::reporting::month_start(today);
    match column {
        None => cell.month.is_none_or(|m| m < this_month),
        Some(month) => cell.month == Some(month),
    }
}

/// Open pipeline per expected close month, stacked by stage (series i = `PipelineStage::ALL[i]`).
pub fn pipeline(report: &ForecastReport) -> Chart {
    let columns = pipeline_columns(report);
    let labels = columns
        .iter()
        .map(|c| {
            c.map_or_else(
                || "Overdue or undated".to_owned(),
                |m| m.format("%b %Y").to_string(),
            )
        })
        .collect();
    let mut chart = frame(labels, report.currency, columns.len() > 6);
    let colors = [GREY, PURPLE, ACCENT, GREEN];
    for (stage, color) in PipelineStage::ALL.iter().zip(colors) {
        let values: Vec<f64> = columns
            .iter()
            .map(|column| {
                report
                    .pipeline
                    .iter()
                    .filter(|c| c.stage == *stage && in_column(c, *column, report.today))
                    .map(|c| number(&c.amount))
                    .sum()
            })
            .collect();
        chart = chart.series(
            Bar::new()
                .name(stage.title())
                .stack("pipeline")
                .item_style(ItemStyle::new().color(color))
                .data(values),
        );
    }
    chart
}

/// Quarters: back-tested ones (won against what the trend said), then this and the next two
/// (won so far, weighted pipeline, trend with its range).
pub fn forecast(report: &ForecastReport) -> Chart {
    let mut labels: Vec<String> = report.backtest.iter().map(|b| b.label.clone()).collect();
    labels.extend(report.quarters.iter().map(|q| q.label.clone()));
    let past = report.backtest.len();
    let mut won: Vec<Option<f64>> = report
        .backtest
        .iter()
        .map(|b| Some(number(&b.actual)))
        .collect();
    won.extend(report.quarters.iter().map(|q| Some(number(&q.won_so_far))));
    let mut weighted: Vec<Option<f64>> = vec![None; past];
    weighted.extend(
        report
            .quarters
            .iter()
            .map(|q| Some(number(&q.weighted_pipeline))),
    );
    let mut trend: Vec<Option<f64>> = report
        .backtest
        .iter()
        .map(|b| Some(number(&b.forecast)))
        .collect();
    let mut low: Vec<Option<f64>> = vec![None; past];
    let mut high: Vec<Option<f64>> = vec![None; past];
    for q in &report.quarters {
        trend.push(q.trend.as_ref().map(|t| number(&t.expected)));
        low.push(q.trend.as_ref().map(|t| number(&t.low)));
        high.push(q.trend.as_ref().map(|t| number(&t.high)));
    }
    frame(labels, report.currency, false)
        .series(
            Bar::new()
                .name("Partner revenue won")
                .item_style(ItemStyle::new().color(ACCENT))
                .data(won),
        )
        .series(
            Bar::new()
                .name("Weighted pipeline")
                .item_style(ItemStyle::new().color(PURPLE))
                .data(weighted),
        )
        .series(
            Line::new()
                .name("Trend forecast")
                .item_style(ItemStyle::new().color(ORANGE))
                .data(trend),
        )
        .series(
            Line::new()
                .name("Range low (80 %)")
                .item_style(ItemStyle::new().color(ORANGE))
                .line_style(LineStyle::new().type_(LineStyleType::Dotted))
                .data(low),
        )
        .series(
            Line::new()
                .name("Range high (80 %)")
                .item_style(ItemStyle::new().color(ORANGE))
                .line_style(LineStyle::new().type_(LineStyleType::Dotted))
                .data(high),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn revenue_mix_stacks_sourced_on_influenced_with_lines_for_context() {
        let month = RevenueMonth {
            month: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            sourced: usd(15_000),
            sourced_deals: 1,
            influenced: usd(5_000),
            influenced_deals: 1,
            total: usd(40_000),
            partner_last_year: usd(10_000),
        };
        let json = serde_json::to_value(revenue_mix(&[month], Currency::USD)).unwrap();
        assert_eq!(json["series"][0]["name"], "Partner-sourced");
        assert_eq!(json["series"][0]["stack"], "partner");
        assert_eq!(json["series"][1]["stack"], "partner");
        assert_eq!(json["series"][0]["data"], serde_json::json!([150.0]));
        assert_eq!(json["series"][2]["type"], "line");
        assert_eq!(json["series"][3]["data"], serde_json::json!([100.0]));
        assert_eq!(json["xAxis"]["data"], serde_json::json!(["Mar 2026"]));
    }
}
