//! Users of the organization: invite, change roles, deactivate.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::users::{
    ChangeRole, InviteUser, PartnerOption, SetUserActive, UserRow, list_users, partner_options,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};
use crate::components::toast::toast_on;
use crate::domain::user::Role;

#[component]
pub fn UsersPage() -> impl IntoView {
    let invite = ServerAction::<InviteUser>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    toast_on(invite, |sent| {
        format!("Invitation for {} is in the outbox.", sent.email)
    });
    toast_on(change_role, |_| "Role changed.".into());
    toast_on(set_active, |_| "Access updated.".into());
    // Any change reloads the list.
    let users = Resource::new(
        move || {
            (
                invite.version().get(),
                change_role.version().get(),
                set_active.version().get(),
            )
        },
        |_| list_users(),
    );
    let change_error = move || {
        [change_role.value().get(), set_active.value().get()]
            .into_iter()
            .find_map(|r| r.and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Users"/>
        <header class="page-header">
            <h1>"Users"</h1>
            <p class="subtle">"Who can sign in to your organization, and with which role. "
                <A href="/admin/outbox">"Open the outbox"</A> " for invitation and reset links."</p>
        </header>
        <InviteForm action=invite/>
        {move || change_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        <section class="card">
            <Suspense fallback=|| view! { <p class="subtle">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(rows) => view! { <UserTable rows change_role set_active/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UserTable(
    rows: Vec<UserRow>,
    change_role: ServerAction<ChangeRole>,
    set_active: ServerAction<SetUserActive>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="users-table">
            <thead>
                <tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Last sign-in"</th><th></th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let id = row.id;
                    let current = row.role;
                    // Staff roles change among themselves; partner users stay partner users.
                    let choices: Vec<Role> = Role::ALL.iter().copied()
                        .filter(|r| (*r == Role::Partner) == (current == Role::Partner))
                        .collect();
                    let locked = row.is_you || current == Role::Partner;
                    view! {
                        <tr data-email=row.email.clone()>
                            <td>{row.name.clone()}{row.is_you.then_some(" (you)")}</td>
                            <td>{row.email.clone()}</td>
                            <td>
                                {if locked {
                                    view! {
                                        <span>{current.title()}{row.partner_name.clone().map(|p| format!(" · {p}"))}</span>
                                    }.into_any()
                                } else {
                                    view! {
                                        <select aria-label=format!("Role of {}", row.email)
                                            on:change=move |ev| {
                                                change_role.dispatch(ChangeRole { user_id: id, role: event_target_value(&ev) });
                                            }>
                                            {choices.iter().map(|r| view! {
                                                <option value=r.as_str() selected=*r == current>{r.title()}</option>
                                            }).collect_view()}
                                        </select>
                                    }.into_any()
                                }}
                            </td>
                            <td>{if row.active { "Active" } else { "Deactivated" }}</td>
                            <td>{row.last_login_at.map_or_else(|| "Never".to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())}</td>
                            <td>
                                {(!row.is_you).then(|| {
                                    let active = row.active;
                                    view! {
                                        <button type="button" class="button small"
                                            on:click=move |_| { set_active.dispatch(SetUserActive { user_id: id, active: !active }); }>
                                            {if active { "Deactivate" } else { "Reactivate" }}
                                        </button>
                                    }
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The invitation form. With `partner`, it invites a partner user bound to that partner (the
/// partner's page uses it so); without, the administrator chooses any role.
#[component]
pub fn InviteForm(
    action: ServerAction<InviteUser>,
    #[prop(optional)] partner: Option<PartnerOption>,
) -> impl IntoView {
    let result = action.value();
    let fixed = partner.is_some();
    let role = RwSignal::new(
        if fixed {
            Role::Partner
        } else {
            Role::PartnerManager
        }
        .as_str()
        .to_owned(),
    );
    let partners = OnceResource::new(partner_options());
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    let heading = partner.as_ref().map_or_else(
        || "Invite someone".to_owned(),
        |p| format!("Invite someone from {}", p.name),
    );
    view! {
        <section class="card">
            <header class="card-header"><h2>{heading}</h2></header>
            <ActionForm action attr:class="form inline-form" attr:novalidate=true attr:data-testid="invite-form">
                <Field label="Email" name="email" kind="email" required=true error=error("email")/>
                {match partner {
                    Some(partner) => view! {
                        <input type="hidden" name="role" value=Role::Partner.as_str()/>
                        <input type="hidden" name="partner_id" value=partner.id.0.to_string()/>
                    }.into_any(),
                    None => view! {
                        <div class="field">
                            <label for="field-role">"Role"</label>
                            <select id="field-role" name="role" on:change=move |ev| role.set(event_target_value(&ev))>
                                {Role::ALL.iter().map(|r| view! {
                                    <option value=r.as_str() selected=*r == Role::PartnerManager>{r.title()}</option>
                                }).collect_view()}
                            </select>
                            {move || error("role").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </div>
                        <Show when=move || role.get() == Role::Partner.as_str()>
                            <div class="field">
                                <label for="field-partner">"Partner"</label>
                                <select id="field-partner" name="partner_id">
                                    <option value="">"Choose a partner…"</option>
                                    <Suspense fallback=|| ()>
                                        {move || Suspend::new(async move {
                                            partners.await.unwrap_or_default().into_iter().map(|p| view! {
                                                <option value=p.id.0.to_string()>{p.name}</option>
                                            }).collect_view()
                                        })}
                                    </Suspense>
                                </select>
                                {move || error("partner_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                            </div>
                        </Show>
                    }.into_any(),
                }}
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"Send invitation"</button>
            </ActionForm>
            {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || result.get().and_then(|r| r.ok()).map(|invitation| view! {
                <div class="notice" role="status" data-testid="invitation-link">
                    <p>{format!("Invitation for {} ({}) is in the outbox. Send them this one-time link:", invitation.email, invitation.role.title())}</p>
                    <p><code class="link">{invitation.link.clone()}</code></p>
                    <p class="subtle">{format!("Expires {}.", invitation.expires_at.format("%Y-%m-%d %H:%M UTC"))}</p>
                </div>
            })}
        </section>
    }
}
