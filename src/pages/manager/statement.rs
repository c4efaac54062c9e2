//! A partner's commission statement for a period, laid out to print (the browser's print
//! dialog saves it as PDF), with the same lines as a CSV download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::payouts::{Statement, load_statement};
use crate::components::feedback::ErrorPanel;
use crate::components::list_query::{FilterSelect, use_param, use_set_params};
use crate::domain::ids::PartnerId;
use crate::domain::ledger::EntryKind;
use crate::domain::reporting::Period;

#[component]
pub fn StatementPage() -> impl IntoView {
    let param = use_param();
    let partner = Memo::new(move |_| param("partner").and_then(|v| v.parse::<PartnerId>().ok()));
    let period = Memo::new(move |_| {
        param("period")
            .and_then(|v| v.parse::<Period>().ok())
            .unwrap_or(Period::LastQuarter)
    });
    let statement = Resource::new(
        move || (partner.get(), period.get()),
        |(partner, period)| async move {
            match partner {
                Some(partner) => load_statement(partner, Some(period)).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let set_params = use_set_params("/payouts/statement");

    view! {
        <Title text="Commission statement"/>
        <section class="card toolbar no-print" aria-label="Statement period">
            <FilterSelect label="Period" key="period" all="Last quarter" set_params
                options=Period::ALL.iter().filter(|p| **p != Period::LastQuarter).map(|p| (p.as_str(), p.title())).collect()
                selected=Signal::derive(move || match period.get() {
                    Period::LastQuarter => "",
                    other => other.as_str(),
                })/>
            <A href="/payouts/earnings" attr:class="back-link">"← Partner earnings"</A>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| print()>"Print"</button>
                <a class="button" download="" data-testid="statement-csv"
                    href=move || format!(
                        "/api/payouts/statement.csv?partner={}&period={}",
                        partner.get().map(|p| p.to_string()).unwrap_or_default(),
                        period.get().as_str()
                    )>"Download CSV"</a>
            </div>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading the statement"></div> }>
            {move || Suspend::new(async move {
                match statement.await {
                    Ok(Some(statement)) => view! { <StatementView statement/> }.into_any(),
                    Ok(None) => view! {
                        <section class="empty-state">
                            <h2>"Choose a partner"</h2>
                            <p>"Open a statement from the partner's row in the earnings."</p>
                            <A href="/payouts/earnings" attr:class="button">"Partner earnings"</A>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| statement.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A ledger entry's amount as a statement reads it: a clawback with a minus sign.
pub fn entry_amount(kind: EntryKind, amount: &crate::domain::money::Money) -> String {
    match kind {
        EntryKind::Clawback => format!("−{}", amount.format()),
        _ => amount.format(),
    }
}

pub fn print() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = leptos::web_sys::window() {
        let _ = window.print();
    }
}

/// The statement itself; in the portal each line offers a dispute.
#[component]
pub fn StatementView(statement: Statement, #[prop(optional)] portal: bool) -> impl IntoView {
    let last_day = statement.end.pred_opt().unwrap_or(statement.end);
    let totals: Vec<_> = statement
        .totals
        .into_iter()
        .filter(|t| t.count > 0)
        .collect();
    view! {
        <article class="card statement" data-testid="statement">
            <header class="statement-head">
                <div>
                    <p class="subtle">{statement.organization}</p>
                    <h1>"Commission statement"</h1>
                    <p><strong>{statement.partner_name}</strong></p>
                </div>
                <dl class="statement-meta">
                    <dt>"Period"</dt>
                    <dd>{format!("{} – {}", statement.start, last_day)}</dd>
                    <dt>"Entries"</dt>
                    <dd>{statement.lines.len()}</dd>
                </dl>
            </header>
            {if statement.lines.is_empty() {
                view! { <p class="subtle" data-testid="statement-empty">"No commissions were earned in this period."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="table" data-testid="statement-lines">
                        <thead>
                            <tr>
                                <th>"Earned"</th>
                                <th>"Deal"</th>
                                <th>"Entry"</th>
                                <th class="num">"Attributed"</th>
                                <th class="num">"Amount"</th>
                                <th>"Status"</th>
                                <th>"Paid"</th>
                                {portal.then(|| view! { <th class="no-print"><span class="visually-hidden">"Dispute"</span></th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {statement.lines.into_iter().map(|line| {
                                let amount = crate::pages::manager::statement::entry_amount(line.kind, &line.amount);
                                view! {
                                    <tr data-testid="statement-line">
                                        <td class="date">{line.created_on.to_string()}</td>
                                        <td>{match (portal, line.deal_id, line.deal_name) {
                                            (true, Some(deal), Some(name)) => view! { <A href=format!("/portal/deals/{deal}")>{name}</A> }.into_any(),
                                            (_, _, name) => name.unwrap_or_else(|| "—".into()).into_any(),
                                        }}</td>
                                        <td>
                                            {line.kind.title()}
                                            {line.note.map(|n| view! { <div class="subtle small">{n}</div> })}
                                            {line.explanation.map(|e| view! { <div class="subtle small explanation">{e}</div> })}
                                        </td>
                                        <td class="num">{line.attributed.map(|a| a.format()).unwrap_or_else(|| "—".into())}</td>
                                        <td class="num">
                                            {amount}
                                            {line.paid_as.map(|(paid, rate)| view! { <div class="subtle small">{format!("paid as {} at {rate}", paid.format())}</div> })}
                                        </td>
                                        <td>{line.status.title()}</td>
                                        <td class="date">
                                            {line.paid_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
                                            {line.paid_reference.map(|r| view! { <div class="subtle small">{r}</div> })}
                                        </td>
                                        {portal.then(|| view! {
                                            <td class="no-print"><A href=format!("/portal/disputes/new?payout={}", line.id)>"Dispute"</A></td>
                                        })}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            }}
            <table class="table statement-totals" data-testid="statement-totals">
                <tbody>
                    {totals.into_iter().map(|t| view! {
                        <tr>
                            <th>{t.status.title()}</th>
                            <td class="num">{t.count}" entries"</td>
                            <td class="num">{t.amounts.iter().map(|m| m.format()).collect::<Vec<_>>().join(" · ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}
