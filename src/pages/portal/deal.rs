//! One of the partner's deals: its facts, the partner's credit with its explanation, its own
//! touches (no one else's), its commissions on the deal, and a way to dispute them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::deals::{others_phrase, percent};
use crate::api::portal::{PortalDealDetail, load_portal_deal};
use crate::components::feedback::ErrorPanel;
use crate::domain::deal::DealStage;
use crate::domain::ids::{DealId, PayoutId};
use crate::pages::manager::deal::{before_close, day};
use crate::pages::manager::deals::StageBadge;
use crate::pages::manager::disputes::DisputeOpener;

#[component]
pub fn PortalDealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<DealId>().ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_portal_deal(id).await,
            None => Err(crate::api::AppError::NotFound("the deal".into())),
        }
    });
    view! {
        <Title text="Deal"/>
        <A href="/portal/deals" attr:class="back-link">"← Your deals"</A>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading the deal"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <DealView detail/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| detail.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DealView(detail: PortalDealDetail) -> impl IntoView {
    let deal = detail.deal;
    let won = deal.stage == DealStage::Won;
    let close_label = if deal.stage == DealStage::Open {
        "Expected close"
    } else {
        "Closed"
    };
    let explanation = deal.credit.as_ref().map(|c| c.explanation.clone());
    let projected = deal.credit.as_ref().is_some_and(|c| c.projected);
    let credit_note = match (deal.stage, &deal.credit) {
        (DealStage::Lost, _) => "The deal was lost: no credit.".to_owned(),
        (_, None) => "No credit under this model.".to_owned(),
        (_, Some(_)) if projected => {
            "Projected from today's touches; fixed when the deal is won.".to_owned()
        }
        _ => "Fixed when the deal was won.".to_owned(),
    };
    let id = deal.id;
    let (credit_value, credit_share) = match &deal.credit {
        Some(c) => (
            c.amount.format(),
            format!(
                "{} of the deal under the {} model",
                percent(c.share),
                detail.model_name
            ),
        ),
        None => (
            "—".to_owned(),
            format!("Under the {} model", detail.model_name),
        ),
    };
    let close = deal
        .close_on
        .map(|d| format!("{close_label} {}", day(d)))
        .unwrap_or_else(|| "No close date".to_owned());
    view! {
        <header class="page-header">
            <h1>{deal.name.clone()}</h1>
            <p class="subtle">{deal.account_name.clone()}</p>
            <p>
                <strong>{deal.amount.format()}</strong>
                " · " <StageBadge stage=deal.stage/> {format!(" · {close}")}
            </p>
            <p class="subtle" data-testid="portal-deal-partners">{others_phrase(deal.other_partners)}</p>
        </header>
        <div class="deal-layout">
            <section class="card">
                <h2 class="card-title">"Your credit"</h2>
                <div class="card-body">
                    <p class="kpi-value" class:credit-projected=projected data-testid="portal-deal-credit">{credit_value}</p>
                    <p class="subtle">{credit_share}</p>
                    {explanation.map(|e| view! { <p class="explanation" data-testid="portal-deal-explanation">{e}</p> })}
                    <p class="subtle small">{credit_note}</p>
                </div>
            </section>
            <section class="card">
                <h2 class="card-title">"Your touchpoints"</h2>
                {if detail.timeline.is_empty() {
                    view! { <p class="card-body subtle">"No touchpoints of yours."</p> }.into_any()
                } else {
                    view! {
                        <ol class="timeline" data-testid="portal-timeline">
                            {detail.timeline.into_iter().map(|t| {
                                let when = before_close(t.days_before_close);
                                view! {
                                    <li class="timeline-entry">
                                        <span class="timeline-dot" aria-hidden="true"></span>
                                        <div class="timeline-body">
                                            <p class="timeline-title">{t.kind.title()}</p>
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
                    }.into_any()
                }}
            </section>
        </div>
        {won.then(|| view! {
            <section class="card">
                <h2 class="card-title">"Your commissions on this deal"</h2>
                {if detail.commissions.is_empty() {
                    view! { <p class="card-body subtle">"No commission was recorded for you on this deal."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll">
                            <table class="table" data-testid="portal-deal-commissions">
                                <thead>
                                    <tr><th>"Earned"</th><th>"Entry"</th><th class="num">"Amount"</th><th>"Status"</th><th></th></tr>
                                </thead>
                                <tbody>
                                    {detail.commissions.into_iter().map(|c| {
                                        let amount = crate::pages::manager::statement::entry_amount(c.kind, &c.amount);
                                        view! {
                                            <tr>
                                                <td class="date">{c.created_on.to_string()}</td>
                                                <td>{c.kind.title()}{c.explanation.map(|e| view! { <div class="subtle small explanation">{e}</div> })}</td>
                                                <td class="num">{amount}</td>
                                                <td><span class=format!("badge payout-{}", c.status.as_str())>{c.status.title()}</span></td>
                                                <td><A href=format!("/portal/disputes/new?payout={}", c.id)>"Dispute"</A></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
            <A href=format!("/portal/disputes/new?deal={id}") attr:class="button" attr:data-testid="portal-dispute-deal">"Dispute this attribution"</A>
        })}
    }
}

/// `/portal/disputes/new?deal=…` or `?payout=…`: the partner says what is wrong.
#[component]
pub fn PortalNewDisputePage() -> impl IntoView {
    let query = use_query_map();
    let deal = query
        .read_untracked()
        .get("deal")
        .and_then(|v| v.parse::<DealId>().ok());
    let payout = query
        .read_untracked()
        .get("payout")
        .and_then(|v| v.parse::<PayoutId>().ok());
    let subject = match (deal, payout) {
        (_, Some(p)) => format!("Commission #{p}"),
        (Some(d), None) => format!("The attribution of deal #{d}"),
        (None, None) => String::new(),
    };
    view! {
        <Title text="Open a dispute"/>
        <A href="/portal/disputes" attr:class="back-link">"← Your disputes"</A>
        <header class="page-header">
            <div>
                <h1>"Open a dispute"</h1>
                <p class="subtle">"Your partner manager reviews it and answers in its thread; a correction is paid with your next commissions."</p>
            </div>
        </header>
        {match (deal, payout) {
            (_, Some(payout)) => view! {
                <p data-testid="dispute-subject"><strong>{subject}</strong></p>
                <DisputeOpener payout portal=true/>
            }.into_any(),
            (Some(deal), None) => view! {
                <p data-testid="dispute-subject"><strong>{subject}</strong></p>
                <DisputeOpener deal portal=true/>
            }.into_any(),
            (None, None) => view! {
                <section class="empty-state">
                    <h2>"Choose what to dispute"</h2>
                    <p>"Open a deal, or your commission statement, and use “Dispute” next to the attribution or commission in question."</p>
                    <A href="/portal/deals" attr:class="button">"Your deals"</A>
                </section>
            }.into_any(),
        }}
    }
}
