//! The plumbing of a list page whose search, filters, sort and page live in the address: the
//! setter that rewrites the query, typing that applies after a pause, sortable column headers
//! and the pager.

use std::time::Duration;

use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Sets query parameters (an empty value removes one).
pub type SetParams = Callback<Vec<(&'static str, String)>>;

/// How long typing pauses before a search runs.
const TYPING_PAUSE: Duration = Duration::from_millis(250);

/// A non-empty query parameter of the current address.
pub fn use_param() -> impl Fn(&str) -> Option<String> + Copy {
    let query = use_query_map();
    move |key: &str| query.read().get(key).filter(|v| !v.is_empty())
}

/// The page number in the address (`page`, from 0).
pub fn use_page() -> Memo<u64> {
    let param = use_param();
    Memo::new(move |_| param("page").and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Rewrites the query of `path`. Changing anything but the page goes back to the first page and
/// replaces the history entry; turning a page adds one and scrolls to the top.
pub fn use_set_params(path: &'static str) -> SetParams {
    let query = use_query_map();
    let navigate = use_navigate();
    Callback::new(move |changes: Vec<(&'static str, String)>| {
        let mut map = query.get_untracked();
        let paging = changes.iter().any(|(k, _)| *k == "page");
        if !paging {
            map.remove("page");
        }
        for (key, value) in changes {
            if value.is_empty() {
                map.remove(key);
            } else {
                map.insert(key, value);
            }
        }
        navigate(
            &format!("{path}{}", map.to_query_string()),
            NavigateOptions {
                replace: !paging,
                scroll: paging,
                ..Default::default()
            },
        );
    })
}

/// An input handler that sets `key` to the typed text once typing pauses.
pub fn typed_param(set_params: SetParams, key: &'static str) -> impl Fn(leptos::ev::Event) + Copy {
    let timer = StoredValue::new(None::<TimeoutHandle>);
    // Leaving the page before the pause ends (typing, then clicking a row at once) must not run
    // the search against a page that is gone.
    on_cleanup(move || {
        if let Some(Some(handle)) = timer.try_get_value() {
            handle.clear();
        }
    });
    move |ev| {
        let text = event_target_value(&ev);
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || set_params.run(vec![(key, text.trim().to_owned())]),
            TYPING_PAUSE,
        )
        .ok();
        timer.set_value(handle);
    }
}

/// A column header that sorts by its column: marked for assistive technology and with an arrow
/// when it is the active one.
#[component]
pub fn SortHeader(
    label: &'static str,
    active: bool,
    descending: bool,
    #[prop(optional)] numeric: bool,
    on_sort: Callback<()>,
) -> impl IntoView {
    let (aria, arrow) = match (active, descending) {
        (false, _) => ("none", ""),
        (true, true) => ("descending", " ↓"),
        (true, false) => ("ascending", " ↑"),
    };
    view! {
        <th aria-sort=aria class:num=numeric>
            <button type="button" class="sort" on:click=move |_| on_sort.run(())>{label}{arrow}</button>
        </th>
    }
}

/// "26–50 of 1,204" with Previous / Next.
#[component]
pub fn Pager(
    page: u64,
    page_size: u64,
    shown: usize,
    total: u64,
    /// The range's test id, e.g. "deals-range".
    testid: &'static str,
    set_params: SetParams,
) -> impl IntoView {
    let first = page * page_size + 1;
    let last = (first + shown as u64).saturating_sub(1);
    let has_next = (page + 1) * page_size < total;
    view! {
        <footer class="pager">
            <span class="subtle" data-testid=testid>{format!("{first}–{last} of {total}")}</span>
            <button type="button" class="button small" disabled=page == 0
                on:click=move |_| set_params.run(vec![("page", if page <= 1 { String::new() } else { (page - 1).to_string() })])>
                "Previous"
            </button>
            <button type="button" class="button small" disabled=!has_next
                on:click=move |_| set_params.run(vec![("page", (page + 1).to_string())])>
                "Next"
            </button>
        </footer>
    }
}

/// A filter chosen from a fixed list, kept in the query parameter `key` (empty for all).
#[component]
pub fn FilterSelect(
    label: &'static str,
    key: &'static str,
    all: &'static str,
    options: Vec<(&'static str, String)>,
    #[prop(into)] selected: Signal<&'static str>,
    set_params: SetParams,
) -> impl IntoView {
    let id = format!("filter-{key}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set_params.run(vec![(key, event_target_value(&ev))])>
                <option value="" selected=move || selected.get().is_empty()>{all}</option>
                {options.into_iter().map(|(value, title)| view! {
                    <option value=value selected=move || selected.get() == value>{title}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The partner filter of a list kept in the address (`partner`): a type-ahead picker, or once a
/// partner is chosen, a chip with its name and a button that clears it.
#[component]
pub fn PartnerFilter(
    /// The picker's input id.
    id: &'static str,
    placeholder: &'static str,
    /// The chosen partner's id, from the address.
    #[prop(into)]
    chosen: Signal<Option<crate::domain::ids::PartnerId>>,
    /// Its name, once the list has loaded.
    #[prop(into)]
    name: Signal<Option<String>>,
    /// The clear button's accessible name ("Show every partner's deals").
    clear_label: &'static str,
    set_params: SetParams,
) -> impl IntoView {
    use crate::api::users::PartnerOption;
    use crate::components::partner_picker::PartnerPicker;
    move || {
        match chosen.get() {
        None => view! {
            <div class="field">
                <label for=id>"Partner"</label>
                <PartnerPicker id=id placeholder
                    on_pick=Callback::new(move |p: Option<PartnerOption>| {
                        if let Some(p) = p {
                            set_params.run(vec![("partner", p.id.to_string())]);
                        }
                    })/>
            </div>
        }
        .into_any(),
        Some(_) => view! {
            <div class="field">
                <span class="chip" data-testid="partner-filter">
                    "Partner: "
                    {move || name.get().unwrap_or_else(|| "…".into())}
                    " "
                    <button type="button" class="chip-clear" aria-label=clear_label
                        on:click=move |_| set_params.run(vec![("partner", String::new())])>"×"</button>
                </span>
            </div>
        }
        .into_any(),
    }
    }
}
