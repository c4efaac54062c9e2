//! The partner portal: a partner user's overview, its deals, one deal, and its commission
//! statement. Every function answers for the caller's own partner only; other partners on a
//! shared deal are counted, never named.

pub use wire::portal::*;

use super::AppError;
use super::payouts::Statement;
use crate::domain::deal::DealStage;
use crate::domain::ids::DealId;
use crate::domain::reporting::Period;
use leptos::prelude::*;

#[server(endpoint = "portal/overview")]
pub async fn load_portal_overview() -> Result<PortalOverview, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::portal::overview(&caller).await }).await
}

#[server(endpoint = "portal/deals")]
pub async fn load_portal_deals(
    #[server(default)] search: String,
    stage: Option<DealStage>,
    page: Option<u64>,
) -> Result<PortalDealPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::portal::deals(&caller, search, stage, page.unwrap_or(0)).await
    })
    .await
}

#[server(endpoint = "portal/deal")]
pub async fn load_portal_deal(id: DealId) -> Result<PortalDealDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::portal::deal(&caller, id).await }).await
}

#[server(endpoint = "portal/statement")]
pub async fn load_portal_statement(period: Option<Period>) -> Result<Statement, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::portal::statement(&caller, period.unwrap_or(Period::ThisQuarter)).await
    })
    .await
}

#[server(endpoint = "portal/profile")]
pub async fn load_portal_profile() -> Result<PortalProfile, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::portal_profile::profile(&caller).await }).await
}

#[server(endpoint = "portal/contacts")]
pub async fn save_portal_contacts(
    form: crate::domain::partner::ContactsForm,
) -> Result<PortalProfile, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::portal_profile::save_contacts(&caller, form).await },
    )
    .await
}

#[server(endpoint = "portal/payout-details")]
pub async fn save_payout_details(
    form: crate::domain::payout_details::PayoutDetailsForm,
) -> Result<PortalProfile, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::portal_profile::save_payout_details(&caller, form).await
    })
    .await
}

/// A partner's administrator invites a colleague of the same partner.
#[server(endpoint = "portal/invite")]
pub async fn invite_colleague(email: String) -> Result<super::users::Invitation, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::portal_profile::invite(&caller, email).await })
        .await
}
