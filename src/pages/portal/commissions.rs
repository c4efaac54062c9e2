//! The partner's commission statement for a period: every entry with its explanation, printable
//! and downloadable as CSV, each line open to a dispute.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::portal::load_portal_statement;
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{FilterSelect, use_param, use_set_params};
use crate::domain::reporting::Period;
use crate::pages::manager::statement::{StatementView, print};

#[component]
pub fn PortalCommissionsPage() -> impl IntoView {
    let param = use_param();
    let period = Memo::new(move |_| {
        param("period")
            .and_then(|v| v.parse::<Period>().ok())
            .unwrap_or(Period::ThisQuarter)
    });
    let statement = Resource::new(
        move || period.get(),
        |period| load_portal_statement(Some(period)),
    );
    let set_params = use_set_params("/portal/commissions");
    view! {
        <Title text="Your commissions"/>
        <header class="page-header no-print">
            <div>
                <h1>"Your commissions"</h1>
                <p class="subtle">"Every commission earned in the period, how it was computed, and where it stands."</p>
            </div>
        </header>
        <section class="card toolbar no-print" aria-label="Statement period">
            <FilterSelect label="Period" key="period" all="This quarter" set_params
                options=Period::ALL.iter().filter(|p| **p != Period::ThisQuarter).map(|p| (p.as_str(), p.title())).collect()
                selected=Signal::derive(move || match period.get() {
                    Period::ThisQuarter => "",
                    other => other.as_str(),
                })/>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| print()>"Print"</button>
                <a class="button" download="" data-testid="statement-csv"
                    href=move || format!("/api/payouts/statement.csv?period={}", period.get().as_str())>"Download CSV"</a>
            </div>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading your statement"></div> }>
            {move || Suspend::new(async move {
                match statement.await {
                    Ok(statement) => view! { <StatementView statement portal=true/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| statement.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}
