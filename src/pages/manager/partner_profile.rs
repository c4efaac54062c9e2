//! One partner: details, onboarding status with its allowed next steps, and its portal users.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::partners::StatusBadge;
use crate::api::partners::{ChangePartnerStatus, PartnerDetail, get_partner};
use crate::api::users::{InviteUser, PartnerOption};
use crate::components::feedback::ErrorPanel;
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::ids::PartnerId;
use crate::pages::admin::users::InviteForm;

#[component]
pub fn PartnerProfilePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<PartnerId>().ok())
    };
    let change_status = ServerAction::<ChangePartnerStatus>::new();
    let invite = ServerAction::<InviteUser>::new();
    toast_on(change_status, |status| {
        format!("The partner is now {}.", status.title().to_lowercase())
    });
    toast_on(invite, |sent| {
        format!("Invitation for {} is in the outbox.", sent.email)
    });
    let detail = Resource::new(
        move || (id(), change_status.version().get(), invite.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_partner(id).await,
                None => Err(crate::api::AppError::NotFound("the partner".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading partner"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Profile detail change_status invite/> }.into_any(),
                    Err(error) => view! { <Title text="Partner"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Profile(
    detail: PartnerDetail,
    change_status: ServerAction<ChangePartnerStatus>,
    invite: ServerAction<InviteUser>,
) -> impl IntoView {
    let user = use_current_user();
    let allowed =
        move |action, resource| user.with(|u| u.as_ref().is_some_and(|u| u.can(action, resource)));
    let partner = detail.partner.clone();
    let id = partner.id;
    let status_error = move || {
        change_status
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    let option = PartnerOption {
        id,
        name: partner.name.clone(),
    };
    view! {
        <Title text=partner.name.clone()/>
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow"><A href="/partners">"Partners"</A></p>
                <h1 data-testid="partner-name">{partner.name.clone()}</h1>
                <p class="subtle">
                    {format!("{} · {} tier · ", partner.partner_type.title(), partner.tier.title())}
                    <StatusBadge status=partner.status/>
                </p>
            </div>
            <Show when=move || allowed(Action::Edit, Area::Partners)>
                <div class="actions" data-testid="status-actions">
                    {detail.next_statuses.iter().map(|&to| view! {
                        <button type="button" class="button"
                            disabled=move || change_status.pending().get()
                            on:click=move |_| { change_status.dispatch(ChangePartnerStatus { id, status: to }); }>
                            {format!("Mark {}", to.title().to_lowercase())}
                        </button>
                    }).collect_view()}
                    <A href=format!("/partners/{id}/edit") attr:class="button">"Edit"</A>
                </div>
            </Show>
            <A href=format!("/deals?partner={id}") attr:class="button">"Deals"</A>
        </header>
        {move || status_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <section class="card details">
            <dl class="facts">
                <div><dt>"Commission rate"</dt><dd data-testid="partner-rate">{partner.commission_rate.to_string()}</dd></div>
                <div><dt>"Contact"</dt><dd>{detail.contact_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Email"</dt><dd>{partner.contact_email.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Website"</dt><dd>{match detail.website.clone() {
                    Some(site) => {
                        let href = site.clone();
                        view! { <a href=href rel="noopener noreferrer" target="_blank">{site}</a> }.into_any()
                    }
                    None => view! { "—" }.into_any(),
                }}</dd></div>
                <div><dt>"Region"</dt><dd>{partner.region.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"In the program since"</dt><dd>{partner.created_at.format("%Y-%m-%d").to_string()}</dd></div>
            </dl>
        </section>
        <section class="card">
            <header class="card-header"><h2>"Portal users"</h2></header>
            {if detail.users.is_empty() {
                view! { <p class="card-body subtle">"Nobody from this partner can sign in to the portal yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="partner-users">
                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Status"</th></tr></thead>
                        <tbody>
                            {detail.users.into_iter().map(|u| view! {
                                <tr><td>{u.name}</td><td>{u.email}</td><td>{if u.active { "Active" } else { "Deactivated" }}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <Show when=move || allowed(Action::Edit, Area::Users)>
            <InviteForm action=invite partner=option.clone()/>
        </Show>
    }
}
