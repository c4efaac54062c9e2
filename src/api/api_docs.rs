//! The REST API's reference, as the in-app documentation page shows it: read from the same
//! OpenAPI document the API serves at `/api/v1/openapi.json`, so the two cannot disagree.
//! Public: integrators read it before they have an account.

pub use wire::api_docs::*;

use super::AppError;
use leptos::prelude::*;

#[server(endpoint = "api-docs/reference")]
pub async fn load_api_reference() -> Result<ApiReference, AppError> {
    Ok(backend::rest::reference())
}
