//! One deal: its facts, the touchpoint timeline, and the attribution panel — the split under
//! every model side by side (table and chart), the payable model first and marked, each split
//! explained in words.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;

use super::deals::StageBadge;
use crate::api::deals::{
    AddTouchpoint, CloseDeal, CommissionLine, DealDetail, ModelSplit, RemoveTouchpoint, ReopenDeal,
    TimelineEntry, UpdateTouchpoint, get_deal, get_deal_history,
};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::ErrorPanel;
use crate::components::form::{field_error, form_error};
use crate::components::history::HistoryCard;
use crate::components::partner_picker::PartnerPicker;
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::deal::DealStage;
use crate::domain::ids::DealId;
use crate::domain::touchpoint::TouchpointKind;

#[component]
pub fn DealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<DealId>().ok())
    };
    let add = ServerAction::<AddTouchpoint>::new();
    let remove = ServerAction::<RemoveTouchpoint>::new();
    let close = ServerAction::<CloseDeal>::new();
    let reopen = ServerAction::<ReopenDeal>::new();
    let update = ServerAction::<UpdateTouchpoint>::new();
    toast_on(update, |_| "Touchpoint updated.".into());
    toast_on(add, |_| "Touchpoint added.".into());
    toast_on(remove, |_| "Touchpoint removed.".into());
    toast_on(close, |stage| format!("Deal closed as {stage}."));
    toast_on(reopen, |_| "Deal re-opened.".into());
    let actions = DealActions {
        add,
        remove,
        close,
        reopen,
        update,
    };
    let detail = Resource::new(
        move || {
            (
                id(),
                add.version().get(),
                remove.version().get(),
                close.version().get(),
                reopen.version().get(),
                update.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_deal(id).await,
                None => Err(crate::api::AppError::NotFound("the deal".into())),
            }
        },
    );
    let history = Resource::new(
        move || {
            (
                id(),
                add.version().get(),
                remove.version().get(),
                close.version().get(),
                reopen.version().get(),
                update.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_deal_history(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading deal"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Deal detail actions/> }.into_any(),
                    Err(error) => view! { <Title text="Deal"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                history.await.ok().filter(|rows| !rows.is_empty()).map(|rows| view! { <HistoryCard rows testid="deal-history"/> })
            })}
        </Transition>
    }
}

pub fn day(date: chrono::NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

#[derive(Clone, Copy)]
struct DealActions {
    add: ServerAction<AddTouchpoint>,
    remove: ServerAction<RemoveTouchpoint>,
    close: ServerAction<CloseDeal>,
    reopen: ServerAction<ReopenDeal>,
    update: ServerAction<UpdateTouchpoint>,
}

#[component]
fn Deal(detail: DealDetail, actions: DealActions) -> impl IntoView {
    let deal = detail.deal.clone();
    let user = use_current_user();
    let allowed =
        move |action, area| user.with(|u| u.as_ref().is_some_and(|u| u.can(action, area)));
    let open = deal.stage == DealStage::Open;
    let edit_deal = allowed(Action::Edit, Area::Deals);
    let edit_touches = allowed(Action::Edit, Area::Touchpoints);
    // A won deal counts touches up to its close.
    let latest_touch = match (deal.stage, detail.closed_at) {
        (DealStage::Won, Some(at)) => at.date_naive().min(detail.today),
        _ => detail.today,
    };
    let id = deal.id;
    let close = match (detail.closed_at, detail.expected_close_on) {
        (Some(at), _) => format!("Closed {}", day(at.date_naive())),
        (None, Some(on)) => format!("Expected to close {}", day(on)),
        (None, None) => "No expected close date".to_owned(),
    };
    view! {
        <Title text=deal.name.clone()/>
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow"><A href="/deals">"Deals"</A></p>
                <h1 data-testid="deal-name">{deal.name.clone()}</h1>
                <p class="subtle">
                    {format!("{} · ", deal.account_name)}
                    <strong data-testid="deal-amount">{deal.amount.format()}</strong>
                    " · " <span data-testid="deal-stage"><StageBadge stage=deal.stage/></span> {format!(" · {close}")}
                </p>
                {detail.lost_reason.clone().map(|reason| view! { <p class="subtle" data-testid="lost-reason">"Lost: " {reason}</p> })}
                {detail.locked_rate.clone().map(|fx| view! {
                    <p class="subtle" data-testid="locked-rate">
                        {format!(
                            "{} at the locked rate 1 {} = {} {} (effective {})",
                            fx.base_amount.format(),
                            deal.amount.currency(),
                            fx.rate,
                            fx.base_amount.currency(),
                            fx.effective_on
                        )}
                    </p>
                })}
            </div>
            {(edit_deal && open).then(|| view! { <CloseControls id close=actions.close/> })}
            {(edit_deal && !open).then(|| view! { <ReopenControls id stage=deal.stage reopen=actions.reopen/> })}
        </header>
        {(!detail.commissions.is_empty()).then(|| view! { <Commissions lines=detail.commissions.clone()/> })}
        {(allowed(Action::Edit, Area::Disputes) && deal.stage == DealStage::Won).then(|| view! {
            <super::disputes::DisputeOpener deal=id/>
        })}
        <div class="deal-layout">
            <section class="card timeline-card">
                <header class="card-header"><h2>"Touchpoint timeline"</h2></header>
                <Timeline entries=detail.timeline.clone() remove=edit_touches.then_some(actions.remove)
                    update=edit_touches.then_some(actions.update) latest=latest_touch/>
                {(edit_touches && deal.stage == DealStage::Won).then(|| view! {
                    <p class="card-body subtle notice" data-testid="reattribution-notice">
                        "This deal is won: a change to its touchpoints re-attributes it. Pending commissions follow; approved or paid ones get an adjustment or clawback entry."
                    </p>
                })}
                {edit_touches.then(|| view! { <TouchpointAdder id add=actions.add latest=latest_touch/> })}
            </section>
            <section class="card attribution-card">
                <header class="card-header">
                    <h2>"Attribution"</h2>
                    <p class="subtle">
                        {if deal.stage == DealStage::Won {
                            "Every model's split was stored when the deal was won (and again whenever it was re-attributed)."
                        } else {
                            "How credit would be split if the deal closed now, under every model."
                        }}
                        {allowed(Action::View, Area::Attribution).then(|| view! { " " <A href="/settings/attribution">"Attribution settings"</A> })}
                    </p>
                </header>
                {match detail.attribution_note.clone() {
                    Some(note) => view! { <p class="card-body subtle" data-testid="attribution-note">{note}</p> }.into_any(),
                    None => view! { <AttributionPanel models=detail.attribution.clone() currency=deal.amount.currency()/> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn CloseControls(id: DealId, close: ServerAction<CloseDeal>) -> impl IntoView {
    let losing = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reason_error = move || field_error(&close.value().get(), "reason");
    view! {
        <div class="actions close-controls" data-testid="close-controls">
            <A href=format!("/deals/{id}/edit") attr:class="button">"Edit"</A>
            <button type="button" class="button primary" disabled=move || close.pending().get()
                on:click=move |_| { close.dispatch(CloseDeal { id, outcome: DealStage::Won, reason: None }); }>
                "Close as won"
            </button>
            <button type="button" class="button" on:click=move |_| losing.update(|l| *l = !*l)
                aria-expanded=move || losing.get().to_string()>
                "Close as lost…"
            </button>
            <Show when=move || losing.get()>
                <div class="lost-form">
                    <label for="lost-reason">"Why was it lost?"</label>
                    <textarea id="lost-reason" rows="2" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        aria-invalid=move || reason_error().is_some().then_some("true")></textarea>
                    {move || reason_error().map(|m| view! { <p class="field-error" role="alert" data-field="reason">{m}</p> })}
                    <button type="button" class="button danger" disabled=move || close.pending().get()
                        on:click=move |_| { close.dispatch(CloseDeal { id, outcome: DealStage::Lost, reason: Some(reason.get_untracked()) }); }>
                        "Close as lost"
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn ReopenControls(id: DealId, stage: DealStage, reopen: ServerAction<ReopenDeal>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let consequence = if stage == DealStage::Won {
        "Its stored attribution goes; pending commissions are cancelled and approved or paid ones are clawed back by a new entry."
    } else {
        "The reason it was lost is cleared."
    };
    view! {
        <div class="actions close-controls" data-testid="reopen-controls">
            <A href=format!("/deals/{id}/edit") attr:class="button">"Edit"</A>
            <button type="button" class="button" on:click=move |_| confirming.update(|c| *c = !*c)
                aria-expanded=move || confirming.get().to_string()>
                "Re-open…"
            </button>
            <Show when=move || confirming.get()>
                <div class="lost-form" role="group" aria-label="Re-open the deal">
                    <p>{format!("Re-open this deal? {consequence}")}</p>
                    <button type="button" class="button danger" disabled=move || reopen.pending().get()
                        on:click=move |_| { reopen.dispatch(ReopenDeal { id }); }>
                        "Re-open deal"
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn Commissions(lines: Vec<CommissionLine>) -> impl IntoView {
    view! {
        <section class="card commissions" data-testid="commissions">
            <header class="card-header"><h2>"Commissions from this deal"</h2></header>
            <table class="table">
                <thead><tr><th>"Partner"</th><th>"Entry"</th><th class="num">"Attributed"</th><th class="num">"Amount"</th><th>"Status"</th><th>"Note"</th></tr></thead>
                <tbody>
                    {lines.into_iter().map(|c| {
                        let amount = crate::pages::manager::statement::entry_amount(c.kind, &c.amount);
                        let entry = match c.corrects {
                            Some(of) => format!("{} of #{of}", c.kind.title()),
                            None => c.kind.title(),
                        };
                        view! {
                            <tr id=format!("commission-{}", c.id) data-kind=c.kind.as_str()>
                                <td>{c.partner_name}</td>
                                <td>{format!("#{} ", c.id)}{entry}</td>
                                <td class="num">{c.attributed.map(|a| a.format()).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">
                                    {amount}
                                    {c.explanation.map(|e| view! { <div class="subtle small explanation" data-testid="commission-explanation">{e}</div> })}
                                </td>
                                <td><span class=format!("badge payout-{}", c.status.as_str())>{c.status.title()}</span></td>
                                <td class="subtle">{c.note.unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn TouchpointAdder(
    id: DealId,
    add: ServerAction<AddTouchpoint>,
    /// The latest day a touch may be on: today, or a won deal's close.
    latest: chrono::NaiveDate,
) -> impl IntoView {
    let result = add.value();
    let error = move |field: &'static str| field_error(&result.get(), field);
    let latest = latest.to_string();
    view! {
        <ActionForm action=add attr:class="form touch-form" attr:novalidate=true attr:data-testid="touchpoint-form">
            <h3>"Add a touchpoint"</h3>
            <input type="hidden" name="deal_id" value=id.to_string()/>
            <div class="field">
                <label for="touch-partner">"Partner"</label>
                <PartnerPicker id="touch-partner" name="form[partner_id]"
                    invalid=Signal::derive(move || error("partner_id").is_some())/>
                {move || error("partner_id").map(|m| view! { <p class="field-error" role="alert" data-field="partner_id">{m}</p> })}
            </div>
            <div class="field">
                <label for="touch-kind">"Kind"</label>
                <select id="touch-kind" name="form[kind]">
                    {TouchpointKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.title()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="touch-day">"Day"</label>
                <input id="touch-day" type="date" name="form[occurred_on]" value=latest.clone() max=latest/>
                {move || error("occurred_on").map(|m| view! { <p class="field-error" role="alert" data-field="occurred_on">{m}</p> })}
            </div>
            <div class="field">
                <label for="touch-note">"Note"</label>
                <input id="touch-note" name="form[note]" autocomplete="off"/>
            </div>
            {move || form_error(&result.get()).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <button type="submit" class="button primary" disabled=move || add.pending().get()>"Add touchpoint"</button>
        </ActionForm>
    }
}

/// "12 days before close", or "" when the deal has no (expected) close.
pub fn before_close(days: Option<i64>) -> String {
    match days {
        Some(0) => "on the close day".to_owned(),
        Some(1) => "1 day before close".to_owned(),
        Some(d) if d > 1 => format!("{d} days before close"),
        Some(d) => format!("{} days after close (not credited)", -d),
        None => String::new(),
    }
}

#[component]
fn Timeline(
    entries: Vec<TimelineEntry>,
    remove: Option<ServerAction<RemoveTouchpoint>>,
    update: Option<ServerAction<UpdateTouchpoint>>,
    /// The latest day a touch may be on.
    latest: chrono::NaiveDate,
) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="card-body subtle">"No touchpoints yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline" data-testid="timeline">
            {entries.into_iter().map(|t| {
                let when = before_close(t.days_before_close);
                let editing = RwSignal::new(false);
                let editor = update.map(|update| {
                    let entry = t.clone();
                    view! {
                        <Show when=move || editing.get()>
                            <TouchpointEditor entry=entry.clone() update latest on_done=Callback::new(move |()| editing.set(false))/>
                        </Show>
                    }
                });
                view! {
                    <li class="timeline-entry">
                        <span class="timeline-dot" aria-hidden="true"></span>
                        <div class="timeline-body">
                            <p class="timeline-title">
                                <A href=format!("/partners/{}", t.partner_id)>{t.partner_name}</A>
                                {format!(" · {}", t.kind.title())}
                            </p>
                            <p class="subtle">
                                <time datetime=t.occurred_at.to_rfc3339()>{day(t.occurred_at.date_naive())}</time>
                                {(!when.is_empty()).then(|| format!(" · {when}"))}
                            </p>
                            {t.note.clone().map(|note| view! { <p class="timeline-note">{note}</p> })}
                            {editor}
                        </div>
                        <div class="timeline-actions">
                            {update.map(|_| view! {
                                <button type="button" class="button small" aria-label="Edit this touchpoint"
                                    aria-expanded=move || editing.get().to_string()
                                    on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                            })}
                            {remove.map(|remove| {
                                let touch = t.id;
                                view! {
                                    <button type="button" class="button small remove" aria-label="Remove this touchpoint"
                                        on:click=move |_| { remove.dispatch(RemoveTouchpoint { id: touch }); }>"Remove"</button>
                                }
                            })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn percent(share: Decimal) -> String {
    format!(
        "{} %",
        (share * Decimal::ONE_HUNDRED).round_dp(1).normalize()
    )
}

#[component]
fn AttributionPanel(
    models: Vec<ModelSplit>,
    currency: crate::domain::money::Currency,
) -> impl IntoView {
    // Partners in the order they first appear, so rows line up across models.
    let mut partners: Vec<(crate::domain::ids::PartnerId, String)> = Vec::new();
    for line in models.iter().flat_map(|m| &m.lines) {
        if !partners.iter().any(|(id, _)| *id == line.partner_id) {
            partners.push((line.partner_id, line.partner_name.clone()));
        }
    }
    let chart = spec::attribution_by_model(&models, currency);
    let table_models = models.clone();
    // One row per model, one column per partner: ten models fit any width, and a deal has few
    // partners.
    view! {
        <div class="table-scroll">
            <table class="table compare" data-testid="attribution-table">
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        {partners.iter().map(|(_, name)| view! { <th class="num" scope="col">{name.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {table_models.iter().map(|m| view! {
                        <tr class:payable=m.payable>
                            <th scope="row">
                                {m.model_name.clone()}
                                {m.payable.then(|| view! { " "<span class="badge payable-badge">"Payable"</span> })}
                            </th>
                            {partners.iter().map(|(id, name)| {
                                let line = m.lines.iter().find(|l| l.partner_id == *id);
                                view! {
                                    <td class="num" data-partner=name.clone()>
                                        {match line {
                                            Some(line) => view! {
                                                <span class="amount">{line.amount.format()}</span>
                                                <span class="share">{percent(line.share)}</span>
                                            }.into_any(),
                                            None => view! { <span class="subtle">"—"</span> }.into_any(),
                                        }}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <EChart id="attribution-chart" chart label="Stacked bars of each partner's credit under each attribution model" height=300/>
        <div class="explanations">
            <h3>"Why each partner got its share"</h3>
            {models.into_iter().map(|m| view! {
                <details class="explanation" open=m.payable>
                    <summary>
                        {m.model_name.clone()}
                        {m.payable.then_some(" (payable)")}
                        {m.stored.then_some(" · stored at close")}
                    </summary>
                    <ul>
                        {m.lines.into_iter().map(|l| view! {
                            <li><strong>{l.partner_name}</strong>{format!(": {}", l.explanation)}</li>
                        }).collect_view()}
                    </ul>
                </details>
            }).collect_view()}
        </div>
    }
}

/// A touchpoint's partner, kind, day and note, changed in place.
#[component]
fn TouchpointEditor(
    entry: TimelineEntry,
    update: ServerAction<UpdateTouchpoint>,
    latest: chrono::NaiveDate,
    on_done: Callback<()>,
) -> impl IntoView {
    let result = update.value();
    let id = entry.id;
    // Errors belong to this entry only when it was the one saved last.
    let last_saved = RwSignal::new(None::<crate::domain::ids::TouchpointId>);
    Effect::new(move |_| {
        if let Some(input) = update.input().get() {
            last_saved.set(Some(input.id));
        }
    });
    let error = move |field: &'static str| {
        (last_saved.get() == Some(id))
            .then(|| field_error(&result.get(), field))
            .flatten()
    };
    Effect::watch(
        move || update.version().get(),
        move |_, _, _| {
            if last_saved.get_untracked() == Some(id)
                && matches!(result.get_untracked(), Some(Ok(())))
            {
                on_done.run(());
            }
        },
        false,
    );
    let field_id = move |name: &str| format!("edit-{id}-{name}");
    let partner = crate::api::users::PartnerOption {
        id: entry.partner_id,
        name: entry.partner_name.clone(),
    };
    let kind = entry.kind;
    let latest = latest.to_string();
    view! {
        <ActionForm action=update attr:class="form touch-edit" attr:novalidate=true attr:data-testid="touchpoint-editor">
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="field">
                <label for=field_id("partner")>"Partner"</label>
                <PartnerPicker id=field_id("partner") name="form[partner_id]" initial=Some(partner)
                    invalid=Signal::derive(move || error("partner_id").is_some())/>
                {move || error("partner_id").map(|m| view! { <p class="field-error" role="alert" data-field="partner_id">{m}</p> })}
            </div>
            <div class="field">
                <label for=field_id("kind")>"Kind"</label>
                <select id=field_id("kind") name="form[kind]">
                    {TouchpointKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == kind>{k.title()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=field_id("day")>"Day"</label>
                <input id=field_id("day") type="date" name="form[occurred_on]" value=entry.occurred_at.date_naive().to_string() max=latest/>
                {move || error("occurred_on").map(|m| view! { <p class="field-error" role="alert" data-field="occurred_on">{m}</p> })}
            </div>
            <div class="field">
                <label for=field_id("note")>"Note"</label>
                <input id=field_id("note") name="form[note]" autocomplete="off" value=entry.note.clone().unwrap_or_default()/>
            </div>
            <div class="actions">
                <button type="submit" class="button primary small" disabled=move || update.pending().get()>"Save touchpoint"</button>
                <button type="button" class="button small" on:click=move |_| on_done.run(())>"Cancel"</button>
            </div>
        </ActionForm>
    }
}
