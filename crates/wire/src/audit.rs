//! The activity log: every recorded state change, filterable and in pages.

use chrono::{DateTime, NaiveDate, Utc};
use domain::audit::FieldChange;
use serde::{Deserialize, Serialize};

/// Rows per page of the activity log.
pub const AUDIT_PAGE_SIZE: u64 = 50;

/// What the log is narrowed to. `actor` matches the actor's email (or label) in part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub actor: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    /// What the event changed, field by field.
    pub changes: Vec<FieldChange>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    /// Every action and entity type the organization's log holds, for the filters.
    pub actions: Vec<String>,
    pub entity_types: Vec<String>,
}
