//! The commission rule form: what finance typed, kept as text so nothing is lost when a field is
//! refused, and its validation into a rule's terms. Also the way back, a version's terms as the
//! form shows them for editing, and a short summary of terms for lists.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Band, Rule, RuleKind, Scope, percent};
use crate::ids::PartnerId;
use crate::labels::label_enum;
use crate::money::{Currency, Money, parse_amount};
use crate::partner::{CommissionRate, PartnerTier, PartnerType};

label_enum! {
    /// The kinds of rule, as the form and the database name them.
    pub enum KindName ("rule kind") {
        Percentage => "percentage",
        Flat => "flat",
        Tiered => "tiered",
        Spif => "spif",
    }
}

label_enum! {
    /// Who a rule covers, as the form and the database name it.
    pub enum ScopeName ("rule scope") {
        Everyone => "all",
        PartnerType => "partner_type",
        Tier => "tier",
        Partner => "partner",
    }
}

impl KindName {
    pub fn describe(self) -> &'static str {
        match self {
            KindName::Percentage => "Percentage of attributed revenue",
            KindName::Flat => "Flat amount per won deal",
            KindName::Tiered => "Tiered bands per quarter",
            KindName::Spif => "SPIF bonus",
        }
    }
}

impl ScopeName {
    pub fn describe(self) -> &'static str {
        match self {
            ScopeName::Everyone => "All partners",
            ScopeName::PartnerType => "A partner type",
            ScopeName::Tier => "A tier",
            ScopeName::Partner => "One partner",
        }
    }
}

impl RuleKind {
    pub fn name(&self) -> KindName {
        match self {
            RuleKind::Percentage { .. } => KindName::Percentage,
            RuleKind::Flat { .. } => KindName::Flat,
            RuleKind::Tiered { .. } => KindName::Tiered,
            RuleKind::Spif { .. } => KindName::Spif,
        }
    }
}

impl Scope {
    pub fn name(self) -> ScopeName {
        match self {
            Scope::Everyone => ScopeName::Everyone,
            Scope::PartnerType(_) => ScopeName::PartnerType,
            Scope::Tier(_) => ScopeName::Tier,
            Scope::Partner(_) => ScopeName::Partner,
        }
    }

    /// The stored value that goes with the scope's name (none for everyone).
    pub fn value(self) -> Option<String> {
        match self {
            Scope::Everyone => None,
            Scope::PartnerType(t) => Some(t.as_str().to_owned()),
            Scope::Tier(t) => Some(t.as_str().to_owned()),
            Scope::Partner(id) => Some(id.0.to_string()),
        }
    }

    /// From the stored name and value.
    pub fn parse(name: &str, value: Option<&str>) -> Result<Scope, String> {
        let value = value.map(str::trim).unwrap_or("");
        let name: ScopeName = name.parse().map_err(|e| format!("{e}"))?;
        match name {
            ScopeName::Everyone => Ok(Scope::Everyone),
            ScopeName::PartnerType => value
                .parse()
                .map(Scope::PartnerType)
                .map_err(|_| "Choose a partner type.".into()),
            ScopeName::Tier => value
                .parse()
                .map(Scope::Tier)
                .map_err(|_| "Choose a tier.".into()),
            ScopeName::Partner => value
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(|id| Scope::Partner(PartnerId(id)))
                .ok_or_else(|| "Choose a partner.".into()),
        }
    }
}

/// A rule's fields exactly as typed. Fields the form does not show for a kind may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub name: String,
    /// `all`, `partner_type`, `tier` or `partner`.
    pub scope: String,
    /// The partner type, tier or partner id the scope names.
    pub scope_value: String,
    /// `percentage`, `flat`, `tiered` or `spif`.
    pub kind: String,
    /// Percent, for percentage rules and percentage SPIFs.
    pub rate: String,
    /// For flat rules and fixed SPIF bonuses.
    pub amount: String,
    pub currency: String,
    /// Tiered bands: "10 % up to 100000; 15 %".
    pub bands: String,
    /// A SPIF's minimum deal size.
    pub min_deal: String,
    pub priority: String,
    pub effective_from: String,
    pub effective_to: String,
}

/// A rule's validated terms: everything a version holds except its ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    pub name: String,
    pub scope: Scope,
    pub kind: RuleKind,
    pub currency: Option<Currency>,
    pub priority: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl RuleDraft {
    /// The draft as a rule version with the given ids.
    pub fn into_rule(self, id: i64, rule_id: i64, version: u32) -> Rule {
        Rule {
            id,
            rule_id,
            version,
            name: self.name,
            scope: self.scope,
            kind: self.kind,
            currency: self.currency,
            priority: self.priority,
            effective_from: self.effective_from,
            effective_to: self.effective_to,
        }
    }
}

pub const DEFAULT_PRIORITY: i32 = 100;

type Errors = Vec<(&'static str, String)>;

/// The parsed value, or `None` with the error recorded against `field`.
fn take<T>(
    errors: &mut Errors,
    field: &'static str,
    result: Result<Option<T>, String>,
) -> Option<T> {
    result.map_err(|e| errors.push((field, e))).ok().flatten()
}

fn date(text: &str, field: &'static str, errors: &mut Errors) -> Option<NaiveDate> {
    text.trim()
        .parse::<NaiveDate>()
        .map_err(|_| errors.push((field, "Use a date such as 2026-12-31.".into())))
        .ok()
}

/// A positive amount in `currency`, typed with optional thousands separators.
fn amount(text: &str, currency: Option<Currency>) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value = parse_amount(text).ok_or_else(|| {
        format!(
            "\"{}\" is not an amount (such as 500 or 1250.50).",
            text.trim()
        )
    })?;
    if value <= Decimal::ZERO {
        return Err("An amount is more than zero.".into());
    }
    let Some(currency) = currency else {
        // The currency field carries its own error.
        return Ok(Some(0));
    };
    Money::entered(value, currency)
        .and_then(|m| m.to_minor())
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A percentage typed as "12.5" or "12.5 %", more than 0 and at most 100.
fn rate(text: &str) -> Result<Option<Decimal>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let rate = CommissionRate::from_percent_text(text)?;
    if rate.fraction().is_zero() {
        return Err("A rate is more than 0 %.".into());
    }
    Ok(Some(rate.fraction()))
}

/// "10 % up to 100000; 15 %": each band a rate and the revenue it runs up to, the last one open.
fn bands(text: &str, currency: Option<Currency>) -> Result<Vec<Band>, String> {
    let items: Vec<&str> = text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err("Enter the bands, such as \"10 % up to 100000; 15 %\".".into());
    }
    let mut result = Vec::with_capacity(items.len());
    let mut previous = 0;
    for (index, item) in items.iter().enumerate() {
        let last = index + 1 == items.len();
        let lower = item.to_lowercase();
        let (rate_text, limit_text) = match lower.split_once("up to") {
            Some((rate, limit)) => (rate.trim().to_owned(), Some(limit.trim().to_owned())),
            None => (lower.trim().to_owned(), None),
        };
        let rate = CommissionRate::from_percent_text(&rate_text)
            .map_err(|e| format!("Band {}: {e}", index + 1))?
            .fraction();
        let up_to = match (limit_text, last) {
            (None, true) => None,
            (None, false) => {
                return Err(format!(
                    "Band {} needs a limit (\"{} up to 100000\"); only the last band is open.",
                    index + 1,
                    rate_text
                ));
            }
            (Some(_), true) => {
                return Err(
                    "The last band has no limit: it covers everything above the one before \
                     (such as \"15 %\")."
                        .into(),
                );
            }
            (Some(limit), false) => {
                let minor = amount(&limit, currency)
                    .map_err(|e| format!("Band {}: {e}", index + 1))?
                    .ok_or_else(|| format!("Band {}: enter its limit.", index + 1))?;
                if currency.is_some() && minor <= previous {
                    return Err(format!(
                        "Band {}'s limit must be above the band before it.",
                        index + 1
                    ));
                }
                previous = minor;
                Some(minor)
            }
        };
        result.push(Band { up_to, rate });
    }
    Ok(result)
}

impl RuleForm {
    /// Every field checked at once; the errors name their fields.
    pub fn validate(&self) -> Result<RuleDraft, Errors> {
        let mut errors = Vec::new();
        let name = crate::text::required(&self.name, "a name for the rule", 100)
            .map_err(|problem| errors.push(("name", problem)))
            .unwrap_or_default();
        let scope = match self.scope.parse::<ScopeName>() {
            Ok(_) => Scope::parse(&self.scope, Some(&self.scope_value))
                .map_err(|e| errors.push(("scope_value", e)))
                .ok(),
            Err(_) => {
                errors.push(("scope", "Choose who the rule covers.".into()));
                None
            }
        };
        let kind_name = self
            .kind
            .parse::<KindName>()
            .map_err(|_| errors.push(("kind", "Choose the kind of rule.".into())))
            .ok();

        let currency_text = self.currency.trim();
        let needs_currency = match kind_name {
            Some(KindName::Flat | KindName::Tiered) => true,
            Some(KindName::Spif) => {
                !self.amount.trim().is_empty() || !self.min_deal.trim().is_empty()
            }
            _ => false,
        };
        let currency = if needs_currency {
            if currency_text.is_empty() {
                errors.push((
                    "currency",
                    "Amounts need their currency (such as USD): the rule pays on deals in it."
                        .into(),
                ));
                None
            } else {
                currency_text
                    .parse::<Currency>()
                    .map_err(|e| errors.push(("currency", e.to_string())))
                    .ok()
            }
        } else {
            None
        };

        let missing = |text: &str| text.trim().is_empty();
        let kind = match kind_name {
            Some(KindName::Percentage) if missing(&self.rate) => {
                errors.push(("rate", "Enter the rate in percent, such as 10.".into()));
                None
            }
            Some(KindName::Percentage) => take(&mut errors, "rate", rate(&self.rate))
                .map(|rate| RuleKind::Percentage { rate }),
            Some(KindName::Flat) if missing(&self.amount) => {
                errors.push(("amount", "Enter the amount paid per won deal.".into()));
                None
            }
            Some(KindName::Flat) => take(&mut errors, "amount", amount(&self.amount, currency))
                .map(|amount_minor| RuleKind::Flat { amount_minor }),
            Some(KindName::Tiered) => {
                take(&mut errors, "bands", bands(&self.bands, currency).map(Some))
                    .map(|bands| RuleKind::Tiered { bands })
            }
            Some(KindName::Spif) => {
                if missing(&self.rate) && missing(&self.amount) {
                    errors.push((
                        "rate",
                        "Enter a bonus rate, a bonus amount, or both.".into(),
                    ));
                }
                Some(RuleKind::Spif {
                    rate: take(&mut errors, "rate", rate(&self.rate)),
                    amount_minor: take(&mut errors, "amount", amount(&self.amount, currency)),
                    min_deal_minor: take(&mut errors, "min_deal", amount(&self.min_deal, currency)),
                })
            }
            None => None,
        };

        let priority = match self.priority.trim() {
            "" => Some(DEFAULT_PRIORITY),
            text => text
                .parse::<i32>()
                .ok()
                .filter(|p| (0..=1000).contains(p))
                .or_else(|| {
                    errors.push((
                        "priority",
                        "Use a whole number from 0 to 1000 (higher wins).".into(),
                    ));
                    None
                }),
        };
        let effective_from = if self.effective_from.trim().is_empty() {
            errors.push((
                "effective_from",
                "Enter the first day the rule applies.".into(),
            ));
            None
        } else {
            date(&self.effective_from, "effective_from", &mut errors)
        };
        let effective_to = match self.effective_to.trim() {
            "" => None,
            text => date(text, "effective_to", &mut errors),
        };
        if let (Some(from), Some(to)) = (effective_from, effective_to)
            && to < from
        {
            errors.push((
                "effective_to",
                "The last day cannot be before the first.".into(),
            ));
        }
        if kind_name == Some(KindName::Spif) && self.effective_to.trim().is_empty() {
            errors.push((
                "effective_to",
                "A SPIF runs for a window: enter its last day.".into(),
            ));
        }

        match (scope, kind, priority, effective_from) {
            (Some(scope), Some(kind), Some(priority), Some(effective_from))
                if errors.is_empty() =>
            {
                Ok(RuleDraft {
                    name: name.to_owned(),
                    scope,
                    kind,
                    currency,
                    priority,
                    effective_from,
                    effective_to,
                })
            }
            _ => Err(errors),
        }
    }

    /// The form that edits `rule`: its terms as typed text.
    pub fn of(rule: &Rule) -> RuleForm {
        let money = |minor: i64| {
            let currency = rule.currency.unwrap_or(Currency::USD);
            Money::from_minor(minor, currency).amount().to_string()
        };
        let pct = |rate: Decimal| (rate * Decimal::ONE_HUNDRED).normalize().to_string();
        let mut form = RuleForm {
            name: rule.name.clone(),
            scope: rule.scope.name().as_str().to_owned(),
            scope_value: rule.scope.value().unwrap_or_default(),
            kind: rule.kind.name().as_str().to_owned(),
            currency: rule.currency.map(|c| c.to_string()).unwrap_or_default(),
            priority: rule.priority.to_string(),
            effective_from: rule.effective_from.to_string(),
            effective_to: rule.effective_to.map(|d| d.to_string()).unwrap_or_default(),
            ..RuleForm::default()
        };
        match &rule.kind {
            RuleKind::Percentage { rate } => form.rate = pct(*rate),
            RuleKind::Flat { amount_minor } => form.amount = money(*amount_minor),
            RuleKind::Tiered { bands } => {
                form.bands = bands
                    .iter()
                    .map(|b| match b.up_to {
                        Some(limit) => format!("{} % up to {}", pct(b.rate), money(limit)),
                        None => format!("{} %", pct(b.rate)),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            RuleKind::Spif {
                min_deal_minor,
                rate,
                amount_minor,
            } => {
                form.rate = rate.map(pct).unwrap_or_default();
                form.amount = amount_minor.map(money).unwrap_or_default();
                form.min_deal = min_deal_minor.map(money).unwrap_or_default();
            }
        }
        form
    }
}

impl Rule {
    /// The terms in a few words: "10 %", "$500.00 per deal", "10 % up to $100,000, 15 % above",
    /// "+2 % on deals from $5,000.00".
    pub fn summary(&self) -> String {
        let currency = self.currency.unwrap_or(Currency::USD);
        let money = |minor: i64| Money::from_minor(minor, currency).format();
        match &self.kind {
            RuleKind::Percentage { rate } => format!("{} of attributed revenue", percent(*rate)),
            RuleKind::Flat { amount_minor } => format!("{} per won deal", money(*amount_minor)),
            RuleKind::Tiered { bands } => {
                let mut lower = None;
                let parts: Vec<String> = bands
                    .iter()
                    .map(|b| {
                        let text = match (b.up_to, lower) {
                            (Some(u), None) => format!("{} up to {}", percent(b.rate), money(u)),
                            (Some(u), Some(l)) => {
                                format!("{} from {} to {}", percent(b.rate), money(l), money(u))
                            }
                            (None, Some(l)) => format!("{} above {}", percent(b.rate), money(l)),
                            (None, None) => percent(b.rate),
                        };
                        lower = b.up_to;
                        text
                    })
                    .collect();
                format!("{} of quarterly attributed revenue", parts.join(", "))
            }
            RuleKind::Spif {
                min_deal_minor,
                rate,
                amount_minor,
            } => {
                let bonus: Vec<String> = rate
                    .map(percent)
                    .into_iter()
                    .chain(amount_minor.map(money))
                    .collect();
                let mut text = format!("bonus {}", bonus.join(" + "));
                if let Some(min) = min_deal_minor {
                    text.push_str(&format!(" on deals from {}", money(*min)));
                }
                text
            }
        }
    }
}

impl ScopeName {
    /// The values a scope can name, for the form's second select (partners are picked apart).
    pub fn choices(self) -> Vec<(&'static str, String)> {
        match self {
            ScopeName::PartnerType => PartnerType::ALL
                .iter()
                .map(|t| (t.as_str(), t.title()))
                .collect(),
            ScopeName::Tier => PartnerTier::ALL
                .iter()
                .map(|t| (t.as_str(), t.title()))
                .collect(),
            ScopeName::Everyone | ScopeName::Partner => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str) -> RuleForm {
        RuleForm {
            name: "Gold push".into(),
            scope: "tier".into(),
            scope_value: "gold".into(),
            kind: kind.into(),
            priority: String::new(),
            effective_from: "2026-10-01".into(),
            ..RuleForm::default()
        }
    }

    fn fields(result: Result<RuleDraft, Errors>) -> Vec<&'static str> {
        result.unwrap_err().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn tiered_bands_parse_in_order_with_an_open_last_band() {
        let mut f = form("tiered");
        f.currency = "usd".into();
        f.bands = "10 % up to 100,000; 12.5% up to 250000\n15 %".into();
        let draft = f.validate().unwrap();
        assert_eq!(draft.currency, Some(Currency::USD));
        assert_eq!(draft.priority, DEFAULT_PRIORITY);
        assert_eq!(draft.scope, Scope::Tier(PartnerTier::Gold));
        let RuleKind::Tiered { bands } = &draft.kind else {
            panic!("{:?}", draft.kind)
        };
        assert_eq!(
            bands.iter().map(|b| b.up_to).collect::<Vec<_>>(),
            [Some(10_000_000), Some(25_000_000), None]
        );
        // The form shows a saved version the way it was typed (normalised).
        let rule = draft.into_rule(1, 1, 1);
        let again = RuleForm::of(&rule);
        assert_eq!(again.bands, "10 % up to 100000; 12.5 % up to 250000; 15 %");
        assert_eq!(again.validate().unwrap().into_rule(1, 1, 1), rule);
        assert_eq!(
            rule.summary(),
            "10 % up to $100,000.00, 12.5 % from $100,000.00 to $250,000.00, 15 % above \
             $250,000.00 of quarterly attributed revenue"
        );

        for (bands, message) in [
            (
                "10 % up to 100000; 15 % up to 90000; 20 %",
                "above the band",
            ),
            ("10 %; 15 %", "needs a limit"),
            ("10 % up to 100000", "last band has no limit"),
            ("ten up to 5", "not a number"),
            ("", "Enter the bands"),
        ] {
            f.bands = bands.into();
            let errors = f.validate().unwrap_err();
            assert_eq!(errors.len(), 1, "{bands}: {errors:?}");
            assert_eq!(errors[0].0, "bands");
            assert!(errors[0].1.contains(message), "{bands}: {}", errors[0].1);
        }
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let f = RuleForm {
            name: " ".into(),
            scope: "tier".into(),
            scope_value: "diamond".into(),
            kind: "flat".into(),
            amount: "-5".into(),
            currency: "".into(),
            priority: "high".into(),
            effective_from: "2026-13-01".into(),
            effective_to: "2026-01-01".into(),
            ..RuleForm::default()
        };
        assert_eq!(
            fields(f.validate()),
            [
                "name",
                "scope_value",
                "currency",
                "amount",
                "priority",
                "effective_from"
            ]
        );
        let mut f = form("percentage");
        f.rate = "0".into();
        f.effective_to = "2026-09-30".into();
        assert_eq!(fields(f.validate()), ["rate", "effective_to"]);
        f.rate = String::new();
        f.effective_to = String::new();
        assert_eq!(fields(f.validate()), ["rate"]);
    }

    #[test]
    fn a_spif_needs_a_window_and_a_bonus() {
        let mut f = form("spif");
        f.scope = "partner_type".into();
        f.scope_value = "reseller".into();
        assert_eq!(fields(f.validate()), ["rate", "effective_to"]);
        f.rate = "2".into();
        f.min_deal = "5000".into();
        f.effective_to = "2026-12-31".into();
        // A minimum deal size is an amount: it needs the currency.
        assert_eq!(fields(f.validate()), ["currency"]);
        f.currency = "EUR".into();
        let rule = f.validate().unwrap().into_rule(3, 3, 1);
        assert_eq!(
            rule.kind,
            RuleKind::Spif {
                min_deal_minor: Some(500_000),
                rate: Some(Decimal::new(2, 2)),
                amount_minor: None
            }
        );
        assert_eq!(rule.summary(), "bonus 2 % on deals from €5,000.00");
        assert_eq!(
            RuleForm::of(&rule).validate().unwrap().into_rule(3, 3, 1),
            rule
        );
    }

    #[test]
    fn scopes_read_their_value() {
        assert_eq!(Scope::parse("all", Some("ignored")), Ok(Scope::Everyone));
        assert_eq!(
            Scope::parse("partner", Some("42")),
            Ok(Scope::Partner(PartnerId(42)))
        );
        assert!(Scope::parse("partner", Some("-1")).is_err());
        assert!(Scope::parse("partner_type", None).is_err());
        assert!(Scope::parse("planet", None).is_err());
        for scope in [
            Scope::Everyone,
            Scope::PartnerType(PartnerType::Referral),
            Scope::Tier(PartnerTier::Silver),
            Scope::Partner(PartnerId(3)),
        ] {
            assert_eq!(
                Scope::parse(scope.name().as_str(), scope.value().as_deref()),
                Ok(scope)
            );
        }
    }
}
