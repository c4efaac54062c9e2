//! Top partners: attributed revenue, deals won, win rate, average deal size and sales cycle.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{EmptyReport, ReportHeader, drill_down, loaded, percent, range_text, use_period};
use crate::api::reports::{Report, TopPartnersReport, deals_link, load_top_partners};
use crate::components::charts::echart::EChart;
use crate::components::charts::reports::ranked_bars;
use crate::domain::reporting::Period;

/// Partners the chart shows (the table has them all).
const CHART_PARTNERS: usize = 15;

#[component]
pub fn TopPartnersPage() -> impl IntoView {
    let period = use_period();
    let report = Resource::new(move || period.get(), load_top_partners);
    view! {
        <Title text="Top partners"/>
        <ReportHeader
            report=Report::TopPartners
            summary="Who brings the most revenue, how often they win, how big and how fast."
            period=Some((period, Period::Last12Months))
        />
        {loaded(report, |report| view! { <TopBody report/> }.into_any())}
    }
}

#[component]
fn TopBody(report: TopPartnersReport) -> impl IntoView {
    let scope = report.scope.clone();
    if report.rows.is_empty() {
        return view! {
            <EmptyReport title="No partner revenue in this period" message=format!("No partner closed a deal from {}.", range_text(scope.range))/>
        }
        .into_any();
    }
    let shown: Vec<_> = report.rows.iter().take(CHART_PARTNERS).collect();
    let bars: Vec<(String, crate::domain::money::Money)> = shown
        .iter()
        .map(|r| (r.name.clone(), r.attributed))
        .collect();
    let chart = ranked_bars(&bars, scope.currency, "Attributed revenue");
    let ids: Vec<_> = shown.iter().map(|r| r.partner_id).collect();
    let range = scope.range;
    let on_click =
        drill_down(move |_, index| ids.get(index).map(|p| deals_link("won", range, Some(*p))));
    view! {
        <p class="subtle report-range">{format!(
            "{} · {} · credit under {} · amounts in {} · {} partners with revenue or closed deals",
            scope.period.title(), range_text(scope.range), scope.payable.name(), scope.currency, report.partners
        )}</p>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Attributed revenue"</h2>
                <p class="subtle">{format!("The top {} partners. Click a bar for the deals they won.", shown.len())}</p>
            </header>
            <EChart id="top-partners-chart" chart on_click label="Bar chart of attributed revenue for the top partners"/>
        </section>
        <section class="card">
            <div class="table-scroll">
                <table class="table" data-testid="top-partners-table">
                    <thead>
                        <tr>
                            <th class="num">"#"</th>
                            <th>"Partner"</th>
                            <th>"Type"</th>
                            <th>"Tier"</th>
                            <th class="num">"Attributed revenue"</th>
                            <th class="num">"Deals won"</th>
                            <th class="num">"Win rate"</th>
                            <th class="num">"Average deal"</th>
                            <th class="num">"Sales cycle"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.rows.into_iter().enumerate().map(|(i, row)| {
                            let win_rate = percent(row.win_rate());
                            view! {
                                <tr>
                                    <td class="num">{i + 1}</td>
                                    <td><A href=format!("/partners/{}", row.partner_id)>{row.name.clone()}</A></td>
                                    <td>{row.partner_type.title()}</td>
                                    <td>{row.tier.title()}</td>
                                    <td class="num">{row.attributed.format_whole()}</td>
                                    <td class="num"><A href=deals_link("won", range, Some(row.partner_id))>{row.deals_won}</A></td>
                                    <td class="num" title=format!("{} won of {} closed", row.deals_won, row.deals_closed)>{win_rate}</td>
                                    <td class="num">{row.average_deal.map_or_else(|| "—".to_owned(), |m| m.format_whole())}</td>
                                    <td class="num">{row.cycle_days.map_or_else(|| "—".to_owned(), |d| format!("{} days", d.round_dp(0)))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
