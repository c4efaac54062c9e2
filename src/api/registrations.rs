//! Deal registrations: partners register opportunities from the portal; managers work the queue
//! (approve, which creates the deal, or reject with a reason); administrators set how long an
//! approval protects the account.

pub use wire::registrations::*;

use super::AppError;
use crate::domain::ids::{PartnerId, RegistrationId};
use crate::domain::registration::{RegistrationForm, RegistrationStatus};
use leptos::prelude::*;

#[server(endpoint = "registrations/list")]
pub async fn list_registrations(
    status: Option<RegistrationStatus>,
    partner_id: Option<PartnerId>,
    page: Option<u64>,
) -> Result<RegistrationPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::registrations::list(&caller, status, partner_id, page.unwrap_or(0)).await
    })
    .await
}

/// A partner user registers an opportunity for its own partner.
#[server(endpoint = "registrations/register")]
pub async fn register_deal(form: RegistrationForm) -> Result<RegistrationRow, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::registrations::register(&caller, form).await })
        .await
}

#[server(endpoint = "registrations/decide")]
pub async fn decide_registration(
    id: RegistrationId,
    form: DecisionForm,
) -> Result<RegistrationRow, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::registrations::decide(&caller, id, form).await })
        .await
}

#[server(endpoint = "registrations/window")]
pub async fn set_registration_window(days: String) -> Result<u32, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::registrations::set_window(&caller, days).await })
        .await
}
