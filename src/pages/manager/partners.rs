//! The partner list: search, filters, sortable columns and server-side pages. The search, filters,
//! sort and page live in the address, so the back button, a reload or a shared link show the same.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::partners::{PartnerPage, PartnerRow, PartnerSort, list_partners};
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{
    FilterSelect, Pager, SetParams, SortHeader, typed_param, use_page, use_param, use_set_params,
};
use crate::components::session::use_current_user;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::partner::{PartnerStatus, PartnerTier, PartnerType};

#[component]
pub fn PartnersPage() -> impl IntoView {
    let param = use_param();
    let search = Memo::new(move |_| param("q").unwrap_or_default());
    let partner_type =
        Memo::new(move |_| param("type").and_then(|v| v.parse::<PartnerType>().ok()));
    let tier = Memo::new(move |_| param("tier").and_then(|v| v.parse::<PartnerTier>().ok()));
    let status = Memo::new(move |_| param("status").and_then(|v| v.parse::<PartnerStatus>().ok()));
    let sort = Memo::new(move |_| {
        param("sort")
            .and_then(|v| v.parse::<PartnerSort>().ok())
            .unwrap_or(PartnerSort::Name)
    });
    let descending = Memo::new(move |_| param("desc").as_deref() == Some("1"));
    let page = use_page();

    let partners = Resource::new(
        move || {
            (
                search.get(),
                partner_type.get(),
                tier.get(),
                status.get(),
                sort.get(),
                descending.get(),
                page.get(),
            )
        },
        |(search, partner_type, tier, status, sort, descending, page)| {
            list_partners(
                Some(search),
                partner_type,
                tier,
                status,
                Some(sort),
                Some(descending),
                Some(page),
            )
        },
    );

    let set_params = use_set_params("/partners");

    let user = use_current_user();
    let can_edit = move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.can(Action::Edit, Area::Partners))
        })
    };
    let typed = RwSignal::new(search.get_untracked());
    let apply_search = typed_param(set_params, "q");
    let on_search = move |ev: leptos::ev::Event| {
        typed.set(event_target_value(&ev));
        apply_search(ev);
    };

    view! {
        <Title text="Partners"/>
        <header class="page-header with-actions">
            <div>
                <h1>"Partners"</h1>
                <p class="subtle">"Resellers, referral agencies, technology alliances and marketplaces in your program."</p>
            </div>
            <div class="actions">
                <A href="/leaderboard" attr:class="button">"Leaderboard"</A>
                <Show when=can_edit>
                    <A href="/partners/new" attr:class="button primary">"Add partner"</A>
                </Show>
            </div>
        </header>
        <section class="card toolbar" aria-label="Search and filters">
            <div class="field grow">
                <label for="partner-search">"Search"</label>
                <input id="partner-search" type="search" placeholder="Name, contact or region"
                    prop:value=move || typed.get() on:input=on_search autocomplete="off"/>
            </div>
            <FilterSelect label="Type" key="type" all="All types" set_params
                options=PartnerType::ALL.iter().map(|t| (t.as_str(), t.title())).collect()
                selected=Signal::derive(move || partner_type.get().map(|t| t.as_str()).unwrap_or_default())/>
            <FilterSelect label="Tier" key="tier" all="All tiers" set_params
                options=PartnerTier::ALL.iter().map(|t| (t.as_str(), t.title())).collect()
                selected=Signal::derive(move || tier.get().map(|t| t.as_str()).unwrap_or_default())/>
            <FilterSelect label="Status" key="status" all="All statuses" set_params
                options=PartnerStatus::ALL.iter().map(|t| (t.as_str(), t.title())).collect()
                selected=Signal::derive(move || status.get().map(|t| t.as_str()).unwrap_or_default())/>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading partners"></div> }>
            {move || Suspend::new(async move {
                match partners.await {
                    Ok(page) => view! {
                        <PartnerTable page sort=sort.get_untracked() descending=descending.get_untracked() set_params can_edit=can_edit()/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| partners.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PartnerTable(
    page: PartnerPage,
    sort: PartnerSort,
    descending: bool,
    set_params: SetParams,
    can_edit: bool,
) -> impl IntoView {
    if page.organization_total == 0 {
        return view! {
            <section class="empty-state" data-testid="partners-empty">
                <h2>"No partners yet"</h2>
                <p>"Add your first partner, then record their touches on deals to see what they contribute."</p>
                {can_edit.then(|| view! { <A href="/partners/new" attr:class="button primary">"Add partner"</A> })}
            </section>
        }
        .into_any();
    }
    if page.total == 0 {
        return view! {
            <section class="empty-state" data-testid="partners-none-match">
                <h2>"No partners match"</h2>
                <p>"Try another search, or clear the filters."</p>
                <A href="/partners" attr:class="button">"Clear search and filters"</A>
            </section>
        }
        .into_any();
    }
    let header = move |label: &'static str, column: PartnerSort| {
        let active = column == sort;
        // A new column starts ascending; the active one flips.
        let on_sort = Callback::new(move |()| {
            let desc = active && !descending;
            set_params.run(vec![
                ("sort", column.as_str().to_owned()),
                ("desc", if desc { "1".into() } else { String::new() }),
            ]);
        });
        view! { <SortHeader label active descending on_sort/> }
    };
    let shown = page.rows.len();
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="table" data-testid="partners-table">
                    <thead>
                        <tr>
                            {header("Name", PartnerSort::Name)}
                            {header("Type", PartnerSort::Type)}
                            {header("Tier", PartnerSort::Tier)}
                            {header("Status", PartnerSort::Status)}
                            {header("Rate", PartnerSort::Rate)}
                            <th>"Region"</th>
                            <th>"Contact"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <PartnerLine row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="partners-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
fn PartnerLine(row: PartnerRow) -> impl IntoView {
    view! {
        <tr>
            <td><A href=format!("/partners/{}", row.id)>{row.name}</A></td>
            <td>{row.partner_type.title()}</td>
            <td>{row.tier.title()}</td>
            <td><StatusBadge status=row.status/></td>
            <td class="num">{row.commission_rate.to_string()}</td>
            <td>{row.region.unwrap_or_default()}</td>
            <td>{row.contact_email.unwrap_or_default()}</td>
        </tr>
    }
}

#[component]
pub fn StatusBadge(status: PartnerStatus) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.as_str())>{status.title()}</span> }
}
