//! CRM connectors: HubSpot, Salesforce and Pipedrive read deals into the app (backfill and
//! incremental syncs run by a background job, `sync`), write attribution results back, and
//! take the CRMs' change webhooks. Each CRM module knows only its own requests and answers;
//! `apply` writes a deal through the app's own services.

pub mod apply;
pub mod client;
pub mod hooks;
pub mod hubspot;
pub mod pipedrive;
pub mod salesforce;
pub mod sync;
pub mod vault;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::entities::crm_connections;
use crate::outbound::Outbound;
use client::{Connection, CrmError, Page};
use domain::crm::{CrmKind, CrmSettings, WriteBack};
use vault::Vault;

/// The `[partner-attribution.crm]` section of Leptos.toml.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct CrmConfig {
    /// Where the key sealing CRM credentials is kept (`SECRET_KEY` overrides); created on first
    /// start.
    pub secret_key_file: String,
    /// Allow CRM addresses on loopback or private networks and plain http (tests, development).
    pub allow_private_targets: bool,
    /// How often each enabled connection gets an incremental sync; 0: only on demand.
    pub sync_minutes: u64,
    /// How long the CRM may take to answer.
    pub timeout_seconds: u64,
    /// The first wait after a failed request (doubling with each of three retries).
    pub retry_ms: u64,
}

impl Default for CrmConfig {
    fn default() -> CrmConfig {
        CrmConfig {
            secret_key_file: "data/secret.key".into(),
            allow_private_targets: false,
            sync_minutes: 15,
            timeout_seconds: 30,
            retry_ms: 1_000,
        }
    }
}

/// What the connectors need at run time: settings, the key, one HTTP client.
#[derive(Debug, Clone)]
pub struct Crm {
    pub config: CrmConfig,
    pub vault: Vault,
    pub http: Outbound,
}

impl Crm {
    pub fn new(config: CrmConfig, vault: Vault) -> Crm {
        let builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds.max(1)))
            .user_agent(concat!("partner-attribution/", env!("CARGO_PKG_VERSION")));
        let http = Outbound::new(builder, config.allow_private_targets);
        Crm {
            config,
            vault,
            http,
        }
    }

    /// Settings as shipped, with a key of its own: for tests and tools that keep no secrets.
    pub fn ephemeral(config: CrmConfig) -> Crm {
        Crm::new(config, Vault::random())
    }

    pub fn targets(&self) -> domain::webhook::Targets {
        if self.config.allow_private_targets {
            domain::webhook::Targets::AnyHttp
        } else {
            domain::webhook::Targets::PublicHttpsOnly
        }
    }
}

/// The connection as the connectors use it; why not, when its settings cannot be used.
pub fn ready(crm: &Crm, row: &crm_connections::Model) -> Result<Connection, String> {
    let kind: CrmKind = row.kind.0;
    let settings: CrmSettings = serde_json::from_str(&row.settings)
        .map_err(|e| format!("The connection's settings cannot be read: {e}"))?;
    let token = match &row.credentials {
        Some(sealed) => crm.vault.open(sealed).map_err(|e| {
            format!(
                "The {} token cannot be used ({e}); enter it again.",
                kind.name()
            )
        })?,
        None => return Err(format!("No {} token is saved.", kind.name())),
    };
    // With a consumer key, the stored token is the secret signed in with before the first page.
    let signs_in = kind == CrmKind::Salesforce && !settings.client_id.trim().is_empty();
    Ok(Connection {
        kind,
        base_url: row.base_url.clone(),
        token: if signs_in {
            String::new()
        } else {
            token.clone()
        },
        sign_in_secret: signs_in.then_some(token),
        settings,
    })
}

/// A read-only probe of a saved connection: signs in where it does, then asks for the deals
/// changed from now on (none, in one request), with the same token and permissions a sync uses.
pub async fn check(crm: &Crm, conn: &mut Connection) -> Result<(), CrmError> {
    sign_in(crm, conn).await?;
    fetch(crm, conn, None, Some(Utc::now())).await.map(|_| ())
}

/// Gets a fresh access token where the connection signs in for one (Salesforce with a
/// consumer key); a connection with a plain token keeps it.
pub async fn sign_in(crm: &Crm, conn: &mut Connection) -> Result<(), CrmError> {
    let Some(secret) = conn.sign_in_secret.clone() else {
        return Ok(());
    };
    conn.token = match conn.kind {
        CrmKind::Salesforce => salesforce::sign_in(&crm.http, conn, &secret).await?,
        CrmKind::HubSpot | CrmKind::Pipedrive => return Ok(()),
    };
    Ok(())
}

/// One page of the connection's deals: all of them (`since` none) or those changed since.
pub async fn fetch(
    crm: &Crm,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    match conn.kind {
        CrmKind::HubSpot => hubspot::fetch(&crm.http, conn, cursor, since).await,
        CrmKind::Salesforce => salesforce::fetch(&crm.http, conn, cursor, since).await,
        CrmKind::Pipedrive => pipedrive::fetch(&crm.http, conn, cursor, since).await,
    }
}

pub async fn write_back(
    crm: &Crm,
    conn: &Connection,
    deal_id: &str,
    back: &WriteBack,
) -> Result<(), CrmError> {
    match conn.kind {
        CrmKind::HubSpot => hubspot::write_back(&crm.http, conn, deal_id, back).await,
        CrmKind::Salesforce => salesforce::write_back(&crm.http, conn, deal_id, back).await,
        CrmKind::Pipedrive => pipedrive::write_back(&crm.http, conn, deal_id, back).await,
    }
}
