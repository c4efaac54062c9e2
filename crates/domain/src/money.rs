//! Money: an exact decimal amount that always carries its currency.
//!
//! Amounts never pass through floating point. A `Money` never holds more decimal places than its
//! currency has minor units, so it converts to and from integer minor units (cents) losslessly,
//! which is how the database stores it.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::DomainError;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const GBP: Currency = Currency(*b"GBP");
    pub const JPY: Currency = Currency(*b"JPY");

    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimal places of the currency's minor unit (ISO 4217), 2 unless listed.
    pub fn minor_units(&self) -> u32 {
        match self.code() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// The symbol written before amounts in English text, where there is a well-known one.
    pub fn symbol(&self) -> Option<&'static str> {
        match self.code() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            "INR" => Some("₹"),
            _ => None,
        }
    }
}

impl FromStr for Currency {
    type Err = DomainError;

    /// Accepts any case ("usd") and normalises to upper case.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let bytes = value.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(DomainError::InvalidCurrency(value.to_owned())),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An exact amount of one currency. Serialized as `{"amount": "1234.50", "currency": "USD"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawMoney")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

#[derive(Deserialize)]
struct RawMoney {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = DomainError;

    fn try_from(raw: RawMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount, raw.currency)
    }
}

/// The largest amount, in minor units, that any money field accepts (a deal amount, an
/// estimated amount, a rule's threshold or flat amount, an adjustment, a tier bar): 10^13, that
/// is 100 billion in a currency with cents (USD, EUR), 10 trillion yen, 10 billion in a
/// three-decimal currency. 922,337 amounts at the bound still add up inside the 64-bit minor
/// units that a month's totals are stored in; totals over many rows or months are summed in
/// 128 bits (`repo::sums`, [`Money::from_total`]), so even amounts stored at the 64-bit limit
/// before this bound existed cannot make a page fail.
pub const MAX_MINOR: i64 = 10_000_000_000_000;

/// An amount as a person types it: digits with an optional sign (`-` or `−`), an optional
/// decimal point, and commas, spaces or underscores between digit groups. Exponents (`1e10`),
/// words and empty text are not amounts. `None` when the text is not one.
pub fn parse_amount(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    let digits = cleaned
        .strip_prefix('-')
        .or_else(|| cleaned.strip_prefix('+'))
        .unwrap_or(&cleaned);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !plain(whole)
        || !plain(fraction)
        || whole.len() > 20
        || fraction.len() > 20
    {
        return None;
    }
    cleaned.trim_start_matches('+').parse().ok()
}

impl Money {
    /// Refuses amounts finer than the currency's minor unit (1.005 USD): rounding is never silent.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, DomainError> {
        let amount = amount.normalize();
        if amount.scale() > currency.minor_units() {
            return Err(DomainError::TooPrecise {
                amount: amount.to_string(),
                currency: currency.to_string(),
                allowed: currency.minor_units(),
            });
        }
        Ok(Money { amount, currency })
    }

    /// An amount someone entered: as [`Money::new`], and at most [`MAX_MINOR`] minor units
    /// either side of zero.
    pub fn entered(amount: Decimal, currency: Currency) -> Result<Money, DomainError> {
        let money = Money::new(amount, currency)?;
        let max = Money::from_minor(MAX_MINOR, currency);
        if money.amount.abs() > max.amount {
            return Err(DomainError::TooLarge {
                max: max.format_whole(),
            });
        }
        Ok(money)
    }

    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// From integer minor units, as stored in the database (12345 USD cents = 123.45 USD).
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money {
            amount: Decimal::from_i128_with_scale(i128::from(minor), currency.minor_units())
                .normalize(),
            currency,
        }
    }

    /// A total of stored minor units, which may exceed 64 bits (see `MAX_MINOR`). Totals of
    /// up to 2^32 64-bit amounts fit the 96-bit decimal; anything beyond shows as its largest value.
    pub fn from_total(minor: i128, currency: Currency) -> Money {
        let amount = Decimal::try_from_i128_with_scale(minor, currency.minor_units()).unwrap_or(
            if minor < 0 {
                Decimal::MIN
            } else {
                Decimal::MAX
            },
        );
        Money {
            amount: amount.normalize(),
            currency,
        }
    }

    /// Integer minor units. Exact: the constructor guarantees no finer digits exist.
    pub fn to_minor(&self) -> Result<i64, DomainError> {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.minor_units());
        i64::try_from(scaled.mantissa()).map_err(|_| DomainError::Overflow)
    }

    /// Integer minor units of any amount, a total or a conversion included (never overflows).
    pub fn total_minor(&self) -> i128 {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.minor_units());
        scaled.mantissa()
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(DomainError::Overflow)?;
        Money::new(amount, self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::CurrencyMismatch {
                left: self.currency.to_string(),
                right: other.currency.to_string(),
            })
        }
    }

    /// Splits this amount in proportion to `weights`, exactly to the minor unit: the parts always
    /// add up to the whole. Each part first gets the floor of its exact share; the minor units
    /// left over go one each to the parts with the largest remainders (earlier parts win ties), so
    /// the result is deterministic and every part is less than one minor unit from its exact share.
    /// A negative amount (a refund) splits as the exact negation of the positive one.
    ///
    /// The arithmetic is in integers, so the floors and remainders are exact: weights are brought to
    /// a common decimal scale and used as integers. Weights with more than 19 significant digits
    /// relative to the largest are rounded to that precision first.
    pub fn allocate(&self, weights: &[Decimal]) -> Result<Vec<Money>, DomainError> {
        let parts = allocate_minor(self.to_minor()?, weights)?;
        Ok(parts
            .into_iter()
            .map(|minor| Money::from_minor(minor, self.currency))
            .collect())
    }

    /// Full amount for reading: "$1,234,567.89", "€12.50", "¥1,200", "CHF 1,234.00". Whole
    /// amounts in a currency with minor units still show them, as invoices do.
    pub fn format(&self) -> String {
        self.render(self.currency.minor_units())
    }

    /// Rounded to whole units for dashboards: "$1,234,568".
    pub fn format_whole(&self) -> String {
        self.render(0)
    }

    fn render(&self, places: u32) -> String {
        let rounded = self
            .amount
            .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        let text = format!("{:.*}", places as usize, rounded.abs());
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text.as_str(), None),
        };
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if let Some(fraction) = fraction {
            grouped.push('.');
            grouped.push_str(fraction);
        }
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
            "-"
        } else {
            ""
        };
        match self.currency.symbol() {
            Some(symbol) => format!("{sign}{symbol}{grouped}"),
            None => format!("{sign}{} {grouped}", self.currency),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

/// Largest-remainder allocation of `total` minor units by `weights` (see [`Money::allocate`]).
pub fn allocate_minor(total: i64, weights: &[Decimal]) -> Result<Vec<i64>, DomainError> {
    let integers = integer_weights(weights)?;
    let sum: u128 = integers.iter().sum();
    let magnitude = u128::from(total.unsigned_abs());
    let mut parts = Vec::with_capacity(integers.len());
    let mut remainders = Vec::with_capacity(integers.len());
    for (index, weight) in integers.iter().enumerate() {
        // magnitude < 2^63 and weight <= 2^64, so the product fits in u128.
        let exact = magnitude * weight;
        parts.push((exact / sum) as u64);
        remainders.push((exact % sum, index));
    }
    let handed_out: u64 = parts.iter().sum();
    let left_over = total.unsigned_abs() - handed_out;
    // Largest remainder first; the stable sort keeps earlier parts first on ties.
    remainders.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (_, index) in remainders.iter().take(left_over as usize) {
        parts[*index] += 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    Ok(parts.into_iter().map(|minor| sign * minor as i64).collect())
}

/// The weights as integers of one common decimal scale, none above 2^64.
fn integer_weights(weights: &[Decimal]) -> Result<Vec<u128>, DomainError> {
    if weights.is_empty() {
        return Err(DomainError::InvalidWeights("are empty".into()));
    }
    if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return Err(DomainError::InvalidWeights(
            "include a negative weight".into(),
        ));
    }
    // value * 10^scale as an exact integer. Weights of wildly different magnitudes can overflow
    // u128 at the finest scale: then drop the finest decimal places, rounding, until they fit.
    let mut scale = weights.iter().map(Decimal::scale).max().unwrap_or(0);
    let mut integers = loop {
        let scaled: Option<Vec<u128>> = weights
            .iter()
            .map(|w| {
                let w = w.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                w.mantissa()
                    .unsigned_abs()
                    .checked_mul(10u128.pow(scale - w.scale()))
            })
            .collect();
        match scaled {
            Some(integers) => break integers,
            // At scale 0 every mantissa (< 2^96) fits, so this ends.
            None => scale -= 1,
        }
    };
    // Keep the largest at or below 2^64 so `amount * weight` cannot overflow; dividing every weight
    // by the same power of ten keeps their proportions to 19 significant digits.
    let mut max = integers.iter().copied().max().unwrap_or(0);
    let mut divisor = 1u128;
    while max / divisor > u128::from(u64::MAX) {
        divisor *= 10;
    }
    if divisor > 1 {
        for weight in &mut integers {
            *weight = (*weight + divisor / 2) / divisor;
        }
        max = integers.iter().copied().max().unwrap_or(0);
    }
    if max == 0 {
        return Err(DomainError::InvalidWeights("add up to zero".into()));
    }
    Ok(integers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::USD).unwrap()
    }

    #[test]
    fn typed_amounts_are_plain_digits_with_separators() {
        for (typed, value) in [
            ("48000", dec!(48000)),
            (" 48,000.50 ", dec!(48000.50)),
            ("1 250", dec!(1250)),
            ("1_250.5", dec!(1250.5)),
            ("-120.50", dec!(-120.50)),
            ("−120", dec!(-120)),
            ("+7", dec!(7)),
            (".5", dec!(0.5)),
            ("5.", dec!(5)),
        ] {
            assert_eq!(parse_amount(typed), Some(value), "{typed}");
        }
        for bad in [
            "",
            " ",
            "-",
            ".",
            "1e10",
            "1E5",
            "0x10",
            "12abc",
            "1.2.3",
            "--5",
            "NaN",
            "inf",
            "١٢٣",
            "1-2",
            "99999999999999999999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        /// A decimal written as people write it: thousands grouped by commas or spaces.
        fn grouped(value: Decimal, separator: char) -> String {
            let text = value.abs().to_string();
            let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
            let mut out = String::new();
            for (i, digit) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i) % 3 == 0 {
                    out.push(separator);
                }
                out.push(digit);
            }
            let sign = if value.is_sign_negative() && !value.is_zero() {
                "-"
            } else {
                ""
            };
            match fraction {
                "" => format!("{sign}{out}"),
                fraction => format!("{sign}{out}.{fraction}"),
            }
        }

        proptest! {
            #[test]
            fn any_text_is_an_amount_or_refused_without_panicking(text in any::<String>()) {
                // Whatever reads as an amount reads the same written back plainly.
                if let Some(value) = parse_amount(&text) {
                    prop_assert_eq!(parse_amount(&value.to_string()), Some(value));
                }
            }

            #[test]
            fn written_amounts_read_back_exactly(
                minor in -MAX_MINOR..=MAX_MINOR,
                separator in prop::sample::select(vec![',', ' ', '_']),
            ) {
                let value = Decimal::new(minor, 2);
                prop_assert_eq!(parse_amount(&grouped(value, separator)), Some(value));
                let money = Money::entered(value, Currency::USD).unwrap();
                prop_assert_eq!(money.to_minor().unwrap(), minor);
            }

            #[test]
            fn nothing_past_the_bound_is_entered(extra in 1i64..1_000_000_000) {
                let value = Decimal::new(MAX_MINOR + extra, 2);
                prop_assert!(Money::entered(value, Currency::USD).is_err());
                prop_assert!(Money::entered(-value, Currency::USD).is_err());
            }
        }
    }

    #[test]
    fn entered_amounts_stop_at_the_bound_in_every_currency() {
        let max_usd = Money::entered(dec!(100_000_000_000), Currency::USD).unwrap();
        assert_eq!(max_usd.to_minor().unwrap(), MAX_MINOR);
        let err = Money::entered(dec!(100_000_000_000.01), Currency::USD).unwrap_err();
        assert_eq!(err.to_string(), "Amounts go up to $100,000,000,000.");
        assert!(Money::entered(dec!(-100_000_000_000.01), Currency::USD).is_err());
        assert!(Money::entered(dec!(10_000_000_000_000), Currency::JPY).is_ok());
        assert!(Money::entered(dec!(10_000_000_000_001), Currency::JPY).is_err());
        // What the black-box review stored: i64::MAX cents.
        assert!(Money::entered(dec!(92233720368547758.07), Currency::USD).is_err());
        // 922,337 amounts at the bound still sum in an i64.
        assert!(MAX_MINOR.checked_mul(922_337).is_some());
    }

    #[test]
    fn currency_codes_are_three_letters_normalised_to_upper_case() {
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert_eq!(Currency::EUR.to_string(), "EUR");
        for bad in ["", "US", "USDD", "U$D", "12A"] {
            let err = bad.parse::<Currency>().unwrap_err();
            assert!(err.to_string().contains("ISO 4217"), "{bad}: {err}");
        }
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(Currency::USD.minor_units(), 2);
        assert_eq!(Currency::JPY.minor_units(), 0);
        assert_eq!("KWD".parse::<Currency>().unwrap().minor_units(), 3);
    }

    #[test]
    fn money_refuses_digits_finer_than_the_minor_unit() {
        assert!(Money::new(dec!(1.005), Currency::USD).is_err());
        assert!(Money::new(dec!(1.5), Currency::JPY).is_err());
        // Trailing zeros are not extra precision.
        assert_eq!(usd(dec!(1.500)).amount(), dec!(1.5));
    }

    #[test]
    fn minor_units_round_trip_exactly() {
        for minor in [0, 1, 99, 100, 123_456_789, -250, i64::MAX / 1000] {
            let money = Money::from_minor(minor, Currency::USD);
            assert_eq!(money.to_minor().unwrap(), minor);
        }
        assert_eq!(
            Money::from_minor(12345, Currency::USD).amount(),
            dec!(123.45)
        );
        assert_eq!(Money::from_minor(1200, Currency::JPY).amount(), dec!(1200));
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let eur = Money::new(dec!(1), Currency::EUR).unwrap();
        let err = usd(dec!(1)).checked_add(eur).unwrap_err();
        assert!(matches!(err, DomainError::CurrencyMismatch { .. }));
        assert_eq!(
            usd(dec!(1.25)).checked_add(usd(dec!(2.75))).unwrap(),
            usd(dec!(4))
        );
    }

    #[test]
    fn allocation_sums_exactly_and_hands_leftover_cents_to_largest_remainders() {
        let parts = usd(dec!(100))
            .allocate(&[dec!(1), dec!(1), dec!(1)])
            .unwrap();
        let cents: Vec<i64> = parts.iter().map(|m| m.to_minor().unwrap()).collect();
        assert_eq!(cents, vec![3334, 3333, 3333]);

        let parts = usd(dec!(0.05))
            .allocate(&[dec!(0.5), dec!(0.3), dec!(0.2)])
            .unwrap();
        let cents: Vec<i64> = parts.iter().map(|m| m.to_minor().unwrap()).collect();
        // Exact shares 2.5, 1.5, 1.0 cents: the two half cents go to the first two parts.
        assert_eq!(cents, vec![3, 1, 1]);
        assert_eq!(cents.iter().sum::<i64>(), 5);
    }

    #[test]
    fn allocation_of_negative_amounts_mirrors_positive_ones() {
        let parts = Money::from_minor(-100, Currency::USD)
            .allocate(&[dec!(2), dec!(1)])
            .unwrap();
        let cents: Vec<i64> = parts.iter().map(|m| m.to_minor().unwrap()).collect();
        assert_eq!(cents, vec![-67, -33]);
    }

    #[test]
    fn allocation_sums_exactly_for_many_amounts_and_weights() {
        let weight_sets: [&[Decimal]; 4] = [
            &[dec!(1)],
            &[
                dec!(1),
                dec!(2),
                dec!(3),
                dec!(4),
                dec!(5),
                dec!(6),
                dec!(7),
            ],
            &[dec!(0.3333), dec!(0.3333), dec!(0.3334)],
            &[dec!(0), dec!(5), dec!(0.0001)],
        ];
        for minor in (0..2_000_i64).chain([999_999_999_999]) {
            for weights in weight_sets {
                let money = Money::from_minor(minor, Currency::USD);
                let parts = money.allocate(weights).unwrap();
                let sum: i64 = parts.iter().map(|m| m.to_minor().unwrap()).sum();
                assert_eq!(sum, minor, "{minor} over {weights:?}");
                let total_weight: Decimal = weights.iter().copied().sum();
                for (part, weight) in parts.iter().zip(weights.iter()) {
                    let exact = Decimal::from(minor) * weight / total_weight;
                    let got = Decimal::from(part.to_minor().unwrap());
                    assert!(
                        (got - exact).abs() < Decimal::ONE,
                        "{minor}: {got} vs {exact}"
                    );
                }
            }
        }
    }

    #[test]
    fn allocation_survives_weights_of_wildly_different_magnitudes() {
        let tiny = Decimal::new(1, 28);
        let parts = allocate_minor(1000, &[Decimal::MAX, tiny, dec!(1)]).unwrap();
        assert_eq!(parts, vec![1000, 0, 0]);
        let parts = allocate_minor(1000, &[tiny, tiny * dec!(3)]).unwrap();
        assert_eq!(parts, vec![250, 750]);
    }

    #[test]
    fn allocation_rejects_meaningless_weights() {
        assert!(usd(dec!(10)).allocate(&[]).is_err());
        assert!(usd(dec!(10)).allocate(&[dec!(0), dec!(0)]).is_err());
        assert!(usd(dec!(10)).allocate(&[dec!(1), dec!(-1)]).is_err());
    }

    #[test]
    fn formatting_groups_thousands_and_uses_symbols() {
        assert_eq!(usd(dec!(1234567.89)).format(), "$1,234,567.89");
        assert_eq!(usd(dec!(12.5)).format(), "$12.50");
        assert_eq!(usd(dec!(0)).format(), "$0.00");
        assert_eq!(usd(dec!(-1234.5)).format(), "-$1,234.50");
        assert_eq!(usd(dec!(1234567.5)).format_whole(), "$1,234,568");
        assert_eq!(usd(dec!(999.49)).format_whole(), "$999");
        assert_eq!(
            Money::from_minor(120000, Currency::JPY).format(),
            "¥120,000"
        );
        let chf = Money::new(dec!(1234), "CHF".parse().unwrap()).unwrap();
        assert_eq!(chf.format(), "CHF 1,234.00");
    }

    #[test]
    fn money_json_carries_amount_and_currency_and_is_validated() {
        let json = serde_json::to_string(&usd(dec!(10.5))).unwrap();
        assert_eq!(json, r#"{"amount":"10.5","currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, usd(dec!(10.5)));
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"DOLLARS"}"#).is_err());
    }
}
