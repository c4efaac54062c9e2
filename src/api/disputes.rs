//! Disputes: the list (the company sees every one, a partner user its own partner's), one dispute
//! with its thread, opening one, the company's actions on it, and messages from either side.

pub use wire::disputes::*;

use super::AppError;
use crate::domain::dispute::{DisputeActionForm, DisputeForm};
use crate::domain::ids::{DisputeId, PartnerId};
use crate::domain::payout::DisputeStatus;
use leptos::prelude::*;

#[server(endpoint = "disputes/list")]
pub async fn list_disputes(
    status: Option<DisputeStatus>,
    partner_id: Option<PartnerId>,
    page: Option<u64>,
) -> Result<DisputePage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::disputes::list(&caller, status, partner_id, page.unwrap_or(0)).await
    })
    .await
}

#[server(endpoint = "disputes/get")]
pub async fn get_dispute(id: DisputeId) -> Result<DisputeDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::disputes::get(&caller, id).await }).await
}

/// Opens a dispute; a partner user's is always its own partner's.
#[server(endpoint = "disputes/open")]
pub async fn open_dispute(form: DisputeForm) -> Result<DisputeId, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::disputes::open(&caller, form).await }).await
}

#[server(endpoint = "disputes/act")]
pub async fn act_on_dispute(id: DisputeId, form: DisputeActionForm) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::disputes::act(&caller, id, form).await }).await
}

#[server(endpoint = "disputes/reply")]
pub async fn reply_to_dispute(id: DisputeId, body: String) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::disputes::reply(&caller, id, body).await }).await
}
