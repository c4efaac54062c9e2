//! Authentication plumbing: database-backed sessions (tower-sessions over SeaORM), Argon2id
//! passwords with a strength check (zxcvbn), one-time tokens, sign-in rate limits (governor) and
//! the HTTP layers that resolve the signed-in user, refuse cross-site writes and set security
//! headers. Authorization itself is `domain::access::can`, asked by `context::authorize`.

pub mod layer;
pub mod limits;
pub mod password;
pub mod session;
pub mod session_store;
pub mod tokens;

use crate::api::auth::SessionUser;

/// The signed-in user of the current request (`None` when signed out), placed in the request's
/// extensions by [`layer::resolve_viewer`].
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<SessionUser>);

/// The `[partner-attribution.auth]` section of Leptos.toml.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AuthSettings {
    /// Without "remember me" the session cookie ends with the browser, the session after this.
    pub session_hours: i64,
    /// With "remember me".
    pub remember_days: i64,
    pub invitation_days: i64,
    pub reset_hours: i64,
    /// The address users reach the app at. An `https://` address makes cookies `Secure`.
    /// Empty: links use the address of the request.
    pub public_url: String,
    /// Behind a reverse proxy, the client's address is the first of `X-Forwarded-For`.
    pub behind_proxy: bool,
    pub limits: limits::LimitSettings,
}

impl AuthSettings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
