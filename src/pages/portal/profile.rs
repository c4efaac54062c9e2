//! The partner's profile: its facts, contacts and payout details (the account masked), and its
//! portal users. Its administrator edits the contacts and payout details and invites colleagues.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::AppError;
use crate::api::portal::{
    InviteColleague, PortalProfile, SavePayoutDetails, SavePortalContacts, load_portal_profile,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::toast::toast_on;
use crate::domain::payout_details::PayoutMethod;

#[component]
pub fn PortalProfilePage() -> impl IntoView {
    let contacts = ServerAction::<SavePortalContacts>::new();
    let payout = ServerAction::<SavePayoutDetails>::new();
    let invite = ServerAction::<InviteColleague>::new();
    toast_on(contacts, |_| "Contacts saved.".into());
    toast_on(payout, |_| "Payout details saved.".into());
    toast_on(invite, |sent| format!("Invitation sent to {}.", sent.email));
    // Reloaded after a save that succeeded only: a refused one keeps what was typed.
    let saved = RwSignal::new(0u32);
    let on_success = move |done: bool| {
        if done {
            saved.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| on_success(matches!(contacts.value().get(), Some(Ok(_)))));
    Effect::new(move |_| on_success(matches!(payout.value().get(), Some(Ok(_)))));
    Effect::new(move |_| on_success(matches!(invite.value().get(), Some(Ok(_)))));
    let profile = Resource::new(move || saved.get(), |_| load_portal_profile());
    view! {
        <Title text="Your profile"/>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading your profile"></div> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileView profile contacts payout invite/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| profile.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn other_error<T>(result: &Option<Result<T, AppError>>) -> Option<String> {
    result
        .as_ref()
        .and_then(|r| r.as_ref().err())
        .filter(|e| !matches!(e, AppError::Invalid { .. }))
        .map(|e| e.to_string())
}

#[component]
fn ProfileView(
    profile: PortalProfile,
    contacts: ServerAction<SavePortalContacts>,
    payout: ServerAction<SavePayoutDetails>,
    invite: ServerAction<InviteColleague>,
) -> impl IntoView {
    let admin = profile.is_admin;
    let facts = [
        Some(profile.partner_type.title()),
        Some(format!("{} tier", profile.tier.title())),
        profile.region.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let contact_error = move |field: &'static str| field_error(&contacts.value().get(), field);
    let payout_error = move |field: &'static str| field_error(&payout.value().get(), field);
    let invite_error = move || field_error(&invite.value().get(), "email");
    let stored = profile.payout.clone();
    let method_now = stored.as_ref().map(|p| p.method);
    let masked = stored.as_ref().map(|p| p.account_masked.clone());
    view! {
        <header class="page-header">
            <h1>{profile.partner_name.clone()}</h1>
            <p class="subtle">{facts}</p>
            {(!admin).then(|| view! { <p class="subtle small">"Your partner's administrator keeps these details up to date."</p> })}
        </header>
        <div class="settings-layout">
            <section class="card form-card" data-testid="profile-contacts">
                <h2>"Contacts"</h2>
                {if admin {
                    view! {
                        <ActionForm action=contacts attr:class="form" attr:novalidate=true>
                            <div class="field">
                                <label for="contact-name">"Contact name"</label>
                                <input id="contact-name" name="form[contact_name]" value=profile.contact_name.clone().unwrap_or_default()/>
                                {move || contact_error("contact_name").map(|m| view! { <p class="field-error" role="alert" data-field="contact_name">{m}</p> })}
                            </div>
                            <div class="field">
                                <label for="contact-email">"Contact email"</label>
                                <input id="contact-email" name="form[contact_email]" type="email" value=profile.contact_email.clone().unwrap_or_default()
                                    aria-invalid=move || contact_error("contact_email").is_some().then_some("true")/>
                                {move || contact_error("contact_email").map(|m| view! { <p class="field-error" role="alert" data-field="contact_email">{m}</p> })}
                            </div>
                            <div class="field">
                                <label for="contact-website">"Website"</label>
                                <input id="contact-website" name="form[website]" value=profile.website.clone().unwrap_or_default()
                                    aria-invalid=move || contact_error("website").is_some().then_some("true")/>
                                {move || contact_error("website").map(|m| view! { <p class="field-error" role="alert" data-field="website">{m}</p> })}
                            </div>
                            <div class="form-actions">
                                {move || other_error(&contacts.value().get()).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                                <button type="submit" class="button primary" disabled=move || contacts.pending().get()>"Save contacts"</button>
                            </div>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <dl class="facts">
                            <div><dt>"Contact"</dt><dd>{profile.contact_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt>"Email"</dt><dd>{profile.contact_email.clone().unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt>"Website"</dt><dd>{profile.website.clone().unwrap_or_else(|| "—".into())}</dd></div>
                        </dl>
                    }.into_any()
                }}
            </section>
            <section class="card form-card" data-testid="profile-payout">
                <h2>"Payout details"</h2>
                {match &stored {
                    Some(p) => view! {
                        <p data-testid="payout-summary">
                            {format!("{} · {} · ", p.method.label(), p.holder)}
                            <span class="mono" data-testid="payout-account">{p.account_masked.clone()}</span>
                        </p>
                    }.into_any(),
                    None => view! { <p class="subtle">"No payout details yet: commissions cannot be paid until they are set."</p> }.into_any(),
                }}
                {profile.payout_currency.map(|c| view! { <p class="subtle small">{format!("Paid in {c}, converted at the rate of each deal's close.")}</p> })}
                {admin.then(|| view! {
                    <ActionForm action=payout attr:class="form" attr:novalidate=true>
                        <div class="field">
                            <label for="payout-method">"Method"</label>
                            <select id="payout-method" name="form[method]">
                                {PayoutMethod::ALL.iter().map(|m| view! {
                                    <option value=m.as_str() selected=method_now == Some(*m)>{m.label()}</option>
                                }).collect_view()}
                            </select>
                            {move || payout_error("method").map(|m| view! { <p class="field-error" role="alert" data-field="method">{m}</p> })}
                        </div>
                        <div class="field">
                            <label for="payout-holder">"Account holder"</label>
                            <input id="payout-holder" name="form[holder]" value=stored.as_ref().map(|p| p.holder.clone()).unwrap_or_default()
                                aria-invalid=move || payout_error("holder").is_some().then_some("true")/>
                            {move || payout_error("holder").map(|m| view! { <p class="field-error" role="alert" data-field="holder">{m}</p> })}
                        </div>
                        <div class="field">
                            <label for="payout-account">"Account (IBAN, or the PayPal / Wise email)"</label>
                            <input id="payout-account" name="form[account]" autocomplete="off"
                                placeholder=masked.clone().map(|m| format!("Leave blank to keep {m}")).unwrap_or_default()
                                aria-invalid=move || payout_error("account").is_some().then_some("true")/>
                            {move || payout_error("account").map(|m| view! { <p class="field-error" role="alert" data-field="account">{m}</p> })}
                        </div>
                        <div class="form-actions">
                            {move || other_error(&payout.value().get()).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            <button type="submit" class="button primary" disabled=move || payout.pending().get()>"Save payout details"</button>
                        </div>
                    </ActionForm>
                })}
            </section>
        </div>
        <section class="card" data-testid="profile-users">
            <h2 class="card-title">"Your team in the portal"</h2>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Last sign-in"</th></tr></thead>
                    <tbody>
                        {profile.colleagues.into_iter().map(|u| view! {
                            <tr data-testid="colleague-row">
                                <td>{u.name}{(!u.active).then(|| view! { <span class="badge status-inactive">"Deactivated"</span> })}</td>
                                <td>{u.email}</td>
                                <td>{if u.admin { "Administrator" } else { "Member" }}</td>
                                <td class="date">{u.last_login_at.map(|t| t.date_naive().to_string()).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                        {profile.invited.into_iter().map(|(email, expires)| view! {
                            <tr data-testid="invited-row" class="subtle">
                                <td>"—"</td>
                                <td>{email}</td>
                                <td>"Invited"</td>
                                <td class="date">{format!("link expires {}", expires.date_naive())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {admin.then(|| view! {
                <div class="card-body">
                    <ActionForm action=invite attr:class="form inline-form" attr:novalidate=true>
                        <div class="field grow">
                            <label for="invite-email">"Invite a colleague"</label>
                            <input id="invite-email" name="email" type="email" placeholder="name@your-company.example"
                                aria-invalid=move || invite_error().is_some().then_some("true")/>
                            {move || invite_error().map(|m| view! { <p class="field-error" role="alert" data-field="email">{m}</p> })}
                        </div>
                        <button type="submit" class="button" disabled=move || invite.pending().get()>"Send invitation"</button>
                    </ActionForm>
                    {move || other_error(&invite.value().get()).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    {move || invite.value().get().and_then(|r| r.ok()).map(|sent| view! {
                        <p class="notice" data-testid="invitation-link">
                            {format!("Invitation for {} — share this one-time link (expires {}): ", sent.email, sent.expires_at.date_naive())}
                            <code>{sent.link}</code>
                        </p>
                    })}
                </div>
            })}
        </section>
    }
}
