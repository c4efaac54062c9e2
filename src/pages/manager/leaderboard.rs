//! The partner leaderboard: a period, a model and a ranking, chosen in the address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use rust_decimal::Decimal;

use crate::api::leaderboard::{LeaderRow, Leaderboard, load_leaderboard};
use crate::components::feedback::ErrorPanel;
use crate::domain::attribution::AttributionModel;
use crate::domain::leaderboard::Ranking;
use crate::domain::reporting::Period;

/// The model picker: the model in the address, else the one the board was ranked under.
fn model_select(
    model: Memo<Option<AttributionModel>>,
    ranked_under: Option<AttributionModel>,
    set: Callback<(&'static str, String)>,
) -> impl IntoView {
    view! {
        <select id="lb-model" on:change=move |ev| set.run(("model", event_target_value(&ev)))>
            {AttributionModel::RULE_BASED.iter().map(|m| {
                let m = *m;
                view! {
                    <option value=m.as_str() selected=move || model.get().or(ranked_under) == Some(m)>{m.name()}</option>
                }
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.is_empty());
    let period = Memo::new(move |_| param("period").and_then(|v| v.parse::<Period>().ok()));
    let model = Memo::new(move |_| param("model").and_then(|v| v.parse::<AttributionModel>().ok()));
    let ranking = Memo::new(move |_| param("by").and_then(|v| v.parse::<Ranking>().ok()));
    let board = Resource::new(
        move || (period.get(), model.get(), ranking.get()),
        |(period, model, ranking)| load_leaderboard(period, model, ranking),
    );
    let navigate = use_navigate();
    let set = Callback::new(move |(key, value): (&'static str, String)| {
        let mut map = query.get_untracked();
        map.insert(key, value);
        navigate(
            &format!("/leaderboard{}", map.to_query_string()),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    view! {
        <Title text="Leaderboard"/>
        <header class="page-header">
            <p class="eyebrow"><A href="/partners">"Partners"</A></p>
            <h1>"Leaderboard"</h1>
            <p class="subtle">"Top partners for a period under an attribution model, with each one's move since the period before."</p>
        </header>
        <section class="card toolbar" aria-label="Leaderboard options">
            <div class="field">
                <label for="lb-period">"Period"</label>
                <select id="lb-period" on:change=move |ev| set.run(("period", event_target_value(&ev)))>
                    {Period::ALL.iter().map(|p| {
                        let p = *p;
                        view! { <option value=p.as_str() selected=move || period.get().unwrap_or(Period::ThisQuarter) == p>{p.title()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="lb-model">"Attribution model"</label>
                // Without a model in the address the board answers under the payable model, so
                // which option is selected waits for the board (inside a Transition, so the
                // server renders the same selection the browser hydrates).
                <Transition fallback=move || model_select(model, None, set)>
                    {move || Suspend::new(async move {
                        let payable = board.await.ok().map(|b| b.model);
                        model_select(model, payable, set)
                    })}
                </Transition>
            </div>
            <div class="field">
                <label for="lb-by">"Rank by"</label>
                <select id="lb-by" on:change=move |ev| set.run(("by", event_target_value(&ev)))>
                    {[(Ranking::Revenue, "Attributed revenue"), (Ranking::Deals, "Deals influenced"), (Ranking::WinRate, "Win rate")].into_iter().map(|(r, label)| view! {
                        <option value=r.as_str() selected=move || ranking.get().unwrap_or(Ranking::Revenue) == r>{label}</option>
                    }).collect_view()}
                </select>
            </div>
        </section>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading the leaderboard"></div> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <Board board/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| board.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn movement(row: &LeaderRow) -> (&'static str, String) {
    match (row.rank, row.previous_rank) {
        (Some(now), Some(before)) if now < before => ("up", format!("▲ {}", before - now)),
        (Some(now), Some(before)) if now > before => ("down", format!("▼ {}", now - before)),
        (Some(_), Some(_)) => ("same", "–".to_owned()),
        (Some(_), None) => ("new", "New".to_owned()),
        (None, _) => ("same", String::new()),
    }
}

#[component]
fn Board(board: Leaderboard) -> impl IntoView {
    let range = format!(
        "{} to {} · compared with {} to {}",
        board.range.start.format("%b %-d, %Y"),
        board
            .range
            .end
            .pred_opt()
            .unwrap_or(board.range.end)
            .format("%b %-d, %Y"),
        board.previous.start.format("%b %-d, %Y"),
        board
            .previous
            .end
            .pred_opt()
            .unwrap_or(board.previous.end)
            .format("%b %-d, %Y"),
    );
    if board.rows.is_empty() {
        return view! {
            <section class="empty-state" data-testid="leaderboard-empty">
                <h2>"Nothing to rank yet"</h2>
                <p>{format!("No partner touched or won a deal in this period ({range}).")}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card">
            <header class="card-header">
                <p class="subtle">{range}</p>
                {(board.other_currency_deals > 0).then(|| view! {
                    <p class="subtle">{format!("{} won deals in other currencies are not in the revenue until exchange rates are set.", board.other_currency_deals)}</p>
                })}
            </header>
            <div class="table-scroll">
                <table class="table" data-testid="leaderboard">
                    <thead>
                        <tr>
                            <th class="num">"Rank"</th>
                            <th>"Change"</th>
                            <th>"Partner"</th>
                            <th class="num">{format!("Attributed revenue ({})", board.currency)}</th>
                            <th class="num">"Deals influenced"</th>
                            <th class="num">"Won / closed"</th>
                            <th class="num">"Win rate"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {board.rows.into_iter().map(|row| {
                            let (class, change) = movement(&row);
                            view! {
                                <tr>
                                    <td class="num">{row.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td><span class=format!("move move-{class}")>{change}</span></td>
                                    <td><A href=format!("/partners/{}", row.partner_id)>{row.name}</A></td>
                                    <td class="num">{row.attributed.format_whole()}</td>
                                    <td class="num">{row.deals_influenced}</td>
                                    <td class="num">{format!("{} / {}", row.deals_won, row.deals_closed)}</td>
                                    <td class="num">{row.win_rate.map(|r| format!("{} %", (r * Decimal::ONE_HUNDRED).round_dp(0))).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
