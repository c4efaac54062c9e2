use axum::extract::FromRef;
use backend::Backend;
use backend::auth::AuthSettings;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// What every request handler and server function can reach: the back end and Leptos' options.
/// Handlers of the back end take `State<Backend>`, which axum takes from here.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub backend: Backend,
    /// The token `/metrics` asks for; `None`: metrics are not served.
    pub metrics_token: Option<std::sync::Arc<str>>,
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
        let backend = Backend::new(db, auth, demo, leptos_options.site_addr);
        AppState {
            leptos_options,
            backend,
            metrics_token: None,
        }
    }

    /// Serves `/metrics` to scrapers holding `token`.
    pub fn with_metrics_token(mut self, token: Option<String>) -> AppState {
        self.metrics_token = token.map(Into::into);
        self
    }

    /// The webhook settings of Leptos.toml (the defaults send only to public https addresses).
    pub fn with_webhooks(mut self, webhooks: backend::webhooks::WebhookSettings) -> AppState {
        self.backend = self.backend.with_webhooks(webhooks);
        self
    }

    /// The CRM connectors as configured (without, credentials are sealed with a key of this
    /// process only).
    pub fn with_crm(mut self, crm: backend::crm::Crm) -> AppState {
        self.backend = self.backend.with_crm(crm);
        self
    }
}
