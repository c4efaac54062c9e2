//! Signing in and up, invitations and password resets: the pages anyone may open.

pub mod invitation;
pub mod password;
pub mod sign_in;
pub mod sign_up;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::auth::{SessionUser, landing_path};
use crate::components::session::use_current_user;

/// Once someone is signed in on an auth page, send them on: to `next`, or their home.
#[component]
pub fn LeaveWhenSignedIn(#[prop(into)] next: Signal<Option<String>>) -> impl IntoView {
    let user = use_current_user();
    move || {
        user.get().map(|user: SessionUser| {
            let path = landing_path(&user, next.get().as_deref());
            view! { <Redirect path/> }
        })
    }
}

/// Stores the signed-in user from a successful sign-in, sign-up, invitation or reset.
pub fn adopt_user(
    result: impl Get<Value = Option<Result<SessionUser, crate::api::AppError>>> + Send + Sync + 'static,
) {
    let user = use_current_user();
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = result.get() {
            user.set(Some(signed_in));
        }
    });
}
