//! Form pieces: an input with its label and its own error message, and the reading of field
//! errors out of a server function's answer.

use leptos::prelude::*;

use crate::api::AppError;

/// The message for `field` in a failed result, if the server named that field.
pub fn field_error<T>(result: &Option<Result<T, AppError>>, field: &str) -> Option<String> {
    match result {
        Some(Err(AppError::Invalid { fields, .. })) => fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.clone()),
        _ => None,
    }
}

/// The error not tied to one field (or the summary of field errors), if any.
pub fn form_error<T>(result: &Option<Result<T, AppError>>) -> Option<String> {
    match result {
        Some(Err(AppError::Invalid { message, fields })) if fields.len() > 1 => {
            Some(message.clone())
        }
        Some(Err(AppError::Invalid { .. })) | Some(Ok(_)) | None => None,
        Some(Err(other)) => Some(other.to_string()),
    }
}

/// A labelled input whose error, when there is one, sits right under it and is announced.
/// The input is uncontrolled: what the user typed stays when the server refuses it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Input>>,
    /// The submitted name when it differs from the field's (`form[name]` for nested arguments).
    #[prop(optional)]
    input_name: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=input_name.unwrap_or(name)
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                value=value
                required=required
                node_ref=node_ref
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            {move || error.get().map(|message| view! {
                <p class="field-error" id=error_id.clone() role="alert" data-field=name>{message}</p>
            })}
        </div>
    }
}
