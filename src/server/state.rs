use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::auth::AuthSettings;
use super::auth::limits::SignInLimits;
use super::crm::{Crm, CrmConfig};
use super::report_cache::ReportCache;
use super::webhooks::WebhookSettings;

/// What the use cases need besides the caller: the database and the process's settings and
/// caches. Services, workers and the CLI reach it the same way, without a request.
#[derive(Clone)]
pub struct Backend {
    pub db: DatabaseConnection,
    pub auth: Arc<AuthSettings>,
    pub limits: Arc<SignInLimits>,
    /// Serving demo data: the sign-in page lists one login per role.
    pub demo: bool,
    pub report_cache: Arc<ReportCache>,
    pub webhooks: WebhookSettings,
    /// CRM connectors: settings, the key sealing their credentials, the HTTP client.
    pub crm: Arc<Crm>,
    /// Where absolute links start: the configured public URL, else (demo mode and tests: the
    /// server refuses to start without one otherwise) the address it listens on. Never the
    /// request's `Host`, which whoever sends the request chooses.
    pub site_url: Arc<str>,
}

/// What every request handler and server function can reach: the back end and Leptos' options.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub backend: Backend,
}

impl std::ops::Deref for AppState {
    type Target = Backend;

    fn deref(&self) -> &Backend {
        &self.backend
    }
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        auth: AuthSettings,
        demo: bool,
    ) -> AppState {
        let site_url = auth.site_url(leptos_options.site_addr).into();
        AppState {
            leptos_options,
            backend: Backend {
                db,
                limits: Arc::new(SignInLimits::new(auth.limits)),
                auth: Arc::new(auth),
                demo,
                report_cache: Arc::new(ReportCache::default()),
                webhooks: WebhookSettings::default(),
                crm: Arc::new(Crm::ephemeral(CrmConfig::default())),
                site_url,
            },
        }
    }

    /// The webhook settings of Leptos.toml (the defaults send only to public https addresses).
    pub fn with_webhooks(mut self, webhooks: WebhookSettings) -> AppState {
        self.backend.webhooks = webhooks;
        self
    }

    /// The CRM connectors as configured (without, credentials are sealed with a key of this
    /// process only).
    pub fn with_crm(mut self, crm: Crm) -> AppState {
        self.backend.crm = Arc::new(crm);
        self
    }
}
