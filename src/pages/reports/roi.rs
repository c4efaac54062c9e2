//! Program ROI: commission earned against attributed revenue, per partner type and partner.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{ReportHeader, drill_down, loaded, percent, range_text, use_period};
use crate::api::reports::{
    Report, RoiReport, RoiRow, deals_link, group_deals_link, load_roi_report,
};
use crate::components::charts::echart::EChart;
use crate::components::charts::reports::roi;
use crate::components::kpi::KpiCard;
use crate::domain::reporting::Period;

#[component]
pub fn RoiReportPage() -> impl IntoView {
    let period = use_period();
    let report = Resource::new(move || period.get(), load_roi_report);
    view! {
        <Title text="Program ROI"/>
        <ReportHeader
            report=Report::Roi
            summary="What the partner program costs in commission against the revenue it brings."
            period=Some((period, Period::Last12Months))
        />
        {loaded(report, |report| view! { <RoiBody report/> }.into_any())}
    }
}

fn multiple(row: &RoiRow) -> String {
    row.roi().map_or_else(
        || "—".to_owned(),
        |r| format!("{}×", r.round_dp(1).normalize()),
    )
}

#[component]
fn RoiBody(report: RoiReport) -> impl IntoView {
    let scope = report.scope.clone();
    let range = scope.range;
    let chart = roi(&report.by_type, scope.currency);
    let types: Vec<String> = report.by_type.iter().map(|r| r.key.clone()).collect();
    let on_click = drill_down(move |_, index| {
        types
            .get(index)
            .map(|t| group_deals_link("won", range, "type", t))
    });
    let total = report.total.clone();
    view! {
        <p class="subtle report-range">{format!(
            "{} · {} · revenue credited under {} · commission earned in the period (pending, approved and paid, net of clawbacks) · amounts in {}",
            scope.period.title(), range_text(range), scope.payable.name(), scope.currency
        )}</p>
        <div class="kpi-grid">
            <KpiCard id="roi-revenue" label="Attributed revenue" value=total.attributed.format_whole() detail="credited to partners"
                minor=total.attributed.to_minor().unwrap_or_default()/>
            <KpiCard id="roi-commission" label="Commission" value=total.commission.format_whole()
                detail=format!("{} paid", total.paid.format_whole())
                minor=total.commission.to_minor().unwrap_or_default()/>
            <KpiCard id="roi-multiple" label="Revenue per commission" value=multiple(&total) detail="attributed revenue ÷ commission"/>
            <KpiCard id="roi-cost" label="Cost of revenue" value=percent(total.cost_share()) detail="commission ÷ attributed revenue"/>
        </div>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"By partner type"</h2>
                <p class="subtle">"Click a type for the won deals its partners touched."</p>
            </header>
            <EChart id="roi-chart" chart on_click label="Bar chart of attributed revenue and commission per partner type"/>
            <RoiTable rows=report.by_type.clone() total=Some(report.total.clone()) id="roi-by-type" first="Type" link=move |row: &RoiRow| group_deals_link("won", range, "type", &row.key)/>
        </section>
        <section class="card">
            <header class="card-header"><h2>"By partner"</h2></header>
            <RoiTable rows=report.by_partner.clone() total=None id="roi-by-partner" first="Partner"
                link=move |row: &RoiRow| deals_link("won", range, row.key.parse().ok())/>
        </section>
    }
}

#[component]
fn RoiTable(
    rows: Vec<RoiRow>,
    total: Option<RoiRow>,
    id: &'static str,
    first: &'static str,
    link: impl Fn(&RoiRow) -> String + 'static,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table" data-testid=id>
                <thead>
                    <tr>
                        <th>{first}</th>
                        <th class="num">"Attributed revenue"</th>
                        <th class="num">"Commission"</th>
                        <th class="num">"Paid"</th>
                        <th class="num">"Revenue per commission"</th>
                        <th class="num">"Cost of revenue"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let (href, label) = (link(&row), row.label.clone());
                        view! {
                        <tr>
                            <td><A href=href>{label}</A></td>
                            <td class="num">{row.attributed.format_whole()}</td>
                            <td class="num">{row.commission.format()}</td>
                            <td class="num">{row.paid.format()}</td>
                            <td class="num">{multiple(&row)}</td>
                            <td class="num">{percent(row.cost_share())}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
                {total.map(|row| view! {
                    <tfoot>
                        <tr class="subtotal">
                            <td>{row.label.clone()}</td>
                            <td class="num">{row.attributed.format_whole()}</td>
                            <td class="num">{row.commission.format()}</td>
                            <td class="num">{row.paid.format()}</td>
                            <td class="num">{multiple(&row)}</td>
                            <td class="num">{percent(row.cost_share())}</td>
                        </tr>
                    </tfoot>
                })}
            </table>
        </div>
    }
}
