//! Adding and editing a partner. Every error shows next to its field; what was typed stays.

use leptos::prelude::*;

use crate::components::toast::toast_on;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::partners::{SavePartner, get_partner};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};
use crate::domain::ids::PartnerId;
use crate::domain::partner::{PartnerForm, PartnerTier, PartnerType};

#[component]
pub fn NewPartnerPage() -> impl IntoView {
    let form = PartnerForm {
        partner_type: PartnerType::Reseller.as_str().into(),
        tier: PartnerTier::Registered.as_str().into(),
        commission_rate: "10".into(),
        ..Default::default()
    };
    view! {
        <Title text="Add partner"/>
        <header class="page-header">
            <p class="eyebrow"><A href="/partners">"Partners"</A></p>
            <h1>"Add partner"</h1>
            <p class="subtle">"New partners start as invited; move them through onboarding from their page."</p>
        </header>
        <PartnerEditor id=None form paid_by_rule=None/>
    }
}

#[component]
pub fn EditPartnerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<PartnerId>().ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_partner(id).await,
            None => Err(crate::api::AppError::NotFound("the partner".into())),
        }
    });
    view! {
        <Title text="Edit partner"/>
        <Suspense fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! {
                        <header class="page-header">
                            <p class="eyebrow"><A href=format!("/partners/{}", detail.partner.id)>{detail.partner.name.clone()}</A></p>
                            <h1>"Edit partner"</h1>
                        </header>
                        <PartnerEditor id=Some(detail.partner.id) form=detail.form paid_by_rule=detail.paid_by_rule/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PartnerEditor(
    id: Option<PartnerId>,
    form: PartnerForm,
    /// The rule that pays the partner instead of its rate, if one does.
    paid_by_rule: Option<String>,
) -> impl IntoView {
    let rate_hint = match paid_by_rule {
        Some(rule) => format!(
            "0 to 100: what the partner earns on deals no commission rule covers. Today it is paid by {rule}."
        ),
        None => "0 to 100: what the partner earns on deals no commission rule covers.".to_owned(),
    };
    let action = ServerAction::<SavePartner>::new();
    toast_on(action, |_| "Partner saved.".into());
    let result = action.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            navigate(&format!("/partners/{saved}"), Default::default());
        }
    });
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    let cancel = id.map_or_else(|| "/partners".to_owned(), |id| format!("/partners/{id}"));
    let select = move |label: &'static str,
                       field: &'static str,
                       current: String,
                       options: Vec<(&'static str, String)>| {
        view! {
            <div class="field" class:has-error=move || error(field).get().is_some()>
                <label for=format!("field-{field}")>{label}</label>
                <select id=format!("field-{field}") name=format!("form[{field}]")>
                    {options.into_iter().map(|(value, title)| view! {
                        <option value=value selected=current == value>{title}</option>
                    }).collect_view()}
                </select>
                {move || error(field).get().map(|m| view! { <p class="field-error" role="alert" data-field=field>{m}</p> })}
            </div>
        }
    };
    view! {
        <section class="card form-card">
            <ActionForm action attr:class="form grid-form" attr:novalidate=true attr:data-testid="partner-form">
                {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string()/> })}
                <Field label="Name" name="name" input_name="form[name]" required=true value=form.name.clone() error=error("name")/>
                {select("Type", "partner_type", form.partner_type.clone(),
                    PartnerType::ALL.iter().map(|t| (t.as_str(), t.title())).collect())}
                {select("Tier", "tier", form.tier.clone(),
                    PartnerTier::ALL.iter().map(|t| (t.as_str(), t.title())).collect())}
                <Field label="Commission rate (%)" name="commission_rate" input_name="form[commission_rate]"
                    value=form.commission_rate.clone() hint=rate_hint error=error("commission_rate")/>
                <Field label="Contact name" name="contact_name" input_name="form[contact_name]" autocomplete="off"
                    value=form.contact_name.clone() error=error("contact_name")/>
                <Field label="Contact email" name="contact_email" input_name="form[contact_email]" kind="email" autocomplete="off"
                    value=form.contact_email.clone() error=error("contact_email")/>
                <Field label="Website" name="website" input_name="form[website]" autocomplete="off"
                    value=form.website.clone() hint="example.com or https://example.com" error=error("website")/>
                <Field label="Region" name="region" input_name="form[region]" autocomplete="off"
                    value=form.region.clone() error=error("region")/>
                <Field label="Payout currency" name="payout_currency" input_name="form[payout_currency]" autocomplete="off"
                    value=form.payout_currency.clone() hint="Optional, such as EUR: commissions are then also shown converted into it." error=error("payout_currency")/>
                <div class="form-actions">
                    {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Saving…" } else if id.is_some() { "Save changes" } else { "Add partner" }}
                    </button>
                    <A href=cancel attr:class="button">"Cancel"</A>
                </div>
            </ActionForm>
        </section>
    }
}
