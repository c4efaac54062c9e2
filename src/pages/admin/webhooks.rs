//! Webhooks: the organization's endpoints (add one, see which are failing or switched off), and
//! one endpoint's page: its events and address, signing secret, switch, and delivery log with
//! "Redeliver".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::webhooks::{
    DeleteWebhookEndpoint, DeliveryRow, EndpointRow, RedeliverWebhook, SaveWebhookEndpoint,
    SetWebhookEnabled, load_webhook_endpoint, load_webhook_endpoints, load_webhook_targets,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{field_error, form_error};
use crate::components::toast::toast_on;
use crate::domain::webhook::{EndpointForm, EventType};

/// What the server's outbound rule means for the address typed.
pub fn target_rule_text(private_allowed: bool) -> &'static str {
    if private_allowed {
        "This server also sends to plain http:// and private network addresses (allow-private-targets is on in its settings)."
    } else {
        "A public https:// address: this server never sends to its own machine or a private network."
    }
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn state_badge(row: &EndpointRow) -> impl IntoView + use<> {
    let (class, text) = if !row.enabled {
        ("badge status-inactive", "Switched off")
    } else if row.failure_streak > 0 {
        ("badge status-invited", "Failing")
    } else {
        ("badge status-active", "Active")
    };
    view! { <span class=class>{text}</span> }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let save = ServerAction::<SaveWebhookEndpoint>::new();
    let endpoints = Resource::new(move || save.version().get(), |_| load_webhook_endpoints());
    // A new endpoint opens its page, where its secret is.
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            use_navigate()(&format!("/settings/webhooks/{id}"), Default::default());
        }
    });
    view! {
        <Title text="Webhooks"/>
        <header class="page-header">
            <h1>"Webhooks"</h1>
            <p class="subtle">"Messages to your systems when something happens: a deal won, a payout paid, a dispute opened. Each is signed (Standard Webhooks: "<code>"webhook-id"</code>", "<code>"webhook-timestamp"</code>", "<code>"webhook-signature"</code>"), retried for about ten hours if your endpoint fails, and logged."</p>
        </header>
        <crate::pages::manager::program_settings::SettingsNav/>
        <section class="card">
            <header class="card-header"><h2>"Add an endpoint"</h2></header>
            <div class="card-body"><EndpointEditor action=save id=None initial=EndpointForm::default()/></div>
        </section>
        <section class="card">
            <Suspense fallback=|| view! { <p class="subtle">"Loading endpoints…"</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Ok(rows) if rows.is_empty() => view! { <div class="card-body"><p class="empty">"No endpoints yet."</p></div> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table" data-testid="endpoints-table">
                                <thead><tr><th>"Endpoint"</th><th>"Events"</th><th>"State"</th><th>"Added"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|row| {
                                        let badge = state_badge(&row);
                                        let events = row.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                                        view! {
                                        <tr>
                                            <td><A href=format!("/settings/webhooks/{}", row.id)>{row.url.clone()}</A>
                                                {row.description.clone().map(|d| view! { <div class="subtle">{d}</div> })}</td>
                                            <td>{events}</td>
                                            <td>{badge}</td>
                                            <td>{when(row.created_at)}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The address, description and events of an endpoint; what was typed stays on an error.
#[component]
fn EndpointEditor(
    action: ServerAction<SaveWebhookEndpoint>,
    id: Option<i64>,
    initial: EndpointForm,
) -> impl IntoView {
    let url = RwSignal::new(initial.url.clone());
    let description = RwSignal::new(initial.description.clone());
    let events = RwSignal::new(initial.events.clone());
    let targets = Resource::new(|| (), |_| load_webhook_targets());
    let result = action.value();
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveWebhookEndpoint {
            id,
            form: EndpointForm {
                url: url.get_untracked(),
                description: description.get_untracked(),
                events: events.get_untracked(),
            },
        });
    };
    let field_message = move |field: &'static str| {
        move || {
            error(field)
                .get()
                .map(|m| view! { <p class="field-error" role="alert" data-field=field>{m}</p> })
        }
    };
    view! {
        <form class="form" novalidate=true on:submit=submit data-testid="endpoint-form">
            <div class="field">
                <label for="field-url">"Endpoint URL"</label>
                <input id="field-url" type="url" placeholder="https://example.com/webhooks/partner-attribution"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <Suspense fallback=|| ()>
                    {move || targets.get().and_then(Result::ok).map(|rule| view! {
                        <p class="subtle" data-testid="target-rule">{target_rule_text(rule.private_allowed)}</p>
                    })}
                </Suspense>
                {field_message("url")}
            </div>
            <div class="field">
                <label for="field-description">"Description (optional)"</label>
                <input id="field-description" type="text"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                {field_message("description")}
            </div>
            <fieldset class="field">
                <legend>"Events"</legend>
                {EventType::ALL.iter().map(|&event| {
                    let name = event.as_str();
                    view! {
                        <label class="check">
                            <input type="checkbox" value=name
                                prop:checked=move || events.with(|e| e.iter().any(|x| x == name))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    events.update(|e| {
                                        e.retain(|x| x != name);
                                        if on { e.push(name.to_owned()); }
                                    });
                                }/>
                            " "<code>{name}</code>" — "{event.describe()}
                        </label>
                    }
                }).collect_view()}
                {field_message("events")}
            </fieldset>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                {if id.is_some() { "Save endpoint" } else { "Add endpoint" }}
            </button>
            {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        </form>
    }
}

#[component]
pub fn WebhookEndpointPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let save = ServerAction::<SaveWebhookEndpoint>::new();
    let switch = ServerAction::<SetWebhookEnabled>::new();
    let redeliver = ServerAction::<RedeliverWebhook>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    toast_on(save, |_| "Endpoint saved.".into());
    toast_on(switch, |_| "Endpoint updated.".into());
    toast_on(redeliver, |_| {
        "Queued again: it goes out within seconds.".into()
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            use_navigate()("/settings/webhooks", Default::default());
        }
    });
    let detail = Resource::new(
        move || {
            (
                id(),
                save.version().get(),
                switch.version().get(),
                redeliver.version().get(),
            )
        },
        |(id, ..)| load_webhook_endpoint(id),
    );
    let action_error = move || {
        [
            switch.value().get().map(|r| r.err()),
            redeliver.value().get().map(|r| r.err()),
            delete.value().get().map(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    let reveal = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    view! {
        <Title text="Webhook endpoint"/>
        <p><A href="/settings/webhooks">"← Webhooks"</A></p>
        <Suspense fallback=|| view! { <p class="subtle">"Loading the endpoint…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => {
                        let row = detail.endpoint.clone();
                        let endpoint_id = row.id;
                        let enabled = row.enabled;
                        let secret = detail.secret.clone();
                        view! {
                            <header class="page-header">
                                <h1 class="break">{row.url.clone()}</h1>
                                <p>{state_badge(&row)}" "{row.disabled_reason.clone()}</p>
                            </header>
                            {move || action_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                            <section class="card">
                                <header class="card-header"><h2>"Signing secret"</h2></header>
                                <div class="card-body">
                                <p class="subtle">"Verify each message with it: HMAC-SHA256 over "<code>"{webhook-id}.{webhook-timestamp}.{body}"</code>", compared with "<code>"webhook-signature"</code>"."</p>
                                <p>
                                    <code class="link secret" data-testid="endpoint-secret">{move || if reveal.get() { secret.clone() } else { "whsec_••••••••••••••••".to_owned() }}</code>
                                    " "<button type="button" class="button small" on:click=move |_| reveal.update(|r| *r = !*r)>
                                        {move || if reveal.get() { "Hide" } else { "Reveal" }}
                                    </button>
                                </p>
                                <div class="actions">
                                    <button type="button" class="button" on:click=move |_| { switch.dispatch(SetWebhookEnabled { id: endpoint_id, enabled: !enabled }); }>
                                        {if enabled { "Switch off" } else { "Switch on" }}
                                    </button>
                                    <button type="button" class="button" on:click=move |_| confirming.update(|c| *c = !*c)>"Delete…"</button>
                                    <Show when=move || confirming.get()>
                                        <span role="group" aria-label="Delete the endpoint">
                                            "Its log and any pending messages go too. "
                                            <button type="button" class="button danger small" on:click=move |_| { delete.dispatch(DeleteWebhookEndpoint { id: endpoint_id }); }>"Delete endpoint"</button>
                                        </span>
                                    </Show>
                                </div>
                                </div>
                            </section>
                            <section class="card">
                                <header class="card-header"><h2>"Address and events"</h2></header>
                                <div class="card-body"><EndpointEditor action=save id=Some(endpoint_id) initial=detail.form.clone()/></div>
                            </section>
                            <section class="card">
                                <header class="card-header"><h2>"Deliveries"</h2></header>
                                <DeliveryLog rows=detail.deliveries.clone() redeliver enabled/>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryLog(
    rows: Vec<DeliveryRow>,
    redeliver: ServerAction<RedeliverWebhook>,
    enabled: bool,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <div class="card-body"><p class="empty">"Nothing sent yet. Messages appear here as events happen."</p></div> }.into_any();
    }
    view! {
        <table class="table" data-testid="deliveries">
            <thead><tr><th>"Event"</th><th>"Message"</th><th>"Status"</th><th class="num">"Attempts"</th><th>"Last answer"</th><th>"When"</th><th></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|d| {
                    let id = d.id;
                    let answer = match (d.last_status, d.last_error.clone()) {
                        (Some(code), Some(error)) => format!("{code} · {error}"),
                        (Some(code), None) => code.to_string(),
                        (None, Some(error)) => error,
                        (None, None) => "—".to_owned(),
                    };
                    let when_text = match (d.delivered_at, d.next_attempt_at, d.last_attempt_at) {
                        (Some(at), _, _) => format!("Delivered {}", when(at)),
                        (None, Some(next), _) if d.status.as_str() == "pending" => format!("Next try {}", when(next)),
                        (None, _, Some(last)) => format!("Last tried {}", when(last)),
                        _ => format!("Queued {}", when(d.created_at)),
                    };
                    let status_class = format!("badge delivery-{}", d.status.as_str());
                    view! {
                        <tr data-delivery=d.id>
                            <td><code>{d.event.as_str()}</code></td>
                            <td><code>{d.message_id.clone()}</code></td>
                            <td><span class=status_class>{d.status.title()}</span></td>
                            <td class="num">{d.attempts}</td>
                            <td class="break">{answer}</td>
                            <td>{when_text}</td>
                            <td>
                                <button type="button" class="button small" disabled=move || !enabled || redeliver.pending().get()
                                    on:click=move |_| { redeliver.dispatch(RedeliverWebhook { delivery_id: id }); }>
                                    "Redeliver"
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}
