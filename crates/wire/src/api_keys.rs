//! API keys for the REST API (`/api/v1`): the organization's keys, creating one (its secret is
//! shown this once) and revoking one. Administrators only.

use chrono::{DateTime, Utc};
use domain::api_key::KeyScope;
use domain::ids::ApiKeyId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub name: String,
    pub scope: KeyScope,
    /// The key's public start (`pa_<prefix>_`), enough to recognise it; never the secret.
    pub starts_with: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key just created: the only time its whole value is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeyRow,
    pub secret: String,
}
