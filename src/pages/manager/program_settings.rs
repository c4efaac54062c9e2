//! The partner program's settings: the attributed revenue each tier asks for, which partners see
//! their progress against in the portal.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::AppError;
use crate::api::settings::{ProgramSettings, SaveProgramSettings, load_program_settings};
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};

/// The settings section: attribution, CRM integrations, and (for administrators) the program, API
/// keys and webhooks.
#[component]
pub fn SettingsNav() -> impl IntoView {
    let user = use_current_user();
    view! {
        <nav class="subnav" aria-label="Settings">
            <A href="/settings/attribution">"Attribution"</A>
            <Show when=move || user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::View, Area::Settings)))>
                <A href="/settings/program">"Program tiers"</A>
                <A href="/settings/api-keys">"API keys"</A>
                <A href="/settings/webhooks">"Webhooks"</A>
            </Show>
            <Show when=move || user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::View, Area::Integrations)))>
                <A href="/settings/integrations">"Integrations"</A>
            </Show>
        </nav>
    }
}

#[component]
pub fn ProgramSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveProgramSettings>::new();
    toast_on(save, |_| "Tier bars saved.".into());
    let settings = Resource::new(|| (), |_| load_program_settings());
    view! {
        <Title text="Program tiers"/>
        <header class="page-header">
            <h1>"Program tiers"</h1>
            <p class="subtle">
                "The attributed revenue — a partner's credit under the payable model on deals won in the last 12 months — each tier asks for. Partners see their progress toward the next tier in their portal; you still move them up on their profile."
            </p>
        </header>
        <SettingsNav/>
        <Suspense fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading settings"></div> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <BarsForm settings save/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BarsForm(settings: ProgramSettings, save: ServerAction<SaveProgramSettings>) -> impl IntoView {
    let result = save.value();
    let error = move |field: &'static str| field_error(&result.get(), field);
    let currency = settings.currency;
    let field = move |key: &'static str, label: &'static str, value: String| {
        view! {
            <div class="field">
                <label for=format!("bar-{key}")>{format!("{label} from ({currency})")}</label>
                <input id=format!("bar-{key}") name=format!("form[{key}]") inputmode="numeric" value=value
                    disabled=!settings.editable
                    aria-invalid=move || error(key).is_some().then_some("true")/>
                {move || error(key).map(|m| view! { <p class="field-error" role="alert" data-field=key>{m}</p> })}
            </div>
        }
    };
    view! {
        <section class="card form-card">
            <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="tier-bars">
                {field("silver", "Silver", settings.form.silver.clone())}
                {field("gold", "Gold", settings.form.gold.clone())}
                {field("platinum", "Platinum", settings.form.platinum.clone())}
                {settings.editable.then(|| view! {
                    <div class="form-actions">
                        {move || result.get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                        <button type="submit" class="button primary" disabled=move || save.pending().get()>"Save tier bars"</button>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}
