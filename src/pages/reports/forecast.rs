//! Pipeline and forecast: open partner pipeline by stage and expected close month, and partner
//! revenue for this quarter and the next two from the weighted pipeline and from the trend,
//! with a back-test of the trend on past quarters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{ReportHeader, drill_down, loaded, percent};
use crate::api::reports::{ForecastReport, Report, deals_link, load_forecast};
use crate::components::charts::echart::EChart;
use crate::components::charts::reports::{forecast, in_column, pipeline, pipeline_columns};
use crate::components::kpi::KpiCard;
use crate::domain::forecast::PipelineStage;
use crate::domain::money::Money;
use crate::domain::reporting::DateRange;

#[component]
pub fn ForecastReportPage() -> impl IntoView {
    let report = Resource::new(|| (), |_| load_forecast());
    view! {
        <Title text="Pipeline and forecast"/>
        <ReportHeader
            report=Report::Forecast
            summary="What partners have in the pipeline and what it should bring: weighted by how similar deals ended, and by the trend of partner revenue."
            period=None
        />
        {loaded(report, |report| view! { <ForecastBody report/> }.into_any())}
    }
}

/// The open deals of a pipeline column.
fn open_deals(column: Option<chrono::NaiveDate>) -> String {
    match column {
        None => "/deals?stage=open".to_owned(),
        Some(month) => {
            let last = (month + chrono::Months::new(1)).pred_opt().unwrap_or(month);
            format!("/deals?stage=open&from={month}&to={last}")
        }
    }
}

fn sum(amounts: impl Iterator<Item = Money>, currency: crate::domain::money::Currency) -> Money {
    Money::new(amounts.map(|m| m.amount()).sum(), currency)
        .unwrap_or_else(|_| Money::zero(currency))
}

#[component]
fn ForecastBody(report: ForecastReport) -> impl IntoView {
    let currency = report.currency;
    let columns = pipeline_columns(&report);
    let clicked = columns.clone();
    let on_pipeline = drill_down(move |_, index| clicked.get(index).map(|c| open_deals(*c)));
    let pipeline_chart = pipeline(&report);
    // The forecast chart's columns: back-tested quarters, then this one and the next two. Won
    // revenue and the trend open the quarter's won deals; the weighted pipeline its open ones.
    let quarters: Vec<DateRange> = report
        .backtest
        .iter()
        .map(|b| b.range)
        .chain(report.quarters.iter().map(|q| q.range))
        .collect();
    let on_forecast = drill_down(move |series, index| {
        let range = *quarters.get(index)?;
        Some(match series {
            1 => deals_link("open", range, None),
            _ => deals_link("won", range, None),
        })
    });
    let forecast_chart = forecast(&report);
    let open = sum(report.pipeline.iter().map(|c| c.amount), currency);
    let weighted = sum(report.pipeline.iter().map(|c| c.weighted), currency);
    let deals: i64 = report.pipeline.iter().map(|c| c.deals).sum();
    let next = report.quarters.get(1).cloned();
    let today = report.today;
    view! {
        <p class="subtle report-range">{format!("As of {} · amounts in {currency} · other currencies at today's rates", today.format("%b %-d, %Y"))}</p>
        {(!report.unconverted.is_empty()).then(|| view! {
            <p class="notice">{format!(
                "Left out for want of an exchange rate: {}.",
                report.unconverted.iter().map(|m| m.format_whole()).collect::<Vec<_>>().join(", ")
            )}</p>
        })}
        <div class="kpi-grid">
            <KpiCard id="open-pipeline" label="Open partner pipeline" value=open.format_whole()
                detail=format!("{deals} open deals partners touched") minor=open.to_minor().unwrap_or_default()/>
            <KpiCard id="weighted-pipeline" label="Weighted pipeline" value=weighted.format_whole()
                detail="amount × win rate of similar deals" minor=weighted.to_minor().unwrap_or_default()/>
            <KpiCard id="next-quarter" label=next.as_ref().map_or_else(|| "Next quarter".to_owned(), |q| format!("Trend, {}", q.label))
                value=next.as_ref().and_then(|q| q.trend.as_ref()).map_or_else(|| "—".to_owned(), |t| t.expected.format_whole())
                detail=next.as_ref().and_then(|q| q.trend.as_ref()).map_or_else(
                    || "needs six months of partner revenue".to_owned(),
                    |t| format!("{} to {}", t.low.format_whole(), t.high.format_whole()))/>
            <KpiCard id="backtest-error" label="Trend back-test error" value=percent(report.backtest_error)
                detail=format!("mean over the last {} quarters", report.backtest.len())/>
        </div>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Open pipeline by expected close"</h2>
                <p class="subtle">"Stacked by the furthest stage partner work reached. Click a month for its deals."</p>
            </header>
            <EChart id="pipeline-chart" chart=pipeline_chart on_click=on_pipeline label="Stacked bar chart of open partner pipeline by expected close month and stage"/>
            <div class="table-scroll">
                <table class="table compact" data-testid="pipeline-table">
                    <thead>
                        <tr>
                            <th>"Expected close"</th>
                            {PipelineStage::ALL.iter().map(|s| view! { <th class="num">{s.title()}</th> }).collect_view()}
                            <th class="num">"Deals"</th>
                            <th class="num">"Total"</th>
                            <th class="num">"Weighted"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {columns.iter().map(|column| {
                            let cells: Vec<_> = report.pipeline.iter().filter(|c| in_column(c, *column, today)).cloned().collect();
                            let label = column.map_or_else(|| "Overdue or undated".to_owned(), |m| m.format("%B %Y").to_string());
                            view! {
                                <tr>
                                    <td><A href=open_deals(*column)>{label}</A></td>
                                    {PipelineStage::ALL.iter().map(|stage| {
                                        let amount = sum(cells.iter().filter(|c| c.stage == *stage).map(|c| c.amount), currency);
                                        view! { <td class="num">{amount.format_whole()}</td> }
                                    }).collect_view()}
                                    <td class="num">{cells.iter().map(|c| c.deals).sum::<i64>()}</td>
                                    <td class="num">{sum(cells.iter().map(|c| c.amount), currency).format_whole()}</td>
                                    <td class="num">{sum(cells.iter().map(|c| c.weighted), currency).format_whole()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Partner revenue forecast"</h2>
                <p class="subtle">"Past quarters: what was won against what the trend forecast from the months before. This quarter and the next two: won so far, weighted pipeline, and the trend with its 80 % range. Click a quarter for its deals."</p>
            </header>
            <EChart id="forecast-chart" chart=forecast_chart on_click=on_forecast label="Bar and line chart of partner revenue won, weighted pipeline and trend forecast per quarter"/>
            <div class="table-scroll">
                <table class="table" data-testid="forecast-table">
                    <thead>
                        <tr>
                            <th>"Quarter"</th>
                            <th class="num">"Won so far"</th>
                            <th class="num">"Open pipeline"</th>
                            <th class="num">"Weighted pipeline"</th>
                            <th class="num">"Trend"</th>
                            <th class="num">"Range (80 %)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.quarters.iter().map(|q| view! {
                            <tr>
                                <td>{q.label.clone()}</td>
                                <td class="num">{q.won_so_far.format_whole()}</td>
                                <td class="num">{q.pipeline.format_whole()}</td>
                                <td class="num">{q.weighted_pipeline.format_whole()}</td>
                                <td class="num">{q.trend.as_ref().map_or_else(|| "—".to_owned(), |t| t.expected.format_whole())}</td>
                                <td class="num">{q.trend.as_ref().map_or_else(|| "—".to_owned(), |t| format!("{} – {}", t.low.format_whole(), t.high.format_whole()))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <div class="report-pair">
            <section class="card">
                <header class="card-header">
                    <h2>"Back-test"</h2>
                    <p class="subtle">"Each past quarter forecast by the trend from the months before it."</p>
                </header>
                <table class="table compact" data-testid="backtest-table">
                    <thead><tr><th>"Quarter"</th><th class="num">"Forecast"</th><th class="num">"Actual"</th><th class="num">"Error"</th></tr></thead>
                    <tbody>
                        {report.backtest.iter().map(|b| view! {
                            <tr>
                                <td>{b.label.clone()}</td>
                                <td class="num">{b.forecast.format_whole()}</td>
                                <td class="num">{b.actual.format_whole()}</td>
                                <td class="num">{percent(b.error)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot><tr class="subtotal"><td>"Mean error"</td><td></td><td></td><td class="num">{percent(report.backtest_error)}</td></tr></tfoot>
                </table>
            </section>
            <section class="card">
                <header class="card-header">
                    <h2>"Win rates"</h2>
                    <p class="subtle">"Deals closed in the last 24 months, by the type of partner that brought them and the stage reached. Fewer than ten closed: the stage's rate over every type."</p>
                </header>
                <table class="table compact" data-testid="win-rates">
                    <thead><tr><th>"Partner type"</th><th>"Stage"</th><th class="num">"Won / closed"</th><th class="num">"Win rate"</th></tr></thead>
                    <tbody>
                        {report.rates.iter().map(|r| view! {
                            <tr>
                                <td>{r.partner_type.title()}</td>
                                <td>{r.stage.title()}</td>
                                <td class="num">{format!("{} / {}{}", r.rate.won, r.rate.closed, if r.rate.pooled { " (all types)" } else { "" })}</td>
                                <td class="num">{percent(Some(r.rate.rate))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </div>
    }
}
