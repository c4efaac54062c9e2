//! The partner portal: partners see their own deals and earnings, nothing else.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PortalHome() -> impl IntoView {
    view! {
        <Title text="Partner portal"/>
        <header class="page-header">
            <h1>"Partner portal"</h1>
            <p class="subtle">"Where partners follow their deals, earnings and payouts."</p>
        </header>
        <section class="empty-state">
            <p>"Partners sign in here to see their registered deals, commission earnings and payout status."</p>
            <p><leptos_router::components::A href="/portal/disputes">"Your disputes"</leptos_router::components::A>
                " — questions about an attribution or a payout, and the answers."</p>
        </section>
    }
}
