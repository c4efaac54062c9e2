//! Time-decay weights. The exponential is computed in `f64` (there is no exact one) and converted
//! to a decimal once, rounded to 12 places half away from zero; everything after is exact.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// The day `at` falls on in the organization's time zone.
pub fn day_in(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// Calendar days from `at` to the day `closed_on`, counted on the organization's calendar
/// (`zone`): a touch on Nov 28 is 5 days before a close on Dec 3, whatever the hours. What the
/// deal page shows and what the time-decay weight uses are the same number. Negative when the
/// touch is after the close.
pub fn calendar_days(at: DateTime<Utc>, closed_on: NaiveDate, zone: Tz) -> i64 {
    (closed_on - day_in(at, zone)).num_days()
}

/// The first moment of `day` in the organization's time zone (the earlier one where a clock
/// change repeats midnight, the next hour where it skips it).
pub fn start_of(day: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    (0..3)
        .find_map(|hour| {
            zone.from_local_datetime(&day.and_hms_opt(hour, 0, 0)?)
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
}

/// The day a deal's days are counted to: its close, or for an open deal its expected close
/// (already a date on the organization's calendar).
pub fn close_day(
    closed_at: Option<DateTime<Utc>>,
    expected_close_on: Option<NaiveDate>,
    zone: Tz,
) -> Option<NaiveDate> {
    closed_at.map(|at| day_in(at, zone)).or(expected_close_on)
}

/// `2^(-days / half_life)` for a touch `days` calendar days before the close.
pub(super) fn weight(
    at: DateTime<Utc>,
    closed_at: DateTime<Utc>,
    half_life_days: Decimal,
    zone: Tz,
) -> Decimal {
    let days = calendar_days(at, day_in(closed_at, zone), zone).max(0) as f64;
    let half_life = f64::try_from(half_life_days).unwrap_or(f64::INFINITY);
    let value = (-days / half_life).exp2();
    // value is in (0, 1]: scaled by 10^12 it is an exact integer after rounding half away from
    // zero, the strategy named everywhere else (f64::round rounds halves away from zero).
    Decimal::new((value * 1e12).round() as i64, 12)
}

/// Calendar days before the close, for explanations.
pub(super) fn days_before(at: DateTime<Utc>, closed_at: DateTime<Utc>, zone: Tz) -> Decimal {
    Decimal::from(calendar_days(at, day_in(closed_at, zone), zone).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_are_calendar_days_whatever_the_hours() {
        let at = |d: u32, m: u32, h: u32| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
        let on = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let days = |from, to| calendar_days(from, day_in(to, Tz::UTC), Tz::UTC);
        // The cases a new user counted on the calendar.
        assert_eq!(days(at(28, 11, 15), at(3, 12, 9)), 5);
        assert_eq!(days(at(5, 7, 23), at(3, 12, 0)), 151);
        assert_eq!(days(at(3, 12, 0), at(3, 12, 23)), 0);
        assert_eq!(days(at(4, 12, 0), at(3, 12, 23)), -1);
        assert_eq!(calendar_days(at(28, 11, 15), on(3, 12), Tz::UTC), 5);
        assert_eq!(
            days_before(at(28, 11, 15), at(3, 12, 9), Tz::UTC),
            Decimal::from(5)
        );
        // The weight follows the same count: 30 days at a 30-day half-life is one half.
        assert_eq!(
            weight(at(1, 11, 22), at(1, 12, 1), Decimal::from(30), Tz::UTC),
            Decimal::new(5, 1)
        );
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let on = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let berlin = Tz::Europe__Berlin;
        assert_eq!(
            start_of(on(3, 12), berlin),
            Some(Utc.with_ymd_and_hms(2026, 12, 2, 23, 0, 0).unwrap())
        );
        assert_eq!(
            start_of(on(3, 12), Tz::UTC).map(|at| day_in(at, Tz::UTC)),
            Some(on(3, 12))
        );
        // Havana skips midnight when its clocks go forward (Mar 8, 2026): the day starts at 01:00.
        let havana = Tz::America__Havana;
        let start = start_of(on(8, 3), havana).unwrap();
        assert_eq!(day_in(start, havana), on(8, 3));
    }

    #[test]
    fn days_are_counted_on_the_organizations_calendar() {
        let at = |d: u32, m: u32, h: u32| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
        let berlin = Tz::Europe__Berlin;
        let new_york = Tz::America__New_York;
        // 23:30 UTC on Nov 28 is already Nov 29 in Berlin and still Nov 28 in New York.
        let touch = at(28, 11, 23) + chrono::Duration::minutes(30);
        let close = at(3, 12, 12);
        assert_eq!(calendar_days(touch, day_in(close, Tz::UTC), Tz::UTC), 5);
        assert_eq!(calendar_days(touch, day_in(close, berlin), berlin), 4);
        assert_eq!(calendar_days(touch, day_in(close, new_york), new_york), 5);
        // A close at 02:00 UTC on Dec 3 is Dec 2 in New York: one day fewer there.
        let early_close = at(3, 12, 2);
        assert_eq!(
            days_before(at(28, 11, 12), early_close, new_york),
            Decimal::from(4)
        );
        // Across the end of daylight saving (Nov 1 in New York) days stay calendar days.
        assert_eq!(
            calendar_days(at(31, 10, 16), day_in(at(1, 11, 16), new_york), new_york),
            1
        );
        // And the weight uses the same count: a touch 30 Berlin days before is worth one half.
        assert_eq!(
            weight(at(1, 11, 23), at(1, 12, 23), Decimal::from(30), berlin),
            Decimal::new(5, 1)
        );
    }
}
