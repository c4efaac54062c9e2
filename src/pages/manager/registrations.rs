//! Deal registrations. Managers work the queue: each registration with its partner, account,
//! contact and estimate, a channel-conflict flag with its reasons, and approve (creates the deal)
//! or reject with a reason. In the portal, a partner follows its own registrations and where
//! each stands, and registers a new one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::AppError;
use crate::api::registrations::{
    DecideRegistration, RegisterDeal, RegistrationPage, RegistrationRow, SetRegistrationWindow,
    list_registrations,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::list_query::{Pager, use_page, use_param, use_set_params};
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::registration::RegistrationStatus;

fn base(portal: bool) -> &'static str {
    if portal {
        "/portal/registrations"
    } else {
        "/registrations"
    }
}

#[component]
pub fn RegistrationsPage(#[prop(optional)] portal: bool) -> impl IntoView {
    let param = use_param();
    // The queue opens on what needs a decision; a partner sees all of its own by default.
    let status = Memo::new(move |_| match param("status").as_deref() {
        Some("all") => None,
        Some(s) => s.parse::<RegistrationStatus>().ok(),
        None if portal => None,
        None => Some(RegistrationStatus::Pending),
    });
    let page = use_page();
    // Bumped by a decision on any row.
    let decided = RwSignal::new(0u32);
    let registrations = Resource::new(
        move || (status.get(), page.get(), decided.get()),
        |(status, page, _)| list_registrations(status, None, Some(page)),
    );
    let set_params = use_set_params(base(portal));
    view! {
        <Title text="Deal registrations"/>
        <header class="page-header with-actions">
            <div>
                <h1>{if portal { "Your registrations" } else { "Deal registrations" }}</h1>
                <p class="subtle">{if portal {
                    "Opportunities you registered, and where each stands. An approved registration protects the account for you."
                } else {
                    "Opportunities partners registered. Approving creates the deal, credited to the partner; flagged ones collide with another claim on the account."
                }}</p>
            </div>
            {portal.then(|| view! { <A href="/portal/registrations/new" attr:class="button primary">"Register a deal"</A> })}
        </header>
        {(!portal).then(|| view! { <crate::pages::manager::deals::DealsNav/> })}
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading registrations"></div> }>
            {move || Suspend::new(async move {
                match registrations.await {
                    Ok(page) => view! {
                        <StatusTabs counts=page.counts.clone() selected=status.get_untracked() set_params/>
                        <RegistrationTable page=page.clone() set_params portal decided/>
                        {(!portal).then(|| view! { <WindowSetting days=page.window_days/> })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| registrations.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StatusTabs(
    counts: Vec<(RegistrationStatus, u64)>,
    selected: Option<RegistrationStatus>,
    set_params: crate::components::list_query::SetParams,
) -> impl IntoView {
    let count = |status: Option<RegistrationStatus>| -> u64 {
        counts
            .iter()
            .filter(|(s, _)| status.is_none_or(|wanted| *s == wanted))
            .map(|(_, n)| *n)
            .sum()
    };
    let choices: Vec<(Option<RegistrationStatus>, String)> = RegistrationStatus::ALL
        .iter()
        .map(|s| (Some(*s), s.title()))
        .chain([(None, "All".to_owned())])
        .collect();
    view! {
        <nav class="status-tabs" aria-label="Registrations by status">
            {choices.into_iter().map(|(value, label)| {
                let key = value.map(|s| s.as_str()).unwrap_or("all");
                let n = count(value);
                view! {
                    <button type="button" class="status-tab"
                        aria-pressed=if selected == value { "true" } else { "false" }
                        data-testid=format!("registration-tab-{key}")
                        on:click=move |_| set_params.run(vec![("status", key.to_owned())])>
                        <span class="status-tab-label">{label}</span>
                        <span class="status-tab-count">{n}</span>
                    </button>
                }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn RegistrationTable(
    page: RegistrationPage,
    set_params: crate::components::list_query::SetParams,
    portal: bool,
    decided: RwSignal<u32>,
) -> impl IntoView {
    if page.rows.is_empty() {
        return view! {
            <section class="card empty-state" data-testid="registrations-empty">
                <h2>"No registrations here"</h2>
                <p class="subtle">{if portal {
                    "Register an opportunity you found: once approved, the deal is credited to you."
                } else {
                    "Partners register opportunities from their portal; they appear here for a decision."
                }}</p>
            </section>
        }
        .into_any();
    }
    let shown = page.rows.len();
    let can_decide = page.can_decide && !portal;
    view! {
        <section class="card">
            <p class="card-body subtle small registrations-window">
                {format!("An approval protects the account for {} days; a registration expires when that ends without a win.", page.window_days)}
            </p>
            <div class="table-scroll">
                <table class="table" data-testid="registrations-table">
                    <thead>
                        <tr>
                            {(!portal).then(|| view! { <th>"Partner"</th> })}
                            <th>"Account"</th>
                            <th class="num">"Estimate"</th>
                            <th>"Expected close"</th>
                            <th>"Registered"</th>
                            <th>"Status"</th>
                            {can_decide.then(|| view! { <th><span class="visually-hidden">"Decision"</span></th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <RegistrationLine row portal can_decide decided/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="registrations-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
fn RegistrationLine(
    row: RegistrationRow,
    portal: bool,
    can_decide: bool,
    decided: RwSignal<u32>,
) -> impl IntoView {
    let pending = row.status == RegistrationStatus::Pending;
    let deal_link = row.deal_id.map(|deal| {
        let href = if portal {
            format!("/portal/deals/{deal}")
        } else {
            format!("/deals/{deal}")
        };
        view! { <A href=href>"Open the deal"</A> }
    });
    let state = match (row.status, row.flagged) {
        (RegistrationStatus::Pending, true) if portal => Some(
            "Under review: the account has another claim, which your partner manager is checking."
                .to_owned(),
        ),
        (RegistrationStatus::Approved, _) => row
            .protected_until
            .map(|d| format!("Protected for the partner until {d}.")),
        (RegistrationStatus::Rejected, _) => row
            .rejected_reason
            .clone()
            .map(|r| format!("Rejected: {r}")),
        _ => None,
    };
    let conflicts = row.conflicts.clone();
    view! {
        <tr data-testid="registration-row" class:flagged=row.flagged>
            {(!portal).then(|| view! { <td><A href=format!("/partners/{}", row.partner_id)>{row.partner_name.clone()}</A></td> })}
            <td>
                <strong>{row.account_name.clone()}</strong>
                <div class="subtle small">{format!("{} · {}", row.contact_name, row.contact_email)}</div>
                {row.notes.clone().map(|n| view! { <div class="subtle small">{n}</div> })}
                {(!conflicts.is_empty()).then(|| view! {
                    <div class="conflict" data-testid="registration-conflict" role="note">
                        <strong>"Channel conflict"</strong>
                        <ul>{conflicts.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    </div>
                })}
                {state.map(|s| view! { <div class="subtle small" data-testid="registration-state">{s}</div> })}
                {deal_link}
            </td>
            <td class="num">{row.estimated.format_whole()}</td>
            <td class="date">{row.expected_close_on.to_string()}</td>
            <td class="date">{row.registered_at.date_naive().to_string()}</td>
            <td><span class=format!("badge registration-{}", row.status.as_str()) data-testid="registration-status">{row.status.title()}</span></td>
            {can_decide.then(|| view! {
                <td class="actions-cell">
                    {pending.then(|| view! { <Decision id=row.id decided/> })}
                </td>
            })}
        </tr>
    }
}

#[component]
fn Decision(id: crate::domain::ids::RegistrationId, decided: RwSignal<u32>) -> impl IntoView {
    // Each row keeps its own answer, so an error shows next to the row it belongs to.
    let local = ServerAction::<DecideRegistration>::new();
    toast_on(local, |row| {
        format!("{} registration {}.", row.account_name, row.status)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = local.value().get() {
            decided.update(|n| *n += 1);
        }
    });
    let result = local.value();
    let reason_error = move || field_error(&result.get(), "form.reason");
    view! {
        <div class="decision">
            <ActionForm action=local>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="form[verb]" value="approve"/>
                <button type="submit" class="button small primary" disabled=move || local.pending().get()>"Approve"</button>
            </ActionForm>
            <details class="reject" open=move || reason_error().is_some()>
                <summary class="button small">"Reject"</summary>
                <ActionForm action=local attr:novalidate=true>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="form[verb]" value="reject"/>
                    <label for=format!("reject-reason-{id}")>"Reason, for the partner"</label>
                    <textarea id=format!("reject-reason-{id}") name="form[reason]" rows="2"
                        aria-invalid=move || reason_error().is_some().then_some("true")></textarea>
                    {move || reason_error().map(|m| view! { <p class="field-error" role="alert" data-field="reason">{m}</p> })}
                    <button type="submit" class="button small" disabled=move || local.pending().get()>"Reject registration"</button>
                </ActionForm>
            </details>
            {move || result.get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}

/// For administrators: how long an approval protects the account.
#[component]
fn WindowSetting(days: u32) -> impl IntoView {
    let user = use_current_user();
    let action = ServerAction::<SetRegistrationWindow>::new();
    toast_on(action, |days| {
        format!("Approvals now protect accounts for {days} days.")
    });
    let error = move || field_error(&action.value().get(), "days");
    view! {
        <Show when=move || user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::Edit, Area::Settings)))>
            <section class="card form-card window-setting">
                <h2>"Protection window"</h2>
                <ActionForm action attr:class="form inline-form" attr:novalidate=true>
                    <div class="field narrow">
                        <label for="registration-window">"Days an approval protects the account"</label>
                        <input id="registration-window" name="days" inputmode="numeric" value=days.to_string()
                            aria-invalid=move || error().is_some().then_some("true")/>
                        {move || error().map(|m| view! { <p class="field-error" role="alert" data-field="days">{m}</p> })}
                    </div>
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Save"</button>
                </ActionForm>
            </section>
        </Show>
    }
}

/// `/portal/registrations/new`: a partner registers an opportunity.
#[component]
pub fn NewRegistrationPage() -> impl IntoView {
    let action = ServerAction::<RegisterDeal>::new();
    toast_on(action, |row| {
        if row.flagged {
            format!("{} registered: under review.", row.account_name)
        } else {
            format!("{} registered.", row.account_name)
        }
    });
    let result = action.value();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            navigate("/portal/registrations", Default::default());
        }
    });
    let error = move |field: &'static str| move || field_error(&result.get(), field);
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      hint: Option<&'static str>| {
        let invalid = error(id);
        view! {
            <div class="field">
                <label for=format!("registration-{id}")>{label}</label>
                <input id=format!("registration-{id}") name=format!("form[{id}]") type=kind
                    aria-invalid=move || invalid().is_some().then_some("true")/>
                {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
                {move || error(id)().map(|m| view! { <p class="field-error" role="alert" data-field=id>{m}</p> })}
            </div>
        }
    };
    view! {
        <Title text="Register a deal"/>
        <A href="/portal/registrations" attr:class="back-link">"← Your registrations"</A>
        <header class="page-header">
            <h1>"Register a deal"</h1>
            <p class="subtle">"Tell us about an opportunity you found. Once approved, the deal is credited to you and the account is protected for you."</p>
        </header>
        <section class="card form-card">
            <ActionForm action attr:class="form grid-form" attr:novalidate=true attr:data-testid="registration-form">
                {field("account_name", "Account (company)", "text", None)}
                {field("contact_name", "Contact name", "text", None)}
                {field("contact_email", "Contact email", "email", None)}
                {field("estimated_amount", "Estimated amount", "text", Some("In the organization's currency unless you name another, e.g. 48000"))}
                <div class="field">
                    <label for="registration-currency">"Currency"</label>
                    <input id="registration-currency" name="form[currency]" placeholder="Organization's currency" maxlength="3"
                        aria-invalid=move || error("currency")().is_some().then_some("true")/>
                    {move || error("currency")().map(|m| view! { <p class="field-error" role="alert" data-field="currency">{m}</p> })}
                </div>
                {field("expected_close_on", "Expected close", "date", None)}
                <div class="field span-2">
                    <label for="registration-notes">"Notes"</label>
                    <textarea id="registration-notes" name="form[notes]" rows="4"
                        placeholder="The need, the decision makers, the timeline — whatever helps your partner manager approve it."
                        aria-invalid=move || error("notes")().is_some().then_some("true")></textarea>
                    {move || error("notes")().map(|m| view! { <p class="field-error" role="alert" data-field="notes">{m}</p> })}
                </div>
                <div class="form-actions span-2">
                    {move || result.get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Register"</button>
                </div>
            </ActionForm>
        </section>
    }
}
