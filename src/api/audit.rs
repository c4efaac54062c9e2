//! The activity log: every recorded state change, filterable and in pages.

pub use wire::audit::*;

use super::AppError;
use leptos::prelude::*;

#[server(endpoint = "audit/list")]
pub async fn list_audit_events(
    #[server(default)] filter: AuditFilter,
    page: Option<u64>,
) -> Result<AuditPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::audit::list(&caller, filter, page.unwrap_or(0)).await
    })
    .await
}
