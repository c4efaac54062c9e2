//! CRM connectors (HubSpot, Salesforce, Pipedrive): each connection's settings, its syncs with
//! progress, and the records a sync could not take.

use chrono::{DateTime, Utc};
use domain::crm::{ConnectionForm, CrmKind, SyncMode, SyncStatus};
use serde::{Deserialize, Serialize};

/// Record errors a sync's page lists.
pub const ERRORS_SHOWN: u64 = 200;

/// A sync run and what it did so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub id: i64,
    pub kind: CrmKind,
    pub mode: SyncMode,
    pub status: SyncStatus,
    /// Records the CRM says the query has, when it says.
    pub total: Option<u64>,
    pub fetched: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub written_back: u64,
    /// Changes from this time on (none: everything).
    pub since: Option<DateTime<Utc>>,
    /// A rate-limited sync goes on at this time.
    pub waiting_until: Option<DateTime<Utc>>,
    pub failure: Option<String>,
    /// Who started it; none for a scheduled or webhook-triggered sync.
    pub started_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl SyncSummary {
    /// Progress in whole percent, when the CRM said how many records there are.
    pub fn percent(&self) -> Option<u64> {
        if self.status == SyncStatus::Done {
            return Some(100);
        }
        let total = self.total.filter(|t| *t > 0)?;
        Some((self.fetched * 100 / total).min(100))
    }
}

/// A CRM on the integrations page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub kind: CrmKind,
    /// Settings saved at least once.
    pub configured: bool,
    pub enabled: bool,
    pub synced_until: Option<DateTime<Utc>>,
    pub last_sync: Option<SyncSummary>,
}

/// A connection's page: its settings (secrets never leave the server), the address its
/// webhooks go to, and its recent syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub kind: CrmKind,
    pub form: ConnectionForm,
    pub configured: bool,
    pub has_token: bool,
    pub has_webhook_secret: bool,
    /// Where the CRM sends change webhooks (once saved; none for Salesforce).
    pub webhook_url: Option<String>,
    pub synced_until: Option<DateTime<Utc>>,
    pub syncs: Vec<SyncSummary>,
    pub can_edit: bool,
    /// Whether this server may reach private network and plain-http CRM addresses.
    pub private_targets_allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    pub external_id: String,
    pub name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDetail {
    pub sync: SyncSummary,
    /// The first `ERRORS_SHOWN` records with errors, in the order met.
    pub errors: Vec<RecordError>,
    pub error_count: u64,
}
