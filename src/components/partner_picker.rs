//! A type-ahead partner picker (an ARIA combobox): type part of a name, choose with the mouse or
//! the arrow keys and Enter. The chosen partner's id goes in a hidden input, so the picker works
//! inside an `ActionForm`; with 10,000 partners only the matches travel.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::partners::partner_choices;
use crate::api::users::PartnerOption;

const SETTLE: Duration = Duration::from_millis(180);

#[component]
pub fn PartnerPicker(
    /// The text input's id, for its `<label for>`.
    #[prop(into)]
    id: String,
    /// The hidden input's name; empty (no hidden input) when only `on_pick` matters.
    #[prop(optional)]
    name: &'static str,
    #[prop(default = None)] initial: Option<PartnerOption>,
    /// Told of every choice, and of `None` when the text no longer names the choice.
    #[prop(optional, into)]
    on_pick: Option<Callback<Option<PartnerOption>>>,
    #[prop(optional, into)] invalid: Signal<bool>,
    #[prop(default = "Type a partner's name…")] placeholder: &'static str,
) -> impl IntoView {
    let text = RwSignal::new(initial.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let chosen = RwSignal::new(initial);
    let open = RwSignal::new(false);
    let active = RwSignal::new(0_usize);
    let query = RwSignal::new(String::new());
    let edits = StoredValue::new(0_u64);
    let matches = Resource::new(
        move || open.get().then(|| query.get()),
        |query| async move {
            match query {
                Some(q) => partner_choices(Some(q)).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    let list_id = format!("{id}-list");
    let base = StoredValue::new(id.clone());
    let option_id = move |i: usize| format!("{}-option-{i}", base.get_value());

    let pick = move |option: PartnerOption| {
        text.set(option.name.clone());
        chosen.set(Some(option.clone()));
        open.set(false);
        if let Some(cb) = on_pick {
            cb.run(Some(option));
        }
    };
    let typed = move |value: String| {
        text.set(value.clone());
        if chosen.get_untracked().is_some() {
            chosen.set(None);
            if let Some(cb) = on_pick {
                cb.run(None);
            }
        }
        open.set(true);
        active.set(0);
        let edit = edits.get_value() + 1;
        edits.set_value(edit);
        set_timeout(
            // The picker may be gone by then (a choice navigated away): then nothing to do.
            move || {
                if edits.try_get_value() == Some(edit) {
                    query.try_set(value);
                }
            },
            SETTLE,
        );
    };
    let current = move || matches.get().unwrap_or_default();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = current().len();
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                if open.get_untracked() {
                    active.update(|a| *a = (*a + 1).min(count.saturating_sub(1)));
                } else {
                    open.set(true);
                }
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = a.saturating_sub(1));
            }
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(option) = current().get(active.get_untracked()).cloned() {
                    pick(option);
                }
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };

    view! {
        <div class="picker">
            <input id=id type="text" autocomplete="off" placeholder=placeholder
                role="combobox" aria-autocomplete="list" aria-controls=list_id.clone()
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=move || (open.get() && !current().is_empty()).then(|| option_id(active.get()))
                aria-invalid=move || invalid.get().then_some("true")
                prop:value=move || text.get()
                on:input=move |ev| typed(event_target_value(&ev))
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
                on:keydown=on_key/>
            {(!name.is_empty()).then(|| view! {
                <input type="hidden" name=name prop:value=move || chosen.get().map(|p| p.id.to_string()).unwrap_or_default()/>
            })}
            <Show when=move || open.get()>
                <ul class="picker-list" role="listbox" id=list_id.clone()>
                    <Transition fallback=|| view! { <li class="picker-empty">"Searching…"</li> }>
                        {move || {
                            let options = current();
                            if options.is_empty() {
                                view! { <li class="picker-empty">"No partner matches."</li> }.into_any()
                            } else {
                                options.into_iter().enumerate().map(|(i, option)| {
                                    let label = option.name.clone();
                                    view! {
                                        <li id=option_id(i) role="option"
                                            class:active=move || active.get() == i
                                            aria-selected=move || (active.get() == i).to_string()
                                            on:mousedown=move |ev| { ev.prevent_default(); pick(option.clone()); }>
                                            {label}
                                        </li>
                                    }
                                }).collect_view().into_any()
                            }
                        }}
                    </Transition>
                </ul>
            </Show>
        </div>
    }
}
