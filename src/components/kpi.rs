use leptos::prelude::*;

use crate::domain::money::Money;

/// A headline number with a label and a line of context.
#[component]
pub fn KpiCard(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into)] detail: String,
    /// A stable hook for tests and tools, e.g. "won-revenue".
    #[prop(into)]
    id: String,
    /// For money: the exact amount in minor units, so tests can compare it with the database.
    #[prop(optional)]
    minor: Option<i64>,
) -> impl IntoView {
    view! {
        <article class="card kpi" data-testid=format!("kpi-{id}") data-minor=minor.map(|m| m.to_string())>
            <h2 class="kpi-label">{label}</h2>
            <p class="kpi-value">{value}</p>
            <p class="kpi-detail">{detail}</p>
        </article>
    }
}

/// The base-currency total in whole units, followed by any other currencies.
pub fn money_headline(totals: &[Money]) -> String {
    totals
        .iter()
        .enumerate()
        .filter(|(i, m)| *i == 0 || !m.is_zero())
        .map(|(_, m)| m.format_whole())
        .collect::<Vec<_>>()
        .join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    #[test]
    fn headline_shows_base_currency_then_others() {
        let usd = Money::from_minor(123_456_789, Currency::USD);
        assert_eq!(money_headline(&[usd]), "$1,234,568");
        let eur = Money::from_minor(50_000, Currency::EUR);
        assert_eq!(money_headline(&[usd, eur]), "$1,234,568 + €500");
        assert_eq!(money_headline(&[Money::zero(Currency::USD)]), "$0");
    }
}
