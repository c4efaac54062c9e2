//! Who a use case runs for: a signed-in user, an API key, or a background job acting for the
//! user who started it. Every service takes a `&Caller` and checks `require` itself, so the
//! server functions, the REST API, workers, the CLI and tests all call the same entry point.

use std::net::IpAddr;

use sea_orm::DatabaseConnection;
use tower_sessions::Session;

use super::state::Backend;
use super::tenant::Tenant;
use domain::access::{Action, Resource};
use domain::api_key::KeyScope;
use domain::ids::{OrganizationId, UserId};
use wire::AppError;
use wire::auth::SessionUser;

/// An authenticated caller: who they are, the tenant their queries are scoped to, and the back
/// end they reach it through.
#[derive(Clone)]
pub struct Caller {
    pub backend: Backend,
    /// The signed-in user; for an API key, a stand-in named after it (`key` says what it may do).
    pub user: SessionUser,
    pub tenant: Tenant,
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
    /// The signed-in user of a session: `Unauthorized` when nobody is.
    pub fn signed_in(backend: &Backend, user: Option<SessionUser>) -> Result<Caller, AppError> {
        let user = user.ok_or(AppError::Unauthorized)?;
        Ok(Caller {
            backend: backend.clone(),
            tenant: Tenant::of(&user),
            user,
            key: None,
        })
    }

    /// The caller of a plain HTTP handler (a download, an upload), which is handed the signed-in
    /// user directly, if they may `action` the `resource`.
    pub fn authorized(
        backend: &Backend,
        user: Option<SessionUser>,
        action: Action,
        resource: Resource,
    ) -> Result<Caller, AppError> {
        let caller = Caller::signed_in(backend, user)?;
        caller.require(action, resource)?;
        Ok(caller)
    }

    /// A background job acting for `user` of `organization` (who started an import or a sync):
    /// none when they can no longer sign in or belong elsewhere now. Their role still decides
    /// what the job may change.
    pub async fn for_user(
        backend: &Backend,
        organization: OrganizationId,
        user: UserId,
    ) -> Result<Option<Caller>, AppError> {
        let Some(user) = super::repo::users::session_user(&backend.db, user).await? else {
            return Ok(None);
        };
        if user.organization_id != organization {
            return Ok(None);
        }
        Ok(Some(Caller::signed_in(backend, Some(user))?))
    }

    /// The database, for the repositories (each query scoped by `tenant`).
    pub fn db(&self) -> &DatabaseConnection {
        &self.backend.db
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

    /// `Forbidden` unless the caller may `action` the `resource`. Every use case that reads or
    /// writes tenant data starts here.
    pub fn require(&self, action: Action, resource: Resource) -> Result<(), AppError> {
        if self.can(action, resource) {
            Ok(())
        } else {
            tracing::warn!(user = %self.user.id, role = %self.user.role, key = ?self.key.as_ref().map(|k| k.id), %action, %resource, "access denied");
            Err(AppError::Forbidden)
        }
    }
}

/// Someone at the door: the sign-in, sign-up, invitation and reset pages act for them, before
/// (or, signing out, after) they are a [`Caller`].
pub struct Visitor {
    pub backend: Backend,
    /// Their session, which signing in fills and signing out ends.
    pub session: Session,
    /// Their address, which the sign-in limits count attempts against (none when unknown).
    pub ip: Option<IpAddr>,
    /// Who they are signed in as, if they are.
    pub user: Option<SessionUser>,
}
