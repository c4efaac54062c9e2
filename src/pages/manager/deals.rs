//! The pipeline: every deal with its stage, amount, close date and partners, searchable and
//! filterable, in server-side pages. The query lives in the address like the partner list's.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::deals::{DealFilter, DealPage, DealRow, DealSort, list_deals};
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{
    FilterSelect, Pager, PartnerFilter, SetParams, SortHeader, typed_param, use_page, use_param,
    use_set_params,
};
use crate::domain::access::{Action, Resource as Area};
use crate::domain::deal::{DealStage, Involvement};
use crate::domain::ids::PartnerId;
use crate::domain::partner::{PartnerTier, PartnerType};

#[component]
pub fn DealsPage() -> impl IntoView {
    let param = use_param();
    let search = Memo::new(move |_| param("q").unwrap_or_default());
    let stage = Memo::new(move |_| param("stage").and_then(|v| v.parse::<DealStage>().ok()));
    let partner = Memo::new(move |_| param("partner").and_then(|v| v.parse::<PartnerId>().ok()));
    let min_amount = Memo::new(move |_| param("min"));
    let max_amount = Memo::new(move |_| param("max"));
    let close_from = Memo::new(move |_| param("from").and_then(|v| v.parse().ok()));
    let close_to = Memo::new(move |_| param("to").and_then(|v| v.parse().ok()));
    let partner_type =
        Memo::new(move |_| param("type").and_then(|v| v.parse::<PartnerType>().ok()));
    let tier = Memo::new(move |_| param("tier").and_then(|v| v.parse::<PartnerTier>().ok()));
    let involvement =
        Memo::new(move |_| param("partners").and_then(|v| v.parse::<Involvement>().ok()));
    let sort = Memo::new(move |_| {
        param("sort")
            .and_then(|v| v.parse::<DealSort>().ok())
            .unwrap_or(DealSort::Close)
    });
    // Newest closes first unless the address says otherwise.
    let descending = Memo::new(move |_| param("asc").as_deref() != Some("1"));
    let page = use_page();

    let deals = Resource::new(
        move || {
            (
                (
                    search.get(),
                    stage.get(),
                    partner.get(),
                    partner_type.get(),
                    tier.get(),
                ),
                (
                    min_amount.get(),
                    max_amount.get(),
                    close_from.get(),
                    close_to.get(),
                ),
                (sort.get(), descending.get(), page.get(), involvement.get()),
            )
        },
        |(
            (search, stage, partner_id, partner_type, tier),
            (min_amount, max_amount, close_from, close_to),
            (sort, descending, page, involvement),
        )| {
            let filter = DealFilter {
                search,
                stage,
                partner_id,
                min_amount,
                max_amount,
                close_from,
                close_to,
                partner_type,
                tier,
                involvement,
            };
            list_deals(filter, Some(sort), Some(descending), Some(page))
        },
    );

    let set_params = use_set_params("/deals");
    // Text inputs apply after a short pause in typing.
    let debounced = move |key: &'static str| typed_param(set_params, key);
    let initial = move |key: &'static str| param(key).unwrap_or_default();
    let user = crate::components::session::use_current_user();

    view! {
        <Title text="Deals"/>
        <header class="page-header with-actions">
            <div>
                <h1>"Deals"</h1>
                <p class="subtle">"The pipeline, with the partners on each deal."</p>
            </div>
            <Show when=move || user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::Edit, Area::Deals)))>
                <A href="/deals/new" attr:class="button primary">"Add deal"</A>
            </Show>
        </header>
        <DealsNav/>
        <section class="card toolbar" aria-label="Deal search and filters">
            <div class="field grow">
                <label for="deal-search">"Search"</label>
                <input id="deal-search" type="search" placeholder="Deal or account" autocomplete="off"
                    value=initial("q") on:input=debounced("q")/>
            </div>
            <FilterSelect label="Stage" key="stage" all="All stages" set_params
                options=DealStage::ALL.iter().map(|s| (s.as_str(), s.title())).collect()
                selected=Signal::derive(move || stage.get().map(|s| s.as_str()).unwrap_or_default())/>
            <div class="field narrow">
                <label for="deal-min">"Min amount"</label>
                <input id="deal-min" inputmode="decimal" value=initial("min") on:input=debounced("min")/>
            </div>
            <div class="field narrow">
                <label for="deal-max">"Max amount"</label>
                <input id="deal-max" inputmode="decimal" value=initial("max") on:input=debounced("max")/>
            </div>
            <div class="field">
                <label for="deal-from">"Closes from"</label>
                <input id="deal-from" type="date" value=initial("from")
                    on:change=move |ev| set_params.run(vec![("from", event_target_value(&ev))])/>
            </div>
            <div class="field">
                <label for="deal-to">"Closes until"</label>
                <input id="deal-to" type="date" value=initial("to")
                    on:change=move |ev| set_params.run(vec![("to", event_target_value(&ev))])/>
            </div>
            <FilterSelect label="Partners" key="partners" all="With or without" set_params
                options=Involvement::ALL.iter().map(|i| (i.as_str(), i.choice().to_owned())).collect()
                selected=Signal::derive(move || involvement.get().map(|i| i.as_str()).unwrap_or_default())/>
            <FilterSelect label="Partner type" key="type" all="Any type" set_params
                options=PartnerType::ALL.iter().map(|t| (t.as_str(), t.title())).collect()
                selected=Signal::derive(move || partner_type.get().map(|t| t.as_str()).unwrap_or_default())/>
            <FilterSelect label="Partner tier" key="tier" all="Any tier" set_params
                options=PartnerTier::ALL.iter().map(|t| (t.as_str(), t.title())).collect()
                selected=Signal::derive(move || tier.get().map(|t| t.as_str()).unwrap_or_default())/>
            <PartnerFilter id="deal-partner" placeholder="Any partner" chosen=partner set_params
                clear_label="Show every partner's deals"
                name=Signal::derive(move || deals.get().and_then(|r| r.ok()).and_then(|p| p.partner_name))/>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading deals"></div> }>
            {move || Suspend::new(async move {
                match deals.await {
                    Ok(page) => view! {
                        <DealTable page sort=sort.get_untracked() descending=descending.get_untracked() set_params/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| deals.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DealTable(
    page: DealPage,
    sort: DealSort,
    descending: bool,
    set_params: SetParams,
) -> impl IntoView {
    if page.organization_total == 0 {
        return view! {
            <section class="empty-state" data-testid="deals-empty">
                <h2>"No deals yet"</h2>
                <p>"Deals arrive from your CRM or are added by hand; each one then collects its partner touchpoints."</p>
            </section>
        }
        .into_any();
    }
    if page.total == 0 {
        return view! {
            <section class="empty-state" data-testid="deals-none-match">
                <h2>"No deals match"</h2>
                <p>"Try another search, or clear the filters."</p>
                <A href="/deals" attr:class="button">"Clear search and filters"</A>
            </section>
        }
        .into_any();
    }
    let header = move |label: &'static str, column: DealSort, numeric: bool| {
        let active = column == sort;
        // A new column starts descending; the active one flips.
        let on_sort = Callback::new(move |()| {
            let ascending = active && descending;
            set_params.run(vec![
                ("sort", column.as_str().to_owned()),
                ("asc", if ascending { "1".into() } else { String::new() }),
            ]);
        });
        view! { <SortHeader label active descending numeric on_sort/> }
    };
    let shown = page.rows.len();
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="table" data-testid="deals-table">
                    <thead>
                        <tr>
                            {header("Deal", DealSort::Name, false)}
                            {header("Account", DealSort::Account, false)}
                            {header("Amount", DealSort::Amount, true)}
                            {header("Stage", DealSort::Stage, false)}
                            {header("Close", DealSort::Close, false)}
                            <th>"Partners"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <DealLine row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="deals-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
fn DealLine(row: DealRow) -> impl IntoView {
    let partners = match row.partners.len() {
        0 => "—".to_owned(),
        1..=2 => row.partners.join(", "),
        n => format!(
            "{}, {} and {} more",
            row.partners[0],
            row.partners[1],
            n - 2
        ),
    };
    view! {
        <tr>
            <td><A href=format!("/deals/{}", row.id)>{row.name}</A></td>
            <td>{row.account_name}</td>
            <td class="num">{row.amount.format_whole()}</td>
            <td><StageBadge stage=row.stage/></td>
            <td>{row.close_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>{partners}</td>
        </tr>
    }
}

/// The deals section: the pipeline and the partners' registrations.
#[component]
pub fn DealsNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label="Deals">
            <A href="/deals" exact=true>"Pipeline"</A>
            <A href="/registrations">"Registrations"</A>
        </nav>
    }
}

#[component]
pub fn StageBadge(stage: DealStage) -> impl IntoView {
    view! { <span class=format!("badge stage-{}", stage.as_str())>{stage.title()}</span> }
}
