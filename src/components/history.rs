//! Rows of the audit trail as people read them: when, who, what, which record, and what changed
//! field by field (the activity log and the history on record pages).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::audit::AuditRow;

/// Where a record of the log lives in the app, if it has a page.
fn record_href(entity_type: &str, id: i64) -> Option<String> {
    match entity_type {
        "deal" => Some(format!("/deals/{id}")),
        "partner" => Some(format!("/partners/{id}")),
        _ => None,
    }
}

#[component]
pub fn HistoryRow(row: AuditRow) -> impl IntoView {
    let record = match row.entity_id {
        Some(id) => {
            let label = format!("{} #{id}", row.entity_type);
            match record_href(&row.entity_type, id) {
                Some(href) => view! { <A href=href>{label}</A> }.into_any(),
                None => view! { <span>{label}</span> }.into_any(),
            }
        }
        None => view! { <span>{row.entity_type.clone()}</span> }.into_any(),
    };
    view! {
        <tr data-testid="activity-row">
            <td class="date">{row.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
            <td>{row.actor}</td>
            <td><code>{row.action}</code></td>
            <td>{record}</td>
            <td>
                <ul class="changes">
                    {row.changes.into_iter().map(|c| view! {
                        <li>
                            {(!c.field.is_empty()).then(|| view! { <span class="change-field">{c.field.clone()}": "</span> })}
                            {c.before.map(|b| view! { <del>{b}</del>" → " })}
                            <ins>{c.after.unwrap_or_else(|| "removed".into())}</ins>
                        </li>
                    }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}

/// A record page's history: its latest changes, newest first.
#[component]
pub fn HistoryCard(rows: Vec<AuditRow>, testid: &'static str) -> impl IntoView {
    view! {
        <section class="card history" data-testid=testid>
            <header class="card-header"><h2>"History"</h2></header>
            <div class="table-scroll">
                <table class="table activity">
                    <thead>
                        <tr>
                            <th>"When (UTC)"</th>
                            <th>"Who"</th>
                            <th>"Action"</th>
                            <th>"Record"</th>
                            <th>"What changed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! { <HistoryRow row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
