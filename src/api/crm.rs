//! CRM connectors (HubSpot, Salesforce, Pipedrive): each connection's settings, its syncs with
//! progress, and the records a sync could not take.

pub use wire::crm::*;

use super::AppError;
use crate::domain::crm::{ConnectionForm, CrmKind, SyncMode};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "crm/list")]
pub async fn load_connections() -> Result<Vec<ConnectionSummary>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::list(&caller).await }).await
}

#[server(endpoint = "crm/get")]
pub async fn load_connection(kind: CrmKind) -> Result<ConnectionView, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::connection(&caller, kind).await }).await
}

/// Saves a connection's settings; an empty token or secret keeps the stored one.
#[server(endpoint = "crm/save", input = Json)]
pub async fn save_connection(kind: CrmKind, form: ConnectionForm) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::save(&caller, kind, form).await }).await
}

/// Tries the saved connection with one read-only request; answers what to tell the user.
#[server(endpoint = "crm/test")]
pub async fn test_connection(kind: CrmKind) -> Result<String, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::test(&caller, kind).await }).await
}

/// Forgets a connection with its syncs and logs; the deals it brought in stay.
#[server(endpoint = "crm/disconnect")]
pub async fn disconnect(kind: CrmKind) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::disconnect(&caller, kind).await }).await
}

/// Queues a backfill or an incremental sync; answers its id.
#[server(endpoint = "crm/sync")]
pub async fn start_sync(kind: CrmKind, mode: SyncMode) -> Result<i64, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::start(&caller, kind, mode).await }).await
}

#[server(endpoint = "crm/sync-detail")]
pub async fn load_sync(id: i64) -> Result<SyncDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::sync_detail(&caller, id).await }).await
}

/// Stops a queued or running sync; what it wrote stays.
#[server(endpoint = "crm/cancel")]
pub async fn cancel_sync(id: i64) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::crm::cancel(&caller, id).await }).await
}
