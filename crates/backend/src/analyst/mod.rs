//! `partner-attribution attribute`: the engine over exported CRM files, without a database.
//!
//! deals.csv `deal_id,amount,currency,closed_at,status` (won or lost; lost deals only teach the
//! data-driven models) and touchpoints.csv `deal_id,partner_id,kind,occurred_at` in, splits.csv
//! `deal_id,partner_id,model,share,amount,currency,explanation` out.

mod read;

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use read::{Input, RowError, read};

use rayon::prelude::*;

use domain::attribution::{AttributionModel, DealInput, Engine, ModelSettings};

pub struct Request {
    pub models: Vec<AttributionModel>,
    pub settings: ModelSettings,
    pub deals: PathBuf,
    pub touchpoints: PathBuf,
    pub out: PathBuf,
    pub skip_invalid: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    pub won: usize,
    pub lost: usize,
    pub touchpoints: usize,
    pub splits: usize,
    pub unattributed: usize,
    pub ignored_touches: usize,
    pub skipped_rows: Vec<RowError>,
    pub elapsed: Duration,
    pub reading: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum AnalystError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{} malformed rows; nothing written (pass --skip-invalid to skip them):\n{}", .0.len(), list(.0))]
    Invalid(Vec<RowError>),
    #[error("{0}")]
    Engine(#[from] domain::DomainError),
    #[error("cannot write {path}: {source}")]
    Csv { path: String, source: csv::Error },
}

fn list(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn open(path: &Path) -> Result<BufReader<File>, AnalystError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| AnalystError::Io {
            action: "read",
            path: path.display().to_string(),
            source,
        })
}

pub fn run(request: &Request) -> Result<Report, AnalystError> {
    let started = Instant::now();
    let input = read(open(&request.deals)?, open(&request.touchpoints)?);
    let reading = started.elapsed();
    if !input.errors.is_empty() && !request.skip_invalid {
        return Err(AnalystError::Invalid(input.errors));
    }
    let mut engine = Engine::new(request.settings.clone())?;
    if request.models.iter().any(|m| m.is_data_driven()) {
        engine.learn_for(&input.history, &request.models);
    }
    let mut report = Report {
        won: input.won.len(),
        lost: input.history.len() - input.won.len(),
        touchpoints: input.touchpoints,
        reading,
        ..Report::default()
    };
    // Written next to the target and renamed at the end: a failed run leaves no partial file.
    let partial = request.out.with_extension("csv.partial");
    let file = File::create(&partial).map_err(|source| AnalystError::Io {
        action: "create",
        path: partial.display().to_string(),
        source,
    })?;
    let write_error = |source| AnalystError::Io {
        action: "write",
        path: partial.display().to_string(),
        source,
    };
    // A writer thread empties finished chunks to disk while the next ones are computed.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(2 * BATCH);
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(b"deal_id,partner_id,model,share,amount,currency,explanation\n")?;
        for bytes in receive {
            out.write_all(&bytes)?;
        }
        out.flush()
    });
    let computed = (|| -> Result<(), AnalystError> {
        for (position, &model) in request.models.iter().enumerate() {
            // Deals are attributed and formatted in parallel chunks, written in order.
            for batch in input.won.chunks(CHUNK * BATCH) {
                let chunks: Vec<Result<Chunk, AnalystError>> = batch
                    .par_chunks(CHUNK)
                    .map(|deals| attribute_chunk(&engine, &input, deals, model))
                    .collect();
                for chunk in chunks {
                    let chunk = chunk?;
                    report.splits += chunk.splits;
                    if position == 0 {
                        report.ignored_touches += chunk.ignored_touches;
                        report.unattributed += chunk.unattributed;
                    }
                    if send.send(chunk.csv).is_err() {
                        // The writer stopped on an error, which joining it reports.
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    })();
    drop(send);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
    if let Err(err) = computed.and_then(|()| written.map_err(write_error)) {
        let _ = std::fs::remove_file(&partial);
        return Err(err);
    }
    std::fs::rename(&partial, &request.out).map_err(|source| AnalystError::Io {
        action: "write",
        path: request.out.display().to_string(),
        source,
    })?;
    report.skipped_rows = input.errors;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Deals per parallel task: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 4096;
/// Chunks computed together before they are handed to the writer.
const BATCH: usize = 16;

/// Finished CSV rows for a run of deals, with counts for the report.
struct Chunk {
    csv: Vec<u8>,
    splits: usize,
    ignored_touches: usize,
    unattributed: usize,
}

fn attribute_chunk(
    engine: &Engine,
    input: &Input,
    deals: &[DealInput],
    model: AttributionModel,
) -> Result<Chunk, AnalystError> {
    let mut csv = csv::Writer::from_writer(Vec::with_capacity(deals.len() * 200));
    let mut chunk = Chunk {
        csv: Vec::new(),
        splits: 0,
        ignored_touches: 0,
        unattributed: 0,
    };
    let csv_error = |source| AnalystError::Csv {
        path: "splits.csv".into(),
        source,
    };
    for deal in deals {
        let result = engine.attribute(deal, model)?;
        chunk.ignored_touches += result.ignored_touches.len();
        chunk.unattributed += usize::from(result.splits().is_empty());
        let deal_name = &input.deal_names[deal.deal.0 as usize - 1];
        for split in result.splits() {
            let partner = &input.partner_names[split.partner.0 as usize - 1];
            csv.write_record([
                deal_name.as_str(),
                partner.as_str(),
                model.as_str(),
                &split.share.normalize().to_string(),
                &split.amount.amount().to_string(),
                split.amount.currency().code(),
                &split.explanation.sentence(),
            ])
            .map_err(csv_error)?;
            chunk.splits += 1;
        }
    }
    chunk.csv = csv
        .into_inner()
        .map_err(|e| csv_error(e.into_error().into()))?;
    Ok(chunk)
}
