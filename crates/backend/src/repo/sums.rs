//! Totals of 64-bit minor units that no stored data can overflow.
//!
//! `SUM` over a BIGINT fails past 2^63 on both back ends (SQLite answers "integer overflow",
//! PostgreSQL's NUMERIC sum no longer casts back to BIGINT), so two large stored amounts would
//! take every page that totals them down. Each value is split into its high and low 32 bits,
//! which the database sums separately (each partial sum fits 64 bits for up to 2^31 rows), and
//! [`total`] joins them exactly in an `i128`.

use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{ExprTrait, QuerySelect};

/// The two partial sums of `value` to select (high, low); join them with [`total`].
pub fn parts(value: impl Into<SimpleExpr>) -> (SimpleExpr, SimpleExpr) {
    let value: SimpleExpr = value.into();
    // `>>` is arithmetic on both back ends, and the low half is never negative, so
    // value = high × 2^32 + low for every 64-bit value.
    let high = value.clone().right_shift(32);
    let low = value.bit_and(0xFFFF_FFFF_i64);
    let sum = |part: SimpleExpr| Expr::expr(Func::sum(part)).cast_as(Alias::new("BIGINT"));
    (sum(high), sum(low))
}

/// Selects the partial sums of `value` as two columns (`total_high`, `total_low`), read back
/// as two `Option<i64>` in a tuple and joined with [`total`].
pub trait SelectTotal: QuerySelect + Sized {
    fn total_of(self, value: impl Into<SimpleExpr>) -> Self {
        let (high, low) = parts(value);
        self.column_as(high, "total_high")
            .column_as(low, "total_low")
    }
}

impl<T: QuerySelect> SelectTotal for T {}

/// The exact total from the partial sums [`parts`] selected (`NULL`, no rows, is zero).
pub fn total(high: Option<i64>, low: Option<i64>) -> i128 {
    (i128::from(high.unwrap_or(0)) << 32) + i128::from(low.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(value: i64) -> (i64, i64) {
        (value >> 32, value & 0xFFFF_FFFF)
    }

    proptest! {
        #[test]
        fn split_sums_join_to_the_exact_total(values in prop::collection::vec(any::<i64>(), 0..50)) {
            let (high, low) = values.iter().fold((0i64, 0i64), |(h, l), v| {
                let (vh, vl) = split(*v);
                (h + vh, l + vl)
            });
            let exact: i128 = values.iter().map(|v| i128::from(*v)).sum();
            prop_assert_eq!(total(Some(high), Some(low)), exact);
        }
    }

    #[test]
    fn two_of_the_largest_stored_amounts_add_up() {
        let (h, l) = split(i64::MAX);
        assert_eq!(total(Some(2 * h), Some(2 * l)), 2 * i128::from(i64::MAX));
        let (h, l) = split(i64::MIN);
        assert_eq!(total(Some(h), Some(l)), i128::from(i64::MIN));
        assert_eq!(total(None, None), 0);
    }
}
