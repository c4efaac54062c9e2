//! Partners: what kind of partner, where they are in their lifecycle, and their program tier.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::labels::label_enum;
use super::user::Email;

label_enum! {
    pub enum PartnerType ("partner type") {
        Reseller => "reseller",
        Referral => "referral",
        Technology => "technology",
        Integrator => "integrator",
        Agency => "agency",
        Marketplace => "marketplace",
        Distributor => "distributor",
    }
}

label_enum! {
    /// invited → onboarding → active ⇄ inactive.
    pub enum PartnerStatus ("partner status") {
        Invited => "invited",
        Onboarding => "onboarding",
        Active => "active",
        Inactive => "inactive",
    }
}

label_enum! {
    /// Program tier, lowest first.
    pub enum PartnerTier ("partner tier") {
        Registered => "registered",
        Silver => "silver",
        Gold => "gold",
        Platinum => "platinum",
    }
}

impl PartnerStatus {
    pub fn transition(self, to: PartnerStatus) -> Result<PartnerStatus, DomainError> {
        use PartnerStatus::*;
        match (self, to) {
            (Invited, Onboarding)
            | (Onboarding, Active)
            | (Active, Inactive)
            | (Inactive, Active) => Ok(to),
            // Skipping onboarding is allowed for partners set up by a manager directly.
            (Invited, Active) => Ok(to),
            _ => Err(DomainError::IllegalTransition {
                kind: "partner".into(),
                from: self.to_string(),
                to: to.to_string(),
            }),
        }
    }
}

impl PartnerStatus {
    /// The statuses this one may move to, in the order a manager would offer them.
    pub fn next(self) -> Vec<PartnerStatus> {
        PartnerStatus::ALL
            .iter()
            .copied()
            .filter(|to| self.transition(*to).is_ok())
            .collect()
    }
}

/// A commission rate: a fraction between 0 and 1, typed and shown as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommissionRate(Decimal);

impl CommissionRate {
    pub fn fraction(self) -> Decimal {
        self.0
    }

    pub fn percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }

    /// From a fraction as stored (`0.125`), refusing values outside 0..=1.
    pub fn from_fraction(fraction: Decimal) -> Result<CommissionRate, String> {
        if fraction < Decimal::ZERO || fraction > Decimal::ONE {
            Err(format!("{fraction} is not a rate between 0 and 1"))
        } else {
            Ok(CommissionRate(fraction.normalize()))
        }
    }

    /// From a percentage as typed (`12.5`, `12.5 %`), 0 to 100 with at most two decimals.
    pub fn from_percent_text(text: &str) -> Result<CommissionRate, String> {
        let cleaned = text.trim().trim_end_matches('%').trim().replace(',', ".");
        if cleaned.is_empty() {
            return Err("Enter a commission rate in percent, such as 10 or 12.5.".into());
        }
        let percent: Decimal = cleaned.parse().map_err(|_| {
            format!(
                "\"{}\" is not a number; enter a percentage such as 12.5.",
                text.trim()
            )
        })?;
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err("A commission rate is between 0 and 100 %.".into());
        }
        if percent.normalize().scale() > 2 {
            return Err("Use at most two decimals (for example 12.25).".into());
        }
        Ok(CommissionRate((percent / Decimal::ONE_HUNDRED).normalize()))
    }
}

impl std::fmt::Display for CommissionRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} %", self.percent())
    }
}

/// A partner's editable fields exactly as typed in the form: the browser keeps them as text so
/// nothing the user typed is lost when the server refuses something.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerForm {
    pub name: String,
    pub partner_type: String,
    pub tier: String,
    pub commission_rate: String,
    pub contact_name: String,
    pub contact_email: String,
    pub website: String,
    pub region: String,
    /// Optional: the currency the partner is paid in instead of each deal's own.
    #[serde(default)]
    pub payout_currency: String,
}

/// A validated partner: what the form becomes once every field parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerDraft {
    pub name: String,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
    pub commission_rate: CommissionRate,
    pub contact_name: Option<String>,
    pub contact_email: Option<Email>,
    pub website: Option<String>,
    pub region: Option<String>,
    pub payout_currency: Option<super::money::Currency>,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// `https://example.com/path`: a web address with a scheme and a host that has a dot.
fn website(text: &str) -> Result<String, String> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let rest = with_scheme
        .strip_prefix("https://")
        .or_else(|| with_scheme.strip_prefix("http://"))
        .ok_or_else(|| "Use an http:// or https:// address.".to_owned())?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if host_ok && !rest.chars().any(char::is_whitespace) && with_scheme.len() <= 300 {
        Ok(with_scheme)
    } else {
        Err(format!(
            "\"{text}\" is not a web address (expected example.com or https://example.com)."
        ))
    }
}

/// The contacts a partner keeps up to date itself, from the portal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactsForm {
    pub contact_name: String,
    pub contact_email: String,
    pub website: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contacts {
    pub contact_name: Option<String>,
    pub contact_email: Option<Email>,
    pub website: Option<String>,
}

impl ContactsForm {
    pub fn validate(&self) -> Result<Contacts, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let contact_name = optional(&self.contact_name);
        if contact_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 120)
        {
            errors.push(("contact_name", "Use at most 120 characters.".to_owned()));
        }
        let contact_email = match optional(&self.contact_email) {
            None => {
                errors.push(("contact_email", "Enter an email address.".to_owned()));
                None
            }
            Some(text) => text
                .parse::<Email>()
                .map_err(|e| errors.push(("contact_email", e)))
                .ok(),
        };
        let website = match optional(&self.website) {
            None => None,
            Some(text) => website(&text).map_err(|e| errors.push(("website", e))).ok(),
        };
        if errors.is_empty() {
            Ok(Contacts {
                contact_name,
                contact_email,
                website,
            })
        } else {
            Err(errors)
        }
    }
}

impl PartnerForm {
    /// Every field checked at once; the errors name their fields.
    pub fn validate(&self) -> Result<PartnerDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = super::text::required(&self.name, "the partner's name", 120)
            .map_err(|problem| errors.push(("name", problem)))
            .unwrap_or_default();
        let partner_type = self
            .partner_type
            .parse::<PartnerType>()
            .map_err(|e| errors.push(("partner_type", e.to_string())))
            .ok();
        let tier = self
            .tier
            .parse::<PartnerTier>()
            .map_err(|e| errors.push(("tier", e.to_string())))
            .ok();
        let commission_rate = CommissionRate::from_percent_text(&self.commission_rate)
            .map_err(|e| errors.push(("commission_rate", e)))
            .ok();
        let contact_email = match optional(&self.contact_email) {
            None => None,
            Some(text) => text
                .parse::<Email>()
                .map_err(|e| errors.push(("contact_email", e)))
                .ok(),
        };
        let website = match optional(&self.website) {
            None => None,
            Some(text) => website(&text).map_err(|e| errors.push(("website", e))).ok(),
        };
        for (field, value) in [
            ("contact_name", &self.contact_name),
            ("region", &self.region),
        ] {
            if value.trim().chars().count() > 120 {
                errors.push((field, "Use at most 120 characters.".to_owned()));
            }
        }
        let payout_currency = match optional(&self.payout_currency) {
            None => None,
            Some(code) => code
                .parse::<super::money::Currency>()
                .map_err(|e| errors.push(("payout_currency", e.to_string())))
                .ok(),
        };
        match (partner_type, tier, commission_rate) {
            (Some(partner_type), Some(tier), Some(commission_rate)) if errors.is_empty() => {
                Ok(PartnerDraft {
                    name: name.to_owned(),
                    partner_type,
                    tier,
                    commission_rate,
                    contact_name: optional(&self.contact_name),
                    contact_email,
                    website,
                    region: optional(&self.region),
                    payout_currency,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PartnerForm {
        PartnerForm {
            name: "  Harbor Digital ".into(),
            partner_type: "reseller".into(),
            tier: "gold".into(),
            commission_rate: "12.5 %".into(),
            contact_name: "Ines Harbor".into(),
            contact_email: "Ines@Harbor.example".into(),
            website: "harbor.example".into(),
            region: "".into(),
            payout_currency: " eur ".into(),
        }
    }

    #[test]
    fn a_good_form_becomes_a_draft() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.name, "Harbor Digital");
        assert_eq!(draft.commission_rate.fraction(), Decimal::new(125, 3));
        assert_eq!(draft.commission_rate.to_string(), "12.5 %");
        assert_eq!(draft.contact_email.unwrap().as_str(), "ines@harbor.example");
        assert_eq!(draft.website.as_deref(), Some("https://harbor.example"));
        assert_eq!(draft.region, None);
        assert_eq!(draft.payout_currency, Some(crate::money::Currency::EUR));
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let bad = PartnerForm {
            name: " ".into(),
            partner_type: "vendor".into(),
            tier: "gold".into(),
            commission_rate: "101".into(),
            contact_name: String::new(),
            contact_email: "ines@".into(),
            website: "not a site".into(),
            region: String::new(),
            payout_currency: "euro".into(),
        };
        let fields: Vec<&str> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "partner_type",
                "commission_rate",
                "contact_email",
                "website",
                "payout_currency"
            ]
        );
    }

    #[test]
    fn rates_are_percentages_between_0_and_100() {
        let rate = |t: &str| CommissionRate::from_percent_text(t);
        assert_eq!(rate("0").unwrap().fraction(), Decimal::ZERO);
        assert_eq!(rate("100").unwrap().fraction(), Decimal::ONE);
        assert_eq!(rate("7,5").unwrap().percent(), Decimal::new(75, 1));
        assert!(rate("-1").is_err());
        assert!(rate("100.01").is_err());
        assert!(rate("12.345").is_err());
        assert!(rate("ten").is_err());
        assert!(rate("").is_err());
        assert!(CommissionRate::from_fraction(Decimal::new(12, 2)).is_ok());
        assert!(CommissionRate::from_fraction(Decimal::new(2, 0)).is_err());
    }

    #[test]
    fn websites_need_a_host() {
        assert_eq!(
            website("https://a.example/x").unwrap(),
            "https://a.example/x"
        );
        assert!(website("ftp://a.example").is_err());
        assert!(website("localhost").is_err());
        assert!(website("a .example").is_err());
    }

    #[test]
    fn each_status_offers_only_legal_moves() {
        use PartnerStatus::*;
        assert_eq!(Invited.next(), [Onboarding, Active]);
        assert_eq!(Active.next(), [Inactive]);
        assert_eq!(Inactive.next(), [Active]);
    }

    #[test]
    fn every_label_parses_back() {
        for t in PartnerType::ALL {
            assert_eq!(t.as_str().parse::<PartnerType>().unwrap(), *t);
        }
        for s in PartnerStatus::ALL {
            assert_eq!(s.as_str().parse::<PartnerStatus>().unwrap(), *s);
        }
        for t in PartnerTier::ALL {
            assert_eq!(t.as_str().parse::<PartnerTier>().unwrap(), *t);
        }
        assert!("vendor".parse::<PartnerType>().is_err());
    }

    #[test]
    fn tiers_are_ordered_lowest_first() {
        assert!(PartnerTier::Registered < PartnerTier::Silver);
        assert!(PartnerTier::Gold < PartnerTier::Platinum);
    }

    #[test]
    fn lifecycle_moves_forward_and_can_reactivate() {
        use PartnerStatus::*;
        assert_eq!(Invited.transition(Onboarding), Ok(Onboarding));
        assert_eq!(Onboarding.transition(Active), Ok(Active));
        assert_eq!(Active.transition(Inactive), Ok(Inactive));
        assert_eq!(Inactive.transition(Active), Ok(Active));
        assert!(Active.transition(Invited).is_err());
        assert!(Inactive.transition(Onboarding).is_err());
    }

    #[test]
    fn titles_read_as_words() {
        assert_eq!(PartnerType::Marketplace.title(), "Marketplace");
        assert_eq!(PartnerTier::Platinum.title(), "Platinum");
    }
}
