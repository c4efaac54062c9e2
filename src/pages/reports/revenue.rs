//! Partner revenue: sourced and influenced won revenue by month and quarter, share of all won
//! revenue, year over year, and attributed revenue by partner type and tier.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{ReportHeader, change, drill_down, loaded, percent, range_text, use_period};
use crate::api::reports::{
    Report, RevenueGroup, RevenueReport, RevenueTotals, deals_link, group_deals_link,
    load_revenue_report, revenue_point_link,
};
use crate::components::charts::echart::EChart;
use crate::components::charts::reports::{ranked_bars, revenue_mix};
use crate::components::kpi::KpiCard;
use crate::domain::reporting::{DateRange, Period};

#[component]
pub fn RevenueReportPage() -> impl IntoView {
    let period = use_period();
    let report = Resource::new(move || period.get(), load_revenue_report);
    view! {
        <Title text="Partner revenue"/>
        <ReportHeader
            report=Report::Revenue
            summary="How much won revenue partners brought in or helped close, and how it moves."
            period=Some((period, Period::Last12Months))
        />
        {loaded(report, |report| view! { <RevenueBody report/> }.into_any())}
    }
}

fn month_range(month: chrono::NaiveDate) -> DateRange {
    DateRange {
        start: month,
        end: month + chrono::Months::new(1),
    }
}

#[component]
fn RevenueBody(report: RevenueReport) -> impl IntoView {
    let currency = report.scope.currency;
    let total = report.total.clone();
    let months = report.months.clone();
    let chart = revenue_mix(&report.months, currency);
    let on_click = drill_down(move |series, index| {
        months
            .get(index)
            .map(|m| revenue_point_link(m.month, series))
    });
    let sourced_deals: i64 = report.months.iter().map(|m| m.sourced_deals).sum();
    let influenced_deals: i64 = report.months.iter().map(|m| m.influenced_deals).sum();
    view! {
        <p class="subtle report-range">{format!("{} · {} · amounts in {currency}", report.total.label, range_text(report.scope.range))}</p>
        <div class="kpi-grid">
            <KpiCard id="partner-revenue" label="Partner revenue" value=total.partner().format_whole()
                detail=format!("{} of all won revenue", percent(total.partner_share()))
                minor=total.partner().to_minor().unwrap_or_default()/>
            <KpiCard id="sourced" label="Partner-sourced" value=total.sourced.format_whole()
                detail=format!("{sourced_deals} won deals partners brought in")
                minor=total.sourced.to_minor().unwrap_or_default()/>
            <KpiCard id="influenced" label="Partner-influenced" value=total.influenced.format_whole()
                detail=format!("{influenced_deals} won deals partners worked on")
                minor=total.influenced.to_minor().unwrap_or_default()/>
            <KpiCard id="year-over-year" label="Year over year" value=change(total.year_over_year())
                detail=format!("against {} a year before", total.partner_last_year.format_whole())/>
        </div>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Won revenue by month"</h2>
                <p class="subtle">"Partner-sourced and partner-influenced stacked, all won revenue and last year's partner revenue as lines. Click a month for its deals."</p>
            </header>
            <EChart id="revenue-mix-chart" chart on_click label="Bar chart of partner-sourced and partner-influenced won revenue per month, with all won revenue and last year's partner revenue as lines"/>
        </section>
        <section class="card">
            <header class="card-header"><h2>"By quarter and month"</h2></header>
            <div class="table-scroll">
                <table class="table" data-testid="revenue-table">
                    <thead>
                        <tr>
                            <th>"Period"</th>
                            <th class="num">"Partner-sourced"</th>
                            <th class="num">"Partner-influenced"</th>
                            <th class="num">"Partner total"</th>
                            <th class="num">"All won revenue"</th>
                            <th class="num">"Partner share"</th>
                            <th class="num">"A year before"</th>
                            <th class="num">"Change"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.quarters.iter().map(|quarter| {
                            let months: Vec<_> = report.months.iter()
                                .filter(|m| m.month >= quarter.range.start && m.month < quarter.range.end)
                                .map(|m| RevenueTotals::of(m.month.format("%B %Y").to_string(), month_range(m.month), &[m], currency))
                                .collect();
                            view! {
                                <TotalsRow totals=quarter.clone() strong=true/>
                                {months.into_iter().map(|totals| view! { <TotalsRow totals strong=false/> }).collect_view()}
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <TotalsRow totals=report.total.clone() strong=true/>
                    </tfoot>
                </table>
            </div>
        </section>
        <div class="report-pair">
            <GroupCard title="By partner type" key="type" id="type" groups=report.by_type.clone() currency range=report.scope.range/>
            <GroupCard title="By tier" key="tier" id="tier" groups=report.by_tier.clone() currency range=report.scope.range/>
        </div>
    }
}

#[component]
fn TotalsRow(totals: RevenueTotals, strong: bool) -> impl IntoView {
    let link = deals_link("won", totals.range, None);
    let label = totals.label.clone();
    view! {
        <tr class:subtotal=strong>
            <td><A href=link>{label}</A></td>
            <td class="num">{totals.sourced.format_whole()}</td>
            <td class="num">{totals.influenced.format_whole()}</td>
            <td class="num">{totals.partner().format_whole()}</td>
            <td class="num">{totals.total.format_whole()}</td>
            <td class="num">{percent(totals.partner_share())}</td>
            <td class="num">{totals.partner_last_year.format_whole()}</td>
            <td class="num">{change(totals.year_over_year())}</td>
        </tr>
    }
}

/// Attributed revenue (payable model) of a group of partners, chart and table; each group
/// opens the partner list filtered to it.
#[component]
fn GroupCard(
    title: &'static str,
    key: &'static str,
    id: &'static str,
    groups: Vec<RevenueGroup>,
    currency: crate::domain::money::Currency,
    range: DateRange,
) -> impl IntoView {
    if groups.is_empty() {
        return view! {
            <section class="card empty-state"><h2>{title}</h2><p>"No attributed revenue in this period."</p></section>
        }
        .into_any();
    }
    let rows: Vec<(String, crate::domain::money::Money)> = groups
        .iter()
        .map(|g| (g.label.clone(), g.revenue))
        .collect();
    let chart = ranked_bars(&rows, currency, "Attributed revenue");
    let keys: Vec<String> = groups.iter().map(|g| g.key.clone()).collect();
    let on_click = drill_down(move |_, index| {
        keys.get(index)
            .map(|k| group_deals_link("won", range, key, k))
    });
    let total: rust_decimal::Decimal = groups.iter().map(|g| g.revenue.amount()).sum();
    view! {
        <section class="card chart-card">
            <header class="card-header">
                <h2>{title}</h2>
                <p class="subtle">"Credit under the payable model. Click a bar for the won deals these partners touched."</p>
            </header>
            <EChart id=format!("revenue-{id}-chart") chart on_click height=320 label=format!("Bar chart of attributed revenue {}", title.to_lowercase())/>
            <table class="table compact" data-testid=format!("revenue-by-{id}")>
                <thead><tr><th>{if key == "type" { "Type" } else { "Tier" }}</th><th class="num">"Partners"</th><th class="num">"Attributed revenue"</th><th class="num">"Share"</th></tr></thead>
                <tbody>
                    {groups.into_iter().map(|g| view! {
                        <tr>
                            <td><A href=group_deals_link("won", range, key, &g.key)>{g.label.clone()}</A></td>
                            <td class="num">{g.partners}</td>
                            <td class="num">{g.revenue.format_whole()}</td>
                            <td class="num">{percent((!total.is_zero()).then(|| g.revenue.amount() / total))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
