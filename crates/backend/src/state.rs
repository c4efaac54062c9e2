use std::net::SocketAddr;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::AuthSettings;
use crate::auth::limits::SignInLimits;
use crate::crm::{Crm, CrmConfig};
use crate::report_cache::ReportCache;
use crate::webhooks::WebhookSettings;

/// What the use cases need besides the caller: the database and the process's settings and
/// caches. Services, workers, the CLI and every HTTP handler reach it the same way.
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

impl Backend {
    /// A back end on `db` for a server listening on `site_addr`, with the default webhook
    /// settings and CRM connectors sealing credentials with a key of this process only.
    pub fn new(
        db: DatabaseConnection,
        auth: AuthSettings,
        demo: bool,
        site_addr: SocketAddr,
    ) -> Backend {
        Backend {
            db,
            limits: Arc::new(SignInLimits::new(auth.limits)),
            site_url: auth.site_url(site_addr).into(),
            auth: Arc::new(auth),
            demo,
            report_cache: Arc::new(ReportCache::default()),
            webhooks: WebhookSettings::default(),
            crm: Arc::new(Crm::ephemeral(CrmConfig::default())),
        }
    }

    /// The webhook settings of Leptos.toml (the defaults send only to public https addresses).
    pub fn with_webhooks(mut self, webhooks: WebhookSettings) -> Backend {
        self.webhooks = webhooks;
        self
    }

    /// The CRM connectors as configured.
    pub fn with_crm(mut self, crm: Crm) -> Backend {
        self.crm = Arc::new(crm);
        self
    }
}
