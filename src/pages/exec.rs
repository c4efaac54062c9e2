//! Executive revenue reports.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReportsHome() -> impl IntoView {
    view! {
        <Title text="Reports"/>
        <header class="page-header">
            <h1>"Reports"</h1>
            <p class="subtle">"Partner-sourced revenue, attribution model comparison and forecasts."</p>
        </header>
        <section class="empty-state">
            <p>"Revenue reports for executives will appear here. The workspace dashboard already shows won revenue by month."</p>
        </section>
    }
}
