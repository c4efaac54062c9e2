//! Signing up, in and out, invitations and password resets: the server functions anyone may call.
//! Each validates its input, applies the sign-in rate limits where a password is tried, and
//! audits what it changed.

pub use wire::auth::*;

use super::AppError;
use leptos::prelude::*;

/// Signs in with email and password. `remember` keeps the session across browser restarts.
#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
) -> Result<SessionUser, AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move {
        services::accounts::sign_in(&visitor, &email, &password, remember.is_some()).await
    })
    .await
}

#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move { services::accounts::sign_out(&visitor).await }).await
}

/// Creates an organization with its first admin, and signs that admin in.
#[server(endpoint = "auth/sign-up")]
pub async fn sign_up(
    organization: String,
    currency: String,
    name: String,
    email: String,
    password: String,
) -> Result<SessionUser, AppError> {
    use crate::server::context;
    use backend::services;
    let form = services::accounts::SignUp {
        organization,
        currency,
        name,
        email,
        password,
    };
    context::welcome(|visitor| async move { services::accounts::sign_up(&visitor, form).await })
        .await
}

/// The demo logins, only when the server runs in demo mode.
#[server(endpoint = "auth/demo-logins")]
pub async fn fetch_demo_logins() -> Result<Option<DemoLogins>, AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move { services::accounts::demo_logins(&visitor).await }).await
}

/// Prepares a password-reset link in the organization's outbox. Answers the same whether or not
/// the email belongs to an account.
#[server(endpoint = "auth/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move {
        services::accounts::request_password_reset(&visitor, &email).await
    })
    .await
}

/// What an unused, unexpired invitation or reset link is for.
#[server(endpoint = "auth/link")]
pub async fn inspect_link(token: String) -> Result<LinkDetails, AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(
        |visitor| async move { services::accounts::link_details(&visitor, &token).await },
    )
    .await
}

/// Accepts an invitation: creates the user with the invited role and signs them in.
#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<SessionUser, AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move {
        services::accounts::accept_invitation(&visitor, &token, &name, &password).await
    })
    .await
}

/// Sets a new password from a reset link, ends the user's other sessions and signs them in.
#[server(endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<SessionUser, AppError> {
    use crate::server::context;
    use backend::services;
    context::welcome(|visitor| async move {
        services::accounts::reset_password(&visitor, &token, &password).await
    })
    .await
}
