//! Accepting an invitation: the invited person names themselves and chooses a password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{LeaveWhenSignedIn, adopt_user};
use crate::api::auth::{AcceptInvitation, inspect_link};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, inspect_link);
    let action = ServerAction::<AcceptInvitation>::new();
    let result = action.value();
    adopt_user(result);
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    view! {
        <Title text="Accept your invitation"/>
        <LeaveWhenSignedIn next=Signal::derive(|| None::<String>)/>
        <div class="auth-layout">
            <section class="card auth-card">
                <h1>"Accept your invitation"</h1>
                <Suspense fallback=|| view! { <p class="subtle">"Checking the invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match link.await {
                            Ok(details) if details.role.is_some() => {
                                let joining = match (&details.partner_name, details.role) {
                                    (Some(partner), _) => format!("as a member of {partner}"),
                                    (None, Some(role)) => format!("as {}", role.title().to_lowercase()),
                                    (None, None) => String::new(),
                                };
                                view! {
                                    <p class="subtle" data-testid="invitation-summary">
                                        "Join " <strong>{details.organization_name}</strong> " " {joining} " with "
                                        <strong>{details.email}</strong> "."
                                    </p>
                                    <ActionForm action attr:class="form" attr:novalidate=true>
                                        <input type="hidden" name="token" value=token()/>
                                        <Field label="Your name" name="name" autocomplete="name" required=true error=error("name")/>
                                        <Field label="Password" name="password" kind="password" autocomplete="new-password" required=true
                                            hint="At least 10 characters; a few unrelated words make a strong one." error=error("password")/>
                                        {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>"Join and sign in"</button>
                                    </ActionForm>
                                }.into_any()
                            }
                            Ok(_) => view! { <p>"This link resets a password; it is not an invitation."</p> }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}
