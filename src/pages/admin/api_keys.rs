//! API keys for the REST API: create one (its secret shown once), see when each was last used,
//! revoke one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::api_keys::{ApiKeyRow, CreateApiKey, RevokeApiKey, load_api_keys};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};
use crate::components::toast::toast_on;
use crate::domain::api_key::KeyScope;
use crate::domain::ids::ApiKeyId;

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    toast_on(revoke, |_| {
        "Key revoked: requests with it are refused from now on.".into()
    });
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| load_api_keys(),
    );
    let revoke_error = move || {
        revoke
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <Title text="API keys"/>
        <header class="page-header">
            <h1>"API keys"</h1>
            <p class="subtle">"Keys let your CRM, scripts and data tools use the "
                <A href="/api-docs">"REST API"</A>
                " for your organization. Send one as "<code>"Authorization: Bearer <key>"</code>"."</p>
        </header>
        <crate::pages::manager::program_settings::SettingsNav/>
        <CreateKeyForm action=create/>
        {move || revoke_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        <section class="card">
            <Suspense fallback=|| view! { <p class="subtle">"Loading keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <div class="card-body"><p class="empty" data-testid="no-keys">"No keys yet. Create one above for each system that calls the API, so you can revoke one without the others."</p></div>
                        }.into_any(),
                        Ok(rows) => view! { <KeyTable rows revoke/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CreateKeyForm(action: ServerAction<CreateApiKey>) -> impl IntoView {
    let result = action.value();
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    view! {
        <section class="card">
            <header class="card-header"><h2>"Create a key"</h2></header>
            <ActionForm action attr:class="form inline-form" attr:novalidate=true attr:data-testid="create-key-form">
                <Field label="Name" name="name" input_name="form[name]" required=true
                    hint="What will use it, such as \"HubSpot sync\"." error=error("name")/>
                <div class="field">
                    <label for="field-scope">"Scope"</label>
                    <select id="field-scope" name="form[scope]">
                        {KeyScope::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=*s == KeyScope::Read>{format!("{} — {}", s.title(), s.describe())}</option>
                        }).collect_view()}
                    </select>
                    {move || error("scope").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"Create key"</button>
            </ActionForm>
            {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || result.get().and_then(|r| r.ok()).map(|created| view! {
                <div class="notice" role="status" data-testid="new-key">
                    <p><strong>{format!("Key \"{}\" created.", created.key.name)}</strong>
                        " Copy it now and keep it somewhere safe: it is not shown again."</p>
                    <p><code class="link secret" data-testid="new-key-secret">{created.secret.clone()}</code></p>
                </div>
            })}
        </section>
    }
}

#[component]
fn KeyTable(rows: Vec<ApiKeyRow>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    view! {
        <table class="table" data-testid="keys-table">
            <thead>
                <tr><th>"Name"</th><th>"Scope"</th><th>"Key"</th><th>"Created"</th><th>"Last used"</th><th>"Status"</th><th></th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let live = row.revoked_at.is_none();
                    view! {
                        <tr data-key=row.name.clone() class:muted=!live>
                            <td>{row.name.clone()}</td>
                            <td>{row.scope.title()}</td>
                            <td><code>{format!("{}…", row.starts_with)}</code></td>
                            <td>{when(row.created_at)}{row.created_by.clone().map(|by| format!(" by {by}"))}</td>
                            <td>{row.last_used_at.map_or_else(|| "Never".to_owned(), when)}</td>
                            <td>{row.revoked_at.map_or_else(|| "Active".to_owned(), |at| format!("Revoked {}", when(at)))}</td>
                            <td>{live.then(|| view! { <RevokeButton id=row.id name=row.name.clone() revoke/> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn RevokeButton(id: ApiKeyId, name: String, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <button type="button" class="button small" on:click=move |_| confirming.update(|c| *c = !*c)
            aria-expanded=move || confirming.get().to_string()>
            "Revoke…"
        </button>
        <Show when=move || confirming.get()>
            <div class="lost-form" role="group" aria-label=format!("Revoke {name}")>
                <p>"Requests with this key will be refused at once. This cannot be undone."</p>
                <button type="button" class="button danger small" disabled=move || revoke.pending().get()
                    on:click=move |_| { revoke.dispatch(RevokeApiKey { id }); }>
                    "Revoke key"
                </button>
            </div>
        </Show>
    }
}
