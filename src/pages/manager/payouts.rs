//! The payout queue: every commission, adjustment and clawback with its status, filtered by
//! status (tabs with counts and totals), partner, period earned and amount, in server-side
//! pages. Finance picks payouts — or every one matching the filter — and approves, rejects (with
//! a reason) or marks them paid (with a reference and date) in one go, then sees what was done
//! and what was skipped and why. The query lives in the address like the other lists'.

use leptos::prelude::*;

use super::commission_rules::PayoutsNav;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::AppError;
use crate::api::payouts::{
    ActOnPayouts, BulkResult, PayoutFilter, PayoutPage, PayoutRow, PayoutSelection, PayoutSort,
    SetFourEyes, StatusTotal, export_href, list_payouts,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::list_query::{
    Pager, PartnerFilter, SetParams, SortHeader, typed_param, use_page, use_param, use_set_params,
};
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::ids::{PartnerId, PayoutId};
use crate::domain::money::Money;
use crate::domain::payout::{PayoutActionForm, PayoutStatus, PayoutVerb};

/// A key naming one intended bulk action: a double click or a retry after a lost answer sends
/// the same key, so the server acts once.
fn fresh_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::prelude::wasm_bindgen;
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(js_namespace = Math)]
            fn random() -> f64;
            #[wasm_bindgen(js_namespace = Date)]
            fn now() -> f64;
        }
        format!("bulk-{}-{}", now() as u64, (random() * 1e15) as u64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

fn amounts(list: &[Money]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(Money::format)
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
pub fn PayoutsPage() -> impl IntoView {
    let param = use_param();
    let status = Memo::new(move |_| param("status").and_then(|v| v.parse::<PayoutStatus>().ok()));
    let partner = Memo::new(move |_| param("partner").and_then(|v| v.parse::<PartnerId>().ok()));
    let from = Memo::new(move |_| param("from").and_then(|v| v.parse().ok()));
    let to = Memo::new(move |_| param("to").and_then(|v| v.parse().ok()));
    let min_amount = Memo::new(move |_| param("min"));
    let max_amount = Memo::new(move |_| param("max"));
    let sort = Memo::new(move |_| {
        param("sort")
            .and_then(|v| v.parse::<PayoutSort>().ok())
            .unwrap_or(PayoutSort::Created)
    });
    let descending = Memo::new(move |_| param("asc").as_deref() != Some("1"));
    let page = use_page();
    let filter = Memo::new(move |_| PayoutFilter {
        status: status.get(),
        partner_id: partner.get(),
        from: from.get(),
        to: to.get(),
        min_amount: min_amount.get(),
        max_amount: max_amount.get(),
    });

    let bulk = ServerAction::<ActOnPayouts>::new();
    toast_on(bulk, |result: &BulkResult| summary(result));
    let four_eyes = ServerAction::<SetFourEyes>::new();
    toast_on(four_eyes, |on: &bool| match on {
        true => "Four-eyes approvals are on.".into(),
        false => "Four-eyes approvals are off.".into(),
    });
    let payouts = Resource::new(
        move || {
            let versions = (bulk.version().get(), four_eyes.version().get());
            (
                filter.get(),
                sort.get(),
                descending.get(),
                page.get(),
                versions,
            )
        },
        |(filter, sort, descending, page, _)| {
            list_payouts(filter, Some(sort), Some(descending), Some(page))
        },
    );

    // What is picked: ids on this page, or everything the filter matches.
    let picked = RwSignal::new(Vec::<PayoutId>::new());
    let all_matching = RwSignal::new(false);
    Effect::watch(
        move || filter.get(),
        move |_, _, _| {
            picked.set(Vec::new());
            all_matching.set(false);
        },
        false,
    );
    Effect::watch(
        move || bulk.version().get(),
        move |_, _, _| {
            if matches!(bulk.value().get_untracked(), Some(Ok(_))) {
                picked.set(Vec::new());
                all_matching.set(false);
            }
        },
        false,
    );

    let set_params = use_set_params("/payouts");
    let debounced = move |key: &'static str| typed_param(set_params, key);
    let initial = move |key: &'static str| param(key).unwrap_or_default();
    let user = use_current_user();
    let can_edit = Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.can(Action::Edit, Area::Payouts))
        })
    });
    let can_act = Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.can(Action::Approve, Area::Payouts))
        })
    });

    view! {
        <Title text="Payouts"/>
        <header class="page-header with-actions">
            <div>
                <h1>"Payouts"</h1>
                <p class="subtle">"Commissions, adjustments and clawbacks: approve them, pay them, or reject them with a reason."</p>
            </div>
            <Show when=move || user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::Export, Area::Payouts)))>
                <a class="button" href=move || export_href(&filter.get()) download="" data-testid="export-csv">
                    "Export CSV"
                </a>
            </Show>
        </header>
        <PayoutsNav/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                payouts.await.ok().map(|page| view! {
                    <FourEyes on=page.four_eyes editable=can_edit.get_untracked() action=four_eyes/>
                    <StatusTabs totals=page.totals selected=status.get_untracked() set_params/>
                })
            })}
        </Transition>
        <section class="card toolbar" aria-label="Payout filters">
            <PartnerFilter id="payout-partner" placeholder="Any partner" chosen=partner set_params
                clear_label="Show every partner's payouts"
                name=Signal::derive(move || payouts.get().and_then(|r| r.ok()).and_then(|p| p.partner_name))/>
            <div class="field">
                <label for="payout-from">"Earned from"</label>
                <input id="payout-from" type="date" value=initial("from")
                    on:change=move |ev| set_params.run(vec![("from", event_target_value(&ev))])/>
            </div>
            <div class="field">
                <label for="payout-to">"Earned until"</label>
                <input id="payout-to" type="date" value=initial("to")
                    on:change=move |ev| set_params.run(vec![("to", event_target_value(&ev))])/>
            </div>
            <div class="field narrow">
                <label for="payout-min">"Min amount"</label>
                <input id="payout-min" inputmode="decimal" value=initial("min") on:input=debounced("min")/>
            </div>
            <div class="field narrow">
                <label for="payout-max">"Max amount"</label>
                <input id="payout-max" inputmode="decimal" value=initial("max") on:input=debounced("max")/>
            </div>
        </section>
        <Show when=move || can_act.get()>
            <BulkBar bulk picked all_matching filter
                total=Signal::derive(move || {
                    payouts.get().and_then(|r| r.ok()).map(|p| p.total).unwrap_or_default()
                })
                today=Signal::derive(move || payouts.get().and_then(|r| r.ok()).map(|p| p.today))/>
        </Show>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading payouts"></div> }>
            {move || Suspend::new(async move {
                match payouts.await {
                    Ok(page) => view! {
                        <PayoutTable page sort=sort.get_untracked() descending=descending.get_untracked()
                            set_params picked all_matching selectable=can_act.get_untracked()/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| payouts.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The four-eyes rule: a switch for those who set the payout rules, a note for the others.
#[component]
fn FourEyes(on: bool, editable: bool, action: ServerAction<SetFourEyes>) -> impl IntoView {
    let explanation =
        "Four-eyes approvals: nobody approves a commission they created or last changed.";
    if editable {
        view! {
            <label class="four-eyes" data-testid="four-eyes">
                <input type="checkbox" prop:checked=on disabled=move || action.pending().get()
                    on:change=move |ev| { action.dispatch(SetFourEyes { enabled: event_target_checked(&ev) }); }/>
                " " {explanation}
            </label>
        }
        .into_any()
    } else {
        on.then(|| view! { <p class="four-eyes subtle" data-testid="four-eyes">{explanation}</p> })
            .into_any()
    }
}

/// One line for a finished bulk action.
fn summary(result: &BulkResult) -> String {
    let done = match result.verb {
        PayoutVerb::Approve => "approved",
        PayoutVerb::Reject => "rejected",
        PayoutVerb::MarkPaid => "marked paid",
    };
    let skipped: u64 = result.skipped.iter().map(|s| s.count).sum();
    let mut text = format!("{} {done}", result.succeeded);
    if !result.amounts.is_empty() {
        text.push_str(&format!(" ({})", amounts(&result.amounts)));
    }
    if skipped > 0 {
        text.push_str(&format!(", {skipped} skipped"));
    }
    text.push('.');
    text
}

#[component]
fn StatusTabs(
    totals: Vec<StatusTotal>,
    selected: Option<PayoutStatus>,
    set_params: SetParams,
) -> impl IntoView {
    let all: u64 = totals.iter().map(|t| t.count).sum();
    view! {
        <nav class="status-tabs" aria-label="Payouts by status" data-testid="status-tabs">
            <button type="button" class="status-tab" aria-pressed=if selected.is_none() { "true" } else { "false" }
                on:click=move |_| set_params.run(vec![("status", String::new())])>
                <span class="status-tab-label">"All"</span>
                <span class="status-tab-count">{all}</span>
            </button>
            {totals.into_iter().map(|total| {
                let status = total.status;
                let pressed = selected == Some(status);
                view! {
                    <button type="button" class=format!("status-tab payout-{}", status.as_str())
                        aria-pressed=if pressed { "true" } else { "false" }
                        data-testid=format!("tab-{}", status.as_str())
                        on:click=move |_| set_params.run(vec![("status", status.as_str().to_owned())])>
                        <span class="status-tab-label">{status.title()}</span>
                        <span class="status-tab-count">{total.count}</span>
                        <span class="status-tab-amount subtle">{amounts(&total.amounts)}</span>
                    </button>
                }
            }).collect_view()}
        </nav>
    }
}

/// The actions on what is picked. Rejecting asks for the reason, paying for the reference and
/// date; their errors show next to those fields, and what was typed stays.
#[component]
fn BulkBar(
    bulk: ServerAction<ActOnPayouts>,
    picked: RwSignal<Vec<PayoutId>>,
    all_matching: RwSignal<bool>,
    filter: Memo<PayoutFilter>,
    total: Signal<u64>,
    today: Signal<Option<chrono::NaiveDate>>,
) -> impl IntoView {
    let verb = RwSignal::new(None::<PayoutVerb>);
    let reason = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let paid_on = RwSignal::new(String::new());
    let key = StoredValue::new(String::new());
    // A finished action (success or refusal on its merits) frees the key for the next one;
    // a lost answer keeps it, so trying again cannot act twice.
    Effect::watch(
        move || bulk.version().get(),
        move |_, _, _| {
            if let Some(result) = bulk.value().get_untracked() {
                if !matches!(result, Err(AppError::Transport(_))) {
                    key.set_value(String::new());
                }
                if result.is_ok() {
                    verb.set(None);
                }
            }
        },
        false,
    );
    let count = move || {
        if all_matching.get() {
            total.get()
        } else {
            picked.with(|p| p.len() as u64)
        }
    };
    let run = move |chosen: PayoutVerb| {
        if key.with_value(String::is_empty) {
            key.set_value(fresh_key());
        }
        bulk.dispatch(ActOnPayouts {
            selection: PayoutSelection {
                ids: picked.get_untracked(),
                all_matching: all_matching.get_untracked(),
                filter: filter.get_untracked(),
            },
            form: PayoutActionForm {
                verb: chosen.as_str().to_owned(),
                reason: reason.get_untracked(),
                reference: reference.get_untracked(),
                paid_on: paid_on.get_untracked(),
            },
            idempotency_key: key.get_value(),
        });
    };
    let result = bulk.value();
    let error = move |field: &'static str| {
        Signal::derive(move || result.with(|r| field_error(r, &format!("form.{field}"))))
    };
    let pending = bulk.pending();
    view! {
        <section class="card bulk-bar" aria-label="Act on the picked payouts" data-testid="bulk-bar">
            <p class="bulk-count" data-testid="bulk-count">
                {move || match count() {
                    0 => "Pick payouts in the table to approve, reject or pay them.".to_owned(),
                    1 => "1 payout picked".to_owned(),
                    n if all_matching.get() => format!("All {n} payouts matching the filter"),
                    n => format!("{n} payouts picked"),
                }}
            </p>
            <div class="bulk-actions">
                <button type="button" class="button primary" disabled=move || count() == 0 || pending.get()
                    on:click=move |_| { verb.set(Some(PayoutVerb::Approve)); run(PayoutVerb::Approve); }>
                    {move || if pending.get() && verb.get() == Some(PayoutVerb::Approve) { "Approving…" } else { "Approve" }}
                </button>
                <button type="button" class="button" disabled=move || count() == 0 || pending.get()
                    aria-expanded=move || (verb.get() == Some(PayoutVerb::MarkPaid)).to_string()
                    on:click=move |_| {
                        // Paid today, unless finance says otherwise.
                        if paid_on.with_untracked(String::is_empty)
                            && let Some(day) = today.get_untracked()
                        {
                            paid_on.set(day.to_string());
                        }
                        verb.set(Some(PayoutVerb::MarkPaid));
                    }>"Mark paid…"</button>
                <button type="button" class="button danger" disabled=move || count() == 0 || pending.get()
                    aria-expanded=move || (verb.get() == Some(PayoutVerb::Reject)).to_string()
                    on:click=move |_| verb.set(Some(PayoutVerb::Reject))>"Reject…"</button>
            </div>
            <Show when=move || verb.get() == Some(PayoutVerb::MarkPaid)>
                <div class="bulk-details">
                    <BulkField label="Payment reference" id="bulk-reference" value=reference error=error("reference")/>
                    <BulkField label="Paid on" id="bulk-paid-on" kind="date" value=paid_on error=error("paid_on")/>
                    <button type="button" class="button primary" disabled=move || pending.get()
                        on:click=move |_| run(PayoutVerb::MarkPaid)>
                        {move || if pending.get() { "Marking paid…" } else { "Confirm payment" }}
                    </button>
                </div>
            </Show>
            <Show when=move || verb.get() == Some(PayoutVerb::Reject)>
                <div class="bulk-details">
                    <BulkField label="Reason" id="bulk-reason" value=reason error=error("reason")/>
                    <button type="button" class="button danger" disabled=move || pending.get()
                        on:click=move |_| run(PayoutVerb::Reject)>
                        {move || if pending.get() { "Rejecting…" } else { "Confirm rejection" }}
                    </button>
                </div>
            </Show>
            {move || result.get().and_then(|r| r.ok()).map(|r| view! { <BulkSummary result=r/> })}
        </section>
    }
}

#[component]
fn BulkField(
    label: &'static str,
    id: &'static str,
    #[prop(default = "text")] kind: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().is_some().then(|| error_id.clone())/>
            {move || error.get().map(|message| view! {
                <p class="field-error" id=format!("{id}-error") role="alert">{message}</p>
            })}
        </div>
    }
}

#[component]
fn BulkSummary(result: BulkResult) -> impl IntoView {
    view! {
        <div class="bulk-summary" data-testid="bulk-summary" role="status">
            <strong>{summary(&result)}</strong>
            {result.replayed.then(|| view! { <span class="subtle">" (this request had already been carried out)"</span> })}
            <ul>
                {result.skipped.into_iter().map(|s| {
                    let examples = s.examples.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", ");
                    view! { <li>{format!("{} skipped: {} (e.g. {examples})", s.count, s.reason.describe())}</li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn PayoutTable(
    page: PayoutPage,
    sort: PayoutSort,
    descending: bool,
    set_params: SetParams,
    picked: RwSignal<Vec<PayoutId>>,
    all_matching: RwSignal<bool>,
    selectable: bool,
) -> impl IntoView {
    if page.total == 0 {
        let nothing_yet = page.totals.iter().all(|t| t.count == 0);
        return view! {
            <section class="empty-state" data-testid="payouts-empty">
                {if nothing_yet {
                    view! {
                        <h2>"No payouts yet"</h2>
                        <p>"Commissions appear here as pending payouts when deals are won."</p>
                    }.into_any()
                } else {
                    view! {
                        <h2>"No payouts match"</h2>
                        <p>"Try another status or period, or clear the filters."</p>
                        <A href="/payouts" attr:class="button">"Clear filters"</A>
                    }.into_any()
                }}
            </section>
        }
        .into_any();
    }
    let header = move |label: &'static str, column: PayoutSort, numeric: bool| {
        let active = column == sort;
        let on_sort = Callback::new(move |()| {
            let ascending = active && descending;
            set_params.run(vec![
                ("sort", column.as_str().to_owned()),
                ("asc", if ascending { "1".into() } else { String::new() }),
            ]);
        });
        view! { <SortHeader label active descending numeric on_sort/> }
    };
    let ids: Vec<PayoutId> = page.rows.iter().map(|r| r.id).collect();
    let every_on_page = {
        let ids = ids.clone();
        move || picked.with(|p| !ids.is_empty() && ids.iter().all(|id| p.contains(id)))
    };
    let toggle_page = {
        let ids = ids.clone();
        move |on: bool| {
            all_matching.set(false);
            picked.update(|p| {
                p.retain(|id| !ids.contains(id));
                if on {
                    p.extend(ids.iter().copied());
                }
            });
        }
    };
    let shown = page.rows.len();
    let total = page.total;
    let more_than_page = total > shown as u64;
    view! {
        <section class="card">
            {(selectable && more_than_page).then(|| {
                let every_on_page = every_on_page.clone();
                view! {
                    <Show when=move || every_on_page() && !all_matching.get()>
                        <p class="select-all-hint">
                            {format!("All {shown} payouts on this page are picked. ")}
                            <button type="button" class="link" data-testid="pick-all-matching"
                                on:click=move |_| all_matching.set(true)>
                                {format!("Pick all {total} matching the filter")}
                            </button>
                        </p>
                    </Show>
                }
            })}
            <div class="table-scroll">
                <table class="table" data-testid="payouts-table">
                    <thead>
                        <tr>
                            {selectable.then(|| view! {
                                <th class="pick">
                                    <input type="checkbox" aria-label="Pick every payout on this page"
                                        prop:checked=every_on_page.clone()
                                        on:change=move |ev| toggle_page(event_target_checked(&ev))/>
                                </th>
                            })}
                            {header("Partner", PayoutSort::Partner, false)}
                            <th>"Deal"</th>
                            <th>"Kind"</th>
                            {header("Amount", PayoutSort::Amount, true)}
                            {header("Status", PayoutSort::Status, false)}
                            {header("Earned", PayoutSort::Created, false)}
                            <th>"Details"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <PayoutLine row picked all_matching selectable/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total testid="payouts-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
fn PayoutLine(
    row: PayoutRow,
    picked: RwSignal<Vec<PayoutId>>,
    all_matching: RwSignal<bool>,
    selectable: bool,
) -> impl IntoView {
    let id = row.id;
    let details = match row.status {
        PayoutStatus::Paid => format!(
            "Paid {} · {}",
            row.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            row.paid_reference.unwrap_or_default()
        ),
        PayoutStatus::Rejected => row.rejected_reason.unwrap_or_default(),
        PayoutStatus::Approved => format!(
            "Approved {}",
            row.approved_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        PayoutStatus::Pending => row.note.unwrap_or_default(),
    };
    view! {
        <tr data-testid="payout-row" class:picked=move || all_matching.get() || picked.with(|p| p.contains(&id))>
            {selectable.then(|| view! {
                <td class="pick">
                    <input type="checkbox" aria-label=format!("Pick payout #{id}")
                        prop:checked=move || all_matching.get() || picked.with(|p| p.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            all_matching.set(false);
                            picked.update(|p| {
                                p.retain(|x| *x != id);
                                if on {
                                    p.push(id);
                                }
                            });
                        }/>
                </td>
            })}
            <td><A href=format!("/partners/{}", row.partner_id)>{row.partner_name}</A></td>
            <td>{match (row.deal_id, row.deal_name) {
                (Some(deal), Some(name)) => view! { <A href=format!("/deals/{deal}")>{name}</A> }.into_any(),
                _ => view! { <span class="subtle">"—"</span> }.into_any(),
            }}</td>
            <td>
                {row.kind.title()}
                {row.explanation.map(|e| view! { <div class="subtle small explanation">{e}</div> })}
            </td>
            <td class="num">
                {crate::pages::manager::statement::entry_amount(row.kind, &row.amount)}
                {row.paid_as.map(|(amount, rate)| view! {
                    <div class="subtle small" data-testid="paid-as">{format!("paid as {} at {rate}", amount.format())}</div>
                })}
            </td>
            <td><span class=format!("badge payout-{}", row.status.as_str())>{row.status.title()}</span></td>
            <td class="date">{row.created_on.to_string()}</td>
            <td class="subtle">
                {details}
                " "
                <A href=format!("/activity?type=payout&id={id}") attr:class="small" attr:title="Every change to this payout">"History"</A>
            </td>
        </tr>
    }
}
