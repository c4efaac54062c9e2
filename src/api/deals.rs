//! Deals: the pipeline list and one deal with its touchpoint timeline and attribution panel.

pub use wire::deals::*;

use super::AppError;
use crate::domain::deal::{DealForm, DealStage};
use crate::domain::ids::{DealId, TouchpointId};
use crate::domain::touchpoint::TouchpointForm;
use leptos::prelude::*;

/// One page of deals matching a search (deal or account name) and filters.
#[server(endpoint = "deals/list")]
pub async fn list_deals(
    #[server(default)] filter: DealFilter,
    sort: Option<DealSort>,
    descending: Option<bool>,
    page: Option<u64>,
) -> Result<DealPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::deals::list(
            &caller,
            filter,
            sort.unwrap_or(DealSort::Close),
            descending.unwrap_or(true),
            page.unwrap_or(0),
        )
        .await
    })
    .await
}

#[server(endpoint = "deals/get")]
pub async fn get_deal(id: DealId) -> Result<DealDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::deals::detail(&caller, id).await }).await
}

/// Creates a deal (`id` empty; it starts open) or updates one; answers with its id. A won deal's
/// new amount re-attributes it and adjusts its commissions.
#[server(endpoint = "deals/save")]
pub async fn save_deal(id: Option<DealId>, form: DealForm) -> Result<DealId, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::deal_changes::save(&caller, id, form, None)
            .await
            .map(|(id, _)| id)
    })
    .await
}

/// Adds a touchpoint; on a won deal (touches up to its close only) the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/add")]
pub async fn add_touchpoint(
    deal_id: DealId,
    form: TouchpointForm,
) -> Result<TouchpointId, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::deal_changes::add_touchpoint(&caller, deal_id, form, None).await
    })
    .await
}

/// Changes a touchpoint (partner, kind, day, note); on a won deal the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/update")]
pub async fn update_touchpoint(id: TouchpointId, form: TouchpointForm) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::deal_changes::update_touchpoint(&caller, id, form)
            .await
            .map(|_| ())
    })
    .await
}

/// Removes a touchpoint; on a won deal the deal is re-attributed.
#[server(endpoint = "deals/touchpoints/remove")]
pub async fn remove_touchpoint(id: TouchpointId) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::deal_changes::remove_touchpoint(&caller, id).await },
    )
    .await
}

/// Closes an open deal. Won: attributes it under every rule-based model, stores the results and
/// creates the pending commissions of the payable split, all in one transaction. Lost: records
/// the reason.
#[server(endpoint = "deals/close")]
pub async fn close_deal(
    id: DealId,
    outcome: DealStage,
    reason: Option<String>,
) -> Result<DealStage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::deal_changes::close(&caller, id, outcome, reason.as_deref(), chrono::Utc::now())
            .await
    })
    .await
}

/// Re-opens a won or lost deal. A won deal's commissions are reversed through the ledger: pending
/// ones cancelled, approved or paid ones clawed back by a new pending entry.
#[server(endpoint = "deals/reopen")]
pub async fn reopen_deal(id: DealId) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::deal_changes::reopen(&caller, id).await }).await
}

/// The deal's history: changes to it, its touchpoints and its commissions, newest first.
#[server(endpoint = "deals/history")]
pub async fn get_deal_history(id: DealId) -> Result<Vec<crate::api::audit::AuditRow>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::audit::deal_history(&caller, id).await }).await
}
