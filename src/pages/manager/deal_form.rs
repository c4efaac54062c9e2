//! Adding and editing an open deal.

use leptos::prelude::*;

use crate::components::toast::toast_on;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::deals::{SaveDeal, get_deal};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};
use crate::domain::deal::DealForm;
use crate::domain::ids::DealId;

/// Offered first in the currency list; the organization's base currency is preselected.
const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR", "SGD",
];

#[component]
pub fn NewDealPage() -> impl IntoView {
    let form = DealForm {
        currency: "USD".into(),
        ..Default::default()
    };
    view! {
        <Title text="Add deal"/>
        <header class="page-header">
            <p class="eyebrow"><A href="/deals">"Deals"</A></p>
            <h1>"Add deal"</h1>
            <p class="subtle">"New deals start open; add the partners' touchpoints from the deal's page."</p>
        </header>
        <DealEditor id=None form/>
    }
}

#[component]
pub fn EditDealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<DealId>().ok())
    };
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_deal(id).await,
            None => Err(crate::api::AppError::NotFound("the deal".into())),
        }
    });
    view! {
        <Title text="Edit deal"/>
        <Suspense fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! {
                        <header class="page-header">
                            <p class="eyebrow"><A href=format!("/deals/{}", detail.deal.id)>{detail.deal.name.clone()}</A></p>
                            <h1>"Edit deal"</h1>
                        </header>
                        <DealEditor id=Some(detail.deal.id) form=detail.form/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DealEditor(id: Option<DealId>, form: DealForm) -> impl IntoView {
    let action = ServerAction::<SaveDeal>::new();
    toast_on(action, |_| "Deal saved.".into());
    let result = action.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            navigate(&format!("/deals/{saved}"), Default::default());
        }
    });
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    let cancel = id.map_or_else(|| "/deals".to_owned(), |id| format!("/deals/{id}"));
    let current = form.currency.clone();
    let mut currencies: Vec<String> = CURRENCIES.iter().map(|c| (*c).to_owned()).collect();
    if !currencies.contains(&current) {
        currencies.insert(0, current.clone());
    }
    view! {
        <section class="card form-card">
            <ActionForm action attr:class="form grid-form" attr:novalidate=true attr:data-testid="deal-form">
                {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string()/> })}
                <Field label="Deal name" name="name" input_name="form[name]" required=true value=form.name.clone() error=error("name")/>
                <Field label="Account" name="account_name" input_name="form[account_name]" required=true
                    value=form.account_name.clone() hint="The customer company." error=error("account_name")/>
                <Field label="Amount" name="amount" input_name="form[amount]" required=true
                    value=form.amount.clone() hint="In the deal's currency, such as 48000 or 48000.50." error=error("amount")/>
                <div class="field" class:has-error=move || error("currency").get().is_some()>
                    <label for="field-currency">"Currency"</label>
                    <select id="field-currency" name="form[currency]">
                        {currencies.into_iter().map(|c| {
                            let selected = c == current;
                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {move || error("currency").get().map(|m| view! { <p class="field-error" role="alert" data-field="currency">{m}</p> })}
                </div>
                <Field label="Expected close" name="expected_close_on" input_name="form[expected_close_on]" kind="date"
                    value=form.expected_close_on.clone() error=error("expected_close_on")/>
                <div class="form-actions">
                    {move || form_error(&result.get()).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Saving…" } else if id.is_some() { "Save changes" } else { "Add deal" }}
                    </button>
                    <A href=cancel attr:class="button">"Cancel"</A>
                </div>
            </ActionForm>
        </section>
    }
}
