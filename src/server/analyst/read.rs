//! Reading the analyst CSV files: every malformed row is reported with its line and reason.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;

use crate::domain::attribution::{DealInput, HistoricalDeal, Touch};
use crate::domain::ids::{DealId, PartnerId};
use crate::domain::money::{Currency, Money};
use crate::domain::touchpoint::TouchpointKind;

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: &'static str,
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.reason)
    }
}

/// Everything read, with CRM ids mapped to engine ids by sorted order, so the result never
/// depends on the order of the rows.
#[derive(Debug, Default)]
pub struct Input {
    /// Won deals, to attribute.
    pub won: Vec<DealInput>,
    /// Won and lost deals, for the data-driven models to learn from.
    pub history: Vec<HistoricalDeal>,
    pub deal_names: Vec<String>,
    pub partner_names: Vec<String>,
    pub touchpoints: usize,
    pub errors: Vec<RowError>,
}

struct DealRow {
    name: String,
    amount: Money,
    closed_at: DateTime<Utc>,
    won: bool,
}

struct TouchRow {
    deal: String,
    partner: String,
    kind: TouchpointKind,
    at: DateTime<Utc>,
}

pub fn read(deals: impl Read, touchpoints: impl Read) -> Input {
    let mut errors = Vec::new();
    let deal_rows = read_rows(
        "deals.csv",
        deals,
        &["deal_id", "amount", "currency", "closed_at", "status"],
        &mut errors,
        |f| {
            let currency: Currency = f[2].parse().map_err(|e| format!("currency: {e}"))?;
            let amount: Decimal = f[1]
                .trim()
                .parse()
                .map_err(|_| format!("amount \"{}\" is not a number", f[1]))?;
            let won = match f[4].trim() {
                "won" => true,
                "lost" => false,
                other => return Err(format!("status \"{other}\": expected won or lost")),
            };
            Ok(DealRow {
                name: non_empty("deal_id", f[0])?,
                amount: Money::new(amount, currency).map_err(|e| format!("amount: {e}"))?,
                closed_at: timestamp("closed_at", f[3], true)?,
                won,
            })
        },
    );
    let touch_rows = read_rows(
        "touchpoints.csv",
        touchpoints,
        &["deal_id", "partner_id", "kind", "occurred_at"],
        &mut errors,
        |f| {
            Ok(TouchRow {
                deal: non_empty("deal_id", f[0])?,
                partner: non_empty("partner_id", f[1])?,
                kind: f[2].trim().parse().map_err(|e| format!("kind: {e}"))?,
                at: timestamp("occurred_at", f[3], false)?,
            })
        },
    );

    // Duplicate deal ids: the first row wins, every later one is an error.
    let mut deals: Vec<(u64, DealRow)> = Vec::with_capacity(deal_rows.len());
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(deal_rows.len());
    for (line, row) in deal_rows {
        match seen.get(&row.name) {
            Some(first) => errors.push(RowError {
                file: "deals.csv",
                line,
                reason: format!("deal_id \"{}\" repeats line {first}", row.name),
            }),
            None => {
                seen.insert(row.name.clone(), line);
                deals.push((line, row));
            }
        }
    }
    let deal_names: Vec<String> = seen
        .keys()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let deal_index: HashMap<&str, usize> = deal_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let partner_names: Vec<String> = touch_rows
        .iter()
        .map(|(_, t)| t.partner.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let partner_index: HashMap<&str, usize> = partner_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();

    let mut touches: Vec<Vec<Touch>> = vec![Vec::new(); deal_names.len()];
    let mut touchpoints = 0;
    for (line, row) in &touch_rows {
        match deal_index.get(row.deal.as_str()) {
            Some(&deal) => {
                touches[deal].push(Touch {
                    partner: PartnerId(partner_index[row.partner.as_str()] as i64 + 1),
                    kind: row.kind,
                    at: row.at,
                });
                touchpoints += 1;
            }
            None => errors.push(RowError {
                file: "touchpoints.csv",
                line: *line,
                reason: format!("deal_id \"{}\" is not in deals.csv", row.deal),
            }),
        }
    }

    let mut input = Input {
        touchpoints,
        ..Input::default()
    };
    // In deal id order, so output order is stable too.
    deals.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    for (_, row) in deals {
        let index = deal_index[row.name.as_str()];
        let touches = std::mem::take(&mut touches[index]);
        if row.won {
            input.won.push(DealInput {
                deal: DealId(index as i64 + 1),
                amount: row.amount,
                closed_at: row.closed_at,
                touches: touches.clone(),
            });
        }
        input.history.push(HistoricalDeal {
            won: row.won,
            closed_at: row.closed_at,
            touches,
        });
    }
    errors.sort_by(|a, b| (a.file, a.line).cmp(&(b.file, b.line)));
    input.errors = errors;
    input.deal_names = deal_names;
    input.partner_names = partner_names;
    input
}

/// Parses every row with `parse` (fields in the order of `columns`, found by header name).
fn read_rows<T>(
    file: &'static str,
    source: impl Read,
    columns: &[&str],
    errors: &mut Vec<RowError>,
    parse: impl Fn(&[&str]) -> Result<T, String>,
) -> Vec<(u64, T)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(source);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            errors.push(RowError {
                file,
                line: 1,
                reason: e.to_string(),
            });
            return Vec::new();
        }
    };
    let mut positions = Vec::with_capacity(columns.len());
    for column in columns {
        match headers.iter().position(|h| h.trim() == *column) {
            Some(p) => positions.push(p),
            None => errors.push(RowError {
                file,
                line: 1,
                reason: format!(
                    "missing column \"{column}\" (expected {})",
                    columns.join(",")
                ),
            }),
        }
    }
    if positions.len() < columns.len() {
        return Vec::new();
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let fields: Option<Vec<&str>> = positions.iter().map(|&p| record.get(p)).collect();
                let result = match fields {
                    Some(fields) => parse(&fields),
                    None => Err(format!(
                        "expected {} columns, found {}",
                        headers.len(),
                        record.len()
                    )),
                };
                match result {
                    Ok(row) => rows.push((line, row)),
                    Err(reason) => errors.push(RowError { file, line, reason }),
                }
            }
            Err(e) => errors.push(RowError {
                file,
                line: line.max(2),
                reason: e.to_string(),
            }),
        }
    }
    rows
}

fn non_empty(column: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        Err(format!("{column} is empty"))
    } else {
        Ok(value.to_owned())
    }
}

/// RFC 3339 (`2026-03-01T09:30:00Z`), `2026-03-01 09:30:00` (UTC), or a date. A closing date means
/// the end of that day, so the day's touches count; a touch date means its start.
fn timestamp(column: &str, value: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S") {
        return Ok(at.and_utc());
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let time = if end_of_day {
            NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()
        } else {
            NaiveTime::MIN
        };
        return Ok(date.and_time(time).and_utc());
    }
    Err(format!(
        "{column} \"{value}\" is not a time (use 2026-03-01T09:30:00Z, 2026-03-01 09:30:00 or 2026-03-01)"
    ))
}
