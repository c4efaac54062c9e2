//! People who sign in, and what they may do.

use super::labels::label_enum;

label_enum! {
    pub enum Role ("role") {
        /// Everything, including organization settings and users.
        Admin => "admin",
        /// Partners, deals, touchpoints and attribution.
        PartnerManager => "partner_manager",
        /// Commission rules, payout approval and payment.
        Finance => "finance",
        /// Read-only revenue reports.
        Executive => "executive",
        /// A partner's own people: the self-service portal, their own data only.
        Partner => "partner",
    }
}

/// An email address as typed by a person, trimmed and lower-cased so that one address is one
/// account however it is capitalized. Checks the shape only; whether it receives mail is the
/// invitation's job.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Email {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let email = value.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an email address.".into());
        }
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid {
            Ok(Email(email))
        } else {
            Err(format!(
                "\"{}\" is not an email address (expected name@example.com).",
                value.trim()
            ))
        }
    }
}

impl TryFrom<String> for Email {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Role {
    /// Staff of the organization, as opposed to partner users.
    pub fn is_staff(self) -> bool {
        self != Role::Partner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_partner_users_are_not_staff() {
        assert!(
            Role::ALL
                .iter()
                .filter(|r| !r.is_staff())
                .eq([&Role::Partner])
        );
        assert_eq!("partner_manager".parse(), Ok(Role::PartnerManager));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            " Ada.Lovelace@Example.COM "
                .parse::<Email>()
                .unwrap()
                .as_str(),
            "ada.lovelace@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.example.com",
            "a@example..com",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} accepted");
        }
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
