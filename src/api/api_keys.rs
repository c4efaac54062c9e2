//! API keys for the REST API (`/api/v1`): the organization's keys, creating one (its secret is
//! shown this once) and revoking one. Administrators only.

pub use wire::api_keys::*;

use super::AppError;
use crate::domain::api_key::ApiKeyForm;
use crate::domain::ids::ApiKeyId;
use leptos::prelude::*;

/// The organization's keys, live ones first, newest first.
#[server(endpoint = "api-keys/list")]
pub async fn load_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::api_keys::list(&caller).await }).await
}

#[server(endpoint = "api-keys/create")]
pub async fn create_api_key(
    #[server(default)] form: ApiKeyForm,
) -> Result<CreatedApiKey, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::api_keys::create(&caller, form).await }).await
}

/// Revokes a key: requests with it are refused from now on. Cannot be undone.
#[server(endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: ApiKeyId) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::api_keys::revoke(&caller, id).await }).await
}
