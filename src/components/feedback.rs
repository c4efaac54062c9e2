//! Loading and error states, so a page is never silently blank.

use leptos::prelude::*;

use crate::api::AppError;

/// Placeholder cards while data loads.
#[component]
pub fn LoadingCards(#[prop(default = 4)] count: usize) -> impl IntoView {
    view! {
        <div class="kpi-grid" aria-busy="true" aria-label="Loading">
            {(0..count).map(|_| view! { <div class="card kpi skeleton"></div> }).collect_view()}
        </div>
    }
}

/// A failed request, said plainly, with a way to try again.
#[component]
pub fn ErrorPanel(
    error: AppError,
    #[prop(optional, into)] retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert" data-testid="error-panel">
            <strong>"Could not load this page."</strong>
            <p>{error.to_string()}</p>
            {retry.map(|retry| view! {
                <button class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
