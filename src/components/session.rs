//! The signed-in user on both sides of the wire, and the guard every page sits behind.
//!
//! The server resolves the user before rendering (from the session cookie) and serializes it into
//! the page, so the browser starts with the same answer without a request. Signing in or out
//! updates the signal, and the navigation and guards follow.

use leptos::prelude::*;
use leptos::server::SharedValue;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_location;

use crate::api::auth::SessionUser;
use crate::domain::access::{Action, Resource};

#[derive(Clone, Copy)]
pub struct CurrentUser(pub RwSignal<Option<SessionUser>>);

/// Called once by the app root.
pub fn provide_current_user() {
    let initial = SharedValue::new(request_user).into_inner();
    provide_context(CurrentUser(RwSignal::new(initial)));
}

#[cfg(feature = "ssr")]
fn request_user() -> Option<SessionUser> {
    crate::server::context::viewer()
}

#[cfg(not(feature = "ssr"))]
fn request_user() -> Option<SessionUser> {
    None
}

pub fn use_current_user() -> RwSignal<Option<SessionUser>> {
    use_context::<CurrentUser>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(None))
}

/// Escapes a path for use as a query value (`?next=`).
pub fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Shows `children` to users whose role may `action` (view, unless said otherwise) the
/// `resource`; sends signed-out visitors to the sign-in page (coming back here afterwards) and
/// answers everyone else with 403.
#[component]
pub fn RequireAccess(
    resource: Resource,
    #[prop(default = Action::View)] action: Action,
    children: ChildrenFn,
) -> impl IntoView {
    let user = use_current_user();
    let location = use_location();
    move || match user.get() {
        None => {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let path = format!("/sign-in?next={}", query_escape(&here));
            view! { <Redirect path/> }.into_any()
        }
        Some(user) if user.can(action, resource) => children().into_any(),
        Some(_) => view! { <Forbidden/> }.into_any(),
    }
}

/// The page for a signed-in user whose role may not see what they asked for.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    let user = use_current_user();
    let home = move || user.get().map_or("/", |u| u.home()).to_owned();
    view! {
        <Title text="No access"/>
        <section class="empty-state" data-testid="forbidden">
            <h1>"You don't have access to this page"</h1>
            <p>"Your role does not include this part of the product. If you need it, ask an administrator of your organization."</p>
            <A href=home>"Go to your home page"</A>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("/admin/users"), "/admin/users");
        assert_eq!(
            query_escape("/deals?page=2&q=a b"),
            "/deals%3Fpage%3D2%26q%3Da%20b"
        );
    }
}
