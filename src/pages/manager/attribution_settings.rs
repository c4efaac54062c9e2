//! The organization's attribution settings: the payable model, the time-decay half-life, role
//! weights and the position models' slot weights. Every change previews, a moment after typing
//! stops, how credit and commissions on last quarter's won deals would move; errors show next
//! to their field as they are typed. Roles that may only view see the same page read-only.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::AppError;
use crate::api::settings::{
    AttributionSettings, SaveAttributionSettings, SettingsPreview, get_attribution_settings,
    preview_attribution_settings,
};
use crate::components::delta::change_text;
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::toast::toast_on;
use crate::domain::attribution::AttributionModel;
use crate::domain::attribution::form::{
    OTHER_KINDS, POSITION_MODELS, SLOTS, SettingsForm, role_field, slot_field,
};
use crate::domain::touchpoint::TouchpointKind;

/// How long typing must pause before the preview is recomputed.
const SETTLE: Duration = Duration::from_millis(350);

/// A column label that may break across two lines in a narrow header: a soft hyphen mid-word in
/// words too long for the column ("Regis-tration"), invisible when the word fits.
fn breakable(label: &str) -> String {
    label
        .split(' ')
        .map(|word| match word.char_indices().nth(5) {
            Some((at, _)) if word.chars().count() > 8 => {
                format!("{}\u{ad}{}", &word[..at], &word[at..])
            }
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn AttributionSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_attribution_settings());
    view! {
        <Title text="Attribution settings"/>
        <header class="page-header">
            <h1>"Attribution settings"</h1>
            <p class="subtle">
                "Which model pays commissions, and how the models weigh touches. Deals won from now on use these settings; won deals keep their stored splits until they are re-attributed."
            </p>
        </header>
        <super::program_settings::SettingsNav/>
        <Suspense fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading settings"></div> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsEditor settings/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsEditor(settings: AttributionSettings) -> impl IntoView {
    let AttributionSettings {
        form,
        defaults,
        editable,
    } = settings;
    let draft = RwSignal::new(form.clone());
    let settled = RwSignal::new(form);
    let edits = StoredValue::new(0_u64);
    // Each change schedules the preview; only the last change of a burst triggers it.
    let change = move |update: Box<dyn FnOnce(&mut SettingsForm)>| {
        draft.update(|form| update(form));
        let edit = edits.get_value() + 1;
        edits.set_value(edit);
        set_timeout(
            // The page may be gone by then: then nothing to do.
            move || {
                if edits.try_get_value() == Some(edit)
                    && let Some(form) = draft.try_get_untracked()
                {
                    settled.try_set(form);
                }
            },
            SETTLE,
        );
    };
    // Computed in the browser only: the page streams without waiting for it (in server
    // rendering it could hold the page's stream open), and it follows every settled edit.
    let preview = LocalResource::new(move || preview_attribution_settings(settled.get()));
    let save = ServerAction::<SaveAttributionSettings>::new();
    toast_on(save, |_| "Attribution settings saved.".into());

    // Field errors come from the latest preview (as the user types) or the save. The save's
    // result signal is taken once, while the action lives: read with `try_get`, a render that
    // outlives the page (a request cancelled mid-stream) finds nothing instead of panicking.
    let saved = save.value();
    let saving = save.pending();
    let error = move |field: String| {
        move || {
            let previewed = preview.try_get().flatten();
            field_error(&previewed, &field)
                .or_else(|| field_error(&saved.try_get().flatten(), &field))
        }
    };
    let reset = move |_| {
        let defaults = defaults.clone();
        change(Box::new(move |form| *form = defaults));
    };

    view! {
        <div class="settings-layout">
            <form class="card form settings-form" data-testid="attribution-settings" novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(SaveAttributionSettings { form: draft.get_untracked() });
                }>
                <fieldset disabled=!editable>
                    <legend class="section-title">"Payable model"</legend>
                    <p class="subtle">"Commissions are paid on this model's split."</p>
                    <div class="model-choices" role="radiogroup" aria-label="Payable model">
                        {AttributionModel::ALL.iter().map(|model| {
                            let model = *model;
                            let id = format!("payable-{}", model.as_str());
                            let label_for = id.clone();
                            view! {
                                <label class="model-choice" for=label_for>
                                    <input type="radio" id=id name="payable_model" value=model.as_str()
                                        prop:checked=move || draft.with(|f| f.payable_model == model.as_str())
                                        on:change=move |_| change(Box::new(move |f| f.payable_model = model.as_str().to_owned()))/>
                                    <span>
                                        <strong>{model.name()}</strong>
                                        <span class="subtle">{model.summary()}</span>
                                    </span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    {move || error("payable_model".into())().map(|m| view! { <p class="field-error" role="alert" data-field="payable_model">{m}</p> })}

                    <legend class="section-title">"Calendar"</legend>
                    <div class="field narrow">
                        <label for="time-zone">"Time zone"</label>
                        <input id="time-zone" list="time-zones" autocomplete="off" spellcheck="false"
                            prop:value=move || draft.with(|f| f.time_zone.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); change(Box::new(move |f| f.time_zone = v)); }
                            aria-invalid=move || error("time_zone".into())().is_some().then_some("true")/>
                        <datalist id="time-zones">
                            {chrono_tz::TZ_VARIANTS.iter().map(|zone| view! { <option value=zone.name()></option> }).collect_view()}
                        </datalist>
                        <p class="field-hint">"Days before a close are counted between dates in this zone, on the deal page and in the time-decay weight."</p>
                        {move || error("time_zone".into())().map(|m| view! { <p class="field-error" role="alert" data-field="time_zone">{m}</p> })}
                    </div>

                    <legend class="section-title">"Time decay"</legend>
                    <div class="field narrow">
                        <label for="half-life">"Half-life (days)"</label>
                        <input id="half-life" inputmode="decimal" autocomplete="off"
                            prop:value=move || draft.with(|f| f.half_life_days.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); change(Box::new(move |f| f.half_life_days = v)); }
                            aria-invalid=move || error("half_life_days".into())().is_some().then_some("true")/>
                        <p class="field-hint">"A touch this many days before the close counts half as much as one on the close day."</p>
                        {move || error("half_life_days".into())().map(|m| view! { <p class="field-error" role="alert" data-field="half_life_days">{m}</p> })}
                    </div>

                    <legend class="section-title">"Role weights"</legend>
                    <p class="subtle">"The role-based model's weight per kind of touch; only the ratios matter. A kind left empty weighs as other kinds."</p>
                    <div class="weights-grid">
                        {TouchpointKind::ALL.iter().map(|k| (k.as_str(), k.title())).chain([(OTHER_KINDS, "Other kinds".to_owned())]).map(|(key, label)| {
                            let id = format!("role-{key}");
                            let field = role_field(key);
                            let err = error(field.clone());
                            let err2 = error(field.clone());
                            view! {
                                <div class="field">
                                    <label for=id.clone()>{label}</label>
                                    <input id=id inputmode="decimal" autocomplete="off"
                                        placeholder=(key != OTHER_KINDS).then_some("as other kinds")
                                        prop:value=move || draft.with(|f| f.role_weights.get(key).cloned().unwrap_or_default())
                                        on:input=move |ev| { let v = event_target_value(&ev); change(Box::new(move |f| { f.role_weights.insert(key.to_owned(), v); })); }
                                        aria-invalid=move || err().is_some().then_some("true")/>
                                    {move || err2().map(|m| view! { <p class="field-error" role="alert" data-field=field.clone()>{m}</p> })}
                                </div>
                            }
                        }).collect_view()}
                    </div>

                    <legend class="section-title">"Position weights (%)"</legend>
                    <p class="subtle">"The share of each slot of the touch sequence. Registration goes to the first deal registration between the first and last touch or, without one, to the earliest touch between them; Opportunity to the next proposal after it or, without one, the next touch; explanations say when a touch stands in. A slot without a touch drops out and the others share its weight."</p>
                    <div class="table-scroll">
                        <table class="table slots-table">
                            <thead><tr><th>"Model"</th>{SLOTS.iter().map(|(_, label)| view! { <th class="num">{breakable(label)}</th> }).collect_view()}<th class="num">"Sum"</th></tr></thead>
                            <tbody>
                                {POSITION_MODELS.iter().map(|model| {
                                    let model = *model;
                                    // `try_with`: the server may render this once more after the
                                    // page's signals are gone; it then shows nothing.
                                    let sum = move || draft.try_with(|f| {
                                        let values = f.slots.get(model.as_str());
                                        SLOTS.iter().map(|(slot, _)| {
                                            values.and_then(|v| v.get(*slot)).and_then(|v| v.trim().parse::<rust_decimal::Decimal>().ok()).unwrap_or_default()
                                        }).sum::<rust_decimal::Decimal>().normalize().to_string()
                                    }).unwrap_or_default();
                                    view! {
                                        <tr>
                                            <th scope="row">{model.name()}</th>
                                            {SLOTS.iter().map(|(slot, label)| {
                                                let slot = *slot;
                                                let field = slot_field(model, slot);
                                                let err = error(field.clone());
                                                let err2 = error(field.clone());
                                                view! {
                                                    <td class="num">
                                                        <input class="weight-input" inputmode="decimal" autocomplete="off"
                                                            aria-label=format!("{} {}", model.name(), label.to_lowercase())
                                                            prop:value=move || draft.with(|f| f.slots.get(model.as_str()).and_then(|s| s.get(slot)).cloned().unwrap_or_default())
                                                            on:input=move |ev| { let v = event_target_value(&ev); change(Box::new(move |f| { f.slots.entry(model.as_str().to_owned()).or_default().insert(slot.to_owned(), v); })); }
                                                            aria-invalid=move || err().is_some().then_some("true")/>
                                                        {move || err2().map(|m| view! { <p class="field-error" role="alert" data-field=field.clone()>{m}</p> })}
                                                    </td>
                                                }
                                            }).collect_view()}
                                            <td class="num subtle">{sum}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </fieldset>
                {move || error("form".into())().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                {move || saved.try_get().flatten().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                {if editable {
                    view! {
                        <div class="actions">
                            <button type="submit" class="button primary" disabled=move || saving.try_get().unwrap_or(false)>"Save settings"</button>
                            <button type="button" class="button" on:click=reset>"Reset to defaults"</button>
                        </div>
                    }.into_any()
                } else {
                    view! { <p class="subtle" data-testid="read-only">"Only an administrator can change these settings."</p> }.into_any()
                }}
            </form>
            <section class="card preview-card" aria-live="polite" data-testid="settings-preview">
                <header class="card-header">
                    <h2>"Preview: last quarter"</h2>
                    <p class="subtle">"How these settings would split last quarter's won deals, next to the settings in force."</p>
                </header>
                <Transition fallback=|| view! { <div class="table-skeleton skeleton" aria-busy="true"></div> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(p) => view! { <Preview preview=p/> }.into_any(),
                            Err(AppError::Invalid { .. }) => view! { <p class="card-body subtle">"Correct the highlighted fields to see the preview."</p> }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn Preview(preview: SettingsPreview) -> impl IntoView {
    if preview.deals == 0 {
        return view! {
            <p class="card-body subtle" data-testid="preview-empty">
                {format!("No deals were won in {} last quarter ({} to {}), so there is nothing to compare yet.", preview.currency, preview.range.start, preview.range.end.pred_opt().unwrap_or(preview.range.end))}
            </p>
        }.into_any();
    }
    let same_model = preview.payable_now == preview.payable_proposed;
    let (commission_change, tone) =
        change_text(&preview.commission_now, &preview.commission_proposed);
    view! {
        <div class="card-body">
            <p data-testid="preview-summary">
                <strong>{format!("{} of {} won deals", preview.deals_moved, preview.deals)}</strong>
                {format!(" would split differently ({} to {}).", preview.range.start, preview.range.end.pred_opt().unwrap_or(preview.range.end))}
                {(!same_model).then(|| format!(" Payable model: {} → {}.", preview.payable_now.name(), preview.payable_proposed.name()))}
            </p>
            <p class="subtle">
                "Commissions under the commission rules: " {preview.commission_now.format()} " now, "
                <strong>{preview.commission_proposed.format()}</strong> " proposed "
                <span class=format!("delta {tone}")>{format!("({commission_change})")}</span>
            </p>
            {(preview.other_currency_deals > 0).then(|| view! {
                <p class="subtle">{format!("{} deals in other currencies are not included.", preview.other_currency_deals)}</p>
            })}
        </div>
        <div class="table-scroll">
            <table class="table" data-testid="preview-table">
                <thead><tr><th>"Partner"</th><th class="num">"Credit now"</th><th class="num">"Proposed"</th><th class="num">"Change"</th><th class="num">"Commission"</th></tr></thead>
                <tbody>
                    {preview.rows.into_iter().map(|row| {
                        let (credit, tone) = change_text(&row.credit_now, &row.credit_proposed);
                        let (commission, commission_tone) = change_text(&row.commission_now, &row.commission_proposed);
                        view! {
                            <tr>
                                <td><a href=format!("/partners/{}", row.partner_id)>{row.name}</a></td>
                                <td class="num">{row.credit_now.format()}</td>
                                <td class="num">{row.credit_proposed.format()}</td>
                                <td class=format!("num delta {tone}")>{credit}</td>
                                <td class=format!("num delta {commission_tone}")>{commission}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(preview.more > 0).then(|| view! { <p class="card-body subtle">{format!("… and {} more partners whose credit moves.", preview.more)}</p> })}
    }.into_any()
}

#[cfg(test)]
mod tests {
    use super::breakable;

    #[test]
    fn only_long_words_get_a_break_opportunity() {
        assert_eq!(breakable("Registration"), "Regis\u{ad}tration");
        assert_eq!(breakable("Opportunity"), "Oppor\u{ad}tunity");
        assert_eq!(breakable("First"), "First");
        assert_eq!(breakable("Others"), "Others");
        // What a reader sees is the label itself.
        assert_eq!(
            breakable("Registration").replace('\u{ad}', ""),
            "Registration"
        );
    }
}
