//! Per-touch weights for each rule-based model. Touches arrive sorted and all before the close.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::explanation::{Basis, SlotRole, TouchCredit};
use super::settings::{ModelSettings, SlotWeights};
use super::{AttributionModel, Touch, decay};
use crate::DomainError;
use crate::touchpoint::TouchpointKind;

pub(super) fn touch_credits(
    model: AttributionModel,
    touches: &[Touch],
    closed_at: DateTime<Utc>,
    settings: &ModelSettings,
) -> Result<Vec<TouchCredit>, DomainError> {
    use AttributionModel::*;
    let credit = |touch: &Touch, weight: Decimal, basis: Basis| TouchCredit {
        touch: *touch,
        weight,
        basis,
    };
    let last = touches.len() - 1;
    Ok(match model {
        EqualSplit => touches
            .iter()
            .map(|t| credit(t, Decimal::ONE, Basis::Equal))
            .collect(),
        FirstTouch => vec![credit(&touches[0], Decimal::ONE, Basis::FirstTouch)],
        LastTouch => vec![credit(&touches[last], Decimal::ONE, Basis::LastTouch)],
        TimeDecay => touches
            .iter()
            .map(|t| {
                let basis = Basis::Decay {
                    days_before_close: decay::days_before(t.at, closed_at, settings.time_zone),
                    half_life_days: settings.half_life_days,
                };
                credit(
                    t,
                    decay::weight(t.at, closed_at, settings.half_life_days, settings.time_zone),
                    basis,
                )
            })
            .collect(),
        RoleBased => touches
            .iter()
            .map(|t| credit(t, settings.role_weights.weight(t.kind), Basis::Role))
            .collect(),
        PositionBased | WShaped | FullPath | JShaped | InverseJ => {
            let slots = settings
                .slots(model)
                .copied()
                .unwrap_or(SlotWeights::percent(1, 0, 0, 1, 1));
            slot_credits(touches, &slots)
        }
        Shapley | Markov => return Err(DomainError::NeedsHistory(model.to_string())),
    })
}

/// Which touch fills which slot (see [`SlotWeights`]), as roles per touch index.
pub(super) fn assign_slots(touches: &[Touch], slots: &SlotWeights) -> Vec<Vec<SlotRole>> {
    let n = touches.len();
    let mut roles = vec![Vec::new(); n];
    roles[0].push(SlotRole::First);
    roles[n - 1].push(SlotRole::Last);
    let middle = 1..n.saturating_sub(1);
    let mut taken = None;
    if !slots.registration.is_zero() {
        let registration = middle
            .clone()
            .find(|&i| touches[i].kind == TouchpointKind::DealRegistration)
            .or_else(|| middle.clone().next());
        if let Some(i) = registration {
            roles[i].push(SlotRole::Registration);
            taken = Some(i);
        }
    }
    if !slots.opportunity.is_zero() {
        let after = taken.map_or(middle.start, |i| i + 1)..middle.end;
        let opportunity = after
            .clone()
            .find(|&i| touches[i].kind == TouchpointKind::Proposal)
            .or_else(|| after.clone().next());
        if let Some(i) = opportunity {
            roles[i].push(SlotRole::Opportunity);
        }
    }
    for i in middle {
        if roles[i].is_empty() {
            roles[i].push(SlotRole::Rest);
        }
    }
    roles
}

/// Position-model weights, exact: every weight is multiplied by the number of `rest` touches, so
/// each of those gets `rest` instead of the inexact `rest / count`.
fn slot_credits(touches: &[Touch], slots: &SlotWeights) -> Vec<TouchCredit> {
    let roles = assign_slots(touches, slots);
    let rest_count = roles.iter().filter(|r| r.contains(&SlotRole::Rest)).count();
    let scale = Decimal::from(rest_count.max(1));
    touches
        .iter()
        .zip(roles)
        .map(|(touch, roles)| {
            let weight = roles
                .iter()
                .map(|role| match role {
                    SlotRole::First => slots.first * scale,
                    SlotRole::Registration => slots.registration * scale,
                    SlotRole::Opportunity => slots.opportunity * scale,
                    SlotRole::Last => slots.last * scale,
                    SlotRole::Rest => slots.rest,
                })
                .sum();
            TouchCredit {
                touch: *touch,
                weight,
                basis: Basis::Slots {
                    roles,
                    rest_touches: rest_count as u32,
                },
            }
        })
        .collect()
}
