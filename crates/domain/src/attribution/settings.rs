//! The parameters of the rule-based models, kept in each organization's settings.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::AttributionModel;
use crate::DomainError;
use crate::touchpoint::TouchpointKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// Time decay: a touch this many days before the close counts half as much as one at the close.
    pub half_life_days: Decimal,
    pub role_weights: RoleWeights,
    pub position_based: SlotWeights,
    pub w_shaped: SlotWeights,
    pub full_path: SlotWeights,
    pub j_shaped: SlotWeights,
    pub inverse_j: SlotWeights,
    #[serde(default)]
    pub data_driven: DataDrivenSettings,
    /// The organization's calendar: days before a close (on the deal page and in the time-decay
    /// weight) are counted between dates in this zone. Settings stored before it existed mean UTC.
    #[serde(default = "utc")]
    pub time_zone: Tz,
}

fn utc() -> Tz {
    Tz::UTC
}

/// Settings of the Shapley and Markov models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataDrivenSettings {
    /// Below this many closed deals, or fewer than `min_won_and_lost` won or lost ones, the
    /// data-driven models do not trust what they learned and use `fallback` instead.
    pub min_closed_deals: u32,
    pub min_won_and_lost: u32,
    /// Shapley: pseudo-deals at the overall win rate added to every coalition's record, so a
    /// coalition seen twice does not get a win rate of 0 % or 100 %.
    pub shrinkage: Decimal,
    /// Shapley values are exact for deals with up to this many partners (at most 20) and
    /// sampled above it.
    pub exact_shapley_up_to: u32,
    /// Random orderings per sampled deal (error bound ±sqrt(ln 40 / 2m) at 95 %: ±0.03 for 2000).
    pub shapley_samples: u32,
    /// The rule-based model used when there is too little history.
    pub fallback: AttributionModel,
}

impl Default for DataDrivenSettings {
    fn default() -> Self {
        DataDrivenSettings {
            min_closed_deals: 50,
            min_won_and_lost: 10,
            shrinkage: Decimal::from(10),
            exact_shapley_up_to: 12,
            shapley_samples: 2000,
            fallback: AttributionModel::EqualSplit,
        }
    }
}

impl DataDrivenSettings {
    fn validate(&self) -> Result<(), DomainError> {
        let problem = if self.fallback.is_data_driven() {
            Some("the data-driven fallback must be a rule-based model")
        } else if self.shrinkage < Decimal::ZERO {
            Some("Shapley shrinkage cannot be negative")
        } else if self.exact_shapley_up_to > 20 {
            Some("exact Shapley values are limited to 20 partners (2^20 coalitions)")
        } else if self.shapley_samples < 100 {
            Some("Shapley sampling needs at least 100 orderings")
        } else {
            None
        };
        problem.map_or(Ok(()), |p| Err(DomainError::InvalidSettings(p.into())))
    }
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            // Ad platforms use 7 days; B2B partner-led sales cycles run for months.
            half_life_days: Decimal::from(30),
            role_weights: RoleWeights::default(),
            position_based: SlotWeights::percent(40, 0, 0, 40, 20),
            w_shaped: SlotWeights::percent(30, 30, 0, 30, 10),
            full_path: SlotWeights {
                first: Decimal::new(225, 1),
                registration: Decimal::new(225, 1),
                opportunity: Decimal::new(225, 1),
                last: Decimal::new(225, 1),
                rest: Decimal::from(10),
            },
            j_shaped: SlotWeights::percent(20, 0, 0, 60, 20),
            inverse_j: SlotWeights::percent(60, 0, 0, 20, 20),
            data_driven: DataDrivenSettings::default(),
            time_zone: Tz::UTC,
        }
    }
}

impl ModelSettings {
    /// Refuses settings no model can use: a non-positive half-life, negative weights, or a model
    /// whose weights are all zero.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.half_life_days <= Decimal::ZERO {
            return Err(DomainError::InvalidSettings(
                "the time-decay half-life must be more than zero days".into(),
            ));
        }
        self.role_weights.validate()?;
        for (name, slots) in [
            ("position-based", &self.position_based),
            ("W-shaped", &self.w_shaped),
            ("full-path", &self.full_path),
            ("J-shaped", &self.j_shaped),
            ("inverse-J", &self.inverse_j),
        ] {
            slots.validate(name)?;
        }
        self.data_driven.validate()
    }

    /// The slot weights of a position model; `None` for the other models.
    pub fn slots(&self, model: AttributionModel) -> Option<&SlotWeights> {
        match model {
            AttributionModel::PositionBased => Some(&self.position_based),
            AttributionModel::WShaped => Some(&self.w_shaped),
            AttributionModel::FullPath => Some(&self.full_path),
            AttributionModel::JShaped => Some(&self.j_shaped),
            AttributionModel::InverseJ => Some(&self.inverse_j),
            _ => None,
        }
    }
}

/// Role-based model: a weight per touchpoint kind; kinds not listed weigh `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleWeights {
    pub by_kind: BTreeMap<TouchpointKind, Decimal>,
    pub other: Decimal,
}

impl Default for RoleWeights {
    fn default() -> Self {
        use TouchpointKind::*;
        let by_kind = [
            (DealRegistration, 30),
            (Referral, 25),
            (Introduction, 15),
            (Demo, 10),
            (Proposal, 10),
            (CoSell, 10),
            (TechnicalValidation, 5),
            (Negotiation, 5),
        ]
        .into_iter()
        .map(|(kind, weight)| (kind, Decimal::from(weight)))
        .collect();
        RoleWeights {
            by_kind,
            other: Decimal::from(5),
        }
    }
}

impl RoleWeights {
    pub fn weight(&self, kind: TouchpointKind) -> Decimal {
        self.by_kind.get(&kind).copied().unwrap_or(self.other)
    }

    fn validate(&self) -> Result<(), DomainError> {
        let weights = self.by_kind.values().chain([&self.other]);
        if weights.clone().any(|w| *w < Decimal::ZERO) {
            return Err(DomainError::InvalidSettings(
                "role weights cannot be negative".into(),
            ));
        }
        if weights.into_iter().all(|w| w.is_zero()) {
            return Err(DomainError::InvalidSettings(
                "at least one role weight must be more than zero".into(),
            ));
        }
        Ok(())
    }
}

/// Weights of the position models, in percent (any positive scale works: only ratios matter).
///
/// The first and last touches take `first` and `last`. `registration` goes to the first deal
/// registration between them (or, without one, the earliest touch between them); `opportunity`
/// to the first proposal after that (or the next touch); `rest` is shared equally by the other
/// touches between first and last. A slot without a touch drops out and the filled slots share
/// its weight in proportion to their own, so one touch gets 100 %, and under U-shaped 40/20/40
/// two touches get 50 % each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotWeights {
    pub first: Decimal,
    pub registration: Decimal,
    pub opportunity: Decimal,
    pub last: Decimal,
    pub rest: Decimal,
}

impl SlotWeights {
    pub fn percent(first: i64, registration: i64, opportunity: i64, last: i64, rest: i64) -> Self {
        SlotWeights {
            first: Decimal::from(first),
            registration: Decimal::from(registration),
            opportunity: Decimal::from(opportunity),
            last: Decimal::from(last),
            rest: Decimal::from(rest),
        }
    }

    fn all(&self) -> [Decimal; 5] {
        [
            self.first,
            self.registration,
            self.opportunity,
            self.last,
            self.rest,
        ]
    }

    fn validate(&self, name: &str) -> Result<(), DomainError> {
        if self.all().iter().any(|w| *w < Decimal::ZERO) {
            return Err(DomainError::InvalidSettings(format!(
                "{name} weights cannot be negative"
            )));
        }
        if self.all().iter().all(|w| w.is_zero()) {
            return Err(DomainError::InvalidSettings(format!(
                "at least one {name} weight must be more than zero"
            )));
        }
        Ok(())
    }
}

impl ModelSettings {
    /// Sets one parameter from text, as given on the command line (`half_life_days=7`,
    /// `role.demo=20`, `role.other=1`, `w_shaped.rest=20`, `data_driven.fallback=role_based`).
    /// The result is validated as a whole: a setting that leaves a model unusable is refused and
    /// the settings stay as they were.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), DomainError> {
        let mut next = self.clone();
        next.apply(key, value)?;
        next.validate()?;
        *self = next;
        Ok(())
    }

    fn apply(&mut self, key: &str, value: &str) -> Result<(), DomainError> {
        let bad = |what: &str| DomainError::InvalidSettings(format!("{key}={value}: {what}"));
        let decimal = || {
            value
                .trim()
                .parse::<Decimal>()
                .map_err(|_| bad("not a number"))
        };
        let count = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| bad("not a whole number"))
        };
        match key.split_once('.') {
            None if key == "half_life_days" => self.half_life_days = decimal()?,
            None if key == "time_zone" => {
                self.time_zone = super::form::time_zone(value).map_err(|e| bad(&e))?
            }
            Some(("role", "other")) => self.role_weights.other = decimal()?,
            Some(("role", kind)) => {
                let kind: TouchpointKind =
                    kind.parse().map_err(|e: DomainError| bad(&e.to_string()))?;
                self.role_weights.by_kind.insert(kind, decimal()?);
            }
            Some(("data_driven", field)) => {
                let rules = &mut self.data_driven;
                match field {
                    "min_closed_deals" => rules.min_closed_deals = count()?,
                    "min_won_and_lost" => rules.min_won_and_lost = count()?,
                    "shrinkage" => rules.shrinkage = decimal()?,
                    "exact_shapley_up_to" => rules.exact_shapley_up_to = count()?,
                    "shapley_samples" => rules.shapley_samples = count()?,
                    "fallback" => {
                        rules.fallback = value
                            .trim()
                            .parse()
                            .map_err(|e: DomainError| bad(&e.to_string()))?
                    }
                    _ => return Err(bad("unknown data_driven setting")),
                }
            }
            Some((model, slot)) => {
                let model: AttributionModel = model
                    .parse()
                    .map_err(|e: DomainError| bad(&e.to_string()))?;
                let weight = decimal()?;
                let slots = match model {
                    AttributionModel::PositionBased => &mut self.position_based,
                    AttributionModel::WShaped => &mut self.w_shaped,
                    AttributionModel::FullPath => &mut self.full_path,
                    AttributionModel::JShaped => &mut self.j_shaped,
                    AttributionModel::InverseJ => &mut self.inverse_j,
                    _ => return Err(bad("this model has no position weights")),
                };
                match slot {
                    "first" => slots.first = weight,
                    "registration" => slots.registration = weight,
                    "opportunity" => slots.opportunity = weight,
                    "last" => slots.last = weight,
                    "rest" => slots.rest = weight,
                    _ => {
                        return Err(bad(
                            "slots are first, registration, opportunity, last and rest",
                        ));
                    }
                }
            }
            None => return Err(bad("unknown setting")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn parameters_set_from_text() {
        let mut settings = ModelSettings::default();
        settings.set("half_life_days", "7").unwrap();
        settings.set("role.demo", "20").unwrap();
        settings.set("role.other", "1").unwrap();
        settings.set("w_shaped.rest", "20").unwrap();
        settings.set("data_driven.fallback", "role_based").unwrap();
        settings.set("data_driven.min_closed_deals", "100").unwrap();
        settings.set("time_zone", " europe/berlin ").unwrap();
        assert_eq!(settings.half_life_days, dec!(7));
        assert_eq!(settings.time_zone, Tz::Europe__Berlin);
        assert_eq!(settings.role_weights.weight(TouchpointKind::Demo), dec!(20));
        assert_eq!(
            settings
                .role_weights
                .weight(TouchpointKind::MarketplaceListing),
            dec!(1)
        );
        assert_eq!(settings.w_shaped.rest, dec!(20));
        assert_eq!(settings.data_driven.fallback, AttributionModel::RoleBased);
        assert_eq!(settings.data_driven.min_closed_deals, 100);
    }

    #[test]
    fn bad_parameters_say_what_is_wrong() {
        let mut settings = ModelSettings::default();
        for (key, value, expected) in [
            ("half_life_days", "soon", "not a number"),
            ("half_life_days", "0", "half-life"),
            ("role.lunch", "5", "unknown touchpoint kind"),
            ("time_decay.first", "5", "no position weights"),
            ("w_shaped.middle", "5", "slots are"),
            ("data_driven.fallback", "markov", "rule-based"),
            ("colour", "blue", "unknown setting"),
            ("time_zone", "Mars/Olympus", "not a time zone"),
        ] {
            let err = settings.set(key, value).unwrap_err().to_string();
            assert!(err.contains(expected), "{key}={value}: {err}");
        }
        assert_eq!(
            settings,
            ModelSettings::default(),
            "refused settings change nothing"
        );
    }

    #[test]
    fn settings_stored_before_the_time_zone_mean_utc() {
        let mut stored = serde_json::to_value(ModelSettings::default()).unwrap();
        stored.as_object_mut().unwrap().remove("time_zone");
        let read: ModelSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(read.time_zone, Tz::UTC);
        let berlin = ModelSettings {
            time_zone: Tz::Europe__Berlin,
            ..ModelSettings::default()
        };
        let json = serde_json::to_string(&berlin).unwrap();
        assert!(json.contains("\"time_zone\":\"Europe/Berlin\""), "{json}");
        assert_eq!(
            serde_json::from_str::<ModelSettings>(&json).unwrap(),
            berlin
        );
    }
}
