//! What a session remembers about its user, and the two moments that change it: signing in
//! (a new session id, so a session fixed before sign-in is useless after) and signing out.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::{Expiry, Session};

use super::AuthSettings;
use domain::ids::UserId;
use wire::AppError;

pub const SIGNED_IN_KEY: &str = "signed_in";

/// Kept in the session under [`SIGNED_IN_KEY`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: i64,
    pub at: DateTime<Utc>,
    /// A session that is not remembered ends with the browser, and at the latest at this time.
    pub until: DateTime<Utc>,
}

fn store_error(err: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("session store: {err}"))
}

/// Starts a signed-in session for `user_id` under a fresh session id.
pub async fn begin(
    session: &Session,
    user_id: UserId,
    remember: bool,
    settings: &AuthSettings,
) -> Result<(), AppError> {
    let now = Utc::now();
    let lifetime = if remember {
        Duration::days(settings.remember_days)
    } else {
        Duration::hours(settings.session_hours)
    };
    session.cycle_id().await.map_err(store_error)?;
    session.set_expiry(Some(if remember {
        Expiry::AtDateTime(
            time::OffsetDateTime::now_utc() + time::Duration::seconds(lifetime.num_seconds()),
        )
    } else {
        Expiry::OnSessionEnd
    }));
    session
        .insert(
            SIGNED_IN_KEY,
            SignedIn {
                user_id: user_id.0,
                at: now,
                until: now + lifetime,
            },
        )
        .await
        .map_err(store_error)
}

/// The user this session is signed in as, unless it has outlived its lifetime.
pub async fn signed_in_user(session: &Session) -> Result<Option<UserId>, AppError> {
    let signed_in: Option<SignedIn> = session.get(SIGNED_IN_KEY).await.map_err(store_error)?;
    Ok(signed_in
        .filter(|s| s.until > Utc::now())
        .map(|s| UserId(s.user_id)))
}

/// Deletes the session and expires its cookie.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_error)
}
