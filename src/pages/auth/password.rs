//! Forgotten passwords: asking for a reset link, and choosing a new password from one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{LeaveWhenSignedIn, adopt_user};
use crate::api::auth::{RequestPasswordReset, ResetPassword, inspect_link};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let result = action.value();
    view! {
        <Title text="Reset your password"/>
        <div class="auth-layout">
            <section class="card auth-card">
                <h1>"Reset your password"</h1>
                {move || match result.get() {
                    Some(Ok(())) => view! {
                        <div class="notice" role="status" data-testid="reset-requested">
                            <p>"If an account uses this email, a reset link is ready. This installation sends no email: the link is in your organization's outbox, which your administrator can open under Users → Outbox."</p>
                            <p>"The link works once and expires in a few hours."</p>
                        </div>
                    }.into_any(),
                    _ => view! {
                        <ActionForm action attr:class="form" attr:novalidate=true>
                            <Field label="Email" name="email" kind="email" autocomplete="username" required=true
                                error=Signal::derive(move || field_error(&result.get(), "email"))/>
                            {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>"Prepare a reset link"</button>
                        </ActionForm>
                    }.into_any(),
                }}
                <p class="auth-links"><A href="/sign-in">"Back to sign in"</A></p>
            </section>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, inspect_link);
    let action = ServerAction::<ResetPassword>::new();
    let result = action.value();
    adopt_user(result);
    view! {
        <Title text="Choose a new password"/>
        <LeaveWhenSignedIn next=Signal::derive(|| None::<String>)/>
        <div class="auth-layout">
            <section class="card auth-card">
                <h1>"Choose a new password"</h1>
                <Suspense fallback=|| view! { <p class="subtle">"Checking the link…"</p> }>
                    {move || Suspend::new(async move {
                        match link.await {
                            Ok(details) => view! {
                                <p class="subtle">"For " <strong>{details.email}</strong> " at " {details.organization_name} "."</p>
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="token" value=token()/>
                                    <Field label="New password" name="password" kind="password" autocomplete="new-password" required=true
                                        hint="At least 10 characters; a few unrelated words make a strong one."
                                        error=Signal::derive(move || field_error(&result.get(), "password"))/>
                                    {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Save and sign in"</button>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}
