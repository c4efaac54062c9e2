//! Executive reports: one page per report under a shared sub-navigation, each with a period
//! picker, a chart whose bars open the deals behind them, the table behind the chart, a CSV
//! download and a print button. The period lives in the address (`?period=`).

mod forecast;
mod models;
mod revenue;
mod roi;
mod top_partners;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use rust_decimal::Decimal;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::AppError;
use crate::api::reports::Report;
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{use_param, use_set_params};
use crate::domain::reporting::{DateRange, Period};
use crate::pages::manager::statement::print;

pub use forecast::ForecastReportPage;
pub use models::ModelComparisonPage;
pub use revenue::RevenueReportPage;
pub use roi::RoiReportPage;
pub use top_partners::TopPartnersPage;

#[component]
fn ReportsNav() -> impl IntoView {
    view! {
        <nav class="subnav no-print" aria-label="Reports">
            {Report::ALL.iter().map(|r| view! {
                <A href=r.path() exact=true>{r.name()}</A>
            }).collect_view()}
        </nav>
    }
}

/// The period chosen in the address.
fn use_period() -> Memo<Option<Period>> {
    let param = use_param();
    Memo::new(move |_| param("period").and_then(|v| v.parse::<Period>().ok()))
}

/// The page header: title, what the report answers, the period picker (unless the report has
/// none), the CSV download and print.
#[component]
fn ReportHeader(
    report: Report,
    #[prop(into)] summary: String,
    /// The period picked, and the one shown when none is (`None`: the report has no period).
    period: Option<(Memo<Option<Period>>, Period)>,
) -> impl IntoView {
    let set_params = use_set_params(report.path());
    let csv = move || {
        let chosen = period.and_then(|(p, _)| p.get());
        match chosen {
            Some(p) => format!("{}?period={}", report.csv_path(), p.as_str()),
            None => report.csv_path().to_owned(),
        }
    };
    view! {
        <header class="page-header">
            <p class="eyebrow">"Reports"</p>
            <h1>{report.name()}</h1>
            <p class="subtle">{summary}</p>
        </header>
        <ReportsNav/>
        <section class="card toolbar no-print" aria-label="Report options">
            {period.map(|(chosen, default)| {
                let id = format!("{}-period", report.as_str());
                view! {
                    <div class="field">
                        <label for=id.clone()>"Period"</label>
                        <select id=id on:change=move |ev| set_params.run(vec![("period", event_target_value(&ev))])>
                            {Period::ALL.iter().map(|p| {
                                let p = *p;
                                view! { <option value=p.as_str() selected=move || chosen.get().unwrap_or(default) == p>{p.title()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            })}
            <div class="actions">
                <a class="button secondary" href=csv download data-testid="report-csv">"Download CSV"</a>
                <button type="button" class="button secondary" on:click=|_| print()>"Print"</button>
            </div>
        </section>
    }
}

/// A report once loaded: a skeleton while it loads, its body, or the error with a retry.
fn loaded<T>(report: Resource<Result<T, AppError>>, body: fn(T) -> AnyView) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    view! {
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading the report"></div> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => body(report),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| report.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A report with nothing to show for the period.
#[component]
fn EmptyReport(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="report-empty">
            <h2>{title}</h2>
            <p>{message}</p>
        </section>
    }
}

/// "Jan 1 to Mar 31, 2026".
fn range_text(range: DateRange) -> String {
    let last = range.end.pred_opt().unwrap_or(range.end);
    format!(
        "{} to {}",
        range.start.format("%b %-d, %Y"),
        last.format("%b %-d, %Y")
    )
}

/// "12.5 %", or "—" when there is nothing to divide by.
fn percent(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), crate::pages::portal::deals::percent)
}

/// A change as "+12.5 %" or "−3 %".
fn change(value: Option<Decimal>) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) if v.is_sign_negative() => format!("−{}", percent(Some(-v))),
        Some(v) => format!("+{}", percent(Some(v))),
    }
}

/// A drill-down callback for a chart: `link` maps (series, data index) to an address.
fn drill_down(
    link: impl Fn(usize, usize) -> Option<String> + Send + Sync + 'static,
) -> Callback<(usize, usize)> {
    let navigate = use_navigate();
    Callback::new(move |(series, index)| {
        if let Some(href) = link(series, index) {
            navigate(&href, Default::default());
        }
    })
}
