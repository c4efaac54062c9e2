//! Commission rules: which rule pays a partner's credit on a won deal, and how much, with the
//! reason in words. Pure: the caller supplies the rules in force and what the partner was
//! already credited in the quarter (for tiered bands).
//!
//! One *base* rule applies — the most specific one in scope on the day the deal was won
//! (partner > tier > partner type > everyone; then the higher priority, the later start, the
//! higher id) — plus every SPIF bonus in scope whose window holds that day. A rule with amounts
//! only applies to deals in its currency. Each part is
//! computed exactly and rounded half away from zero to the currency's minor unit; the
//! commission is the sum of its rounded parts, so the explanation adds up to the cent.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::ids::PartnerId;
use super::money::{Currency, Money};
use super::partner::{CommissionRate, PartnerTier, PartnerType};

/// Who a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Everyone,
    PartnerType(PartnerType),
    Tier(PartnerTier),
    Partner(PartnerId),
}

impl Scope {
    /// Higher is more specific.
    fn specificity(self) -> u8 {
        match self {
            Scope::Everyone => 0,
            Scope::PartnerType(_) => 1,
            Scope::Tier(_) => 2,
            Scope::Partner(_) => 3,
        }
    }

    fn covers(self, partner: &PartnerFacts) -> bool {
        match self {
            Scope::Everyone => true,
            Scope::PartnerType(t) => partner.partner_type == t,
            Scope::Tier(t) => partner.tier == t,
            Scope::Partner(id) => partner.id == id,
        }
    }
}

/// One band of a tiered rule: `rate` on the quarter's attributed revenue from the previous
/// band's limit up to `up_to` (minor units; `None`: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub up_to: Option<i64>,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleKind {
    /// A fraction of the partner's attributed amount.
    Percentage { rate: Decimal },
    /// A fixed amount per won deal the partner is credited on.
    Flat { amount_minor: i64 },
    /// Marginal bands over the partner's attributed revenue in the calendar quarter.
    Tiered { bands: Vec<Band> },
    /// A bonus on deals won while the rule is in force (its window), optionally only from a
    /// minimum deal size: a fraction of the attributed amount, a fixed amount, or both.
    Spif {
        min_deal_minor: Option<i64>,
        rate: Option<Decimal>,
        amount_minor: Option<i64>,
    },
}

/// A version of a rule, in force from `effective_from` through `effective_to` (both days
/// included; no end: open-ended). `id` names this version's row, `rule_id` the rule all its
/// versions share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub rule_id: i64,
    pub version: u32,
    pub name: String,
    pub scope: Scope,
    pub kind: RuleKind,
    /// The currency of the rule's amounts (flat amount, bands, SPIF amount or minimum deal):
    /// such a rule only applies to deals in that currency. `None` for pure percentages, which
    /// apply to every currency.
    pub currency: Option<Currency>,
    pub priority: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl Rule {
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|end| day <= end)
    }

    /// Whether the rule can pay on a deal in `currency`.
    pub fn pays_in(&self, currency: Currency) -> bool {
        self.currency.is_none_or(|c| c == currency)
    }

    /// Among base rules in force for a partner, the greatest wins: the most specific scope, then
    /// the higher priority, then the later start, then the later saved.
    pub fn precedence(&self) -> (u8, i32, NaiveDate, i64) {
        (
            self.scope.specificity(),
            self.priority,
            self.effective_from,
            self.id,
        )
    }

    pub fn is_spif(&self) -> bool {
        matches!(self.kind, RuleKind::Spif { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerFacts {
    pub id: PartnerId,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
    /// The rate on the partner's profile: what it earns when no rule covers it.
    pub default_rate: CommissionRate,
}

/// What a commission is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    pub partner: PartnerFacts,
    /// The partner's attributed amount on the deal.
    pub attributed: Money,
    pub deal_amount: Money,
    pub won_on: NaiveDate,
    /// What the partner was credited earlier in the same quarter, in the same currency.
    pub quarter_before: Money,
}

/// One part of a commission: which rule version (none: the partner's own rate), how much, and
/// why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The row of the rule version.
    pub rule_id: Option<i64>,
    pub version: Option<u32>,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    pub amount: Money,
    pub parts: Vec<Part>,
}

impl Commission {
    /// The parts in one sentence: "10 % of attributed revenue + SPIF 'Q4 push' 2 %".
    pub fn explanation(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.reason.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn round(amount: Decimal, currency: Currency) -> Money {
    let rounded = amount.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointAwayFromZero,
    );
    Money::new(rounded, currency).unwrap_or_else(|_| Money::zero(currency))
}

fn percent(rate: Decimal) -> String {
    format!("{} %", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn quarter_name(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("Q{} {}", day.month0() / 3 + 1, day.year())
}

/// The exact commission of marginal `bands` on revenue from `before` to `before + amount`.
fn tiered(
    bands: &[Band],
    before: Decimal,
    amount: Decimal,
    currency: Currency,
) -> (Decimal, Vec<String>) {
    let unit = Decimal::new(1, currency.minor_units());
    let (start, end) = (before, before + amount);
    let mut lower = Decimal::ZERO;
    let mut total = Decimal::ZERO;
    let mut used = Vec::new();
    for band in bands {
        let upper = band.up_to.map(|u| Decimal::from(u) * unit);
        let from = start.max(lower);
        let to = upper.map_or(end, |u| end.min(u));
        if to > from {
            total += (to - from) * band.rate;
            let money = |d: Decimal| {
                Money::new(d, currency)
                    .map_or_else(|_| d.normalize().to_string(), |m| m.format_whole())
            };
            used.push(match upper {
                Some(u) if lower.is_zero() => format!("{} up to {}", percent(band.rate), money(u)),
                Some(u) => format!(
                    "{} from {} to {}",
                    percent(band.rate),
                    money(lower),
                    money(u)
                ),
                None => format!("{} above {}", percent(band.rate), money(lower)),
            });
        }
        match upper {
            Some(u) => lower = u,
            None => break,
        }
    }
    (total, used)
}

impl Commission {
    /// The base rule version's row, if a rule (not the partner's own rate) paid.
    pub fn base_rule(&self) -> Option<i64> {
        self.parts.first().and_then(|p| p.rule_id)
    }
}

/// The base rule that pays `partner` on a deal in `currency` won on `day`, instead of the
/// partner's own rate: the greatest by precedence of those in force that cover it. `None`:
/// the partner's own rate applies.
pub fn paying_rule<'a>(
    rules: &'a [Rule],
    partner: &PartnerFacts,
    currency: Currency,
    day: NaiveDate,
) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.in_force(day) && r.pays_in(currency) && r.scope.covers(partner))
        .filter(|r| !r.is_spif())
        .max_by_key(|r| r.precedence())
}

/// What pays `partner` on deals won on `day`, in words, when a rule and not its own rate does:
/// "rule Gold v1, not the default rate" when one rule pays in every currency (`base` and each a
/// rule in force names), else by currency ("rule Gold v1 on USD deals, the default rate on EUR
/// deals"). `None`: the partner's own rate pays everywhere.
pub fn what_pays(
    rules: &[Rule],
    partner: &PartnerFacts,
    base: Currency,
    day: NaiveDate,
) -> Option<String> {
    let mut currencies = vec![base];
    for currency in rules
        .iter()
        .filter(|r| r.in_force(day))
        .filter_map(|r| r.currency)
    {
        if !currencies.contains(&currency) {
            currencies.push(currency);
        }
    }
    let paying: Vec<(Currency, Option<&Rule>)> = currencies
        .iter()
        .map(|c| (*c, paying_rule(rules, partner, *c, day)))
        .collect();
    let name = |rule: &Rule| format!("rule {} v{}", rule.name, rule.version);
    let same = |a: Option<&Rule>, b: Option<&Rule>| a.map(|r| r.id) == b.map(|r| r.id);
    match paying.as_slice() {
        [(_, None), rest @ ..] if rest.iter().all(|(_, r)| r.is_none()) => None,
        [(_, first), rest @ ..] if rest.iter().all(|(_, r)| same(*r, *first)) => {
            first.map(|rule| format!("{}, not the default rate", name(rule)))
        }
        _ => Some(
            paying
                .iter()
                .map(|(currency, rule)| {
                    let what = rule.map_or_else(|| "the default rate".to_owned(), name);
                    format!("{what} on {currency} deals")
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// The commission on `credit` under `rules` (all versions; the ones in force are picked). A
/// partner no base rule covers earns the rate on its profile.
pub fn commission(rules: &[Rule], credit: &Credit) -> Result<Commission, DomainError> {
    let currency = credit.attributed.currency();
    let day = credit.won_on;
    let attributed = credit.attributed.amount();
    let mut parts = Vec::new();
    let Some(base) = paying_rule(rules, &credit.partner, currency, day) else {
        let rate = credit.partner.default_rate;
        parts.push(Part {
            rule_id: None,
            version: None,
            amount: round(attributed * rate.fraction(), currency),
            reason: format!(
                "{} of attributed revenue (partner rate)",
                percent(rate.fraction())
            ),
        });
        return add_spifs(rules, credit, parts);
    };
    let (exact, reason) = match &base.kind {
        RuleKind::Percentage { rate } => (
            attributed * rate,
            format!("{} of attributed revenue", percent(*rate)),
        ),
        RuleKind::Flat { amount_minor } => (
            Money::from_minor(*amount_minor, currency).amount(),
            format!(
                "flat {} per won deal",
                Money::from_minor(*amount_minor, currency).format()
            ),
        ),
        RuleKind::Tiered { bands } => {
            let (exact, used) = tiered(bands, credit.quarter_before.amount(), attributed, currency);
            (
                exact,
                format!(
                    "{} of {} attributed revenue",
                    used.join(", "),
                    quarter_name(day)
                ),
            )
        }
        RuleKind::Spif { .. } => unreachable!("SPIFs are filtered out of the base rules"),
    };
    parts.push(Part {
        rule_id: Some(base.id),
        version: Some(base.version),
        amount: round(exact, currency),
        reason: format!("{} ({} v{})", reason, base.name, base.version),
    });
    add_spifs(rules, credit, parts)
}

/// Adds every SPIF in force for the credit to `parts` and totals them.
fn add_spifs(
    rules: &[Rule],
    credit: &Credit,
    mut parts: Vec<Part>,
) -> Result<Commission, DomainError> {
    let currency = credit.attributed.currency();
    let day = credit.won_on;
    let attributed = credit.attributed.amount();
    let applicable =
        |r: &&Rule| r.in_force(day) && r.pays_in(currency) && r.scope.covers(&credit.partner);
    for spif in rules.iter().filter(applicable).filter(|r| r.is_spif()) {
        let RuleKind::Spif {
            min_deal_minor,
            rate,
            amount_minor,
        } = &spif.kind
        else {
            continue;
        };
        let big_enough =
            min_deal_minor.is_none_or(|min| credit.deal_amount.to_minor().is_ok_and(|m| m >= min));
        if !big_enough {
            continue;
        }
        let mut exact = Decimal::ZERO;
        let mut what = Vec::new();
        if let Some(rate) = rate {
            exact += attributed * rate;
            what.push(percent(*rate));
        }
        if let Some(minor) = amount_minor {
            let bonus = Money::from_minor(*minor, currency);
            exact += bonus.amount();
            what.push(bonus.format());
        }
        parts.push(Part {
            rule_id: Some(spif.id),
            version: Some(spif.version),
            amount: round(exact, currency),
            reason: format!(
                "SPIF '{}' {} (v{})",
                spif.name,
                what.join(" + "),
                spif.version
            ),
        });
    }
    let amount = parts
        .iter()
        .try_fold(Money::zero(currency), |sum, p| sum.checked_add(p.amount))?;
    Ok(Commission { amount, parts })
}

mod form;
mod replay;

pub use form::{DEFAULT_PRIORITY, KindName, RuleDraft, RuleForm, ScopeName};
pub use replay::{PartnerChange, ReplayDeal, commissions, replay, with_proposal};

#[cfg(test)]
mod tests;
