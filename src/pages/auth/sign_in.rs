//! The sign-in page, with one login per role listed when the server runs with demo data.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{LeaveWhenSignedIn, adopt_user};
use crate::api::auth::{DemoLogins, SignIn, fetch_demo_logins};
use crate::components::form::{Field, field_error, form_error};

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = Signal::derive(move || query.read().get("next"));
    let action = ServerAction::<SignIn>::new();
    let result = action.value();
    adopt_user(result);
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let fill = Callback::new(move |(login, secret): (String, String)| {
        if let (Some(email), Some(password)) = (email.get(), password.get()) {
            email.set_value(&login);
            password.set_value(&secret);
            let _ = password.focus();
        }
    });
    // Loaded by the browser after hydration, with no <Suspense>: the server's answer is then plain
    // HTML with nothing left to stream, so the page every visit starts on can never stall on a
    // chunk that does not come (Leptos' out-of-order streaming has been seen to lose one).
    let demo = LocalResource::new(fetch_demo_logins);
    view! {
        <Title text="Sign in"/>
        <LeaveWhenSignedIn next/>
        <div class="auth-layout">
            <section class="card auth-card">
                <h1>"Sign in"</h1>
                <p class="subtle">"Partner attribution, commissions and payouts for your partner program."</p>
                <ActionForm action attr:class="form" attr:novalidate=true attr:data-testid="sign-in-form">
                    <Field label="Email" name="email" kind="email" autocomplete="username" required=true
                        node_ref=email error=Signal::derive(move || field_error(&result.get(), "email"))/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true
                        node_ref=password error=Signal::derive(move || field_error(&result.get(), "password"))/>
                    <label class="checkbox">
                        <input type="checkbox" name="remember" value="on"/>
                        " Keep me signed in on this device"
                    </label>
                    {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="auth-links">
                    <A href="/forgot-password">"Forgot your password?"</A>
                    " · "
                    <A href="/sign-up">"Create an organization"</A>
                </p>
            </section>
            {move || {
                demo.get()
                    .and_then(|answer| answer.ok().flatten())
                    .map(|logins| view! { <DemoLoginList logins fill/> })
            }}
        </div>
    }
}

#[component]
fn DemoLoginList(logins: DemoLogins, fill: Callback<(String, String)>) -> impl IntoView {
    let password = logins.password.clone();
    view! {
        <section class="card auth-card demo-logins" data-testid="demo-logins">
            <h2>"Demo logins"</h2>
            <p class="subtle">
                "This server runs with demo data. Every demo user's password is "
                <code>{logins.password.clone()}</code>"."
            </p>
            <table class="table">
                <thead><tr><th>"Role"</th><th>"Email"</th><th></th></tr></thead>
                <tbody>
                    {logins.logins.into_iter().map(|login| {
                        let email = login.email.clone();
                        let password = password.clone();
                        view! {
                            <tr data-role=login.role.as_str()>
                                <td>{login.role.title()}</td>
                                <td><code>{login.email.clone()}</code></td>
                                <td>
                                    <button type="button" class="button small"
                                        on:click=move |_| fill.run((email.clone(), password.clone()))>
                                        "Use"
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
