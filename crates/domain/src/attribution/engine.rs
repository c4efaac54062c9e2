//! The engine with what it learned: every model, rule-based and data-driven.

use std::collections::BTreeMap;

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::learned::{CoalitionRates, RemovalEffects, shapley};
use super::{
    AttributionModel, DealAttribution, DealInput, Fallback, HistoricalDeal, HistorySize,
    ModelSettings, PartnerBasis, PartnerCredit, Touch, Weighing, attribute_with, compare,
    rule_based,
};
use crate::DomainError;
use crate::ids::PartnerId;

/// Settings plus what the data-driven models learned from closed deals.
#[derive(Debug, Clone)]
pub struct Engine {
    settings: ModelSettings,
    history: HistorySize,
    learned: Option<Learned>,
}

#[derive(Debug, Clone)]
struct Learned {
    rates: Option<CoalitionRates>,
    markov: Option<RemovalEffects>,
}

impl Engine {
    pub fn new(settings: ModelSettings) -> Result<Engine, DomainError> {
        settings.validate()?;
        Ok(Engine {
            settings,
            history: HistorySize::default(),
            learned: None,
        })
    }

    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    pub fn history(&self) -> HistorySize {
        self.history
    }

    /// The win probability of the learned Markov chain (from start to won), if learned.
    pub fn markov_win_probability(&self) -> Option<Decimal> {
        self.learned
            .as_ref()
            .and_then(|l| l.markov.as_ref())
            .map(|m| decimal(m.win_probability))
    }

    /// Learns every data-driven model from closed deals, replacing what was learned before. With
    /// less history than the settings require, they fall back to the configured rule-based model.
    pub fn learn(&mut self, history: &[HistoricalDeal]) {
        self.learn_for(
            history,
            &[AttributionModel::Shapley, AttributionModel::Markov],
        );
    }

    /// Learns only what `models` need (learning Shapley's coalition rates and the Markov chain
    /// both read the whole history: skip what will not be used).
    pub fn learn_for(&mut self, history: &[HistoricalDeal], models: &[AttributionModel]) {
        let won = history.iter().filter(|d| d.won).count() as u32;
        self.history = HistorySize {
            closed: history.len() as u32,
            won,
            lost: history.len() as u32 - won,
        };
        let rules = &self.settings.data_driven;
        let enough = self.history.closed >= rules.min_closed_deals
            && self.history.won >= rules.min_won_and_lost
            && self.history.lost >= rules.min_won_and_lost;
        let shrinkage = f64::try_from(rules.shrinkage).unwrap_or(0.0);
        self.learned = enough.then(|| Learned {
            rates: models
                .contains(&AttributionModel::Shapley)
                .then(|| CoalitionRates::learn(history, shrinkage)),
            markov: models
                .contains(&AttributionModel::Markov)
                .then(|| RemovalEffects::learn(history)),
        });
    }

    pub fn attribute(
        &self,
        deal: &DealInput,
        model: AttributionModel,
    ) -> Result<DealAttribution, DomainError> {
        if !model.is_data_driven() {
            return super::attribute(deal, model, &self.settings);
        }
        attribute_with(deal, model, |touches| {
            self.data_driven(deal, model, touches)
        })
    }

    /// Every deal under every model: one list per model, in the order given.
    pub fn compare(
        &self,
        deals: &[DealInput],
        models: &[AttributionModel],
    ) -> Result<Vec<Vec<DealAttribution>>, DomainError> {
        if models.iter().all(|m| !m.is_data_driven()) {
            return compare(deals, models, &self.settings);
        }
        models
            .iter()
            .map(|&model| {
                deals
                    .iter()
                    .map(|deal| self.attribute(deal, model))
                    .collect()
            })
            .collect()
    }

    fn data_driven(
        &self,
        deal: &DealInput,
        model: AttributionModel,
        touches: &[Touch],
    ) -> Result<Weighing, DomainError> {
        let rules = &self.settings.data_driven;
        let Some(learned) = &self.learned else {
            // Too little history (or none given): the named rule-based model instead.
            return self.fall_back(
                deal,
                touches,
                Fallback::NotEnoughHistory {
                    requested: model,
                    closed: self.history.closed,
                    won: self.history.won,
                    lost: self.history.lost,
                    needed_closed: rules.min_closed_deals,
                    needed_each: rules.min_won_and_lost,
                },
            );
        };
        let mut partners: Vec<PartnerId> = touches.iter().map(|t| t.partner).collect();
        partners.sort();
        partners.dedup();
        let not_learned = || DomainError::NeedsHistory(model.to_string());
        let weights: Vec<(PartnerId, Decimal, PartnerBasis)> = match model {
            AttributionModel::Shapley => {
                let rates = learned.rates.as_ref().ok_or_else(not_learned)?;
                let values = shapley(
                    rates,
                    &partners,
                    rules.exact_shapley_up_to as usize,
                    rules.shapley_samples,
                    deal.deal.0 as u64,
                );
                let coalition = decimal(values.coalition_value);
                let bound = values.error_bound.map(decimal);
                partners
                    .iter()
                    .zip(&values.values)
                    .map(|(&partner, &value)| {
                        let basis = PartnerBasis::Shapley {
                            value: decimal(value),
                            coalition_win_rate: coalition,
                            partners: partners.len() as u32,
                            error_bound: bound,
                            clipped: value < 0.0,
                        };
                        (partner, decimal(value.max(0.0)), basis)
                    })
                    .collect()
            }
            _ => {
                let markov = learned.markov.as_ref().ok_or_else(not_learned)?;
                partners
                    .iter()
                    .map(|&partner| {
                        let effect = markov.effects.get(&partner).copied().unwrap_or(0.0);
                        let effect = decimal(effect);
                        (
                            partner,
                            effect,
                            PartnerBasis::Markov {
                                removal_effect: effect,
                            },
                        )
                    })
                    .collect()
            }
        };
        if weights.iter().all(|(_, w, _)| w.is_zero()) {
            return self.fall_back(
                deal,
                touches,
                Fallback::NoPositiveCredit { requested: model },
            );
        }
        let partners: BTreeMap<PartnerId, PartnerCredit> = weights
            .into_iter()
            .filter(|(_, weight, _)| !weight.is_zero())
            .map(|(partner, weight, basis)| {
                (
                    partner,
                    PartnerCredit {
                        weight,
                        credits: Vec::new(),
                        basis: Some(basis),
                    },
                )
            })
            .collect();
        Ok(Weighing {
            model,
            partners,
            fallback: None,
        })
    }

    fn fall_back(
        &self,
        deal: &DealInput,
        touches: &[Touch],
        why: Fallback,
    ) -> Result<Weighing, DomainError> {
        let mut weighing = rule_based(
            self.settings.data_driven.fallback,
            touches,
            deal.closed_at,
            &self.settings,
        )?;
        weighing.fallback = Some(why);
        Ok(weighing)
    }
}

/// A probability as a decimal, rounded to 12 places by a named strategy.
fn decimal(value: f64) -> Decimal {
    Decimal::from_f64(value)
        .unwrap_or(Decimal::ZERO)
        .round_dp_with_strategy(12, RoundingStrategy::MidpointAwayFromZero)
}
