//! CSV import of partners, deals and touchpoints: a preview with the column mapping, then a
//! background import with progress, per-row errors and a history of past imports.

pub use wire::imports::*;

use super::AppError;
use crate::domain::import::{ColumnMapping, ImportKind, ImportMode};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Reads an uploaded file's columns and first rows, and offers a mapping for `kind`.
#[server(endpoint = "imports/preview")]
pub async fn preview_import(upload: i64, kind: ImportKind) -> Result<ImportPreview, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::imports::preview(&caller, upload, kind).await })
        .await
}

/// Queues the uploaded file for import with this mapping (remembered for next time); answers
/// the import's id.
#[server(endpoint = "imports/start", input = Json)]
pub async fn start_import(
    upload: i64,
    kind: ImportKind,
    mode: ImportMode,
    mapping: ColumnMapping,
) -> Result<i64, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::imports::start(&caller, upload, kind, mode, mapping).await
    })
    .await
}

/// The organization's imports, newest first.
#[server(endpoint = "imports/list")]
pub async fn load_imports() -> Result<Vec<ImportSummary>, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::imports::list(&caller).await }).await
}

#[server(endpoint = "imports/get")]
pub async fn load_import(id: i64) -> Result<ImportDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::imports::detail(&caller, id).await }).await
}

/// Stops a queued or running import; rows already imported stay.
#[server(endpoint = "imports/cancel")]
pub async fn cancel_import(id: i64) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::imports::cancel(&caller, id).await }).await
}
