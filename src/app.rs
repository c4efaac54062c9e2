//! The HTML shell, the top navigation and the routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::pages::{exec, manager, not_found::NotFound, portal};

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
    view! {
        <Stylesheet id="leptos" href="/pkg/partner-attribution.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Partner Attribution".to_owned() } else { format!("{page} · Partner Attribution") }
        }/>
        <Router>
            <TopNav/>
            <main class="page" id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=manager::dashboard::DashboardPage/>
                    <Route path=path!("/portal") view=portal::PortalHome/>
                    <Route path=path!("/reports") view=exec::ReportsHome/>
                </Routes>
            </main>
        </Router>
    }
}

/// One link per audience: the manager workspace, the partner portal and executive reports.
#[component]
fn TopNav() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                <span>"Partner Attribution"</span>
            </A>
            <nav class="topnav" aria-label="Main">
                <A href="/" exact=true>"Workspace"</A>
                <A href="/portal">"Partner portal"</A>
                <A href="/reports">"Reports"</A>
            </nav>
        </header>
    }
}
