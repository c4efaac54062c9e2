//! Exchange rates: what each currency is worth in the base currency from a given day, entered by
//! hand or pasted as CSV. A deal won in another currency locks the rate of its close date.

use leptos::prelude::*;
use leptos_meta::Title;

use super::commission_rules::PayoutsNav;
use crate::api::AppError;
use crate::api::fx::{ImportRates, ImportResult, RatesPage, SaveRate, list_rates};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{Field, field_error, form_error};
use crate::components::toast::toast_on;

#[component]
pub fn ExchangeRatesPage() -> impl IntoView {
    let rates = Resource::new(|| (), |_| list_rates());
    let refresh = Callback::new(move |_: ()| rates.refetch());
    // Kept by the page: the forms are drawn again when the rates reload after an import.
    let imported = RwSignal::new(None::<Result<ImportResult, AppError>>);
    view! {
        <Title text="Exchange rates"/>
        <header class="page-header">
            <div>
                <h1>"Exchange rates"</h1>
                <p class="subtle">"What one unit of each currency is worth in the base currency, from a given day. A deal won in another currency locks the rate of its close date; a later rate never changes it."</p>
            </div>
        </header>
        <PayoutsNav/>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading rates"></div> }>
            {move || Suspend::new(async move {
                match rates.await {
                    Ok(page) => view! { <Rates page refresh imported/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| rates.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The rate field's label, "Rate (in USD)", for the common base currencies.
fn rate_label(base: crate::domain::money::Currency) -> &'static str {
    match base.code() {
        "USD" => "Rate (in USD)",
        "EUR" => "Rate (in EUR)",
        "GBP" => "Rate (in GBP)",
        "JPY" => "Rate (in JPY)",
        _ => "Rate (in the base currency)",
    }
}

#[component]
fn Rates(
    page: RatesPage,
    refresh: Callback<()>,
    imported: RwSignal<Option<Result<ImportResult, AppError>>>,
) -> impl IntoView {
    let base = page.base;
    let missing = page.missing.clone();
    view! {
        {(!missing.is_empty()).then(|| view! {
            <p class="card notice warning" role="status" data-testid="missing-rates">
                {format!(
                    "Open deals in {} have no rate yet: they cannot be won until one is entered.",
                    missing.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
                )}
            </p>
        })}
        <div class="settings-layout">
            <section class="card">
                {if page.rates.is_empty() {
                    view! { <p class="card-body subtle" data-testid="rates-empty">{format!("No rates yet. Deals in {base} need none.")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll">
                            <table class="table" data-testid="rates-table">
                                <thead><tr><th>"Currency"</th><th class="num">{format!("In {base}")}</th><th>"From"</th><th>"Last set"</th></tr></thead>
                                <tbody>
                                    {page.rates.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{r.currency.to_string()}</td>
                                            <td class="num">{format!("1 {} = {} {base}", r.currency, r.rate)}</td>
                                            <td class="date">{r.effective_on.to_string()}</td>
                                            <td class="subtle">{r.updated_at.date_naive().to_string()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
            {page.can_edit.then(|| view! {
                <div class="stack">
                    <RateForm base=rate_label(base) refresh/>
                    <RateImport refresh imported/>
                </div>
            })}
        </div>
    }
}

#[component]
fn RateForm(base: &'static str, refresh: Callback<()>) -> impl IntoView {
    let rate_label = base;
    let action = ServerAction::<SaveRate>::new();
    toast_on(action, |_| "Rate saved.".into());
    let result = action.value();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            refresh.run(());
        }
    });
    let error =
        move |field: &'static str| Signal::derive(move || field_error(&result.get(), field));
    view! {
        <section class="card form-card">
            <h2 class="card-title">"Set a rate"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true attr:data-testid="rate-form">
                <Field label="Currency" name="currency" input_name="form[currency]" hint="Three letters, such as EUR." error=error("currency")/>
                <Field label=rate_label name="rate" input_name="form[rate]" hint="What one unit is worth, such as 1.0842." error=error("rate")/>
                <Field label="Effective from" name="effective_on" input_name="form[effective_on]" kind="date" error=error("effective_on")/>
                <div class="form-actions">
                    {move || form_error(&result.get()).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Save rate"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn RateImport(
    refresh: Callback<()>,
    imported: RwSignal<Option<Result<ImportResult, AppError>>>,
) -> impl IntoView {
    let action = ServerAction::<ImportRates>::new();
    Effect::new(move |_| {
        if let Some(answer) = action.value().get() {
            let saved = matches!(&answer, Ok(done) if done.errors.is_empty());
            imported.set(Some(answer));
            if saved {
                refresh.run(());
            }
        }
    });
    let result = imported;
    view! {
        <section class="card form-card">
            <h2 class="card-title">"Import rates"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true attr:data-testid="rate-import">
                <div class="field">
                    <label for="rates-csv">"CSV"</label>
                    <textarea id="rates-csv" name="csv" rows="6" spellcheck="false"
                        placeholder="currency,rate,effective_on\nEUR,1.0842,2026-11-01"></textarea>
                    <p class="field-hint">"Paste the file: a header line, then one rate per line. All lines are saved, or none."</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Import"</button>
                </div>
            </ActionForm>
            {move || result.get().map(|r| match r {
                Ok(done) if done.errors.is_empty() => view! {
                    <p class="card-body" role="status" data-testid="import-result">{format!("{} rates saved.", done.saved)}</p>
                }.into_any(),
                Ok(done) => view! {
                    <div class="card-body" role="alert" data-testid="import-errors">
                        <p class="form-error">"Nothing was saved. Correct these lines and import again:"</p>
                        <ul>
                            {done.errors.into_iter().map(|e| view! { <li>{format!("Line {}: {}", e.line, e.message)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                Err(AppError::Invalid { message, .. }) => view! { <p class="card-body form-error" role="alert">{message}</p> }.into_any(),
                Err(error) => view! { <ErrorPanel error/> }.into_any(),
            })}
        </section>
    }
}
