//! Exchange rates into the organization's base currency: effective-dated (a rate holds from its
//! day until the next one of the same currency), entered one by one or imported as CSV, and
//! picked for a deal's close date. A missing rate is an error, never a silent 1.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money};

/// Base-currency units for one unit of `currency`, from `effective_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub currency: Currency,
    pub rate: Decimal,
    pub effective_on: NaiveDate,
}

/// The most decimals a rate keeps.
const RATE_DECIMALS: u32 = 10;

/// A rate as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateForm {
    pub currency: String,
    pub rate: String,
    pub effective_on: String,
}

type Errors = Vec<(&'static str, String)>;

fn parse_rate(text: &str) -> Result<Decimal, String> {
    let cleaned = text.trim().replace(',', ".");
    let rate: Decimal = cleaned
        .parse()
        .map_err(|_| format!("\"{}\" is not a rate (such as 1.0842).", text.trim()))?;
    if rate <= Decimal::ZERO {
        return Err("A rate is more than zero.".into());
    }
    if rate.normalize().scale() > RATE_DECIMALS {
        return Err(format!("Use at most {RATE_DECIMALS} decimals."));
    }
    Ok(rate.normalize())
}

impl RateForm {
    /// Every field checked at once; `base` cannot have a rate into itself.
    pub fn validate(&self, base: Currency) -> Result<Rate, Errors> {
        let mut errors = Vec::new();
        let currency = match self.currency.trim().parse::<Currency>() {
            Ok(c) if c == base => {
                errors.push((
                    "currency",
                    format!("{base} is the base currency: it needs no rate."),
                ));
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(("currency", e.to_string()));
                None
            }
        };
        let rate = if self.rate.trim().is_empty() {
            errors.push(("rate", format!("Enter how many {base} one unit is worth.")));
            None
        } else {
            parse_rate(&self.rate)
                .map_err(|e| errors.push(("rate", e)))
                .ok()
        };
        let effective_on = self
            .effective_on
            .trim()
            .parse::<NaiveDate>()
            .map_err(|_| errors.push(("effective_on", "Use a date such as 2026-11-01.".into())))
            .ok();
        match (currency, rate, effective_on) {
            (Some(currency), Some(rate), Some(effective_on)) if errors.is_empty() => Ok(Rate {
                currency,
                rate,
                effective_on,
            }),
            _ => Err(errors),
        }
    }
}

/// One refused line of an import: its number (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Rates from CSV text with the header `currency,rate,effective_on` (any column order). Every
/// line is checked; one bad line refuses the whole file, so an import is all or nothing.
/// (Server only: the browser sends the file's text.)
#[cfg(feature = "ssr")]
pub fn parse_csv(text: &str, base: Currency) -> Result<Vec<Rate>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header_error = |message: String| vec![LineError { line: 1, message }];
    let headers = reader
        .headers()
        .map_err(|e| header_error(e.to_string()))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect::<Vec<_>>();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c), Some(r), Some(d)) = (column("currency"), column("rate"), column("effective_on"))
    else {
        return Err(header_error(
            "The first line names the columns: currency,rate,effective_on.".into(),
        ));
    };
    let mut rates = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(LineError {
                    line,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let form = RateForm {
            currency: record.get(c).unwrap_or_default().to_owned(),
            rate: record.get(r).unwrap_or_default().to_owned(),
            effective_on: record.get(d).unwrap_or_default().to_owned(),
        };
        match form.validate(base) {
            Ok(rate) => rates.push(rate),
            Err(fields) => errors.push(LineError {
                line,
                message: fields
                    .into_iter()
                    .map(|(field, message)| format!("{field}: {message}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        }
    }
    if rates.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 2,
            message: "The file has no rates.".into(),
        });
    }
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(errors)
    }
}

/// The rate of `currency` in force on `day`: the latest one effective on or before it.
pub fn rate_on(rates: &[Rate], currency: Currency, day: NaiveDate) -> Option<Rate> {
    rates
        .iter()
        .filter(|r| r.currency == currency && r.effective_on <= day)
        .max_by_key(|r| r.effective_on)
        .copied()
}

/// `amount` converted into `to` at `rate`, rounded half away from zero to its minor unit.
pub fn convert(amount: Money, rate: Decimal, to: Currency) -> Money {
    let exact = amount.amount() * rate;
    let rounded =
        exact.round_dp_with_strategy(to.minor_units(), RoundingStrategy::MidpointAwayFromZero);
    Money::new(rounded, to).unwrap_or_else(|_| Money::zero(to))
}

/// The rate from one currency to another through the base currency, given each one's rate into
/// the base (1 for the base itself), kept to the decimals a rate has.
pub fn cross_rate(from_to_base: Decimal, to_to_base: Decimal) -> Option<Decimal> {
    (!to_to_base.is_zero()).then(|| {
        (from_to_base / to_to_base)
            .round_dp_with_strategy(RATE_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn form(currency: &str, rate: &str, on: &str) -> RateForm {
        RateForm {
            currency: currency.into(),
            rate: rate.into(),
            effective_on: on.into(),
        }
    }

    #[test]
    fn a_rate_needs_a_foreign_currency_a_positive_value_and_a_day() {
        let rate = form("eur", "1,0842", "2026-11-01")
            .validate(Currency::USD)
            .unwrap();
        assert_eq!(rate.currency, Currency::EUR);
        assert_eq!(rate.rate, Decimal::new(10842, 4));
        let fields = |f: RateForm| -> Vec<&str> {
            f.validate(Currency::USD)
                .unwrap_err()
                .into_iter()
                .map(|e| e.0)
                .collect()
        };
        assert_eq!(fields(form("USD", "1", "2026-11-01")), ["currency"]);
        assert_eq!(
            fields(form("EURO", "-1", "soon")),
            ["currency", "rate", "effective_on"]
        );
        assert_eq!(fields(form("GBP", "1.12345678901", "2026-11-01")), ["rate"]);
        assert_eq!(fields(form("GBP", "", "2026-11-01")), ["rate"]);
    }

    #[test]
    fn the_rate_of_a_day_is_the_latest_one_effective_by_then() {
        let rates = [
            Rate {
                currency: Currency::EUR,
                rate: Decimal::new(108, 2),
                effective_on: day(10, 1),
            },
            Rate {
                currency: Currency::EUR,
                rate: Decimal::new(110, 2),
                effective_on: day(11, 1),
            },
            Rate {
                currency: Currency::GBP,
                rate: Decimal::new(127, 2),
                effective_on: day(9, 1),
            },
        ];
        assert_eq!(
            rate_on(&rates, Currency::EUR, day(10, 31)).unwrap().rate,
            Decimal::new(108, 2)
        );
        assert_eq!(
            rate_on(&rates, Currency::EUR, day(11, 1)).unwrap().rate,
            Decimal::new(110, 2)
        );
        assert!(rate_on(&rates, Currency::EUR, day(9, 30)).is_none());
        assert!(rate_on(&rates, Currency::JPY, day(12, 1)).is_none());
    }

    #[test]
    fn cross_rates_go_through_the_base_currency() {
        // EUR at 1.0842 USD, GBP at 1.27 USD: 1 EUR = 0.8537007874 GBP.
        let rate = cross_rate(Decimal::new(10842, 4), Decimal::new(127, 2)).unwrap();
        assert_eq!(rate, "0.8537007874".parse::<Decimal>().unwrap());
        assert_eq!(cross_rate(Decimal::ONE, Decimal::ONE), Some(Decimal::ONE));
        assert!(cross_rate(Decimal::ONE, Decimal::ZERO).is_none());
    }

    #[test]
    fn conversion_rounds_to_the_base_currencys_minor_unit() {
        // €100.05 at 1.0842 = $108.474210 -> $108.47; ¥1,003 at 0.0066 = $6.6198 -> $6.62.
        let eur = Money::from_minor(10_005, Currency::EUR);
        assert_eq!(
            convert(eur, Decimal::new(10842, 4), Currency::USD),
            Money::from_minor(10_847, Currency::USD)
        );
        let yen = Money::from_minor(1003, Currency::JPY);
        assert_eq!(
            convert(yen, Decimal::new(66, 4), Currency::USD),
            Money::from_minor(662, Currency::USD)
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn an_import_is_all_or_nothing_and_names_each_bad_line() {
        let good = "Currency, Rate, Effective_on\nEUR,1.08,2026-10-01\nGBP,1.27,2026-10-01\n";
        assert_eq!(parse_csv(good, Currency::USD).unwrap().len(), 2);
        // Any column order.
        let reordered = "effective_on,currency,rate\n2026-10-01,JPY,0.0066\n";
        assert_eq!(
            parse_csv(reordered, Currency::USD).unwrap()[0].currency,
            Currency::JPY
        );
        let bad =
            "currency,rate,effective_on\nEUR,1.08,2026-10-01\nUSD,1,2026-10-01\nGBP,x,2026-13-01\n";
        let errors = parse_csv(bad, Currency::USD).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert!(errors[1].message.contains("rate:") && errors[1].message.contains("effective_on:"));
        assert_eq!(parse_csv("rate\n1", Currency::USD).unwrap_err()[0].line, 1);
        assert!(parse_csv("currency,rate,effective_on\n", Currency::USD).is_err());
    }
}
