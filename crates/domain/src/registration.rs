//! Deal registration: a partner claims an opportunity before the company knows it. A manager
//! approves (the deal is created, credited to the partner with a registration touch, and the
//! account protected for the program's window) or rejects with a reason. A registration for an
//! account with an open deal, or protected or awaiting review for another partner, is flagged as
//! a channel conflict. An approved registration expires when its window ends without a win.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::deal::DealForm;
use super::ids::PartnerId;
use super::labels::label_enum;
use super::money::Money;
use super::user::Email;

/// The protection window when the organization has not chosen one.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
/// The longest window an organization may choose.
pub const LONGEST_WINDOW_DAYS: u32 = 730;

label_enum! {
    pub enum RegistrationStatus ("registration status") {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        Expired => "expired",
    }
}

impl RegistrationStatus {
    /// The moves the workflow allows (the database holds the same list).
    pub fn transition(self, to: RegistrationStatus) -> Result<RegistrationStatus, DomainError> {
        use RegistrationStatus::*;
        match (self, to) {
            (Pending, Approved | Rejected | Expired) | (Approved, Expired) => Ok(to),
            _ => Err(DomainError::IllegalTransition {
                kind: "registration".into(),
                from: self.as_str().to_owned(),
                to: to.as_str().to_owned(),
            }),
        }
    }
}

/// A registration as the partner typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    pub account_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub estimated_amount: String,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub expected_close_on: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationDraft {
    pub account_name: String,
    pub contact_name: String,
    pub contact_email: Email,
    pub estimated: Money,
    pub expected_close_on: NaiveDate,
    pub notes: Option<String>,
}

type Errors = Vec<(&'static str, String)>;

const LONGEST_NOTES: usize = 2000;

impl RegistrationForm {
    /// Parses every field, naming each bad one; the expected close may not be in the past.
    pub fn validate(&self, today: NaiveDate) -> Result<RegistrationDraft, Errors> {
        // The account, amount, currency and close follow the deal form's rules.
        let as_deal = DealForm {
            name: self.account_name.clone(),
            account_name: self.account_name.clone(),
            amount: self.estimated_amount.clone(),
            currency: self.currency.clone(),
            expected_close_on: self.expected_close_on.clone(),
        };
        let (deal, mut errors): (_, Errors) = match as_deal.validate() {
            Ok(draft) => (Some(draft), Vec::new()),
            Err(errors) => (
                None,
                errors
                    .into_iter()
                    .filter(|(field, _)| *field != "name")
                    .map(|(field, message)| match field {
                        "amount" => ("estimated_amount", message),
                        other => (other, message),
                    })
                    .collect(),
            ),
        };
        let contact_name = super::text::required(&self.contact_name, "the contact's name", 200)
            .map_err(|problem| errors.push(("contact_name", problem)))
            .unwrap_or_default();
        let contact_email = self
            .contact_email
            .parse::<Email>()
            .map_err(|e| errors.push(("contact_email", e)))
            .ok();
        let close = deal.as_ref().and_then(|d| d.expected_close_on);
        match close {
            None if !errors.iter().any(|(f, _)| *f == "expected_close_on") => errors.push((
                "expected_close_on",
                "Enter when the deal is expected to close.".into(),
            )),
            Some(day) if day < today => errors.push((
                "expected_close_on",
                "The expected close cannot be in the past.".into(),
            )),
            _ => {}
        }
        let notes = self.notes.trim();
        if notes.chars().count() > LONGEST_NOTES {
            errors.push(("notes", format!("Use at most {LONGEST_NOTES} characters.")));
        }
        match (deal, contact_email, close) {
            (Some(deal), Some(contact_email), Some(expected_close_on)) if errors.is_empty() => {
                Ok(RegistrationDraft {
                    account_name: deal.account_name,
                    contact_name: contact_name.to_owned(),
                    contact_email,
                    estimated: deal.amount,
                    expected_close_on,
                    notes: (!notes.is_empty()).then(|| notes.to_owned()),
                })
            }
            _ => Err(errors),
        }
    }
}

/// Words that say what kind of company it is, not which: "Acme Inc." and "ACME" are one account.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "nv",
    "plc",
    "pty",
    "oy",
    "ab",
    "srl",
    "spa",
];

/// An account name folded for matching: lower case, letters and digits only, legal suffixes
/// dropped ("Acme, Inc." → "acme").
pub fn account_key(name: &str) -> String {
    let lowered = name.to_lowercase();
    let mut words: Vec<String> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LEGAL_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    words.join(" ")
}

/// The last day an approval on `approved_on` protects the account.
pub fn protected_until(approved_on: NaiveDate, window_days: u32) -> NaiveDate {
    approved_on
        .checked_add_days(Days::new(u64::from(window_days)))
        .unwrap_or(approved_on)
}

/// Whether a registration's protection has run out: approved, its window over, and its deal not
/// won. (A pending one runs out the same way, counted from the day it was registered.)
pub fn runs_out(status: RegistrationStatus, until: NaiveDate, won: bool, today: NaiveDate) -> bool {
    matches!(
        status,
        RegistrationStatus::Pending | RegistrationStatus::Approved
    ) && today > until
        && !won
}

/// What a new registration may collide with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An open deal on an account, by name.
    OpenDeal { deal: String, account: String },
    /// Another registration of an account.
    Registration {
        partner: PartnerId,
        partner_name: String,
        account: String,
        status: RegistrationStatus,
        /// For an approved one, the last protected day.
        until: Option<NaiveDate>,
    },
}

/// Why a registration by `partner` for `account` conflicts, one sentence per claim, for the
/// manager; empty when it does not. Open deals conflict whoever owns them; registrations only
/// when another partner's is awaiting review or still protected.
pub fn conflicts(
    partner: PartnerId,
    account: &str,
    claims: &[Claim],
    today: NaiveDate,
) -> Vec<String> {
    let key = account_key(account);
    let mut out = Vec::new();
    for claim in claims {
        match claim {
            Claim::OpenDeal { deal, account } if account_key(account) == key => {
                out.push(format!("The account already has an open deal: {deal}."));
            }
            Claim::Registration {
                partner: other,
                partner_name,
                account,
                status,
                until,
            } if *other != partner && account_key(account) == key => match (status, until) {
                (RegistrationStatus::Pending, _) => out.push(format!(
                    "{partner_name} registered this account too; theirs awaits review."
                )),
                (RegistrationStatus::Approved, Some(until)) if *until >= today => {
                    out.push(format!(
                        "{partner_name} holds an approved registration protected until {until}."
                    ))
                }
                _ => {}
            },
            _ => {}
        }
    }
    out
}

/// A window length as typed in the settings: whole days, 1 to two years.
pub fn window_days(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(days) if (1..=LONGEST_WINDOW_DAYS).contains(&days) => Ok(days),
        _ => Err(format!(
            "Enter a number of days from 1 to {LONGEST_WINDOW_DAYS}."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn form() -> RegistrationForm {
        RegistrationForm {
            account_name: " Globex Corporation ".into(),
            contact_name: "Hank Scorpio".into(),
            contact_email: "Hank@Globex.example".into(),
            estimated_amount: "120,000".into(),
            currency: "usd".into(),
            expected_close_on: "2027-03-31".into(),
            notes: "  ".into(),
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let draft = form().validate(day("2026-11-27")).unwrap();
        assert_eq!(draft.account_name, "Globex Corporation");
        assert_eq!(draft.contact_email.as_str(), "hank@globex.example");
        assert_eq!(
            draft.estimated,
            Money::from_minor(12_000_000, Currency::USD)
        );
        assert_eq!(draft.expected_close_on, day("2027-03-31"));
        assert_eq!(draft.notes, None);
    }

    #[test]
    fn every_bad_field_is_named_once() {
        let bad = RegistrationForm {
            account_name: "".into(),
            contact_name: "".into(),
            contact_email: "hank".into(),
            estimated_amount: "0".into(),
            currency: "usd".into(),
            expected_close_on: "".into(),
            notes: "x".repeat(2001),
        };
        let fields: Vec<_> = bad
            .validate(day("2026-11-27"))
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "account_name",
                "estimated_amount",
                "contact_name",
                "contact_email",
                "expected_close_on",
                "notes"
            ]
        );
        let past = RegistrationForm {
            expected_close_on: "2026-11-26".into(),
            ..form()
        };
        let errors = past.validate(day("2026-11-27")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "expected_close_on");
    }

    #[test]
    fn account_keys_ignore_case_punctuation_and_legal_form() {
        assert_eq!(account_key("Acme, Inc."), "acme");
        assert_eq!(account_key("ACME"), "acme");
        assert_eq!(account_key("Blue Harbor Foods GmbH"), "blue harbor foods");
        assert_eq!(account_key("  The Co  "), "the");
        // A name that is only a suffix word stays itself.
        assert_eq!(account_key("Limited"), "limited");
        assert_ne!(account_key("Acme Foods"), account_key("Acme"));
    }

    #[test]
    fn the_workflow_allows_only_its_moves() {
        use RegistrationStatus::*;
        for (from, to, ok) in [
            (Pending, Approved, true),
            (Pending, Rejected, true),
            (Pending, Expired, true),
            (Approved, Expired, true),
            (Approved, Rejected, false),
            (Approved, Pending, false),
            (Rejected, Approved, false),
            (Expired, Approved, false),
            (Pending, Pending, false),
        ] {
            assert_eq!(from.transition(to).is_ok(), ok, "{from} → {to}");
        }
    }

    #[test]
    fn protection_runs_for_the_window_then_ends_unless_won() {
        let until = protected_until(day("2026-01-01"), 90);
        assert_eq!(until, day("2026-04-01"));
        let approved = RegistrationStatus::Approved;
        assert!(!runs_out(approved, until, false, day("2026-04-01")));
        assert!(runs_out(approved, until, false, day("2026-04-02")));
        assert!(!runs_out(approved, until, true, day("2026-04-02")));
        assert!(!runs_out(
            RegistrationStatus::Rejected,
            until,
            false,
            day("2027-01-01")
        ));
    }

    #[test]
    fn conflicts_name_open_deals_and_other_partners_live_claims_only() {
        let me = PartnerId(1);
        let today = day("2026-06-01");
        let theirs = |status, until: Option<&str>| Claim::Registration {
            partner: PartnerId(2),
            partner_name: "Cobalt".into(),
            account: "Globex Corp.".into(),
            status,
            until: until.map(day),
        };
        let claims = [
            Claim::OpenDeal {
                deal: "Globex — renewal".into(),
                account: "GLOBEX".into(),
            },
            Claim::OpenDeal {
                deal: "Initech — pilot".into(),
                account: "Initech".into(),
            },
            theirs(RegistrationStatus::Approved, Some("2026-06-01")),
            theirs(RegistrationStatus::Approved, Some("2026-05-31")),
            theirs(RegistrationStatus::Pending, None),
            theirs(RegistrationStatus::Rejected, None),
            Claim::Registration {
                partner: me,
                partner_name: "Apex".into(),
                account: "Globex".into(),
                status: RegistrationStatus::Approved,
                until: Some(day("2026-12-31")),
            },
        ];
        let found = conflicts(me, "Globex Corporation", &claims, today);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("open deal: Globex — renewal"));
        assert!(found[1].contains("protected until 2026-06-01"));
        assert!(found[2].contains("awaits review"));
        assert!(conflicts(me, "Umbrella", &claims, today).is_empty());
    }

    #[test]
    fn windows_are_whole_days_within_two_years() {
        assert_eq!(window_days(" 90 "), Ok(90));
        assert!(window_days("0").is_err());
        assert!(window_days("731").is_err());
        assert!(window_days("30.5").is_err());
    }
}
