//! What a server function knows about the request it serves.

use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;

use super::repo;
use super::state::AppState;
use crate::api::AppError;
use crate::domain::ids::OrganizationId;

pub struct RequestContext {
    pub db: DatabaseConnection,
    pub organization_id: OrganizationId,
}

/// The database and the organization the request acts for.
///
/// Until sign-in exists, every request acts for the default organization (the first one created).
/// Sign-in replaces this lookup with the signed-in user's organization and role; server functions
/// already take the organization from here and nowhere else, so that change stays in one place.
pub async fn request_context() -> Result<RequestContext, AppError> {
    let state = use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the request context"))?;
    let organization_id = repo::organizations::default_organization(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound("an organization (load demo data or create one)".into())
        })?;
    Ok(RequestContext {
        db: state.db,
        organization_id,
    })
}
