//! Reading the analyst CSV files: every malformed row is reported with its line and reason.

use std::io::Read;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rustc_hash::FxHashMap;

use domain::attribution::{DealInput, HistoricalDeal, Touch};
use domain::ids::{DealId, PartnerId};
use domain::money::{Currency, Money};
use domain::touchpoint::TouchpointKind;

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
    amount: Money,
    closed_at: DateTime<Utc>,
    won: bool,
}

/// Interns text ids as they arrive; `sorted` then maps arrival order to sorted order, so engine ids
/// never depend on row order.
#[derive(Default)]
struct Interner {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// The names in sorted order, and for each arrival id its rank in that order.
    fn sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (position, &id) in order.iter().enumerate() {
            rank[id as usize] = position as u32;
        }
        let mut names = self.names;
        let sorted = order
            .iter()
            .map(|&id| std::mem::take(&mut names[id as usize]))
            .collect();
        (sorted, rank)
    }
}

/// Reads both files at once, one per core, then joins them.
pub fn read(deals: impl Read + Send, touchpoints: impl Read + Send) -> Input {
    let (deals, touches) = rayon::join(|| read_deals(deals), || read_touches(touchpoints));
    join(deals, touches)
}

struct Deals {
    ids: Interner,
    /// By arrival id: the row and its line (the first row of a repeated id wins).
    rows: Vec<(u64, DealRow)>,
    errors: Vec<RowError>,
}

/// Touches as read, before they are matched with deals: flat, with their deal (an id of
/// `deal_ids`, which interns the deal ids as touchpoints.csv names them) and line.
#[derive(Default)]
struct Touches {
    deal_ids: Interner,
    partner_ids: Interner,
    touches: Vec<Touch>,
    deal_of: Vec<u32>,
    line_of: Vec<u64>,
    errors: Vec<RowError>,
}

fn read_deals(source: impl Read) -> Deals {
    let mut deals = Deals {
        ids: Interner::default(),
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for_each_row(
        "deals.csv",
        source,
        &["deal_id", "amount", "currency", "closed_at", "status"],
        &mut deals.errors,
        |line, f| {
            let name = non_empty("deal_id", f[0])?;
            let currency: Currency = f[2].parse().map_err(|e| format!("currency: {e}"))?;
            let amount = domain::money::parse_amount(f[1])
                .ok_or_else(|| format!("amount \"{}\" is not a number", f[1]))?;
            let won = match f[4].trim() {
                "won" => true,
                "lost" => false,
                other => return Err(format!("status \"{other}\": expected won or lost")),
            };
            let row = DealRow {
                amount: Money::entered(amount, currency).map_err(|e| format!("amount: {e}"))?,
                closed_at: timestamp("closed_at", f[3], true)?,
                won,
            };
            let id = deals.ids.intern(name) as usize;
            if id < deals.rows.len() {
                return Err(format!(
                    "deal_id \"{name}\" repeats line {}",
                    deals.rows[id].0
                ));
            }
            deals.rows.push((line, row));
            Ok(())
        },
    );
    deals
}

fn read_touches(source: impl Read) -> Touches {
    let mut read = Touches::default();
    let mut errors = Vec::new();
    for_each_row(
        "touchpoints.csv",
        source,
        &["deal_id", "partner_id", "kind", "occurred_at"],
        &mut errors,
        |line, f| {
            let deal = non_empty("deal_id", f[0])?;
            let partner = non_empty("partner_id", f[1])?;
            let kind: TouchpointKind = f[2].trim().parse().map_err(|e| format!("kind: {e}"))?;
            let at = timestamp("occurred_at", f[3], false)?;
            read.deal_of.push(read.deal_ids.intern(deal));
            read.line_of.push(line);
            read.touches.push(Touch {
                partner: PartnerId(i64::from(read.partner_ids.intern(partner))),
                kind,
                at,
            });
            Ok(())
        },
    );
    read.errors = errors;
    read
}

/// Matches touches with deals and gives both their engine ids (ranks in sorted order).
fn join(deals: Deals, read: Touches) -> Input {
    let Deals {
        ids: deal_ids,
        rows,
        mut errors,
    } = deals;
    errors.extend(read.errors);
    // touchpoints.csv's deal ids -> deals.csv's arrival ids.
    let deal_of_touch_deal: Vec<Option<u32>> = read
        .deal_ids
        .names
        .iter()
        .map(|name| deal_ids.ids.get(name).copied())
        .collect();
    let (partner_names, partner_rank) = read.partner_ids.sorted();
    let mut touches: Vec<Vec<Touch>> = vec![Vec::new(); rows.len()];
    let mut touch_count = 0;
    for ((mut touch, touch_deal), line) in
        read.touches.into_iter().zip(read.deal_of).zip(read.line_of)
    {
        match deal_of_touch_deal[touch_deal as usize] {
            Some(deal) => {
                touch.partner = PartnerId(i64::from(partner_rank[touch.partner.0 as usize]) + 1);
                touches[deal as usize].push(touch);
                touch_count += 1;
            }
            None => errors.push(RowError {
                file: "touchpoints.csv",
                line,
                reason: format!(
                    "deal_id \"{}\" is not in deals.csv",
                    read.deal_ids.names[touch_deal as usize]
                ),
            }),
        }
    }

    let (deal_names, deal_rank) = deal_ids.sorted();
    let mut input = Input {
        touchpoints: touch_count,
        ..Input::default()
    };
    // In deal id order, so the output order is stable too.
    let mut by_rank: Vec<(u32, DealRow, Vec<Touch>)> = rows
        .into_iter()
        .zip(touches)
        .enumerate()
        .map(|(id, ((_, row), touches))| (deal_rank[id], row, touches))
        .collect();
    by_rank.sort_unstable_by_key(|(rank, _, _)| *rank);
    for (rank, row, touches) in by_rank {
        if row.won {
            input.won.push(DealInput {
                deal: DealId(i64::from(rank) + 1),
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

/// Calls `row` with the fields of every record (in the order of `columns`, found by header
/// name) and its line; an `Err` becomes a reported row error.
fn for_each_row(
    file: &'static str,
    source: impl Read,
    columns: &[&str],
    errors: &mut Vec<RowError>,
    row: impl FnMut(u64, &[&str]) -> Result<(), String>,
) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(source);
    if let Some(positions) = column_positions(file, &mut reader, columns, errors) {
        for_each_record(file, reader, &positions, errors, row);
    }
}

/// Where each wanted column is, by header name; `None` (with errors) if any is missing.
fn column_positions<R: Read>(
    file: &'static str,
    reader: &mut csv::Reader<R>,
    columns: &[&str],
    errors: &mut Vec<RowError>,
) -> Option<Vec<usize>> {
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            errors.push(RowError {
                file,
                line: 1,
                reason: e.to_string(),
            });
            return None;
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
    (positions.len() == columns.len()).then_some(positions)
}

/// The record loop: fields by position, every failure recorded with its line.
fn for_each_record<R: Read>(
    file: &'static str,
    mut reader: csv::Reader<R>,
    positions: &[usize],
    errors: &mut Vec<RowError>,
    mut row: impl FnMut(u64, &[&str]) -> Result<(), String>,
) {
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                // On the stack: no allocation per row (no file here has more than 8 columns).
                let mut fields = [""; 8];
                let mut result = Ok(());
                for (slot, &p) in fields.iter_mut().zip(positions) {
                    match record.get(p).map(std::str::from_utf8) {
                        Some(Ok(text)) => *slot = text,
                        Some(Err(_)) => {
                            result = Err("not valid UTF-8 text".to_owned());
                            break;
                        }
                        None => {
                            result = Err(format!(
                                "expected at least {} columns, found {}",
                                positions.iter().max().map_or(0, |p| p + 1),
                                record.len()
                            ));
                            break;
                        }
                    }
                }
                let fields = &fields[..positions.len()];
                if let Err(reason) = result.and_then(|()| row(line, fields)) {
                    errors.push(RowError { file, line, reason });
                }
            }
            Err(e) => errors.push(RowError {
                file,
                line: line.max(2),
                reason: e.to_string(),
            }),
        }
    }
}

fn non_empty<'a>(column: &str, value: &'a str) -> Result<&'a str, String> {
    let value = value.trim();
    if value.is_empty() {
        Err(format!("{column} is empty"))
    } else {
        Ok(value)
    }
}

/// RFC 3339 (`2026-03-01T09:30:00Z`), `2026-03-01 09:30:00` (UTC), or a date. A closing date means
/// the end of that day, so the day's touches count; a touch date means its start.
fn timestamp(column: &str, value: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Some(at) = fast_timestamp(value.as_bytes(), end_of_day) {
        return Ok(at);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    Err(format!(
        "{column} \"{value}\" is not a time (use 2026-03-01T09:30:00Z, 2026-03-01 09:30:00 or 2026-03-01)"
    ))
}

/// The common shapes without a general parser: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` and
/// `YYYY-MM-DDTHH:MM:SSZ`. Anything else (offsets, fractions) goes to chrono's RFC 3339 parser.
fn fast_timestamp(b: &[u8], end_of_day: bool) -> Option<DateTime<Utc>> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let time = match (b.len(), b.get(10)) {
        (10, _) if end_of_day => NaiveTime::from_hms_opt(23, 59, 59)?,
        (10, _) => NaiveTime::MIN,
        (19, Some(b' ')) | (20, Some(b'T')) => {
            if b[13] != b':' || b[16] != b':' || (b.len() == 20 && b[19] != b'Z') {
                return None;
            }
            NaiveTime::from_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?
        }
        _ => return None,
    };
    Some(date.and_time(time).and_utc())
}
