//! Toasts: a short, polite confirmation (or failure) after an action, in one live region at the
//! bottom of the page. Each disappears after a few seconds or when dismissed.

use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::AppError;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tone {
    Success,
    Error,
}

#[derive(Clone, PartialEq, Eq, Debug)]
struct Toast {
    id: u64,
    text: String,
    tone: Tone,
}

/// The page's toasts, provided once by the app shell.
#[derive(Clone, Copy)]
pub struct Toasts {
    shown: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

const SHOWN_FOR: Duration = Duration::from_secs(6);

impl Toasts {
    pub fn show(&self, tone: Tone, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let text = text.into();
        self.shown.update(|shown| {
            // The same news again replaces the old toast instead of stacking on it.
            shown.retain(|t| t.text != text);
            shown.push(Toast { id, text, tone });
            // A burst of actions should not bury the page.
            if shown.len() > 3 {
                shown.remove(0);
            }
        });
        let this = *self;
        set_timeout(move || this.dismiss(id), SHOWN_FOR);
    }

    fn dismiss(&self, id: u64) {
        self.shown.update(|shown| shown.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        shown: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Toasts when `action` finishes: `done(output)` on success; on failure its message, unless the
/// failure is about fields (those are shown next to the fields).
pub fn toast_on<S>(action: ServerAction<S>, done: impl Fn(&S::Output) -> String + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let toasts = use_toasts();
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| match action.value().get_untracked() {
            Some(Ok(output)) => toasts.show(Tone::Success, done(&output)),
            Some(Err(AppError::Invalid { .. })) | None => {}
            Some(Err(error)) => toasts.show(Tone::Error, error.to_string()),
        },
        false,
    );
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.shown.get() key=|t| t.id let:toast>
                <div class=match toast.tone { Tone::Success => "toast", Tone::Error => "toast error" } data-testid="toast">
                    <span>{toast.text}</span>
                    <button type="button" class="toast-close" aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
