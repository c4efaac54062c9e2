//! Sign-up: a new organization and its first administrator.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{LeaveWhenSignedIn, adopt_user};
use crate::api::auth::SignUp;
use crate::components::form::{Field, field_error, form_error};

/// Offered first; any ISO 4217 code may be typed in the API.
const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR", "SGD",
];

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let result = action.value();
    adopt_user(result);
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    view! {
        <Title text="Create an organization"/>
        <LeaveWhenSignedIn next=Signal::derive(|| None::<String>)/>
        <div class="auth-layout">
            <section class="card auth-card">
                <h1>"Create an organization"</h1>
                <p class="subtle">"You become its administrator and can invite your team and partners."</p>
                <ActionForm action attr:class="form" attr:novalidate=true attr:data-testid="sign-up-form">
                    <Field label="Organization name" name="organization" autocomplete="organization" required=true error=error("organization")/>
                    <div class="field" class:has-error=move || error("currency").get().is_some()>
                        <label for="field-currency">"Base currency"</label>
                        <select id="field-currency" name="currency">
                            {CURRENCIES.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
                        </select>
                        <p class="field-hint">"Reports and commission totals are shown in this currency."</p>
                        {move || error("currency").get().map(|m| view! { <p class="field-error" role="alert" data-field="currency">{m}</p> })}
                    </div>
                    <Field label="Your name" name="name" autocomplete="name" required=true error=error("name")/>
                    <Field label="Work email" name="email" kind="email" autocomplete="email" required=true error=error("email")/>
                    <Field label="Password" name="password" kind="password" autocomplete="new-password" required=true
                        hint="At least 10 characters; a few unrelated words make a strong one." error=error("password")/>
                    {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Creating…" } else { "Create organization" }}
                    </button>
                </ActionForm>
                <p class="auth-links">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
            </section>
        </div>
    }
}
