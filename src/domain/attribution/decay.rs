//! Time-decay weights. The exponential is computed in `f64` (there is no exact one) and converted
//! to a decimal once, rounded to 12 places half away from zero; everything after is exact.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Calendar days from `at` to `closed_at` (UTC, the app's calendar): a touch on Nov 28 is 5
/// days before a close on Dec 3, whatever the hours. What the deal page shows and what the
/// time-decay weight uses are the same number. Negative when the touch is after the close.
pub fn calendar_days(at: DateTime<Utc>, closed_at: DateTime<Utc>) -> i64 {
    (closed_at.date_naive() - at.date_naive()).num_days()
}

/// `2^(-days / half_life)` for a touch `days` calendar days before the close.
pub(super) fn weight(
    at: DateTime<Utc>,
    closed_at: DateTime<Utc>,
    half_life_days: Decimal,
) -> Decimal {
    let days = calendar_days(at, closed_at).max(0) as f64;
    let half_life = f64::try_from(half_life_days).unwrap_or(f64::INFINITY);
    let value = (-days / half_life).exp2();
    // value is in (0, 1]: scaled by 10^12 it is an exact integer after rounding half away from
    // zero, the strategy named everywhere else (f64::round rounds halves away from zero).
    Decimal::new((value * 1e12).round() as i64, 12)
}

/// Calendar days before the close, for explanations.
pub(super) fn days_before(at: DateTime<Utc>, closed_at: DateTime<Utc>) -> Decimal {
    Decimal::from(calendar_days(at, closed_at).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_are_calendar_days_whatever_the_hours() {
        let at = |d: u32, m: u32, h: u32| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
        // The cases a new user counted on the calendar.
        assert_eq!(calendar_days(at(28, 11, 15), at(3, 12, 9)), 5);
        assert_eq!(calendar_days(at(5, 7, 23), at(3, 12, 0)), 151);
        assert_eq!(calendar_days(at(3, 12, 0), at(3, 12, 23)), 0);
        assert_eq!(calendar_days(at(4, 12, 0), at(3, 12, 23)), -1);
        assert_eq!(days_before(at(28, 11, 15), at(3, 12, 9)), Decimal::from(5));
        // The weight follows the same count: 30 days at a 30-day half-life is one half.
        assert_eq!(
            weight(at(1, 11, 22), at(1, 12, 1), Decimal::from(30)),
            Decimal::new(5, 1)
        );
    }
}
