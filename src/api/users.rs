//! The organization's users, invitations and outbox: administrators only.

pub use wire::users::*;

use super::AppError;
use crate::domain::ids::UserId;
use leptos::prelude::*;

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::users::list(&caller).await }).await
}

/// The partners a partner user may be invited for.
#[server(endpoint = "users/partner-options")]
pub async fn partner_options() -> Result<Vec<PartnerOption>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::users::partner_options(&caller).await }).await
}

/// Invites someone by email with a role (and a partner, for partner users).
#[server(endpoint = "users/invite")]
pub async fn invite_user(
    email: String,
    role: String,
    partner_id: Option<String>,
) -> Result<Invitation, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::users::invite(&caller, &email, &role, partner_id.as_deref()).await
    })
    .await
}

#[server(endpoint = "users/change-role")]
pub async fn change_role(user_id: UserId, role: String) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::users::change_role(&caller, user_id, &role).await },
    )
    .await
}

/// Deactivates (signs out everywhere, refuses sign-in) or reactivates a user.
#[server(endpoint = "users/set-active")]
pub async fn set_user_active(user_id: UserId, active: bool) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::users::set_active(&caller, user_id, active).await },
    )
    .await
}

/// Messages that a mail server would have sent: invitations and password resets, newest first.
#[server(endpoint = "users/outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxMessage>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::users::outbox(&caller).await }).await
}
