//! A button that copies a text (a one-time link, a webhook address) to the clipboard, and
//! says so for a moment.

use leptos::prelude::*;

#[component]
pub fn CopyButton(text: String, #[prop(default = "Copy")] label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let Some(window) = web_sys::window() else {
                    return;
                };
                let promise = window.navigator().clipboard().write_text(&text);
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                    set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button type="button" class="button small" on:click=copy aria-live="polite">
            {move || if copied.get() { "Copied" } else { label }}
        </button>
    }
}
