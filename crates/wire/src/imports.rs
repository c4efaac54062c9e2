//! CSV import of partners, deals and touchpoints: a preview with the column mapping, then a
//! background import with progress, per-row errors and a history of past imports.

use chrono::{DateTime, Utc};
use domain::import::{ColumnMapping, ImportKind, ImportMode, ImportStatus, RowError};
use serde::{Deserialize, Serialize};

/// Rows a preview shows.
pub const PREVIEW_ROWS: usize = 10;

/// Errors an import's page lists (all of them are in its errors download).
pub const ERRORS_SHOWN: u64 = 200;

/// The largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// Where the browser sends a file, as the request body (`?name=` its file name); the answer is
/// an [`Uploaded`]. The preview and the start then name the upload.
pub const UPLOAD_PATH: &str = "/api/imports/upload";

/// A file the server holds for its uploader until an import starts from it (a day at most).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    pub id: i64,
    pub file_name: String,
    pub bytes: u64,
}

/// A field of the import kind, for the mapping form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChoice {
    pub field: String,
    pub label: String,
    pub required: bool,
}

/// What a file would import: its columns, a mapping to start from, and the first rows checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub kind: ImportKind,
    pub headers: Vec<String>,
    pub fields: Vec<FieldChoice>,
    /// Remembered from the organization's last import of this kind, else guessed from names.
    pub mapping: ColumnMapping,
    pub total_rows: u64,
    /// The first rows, cells in header order.
    pub rows: Vec<PreviewRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: u64,
    pub cells: Vec<String>,
    /// What is wrong with the row under the mapping given (the checks that need no lookup).
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub kind: ImportKind,
    pub mode: ImportMode,
    pub status: ImportStatus,
    pub file_name: String,
    pub total_rows: u64,
    pub processed_rows: u64,
    pub created_rows: u64,
    pub updated_rows: u64,
    pub unchanged_rows: u64,
    pub failed_rows: u64,
    /// Why the import as a whole failed.
    pub failure: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportSummary {
    /// Progress in whole percent.
    pub fn percent(&self) -> u64 {
        if self.total_rows == 0 {
            return if self.status.is_finished() { 100 } else { 0 };
        }
        (self.processed_rows * 100 / self.total_rows).min(100)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDetail {
    pub import: ImportSummary,
    pub mapping: ColumnMapping,
    /// The first `ERRORS_SHOWN` bad rows, by line.
    pub errors: Vec<RowError>,
    pub error_count: u64,
}
