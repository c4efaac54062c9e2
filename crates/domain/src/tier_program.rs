//! The partner program's tiers: what each asks for, and how far a partner is from the next.
//!
//! A tier is earned by attributed revenue: the partner's credit on won deals under the payable
//! model over the trailing twelve months, in the base currency (other currencies at each deal's
//! locked rate). Managers set a partner's tier; this says what the program asks for, so a partner
//! can see what the next step needs.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money};
use super::partner::PartnerTier;

/// The attributed revenue (trailing twelve months, base currency, whole units) each tier above
/// Registered asks for. Each organization sets its own; these are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierBars {
    pub silver: i64,
    pub gold: i64,
    pub platinum: i64,
}

impl Default for TierBars {
    fn default() -> TierBars {
        TierBars {
            silver: 250_000,
            gold: 1_000_000,
            platinum: 2_500_000,
        }
    }
}

impl TierBars {
    /// Lowest first.
    fn each(&self) -> [(PartnerTier, i64); 3] {
        [
            (PartnerTier::Silver, self.silver),
            (PartnerTier::Gold, self.gold),
            (PartnerTier::Platinum, self.platinum),
        ]
    }
}

/// Tier bars as typed: whole amounts, each above the one below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TierBarsForm {
    pub silver: String,
    pub gold: String,
    pub platinum: String,
}

impl TierBarsForm {
    pub fn from_bars(bars: TierBars) -> TierBarsForm {
        TierBarsForm {
            silver: bars.silver.to_string(),
            gold: bars.gold.to_string(),
            platinum: bars.platinum.to_string(),
        }
    }

    pub fn validate(&self) -> Result<TierBars, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut whole = |field: &'static str, text: &str| {
            let cleaned: String = text
                .trim()
                .chars()
                .filter(|c| *c != ',' && *c != '_')
                .collect();
            match cleaned.parse::<i64>() {
                // Whole units of any currency stay within the money bound (10^13 minor units).
                Ok(n) if n > 0 && n <= super::money::MAX_MINOR / 1_000 => Some(n),
                _ => {
                    errors.push((
                        field,
                        format!(
                            "Enter a whole amount above zero (such as 250000), not \"{}\".",
                            text.trim()
                        ),
                    ));
                    None
                }
            }
        };
        let (silver, gold, platinum) = (
            whole("silver", &self.silver),
            whole("gold", &self.gold),
            whole("platinum", &self.platinum),
        );
        if let (Some(s), Some(g)) = (silver, gold)
            && g <= s
        {
            errors.push(("gold", "Gold must ask for more than Silver.".into()));
        }
        if let (Some(g), Some(p)) = (gold, platinum)
            && p <= g
        {
            errors.push(("platinum", "Platinum must ask for more than Gold.".into()));
        }
        match (silver, gold, platinum) {
            (Some(silver), Some(gold), Some(platinum)) if errors.is_empty() => Ok(TierBars {
                silver,
                gold,
                platinum,
            }),
            _ => Err(errors),
        }
    }
}

/// Where a partner stands against the next tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierProgress {
    pub current: PartnerTier,
    /// Attributed revenue over the trailing twelve months.
    pub attributed: Money,
    /// The next tier up, what it asks for, and what is still missing (zero once qualified, while
    /// the partner waits for its manager to move it up). None at the top tier.
    pub next: Option<NextTier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    pub tier: PartnerTier,
    pub threshold: Money,
    pub missing: Money,
    /// How far along, 0–100, rounded down.
    pub percent: u8,
}

/// What `tier` asks for, in `currency`.
pub fn threshold_of(tier: PartnerTier, currency: Currency, bars: &TierBars) -> Money {
    let whole = bars
        .each()
        .iter()
        .find(|(t, _)| *t == tier)
        .map_or(0, |(_, whole)| *whole);
    Money::from_minor(whole * 10_i64.pow(currency.minor_units()), currency)
}

pub fn progress(current: PartnerTier, attributed: Money, bars: &TierBars) -> TierProgress {
    let currency = attributed.currency();
    let next = bars
        .each()
        .iter()
        .map(|(tier, _)| *tier)
        .find(|tier| *tier > current)
        .map(|tier| {
            let threshold = threshold_of(tier, currency, bars);
            let missing = (threshold.amount() - attributed.amount()).max(Decimal::ZERO);
            let percent = if threshold.amount().is_zero() {
                100
            } else {
                (attributed.amount() * Decimal::ONE_HUNDRED / threshold.amount())
                    .floor()
                    .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
                    .to_u8()
                    .unwrap_or(0)
            };
            NextTier {
                tier,
                threshold,
                missing: Money::new(missing, currency).unwrap_or(Money::zero(currency)),
                percent,
            }
        });
    TierProgress {
        current,
        attributed,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(whole: i64) -> Money {
        Money::from_minor(whole * 100, Currency::USD)
    }

    #[test]
    fn a_registered_partner_is_measured_against_silver() {
        let p = progress(PartnerTier::Registered, usd(62_500), &TierBars::default());
        let next = p.next.unwrap();
        assert_eq!(next.tier, PartnerTier::Silver);
        assert_eq!(next.threshold, usd(250_000));
        assert_eq!(next.missing, usd(187_500));
        assert_eq!(next.percent, 25);
    }

    #[test]
    fn the_next_tier_is_the_one_above_the_current_not_the_one_revenue_reaches() {
        // Revenue past Gold's bar, but the partner is Silver: Gold is next, already met.
        let next = progress(PartnerTier::Silver, usd(1_200_000), &TierBars::default())
            .next
            .unwrap();
        assert_eq!(next.tier, PartnerTier::Gold);
        assert_eq!(next.missing, usd(0));
        assert_eq!(next.percent, 100);
    }

    #[test]
    fn percent_rounds_down_so_it_reads_100_only_when_met() {
        let just_short = Money::new(Decimal::new(99_999_999, 2), Currency::USD).unwrap();
        let next = progress(PartnerTier::Silver, just_short, &TierBars::default())
            .next
            .unwrap();
        assert_eq!(next.percent, 99);
        assert_eq!(next.missing, Money::from_minor(1, Currency::USD));
    }

    #[test]
    fn platinum_has_nothing_above() {
        assert_eq!(
            progress(PartnerTier::Platinum, usd(5), &TierBars::default()).next,
            None
        );
    }

    #[test]
    fn thresholds_follow_the_currency_minor_units() {
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(
            threshold_of(PartnerTier::Silver, jpy, &TierBars::default()).amount(),
            Decimal::from(250_000)
        );
        assert_eq!(
            threshold_of(PartnerTier::Silver, Currency::USD, &TierBars::default())
                .to_minor()
                .unwrap(),
            25_000_000
        );
    }

    #[test]
    fn bars_are_whole_and_rise_tier_by_tier() {
        let form = TierBarsForm {
            silver: "100,000".into(),
            gold: "400000".into(),
            platinum: " 900000 ".into(),
        };
        let bars = form.validate().unwrap();
        assert_eq!(
            (bars.silver, bars.gold, bars.platinum),
            (100_000, 400_000, 900_000)
        );
        let next = progress(PartnerTier::Registered, usd(50_000), &bars)
            .next
            .unwrap();
        assert_eq!((next.threshold, next.percent), (usd(100_000), 50));
        assert_eq!(TierBarsForm::from_bars(bars).validate(), Ok(bars));
        let fields = |f: TierBarsForm| -> Vec<&str> {
            f.validate()
                .unwrap_err()
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(
            fields(TierBarsForm {
                silver: "0".into(),
                gold: "12.5".into(),
                platinum: "x".into()
            }),
            ["silver", "gold", "platinum"]
        );
        assert_eq!(
            fields(TierBarsForm {
                silver: "500".into(),
                gold: "500".into(),
                platinum: "400".into()
            }),
            ["gold", "platinum"]
        );
    }
}
