//! Calendar helpers for reports.

use chrono::{Datelike, Months, NaiveDate};

use super::labels::label_enum;

label_enum! {
    /// A reporting period, relative to today.
    pub enum Period ("period") {
        ThisQuarter => "this_quarter",
        LastQuarter => "last_quarter",
        ThisYear => "this_year",
        LastYear => "last_year",
        Last12Months => "last_12_months",
    }
}

/// Days `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The first day of the calendar quarter holding `day`.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

fn year_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day)
}

fn months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n)).unwrap_or(day)
}

fn back(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(n)).unwrap_or(day)
}

impl Period {
    /// The days of the period. Periods in progress end after today.
    pub fn range(self, today: NaiveDate) -> DateRange {
        let (start, end) = match self {
            Period::ThisQuarter => {
                let start = quarter_start(today);
                (start, months(start, 3))
            }
            Period::LastQuarter => {
                let end = quarter_start(today);
                (back(end, 3), end)
            }
            Period::ThisYear => {
                let start = year_start(today);
                (start, months(start, 12))
            }
            Period::LastYear => {
                let end = year_start(today);
                (back(end, 12), end)
            }
            // Calendar months, this one included: every period is whole months, which the
            // monthly totals add up.
            Period::Last12Months => {
                let end = months(month_start(today), 1);
                (back(end, 12), end)
            }
        };
        DateRange { start, end }
    }

    /// The period of the same length just before this one, for "change since" comparisons.
    pub fn previous(self, today: NaiveDate) -> DateRange {
        let current = self.range(today);
        let length = match self {
            Period::ThisQuarter | Period::LastQuarter => 3,
            _ => 12,
        };
        DateRange {
            start: back(current.start, length),
            end: current.start,
        }
    }
}

/// The first day of the month containing `day`.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first days of the `count` months ending with the month of `today`, oldest first.
pub fn trailing_months(today: NaiveDate, count: u32) -> Vec<NaiveDate> {
    let last = month_start(today);
    (0..count)
        .rev()
        .filter_map(|back| last.checked_sub_months(Months::new(back)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_are_calendar_quarters_and_years() {
        let today = day(2026, 11, 26);
        let r = |p: Period| {
            let range = p.range(today);
            (range.start, range.end)
        };
        assert_eq!(r(Period::ThisQuarter), (day(2026, 10, 1), day(2027, 1, 1)));
        assert_eq!(r(Period::LastQuarter), (day(2026, 7, 1), day(2026, 10, 1)));
        assert_eq!(r(Period::ThisYear), (day(2026, 1, 1), day(2027, 1, 1)));
        assert_eq!(r(Period::LastYear), (day(2025, 1, 1), day(2026, 1, 1)));
        assert_eq!(
            r(Period::Last12Months),
            (day(2025, 12, 1), day(2026, 12, 1))
        );
        let previous = Period::ThisQuarter.previous(today);
        assert_eq!(
            (previous.start, previous.end),
            (day(2026, 7, 1), day(2026, 10, 1))
        );
        let previous = Period::LastYear.previous(today);
        assert_eq!(
            (previous.start, previous.end),
            (day(2024, 1, 1), day(2025, 1, 1))
        );
        assert_eq!(
            Period::LastQuarter.range(day(2026, 2, 10)).start,
            day(2025, 10, 1)
        );
    }

    #[test]
    fn trailing_months_cross_year_boundaries_oldest_first() {
        let months = trailing_months(day(2026, 2, 17), 4);
        assert_eq!(
            months,
            vec![
                day(2025, 11, 1),
                day(2025, 12, 1),
                day(2026, 1, 1),
                day(2026, 2, 1)
            ]
        );
        assert_eq!(trailing_months(day(2026, 2, 17), 12).len(), 12);
    }
}
