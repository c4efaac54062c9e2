//! CSV imports: preview a file with a mapping to start from, queue it (the mapping remembered for
//! the organization), follow its progress, cancel it. Rows are written by the worker
//! (`server::imports`) through the same services as the pages.

use chrono::Utc;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::{import_uploads, imports};
use crate::imports::file;
use crate::repo;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::import::{
    self, ColumnMapping, ImportKind, ImportMode, ImportStatus, RowError, check_mapping,
    guess_mapping,
};
use domain::job::JobKind;
use wire::AppError;
use wire::imports::{
    ERRORS_SHOWN, FieldChoice, ImportDetail, ImportPreview, ImportSummary, MAX_FILE_BYTES,
    PREVIEW_ROWS, PreviewRow, Uploaded,
};

/// Imports the history lists.
const LISTED: u64 = 50;

fn not_found() -> AppError {
    AppError::NotFound("the import".into())
}

/// The resource a kind of import changes: the caller needs edit on it too.
fn resource_of(kind: ImportKind) -> Resource {
    match kind {
        ImportKind::Partners => Resource::Partners,
        ImportKind::Deals => Resource::Deals,
        ImportKind::Touchpoints => Resource::Touchpoints,
    }
}

fn require_kind(caller: &Caller, kind: ImportKind) -> Result<(), AppError> {
    caller.require(Action::Edit, resource_of(kind))
}

fn summary((model, created_by): repo::imports::Listed) -> Result<ImportSummary, AppError> {
    Ok(ImportSummary {
        id: model.id,
        kind: model.kind.0,
        mode: model.mode.0,
        status: model.status.0,
        file_name: model.file_name,
        total_rows: model.total_rows as u64,
        processed_rows: model.processed_rows as u64,
        created_rows: model.created_rows as u64,
        updated_rows: model.updated_rows as u64,
        unchanged_rows: model.unchanged_rows as u64,
        failed_rows: model.failed_rows as u64,
        failure: model.failure,
        created_by,
        created_at: model.created_at,
        finished_at: model.finished_at,
    })
}

/// How long an upload waits for its import to start before it is removed.
pub const UPLOAD_KEPT: chrono::Duration = chrono::Duration::hours(24);

fn upload_not_found() -> AppError {
    AppError::NotFound("the uploaded file (upload it again)".into())
}

/// The file is too large: said before it is read to its end.
pub fn too_large() -> AppError {
    AppError::invalid_field(
        "file",
        format!(
            "The file is larger than {} MB; split it into smaller files.",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// Opens the file for reading row by row, refusing one without a header.
fn rows_of(content: &str) -> Result<file::Rows<'_>, AppError> {
    file::read(content).map_err(|message| AppError::invalid_field("file", message))
}

/// Keeps a file the caller sent (read by `server::imports::upload`) for the preview and start.
pub async fn upload(
    caller: &Caller,
    file_name: &str,
    content: String,
) -> Result<Uploaded, AppError> {
    caller.require(Action::Edit, Resource::Imports)?;
    let user = caller.user_id().ok_or(AppError::Forbidden)?;
    if content.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    // A name with control characters is shown as the default one rather than refused.
    let file_name: String = domain::text::line(file_name)
        .unwrap_or_default()
        .chars()
        .take(255)
        .collect();
    let file_name = match file_name.is_empty() {
        true => "import.csv".to_owned(),
        false => file_name,
    };
    let bytes = content.len() as u64;
    let now = Utc::now();
    repo::imports::sweep_uploads(caller.db(), now - UPLOAD_KEPT).await?;
    let id =
        repo::imports::save_upload(&caller.tenant, caller.db(), user, &file_name, content, now)
            .await?;
    Ok(Uploaded {
        id,
        file_name,
        bytes,
    })
}

/// The caller's own upload: nobody else's, not even a colleague's.
async fn upload_of(caller: &Caller, id: i64) -> Result<import_uploads::Model, AppError> {
    let user = caller.user_id().ok_or_else(upload_not_found)?;
    repo::imports::upload(&caller.tenant, caller.db(), user, id)
        .await?
        .ok_or_else(upload_not_found)
}

async fn remembered(caller: &Caller, kind: ImportKind) -> Result<ColumnMapping, AppError> {
    Ok(repo::imports::mapping(&caller.tenant, caller.db(), kind)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// The first rows of an upload as `kind` would read them, with the columns guessed. The upload is
/// read whole, so the memory it took is handed back to the system afterwards.
pub async fn preview(
    caller: &Caller,
    upload: i64,
    kind: ImportKind,
) -> Result<ImportPreview, AppError> {
    let preview = read_preview(caller, upload, kind).await;
    crate::memory::release();
    preview
}

async fn read_preview(
    caller: &Caller,
    upload: i64,
    kind: ImportKind,
) -> Result<ImportPreview, AppError> {
    caller.require(Action::Edit, Resource::Imports)?;
    require_kind(caller, kind)?;
    let upload = upload_of(caller, upload).await?;
    let mut file = rows_of(&upload.content)?;
    let headers = std::mem::take(&mut file.headers);
    let mapping = guess_mapping(kind, &headers, &remembered(caller, kind).await?);
    // Every row is read (to count them and to find a quote left open), the first few kept.
    let mut rows = Vec::new();
    let mut total_rows = 0u64;
    for row in file {
        let (line, cells) = row.map_err(|message| AppError::invalid_field("file", message))?;
        total_rows += 1;
        if rows.len() < PREVIEW_ROWS {
            rows.push(PreviewRow {
                line,
                errors: cell_errors(kind, line, &headers, &mapping, &cells),
                cells,
            });
        }
    }
    Ok(ImportPreview {
        kind,
        fields: kind
            .targets()
            .iter()
            .map(|t| FieldChoice {
                field: t.field.to_owned(),
                label: t.label.to_owned(),
                required: t.required,
            })
            .collect(),
        headers,
        mapping,
        total_rows,
        rows,
    })
}

/// The checks of a row that need no lookup (the worker also checks the deals and partners it
/// names).
fn cell_errors(
    kind: ImportKind,
    line: u64,
    headers: &[String],
    mapping: &ColumnMapping,
    cells: &[String],
) -> Vec<RowError> {
    let fields = import::fields_of(headers, mapping, cells);
    import::cell_errors(kind, &fields, Utc::now().date_naive())
        .into_iter()
        .map(|(field, message)| RowError::new(line, field, message))
        .collect()
}

/// Queues an import of an upload (the worker applies it); answers with the import's id. Like
/// [`preview`], it reads the upload whole (to count its rows) and hands the memory back after.
pub async fn start(
    caller: &Caller,
    upload: i64,
    kind: ImportKind,
    mode: ImportMode,
    mapping: ColumnMapping,
) -> Result<i64, AppError> {
    let started = queue(caller, upload, kind, mode, mapping).await;
    crate::memory::release();
    started
}

async fn queue(
    caller: &Caller,
    upload: i64,
    kind: ImportKind,
    mode: ImportMode,
    mapping: ColumnMapping,
) -> Result<i64, AppError> {
    caller.require(Action::Edit, Resource::Imports)?;
    require_kind(caller, kind)?;
    let upload = upload_of(caller, upload).await?;
    let mut file = rows_of(&upload.content)?;
    let headers = std::mem::take(&mut file.headers);
    let mut total_rows = 0u64;
    for row in file {
        row.map_err(|message| AppError::invalid_field("file", message))?;
        total_rows += 1;
    }
    if total_rows == 0 {
        return Err(AppError::invalid_field(
            "file",
            "The file has a header but no rows.",
        ));
    }
    check_mapping(kind, &headers, &mapping).map_err(|errors| {
        AppError::invalid_fields(
            errors
                .into_iter()
                .map(|(field, message)| (format!("mapping.{field}"), message))
                .collect(),
        )
    })?;
    let import_uploads::Model {
        id: upload_id,
        file_name,
        content,
        ..
    } = upload;
    let mapping_text = serde_json::to_string(&mapping).map_err(AppError::internal)?;
    let now = Utc::now();
    let txn = repo::begin_write(caller.db()).await?;
    repo::imports::remember_mapping(&caller.tenant, &txn, kind, &mapping_text, now).await?;
    let created = repo::imports::insert(
        &caller.tenant,
        &txn,
        repo::imports::NewImport {
            kind,
            mode,
            file_name: &file_name,
            content,
            mapping: mapping_text,
            total_rows,
            created_by: caller.user_id(),
            at: now,
        },
    )
    .await?;
    // The import holds the file now; it is started once.
    if !repo::imports::delete_upload(&caller.tenant, &txn, upload_id).await? {
        return Err(upload_not_found());
    }
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::ImportStarted,
            entity_type: "import",
            entity_id: Some(created),
            before: None,
            after: Some(json!({
                "kind": kind,
                "mode": mode,
                "file_name": file_name,
                "rows": total_rows,
                "mapping": mapping,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list(caller: &Caller) -> Result<Vec<ImportSummary>, AppError> {
    caller.require(Action::View, Resource::Imports)?;
    repo::imports::list(&caller.tenant, caller.db(), LISTED)
        .await?
        .into_iter()
        .map(summary)
        .collect()
}

pub async fn detail(caller: &Caller, id: i64) -> Result<ImportDetail, AppError> {
    caller.require(Action::View, Resource::Imports)?;
    let listed = repo::imports::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let mapping = serde_json::from_str(&listed.0.mapping).unwrap_or_default();
    let (errors, error_count) =
        repo::imports::errors(&caller.tenant, caller.db(), id, Some(ERRORS_SHOWN)).await?;
    Ok(ImportDetail {
        import: summary(listed)?,
        mapping,
        errors,
        error_count,
    })
}

/// Every bad row of an import as CSV (line, field, problem), with the file's name.
pub async fn errors_csv(caller: &Caller, id: i64) -> Result<(String, String), AppError> {
    caller.require(Action::View, Resource::Imports)?;
    let (import, _) = repo::imports::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let (rows, _) = repo::imports::errors(&caller.tenant, caller.db(), id, None).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["line", "field", "problem"])
        .map_err(AppError::internal)?;
    for row in rows {
        out.write_record([
            row.line.to_string(),
            super::payouts::cell(&row.field),
            super::payouts::cell(&row.message),
        ])
        .map_err(AppError::internal)?;
    }
    let csv = String::from_utf8(out.into_inner().map_err(AppError::internal)?)
        .map_err(AppError::internal)?;
    let stem = import
        .file_name
        .trim_end_matches(".csv")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>();
    Ok((format!("{stem}-errors.csv"), csv))
}

pub async fn cancel(caller: &Caller, id: i64) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Imports)?;
    let txn = repo::begin_write(caller.db()).await?;
    let (model, _): (imports::Model, _) = repo::imports::get(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let from: ImportStatus = model.status.0;
    if from.is_finished() {
        return Err(AppError::Conflict(format!(
            "This import is {from} already and cannot be cancelled."
        )));
    }
    repo::imports::finish(
        &txn,
        id,
        &[ImportStatus::Queued, ImportStatus::Running],
        ImportStatus::Cancelled,
        None,
        Utc::now(),
    )
    .await?;
    crate::jobs::queue::cancel(&txn, JobKind::Import, id, Utc::now()).await?;
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::ImportCancelled,
            entity_type: "import",
            entity_id: Some(id),
            before: Some(json!({ "status": from, "processed_rows": model.processed_rows })),
            after: Some(json!({ "status": ImportStatus::Cancelled })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
