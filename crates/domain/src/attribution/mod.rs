//! The attribution engine: how a deal's amount is credited to the partners who touched it.
//!
//! Pure and deterministic: the same deal gives the same splits bit for bit, whatever the order of
//! its touches. Each model gives every touch a weight; a partner's weight is the sum over its
//! touches; the amount is split in proportion with [`Money::allocate`], so the parts are exact
//! minor units that add up to the amount. Every split carries a structured [`Explanation`].
//!
//! Touches after the close are ignored and reported; a deal without touches before its close is
//! unattributed (not an error). Zero and negative amounts (refunds, clawbacks) split symmetrically.

mod decay;
pub use decay::{calendar_days, close_day, day_in, start_of};
mod engine;
mod explanation;
pub mod form;
mod learned;
mod models;
mod settings;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub use engine::Engine;
pub use explanation::{Basis, Explanation, Fallback, PartnerBasis, SlotRole, TouchCredit};
pub use learned::{HistoricalDeal, HistorySize};
pub use settings::{DataDrivenSettings, ModelSettings, RoleWeights, SlotWeights};

use super::DomainError;
use super::ids::{DealId, PartnerId};
use super::labels::label_enum;
use super::money::Money;
use super::touchpoint::TouchpointKind;

label_enum! {
    pub enum AttributionModel ("attribution model") {
        /// Every touch counts the same: a partner's share is its share of the touches.
        EqualSplit => "equal_split",
        /// All credit to the earliest touch's partner.
        FirstTouch => "first_touch",
        /// All credit to the latest touch's partner.
        LastTouch => "last_touch",
        /// Weight 2^(-days before close / half-life) per touch.
        TimeDecay => "time_decay",
        /// A weight per touchpoint kind.
        RoleBased => "role_based",
        /// U-shaped: 40 % first, 40 % last, 20 % over the touches between.
        PositionBased => "position_based",
        /// 30 % first, 30 % registration, 30 % last, 10 % over the rest.
        WShaped => "w_shaped",
        /// 22.5 % each to first, registration, opportunity and last; 10 % over the rest.
        FullPath => "full_path",
        /// 20 % first, 60 % last, 20 % over the touches between.
        JShaped => "j_shaped",
        /// 60 % first, 20 % last, 20 % over the touches between.
        InverseJ => "inverse_j",
        /// Data-driven: Shapley values of coalition win rates learned from closed deals.
        Shapley => "shapley",
        /// Data-driven: removal effects in a Markov chain learned from closed deals.
        Markov => "markov",
    }
}

impl AttributionModel {
    /// The models that need no history: each deal is attributed on its own touches.
    pub const RULE_BASED: &'static [AttributionModel] = &[
        AttributionModel::EqualSplit,
        AttributionModel::FirstTouch,
        AttributionModel::LastTouch,
        AttributionModel::TimeDecay,
        AttributionModel::RoleBased,
        AttributionModel::PositionBased,
        AttributionModel::WShaped,
        AttributionModel::FullPath,
        AttributionModel::JShaped,
        AttributionModel::InverseJ,
    ];

    /// The name people use for the model.
    pub fn name(self) -> &'static str {
        use AttributionModel::*;
        match self {
            EqualSplit => "Equal split",
            FirstTouch => "First touch",
            LastTouch => "Last touch",
            TimeDecay => "Time decay",
            RoleBased => "Role-based",
            PositionBased => "Position-based (U-shaped)",
            WShaped => "W-shaped",
            FullPath => "Full path",
            JShaped => "J-shaped",
            InverseJ => "Inverse J",
            Shapley => "Data-driven (Shapley)",
            Markov => "Data-driven (Markov)",
        }
    }

    /// How the model credits partners, in one sentence for people choosing one.
    pub fn summary(self) -> &'static str {
        use AttributionModel::*;
        match self {
            EqualSplit => "Every touch counts the same.",
            FirstTouch => "All credit to the partner who touched the deal first.",
            LastTouch => "All credit to the partner who touched the deal last.",
            TimeDecay => {
                "Touches closer to the close count more; a touch one half-life earlier counts half."
            }
            RoleBased => "Each kind of touch has its weight (a registration more than a demo).",
            PositionBased => "Most credit to the first and last touches, the rest shared between.",
            WShaped => "First touch, deal registration and last touch share most of the credit.",
            FullPath => {
                "First touch, registration, opportunity and last touch share most of the credit."
            }
            JShaped => "Most credit to the last touch, some to the first.",
            InverseJ => "Most credit to the first touch, some to the last.",
            Shapley => {
                "Learned from won and lost deals: each partner's fair share of the lift in win rate."
            }
            Markov => {
                "Learned from won and lost deals: how much winning drops without each partner."
            }
        }
    }

    pub fn is_data_driven(self) -> bool {
        matches!(self, AttributionModel::Shapley | AttributionModel::Markov)
    }
}

/// A partner's interaction with a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Touch {
    pub partner: PartnerId,
    pub kind: TouchpointKind,
    pub at: DateTime<Utc>,
}

impl Touch {
    /// The order touches are considered in: by time, then partner, then kind, so the input order
    /// never matters.
    fn sort_key(&self) -> (DateTime<Utc>, PartnerId, TouchpointKind) {
        (self.at, self.partner, self.kind)
    }
}

/// A closed deal to attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealInput {
    pub deal: DealId,
    pub amount: Money,
    pub closed_at: DateTime<Utc>,
    pub touches: Vec<Touch>,
}

/// One partner's credit on a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub partner: PartnerId,
    /// The fraction of the deal, rounded to 12 decimal places for display; `amount` is exact.
    pub share: Decimal,
    pub amount: Money,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// Splits in ascending partner id order; their amounts add up to the deal amount exactly.
    Attributed(Vec<Split>),
    /// No partner touched the deal before it closed.
    Unattributed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealAttribution {
    pub deal: DealId,
    pub model: AttributionModel,
    pub amount: Money,
    pub outcome: Outcome,
    /// Touches after the close, which no model credits.
    pub ignored_touches: Vec<Touch>,
}

impl DealAttribution {
    pub fn splits(&self) -> &[Split] {
        match &self.outcome {
            Outcome::Attributed(splits) => splits,
            Outcome::Unattributed => &[],
        }
    }
}

/// Attributes one deal under one rule-based model. Data-driven models learn from history: use
/// [`Engine`] for those.
pub fn attribute(
    deal: &DealInput,
    model: AttributionModel,
    settings: &ModelSettings,
) -> Result<DealAttribution, DomainError> {
    if model.is_data_driven() {
        return Err(DomainError::NeedsHistory(model.to_string()));
    }
    attribute_with(deal, model, |touches| {
        rule_based(model, touches, deal.closed_at, settings)
    })
}

/// Attributes every deal under every rule-based model, for side-by-side comparison: one list per
/// model, in the order given, each in the order of `deals`.
pub fn compare(
    deals: &[DealInput],
    models: &[AttributionModel],
    settings: &ModelSettings,
) -> Result<Vec<Vec<DealAttribution>>, DomainError> {
    models
        .iter()
        .map(|&model| {
            deals
                .iter()
                .map(|deal| attribute(deal, model, settings))
                .collect()
        })
        .collect()
}

/// What one partner earned on a deal, before the amount is split.
#[derive(Debug, Default)]
struct PartnerCredit {
    weight: Decimal,
    credits: Vec<TouchCredit>,
    basis: Option<PartnerBasis>,
}

/// The weights a model gives a deal's partners, the model they came from (another one after a
/// fallback) and why.
struct Weighing {
    model: AttributionModel,
    partners: BTreeMap<PartnerId, PartnerCredit>,
    fallback: Option<Fallback>,
}

/// Sorts and filters the touches, asks `weigh` for partner weights, and splits the amount.
fn attribute_with(
    deal: &DealInput,
    model: AttributionModel,
    weigh: impl FnOnce(&[Touch]) -> Result<Weighing, DomainError>,
) -> Result<DealAttribution, DomainError> {
    let (mut touches, mut ignored): (Vec<Touch>, Vec<Touch>) =
        deal.touches.iter().partition(|t| t.at <= deal.closed_at);
    touches.sort_by_key(Touch::sort_key);
    ignored.sort_by_key(Touch::sort_key);
    let outcome = if touches.is_empty() {
        Outcome::Unattributed
    } else {
        Outcome::Attributed(split(deal.amount, weigh(&touches)?)?)
    };
    Ok(DealAttribution {
        deal: deal.deal,
        model,
        amount: deal.amount,
        outcome,
        ignored_touches: ignored,
    })
}

/// Touch weights of a rule-based model, summed per partner. When every touch weighs zero under
/// the settings, the touches share equally instead, and the explanation says so.
fn rule_based(
    model: AttributionModel,
    touches: &[Touch],
    closed_at: DateTime<Utc>,
    settings: &ModelSettings,
) -> Result<Weighing, DomainError> {
    let mut credits = models::touch_credits(model, touches, closed_at, settings)?;
    let mut fallback = None;
    if credits.iter().all(|c| c.weight.is_zero()) {
        fallback = Some(Fallback::AllWeightsZero);
        credits = touches
            .iter()
            .map(|&touch| TouchCredit {
                touch,
                weight: Decimal::ONE,
                basis: Basis::Equal,
            })
            .collect();
    }
    let mut partners: BTreeMap<PartnerId, PartnerCredit> = BTreeMap::new();
    for credit in credits.into_iter().filter(|c| !c.weight.is_zero()) {
        let entry = partners.entry(credit.touch.partner).or_default();
        entry.weight = entry
            .weight
            .checked_add(credit.weight)
            .ok_or(DomainError::Overflow)?;
        entry.credits.push(credit);
    }
    Ok(Weighing {
        model,
        partners,
        fallback,
    })
}

/// Splits the amount in proportion to the partners' weights (all positive, at least one).
fn split(amount: Money, weighing: Weighing) -> Result<Vec<Split>, DomainError> {
    let Weighing {
        model,
        partners,
        fallback,
    } = weighing;
    let total: Decimal = partners
        .values()
        .try_fold(Decimal::ZERO, |sum, p| sum.checked_add(p.weight))
        .ok_or(DomainError::Overflow)?;
    let weights: Vec<Decimal> = partners.values().map(|p| p.weight).collect();
    let amounts = amount.allocate(&weights)?;
    partners
        .into_iter()
        .zip(amounts)
        .map(|((partner, credit), amount)| {
            let share = credit
                .weight
                .checked_div(total)
                .ok_or(DomainError::Overflow)?
                .round_dp_with_strategy(12, RoundingStrategy::MidpointAwayFromZero);
            Ok(Split {
                partner,
                share,
                amount,
                explanation: Explanation {
                    model,
                    credits: credit.credits,
                    weight: credit.weight,
                    total_weight: total,
                    share,
                    partner_basis: credit.basis,
                    fallback,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
