//! The activity log: every state change in the organization — who, what, before → after, when —
//! filterable by record type, record, action, person and date, newest first. The query lives in
//! the address, so a filtered view can be shared (the deal page links here for its history).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::audit::{AuditFilter, AuditPage, list_audit_events};
use crate::components::feedback::ErrorPanel;
use crate::components::history::HistoryRow;
use crate::components::list_query::{
    Pager, SetParams, typed_param, use_page, use_param, use_set_params,
};

#[component]
pub fn ActivityPage() -> impl IntoView {
    let param = use_param();
    let filter = Memo::new(move |_| AuditFilter {
        entity_type: param("type"),
        entity_id: param("id").and_then(|v| v.parse().ok()),
        action: param("action"),
        actor: param("who").unwrap_or_default(),
        from: param("from").and_then(|v| v.parse().ok()),
        to: param("to").and_then(|v| v.parse().ok()),
    });
    let page = use_page();
    let events = Resource::new(
        move || (filter.get(), page.get()),
        |(filter, page)| list_audit_events(filter, Some(page)),
    );
    let set_params = use_set_params("/activity");
    let initial = move |key: &'static str| param(key).unwrap_or_default();
    // The choices come with the answer; until it arrives the selects show what the address says.
    // They are copied in by an effect, which runs only in the browser after hydration: read from
    // the resource while rendering, the server (still waiting) and the browser (already holding
    // the answer) would draw different options, and hydration would fail.
    let entity_types = RwSignal::new(Vec::<String>::new());
    let actions = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(page)) = events.get() {
            entity_types.set(page.entity_types.clone());
            actions.set(page.actions.clone());
        }
    });

    view! {
        <Title text="Activity"/>
        <header class="page-header">
            <div>
                <h1>"Activity"</h1>
                <p class="subtle">"Every change to partners, deals, commissions and users: who made it, what it changed, and when."</p>
            </div>
        </header>
        <section class="card toolbar" aria-label="Activity filters">
            <Choice label="Record" key="type" all="Any record" set_params
                selected=Signal::derive(move || param("type").unwrap_or_default())
                options=entity_types.into()/>
            <Choice label="Action" key="action" all="Any action" set_params
                selected=Signal::derive(move || param("action").unwrap_or_default())
                options=actions.into()/>
            <div class="field">
                <label for="activity-who">"Who"</label>
                <input id="activity-who" type="search" placeholder="Email" autocomplete="off"
                    value=initial("who") on:input=typed_param(set_params, "who")/>
            </div>
            <div class="field">
                <label for="activity-from">"From"</label>
                <input id="activity-from" type="date" value=initial("from")
                    on:change=move |ev| set_params.run(vec![("from", event_target_value(&ev))])/>
            </div>
            <div class="field">
                <label for="activity-to">"Until"</label>
                <input id="activity-to" type="date" value=initial("to")
                    on:change=move |ev| set_params.run(vec![("to", event_target_value(&ev))])/>
            </div>
            {move || filter.get().entity_id.map(|id| view! {
                <div class="field">
                    <span class="chip" data-testid="record-filter">
                        {format!("Record #{id}")}
                        " "
                        <button type="button" class="chip-clear" aria-label="Show every record"
                            on:click=move |_| set_params.run(vec![("id", String::new())])>"×"</button>
                    </span>
                </div>
            })}
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading activity"></div> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => view! { <ActivityTable page set_params/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| events.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A select whose options arrive with the data.
#[component]
fn Choice(
    label: &'static str,
    key: &'static str,
    all: &'static str,
    selected: Signal<String>,
    options: Signal<Vec<String>>,
    set_params: SetParams,
) -> impl IntoView {
    let id = format!("filter-{key}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set_params.run(vec![(key, event_target_value(&ev))])>
                <option value="" selected=move || selected.get().is_empty()>{all}</option>
                {move || {
                    let mut values = options.get();
                    // What the address asks for stays choosable while the list loads.
                    let current = selected.get();
                    if !current.is_empty() && !values.contains(&current) {
                        values.push(current);
                    }
                    values.into_iter().map(|value| {
                        let (is, text) = (value.clone(), value.clone());
                        view! { <option value=value selected=move || selected.get() == is>{text}</option> }
                    }).collect_view()
                }}
            </select>
        </div>
    }
}

#[component]
fn ActivityTable(page: AuditPage, set_params: SetParams) -> impl IntoView {
    if page.total == 0 {
        return view! {
            <section class="empty-state" data-testid="activity-empty">
                <h2>"Nothing recorded here"</h2>
                <p>"No change matches these filters. Every change made in the app is recorded as it happens."</p>
                <A href="/activity" attr:class="button">"Clear filters"</A>
            </section>
        }
        .into_any();
    }
    let shown = page.rows.len();
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="table activity" data-testid="activity-table">
                    <thead>
                        <tr>
                            <th>"When (UTC)"</th>
                            <th>"Who"</th>
                            <th>"Action"</th>
                            <th>"Record"</th>
                            <th>"What changed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <HistoryRow row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="activity-range" set_params/>
        </section>
    }
    .into_any()
}
