//! "My deals": the deals the partner touched, with its credit on each under the payable model.
//! Other partners on a deal are counted, never named.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::portal::{PortalDealPage, PortalDealRow, load_portal_deals};
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{
    FilterSelect, Pager, typed_param, use_page, use_param, use_set_params,
};
use crate::domain::deal::DealStage;
use crate::pages::manager::deals::StageBadge;

/// "2 other partners", or "just you".
pub fn others_phrase(others: u32) -> String {
    match others {
        0 => "Only you".to_owned(),
        1 => "You and 1 other partner".to_owned(),
        n => format!("You and {n} other partners"),
    }
}

/// A share of a deal as a percentage: "33.3 %".
pub fn percent(share: rust_decimal::Decimal) -> String {
    let percent = (share * rust_decimal::Decimal::ONE_HUNDRED)
        .round_dp(1)
        .normalize();
    format!("{percent} %")
}

#[component]
pub fn PortalDealsPage() -> impl IntoView {
    let param = use_param();
    let search = Memo::new(move |_| param("q").unwrap_or_default());
    let stage = Memo::new(move |_| param("stage").and_then(|v| v.parse::<DealStage>().ok()));
    let page = use_page();
    let deals = Resource::new(
        move || (search.get(), stage.get(), page.get()),
        |(search, stage, page)| load_portal_deals(search, stage, Some(page)),
    );
    let set_params = use_set_params("/portal/deals");
    view! {
        <Title text="Your deals"/>
        <header class="page-header">
            <div>
                <h1>"Your deals"</h1>
                <p class="subtle">"Every deal you have a touchpoint on, and your credit on it."</p>
            </div>
        </header>
        <section class="card toolbar" aria-label="Deal search and filters">
            <div class="field grow">
                <label for="portal-deal-search">"Search"</label>
                <input id="portal-deal-search" type="search" placeholder="Deal or account" autocomplete="off"
                    value=param("q").unwrap_or_default() on:input=typed_param(set_params, "q")/>
            </div>
            <FilterSelect label="Stage" key="stage" all="All stages" set_params
                options=DealStage::ALL.iter().map(|s| (s.as_str(), s.title())).collect()
                selected=Signal::derive(move || stage.get().map(|s| s.as_str()).unwrap_or_default())/>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading your deals"></div> }>
            {move || Suspend::new(async move {
                match deals.await {
                    Ok(page) => view! { <DealTable page set_params/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| deals.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DealTable(
    page: PortalDealPage,
    set_params: crate::components::list_query::SetParams,
) -> impl IntoView {
    if page.all_deals == 0 {
        return view! {
            <section class="empty-state" data-testid="portal-deals-empty">
                <h2>"No deals yet"</h2>
                <p>"Deals appear here once the company records a touchpoint of yours on them — a referral, a demo, a registration."</p>
            </section>
        }
        .into_any();
    }
    if page.total == 0 {
        return view! {
            <section class="empty-state" data-testid="portal-deals-none-match">
                <h2>"No deals match"</h2>
                <p>"Try another search, or clear the filters."</p>
                <A href="/portal/deals" attr:class="button">"Clear search and filters"</A>
            </section>
        }
        .into_any();
    }
    let shown = page.rows.len();
    let model = page.model_name.clone();
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="table" data-testid="portal-deals-table">
                    <thead>
                        <tr>
                            <th>"Deal"</th>
                            <th>"Account"</th>
                            <th>"Stage"</th>
                            <th class="num">"Amount"</th>
                            <th>"Close"</th>
                            <th>"Partners"</th>
                            <th class="num" title=format!("Under the {model} model")>"Your share"</th>
                            <th class="num" title=format!("Under the {model} model")>"Your credit"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <DealLine row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="card-body subtle small">
                {format!("Credit under the {} model: stored when a deal is won; for open deals, what today's touches would give (in italics).", page.model_name)}
            </p>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="portal-deals-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
fn DealLine(row: PortalDealRow) -> impl IntoView {
    let projected = row.credit.as_ref().is_some_and(|c| c.projected);
    view! {
        <tr data-testid="portal-deal-row">
            <td><A href=format!("/portal/deals/{}", row.id)>{row.name}</A></td>
            <td>{row.account_name}</td>
            <td><StageBadge stage=row.stage/></td>
            <td class="num">{row.amount.format_whole()}</td>
            <td class="date">{row.close_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td data-testid="portal-deal-partners">{others_phrase(row.other_partners)}</td>
            <td class="num" class:credit-projected=projected>{row.credit.as_ref().map(|c| percent(c.share)).unwrap_or_else(|| "—".into())}</td>
            <td class="num" class:credit-projected=projected data-testid="portal-deal-credit">{row.credit.as_ref().map(|c| c.amount.format()).unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}
