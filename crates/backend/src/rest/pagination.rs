//! Keyset pagination: lists run in id order and a page ends with an opaque cursor naming the
//! last id, so pages stay stable while records are added (no offset drift, no deep-offset scans).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use serde::Serialize;
use utoipa::ToSchema;

use super::problem::Problem;

/// A page of records in id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// The page of `records` (at most `limit`, in id order), each converted for the wire.
    pub fn of<M>(
        records: Vec<M>,
        limit: u64,
        id: impl Fn(&M) -> i64,
        convert: impl FnMut(M) -> Result<T, Problem>,
    ) -> Result<Page<T>, Problem> {
        let next_cursor = next_cursor(records.iter().map(id), records.len(), limit);
        let data = records.into_iter().map(convert).collect::<Result<_, _>>()?;
        Ok(Page { data, next_cursor })
    }
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The page size asked for, checked.
pub fn limit(asked: Option<u32>) -> Result<u64, Problem> {
    match asked.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(u64::from(n)),
        _ => Err(Problem::invalid(
            "limit",
            format!("Ask for between 1 and {MAX_LIMIT} records per page."),
        )),
    }
}

pub fn encode(last_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{last_id}"))
}

/// The id a cursor continues after.
pub fn decode(cursor: Option<&str>) -> Result<Option<i64>, Problem> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("after:")?.parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| {
            Problem::invalid(
                "cursor",
                "This cursor was not issued by this API; use next_cursor from a previous page.",
            )
        })
}

/// The cursor of the next page: set when the page is full (there may be more).
fn next_cursor(
    ids: impl DoubleEndedIterator<Item = i64>,
    len: usize,
    limit: u64,
) -> Option<String> {
    if len as u64 == limit {
        ids.last().map(encode)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode(Some(&encode(42))).unwrap(), Some(42));
        assert_eq!(decode(None).unwrap(), None);
        assert!(decode(Some("42")).is_err());
        assert!(decode(Some("!!")).is_err());
        assert_eq!(limit(None).unwrap(), u64::from(DEFAULT_LIMIT));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn a_full_page_has_a_next_cursor_a_short_one_does_not() {
        assert_eq!(next_cursor([3, 5].into_iter(), 2, 2), Some(encode(5)));
        assert_eq!(next_cursor([3].into_iter(), 1, 2), None);
    }
}
