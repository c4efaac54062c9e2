//! Time-decay weights. The exponential is computed in `f64` (there is no exact one) and converted
//! to a decimal once, rounded to 12 places half away from zero; everything after is exact.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// `2^(-days / half_life)` for a touch `days` before the close.
pub(super) fn weight(
    at: DateTime<Utc>,
    closed_at: DateTime<Utc>,
    half_life_days: Decimal,
) -> Decimal {
    let days = (closed_at - at).num_seconds().max(0) as f64 / SECONDS_PER_DAY;
    let half_life = f64::try_from(half_life_days).unwrap_or(f64::INFINITY);
    let value = (-days / half_life).exp2();
    // value is in (0, 1]: scaled by 10^12 it is an exact integer after rounding half away from
    // zero, the strategy named everywhere else (f64::round rounds halves away from zero).
    Decimal::new((value * 1e12).round() as i64, 12)
}

/// Days before the close, rounded half up to one decimal place, for explanations.
pub(super) fn days_before(at: DateTime<Utc>, closed_at: DateTime<Utc>) -> Decimal {
    let seconds = (closed_at - at).num_seconds().max(0);
    Decimal::new((seconds * 10 + 43_200) / 86_400, 1)
}
