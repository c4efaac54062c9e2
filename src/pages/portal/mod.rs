//! The partner portal: partners see their own earnings, deals, commissions and disputes, with
//! the organization's name on it, and nothing of any other partner.

pub mod commissions;
pub mod deal;
pub mod deals;
pub mod profile;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::portal::{EarnedTotals, PortalOverview, load_portal_overview};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::ErrorPanel;
use crate::components::kpi::KpiCard;
use crate::domain::tier_program::TierProgress;

#[component]
pub fn PortalHome() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_portal_overview());
    view! {
        <Title text="Partner portal"/>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading your overview"></div> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Overview overview/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| overview.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn earned_detail(totals: &EarnedTotals) -> String {
    format!(
        "{} paid · {} approved · {} pending",
        totals.paid.format_whole(),
        totals.approved.format_whole(),
        totals.pending.format_whole()
    )
}

fn total_minor(totals: &EarnedTotals) -> i64 {
    [&totals.paid, &totals.approved, &totals.pending]
        .iter()
        .filter_map(|m| m.to_minor().ok())
        .sum()
}

#[component]
fn Overview(overview: PortalOverview) -> impl IntoView {
    let currency = overview.currency;
    let total = |t: &EarnedTotals| {
        crate::domain::money::Money::from_minor(total_minor(t), currency).format_whole()
    };
    let chart = spec::earnings_by_month(&overview.months, currency);
    let earned_anything = overview
        .months
        .iter()
        .any(|m| !(m.paid.is_zero() && m.approved.is_zero() && m.pending.is_zero()));
    let (next_value, next_detail, next_minor) = match &overview.next_payment {
        Some(next) => (
            next.amount.format(),
            format!(
                "{} approved commission{}, paid in the next payment run",
                next.entries,
                if next.entries == 1 { "" } else { "s" }
            ),
            next.amount.to_minor().ok(),
        ),
        None => (
            "—".to_owned(),
            "Nothing approved is waiting to be paid.".to_owned(),
            None,
        ),
    };
    let others = overview.other_currency_payouts;
    view! {
        <header class="page-header with-actions">
            <div>
                <p class="subtle">{format!("{} partner program", overview.organization)}</p>
                <h1 data-testid="portal-partner">{overview.partner_name}</h1>
            </div>
            {(overview.open_disputes > 0).then(|| view! {
                <A href="/portal/disputes" attr:class="button">{format!("{} open dispute{}", overview.open_disputes, if overview.open_disputes == 1 { "" } else { "s" })}</A>
            })}
        </header>
        <section class="kpi-grid" aria-label="Earnings">
            <KpiCard id="portal-quarter" label="Earned this quarter" value=total(&overview.quarter)
                detail=earned_detail(&overview.quarter) minor=total_minor(&overview.quarter)/>
            <KpiCard id="portal-year" label="Earned this year" value=total(&overview.year)
                detail=earned_detail(&overview.year) minor=total_minor(&overview.year)/>
            {match next_minor {
                Some(minor) => view! { <KpiCard id="portal-next-payment" label="Next payment" value=next_value detail=next_detail minor/> }.into_any(),
                None => view! { <KpiCard id="portal-next-payment" label="Next payment" value=next_value detail=next_detail/> }.into_any(),
            }}
            <KpiCard id="portal-deals" label="Deals won" value=overview.deals_won.to_string()
                detail=format!("of {} influenced in the last 12 months · {} open", overview.deals_influenced, overview.open_deals)/>
        </section>
        {(others > 0).then(|| view! {
            <p class="subtle" data-testid="other-currencies">
                {format!("{others} commissions in other currencies are not in these totals; your statement lists them.")}
            </p>
        })}
        <div class="profile-grid">
            <section class="card">
                <h2 class="card-title">"Earnings by month"</h2>
                {if earned_anything {
                    view! { <EChart id="portal-earnings-chart" chart label="Your earnings by month, stacked by status"/> }.into_any()
                } else {
                    view! {
                        <p class="card-body subtle" data-testid="portal-earnings-empty">
                            "Nothing earned in the last 12 months yet. Commissions appear here when deals you touched are won."
                        </p>
                    }.into_any()
                }}
            </section>
            <TierCard tier=overview.tier/>
        </div>
    }
}

#[component]
fn TierCard(tier: TierProgress) -> impl IntoView {
    let attributed = tier.attributed.format_whole();
    view! {
        <section class="card tier-card" data-testid="portal-tier">
            <h2 class="card-title">"Program tier"</h2>
            <div class="card-body">
                <p class="tier-now">
                    <span class=format!("badge tier-{}", tier.current.as_str())>{tier.current.title()}</span>
                </p>
                <p class="subtle">{format!("{attributed} attributed revenue in the last 12 months.")}</p>
                {match tier.next {
                    Some(next) => {
                        let goal = format!("{} needs {} attributed revenue in 12 months.", next.tier.title(), next.threshold.format_whole());
                        let status = if next.missing.is_zero() {
                            "You have reached it: your partner manager reviews tiers each quarter.".to_owned()
                        } else {
                            format!("{} to go.", next.missing.format_whole())
                        };
                        view! {
                            <p>{goal}</p>
                            <div class="progress" role="progressbar" aria-label=format!("Progress toward {}", next.tier.title())
                                aria-valuemin="0" aria-valuemax="100" aria-valuenow=next.percent.to_string()>
                                <span style=format!("width: {}%", next.percent)></span>
                            </div>
                            <p class="subtle" data-testid="portal-tier-missing">{status}</p>
                        }.into_any()
                    }
                    None => view! { <p>"The top tier of the program."</p> }.into_any(),
                }}
            </div>
        </section>
    }
}
