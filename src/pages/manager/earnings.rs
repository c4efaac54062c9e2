//! Partner earnings: what partners earned in a period — pending, approved and paid — by month
//! (a stacked chart) and by partner (a table), in the base currency. The period and partner
//! live in the address.

use leptos::prelude::*;

use super::commission_rules::PayoutsNav;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::payouts::{Earnings, load_earnings};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::ErrorPanel;
use crate::components::kpi::KpiCard;
use crate::components::list_query::{FilterSelect, PartnerFilter, use_param, use_set_params};
use crate::domain::ids::PartnerId;
use crate::domain::reporting::Period;

#[component]
pub fn EarningsPage() -> impl IntoView {
    let param = use_param();
    let period = Memo::new(move |_| {
        param("period")
            .and_then(|v| v.parse::<Period>().ok())
            .unwrap_or(Period::Last12Months)
    });
    let partner = Memo::new(move |_| param("partner").and_then(|v| v.parse::<PartnerId>().ok()));
    let earnings = Resource::new(
        move || (period.get(), partner.get()),
        |(period, partner)| load_earnings(Some(period), partner),
    );
    let set_params = use_set_params("/payouts/earnings");

    view! {
        <Title text="Partner earnings"/>
        <header class="page-header">
            <div>
                <h1>"Partner earnings"</h1>
                <p class="subtle">"What partners earned in the period, by where it stands: pending, approved or paid."</p>
            </div>
        </header>
        <PayoutsNav/>
        <section class="card toolbar" aria-label="Period and partner">
            <FilterSelect label="Period" key="period" all="Last 12 months" set_params
                options=Period::ALL.iter().filter(|p| **p != Period::Last12Months).map(|p| (p.as_str(), p.title())).collect()
                selected=Signal::derive(move || match period.get() {
                    Period::Last12Months => "",
                    other => other.as_str(),
                })/>
            <PartnerFilter id="earnings-partner" placeholder="Every partner" chosen=partner set_params
                clear_label="Show every partner's earnings"
                name=Signal::derive(move || earnings.get().and_then(|r| r.ok()).and_then(|e| e.partner_name))/>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading earnings"></div> }>
            {move || Suspend::new(async move {
                match earnings.await {
                    Ok(earnings) => view! { <EarningsView earnings/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| earnings.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EarningsView(earnings: Earnings) -> impl IntoView {
    let totals = earnings.totals.clone();
    let currency = totals.paid.currency();
    let span = format!(
        "{} – {}",
        earnings.start.format("%b %Y"),
        earnings
            .end
            .pred_opt()
            .unwrap_or(earnings.end)
            .format("%b %Y")
    );
    let others = earnings.other_currency_payouts;
    let chart = spec::earnings_by_month(&earnings.months, currency);
    let empty = earnings.partners.is_empty();
    let period = earnings.period;
    view! {
        <section class="kpi-grid three" aria-label="Totals">
            <KpiCard id="earned-paid" label="Paid" value=totals.paid.format_whole() detail=span.clone()
                minor=totals.paid.to_minor().unwrap_or_default()/>
            <KpiCard id="earned-approved" label="Approved, to pay" value=totals.approved.format_whole() detail=span.clone()
                minor=totals.approved.to_minor().unwrap_or_default()/>
            <KpiCard id="earned-pending" label="Pending approval" value=totals.pending.format_whole() detail=span.clone()
                minor=totals.pending.to_minor().unwrap_or_default()/>
        </section>
        {(others > 0).then(|| view! {
            <p class="subtle" data-testid="other-currencies">
                {format!("{others} payouts in other currencies are not in these totals.")}
            </p>
        })}
        {if empty {
            view! {
                <section class="empty-state" data-testid="earnings-empty">
                    <h2>"Nothing earned in this period"</h2>
                    <p>"Commissions appear here once deals with partner touches are won."</p>
                </section>
            }.into_any()
        } else {
            view! {
                <section class="card">
                    <h2 class="card-title">"By month earned"</h2>
                    <EChart id="earnings-chart" chart label="Partner earnings by month, stacked by status"/>
                </section>
                <section class="card">
                    <h2 class="card-title">"By partner"</h2>
                    <div class="table-scroll">
                        <table class="table" data-testid="earnings-table">
                            <thead>
                                <tr>
                                    <th>"Partner"</th>
                                    <th class="num">"Pending"</th>
                                    <th class="num">"Approved"</th>
                                    <th class="num">"Paid"</th>
                                    <th class="num">"Total"</th>
                                    <th><span class="visually-hidden">"Statement"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {earnings.partners.into_iter().map(|p| view! {
                                    <tr data-testid="earnings-row">
                                        <td><A href=format!("/payouts?partner={}", p.partner_id)>{p.name}</A></td>
                                        <td class="num">{p.pending.format()}</td>
                                        <td class="num">{p.approved.format()}</td>
                                        <td class="num">{p.paid.format()}</td>
                                        <td class="num"><strong>{p.total.format()}</strong></td>
                                        <td><A href=format!("/payouts/statement?partner={}&period={}", p.partner_id, period.as_str())>"Statement"</A></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }.into_any()
        }}
    }
}
