//! One partner: details, onboarding status with its allowed next steps, its performance (credit
//! by month, win rate, deals and touches, commissions earned and paid, recent deals) and its
//! portal users.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use rust_decimal::Decimal;

use super::deals::StageBadge;
use super::partners::StatusBadge;
use crate::api::partners::{
    ChangePartnerStatus, PartnerDetail, PartnerPerformance, get_partner, get_partner_history,
    load_partner_performance,
};
use crate::api::users::{InviteUser, PartnerOption};
use crate::components::charts::echart::EChart;
use crate::components::charts::spec;
use crate::components::feedback::ErrorPanel;
use crate::components::feedback::LoadingCards;
use crate::components::history::HistoryCard;
use crate::components::kpi::KpiCard;
use crate::components::session::use_current_user;
use crate::components::toast::toast_on;
use crate::domain::access::{Action, Resource as Area};
use crate::domain::ids::PartnerId;
use crate::pages::admin::users::InviteForm;

#[component]
pub fn PartnerProfilePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<PartnerId>().ok())
    };
    let change_status = ServerAction::<ChangePartnerStatus>::new();
    let invite = ServerAction::<InviteUser>::new();
    toast_on(change_status, |status| {
        format!("The partner is now {}.", status.title().to_lowercase())
    });
    toast_on(invite, |sent| {
        format!("Invitation for {} is in the outbox.", sent.email)
    });
    let detail = Resource::new(
        move || (id(), change_status.version().get(), invite.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_partner(id).await,
                None => Err(crate::api::AppError::NotFound("the partner".into())),
            }
        },
    );
    let history = Resource::new(
        move || (id(), change_status.version().get(), invite.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_partner_history(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true" aria-label="Loading partner"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Profile detail change_status invite/> }.into_any(),
                    Err(error) => view! { <Title text="Partner"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                history.await.ok().filter(|rows| !rows.is_empty()).map(|rows| view! { <HistoryCard rows testid="partner-history"/> })
            })}
        </Transition>
    }
}

#[component]
fn Profile(
    detail: PartnerDetail,
    change_status: ServerAction<ChangePartnerStatus>,
    invite: ServerAction<InviteUser>,
) -> impl IntoView {
    let user = use_current_user();
    let allowed =
        move |action, resource| user.with(|u| u.as_ref().is_some_and(|u| u.can(action, resource)));
    let partner = detail.partner.clone();
    let id = partner.id;
    let status_error = move || {
        change_status
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    let option = PartnerOption {
        id,
        name: partner.name.clone(),
    };
    view! {
        <Title text=partner.name.clone()/>
        <header class="page-header with-actions">
            <div>
                <p class="eyebrow"><A href="/partners">"Partners"</A></p>
                <h1 data-testid="partner-name">{partner.name.clone()}</h1>
                <p class="subtle">
                    {format!("{} · {} tier · ", partner.partner_type.title(), partner.tier.title())}
                    <StatusBadge status=partner.status/>
                </p>
            </div>
            <Show when=move || allowed(Action::Edit, Area::Partners)>
                <div class="actions" data-testid="status-actions">
                    {detail.next_statuses.iter().map(|&to| view! {
                        <button type="button" class="button"
                            disabled=move || change_status.pending().get()
                            on:click=move |_| { change_status.dispatch(ChangePartnerStatus { id, status: to }); }>
                            {format!("Mark {}", to.title().to_lowercase())}
                        </button>
                    }).collect_view()}
                    <A href=format!("/partners/{id}/edit") attr:class="button">"Edit"</A>
                </div>
            </Show>
            <A href=format!("/deals?partner={id}") attr:class="button">"Deals"</A>
        </header>
        {move || status_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <section class="card details">
            <dl class="facts">
                <div><dt title="What the partner earns on deals no commission rule covers">"Default commission rate"</dt><dd><span data-testid="partner-rate">{partner.commission_rate.to_string()}</span>
                    {detail.paid_by_rule.clone().map(|rule| view! {
                        <span class="rule-note" data-testid="paid-by-rule">{format!(" · paid by {rule}")}</span>
                    })}</dd></div>
                <div><dt>"Contact"</dt><dd>{detail.contact_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Email"</dt><dd>{partner.contact_email.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Website"</dt><dd>{match detail.website.clone() {
                    Some(site) => {
                        let href = site.clone();
                        view! { <a href=href rel="noopener noreferrer" target="_blank">{site}</a> }.into_any()
                    }
                    None => view! { "—" }.into_any(),
                }}</dd></div>
                <div><dt>"Region"</dt><dd>{partner.region.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"In the program since"</dt><dd>{partner.created_at.format("%Y-%m-%d").to_string()}</dd></div>
            </dl>
        </section>
        <Performance id/>
        <section class="card">
            <header class="card-header"><h2>"Portal users"</h2></header>
            {if detail.users.is_empty() {
                view! { <p class="card-body subtle">"Nobody from this partner can sign in to the portal yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="partner-users">
                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Status"</th></tr></thead>
                        <tbody>
                            {detail.users.into_iter().map(|u| view! {
                                <tr><td>{u.name}</td><td>{u.email}</td><td>{if u.active { "Active" } else { "Deactivated" }}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <Show when=move || allowed(Action::Edit, Area::Users)>
            <InviteForm action=invite partner=option.clone()/>
        </Show>
    }
}

/// The partner's numbers, loaded after the profile so the page shows at once.
#[component]
fn Performance(id: PartnerId) -> impl IntoView {
    let performance = Resource::new(move || id, load_partner_performance);
    view! {
        <Suspense fallback=|| view! { <LoadingCards/> }>
            {move || Suspend::new(async move {
                match performance.await {
                    Ok(p) => view! { <PerformanceBody p/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PerformanceBody(p: PartnerPerformance) -> impl IntoView {
    let chart = spec::monthly_bars(&p.by_month, p.currency, "Attributed revenue");
    let win_rate = p
        .win_rate
        .map(|r| format!("{} %", (r * Decimal::ONE_HUNDRED).round_dp(0)))
        .unwrap_or_else(|| "—".into());
    let won_deals: u64 = p.by_month.iter().map(|m| m.deals).sum();
    let period = format!(
        "{} – {}",
        p.range.start.format("%b %Y"),
        p.range
            .end
            .pred_opt()
            .unwrap_or(p.range.end)
            .format("%b %Y")
    );
    view! {
        <div class="kpi-grid" data-testid="partner-performance">
            <KpiCard id="partner-attributed" label="Attributed revenue" value=p.attributed.format_whole()
                detail=format!("last 12 months · {}", p.model.name()) minor=p.attributed.to_minor().unwrap_or_default()/>
            <KpiCard id="partner-win-rate" label="Win rate" value=win_rate
                detail=format!("{} won of {} closed", p.deals_won, p.deals_closed)/>
            <KpiCard id="partner-influenced" label="Deals influenced" value=p.deals_influenced.to_string()
                detail=format!("{} touchpoints in 12 months", p.touchpoints)/>
            <KpiCard id="partner-pipeline" label="Open pipeline" value=p.open_pipeline.format_whole()
                detail=format!("{} open deals touched", p.open_deals)/>
        </div>
        <div class="profile-grid">
            <section class="card chart-card">
                <header class="card-header">
                    <h2>"Attributed revenue by month"</h2>
                    <p class="subtle">{format!("{period}: the partner's {} credit on {won_deals} won deals in {}.", p.model.name().to_lowercase(), p.currency)}</p>
                </header>
                <EChart id="partner-revenue-chart" chart label="Bar chart of the partner's attributed revenue for each of the last twelve months"/>
            </section>
            <section class="card" data-testid="partner-commissions">
                <header class="card-header"><h2>"Commissions"</h2><p class="subtle">"All time, clawbacks deducted."</p></header>
                {if p.commissions.is_empty() {
                    view! { <p class="card-body subtle">"No commissions yet: they are created when a deal this partner touched is won."</p> }.into_any()
                } else {
                    let currencies: Vec<String> = p.commissions.iter().map(|c| c.earned.currency().to_string()).collect();
                    let line = |label: &'static str, testid: &'static str, pick: fn(&crate::api::partners::CommissionTotals) -> String| {
                        let cells = p.commissions.iter().map(|c| view! { <td class="num" data-testid=testid>{pick(c)}</td> }).collect_view();
                        view! { <tr><th scope="row">{label}</th>{cells}</tr> }
                    };
                    view! {
                        <table class="table">
                            <thead><tr><th></th>{currencies.into_iter().map(|c| view! { <th class="num">{c}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {line("Earned", "commissions-earned", |c| c.earned.format())}
                                {line("Paid", "commissions-paid", |c| c.paid.format())}
                                {line("Outstanding", "commissions-outstanding", |c| c.outstanding.format())}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
        <section class="card">
            <header class="card-header">
                <h2>"Recent deals"</h2>
            </header>
            {if p.recent_deals.is_empty() {
                view! { <p class="card-body subtle">"This partner has not touched a deal yet. Add a touchpoint on a deal page to credit it."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="partner-recent-deals">
                        <thead><tr><th>"Deal"</th><th>"Account"</th><th>"Stage"</th><th class="num">"Amount"</th><th class="num">"Touches"</th><th>"Last touch"</th></tr></thead>
                        <tbody>
                            {p.recent_deals.into_iter().map(|d| view! {
                                <tr>
                                    <td><A href=format!("/deals/{}", d.id)>{d.name}</A></td>
                                    <td>{d.account_name}</td>
                                    <td><StageBadge stage=d.stage/></td>
                                    <td class="num">{d.amount.format()}</td>
                                    <td class="num">{d.touches}</td>
                                    <td>{d.last_touch.format("%b %-d, %Y").to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
