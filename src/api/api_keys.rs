//! API keys for the REST API (`/api/v1`): the organization's keys, creating one (its secret is
//! shown this once) and revoking one. Administrators only.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::api_key::{ApiKeyForm, KeyScope};
use crate::domain::ids::ApiKeyId;

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

/// The organization's keys, live ones first, newest first.
#[server(endpoint = "api-keys/list")]
pub async fn load_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::server::{context, services};
    context::finish(services::api_keys::list().await)
}

#[server(endpoint = "api-keys/create")]
pub async fn create_api_key(
    #[server(default)] form: ApiKeyForm,
) -> Result<CreatedApiKey, AppError> {
    use crate::server::{context, services};
    context::finish(services::api_keys::create(form).await)
}

/// Revokes a key: requests with it are refused from now on. Cannot be undone.
#[server(endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: ApiKeyId) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::api_keys::revoke(id).await)
}
