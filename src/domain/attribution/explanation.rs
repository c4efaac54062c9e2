//! Why a partner got its share, as data the UI can render (and as an English sentence).

use chrono::Datelike;
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
    /// For the data-driven models, which credit partners rather than touches.
    pub partner_basis: Option<PartnerBasis>,
    pub fallback: Option<Fallback>,
}

/// A data-driven model's reason for a partner's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PartnerBasis {
    Shapley {
        /// The partner's Shapley value: its average contribution to the win rate.
        value: Decimal,
        /// The learned win rate of the deal's whole set of partners.
        coalition_win_rate: Decimal,
        partners: u32,
        /// Half-width of the 95 % confidence interval when estimated by sampling; none when exact.
        error_bound: Option<Decimal>,
        /// A negative value (the partner lowered the learned win rate) counts as zero.
        clipped: bool,
    },
    Markov {
        /// The share of the learned win probability that would be lost without this partner.
        removal_effect: Decimal,
    },
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
    /// A data-driven model had too little history; `Explanation::model` was used instead.
    NotEnoughHistory {
        requested: AttributionModel,
        closed: u32,
        won: u32,
        lost: u32,
        needed_closed: u32,
        needed_each: u32,
    },
    /// The data-driven model credited none of the deal's partners (none seen in the history, or
    /// none raised the learned win rate); `Explanation::model` was used instead.
    NoPositiveCredit { requested: AttributionModel },
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

impl PartnerBasis {
    fn describe(&self) -> String {
        match self {
            PartnerBasis::Shapley {
                value,
                coalition_win_rate,
                partners,
                error_bound,
                clipped,
            } => {
                let method = match error_bound {
                    None => format!("exact over {partners} partners"),
                    Some(bound) => format!(
                        "sampled over {partners} partners, ± {} at 95 %",
                        number(*bound, 3)
                    ),
                };
                let clipped = if *clipped {
                    ", below zero so counted as zero"
                } else {
                    ""
                };
                format!(
                    "Shapley value {} of the partners' learned win rate {} ({method}){clipped}",
                    number(*value, 3),
                    number(*coalition_win_rate, 3)
                )
            }
            PartnerBasis::Markov { removal_effect } => format!(
                "removal effect {}: without this partner the learned win probability falls by {} %",
                number(*removal_effect, 3),
                number(*removal_effect * Decimal::ONE_HUNDRED, 1)
            ),
        }
    }
}

impl TouchCredit {
    fn describe(&self) -> String {
        let kind = self.touch.kind.as_str().replace('_', " ");
        // Formatted by hand: chrono's strftime is slow for millions of explanations.
        let day = self.touch.at.date_naive();
        let date = format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
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
        let mut touches: Vec<String> = self.credits.iter().map(TouchCredit::describe).collect();
        if let Some(basis) = &self.partner_basis {
            touches.push(basis.describe());
        }
        let percent = number(self.share * Decimal::ONE_HUNDRED, 1);
        let fallback = match self.fallback {
            Some(Fallback::AllWeightsZero) => {
                " (every touch weighed zero, so touches share equally)".to_owned()
            }
            Some(Fallback::NotEnoughHistory {
                requested,
                closed,
                won,
                lost,
                needed_closed,
                needed_each,
            }) => format!(
                " instead of {}, which needs {needed_closed} closed deals with {needed_each} won and \
                 {needed_each} lost (history: {closed} closed, {won} won, {lost} lost)",
                requested.name()
            ),
            Some(Fallback::NoPositiveCredit { requested }) => format!(
                " instead of {}, which credited none of this deal's partners",
                requested.name()
            ),
            None => String::new(),
        };
        format!(
            "{heading}{fallback}: {}; {} of {} = {percent} %",
            touches.join("; "),
            number(self.weight, 2),
            number(self.total_weight, 2)
        )
    }
}
