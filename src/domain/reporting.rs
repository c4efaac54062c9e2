//! Calendar helpers for reports.

use chrono::{Datelike, Months, NaiveDate};

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
