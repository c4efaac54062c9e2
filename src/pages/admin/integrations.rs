//! CRM integrations: the three CRMs with how each stands; one connection's page (its sync
//! buttons and progress, settings with field and stage mapping and write-back, the address its
//! webhooks go to, recent syncs); and one sync's page with the records it could not take.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::AppError;
use crate::api::crm::{
    CancelSync, ConnectionSummary, ConnectionView, Disconnect, ERRORS_SHOWN, SaveConnection,
    StartSync, SyncSummary, TestConnection, load_connection, load_connections, load_sync,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{field_error, form_error};
use crate::components::job_progress::{self, Count, JobProgress, JobView, Standing};
use crate::components::refresh::tick_while;
use crate::components::toast::toast_on;
use crate::domain::crm::{ConnectionForm, CrmKind, SyncMode, SyncStatus};
use crate::domain::touchpoint::TouchpointKind;

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn standing(status: SyncStatus) -> Standing {
    match status {
        SyncStatus::Done => Standing::Done,
        SyncStatus::Queued | SyncStatus::Running => Standing::Working,
        SyncStatus::Failed | SyncStatus::Cancelled => Standing::Stopped,
    }
}

fn status_badge(status: SyncStatus) -> impl IntoView {
    job_progress::status_badge(standing(status), status.title(), "sync-status")
}

fn mode_text(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::Backfill => "Full backfill",
        SyncMode::Incremental => "Changes",
        SyncMode::Webhook => "Changes (webhook)",
    }
}

/// A sync as the shared progress card shows it.
fn job_view(sync: &SyncSummary) -> JobView {
    let counted = match sync.total {
        Some(total) => format!("{} of {total} records read", sync.fetched),
        None => format!("{} records read", sync.fetched),
    };
    let waiting = sync.waiting_until.map(|at| {
        format!(
            " · the CRM asked to wait: going on at {}",
            at.format("%H:%M:%S UTC")
        )
    });
    JobView {
        standing: standing(sync.status),
        status: sync.status.title(),
        status_testid: "sync-status",
        percent: sync.percent(),
        bar_label: "Records synced",
        summary: counted + waiting.as_deref().unwrap_or_default(),
        summary_testid: Some("sync-progress"),
        counts: vec![
            Count::marked("Created", sync.created, "sync-created"),
            Count::new("Updated", sync.updated),
            Count::new("Unchanged", sync.unchanged),
            Count::marked("Failed", sync.failed, "sync-failed"),
            Count::new("Written back", sync.written_back),
        ],
        failure: sync.failure.clone(),
    }
}

fn kind_of(text: Option<String>) -> CrmKind {
    text.and_then(|k| k.parse().ok())
        .unwrap_or(CrmKind::HubSpot)
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let connections = Resource::new(|| (), |_| load_connections());
    view! {
        <Title text="Integrations"/>
        <header class="page-header">
            <h1>"Integrations"</h1>
            <p class="subtle">"Deals and partner touches flow in from your CRM, and each won deal's attribution flows back. Syncs run in the background: a full backfill once, then what changed every few minutes and whenever the CRM sends a webhook."</p>
        </header>
        <crate::pages::manager::program_settings::SettingsNav/>
        <Suspense fallback=|| view! { <p class="subtle">"Loading integrations…"</p> }>
            {move || Suspend::new(async move {
                match connections.await {
                    Ok(rows) => view! {
                        <div class="crm-grid" data-testid="integrations">
                            {rows.into_iter().map(|row| view! { <ConnectionCard row/> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConnectionCard(row: ConnectionSummary) -> impl IntoView {
    let (class, state) = match (&row.configured, row.enabled) {
        (false, _) => ("badge", "Not connected"),
        (true, false) => ("badge status-inactive", "Switched off"),
        (true, true) => ("badge status-active", "Connected"),
    };
    let href = format!("/settings/integrations/{}", row.kind.as_str());
    view! {
        <section class="card" data-crm=row.kind.as_str()>
            <header class="card-header"><h2>{row.kind.name()}</h2><span class=class>{state}</span></header>
            <div class="card-body">
                {match &row.last_sync {
                    Some(sync) => view! {
                        <p>{status_badge(sync.status)}" "{mode_text(sync.mode)}" · "{when(sync.created_at)}</p>
                        <p class="subtle">{format!("{} created, {} updated, {} failed", sync.created, sync.updated, sync.failed)}</p>
                    }.into_any(),
                    None => view! { <p class="subtle">"Never synced."</p> }.into_any(),
                }}
                {row.synced_until.map(|at| view! { <p class="subtle">"Up to date with changes until "{when(at)}</p> })}
                <A href=href attr:class="button">{if row.configured { "Open" } else { "Set up" }}</A>
            </div>
        </section>
    }
}

#[component]
pub fn IntegrationPage() -> impl IntoView {
    let params = use_params_map();
    let kind = move || kind_of(params.with(|p| p.get("kind")));
    let save = ServerAction::<SaveConnection>::new();
    let start = ServerAction::<StartSync>::new();
    let test = ServerAction::<TestConnection>::new();
    toast_on(save, |_| "Connection saved.".into());
    toast_on(test, |message: &String| message.clone());
    toast_on(start, |_| "Sync queued: it starts within seconds.".into());
    let tick = RwSignal::new(0u32);
    // Only a save that went through reloads the settings: a refused one keeps what was typed.
    let saved = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.update(|n| *n += 1);
        }
    });
    // The sync panel and history are asked again while a sync runs; the settings form is not,
    // so typing in it is never interrupted.
    let view_of = Resource::new(
        move || (kind(), saved.get(), start.version().get(), tick.get()),
        |(kind, ..)| load_connection(kind),
    );
    let settings_of = Resource::new(
        move || (kind(), saved.get()),
        |(kind, _)| load_connection(kind),
    );
    // Ask again while a sync is queued or running.
    tick_while(
        move || {
            view_of
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|v| v.syncs.first().is_some_and(|s| !s.status.is_finished()))
        },
        tick,
    );
    let start_error = move || match start.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <Title text=move || kind().name()/>
        <p><A href="/settings/integrations">"← Integrations"</A></p>
        <header class="page-header">
            <h1>{move || kind().name()}</h1>
        </header>
        <Transition fallback=|| view! { <p class="subtle">"Loading the connection…"</p> }>
            {move || Suspend::new(async move {
                match view_of.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(connection) => {
                        let kind = connection.kind;
                        let can_sync = connection.can_edit && connection.configured && connection.form.enabled;
                        let current = connection.syncs.first().cloned();
                        let busy = current.as_ref().is_some_and(|s| !s.status.is_finished());
                        view! {
                            <section class="card">
                                <header class="card-header"><h2>"Sync"</h2></header>
                                <div class="card-body" data-testid="sync-panel">
                                    {match &current {
                                        Some(sync) => {
                                            let log = format!("/settings/integrations/{}/syncs/{}", kind.as_str(), sync.id);
                                            view! {
                                            <JobProgress job=job_view(sync) lead=format!("{} · started {}{}", mode_text(sync.mode), when(sync.created_at),
                                                sync.started_by.clone().map(|by| format!(" by {by}")).unwrap_or_default())>
                                                <p><A href=log>"Sync log"</A></p>
                                            </JobProgress>
                                            }.into_any()
                                        }
                                        None => view! { <p class="empty">"Nothing synced yet."</p> }.into_any(),
                                    }}
                                    {connection.synced_until.map(|at| view! { <p class="subtle">"Changes are read from "{when(at)}" on."</p> })}
                                    <Show when=move || connection.can_edit>
                                        <div class="actions">
                                            <button type="button" class="button primary" disabled=move || !can_sync || busy || start.pending().get()
                                                on:click=move |_| { start.dispatch(StartSync { kind, mode: SyncMode::Incremental }); }>
                                                "Sync changes now"
                                            </button>
                                            <button type="button" class="button" disabled=move || !can_sync || busy || start.pending().get()
                                                on:click=move |_| { start.dispatch(StartSync { kind, mode: SyncMode::Backfill }); }>
                                                "Full backfill"
                                            </button>
                                            <button type="button" class="button" disabled=move || !connection.configured || test.pending().get()
                                                on:click=move |_| { test.dispatch(TestConnection { kind }); }>
                                                {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                                            </button>
                                        </div>
                                        {(!can_sync).then(|| view! { <p class="subtle">"Save the settings with a token and switch the connection on to sync."</p> })}
                                    </Show>
                                    {move || start_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                                    {move || match test.value().get() {
                                        Some(Err(error)) => Some(view! { <p class="form-error" role="alert" data-testid="test-result">{error.to_string()}</p> }),
                                        _ => None,
                                    }}
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading settings"></div> }>
            {move || Suspend::new(async move {
                match settings_of.await {
                    Ok(connection) => view! { <ConnectionSettings connection save/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                view_of.await.ok().map(|connection| view! {
                    <section class="card">
                        <header class="card-header"><h2>"Recent syncs"</h2></header>
                        <SyncTable kind=connection.kind rows=connection.syncs.clone()/>
                    </section>
                    {(connection.configured && connection.can_edit).then(|| view! { <DisconnectCard kind=connection.kind/> })}
                })
            })}
        </Transition>
    }
}

/// Forgetting the connection, behind a second click.
#[component]
fn DisconnectCard(kind: CrmKind) -> impl IntoView {
    let disconnect = ServerAction::<Disconnect>::new();
    let confirming = RwSignal::new(false);
    toast_on(disconnect, move |_| {
        format!("{} disconnected.", kind.name())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = disconnect.value().get() {
            use_navigate()("/settings/integrations", Default::default());
        }
    });
    view! {
        <section class="card">
            <header class="card-header"><h2>"Disconnect"</h2></header>
            <div class="card-body">
                <p class="subtle">"Forgets the token, the mapping and the sync history. Deals already synced stay, with their CRM ids: connecting again finds them."</p>
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| confirming.update(|c| *c = !*c)>
                        {format!("Disconnect {}…", kind.name())}
                    </button>
                    <Show when=move || confirming.get()>
                        <span role="group" aria-label="Disconnect">
                            <button type="button" class="button danger small" disabled=move || disconnect.pending().get()
                                on:click=move |_| { disconnect.dispatch(Disconnect { kind }); }>
                                "Disconnect"
                            </button>
                        </span>
                    </Show>
                </div>
                {move || match disconnect.value().get() {
                    Some(Err(error)) => Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> }),
                    _ => None,
                }}
            </div>
        </section>
    }
}

/// One text setting, bound to its part of the form, with its error under it.
#[component]
fn Setting(
    label: &'static str,
    name: &'static str,
    form: RwSignal<ConnectionForm>,
    get: fn(&ConnectionForm) -> String,
    set: fn(&mut ConnectionForm, String),
    error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: Option<String>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type=kind name=name placeholder=placeholder disabled=disabled autocomplete="off"
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-field=name>{m}</p> })}
        </div>
    }
}

fn partner_field_hint(kind: CrmKind) -> &'static str {
    match kind {
        CrmKind::HubSpot => {
            "The deal property holding the partner's name (several separated by ;)."
        }
        CrmKind::Salesforce => {
            "OpportunityPartner for the Partners related list, or an opportunity field such as Partner_Name__c or Partner__r.Name."
        }
        CrmKind::Pipedrive => {
            "The key of the deal's custom field holding the partner (the 40-character hash Pipedrive shows for it)."
        }
    }
}

const PUBLIC_ONLY: &str = "This server reaches only public https:// addresses, never its own machine or a private network.";
const PRIVATE_ALLOWED: &str = "This server also reaches plain http:// and private network addresses (allow-private-targets is on in its settings), for a CRM on your own network.";

fn stage_hint(kind: CrmKind) -> &'static str {
    match kind {
        CrmKind::HubSpot => {
            "One rule a line: HubSpot stage id = open, won or lost. Stages no rule names are open."
        }
        CrmKind::Salesforce => {
            "One rule a line: stage name = open, won or lost. Without a rule, Salesforce's own Won and Closed flags decide."
        }
        CrmKind::Pipedrive => {
            "One rule a line: stage id = open, won or lost. Without a rule, the deal's status (open, won, lost) decides."
        }
    }
}

#[component]
fn ConnectionSettings(
    connection: ConnectionView,
    save: ServerAction<SaveConnection>,
) -> impl IntoView {
    let kind = connection.kind;
    let readonly = !connection.can_edit;
    let private_targets = connection.private_targets_allowed;
    let form = RwSignal::new(connection.form.clone());
    let result = save.value();
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveConnection {
            kind,
            form: form.get_untracked(),
        });
    };
    // A saved form forgets the secrets typed into it.
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            form.update(|f| {
                f.token.clear();
                f.webhook_secret.clear();
            });
        }
    });
    let token_placeholder = connection
        .has_token
        .then(|| "Saved: leave empty to keep it".to_owned());
    let secret_placeholder = connection
        .has_webhook_secret
        .then(|| "Saved: leave empty to keep it".to_owned());
    view! {
        <section class="card">
            <header class="card-header"><h2>"Connection"</h2></header>
            <div class="card-body">
            <form class="form" novalidate=true on:submit=submit data-testid="connection-form">
                <label class="check">
                    <input type="checkbox" name="enabled" disabled=readonly
                        prop:checked=move || form.with(|f| f.enabled)
                        on:change=move |ev| form.update(|f| f.enabled = event_target_checked(&ev))/>
                    " Sync with "{kind.name()}
                </label>
                <div class="grid-form">
                <Setting label="API address" name="base_url" form get=|f| f.base_url.clone() set=|f, v| f.base_url = v
                    error=error("base_url") disabled=readonly
                    hint=format!("{} {}", match kind {
                        CrmKind::Salesforce => "Your instance, such as https://yourcompany.my.salesforce.com.".to_owned(),
                        _ => format!("{}'s API: {}.", kind.name(), kind.default_base_url()),
                    }, if private_targets { PRIVATE_ALLOWED } else { PUBLIC_ONLY })/>
                {(kind == CrmKind::Salesforce).then(|| view! {
                    <Setting label="Consumer key" name="client_id" form get=|f| f.client_id.clone() set=|f, v| f.client_id = v
                        error=error("client_id") disabled=readonly
                        hint="The connected app's consumer key, for its client credentials flow: each sync then signs in for a fresh access token. Empty: the token below is an access token, used until it expires.".to_owned()/>
                })}
                <Setting label=kind.token_label() name="token" kind="password" form get=|f| f.token.clone() set=|f, v| f.token = v
                    error=error("token") placeholder=token_placeholder.unwrap_or_default() disabled=readonly
                    hint=match kind {
                        CrmKind::Salesforce => "With a consumer key: the connected app's consumer secret; without: an OAuth access token. Stored encrypted; never shown again.",
                        _ => "Stored encrypted; never shown again.",
                    }.to_owned()/>
                {kind.webhook_secret_label().map(|label| view! {
                    <Setting label=label name="webhook_secret" kind="password" form get=|f| f.webhook_secret.clone() set=|f, v| f.webhook_secret = v
                        error=error("webhook_secret") placeholder=secret_placeholder.clone().unwrap_or_default() disabled=readonly/>
                })}
                </div>
                {connection.webhook_url.clone().map(|url| view! {
                    <p class="subtle">"Point the CRM's deal webhooks at "<code class="break" data-testid="webhook-url">{url}</code></p>
                })}
                <fieldset class="field grid-form">
                    <legend>"Mapping"</legend>
                    <Setting label="Partner field" name="partner_field" form get=|f| f.partner_field.clone() set=|f, v| f.partner_field = v
                        error=error("partner_field") hint=partner_field_hint(kind).to_owned() disabled=readonly/>
                    {(kind == CrmKind::HubSpot).then(|| view! {
                        <Setting label="Partner association label" name="partner_association" form
                            get=|f| f.partner_association.clone() set=|f, v| f.partner_association = v
                            error=error("partner_association") disabled=readonly
                            hint="The label of the deal-to-company association that marks a partner (such as Referral partner); such a company counts as the deal's partner, not its account. Empty: the partner field only.".to_owned()/>
                    })}
                    <Setting label="Currency field" name="currency_field" form get=|f| f.currency_field.clone() set=|f, v| f.currency_field = v
                        error=error("currency_field") hint="Empty: every deal is in the default currency.".to_owned() disabled=readonly/>
                    <Setting label="Default currency" name="default_currency" form get=|f| f.default_currency.clone() set=|f, v| f.default_currency = v
                        error=error("default_currency") disabled=readonly/>
                    <div class="field wide">
                        <label for="field-stage_rules">"Stage mapping"</label>
                        <textarea id="field-stage_rules" name="stage_rules" rows="4" disabled=readonly
                            prop:value=move || form.with(|f| f.stage_rules.clone())
                            on:input=move |ev| form.update(|f| f.stage_rules = event_target_value(&ev))></textarea>
                        <p class="field-hint">{stage_hint(kind)}</p>
                        {move || error("stage_rules").get().map(|m| view! { <p class="field-error" role="alert" data-field="stage_rules">{m}</p> })}
                    </div>
                    <div class="field">
                        <label for="field-touch_kind">"A partner on a CRM deal counts as"</label>
                        <select id="field-touch_kind" name="touch_kind" disabled=readonly
                            on:change=move |ev| form.update(|f| f.touch_kind = event_target_value(&ev))>
                            {TouchpointKind::ALL.iter().map(|&k| view! {
                                <option value=k.as_str() selected=move || form.with(|f| f.touch_kind == k.as_str())>{k.title()}</option>
                            }).collect_view()}
                        </select>
                        {move || error("touch_kind").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    </div>
                </fieldset>
                <fieldset class="field grid-form">
                    <legend>"Write-back of won deals"</legend>
                    <Setting label="Attribution field" name="attribution_field" form get=|f| f.attribution_field.clone() set=|f, v| f.attribution_field = v
                        error=error("attribution_field") hint="Receives each partner's share, such as \"Apex Cloud 60%; Northstar 40%\". Empty: not written.".to_owned() disabled=readonly/>
                    <Setting label="Partner-sourced field" name="sourced_field" form get=|f| f.sourced_field.clone() set=|f, v| f.sourced_field = v
                        error=error("sourced_field") hint="Receives true when a partner brought the deal in. Empty: not written.".to_owned() disabled=readonly/>
                </fieldset>
                <Show when=move || !readonly>
                    <div class="form-actions">
                        <button type="submit" class="button primary" disabled=move || save.pending().get()>"Save connection"</button>
                    </div>
                </Show>
                {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            </form>
            </div>
        </section>
    }
}

#[component]
fn SyncTable(kind: CrmKind, rows: Vec<SyncSummary>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <div class="card-body"><p class="empty">"No syncs yet."</p></div> }
            .into_any();
    }
    view! {
        <table class="table" data-testid="syncs-table">
            <thead><tr>
                <th>"Started"</th><th>"Reads"</th><th>"Status"</th><th class="num">"Read"</th><th class="num">"Created"</th>
                <th class="num">"Updated"</th><th class="num">"Unchanged"</th><th class="num">"Failed"</th><th>"By"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td><A href=format!("/settings/integrations/{}/syncs/{}", kind.as_str(), row.id)>{when(row.created_at)}</A></td>
                        <td>{mode_text(row.mode)}</td>
                        <td>{status_badge(row.status)}</td>
                        <td class="num">{row.fetched}</td>
                        <td class="num">{row.created}</td>
                        <td class="num">{row.updated}</td>
                        <td class="num">{row.unchanged}</td>
                        <td class="num">{row.failed}</td>
                        <td>{row.started_by.clone().unwrap_or_else(|| "Scheduled".to_owned())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

/// One sync: progress while it runs (asked again every second), its counts and the records it
/// could not take.
#[component]
pub fn SyncPage() -> impl IntoView {
    let params = use_params_map();
    let kind = move || kind_of(params.with(|p| p.get("kind")));
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let tick = RwSignal::new(0u32);
    let cancel = ServerAction::<CancelSync>::new();
    let detail = Resource::new(
        move || (id(), tick.get(), cancel.version().get()),
        |(id, ..)| load_sync(id),
    );
    tick_while(
        move || {
            detail
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|d| !d.sync.status.is_finished())
        },
        tick,
    );
    let cancel_error = move || match cancel.value().get() {
        Some(Err::<(), AppError>(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <Title text="Sync log"/>
        <p><A href=move || format!("/settings/integrations/{}", kind().as_str())>{move || format!("← {}", kind().name())}</A></p>
        <Transition fallback=|| view! { <p class="subtle">"Loading the sync…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(detail) => {
                        let sync = detail.sync.clone();
                        let running = !sync.status.is_finished();
                        let id = sync.id;
                        view! {
                            <header class="page-header">
                                <h1>{format!("{} sync", sync.kind.name())}</h1>
                                <p class="subtle">{format!("{} · started {}{}", mode_text(sync.mode), when(sync.created_at),
                                    sync.started_by.clone().map(|by| format!(" by {by}")).unwrap_or_default())}
                                    {sync.since.map(|at| format!(" · changes since {}", when(at)))}</p>
                            </header>
                            <section class="card">
                                <div class="card-body">
                                    <JobProgress job=job_view(&sync)>
                                        <Show when=move || running>
                                            <button type="button" class="button" on:click=move |_| { cancel.dispatch(CancelSync { id }); }>"Cancel sync"</button>
                                        </Show>
                                        {move || cancel_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                                    </JobProgress>
                                </div>
                            </section>
                            <section class="card">
                                <header class="card-header"><h2>"Records with errors"</h2></header>
                                {if detail.errors.is_empty() {
                                    view! { <div class="card-body"><p class="empty">"None."</p></div> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="sync-errors">
                                            <thead><tr><th>"CRM id"</th><th>"Record"</th><th>"Problem"</th></tr></thead>
                                            <tbody>
                                                {detail.errors.iter().map(|e| view! {
                                                    <tr><td><code>{e.external_id.clone()}</code></td><td>{e.name.clone()}</td><td>{e.message.clone()}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        {(detail.error_count > ERRORS_SHOWN).then(|| view! {
                                            <p class="subtle card-body">{format!("The first {ERRORS_SHOWN} of {} problems.", detail.error_count)}</p>
                                        })}
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
