use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::auth::AuthSettings;
use super::auth::limits::SignInLimits;
use super::crm::{Crm, CrmConfig};
use super::report_cache::ReportCache;
use super::webhooks::WebhookSettings;

/// What every request handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub auth: Arc<AuthSettings>,
    pub limits: Arc<SignInLimits>,
    /// Serving demo data: the sign-in page lists one login per role.
    pub demo: bool,
    pub report_cache: Arc<ReportCache>,
    pub webhooks: WebhookSettings,
    /// CRM connectors: settings, the key sealing their credentials, the HTTP client.
    pub crm: Arc<Crm>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        auth: AuthSettings,
        demo: bool,
    ) -> AppState {
        AppState {
            leptos_options,
            db,
            limits: Arc::new(SignInLimits::new(auth.limits)),
            auth: Arc::new(auth),
            demo,
            report_cache: Arc::new(ReportCache::default()),
            webhooks: WebhookSettings::default(),
            crm: Arc::new(Crm::ephemeral(CrmConfig::default())),
        }
    }

    /// The webhook settings of Leptos.toml (the defaults send only to public https addresses).
    pub fn with_webhooks(self, webhooks: WebhookSettings) -> AppState {
        AppState { webhooks, ..self }
    }

    /// The CRM connectors as configured (without, credentials are sealed with a key of this
    /// process only).
    pub fn with_crm(self, crm: Crm) -> AppState {
        AppState {
            crm: Arc::new(crm),
            ..self
        }
    }
}
