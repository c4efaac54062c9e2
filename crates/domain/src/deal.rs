//! Deals and their pipeline stage.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::labels::label_enum;
use super::money::{Currency, Money, parse_amount};

label_enum! {
    /// Where a deal stands. Open deals may be won or lost; a closed deal may be re-opened.
    pub enum DealStage ("deal stage") {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

impl DealStage {
    pub fn is_closed(self) -> bool {
        self != DealStage::Open
    }

    /// The stage after moving to `to`, or why that move is not allowed.
    pub fn transition(self, to: DealStage) -> Result<DealStage, DomainError> {
        match (self, to) {
            (DealStage::Open, DealStage::Won | DealStage::Lost)
            | (DealStage::Won | DealStage::Lost, DealStage::Open) => Ok(to),
            _ => Err(DomainError::IllegalTransition {
                kind: "deal".into(),
                from: self.to_string(),
                to: to.to_string(),
            }),
        }
    }
}

label_enum! {
    /// Whether partners worked on a deal: a touch up to its close (any touch while open). The
    /// revenue report's partner bars count exactly the partnered deals: the sourced ones (the
    /// first partner touch brought the deal in, `TouchpointKind::sources`) and the influenced rest.
    pub enum Involvement ("partner involvement") {
        Partnered => "partnered",
        Sourced => "sourced",
        Influenced => "influenced",
        Direct => "direct",
    }
}

impl Involvement {
    /// The choice as the deals list's filter names it.
    pub fn choice(self) -> &'static str {
        match self {
            Involvement::Partnered => "With partners",
            Involvement::Sourced => "Partner-sourced",
            Involvement::Influenced => "Partner-influenced",
            Involvement::Direct => "Direct (no partner)",
        }
    }
}

/// A deal's editable fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DealForm {
    pub name: String,
    pub account_name: String,
    pub amount: String,
    pub currency: String,
    /// `YYYY-MM-DD`, or empty.
    pub expected_close_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealDraft {
    pub name: String,
    pub account_name: String,
    pub amount: Money,
    pub expected_close_on: Option<NaiveDate>,
}

fn text(
    field: &'static str,
    value: &str,
    what: &str,
    errors: &mut Vec<(&'static str, String)>,
) -> String {
    super::text::required(value, what, 200).unwrap_or_else(|problem| {
        errors.push((field, problem));
        value.trim().to_owned()
    })
}

impl DealForm {
    pub fn validate(&self) -> Result<DealDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = text("name", &self.name, "the deal's name", &mut errors);
        let account_name = text(
            "account_name",
            &self.account_name,
            "the customer account",
            &mut errors,
        );
        let currency = self
            .currency
            .trim()
            .to_uppercase()
            .parse::<Currency>()
            .map_err(|e| errors.push(("currency", e.to_string())))
            .ok();
        let amount = match (parse_amount(&self.amount), currency) {
            _ if self.amount.trim().is_empty() => {
                errors.push(("amount", "Enter the deal amount.".into()));
                None
            }
            (None, _) => {
                errors.push((
                    "amount",
                    format!(
                        "\"{}\" is not an amount (such as 48000 or 48000.50).",
                        self.amount.trim()
                    ),
                ));
                None
            }
            (Some(value), _) if value <= Decimal::ZERO => {
                errors.push(("amount", "A deal amount is more than zero.".into()));
                None
            }
            (Some(value), Some(currency)) => Money::entered(value, currency)
                .map_err(|e| errors.push(("amount", e.to_string())))
                .ok(),
            (Some(_), None) => None,
        };
        let expected_close_on = match self.expected_close_on.trim() {
            "" => None,
            date => date
                .parse::<NaiveDate>()
                .map_err(|_| {
                    errors.push(("expected_close_on", "Use a date such as 2026-12-31.".into()))
                })
                .ok(),
        };
        match amount {
            Some(amount) if errors.is_empty() => Ok(DealDraft {
                name,
                account_name,
                amount,
                expected_close_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Why a deal was lost, as the manager wrote it: required, at most 500 characters.
pub fn lost_reason(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("Say why the deal was lost (for example: chose a competitor, no budget).".into())
    } else if text.chars().count() > 500 {
        Err("Use at most 500 characters.".into())
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deal_forms_parse_or_name_every_bad_field() {
        let form = DealForm {
            name: " Expansion ".into(),
            account_name: "Acme".into(),
            amount: "48,000.50".into(),
            currency: "usd".into(),
            expected_close_on: "2026-12-31".into(),
        };
        let draft = form.validate().unwrap();
        assert_eq!(draft.name, "Expansion");
        assert_eq!(draft.amount.to_minor().unwrap(), 4_800_050);
        assert_eq!(
            draft.expected_close_on,
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );

        let bad = DealForm {
            name: "".into(),
            account_name: "Acme".into(),
            amount: "12.345".into(),
            currency: "usd".into(),
            expected_close_on: "31/12/2026".into(),
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["name", "amount", "expected_close_on"]);
        let zero = DealForm {
            amount: "0".into(),
            ..form.clone()
        };
        assert!(zero.validate().is_err());
        let jpy = DealForm {
            amount: "1000.5".into(),
            currency: "JPY".into(),
            ..form
        };
        assert!(jpy.validate().is_err(), "yen have no minor unit");
    }

    #[test]
    fn a_lost_reason_is_required() {
        assert!(lost_reason("  ").is_err());
        assert_eq!(lost_reason(" No budget ").unwrap(), "No budget");
    }

    #[test]
    fn stages_round_trip_through_text_and_json() {
        for stage in DealStage::ALL {
            assert_eq!(stage.as_str().parse::<DealStage>().unwrap(), *stage);
            let json = serde_json::to_string(stage).unwrap();
            assert_eq!(json, format!("\"{}\"", stage.as_str()));
            assert_eq!(serde_json::from_str::<DealStage>(&json).unwrap(), *stage);
        }
    }

    #[test]
    fn unknown_stage_names_the_valid_ones() {
        let err = "closed".parse::<DealStage>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown deal stage \"closed\": expected one of open, won, lost"
        );
        assert!(serde_json::from_str::<DealStage>("\"Won\"").is_err());
    }

    #[test]
    fn open_deals_close_and_closed_deals_only_reopen() {
        use DealStage::*;
        let allowed = [(Open, Won), (Open, Lost), (Won, Open), (Lost, Open)];
        for from in DealStage::ALL {
            for to in DealStage::ALL {
                let ok = allowed.contains(&(*from, *to));
                assert_eq!(from.transition(*to).is_ok(), ok, "{from} -> {to}");
            }
        }
    }
}
