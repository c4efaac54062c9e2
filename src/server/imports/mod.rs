//! The import worker: takes queued imports one at a time and writes their rows in batches,
//! recording progress and bad rows after each batch, so the page can show a progress bar and a
//! stopped server resumes where it was. An all-or-nothing import checks every row first and
//! writes nothing when one is bad.

pub mod rows;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::api::AppError;
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::import::{ColumnMapping, ImportKind, ImportMode, ImportStatus, RowError};
use crate::server::context::Caller;
use crate::server::entities::imports;
use crate::server::repo::{self, imports::Tally};
use crate::server::report_cache::ReportCache;
use rows::{Lookups, Outcome, RowFailure};

/// Rows written between two progress records.
const BATCH: usize = 200;

/// A parsed file: its header and its rows with their line numbers.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a CSV file (comma, semicolon or tab separated, as the header line shows), keeping each
/// row's line in the file for error messages.
pub fn parse(content: &str) -> Result<Table, String> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let first = content.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(content.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("The header line cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err("The file is empty: the first line should name the columns.".into());
    }
    let mut rows = Vec::new();
    let mut last_start = None;
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(at) => format!("Line {} cannot be read: {e}", at.line()),
            None => format!("The file cannot be read: {e}"),
        })?;
        last_start = record.position().cloned();
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map_or(0, |p| line_of(content.as_bytes(), p));
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    if let Some(start) = last_start {
        unclosed_quote(content, &start)?;
    }
    Ok(Table { headers, rows })
}

/// A quote that is never closed makes the reader take every line after it as one value, up
/// to the end of the file, without an error of its own. Only the last record can hold such a
/// value (every earlier one ended), so its text is checked: an odd number of quotes over more
/// than one line is a value left open.
fn unclosed_quote(content: &str, start: &csv::Position) -> Result<(), String> {
    let rest = content.get(start.byte() as usize..).unwrap_or_default();
    let open = rest.matches('"').count() % 2 == 1;
    if open && rest.trim_end().contains('\n') {
        let line = line_of(content.as_bytes(), start);
        return Err(format!(
            "Line {line}: a quoted value has no closing quote (\"), so every line after it would be read as part of it. Close the quote or remove it."
        ));
    }
    Ok(())
}

/// The line a record starts on. The reader places a record after blank lines at the first of
/// them; the line is where its text begins.
fn line_of(bytes: &[u8], position: &csv::Position) -> u64 {
    let mut line = position.line();
    for &byte in bytes.iter().skip(position.byte() as usize) {
        match byte {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// Runs the next import there is, to its end; false when there was none.
pub async fn run_next(db: &DatabaseConnection, cache: &Arc<ReportCache>) -> Result<bool, AppError> {
    let now = Utc::now();
    let Some(import) = repo::imports::next_to_run(db, now).await? else {
        return Ok(false);
    };
    if !repo::imports::claim(db, &import, now).await? {
        return Ok(true);
    }
    let id = import.id;
    if let Err(err) = run(db, cache, import).await {
        tracing::error!(import = id, %err, "import failed");
        let message = format!("The import stopped: {err}");
        repo::imports::finish(
            db,
            id,
            &[ImportStatus::Running],
            ImportStatus::Failed,
            Some(&message),
            Utc::now(),
        )
        .await?;
    }
    Ok(true)
}

async fn run(
    db: &DatabaseConnection,
    cache: &Arc<ReportCache>,
    import: imports::Model,
) -> Result<(), AppError> {
    let kind: ImportKind = import.kind.parse().map_err(AppError::internal)?;
    let mode: ImportMode = import.mode.parse().map_err(AppError::internal)?;
    let mapping: ColumnMapping =
        serde_json::from_str(&import.mapping).map_err(AppError::internal)?;
    let fail = |message: String| async move {
        repo::imports::finish(
            db,
            import.id,
            &[ImportStatus::Running],
            ImportStatus::Failed,
            Some(&message),
            Utc::now(),
        )
        .await
        .map(|_| ())
        .map_err(AppError::from)
    };
    let caller = match import.created_by {
        Some(user) => {
            Caller::for_user(
                db,
                cache,
                OrganizationId(import.organization_id),
                UserId(user),
            )
            .await?
        }
        None => None,
    };
    let Some(caller) = caller else {
        return fail("The person who started this import can no longer sign in.".into()).await;
    };
    let table = match parse(&import.content) {
        Ok(table) => table,
        Err(message) => return fail(message).await,
    };
    let mut lookups = Lookups::default();
    let fields_of = |record: &[String]| {
        crate::domain::import::fields_of(&table.headers, &mapping, record)
            .into_iter()
            .map(|(field, value)| (field, value.to_owned()))
            .collect::<std::collections::BTreeMap<String, String>>()
    };

    if mode == ImportMode::AllOrNothing && import.processed_rows == 0 {
        let mut errors = Vec::new();
        let mut bad_rows = 0;
        for (line, record) in &table.rows {
            let owned = fields_of(record);
            let fields = borrowed(&owned);
            match rows::check(&caller, kind, *line, &fields, &mut lookups).await {
                Ok(()) => {}
                Err(RowFailure::Row(row_errors)) => {
                    bad_rows += 1;
                    errors.extend(row_errors);
                }
                Err(RowFailure::Server(err)) => return Err(err),
            }
        }
        if bad_rows > 0 {
            let tally = Tally {
                failed: bad_rows,
                ..Tally::default()
            };
            repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await?;
            let rows = if bad_rows == 1 {
                "row has"
            } else {
                "rows have"
            };
            return fail(format!(
                "{bad_rows} {rows} errors, so nothing was imported. Correct them and upload the file again."
            ))
            .await;
        }
    }

    let skip = usize::try_from(import.processed_rows).unwrap_or(usize::MAX);
    for batch in table.rows[skip.min(table.rows.len())..].chunks(BATCH) {
        let mut tally = Tally::default();
        let mut errors: Vec<RowError> = Vec::new();
        for (line, record) in batch {
            let owned = fields_of(record);
            let fields = borrowed(&owned);
            tally.processed += 1;
            match rows::apply(&caller, kind, *line, &fields, &mut lookups).await {
                Ok(Outcome::Created) => tally.created += 1,
                Ok(Outcome::Updated) => tally.updated += 1,
                Ok(Outcome::Unchanged) => tally.unchanged += 1,
                Err(RowFailure::Row(row_errors)) => {
                    tally.failed += 1;
                    errors.extend(row_errors);
                }
                Err(RowFailure::Server(err)) => {
                    tally.processed -= 1;
                    repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await?;
                    return Err(err);
                }
            }
        }
        if !repo::imports::record_batch(db, &import, tally, &errors, Utc::now()).await? {
            // Cancelled meanwhile: what was written stays, the rest is left.
            return Ok(());
        }
    }
    repo::imports::finish(
        db,
        import.id,
        &[ImportStatus::Running],
        ImportStatus::Done,
        None,
        Utc::now(),
    )
    .await?;
    Ok(())
}

fn borrowed(
    owned: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, &str> {
    owned.iter().map(|(k, v)| (k.clone(), v.as_str())).collect()
}

/// Works through queued imports every `poll` until the process ends.
pub fn spawn(db: DatabaseConnection, cache: Arc<ReportCache>, poll: Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            loop {
                match run_next(&db, &cache).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::error!(%err, "the import queue could not be read");
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_keep_their_line_numbers_and_their_separator() {
        let table =
            parse("\u{feff}Name;Tier\nApex;gold\n\n\"Multi\nline\";silver\nLast;platinum\n")
                .unwrap();
        assert_eq!(table.headers, ["Name", "Tier"]);
        let lines: Vec<u64> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(
            lines,
            [2, 4, 6],
            "blank lines skipped, a quoted break counted"
        );
        assert_eq!(table.rows[1].1, ["Multi\nline", "silver"]);
    }

    #[test]
    fn a_quote_left_open_is_reported_at_its_line() {
        let err = parse("Name,Tier\nApex,gold\n\"Cobalt,silver\nDelta,gold\nEcho,gold\n")
            .err()
            .unwrap();
        assert!(
            err.starts_with("Line 3: a quoted value has no closing quote"),
            "{err}"
        );
        // Closed quotes, across lines or holding doubled quotes, are values like any other.
        let table = parse("Name,Note\nApex,\"two\nlines\"\nCobalt,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].1[1], "say \"hi\"");
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_text_parses_or_is_refused_without_panicking(text in any::<String>()) {
                let _ = parse(&text);
            }

            /// Cells of any text a spreadsheet can hold — separators, quotes, line breaks —
            /// written as CSV read back as the same rows, each at the line it starts on.
            #[test]
            fn written_tables_read_back_cell_for_cell(
                rows in prop::collection::vec(
                    prop::collection::vec("[a-z0-9 ,;\"\n\t'é€]{0,12}", 3),
                    1..12,
                ),
            ) {
                let mut writer = csv::Writer::from_writer(Vec::new());
                writer.write_record(["name", "tier", "note"]).unwrap();
                for row in &rows {
                    writer.write_record(row).unwrap();
                }
                let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
                let table = parse(&text).unwrap();
                let kept: Vec<&Vec<String>> = rows
                    .iter()
                    .filter(|row| !row.iter().all(|cell| cell.trim().is_empty()))
                    .collect();
                prop_assert_eq!(table.rows.len(), kept.len());
                let mut previous = 1;
                for ((line, cells), expected) in table.rows.iter().zip(kept) {
                    prop_assert_eq!(cells, expected);
                    prop_assert!(*line > previous, "line {} after {}", line, previous);
                    previous = *line;
                }
            }
        }
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert!(parse("").is_err());
        assert!(parse("\n").is_err());
        let only_header = parse("a,b\n").unwrap();
        assert!(only_header.rows.is_empty());
    }
}
