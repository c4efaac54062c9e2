//! The outbox: messages a mail server would have delivered, with their one-time links.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::users::{LinkState, list_outbox};
use crate::components::copy::CopyButton;
use crate::components::feedback::ErrorPanel;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let messages = Resource::new(|| (), |_| list_outbox());
    view! {
        <Title text="Outbox"/>
        <header class="page-header">
            <h1>"Outbox"</h1>
            <p class="subtle">"Invitations and password resets, newest first. This installation sends no email: pass each link on to its recipient. "
                <A href="/admin/users">"Back to users"</A></p>
        </header>
        <Suspense fallback=|| view! { <p class="subtle">"Loading the outbox…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state"><p>"Nothing in the outbox yet. Invite someone from the users page."</p></section>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="outbox" data-testid="outbox">
                            {list.into_iter().map(|m| {
                                let state = match m.link_state {
                                    Some(LinkState::Open) => "Link not used yet",
                                    Some(LinkState::Used) => "Link used",
                                    Some(LinkState::Expired) => "Link expired",
                                    None => "",
                                };
                                view! {
                                    <li class="card outbox-message">
                                        <header>
                                            <strong>{m.subject}</strong>
                                            <span class="subtle">{format!(" to {} · {}", m.recipient, m.created_at.format("%Y-%m-%d %H:%M UTC"))}</span>
                                        </header>
                                        <p class="message-body">{m.body}</p>
                                        {m.link.map(|link| view! {
                                            <p class="outbox-link">
                                                <a href=link.clone() class="link" data-testid="outbox-link">{link.clone()}</a>
                                                " "<CopyButton text=link label="Copy link"/>
                                            </p>
                                        })}
                                        <p class="subtle">{state}{m.expires_at.map(|at| format!(" · expires {}", at.format("%Y-%m-%d %H:%M UTC")))}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
