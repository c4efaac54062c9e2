//! `partner-attribution attribute`: the engine over exported CRM files, without a database.
//!
//! deals.csv `deal_id,amount,currency,closed_at,status` (won or lost; lost deals only teach the
//! data-driven models) and touchpoints.csv `deal_id,partner_id,kind,occurred_at` in, splits.csv
//! `deal_id,partner_id,model,share,amount,currency,explanation` out.

mod read;

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use read::{Input, RowError, read};

use crate::domain::attribution::{AttributionModel, Engine, ModelSettings};

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
    pub seconds: f64,
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
    Engine(#[from] crate::domain::DomainError),
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
        ..Report::default()
    };
    // Written next to the target and renamed at the end: a failed run leaves no partial file.
    let partial = request.out.with_extension("csv.partial");
    let csv_error = |source| AnalystError::Csv {
        path: request.out.display().to_string(),
        source,
    };
    let file = File::create(&partial).map_err(|source| AnalystError::Io {
        action: "create",
        path: partial.display().to_string(),
        source,
    })?;
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    out.write_record([
        "deal_id",
        "partner_id",
        "model",
        "share",
        "amount",
        "currency",
        "explanation",
    ])
    .map_err(csv_error)?;
    for &model in &request.models {
        for deal in &input.won {
            let result = engine.attribute(deal, model)?;
            if model == request.models[0] {
                report.ignored_touches += result.ignored_touches.len();
                report.unattributed += usize::from(result.splits().is_empty());
            }
            let deal_name = &input.deal_names[deal.deal.0 as usize - 1];
            for split in result.splits() {
                let partner = &input.partner_names[split.partner.0 as usize - 1];
                out.write_record([
                    deal_name.as_str(),
                    partner.as_str(),
                    model.as_str(),
                    &split.share.normalize().to_string(),
                    &split.amount.amount().to_string(),
                    split.amount.currency().code(),
                    &split.explanation.sentence(),
                ])
                .map_err(csv_error)?;
                report.splits += 1;
            }
        }
    }
    out.flush().map_err(|source| AnalystError::Io {
        action: "write",
        path: partial.display().to_string(),
        source,
    })?;
    drop(out);
    std::fs::rename(&partial, &request.out).map_err(|source| AnalystError::Io {
        action: "write",
        path: request.out.display().to_string(),
        source,
    })?;
    report.skipped_rows = input.errors;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
