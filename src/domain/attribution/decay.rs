//! Time-decay weights. The exponential is computed in `f64` (there is no exact one) and converted
//! to a decimal once, rounded to 12 places by a named strategy; everything after is exact.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

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
    Decimal::from_f64(value)
        .unwrap_or(Decimal::ZERO)
        .round_dp_with_strategy(12, RoundingStrategy::MidpointAwayFromZero)
}

/// Whole and fractional days before the close, rounded to one place for explanations.
pub(super) fn days_before(at: DateTime<Utc>, closed_at: DateTime<Utc>) -> Decimal {
    Decimal::from((closed_at - at).num_seconds().max(0))
        .checked_div(Decimal::from(86_400))
        .unwrap_or_default()
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}
