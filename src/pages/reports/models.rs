//! Model comparison: every partner's credit under each attribution model side by side, and the
//! commission each model would imply under the rules in force.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{EmptyReport, ReportHeader, drill_down, loaded, range_text, use_period};
use crate::api::reports::{ModelComparison, Report, deals_link, load_model_comparison};
use crate::components::charts::echart::EChart;
use crate::components::charts::reports::{MODEL_CHART_PARTNERS, model_comparison};
use crate::domain::reporting::Period;

#[component]
pub fn ModelComparisonPage() -> impl IntoView {
    let period = use_period();
    let report = Resource::new(move || period.get(), load_model_comparison);
    view! {
        <Title text="Model comparison"/>
        <ReportHeader
            report=Report::Models
            summary="Which model is fair: each partner's credit under every attribution model, and what each would cost in commission."
            period=Some((period, Period::LastQuarter))
        />
        {loaded(report, |report| view! { <ModelsBody report/> }.into_any())}
    }
}

#[component]
fn ModelsBody(report: ModelComparison) -> impl IntoView {
    let scope = report.scope.clone();
    if report.rows.is_empty() {
        return view! {
            <EmptyReport title="No attributed deals in this period" message=format!("No deal with partner credit was won from {}.", range_text(scope.range))/>
        }
        .into_any();
    }
    let chart = model_comparison(&report);
    let range = scope.range;
    let named: Vec<_> = report
        .rows
        .iter()
        .take(MODEL_CHART_PARTNERS)
        .map(|r| r.partner_id)
        .collect();
    let on_click = drill_down(move |series, _| {
        named
            .get(series)
            .map(|p| deals_link("won", range, Some(*p)))
    });
    let payable = scope.payable;
    view! {
        <p class="subtle report-range">{format!(
            "{} · {} · {} won deals with partner touches, attributed now with the current settings · amounts in {} · commissions are paid on {}",
            scope.period.title(), range_text(range), report.deals, scope.currency, payable.name()
        )}</p>
        {(report.other_currency_deals > 0).then(|| view! {
            <p class="notice">{format!("{} won deals in other currencies are not compared.", report.other_currency_deals)}</p>
        })}
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Credit by model"</h2>
                <p class="subtle">"Every model shares out the same revenue; the stacks show who gets it, the line what the commission rules would pay. Click a partner's segment for its deals."</p>
            </header>
            <EChart id="models-chart" chart on_click height=380 label="Stacked bar chart of each attribution model's credit by partner, with the implied commission as a line"/>
        </section>
        <section class="card">
            <header class="card-header"><h2>"Commission each model implies"</h2></header>
            <div class="table-scroll">
                <table class="table compact" data-testid="model-totals">
                    <thead><tr><th>"Model"</th><th class="num">"Credit"</th><th class="num">"Commission"</th></tr></thead>
                    <tbody>
                        {report.models.iter().map(|m| view! {
                            <tr class:subtotal=m.model == payable>
                                <td>{m.model.name()}{(m.model == payable).then_some(" (payable)")}</td>
                                <td class="num">{m.credit.format_whole()}</td>
                                <td class="num">{m.commission.format()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card">
            <header class="card-header">
                <h2>"Credit per partner"</h2>
                <p class="subtle">"Credit, and under it (smaller) the commission it would earn. Spread: the largest gap between two models' credit, how much the choice matters to the partner."</p>
            </header>
            <div class="table-scroll">
                <table class="table compact" data-testid="model-partners">
                    <thead>
                        <tr>
                            <th>"Partner"</th>
                            {report.models.iter().map(|m| view! { <th class="num" class:payable=m.model == payable>{m.model.name()}</th> }).collect_view()}
                            <th class="num">"Spread"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.rows.into_iter().map(|row| {
                            let (href, name, spread) = (deals_link("won", range, Some(row.partner_id)), row.name.clone(), row.spread());
                            view! {
                            <tr>
                                <td><A href=href>{name}</A></td>
                                {row.credit.into_iter().zip(row.commission).map(|(credit, commission)| view! {
                                    <td class="num">
                                        {credit.format_whole()}
                                        <span class="cell-note">{commission.format_whole()}</span>
                                    </td>
                                }).collect_view()}
                                <td class="num">{spread.map_or_else(|| "—".to_owned(), |s| s.format_whole())}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
