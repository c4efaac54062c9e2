//! Chart specifications. Money becomes `f64` here and only here: ECharts plots numbers.

use charming::Chart;
use charming::component::{Axis, Grid};
use charming::element::{AxisLabel, AxisType, ItemStyle, JsFunction, Tooltip, Trigger};
use charming::series::Bar;
use rust_decimal::prelude::ToPrimitive;

use crate::api::dashboard::MonthlyRevenue;
use crate::domain::money::Currency;

const ACCENT: &str = "#3559e0";

/// Won revenue per month as bars, axis labelled in compact units of the base currency.
pub fn revenue_by_month(points: &[MonthlyRevenue], currency: Currency) -> Chart {
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
    // Axis ticks in compact units: $800k, $1.5M.
    let compact = format!(
        "return '{symbol}' + (Math.abs(value) >= 1e6 \
           ? (value / 1e6).toLocaleString('en-US', {{ maximumFractionDigits: 1 }}) + 'M' \
           : Math.round(value / 1000).toLocaleString('en-US') + 'k');"
    );
    let exact = format!(
        "return '{symbol}' + Number(value).toLocaleString('en-US', {{ maximumFractionDigits: 0 }});"
    );
    Chart::new()
        .animation(false)
        .grid(Grid::new().left(64).right(16).top(24).bottom(40))
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .value_formatter(JsFunction::new_with_args("value", &exact)),
        )
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(
            Axis::new().type_(AxisType::Value).axis_label(
                AxisLabel::new().formatter(JsFunction::new_with_args("value", &compact)),
            ),
        )
        .series(
            Bar::new()
                .name("Won revenue")
                .item_style(ItemStyle::new().color(ACCENT).border_radius(4))
                .data(values),
        )
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
        let rendered = chart.to_string();
        assert!(
            rendered.contains("'$' + (Math.abs(value) >= 1e6"),
            "{rendered}"
        );
    }
}
