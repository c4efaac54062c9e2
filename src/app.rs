//! The HTML shell, the top navigation and the routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{SsrMode, path};

use crate::api::auth::SignOut;
use crate::components::session::{RequireAccess, provide_current_user, use_current_user};
use crate::components::toast::{ToastRegion, provide_toasts};
use crate::domain::access::{Action, Resource};
use crate::pages::{admin, api_docs, auth, manager, not_found::NotFound, portal, reports};

/// The document around the app. ECharts loads before the client so charts can draw on hydration.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Partner attribution, commissions and payouts"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <script src="/vendor/echarts.min.js"></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_current_user();
    provide_toasts();
    #[cfg(feature = "ssr")]
    set_security_policy();
    // Lets tests (and anything else) know the page is interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/partner-attribution.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Partner Attribution".to_owned() } else { format!("{page} · Partner Attribution") }
        }/>
        <Router>
            <TopNav/>
            <main class="page" id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/partners") view=|| guarded(Resource::Partners, || view! { <manager::partners::PartnersPage/> })/>
                    <Route path=path!("/partners/new") view=|| guarded_edit(Resource::Partners, || view! { <manager::partner_form::NewPartnerPage/> })/>
                    <Route path=path!("/partners/:id") view=|| guarded(Resource::Partners, || view! { <manager::partner_profile::PartnerProfilePage/> })/>
                    <Route path=path!("/partners/:id/edit") view=|| guarded_edit(Resource::Partners, || view! { <manager::partner_form::EditPartnerPage/> })/>
                    <Route path=path!("/leaderboard") view=|| guarded(Resource::Partners, || view! { <manager::leaderboard::LeaderboardPage/> })/>
                    <Route path=path!("/deals") view=|| guarded(Resource::Deals, || view! { <manager::deals::DealsPage/> })/>
                    <Route path=path!("/deals/new") view=|| guarded_edit(Resource::Deals, || view! { <manager::deal_form::NewDealPage/> })/>
                    <Route path=path!("/deals/registrations") view=|| view! { <Redirect path="/registrations"/> }/>
                    <Route path=path!("/deals/:id") view=|| guarded(Resource::Deals, || view! { <manager::deal::DealPage/> })/>
                    <Route path=path!("/deals/:id/edit") view=|| guarded_edit(Resource::Deals, || view! { <manager::deal_form::EditDealPage/> })/>
                    <Route path=path!("/imports") view=|| guarded(Resource::Imports, || view! { <manager::imports::ImportsPage/> })/>
                    <Route path=path!("/imports/:id") view=|| guarded(Resource::Imports, || view! { <manager::imports::ImportPage/> })/>
                    <Route path=path!("/payouts") view=|| guarded(Resource::Payouts, || view! { <manager::payouts::PayoutsPage/> })/>
                    <Route path=path!("/payouts/earnings") view=|| guarded(Resource::Payouts, || view! { <manager::earnings::EarningsPage/> })/>
                    <Route path=path!("/payouts/rules") view=|| guarded(Resource::CommissionRules, || view! { <manager::commission_rules::CommissionRulesPage/> })/>
                    <Route path=path!("/payouts/rules/new") view=|| guarded_edit(Resource::CommissionRules, || view! { <manager::commission_rules::NewCommissionRulePage/> })/>
                    <Route path=path!("/payouts/rules/:id") view=|| guarded(Resource::CommissionRules, || view! { <manager::commission_rules::CommissionRulePage/> })/>
                    <Route path=path!("/payouts/rates") view=|| guarded(Resource::Payouts, || view! { <manager::exchange_rates::ExchangeRatesPage/> })/>
                    <Route path=path!("/payouts/statement") view=|| guarded(Resource::Payouts, || view! { <manager::statement::StatementPage/> })/>
                    <Route path=path!("/registrations") view=|| guarded(Resource::Deals, || view! { <manager::registrations::RegistrationsPage/> })/>
                    <Route path=path!("/disputes") view=|| guarded(Resource::Disputes, || view! { <manager::disputes::DisputesPage/> })/>
                    <Route path=path!("/disputes/:id") view=|| guarded(Resource::Disputes, || view! { <manager::disputes::DisputePage/> })/>
                    <Route path=path!("/activity") view=|| guarded(Resource::AuditLog, || view! { <manager::activity::ActivityPage/> })/>
                    <Route path=path!("/portal") view=|| guarded(Resource::Portal, || view! { <portal::PortalHome/> })/>
                    <Route path=path!("/portal/deals") view=|| guarded(Resource::Portal, || view! { <portal::deals::PortalDealsPage/> })/>
                    <Route path=path!("/portal/deals/:id") view=|| guarded(Resource::Portal, || view! { <portal::deal::PortalDealPage/> })/>
                    <Route path=path!("/portal/registrations") view=|| guarded(Resource::Portal, || view! { <manager::registrations::RegistrationsPage portal=true/> })/>
                    <Route path=path!("/portal/registrations/new") view=|| guarded_edit(Resource::Portal, || view! { <manager::registrations::NewRegistrationPage/> })/>
                    <Route path=path!("/portal/profile") view=|| guarded(Resource::Portal, || view! { <portal::profile::PortalProfilePage/> })/>
                    <Route path=path!("/portal/commissions") view=|| guarded(Resource::Portal, || view! { <portal::commissions::PortalCommissionsPage/> })/>
                    <Route path=path!("/portal/disputes") view=|| guarded(Resource::Portal, || view! { <manager::disputes::DisputesPage portal=true/> })/>
                    <Route path=path!("/portal/disputes/new") view=|| guarded(Resource::Portal, || view! { <portal::deal::PortalNewDisputePage/> })/>
                    <Route path=path!("/portal/disputes/:id") view=|| guarded(Resource::Portal, || view! { <manager::disputes::DisputePage portal=true/> })/>
                    <Route path=path!("/reports") view=|| guarded(Resource::Reports, || view! { <reports::RevenueReportPage/> })/>
                    <Route path=path!("/reports/top-partners") view=|| guarded(Resource::Reports, || view! { <reports::TopPartnersPage/> })/>
                    <Route path=path!("/reports/models") view=|| guarded(Resource::Reports, || view! { <reports::ModelComparisonPage/> })/>
                    <Route path=path!("/reports/roi") view=|| guarded(Resource::Reports, || view! { <reports::RoiReportPage/> })/>
                    <Route path=path!("/reports/forecast") view=|| guarded(Resource::Reports, || view! { <reports::ForecastReportPage/> })/>
                    // Rendered whole before it is sent: streamed, its form and the browser-only preview
                    // inside it raced hydration and sometimes mismatched (an unrecoverable error).
                    <Route path=path!("/settings/attribution") ssr=SsrMode::Async view=|| guarded(Resource::Attribution, || view! { <manager::attribution_settings::AttributionSettingsPage/> })/>
                    <Route path=path!("/settings/program") view=|| guarded(Resource::Settings, || view! { <manager::program_settings::ProgramSettingsPage/> })/>
                    <Route path=path!("/settings/api-keys") view=|| guarded(Resource::Settings, || view! { <admin::api_keys::ApiKeysPage/> })/>
                    <Route path=path!("/settings/integrations") view=|| guarded(Resource::Integrations, || view! { <admin::integrations::IntegrationsPage/> })/>
                    <Route path=path!("/settings/integrations/:kind") view=|| guarded(Resource::Integrations, || view! { <admin::integrations::IntegrationPage/> })/>
                    <Route path=path!("/settings/integrations/:kind/syncs/:id") view=|| guarded(Resource::Integrations, || view! { <admin::integrations::SyncPage/> })/>
                    <Route path=path!("/settings/webhooks") view=|| guarded(Resource::Webhooks, || view! { <admin::webhooks::WebhooksPage/> })/>
                    <Route path=path!("/settings/webhooks/:id") view=|| guarded(Resource::Webhooks, || view! { <admin::webhooks::WebhookEndpointPage/> })/>
                    // The addresses people guess send them to the page they meant.
                    <Route path=path!("/settings") view=|| view! { <Redirect path="/settings/attribution"/> }/>
                    <Route path=path!("/users") view=|| view! { <Redirect path="/admin/users"/> }/>
                    <Route path=path!("/admin") view=|| view! { <Redirect path="/admin/users"/> }/>
                    <Route path=path!("/outbox") view=|| view! { <Redirect path="/admin/outbox"/> }/>
                    <Route path=path!("/admin/users") view=|| guarded(Resource::Users, || view! { <admin::users::UsersPage/> })/>
                    <Route path=path!("/admin/outbox") view=|| guarded(Resource::Users, || view! { <admin::outbox::OutboxPage/> })/>
                    <Route path=path!("/api-docs") view=api_docs::ApiDocsPage/>
                    <Route path=path!("/sign-in") view=auth::sign_in::SignInPage/>
                    <Route path=path!("/sign-up") view=auth::sign_up::SignUpPage/>
                    <Route path=path!("/forgot-password") view=auth::password::ForgotPasswordPage/>
                    <Route path=path!("/reset-password/:token") view=auth::password::ResetPasswordPage/>
                    <Route path=path!("/invitation/:token") view=auth::invitation::InvitationPage/>
                </Routes>
            </main>
            <ToastRegion/>
        </Router>
    }
}

fn guarded<V: IntoView + 'static>(
    resource: Resource,
    page: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    view! { <RequireAccess resource>{page()}</RequireAccess> }
}

/// For pages that change `resource`: viewing it is not enough.
fn guarded_edit<V: IntoView + 'static>(
    resource: Resource,
    page: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    view! { <RequireAccess resource action=Action::Edit>{page()}</RequireAccess> }
}

/// `/`: the manager dashboard for roles that may see it; everyone else goes to their own home.
#[component]
fn Home() -> impl IntoView {
    let user = use_current_user();
    move || match user.get() {
        Some(user) if !user.can(Action::View, Resource::Dashboard) => {
            view! { <Redirect path=user.home()/> }.into_any()
        }
        _ => guarded(
            Resource::Dashboard,
            || view! { <manager::dashboard::DashboardPage/> },
        )
        .into_any(),
    }
}

/// The page's Content-Security-Policy, carrying the nonce of its inline hydration script.
#[cfg(feature = "ssr")]
fn set_security_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) =
        axum::http::HeaderValue::from_str(&backend::auth::layer::page_policy(&nonce))
    {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The links a role may use, the signed-in user and a way out.
#[component]
fn TopNav() -> impl IntoView {
    let user = use_current_user();
    let allowed = move |resource: Resource| {
        user.with(|u| u.as_ref().is_some_and(|u| u.can(Action::View, resource)))
    };
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                <span>{move || user.with(|u| match u {
                    // Partners see whose program they are in.
                    Some(u) if u.partner_id.is_some() => format!("{} partner portal", u.organization_name),
                    _ => "Partner Attribution".to_owned(),
                })}</span>
            </A>
            <nav class="topnav" aria-label="Main">
                <Show when=move || allowed(Resource::Dashboard)>
                    <A href="/" exact=true>"Workspace"</A>
                </Show>
                <Show when=move || allowed(Resource::Partners)>
                    <A href="/partners">"Partners"</A>
                </Show>
                <Show when=move || allowed(Resource::Deals)>
                    <A href="/deals">"Deals"</A>
                </Show>
                <Show when=move || allowed(Resource::Imports)>
                    <A href="/imports">"Import"</A>
                </Show>
                <Show when=move || allowed(Resource::Payouts)>
                    <A href="/payouts">"Payouts"</A>
                </Show>
                <Show when=move || allowed(Resource::Disputes)>
                    <A href="/disputes">"Disputes"</A>
                </Show>
                <Show when=move || allowed(Resource::AuditLog)>
                    <A href="/activity">"Activity"</A>
                </Show>
                <Show when=move || allowed(Resource::Portal)>
                    <A href="/portal" exact=true>"Overview"</A>
                    <A href="/portal/deals">"Deals"</A>
                    <A href="/portal/registrations">"Registrations"</A>
                    <A href="/portal/commissions">"Commissions"</A>
                    <A href="/portal/disputes">"Disputes"</A>
                    <A href="/portal/profile">"Profile"</A>
                </Show>
                <Show when=move || allowed(Resource::Reports)>
                    <A href="/reports">"Reports"</A>
                </Show>
                <Show when=move || allowed(Resource::Users)>
                    <A href="/admin/users">"Users"</A>
                </Show>
                <Show when=move || allowed(Resource::Settings)>
                    <A href="/settings/attribution">"Settings"</A>
                </Show>
            </nav>
            <UserMenu/>
        </header>
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let user = use_current_user();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            user.set(None);
            use_navigate()("/sign-in", Default::default());
        }
    });
    move || {
        match user.get() {
        Some(me) => view! {
            <div class="user-menu" data-testid="user-menu">
                <span class="who">
                    <span class="who-name">{me.name.clone()}</span>
                    <span class="who-detail">
                        {format!("{} · {}", me.partner_name.clone().unwrap_or(me.organization_name.clone()), me.role.title())}
                    </span>
                </span>
                <ActionForm action=sign_out>
                    <button type="submit" class="button small">"Sign out"</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        None => view! { <A href="/sign-in" attr:class="button small">"Sign in"</A> }.into_any(),
    }
    }
}
