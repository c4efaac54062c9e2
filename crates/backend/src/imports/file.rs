//! Reading an import's CSV file row by row: the rows are read as they are used, so an import or
//! a preview never holds more than the file's text and the rows at hand.

/// A file's rows as they are read: each with its line in the file, blank rows skipped. The
/// last item is an error when the file cannot be read to its end.
pub struct Rows<'a> {
    content: &'a str,
    pub headers: Vec<String>,
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    last_start: Option<csv::Position>,
    ended: bool,
}

/// Opens a CSV file (comma, semicolon or tab separated, as the header line shows); refuses one
/// without a header line.
pub fn read(content: &str) -> Result<Rows<'_>, String> {
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
    Ok(Rows {
        content,
        headers,
        records: reader.into_records(),
        last_start: None,
        ended: false,
    })
}

impl Iterator for Rows<'_> {
    type Item = Result<(u64, Vec<String>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        for record in self.records.by_ref() {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    self.ended = true;
                    return Some(Err(match e.position() {
                        Some(at) => format!("Line {} cannot be read: {e}", at.line()),
                        None => format!("The file cannot be read: {e}"),
                    }));
                }
            };
            self.last_start = record.position().cloned();
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let line = record
                .position()
                .map_or(0, |p| line_of(self.content.as_bytes(), p));
            return Some(Ok((line, record.iter().map(str::to_owned).collect())));
        }
        self.ended = true;
        let start = self.last_start.take()?;
        unclosed_quote(self.content, &start).err().map(Err)
    }
}

/// A file read whole: its header and its rows with their line numbers.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a whole CSV file; see [`read`].
pub fn parse(content: &str) -> Result<Table, String> {
    let mut reader = read(content)?;
    let headers = std::mem::take(&mut reader.headers);
    let rows = reader.collect::<Result<_, _>>()?;
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
