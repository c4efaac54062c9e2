//! One deal: its facts, the touchpoint timeline, and the attribution panel — the split under
//! every model side by side (table and chart), the payable model first and marked, each split
//! explained in words.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;

use super::deals::StageBadge;
use crate::api::deals::{DealDetail, ModelSplit, TimelineEntry, get_deal};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::ErrorPanel;
use crate::domain::ids::DealId;

#[component]
pub fn DealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<DealId>().ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_deal(id).await,
            None => Err(crate::api::AppError::NotFound("the deal".into())),
        }
    });
    view! {
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading deal"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Deal detail/> }.into_any(),
                    Err(error) => view! { <Title text="Deal"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn day(date: chrono::NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

#[component]
fn Deal(detail: DealDetail) -> impl IntoView {
    let deal = detail.deal.clone();
    let close = match (detail.closed_at, detail.expected_close_on) {
        (Some(at), _) => format!("Closed {}", day(at.date_naive())),
        (None, Some(on)) => format!("Expected to close {}", day(on)),
        (None, None) => "No expected close date".to_owned(),
    };
    view! {
        <Title text=deal.name.clone()/>
        <header class="page-header">
            <p class="eyebrow"><A href="/deals">"Deals"</A></p>
            <h1 data-testid="deal-name">{deal.name.clone()}</h1>
            <p class="subtle">
                {format!("{} · ", deal.account_name)}
                <strong data-testid="deal-amount">{deal.amount.format()}</strong>
                " · " <StageBadge stage=deal.stage/> {format!(" · {close}")}
            </p>
        </header>
        <div class="deal-layout">
            <section class="card timeline-card">
                <header class="card-header"><h2>"Touchpoint timeline"</h2></header>
                <Timeline entries=detail.timeline.clone()/>
            </section>
            <section class="card attribution-card">
                <header class="card-header">
                    <h2>"Attribution"</h2>
                    <p class="subtle">
                        {if deal.stage == crate::domain::deal::DealStage::Won {
                            "The payable split was stored when the deal was won; the other models are computed now for comparison."
                        } else {
                            "How credit would be split if the deal closed now, under every model."
                        }}
                    </p>
                </header>
                {match detail.attribution_note.clone() {
                    Some(note) => view! { <p class="card-body subtle" data-testid="attribution-note">{note}</p> }.into_any(),
                    None => view! { <AttributionPanel models=detail.attribution.clone() currency=deal.amount.currency()/> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="card-body subtle">"No touchpoints yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline" data-testid="timeline">
            {entries.into_iter().map(|t| {
                let when = match t.days_before_close {
                    Some(0) => "on the close day".to_owned(),
                    Some(1) => "1 day before close".to_owned(),
                    Some(d) if d > 1 => format!("{d} days before close"),
                    Some(d) => format!("{} days after close (not credited)", -d),
                    None => String::new(),
                };
                view! {
                    <li class="timeline-entry">
                        <span class="timeline-dot" aria-hidden="true"></span>
                        <div>
                            <p class="timeline-title">
                                <A href=format!("/partners/{}", t.partner_id)>{t.partner_name}</A>
                                {format!(" · {}", t.kind.title())}
                            </p>
                            <p class="subtle">
                                <time datetime=t.occurred_at.to_rfc3339()>{day(t.occurred_at.date_naive())}</time>
                                {(!when.is_empty()).then(|| format!(" · {when}"))}
                            </p>
                            {t.note.map(|note| view! { <p class="timeline-note">{note}</p> })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn percent(share: Decimal) -> String {
    format!(
        "{} %",
        (share * Decimal::ONE_HUNDRED).round_dp(1).normalize()
    )
}

#[component]
fn AttributionPanel(
    models: Vec<ModelSplit>,
    currency: crate::domain::money::Currency,
) -> impl IntoView {
    // Partners in the order they first appear, so rows line up across models.
    let mut partners: Vec<(crate::domain::ids::PartnerId, String)> = Vec::new();
    for line in models.iter().flat_map(|m| &m.lines) {
        if !partners.iter().any(|(id, _)| *id == line.partner_id) {
            partners.push((line.partner_id, line.partner_name.clone()));
        }
    }
    let chart = spec::attribution_by_model(&models, currency);
    let table_models = models.clone();
    view! {
        <div class="table-scroll">
            <table class="table compare" data-testid="attribution-table">
                <thead>
                    <tr>
                        <th>"Partner"</th>
                        {table_models.iter().map(|m| view! {
                            <th class="num" class:payable=m.payable scope="col">
                                {m.model_name.clone()}
                                {m.payable.then(|| view! { <span class="badge payable-badge">"Payable"</span> })}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {partners.into_iter().map(|(id, name)| view! {
                        <tr>
                            <th scope="row">{name}</th>
                            {table_models.iter().map(|m| {
                                let line = m.lines.iter().find(|l| l.partner_id == id);
                                view! {
                                    <td class="num" class:payable=m.payable>
                                        {match line {
                                            Some(line) => view! {
                                                <span class="amount">{line.amount.format()}</span>
                                                <span class="share">{percent(line.share)}</span>
                                            }.into_any(),
                                            None => view! { <span class="subtle">"—"</span> }.into_any(),
                                        }}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <EChart id="attribution-chart" chart label="Stacked bars of each partner's credit under each attribution model" height=300/>
        <div class="explanations">
            <h3>"Why each partner got its share"</h3>
            {models.into_iter().map(|m| view! {
                <details class="explanation" open=m.payable>
                    <summary>
                        {m.model_name.clone()}
                        {m.payable.then_some(" (payable)")}
                        {m.stored.then_some(" · stored at close")}
                    </summary>
                    <ul>
                        {m.lines.into_iter().map(|l| view! {
                            <li><strong>{l.partner_name}</strong>{format!(": {}", l.explanation)}</li>
                        }).collect_view()}
                    </ul>
                </details>
            }).collect_view()}
        </div>
    }
}
