//! Why a partner got its share, as data the UI can render (and as an English sentence).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{AttributionModel, Touch};

/// The reasoning behind one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub model: AttributionModel,
    /// This partner's credited touches, in time order.
    pub credits: Vec<TouchCredit>,
    /// The sum of this partner's touch weights.
    pub weight: Decimal,
    /// The sum over all partners.
    pub total_weight: Decimal,
    /// `weight / total_weight`, rounded to 12 places.
    pub share: Decimal,
    pub fallback: Option<Fallback>,
}

/// What one touch earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchCredit {
    pub touch: Touch,
    pub weight: Decimal,
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Basis {
    /// Each touch weighs one.
    Equal,
    /// The earliest touch before the close.
    FirstTouch,
    /// The latest touch before the close.
    LastTouch,
    Decay {
        days_before_close: Decimal,
        half_life_days: Decimal,
    },
    /// The weight of the touch's kind.
    Role,
    /// The slots this touch fills in a position model; `rest_touches` share the rest weight.
    Slots {
        roles: Vec<SlotRole>,
        rest_touches: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlotRole {
    First,
    Registration,
    Opportunity,
    Last,
    Rest,
}

/// When the model's own rule could not apply and another was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fallback {
    /// Every touch weighed zero under the model's settings, so the touches shared equally.
    AllWeightsZero,
}

fn number(value: Decimal, places: u32) -> String {
    value
        .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

impl SlotRole {
    fn phrase(self) -> &'static str {
        match self {
            SlotRole::First => "first touch",
            SlotRole::Registration => "registration touch",
            SlotRole::Opportunity => "opportunity touch",
            SlotRole::Last => "last touch",
            SlotRole::Rest => "a middle touch",
        }
    }
}

impl TouchCredit {
    fn describe(&self) -> String {
        let kind = self.touch.kind.as_str().replace('_', " ");
        let date = self.touch.at.format("%Y-%m-%d");
        match &self.basis {
            Basis::Equal => format!("{kind} on {date}"),
            Basis::FirstTouch => format!("{kind} on {date} was the first touch"),
            Basis::LastTouch => format!("{kind} on {date} was the last touch"),
            Basis::Decay {
                days_before_close, ..
            } => format!(
                "{kind} {} days before close → weight {}",
                number(*days_before_close, 1),
                number(self.weight, 2)
            ),
            Basis::Role => format!("{kind} weighs {}", number(self.weight, 2)),
            Basis::Slots {
                roles,
                rest_touches,
            } => {
                let roles: Vec<String> = roles
                    .iter()
                    .map(|role| match role {
                        SlotRole::Rest if *rest_touches > 1 => {
                            format!("one of {rest_touches} middle touches")
                        }
                        _ => role.phrase().to_owned(),
                    })
                    .collect();
                format!("{kind} on {date} as {}", roles.join(" and "))
            }
        }
    }
}

impl Explanation {
    /// One sentence, e.g. "Time decay, half-life 30 days: demo 12 days before close → weight 0.76;
    /// 0.76 of 1.94 = 39.2 %".
    pub fn sentence(&self) -> String {
        let heading = match self.credits.first().map(|c| &c.basis) {
            Some(Basis::Decay { half_life_days, .. }) => format!(
                "{}, half-life {} days",
                self.model.name(),
                number(*half_life_days, 2)
            ),
            _ => self.model.name().to_owned(),
        };
        let touches: Vec<String> = self.credits.iter().map(TouchCredit::describe).collect();
        let percent = number(self.share * Decimal::ONE_HUNDRED, 1);
        let fallback = match self.fallback {
            Some(Fallback::AllWeightsZero) => {
                " (every touch weighed zero, so touches share equally)"
            }
            None => "",
        };
        format!(
            "{heading}{fallback}: {}; {} of {} = {percent} %",
            touches.join("; "),
            number(self.weight, 2),
            number(self.total_weight, 2)
        )
    }
}
