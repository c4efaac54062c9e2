//! The workspace dashboard: headline numbers and won revenue by month.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::dashboard::{DashboardSummary, load_dashboard};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::{ErrorPanel, LoadingCards};
use crate::components::kpi::{KpiCard, money_headline};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| load_dashboard());
    let retry = Callback::new(move |_| summary.refetch());
    view! {
        <Title text="Dashboard"/>
        <header class="page-header">
            <Transition fallback=|| view! { <p class="eyebrow">"\u{a0}"</p> }>
                {move || Suspend::new(async move {
                    summary.await.ok().map(|s| view! { <p class="eyebrow" data-testid="organization">{s.organization_name}</p> })
                })}
            </Transition>
            <h1>"Dashboard"</h1>
            <p class="subtle">"Partner-sourced revenue, pipeline and payouts at a glance."</p>
        </header>
        <Suspense fallback=|| view! { <LoadingCards/> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <DashboardBody summary/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[component]
fn DashboardBody(summary: DashboardSummary) -> impl IntoView {
    let base_minor =
        |totals: &[crate::domain::money::Money]| totals.first().and_then(|m| m.to_minor().ok());
    let chart = spec::revenue_by_month(&summary.revenue_by_month, summary.base_currency);
    let last_twelve: u64 = summary.revenue_by_month.iter().map(|m| m.deals).sum();
    view! {
        <div class="kpi-grid">
            <KpiCard
                id="won-revenue"
                label="Won revenue"
                value=money_headline(&summary.won_revenue)
                detail=plural(summary.won_deals, "won deal", "won deals")
                minor=base_minor(&summary.won_revenue).unwrap_or_default()
            />
            <KpiCard
                id="open-pipeline"
                label="Open pipeline"
                value=money_headline(&summary.open_pipeline)
                detail=plural(summary.open_deals, "open deal", "open deals")
                minor=base_minor(&summary.open_pipeline).unwrap_or_default()
            />
            <KpiCard
                id="active-partners"
                label="Active partners"
                value=summary.active_partners.to_string()
                detail=format!("of {} in the program", summary.total_partners)
            />
            <KpiCard
                id="pending-payouts"
                label="Pending payouts"
                value=money_headline(&summary.pending_payouts)
                detail=format!("{} awaiting approval", plural(summary.pending_payout_count, "payout", "payouts"))
                minor=base_minor(&summary.pending_payouts).unwrap_or_default()
            />
        </div>
        <AttentionNotice summary=summary.clone()/>
        <section class="card chart-card">
            <header class="card-header">
                <h2>"Won revenue by month"</h2>
                <p class="subtle">
                    {format!("Last 12 months, {} · {}", summary.base_currency, plural(last_twelve, "deal", "deals"))}
                </p>
            </header>
            <EChart id="revenue-chart" chart label="Bar chart of won revenue for each of the last twelve months"/>
        </section>
    }
}

/// What waits on the company: registrations to decide and disputes to answer.
#[component]
fn AttentionNotice(summary: DashboardSummary) -> impl IntoView {
    use crate::domain::access::{Action, Resource};
    // Only what the reader can act on (an executive neither decides registrations nor disputes).
    let may = |resource: Resource| {
        crate::components::session::use_current_user()
            .with_untracked(|u| u.as_ref().is_some_and(|u| u.can(Action::View, resource)))
    };
    let show_registrations = summary.pending_registrations > 0 && may(Resource::Deals);
    let show_disputes = summary.open_disputes > 0 && may(Resource::Disputes);
    let registrations = show_registrations.then(|| {
        let flagged = match summary.flagged_registrations {
            0 => String::new(),
            1 => " (1 flagged as a channel conflict)".to_owned(),
            n => format!(" ({n} flagged as channel conflicts)"),
        };
        view! {
            <li>
                <A href="/registrations">{plural(summary.pending_registrations, "deal registration", "deal registrations")}</A>
                {format!(" awaiting a decision{flagged}")}
            </li>
        }
    });
    let disputes = show_disputes.then(|| {
        view! {
            <li>
                <A href="/disputes">{plural(summary.open_disputes, "dispute", "disputes")}</A>
                " open or under review"
            </li>
        }
    });
    (show_registrations || show_disputes).then(|| {
        view! {
            <section class="card notice-card" data-testid="attention">
                <h2 class="card-title">"Waiting on you"</h2>
                <ul class="card-body attention-list">{registrations}{disputes}</ul>
            </section>
        }
    })
}
