//! Where a partner's commissions are paid: the method, the account holder and the account. The
//! account is stored whole for finance's payment runs and only ever shown masked ("•••• 4921").

use serde::{Deserialize, Serialize};

use super::labels::label_enum;
use super::user::Email;

label_enum! {
    pub enum PayoutMethod ("payout method") {
        BankTransfer => "bank_transfer",
        Paypal => "paypal",
        Wise => "wise",
    }
}

impl PayoutMethod {
    pub fn label(self) -> &'static str {
        match self {
            PayoutMethod::BankTransfer => "Bank transfer (IBAN)",
            PayoutMethod::Paypal => "PayPal",
            PayoutMethod::Wise => "Wise",
        }
    }
}

/// Payout details as typed. An empty account keeps the stored one (it is never sent back to
/// the browser to be re-submitted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutDetailsForm {
    pub method: String,
    pub holder: String,
    pub account: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutDetails {
    pub method: PayoutMethod,
    pub holder: String,
    /// None: keep the stored account.
    pub account: Option<String>,
}

type Errors = Vec<(&'static str, String)>;

impl PayoutDetailsForm {
    /// `has_account`: whether an account is stored already (then it may be left blank).
    pub fn validate(&self, has_account: bool) -> Result<PayoutDetails, Errors> {
        let mut errors = Vec::new();
        let method = self
            .method
            .trim()
            .parse::<PayoutMethod>()
            .map_err(|_| errors.push(("method", "Choose how you are paid.".to_owned())))
            .ok();
        let holder = self.holder.trim();
        if holder.is_empty() {
            errors.push(("holder", "Enter the account holder's name.".into()));
        } else if holder.chars().count() > 200 {
            errors.push(("holder", "Use at most 200 characters.".into()));
        }
        let typed = self.account.trim();
        let account = match (method, typed.is_empty()) {
            (_, true) if has_account => None,
            (_, true) => {
                errors.push(("account", "Enter the account.".into()));
                None
            }
            (Some(PayoutMethod::BankTransfer), false) => {
                let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
                let compact = compact.to_uppercase();
                if iban_valid(&compact) {
                    Some(compact)
                } else {
                    errors.push((
                        "account",
                        "That is not a valid IBAN (check the digits, e.g. GB29 NWBK 6016 1331 9268 19)."
                            .into(),
                    ));
                    None
                }
            }
            (Some(PayoutMethod::Paypal | PayoutMethod::Wise), false) => {
                match typed.parse::<Email>() {
                    Ok(email) => Some(email.to_string()),
                    Err(_) => {
                        errors.push(("account", "Enter the email address of the account.".into()));
                        None
                    }
                }
            }
            (None, false) => None,
        };
        match method {
            Some(method) if errors.is_empty() => Ok(PayoutDetails {
                method,
                holder: holder.to_owned(),
                account,
            }),
            _ => Err(errors),
        }
    }
}

/// The last four characters behind dots: enough to recognize the account, not to use it.
pub fn mask(account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("•••• {tail}")
}

/// The IBAN check: two letters, two check digits, up to 30 letters or digits, and the number
/// (country and check moved to the end, letters as 10–35) leaving 1 when divided by 97.
pub fn iban_valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    remainder(&iban[4..], &iban[..4]) == 1
}

fn remainder(bban: &str, head: &str) -> u32 {
    bban.chars()
        .chain(head.chars())
        .fold(0u32, |acc, c| match c.to_digit(36) {
            Some(d) if d >= 10 => (acc * 100 + d) % 97,
            Some(d) => (acc * 10 + d) % 97,
            None => u32::MAX,
        })
}

/// A valid IBAN of `country` and `bban`, its check digits computed (demo data, tests).
pub fn iban(country: &str, bban: &str) -> String {
    let check = 98 - remainder(bban, &format!("{country}00"));
    format!("{country}{check:02}{bban}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_by_their_digits() {
        assert!(iban_valid("GB29NWBK60161331926819"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("GB28NWBK60161331926819"));
        assert!(!iban_valid("GB29NWBK6016"));
        assert_eq!(iban("GB", "NWBK60161331926819"), "GB29NWBK60161331926819");
        assert!(iban_valid(&iban("FR", "20041010050500013M02606")));
    }

    #[test]
    fn forms_parse_normalize_and_name_bad_fields() {
        let form = PayoutDetailsForm {
            method: "bank_transfer".into(),
            holder: " Apex Cloud Partners Ltd ".into(),
            account: "gb29 nwbk 6016 1331 9268 19".into(),
        };
        let details = form.validate(false).unwrap();
        assert_eq!(details.holder, "Apex Cloud Partners Ltd");
        assert_eq!(details.account.as_deref(), Some("GB29NWBK60161331926819"));
        // Left blank with one stored: kept.
        let keep = PayoutDetailsForm {
            account: "  ".into(),
            ..form.clone()
        };
        assert_eq!(keep.validate(true).unwrap().account, None);
        let fields = |f: PayoutDetailsForm, stored: bool| -> Vec<&str> {
            f.validate(stored)
                .unwrap_err()
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(fields(keep, false), ["account"]);
        assert_eq!(
            fields(
                PayoutDetailsForm {
                    method: "cheque".into(),
                    holder: "".into(),
                    account: "x".into()
                },
                false
            ),
            ["method", "holder"]
        );
        let paypal = PayoutDetailsForm {
            method: "paypal".into(),
            holder: "Apex".into(),
            account: "GB29NWBK60161331926819".into(),
        };
        assert_eq!(fields(paypal, false), ["account"]);
    }

    #[test]
    fn masks_show_only_the_last_four() {
        assert_eq!(mask("GB29NWBK60161331926819"), "•••• 6819");
        assert_eq!(mask("ab"), "•••• ab");
    }
}
