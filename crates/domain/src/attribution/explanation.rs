//! Why a partner got its share, as data the UI can render (and as an English sentence).

use std::fmt::Write;

use chrono::Datelike;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{AttributionModel, Touch};
use crate::touchpoint::TouchpointKind;

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
    /// The slot as the touch `kind` fills it. The registration and opportunity slots go to a
    /// deal registration and a proposal; without one, to the next middle touch, which is then
    /// named as standing in rather than called what it is not.
    fn phrase(self, kind: TouchpointKind) -> &'static str {
        match self {
            SlotRole::First => "first touch",
            SlotRole::Registration if kind == TouchpointKind::DealRegistration => {
                "the deal-registration touch"
            }
            SlotRole::Registration => {
                "the earliest middle touch, holding the deal-registration slot (no deal registration)"
            }
            SlotRole::Opportunity if kind == TouchpointKind::Proposal => {
                "the proposal (opportunity) touch"
            }
            SlotRole::Opportunity => {
                "the next middle touch, holding the opportunity slot (no proposal)"
            }
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
    /// Appends a phrase such as "demo on 2026-03-01" (written in place: explanations are made by
    /// the million in bulk runs).
    fn describe(&self, out: &mut String) {
        out.extend(
            self.touch
                .kind
                .as_str()
                .chars()
                .map(|c| if c == '_' { ' ' } else { c }),
        );
        let day = self.touch.at.date_naive();
        let on = |out: &mut String| {
            let _ = write!(
                out,
                " on {:04}-{:02}-{:02}",
                day.year(),
                day.month(),
                day.day()
            );
        };
        let _ = match &self.basis {
            Basis::Equal => {
                on(out);
                Ok(())
            }
            Basis::FirstTouch => {
                on(out);
                out.write_str(" was the first touch")
            }
            Basis::LastTouch => {
                on(out);
                out.write_str(" was the last touch")
            }
            Basis::Decay {
                days_before_close, ..
            } => write!(
                out,
                " {} days before close → weight {}",
                number(*days_before_close, 1),
                number(self.weight, 2)
            ),
            Basis::Role => write!(out, " weighs {}", number(self.weight, 2)),
            Basis::Slots {
                roles,
                rest_touches,
            } => {
                on(out);
                out.push_str(" as ");
                for (i, role) in roles.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" and ");
                    }
                    match role {
                        SlotRole::Rest if *rest_touches > 1 => {
                            let _ = write!(out, "one of {rest_touches} middle touches");
                        }
                        _ => out.push_str(role.phrase(self.touch.kind)),
                    }
                }
                Ok(())
            }
        };
    }
}

impl Explanation {
    /// One sentence, e.g. "Time decay, half-life 30 days: demo 12 days before close → weight 0.76;
    /// 0.76 of 1.94 = 39.2 %".
    pub fn sentence(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str(self.model.name());
        if let Some(Basis::Decay { half_life_days, .. }) = self.credits.first().map(|c| &c.basis) {
            let _ = write!(out, ", half-life {} days", number(*half_life_days, 2));
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
        out.push_str(&fallback);
        out.push_str(": ");
        for (i, credit) in self.credits.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            credit.describe(&mut out);
        }
        if let Some(basis) = &self.partner_basis {
            if !self.credits.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&basis.describe());
        }
        let _ = write!(
            out,
            "; {} of {} = {percent} %",
            number(self.weight, 2),
            number(self.total_weight, 2)
        );
        out
    }
}
