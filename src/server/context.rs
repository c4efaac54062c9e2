//! What a server function knows about the request it serves: the app state, the signed-in user
//! (resolved once per request by `auth::layer::resolve_viewer`), and the answer to "may they?".

use axum::http::StatusCode;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;

use super::auth::Viewer;
use super::state::AppState;
use super::tenant::Tenant;
use crate::api::AppError;
use crate::api::auth::SessionUser;
use crate::domain::access::{Action, Resource};
use crate::domain::api_key::KeyScope;
use crate::domain::ids::UserId;

/// An authorized caller: who they are, the tenant their queries are scoped to, and the database.
pub struct Caller {
    pub db: DatabaseConnection,
    /// The signed-in user; for an API key, the user who created it (`key` says what it may do).
    pub user: SessionUser,
    pub tenant: Tenant,
    pub report_cache: std::sync::Arc<super::report_cache::ReportCache>,
    /// Set when the request came with an API key rather than a session.
    pub key: Option<KeyActor>,
}

/// An API key acting for its organization.
#[derive(Debug, Clone)]
pub struct KeyActor {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scope: KeyScope,
}

impl KeyActor {
    /// How the audit trail names the key.
    pub fn label(&self) -> String {
        format!("API key \"{}\" (pa_{})", self.name, self.prefix)
    }
}

impl Caller {
    /// A background job acting for `user` of `organization` (who started an import or a sync):
    /// none when they can no longer sign in or belong elsewhere now. Their role still decides
    /// what the job may change.
    pub async fn for_user(
        db: &DatabaseConnection,
        cache: &std::sync::Arc<super::report_cache::ReportCache>,
        organization: crate::domain::ids::OrganizationId,
        user: UserId,
    ) -> Result<Option<Caller>, AppError> {
        let Some(user) = super::repo::users::session_user(db, user).await? else {
            return Ok(None);
        };
        if user.organization_id != organization {
            return Ok(None);
        }
        Ok(Some(Caller {
            db: db.clone(),
            tenant: Tenant::of(&user),
            user,
            report_cache: cache.clone(),
            key: None,
        }))
    }

    /// The role matrix for a user, the key's scope for an API key.
    pub fn can(&self, action: Action, resource: Resource) -> bool {
        match &self.key {
            Some(key) => key.scope.can(action, resource),
            None => self.user.can(action, resource),
        }
    }

    /// The user acting, to record as a row's creator; none for an API key.
    pub fn user_id(&self) -> Option<UserId> {
        self.key.is_none().then_some(self.user.id)
    }

    /// `Forbidden` unless the caller may `action` the `resource`.
    pub fn require(&self, action: Action, resource: Resource) -> Result<(), AppError> {
        if self.can(action, resource) {
            Ok(())
        } else {
            tracing::warn!(user = %self.user.id, key = ?self.key.as_ref().map(|k| k.id), %action, %resource, "access denied");
            Err(AppError::Forbidden)
        }
    }
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the request context"))
}

/// The request's head (headers, extensions), as Leptos provides it.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from the request context"))
}

/// The signed-in user, if any. Works in server functions and while rendering pages.
pub fn viewer() -> Option<SessionUser> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
        .and_then(|viewer| viewer.0)
}

/// The caller, if signed in and allowed to `action` the `resource`; otherwise `Unauthorized`
/// (nobody signed in) or `Forbidden` (the role may not). Every server function that reads or
/// writes tenant data starts here.
pub async fn authorize(action: Action, resource: Resource) -> Result<Caller, AppError> {
    authorize_viewer(&app_state()?, viewer(), action, resource)
}

/// `authorize` for plain Axum handlers (downloads), which are handed the viewer directly.
pub fn authorize_viewer(
    state: &AppState,
    user: Option<SessionUser>,
    action: Action,
    resource: Resource,
) -> Result<Caller, AppError> {
    let user = user.ok_or(AppError::Unauthorized)?;
    if !user.can(action, resource) {
        tracing::warn!(user = %user.id, role = %user.role, %action, %resource, "access denied");
        return Err(AppError::Forbidden);
    }
    Ok(Caller {
        db: state.db.clone(),
        tenant: Tenant::of(&user),
        user,
        report_cache: state.report_cache.clone(),
        key: None,
    })
}

/// Gives a server function's error its HTTP status (401, 403, 404, 422, 409, 429, 500), so API
/// clients and logs see what happened without reading the body. While a page renders, server
/// functions run in-process and the page keeps its own status.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let over_http = use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if let Err(err) = &result
        && over_http
    {
        let status = status_of(err);
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
            if let AppError::RateLimited {
                retry_after_seconds,
                ..
            } = err
            {
                response.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(*retry_after_seconds),
                );
            }
        }
    }
    result
}

/// The HTTP status an error answers with.
pub fn status_of(err: &AppError) -> StatusCode {
    StatusCode::from_u16(err.status()).expect("AppError statuses are valid HTTP statuses")
}
