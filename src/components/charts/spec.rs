//! Chart specifications. Money becomes `f64` here and only here: ECharts plots numbers.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisLabel, AxisType, ItemStyle, JsFunction, Tooltip, Trigger};
use charming::series::Bar;
use rust_decimal::prelude::ToPrimitive;

use crate::api::dashboard::MonthlyRevenue;
use crate::api::deals::ModelSplit;
use crate::api::payouts::EarningsMonth;
use crate::domain::money::Currency;

pub(super) const ACCENT: &str = "#3559e0";

/// Won revenue per month as bars, axis labelled in compact units of the base currency.
pub fn revenue_by_month(points: &[MonthlyRevenue], currency: Currency) -> Chart {
    monthly_bars(points, currency, "Won revenue")
}

/// An amount per month as bars named `series`, axis labelled in compact units of `currency`.
pub fn monthly_bars(points: &[MonthlyRevenue], currency: Currency, series: &str) -> Chart {
    let symbol = currency
        .symbol()
        .map_or_else(|| format!("{currency} "), str::to_owned);
    let labels: Vec<String> = points
        .iter()
        .map(|p| p.month.format("%b %Y").to_string())
        .collect();
    let values: Vec<f64> = points
        .iter()
        .map(|p| p.revenue.amount().to_f64().unwrap_or(0.0))
        .collect();
    Chart::new()
        .animation(false)
        .grid(Grid::new().left(64).right(16).top(24).bottom(40))
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .value_formatter(formatter(symbol.clone(), whole_label)),
        )
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter(formatter(symbol, compact_label))),
        )
        .series(
            Bar::new()
                .name(series)
                .item_style(ItemStyle::new().color(ACCENT).border_radius(4))
                .data(values),
        )
}

/// Earnings per month stacked by status (paid, approved, pending), in `currency`.
pub fn earnings_by_month(months: &[EarningsMonth], currency: Currency) -> Chart {
    let symbol = currency
        .symbol()
        .map_or_else(|| format!("{currency} "), str::to_owned);
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.month.format("%b %Y").to_string())
        .collect();
    let values = |pick: fn(&EarningsMonth) -> &crate::domain::money::Money| -> Vec<f64> {
        months
            .iter()
            .map(|m| pick(m).amount().to_f64().unwrap_or(0.0))
            .collect()
    };
    let mut chart = Chart::new()
        .animation(false)
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(64).right(16).top(24).bottom(64))
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .value_formatter(formatter(symbol.clone(), whole_label)),
        )
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter(formatter(symbol, compact_label))),
        );
    type Pick = fn(&EarningsMonth) -> &crate::domain::money::Money;
    let series: [(&str, &str, Pick); 3] = [
        ("Paid", "#12b76a", |m| &m.paid),
        ("Approved", ACCENT, |m| &m.approved),
        ("Pending", "#f79009", |m| &m.pending),
    ];
    for (name, color, pick) in series {
        chart = chart.series(
            Bar::new()
                .name(name)
                .stack("earnings")
                .item_style(ItemStyle::new().color(color))
                .data(values(pick)),
        );
    }
    chart
}

/// A deal's credit under each model: one bar per model, stacked by partner, in the deal currency.
pub fn attribution_by_model(models: &[ModelSplit], currency: Currency) -> Chart {
    let symbol = currency
        .symbol()
        .map_or_else(|| format!("{currency} "), str::to_owned);
    let labels: Vec<String> = models.iter().map(|m| m.model_name.clone()).collect();
    let mut partners: Vec<(crate::domain::ids::PartnerId, String)> = Vec::new();
    for line in models.iter().flat_map(|m| &m.lines) {
        if !partners.iter().any(|(id, _)| *id == line.partner_id) {
            partners.push((line.partner_id, line.partner_name.clone()));
        }
    }
    let mut chart = Chart::new()
        .animation(false)
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(64).right(16).top(16).bottom(96))
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .value_formatter(formatter(symbol.clone(), whole_label)),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(labels)
                .axis_label(AxisLabel::new().interval(0).rotate(30)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter(formatter(symbol, compact_label))),
        );
    for (id, name) in partners {
        let values: Vec<f64> = models
            .iter()
            .map(|m| {
                m.lines
                    .iter()
                    .find(|l| l.partner_id == id)
                    .and_then(|l| l.amount.amount().to_f64())
                    .unwrap_or(0.0)
            })
            .collect();
        chart = chart.series(Bar::new().name(name).stack("credit").data(values));
    }
    chart
}

/// Thousands separators for a whole number: 1234567 -> "1,234,567".
fn grouped(whole: i64) -> String {
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

/// A tick label in compact units: "$800k", "$1.5M".
pub fn compact_label(symbol: &str, value: f64) -> String {
    let millions = value / 1e6;
    if millions.abs() >= 100.0 {
        format!("{symbol}{}M", grouped(millions.round() as i64))
    } else if millions.abs() >= 1.0 {
        let text = format!("{:.1}", (millions * 10.0).round() / 10.0);
        format!("{symbol}{}M", text.trim_end_matches(".0"))
    } else {
        format!("{symbol}{}k", grouped((value / 1000.0).round() as i64))
    }
}

/// A tooltip value in whole units: "$1,234,568".
pub fn whole_label(symbol: &str, value: f64) -> String {
    format!("{symbol}{}", grouped(value.round() as i64))
}

/// An ECharts formatter calling `label` in Rust. In the browser it is a real function built from a
/// Rust closure, so no JavaScript is ever evaluated from text (the CSP forbids `eval`); elsewhere
/// (tests, JSON snapshots) it is a named placeholder.
pub(super) fn formatter(symbol: String, label: fn(&str, f64) -> String) -> JsFunction {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::closure::Closure;
        let function = Closure::<dyn Fn(f64) -> String>::new(move |value| label(&symbol, value))
            .into_js_value();
        serde_wasm_bindgen::from_value(function)
            .unwrap_or_else(|_| JsFunction::new_with_args("value", "return value;"))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (symbol, label);
        JsFunction::new_with_args("value", "return rustFormatter(value);")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use chrono::NaiveDate;

    fn month(m: u32, minor: i64) -> MonthlyRevenue {
        MonthlyRevenue {
            month: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            revenue: Money::from_minor(minor, Currency::USD),
            deals: 1,
        }
    }

    #[test]
    fn earnings_chart_stacks_paid_approved_and_pending() {
        let usd = |minor| Money::from_minor(minor, Currency::USD);
        let months = [EarningsMonth {
            month: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            pending: usd(100),
            approved: usd(2_000),
            paid: usd(30_000),
        }];
        let json = serde_json::to_value(earnings_by_month(&months, Currency::USD)).unwrap();
        let names: Vec<&str> = (0..3)
            .map(|i| json["series"][i]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Paid", "Approved", "Pending"]);
        assert!((0..3).all(|i| json["series"][i]["stack"] == "earnings"));
        assert_eq!(json["series"][0]["data"], serde_json::json!([300.0]));
        assert_eq!(json["series"][2]["data"], serde_json::json!([1.0]));
    }

    #[test]
    fn revenue_chart_has_one_bar_per_month_in_order() {
        let chart = revenue_by_month(
            &[month(1, 1_250_000), month(2, 0), month(3, 99)],
            Currency::USD,
        );
        let json: serde_json::Value = serde_json::to_value(&chart).unwrap();
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["Jan 2026", "Feb 2026", "Mar 2026"])
        );
        assert_eq!(json["series"][0]["type"], "bar");
        assert_eq!(
            json["series"][0]["data"],
            serde_json::json!([12500.0, 0.0, 0.99])
        );
        assert_eq!(json["animation"], false);
    }

    #[test]
    fn labels_are_compact_on_the_axis_and_whole_in_the_tooltip() {
        assert_eq!(compact_label("$", 800_000.0), "$800k");
        assert_eq!(compact_label("$", 1_500_000.0), "$1.5M");
        assert_eq!(compact_label("$", 2_000_000.0), "$2M");
        assert_eq!(compact_label("€", 0.0), "€0k");
        assert_eq!(compact_label("$", 12_345_000_000.0), "$12,345M");
        assert_eq!(compact_label("$", 1_234_000_000.0 / 1000.0), "$1.2M");
        assert_eq!(whole_label("$", 1_234_567.6), "$1,234,568");
        assert_eq!(whole_label("CHF ", 999.0), "CHF 999");
        assert_eq!(whole_label("$", -1_000.0), "$-1,000");
    }
}
