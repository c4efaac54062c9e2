//! Partners: the searchable list, one partner's profile, create / edit, and the onboarding status.

pub use wire::partners::*;

use super::AppError;
use crate::domain::ids::PartnerId;
use crate::domain::partner::{PartnerForm, PartnerStatus, PartnerTier, PartnerType};
use leptos::prelude::*;

/// One page of partners matching a search (name, contact or region) and filters.
#[server(endpoint = "partners/list")]
pub async fn list_partners(
    search: Option<String>,
    partner_type: Option<PartnerType>,
    tier: Option<PartnerTier>,
    status: Option<PartnerStatus>,
    sort: Option<PartnerSort>,
    descending: Option<bool>,
    page: Option<u64>,
) -> Result<PartnerPage, AppError> {
    use crate::server::context;
    use backend::services;
    let query = services::partners::ListQuery {
        search: search.unwrap_or_default(),
        partner_type,
        tier,
        status,
        sort: sort.unwrap_or(PartnerSort::Name),
        descending: descending.unwrap_or(false),
        page: page.unwrap_or(0),
    };
    context::serve(|caller| async move { services::partners::list(&caller, query).await }).await
}

#[server(endpoint = "partners/get")]
pub async fn get_partner(id: PartnerId) -> Result<PartnerDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::partners::detail(&caller, id).await }).await
}

#[server(endpoint = "partners/performance")]
pub async fn load_partner_performance(id: PartnerId) -> Result<PartnerPerformance, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::partner_performance::performance(&caller, id).await },
    )
    .await
}

/// Creates a partner (`id` empty) or updates one; answers with its id.
#[server(endpoint = "partners/save")]
pub async fn save_partner(id: Option<PartnerId>, form: PartnerForm) -> Result<PartnerId, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::partners::save(&caller, id, form, None)
            .await
            .map(|(id, _)| id)
    })
    .await
}

/// Moves a partner along invited → onboarding → active ⇄ inactive.
#[server(endpoint = "partners/status")]
pub async fn change_partner_status(
    id: PartnerId,
    status: PartnerStatus,
) -> Result<PartnerStatus, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::partners::change_status(&caller, id, status).await },
    )
    .await
}

/// Partners whose name contains `search` (all when empty), by name, at most [`CHOICES`]: what a
/// type-ahead picker offers.
#[server(endpoint = "partners/choices")]
pub async fn partner_choices(
    search: Option<String>,
) -> Result<Vec<crate::api::users::PartnerOption>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::partners::choices(&caller, search.as_deref().unwrap_or_default()).await
    })
    .await
}

/// The partner's history: changes to its record and to its portal users, newest first.
#[server(endpoint = "partners/history")]
pub async fn get_partner_history(
    id: PartnerId,
) -> Result<Vec<crate::api::audit::AuditRow>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::audit::partner_history(&caller, id).await })
        .await
}
