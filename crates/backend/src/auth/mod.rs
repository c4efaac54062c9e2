//! Authentication plumbing: database-backed sessions (tower-sessions over SeaORM), Argon2id
//! passwords with a strength check (zxcvbn), one-time tokens, sign-in rate limits (governor) and
//! the HTTP layers that resolve the signed-in user, refuse cross-site writes and set security
//! headers. Authorization itself is `domain::access::can`, asked by `Caller::require`.

pub mod layer;
pub mod limits;
pub mod password;
pub mod session;
pub mod session_store;
pub mod tokens;

use wire::auth::SessionUser;

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
    /// The address users reach the app at: every absolute link starts with it. An `https://`
    /// address makes cookies `Secure`. Required outside demo mode (`serve` refuses to start
    /// without it); empty in demo mode means the address the server listens on.
    pub public_url: String,
    /// Behind a reverse proxy, the client's address is the first of `X-Forwarded-For`.
    pub behind_proxy: bool,
    pub limits: limits::LimitSettings,
}

impl AuthSettings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Where absolute links start: the public URL without a trailing `/`, else `http://` and
    /// the listening address (loopback for an unspecified one).
    pub fn site_url(&self, listening: std::net::SocketAddr) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.trim_end_matches('/').to_owned();
        }
        let mut addr = listening;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// Why the public URL cannot be used, if it cannot: it must be an absolute `http(s)`
    /// address with a host and nothing after the path.
    pub fn public_url_problem(&self) -> Option<String> {
        if self.public_url.is_empty() {
            return None;
        }
        match url::Url::parse(&self.public_url) {
            Ok(url)
                if matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && url.username().is_empty()
                    && url.password().is_none()
                    && url.query().is_none()
                    && url.fragment().is_none() =>
            {
                None
            }
            _ => Some(format!(
                "public-url (PUBLIC_URL) {:?} is not an address such as https://partners.example.com",
                self.public_url
            )),
        }
    }
}
