//! Disputes: the list (by status, newest first) and one dispute with its thread, where managers
//! reply, start the review, resolve with an adjustment or reject with an answer. Partner users see
//! the same pages in the portal (`portal`): only their own partner's disputes, the thread and the
//! reply box, and no links into the workspace.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::AppError;
use crate::api::disputes::{
    ActOnDispute, DisputeDetail, DisputePage, DisputeRow, ReplyToDispute, get_dispute,
    list_disputes,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::list_query::{Pager, use_page, use_param, use_set_params};
use crate::components::toast::toast_on;
use crate::domain::dispute::{DisputeVerb, Side};
use crate::domain::ids::DisputeId;
use crate::domain::payout::DisputeStatus;

#[component]
pub fn DisputeBadge(status: DisputeStatus) -> impl IntoView {
    view! { <span class=format!("badge dispute-{}", status.as_str()) data-testid="dispute-status">{status.title()}</span> }
}

/// Where the dispute pages live: in the workspace, or in the partner portal.
fn base(portal: bool) -> &'static str {
    if portal {
        "/portal/disputes"
    } else {
        "/disputes"
    }
}

/// A link into the workspace, or plain text in the portal.
fn link(portal: bool, href: String, text: String) -> AnyView {
    if portal {
        view! { <span>{text}</span> }.into_any()
    } else {
        view! { <A href=href>{text}</A> }.into_any()
    }
}

/// What a dispute is about, linked to the deal in the workspace.
#[component]
fn SubjectLink(row: DisputeRow, #[prop(optional)] portal: bool) -> impl IntoView {
    let deal = row.deal_id.map(|id| {
        let name = row
            .deal_name
            .clone()
            .unwrap_or_else(|| format!("Deal #{id}"));
        link(portal, format!("/deals/{id}"), name)
    });
    match row.payout_id {
        Some(payout) => {
            view! { <span>{format!("Payout #{payout}")}{deal.map(|d| view! { " · " {d} })}</span> }
                .into_any()
        }
        None => view! { <span>"Attribution · "{deal}</span> }.into_any(),
    }
}

#[component]
pub fn DisputesPage(#[prop(optional)] portal: bool) -> impl IntoView {
    let param = use_param();
    let status = Memo::new(move |_| param("status").and_then(|s| s.parse::<DisputeStatus>().ok()));
    let page = use_page();
    let disputes = Resource::new(
        move || (status.get(), page.get()),
        |(status, page)| list_disputes(status, None, Some(page)),
    );
    let set_params = use_set_params(base(portal));
    let tab = move |value: Option<DisputeStatus>, label: String| {
        let key = value.map(|s| s.as_str()).unwrap_or("");
        view! {
            <button type="button" class="status-tab"
                aria-pressed=move || (status.get() == value).to_string()
                data-testid=format!("dispute-tab-{}", if key.is_empty() { "all" } else { key })
                on:click=move |_| set_params.run(vec![("status", key.to_owned())])>
                {label}
            </button>
        }
    };
    view! {
        <Title text="Disputes"/>
        <header class="page-header">
            <div>
                <h1>"Disputes"</h1>
                <p class="subtle">{if portal {
                    "Your questions about an attribution or a payout, and the answers."
                } else {
                    "Partners' and managers' challenges to an attribution or a payout, and their answers."
                }}</p>
            </div>
        </header>
        <div class="status-tabs" role="group" aria-label="Dispute status">
            {tab(None, "All".into())}
            {DisputeStatus::ALL.iter().map(|s| tab(Some(*s), s.title())).collect_view()}
        </div>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading disputes"></div> }>
            {move || Suspend::new(async move {
                match disputes.await {
                    Ok(page) => view! { <DisputeTable page set_params portal/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| disputes.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DisputeTable(
    page: DisputePage,
    set_params: crate::components::list_query::SetParams,
    portal: bool,
) -> impl IntoView {
    if page.rows.is_empty() {
        return view! {
            <section class="card empty-state" data-testid="disputes-empty">
                <h2>"No disputes here"</h2>
                <p class="subtle">{format!("{} still open or under review in all.", page.open)}</p>
            </section>
        }
        .into_any();
    }
    let shown = page.rows.len();
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="table" data-testid="disputes-table">
                    <thead><tr><th>"Dispute"</th><th>"Partner"</th><th>"About"</th><th>"Reason"</th><th>"Status"</th><th>"Opened"</th></tr></thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| {
                            let (id, partner, status) = (row.id, row.partner_id, row.status);
                            let (name, reason) = (row.partner_name.clone(), row.reason.clone());
                            let opened = row.opened_at.date_naive().to_string();
                            view! {
                                <tr data-testid="dispute-row">
                                    <td><A href=format!("{}/{id}", base(portal))>{format!("#{id}")}</A></td>
                                    <td>{link(portal, format!("/partners/{partner}"), name)}</td>
                                    <td><SubjectLink row portal/></td>
                                    <td class="reason">{reason}</td>
                                    <td><DisputeBadge status/></td>
                                    <td class="date">{opened}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page page_size=page.page_size shown total=page.total testid="disputes-range" set_params/>
        </section>
    }
    .into_any()
}

#[component]
pub fn DisputePage(#[prop(optional)] portal: bool) -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<DisputeId>().ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_dispute(id).await,
            None => Err(AppError::NotFound("the dispute".into())),
        }
    });
    view! {
        <Title text="Dispute"/>
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <DisputeView detail=d portal on_change=Callback::new(move |_| detail.refetch())/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DisputeView(detail: DisputeDetail, portal: bool, on_change: Callback<()>) -> impl IntoView {
    let DisputeDetail {
        dispute,
        opened_by,
        resolution,
        adjustment,
        amount_in_question,
        thread,
        verbs,
        can_reply,
    } = detail;
    let id = dispute.id;
    let (partner, partner_name, status) = (
        dispute.partner_id,
        dispute.partner_name.clone(),
        dispute.status,
    );
    let opened = format!(
        "Opened {}{}",
        dispute.opened_at.date_naive(),
        opened_by.map(|n| format!(" by {n}")).unwrap_or_default()
    );
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><A href=base(portal)>"Disputes"</A></p>
                <h1>{format!("Dispute #{id}")}" "<DisputeBadge status/></h1>
                <p class="subtle">{opened}</p>
            </div>
        </header>
        <div class="dispute-layout">
            <section class="card dispute-facts">
                <dl class="facts">
                    <div><dt>"Partner"</dt><dd>{link(portal, format!("/partners/{partner}"), partner_name)}</dd></div>
                    <div><dt>"About"</dt><dd><SubjectLink row=dispute portal/></dd></div>
                    {amount_in_question.map(|m| view! { <div><dt>"Amount in question"</dt><dd>{m.format()}</dd></div> })}
                    {resolution.map(|r| view! { <div><dt>"Answer"</dt><dd data-testid="dispute-answer">{r}</dd></div> })}
                    {adjustment.map(|(payout, amount)| view! {
                        <div><dt>"Adjustment"</dt><dd data-testid="dispute-adjustment">
                            {amount.format()}" "
                            {link(portal, format!("/payouts?partner={partner}"), format!("(payout #{payout}, for finance to approve)"))}
                        </dd></div>
                    })}
                </dl>
            </section>
            <section class="card thread" aria-label="Thread" data-testid="dispute-thread">
                <ol class="messages">
                    {thread.into_iter().map(|m| view! {
                        <li class=format!("message side-{}", m.side.as_str())>
                            <p class="message-meta">
                                <strong>{m.author}</strong>
                                {match m.side { Side::Partner => " · partner", Side::Company => " · company" }}
                                <span class="subtle">{format!(" · {}", m.at.format("%Y-%m-%d %H:%M"))}</span>
                            </p>
                            <p class="message-body">{m.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
                {can_reply.then(|| view! { <ReplyForm id on_change/> })}
            </section>
        </div>
        {(!verbs.is_empty()).then(|| view! { <Decision id verbs on_change/> })}
    }
}

#[component]
fn ReplyForm(id: DisputeId, on_change: Callback<()>) -> impl IntoView {
    let action = ServerAction::<ReplyToDispute>::new();
    toast_on(action, |_| "Reply sent.".into());
    let result = action.value();
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            // Sent: clear the box for the next message.
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            on_change.run(());
        }
    });
    view! {
        <ActionForm action node_ref=form attr:class="form reply-form" attr:novalidate=true attr:data-testid="reply-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="field">
                <label for="reply-body">"Reply"</label>
                <textarea id="reply-body" name="body" rows="3"
                    aria-invalid=move || field_error(&result.get(), "body").is_some().then_some("true")></textarea>
                {move || field_error(&result.get(), "body").map(|m| view! { <p class="field-error" role="alert" data-field="body">{m}</p> })}
            </div>
            <button type="submit" class="button" disabled=move || action.pending().get()>"Send reply"</button>
        </ActionForm>
    }
}

/// The company's decision: start the review, resolve with an adjustment, or reject.
#[component]
fn Decision(id: DisputeId, verbs: Vec<DisputeVerb>, on_change: Callback<()>) -> impl IntoView {
    let action = ServerAction::<ActOnDispute>::new();
    toast_on(action, |_| "Dispute updated.".into());
    let result = action.value();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            on_change.run(());
        }
    });
    let error = move |field: &'static str| {
        move || {
            field_error(&result.get(), &format!("form.{field}"))
                .or_else(|| field_error(&result.get(), field))
        }
    };
    let closes = verbs
        .iter()
        .any(|v| matches!(v, DisputeVerb::Resolve | DisputeVerb::Reject));
    let can_resolve = verbs.contains(&DisputeVerb::Resolve);
    let can_review = verbs.contains(&DisputeVerb::StartReview);
    let can_reject = verbs.contains(&DisputeVerb::Reject);
    view! {
        <section class="card form-card decision" data-testid="dispute-decision">
            <h2 class="card-title">"Decision"</h2>
            {can_review.then(|| view! {
                <ActionForm action attr:class="form inline-form" attr:data-testid="start-review">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="form[verb]" value="start_review"/>
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Start review"</button>
                    <span class="subtle">"Tells the partner the dispute is being looked at."</span>
                </ActionForm>
            })}
            {closes.then(|| view! {
                <ActionForm action attr:class="form" attr:novalidate=true attr:data-testid="close-dispute">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="field">
                        <label for="dispute-answer">"Answer to the partner"</label>
                        <textarea id="dispute-answer" name="form[answer]" rows="3"
                            aria-invalid=move || error("answer")().is_some().then_some("true")></textarea>
                        {move || error("answer")().map(|m| view! { <p class="field-error" role="alert" data-field="answer">{m}</p> })}
                    </div>
                    {can_resolve.then(|| view! {
                        <div class="field narrow">
                            <label for="dispute-adjustment">"Adjustment"</label>
                            <input id="dispute-adjustment" name="form[adjustment]" inputmode="decimal" autocomplete="off"
                                aria-invalid=move || error("adjustment")().is_some().then_some("true")/>
                            <p class="field-hint">"In the payout's currency: positive pays more, negative takes back. Added to the queue as pending."</p>
                            {move || error("adjustment")().map(|m| view! { <p class="field-error" role="alert" data-field="adjustment">{m}</p> })}
                        </div>
                    })}
                    <fieldset class="field decision-choice">
                        <legend>"Outcome"</legend>
                        {can_resolve.then(|| view! {
                            <label><input type="radio" name="form[verb]" value="resolve" checked=true/>" Resolve with the adjustment"</label>
                        })}
                        {can_reject.then(|| view! {
                            <label><input type="radio" name="form[verb]" value="reject" checked=!can_resolve/>" Reject: the answer explains why"</label>
                        })}
                    </fieldset>
                    <div class="form-actions">
                        {move || result.get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>"Close the dispute"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

/// Opens a dispute: of a won deal's attribution (`deal`) or of one ledger entry (`payout`).
/// Staff choose the partner; in the portal it is always the partner user's own.
#[component]
pub fn DisputeOpener(
    #[prop(optional)] deal: Option<crate::domain::ids::DealId>,
    #[prop(optional)] payout: Option<crate::domain::ids::PayoutId>,
    #[prop(optional)] portal: bool,
) -> impl IntoView {
    use crate::api::disputes::OpenDispute;
    use crate::components::partner_picker::PartnerPicker;
    let action = ServerAction::<OpenDispute>::new();
    toast_on(action, |_| "Dispute opened.".into());
    let result = action.value();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = result.get() {
            let base = if portal {
                "/portal/disputes"
            } else {
                "/disputes"
            };
            navigate(&format!("{base}/{id}"), Default::default());
        }
    });
    let error = move |field: &'static str| move || field_error(&result.get(), field);
    let summary = if payout.is_some() {
        "Dispute this commission"
    } else {
        "Dispute this attribution"
    };
    view! {
        <details class="card dispute-opener" data-testid="dispute-opener" open=portal>
            <summary>{summary}</summary>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="form[deal_id]" value=deal.map(|d| d.to_string()).unwrap_or_default()/>
                <input type="hidden" name="form[payout_id]" value=payout.map(|p| p.to_string()).unwrap_or_default()/>
                {(!portal).then(|| view! {
                    <div class="field">
                        <label for="dispute-partner">"For partner"</label>
                        <PartnerPicker id="dispute-partner" name="form[partner_id]"
                            invalid=Signal::derive(move || error("partner_id")().is_some())/>
                        {move || error("partner_id")().map(|m| view! { <p class="field-error" role="alert" data-field="partner_id">{m}</p> })}
                    </div>
                })}
                <div class="field">
                    <label for="dispute-reason">"Reason"</label>
                    <textarea id="dispute-reason" name="form[reason]" rows="4"
                        placeholder=portal.then_some("What looks wrong, and what you expected — the more precise, the faster the answer.")
                        aria-invalid=move || error("reason")().is_some().then_some("true")></textarea>
                    {move || error("reason")().map(|m| view! { <p class="field-error" role="alert" data-field="reason">{m}</p> })}
                    {move || error("subject")().map(|m| view! { <p class="field-error" role="alert" data-field="subject">{m}</p> })}
                </div>
                <div class="form-actions">
                    {move || result.get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Open dispute"</button>
                </div>
            </ActionForm>
        </details>
    }
}
