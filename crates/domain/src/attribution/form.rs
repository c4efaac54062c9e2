//! The organization's attribution settings as the settings page types them, and their validation
//! into the payable model and [`ModelSettings`]. Every field is text, so what the user typed is
//! kept when it is wrong, and each error names its field.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{AttributionModel, ModelSettings, SlotWeights};
use crate::touchpoint::TouchpointKind;

/// The key of the weight of touch kinds without one of their own.
pub const OTHER_KINDS: &str = "other";

/// The models whose slot weights the page edits, in the order it shows them.
pub const POSITION_MODELS: &[AttributionModel] = &[
    AttributionModel::PositionBased,
    AttributionModel::WShaped,
    AttributionModel::FullPath,
    AttributionModel::JShaped,
    AttributionModel::InverseJ,
];

/// The slots of a position model, as (key, label).
pub const SLOTS: &[(&str, &str)] = &[
    ("first", "First"),
    ("registration", "Registration"),
    ("opportunity", "Opportunity"),
    ("last", "Last"),
    ("rest", "Others"),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub payable_model: String,
    pub half_life_days: String,
    /// An IANA time zone name (`Europe/Berlin`), the calendar days before a close are counted in.
    pub time_zone: String,
    /// Touch kind label (or [`OTHER_KINDS`]) → weight.
    pub role_weights: BTreeMap<String, String>,
    /// Position model label → slot key → weight in percent.
    pub slots: BTreeMap<String, BTreeMap<String, String>>,
}

/// The field name of an error, as the page keys its inputs.
pub fn role_field(kind: &str) -> String {
    format!("role_weights.{kind}")
}

pub fn slot_field(model: AttributionModel, slot: &str) -> String {
    format!("slots.{}.{slot}", model.as_str())
}

fn slot_values(w: &SlotWeights) -> [Decimal; 5] {
    [w.first, w.registration, w.opportunity, w.last, w.rest]
}

/// A time zone as typed: an IANA name in any letter case, with spaces around it ignored.
pub fn time_zone(typed: &str) -> Result<Tz, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Enter a time zone such as Europe/Berlin or UTC.".into());
    }
    Tz::from_str_insensitive(typed).map_err(|_| {
        format!("\"{typed}\" is not a time zone: use a name such as Europe/Berlin, America/New_York or UTC.")
    })
}

fn text(value: Decimal) -> String {
    value.normalize().to_string()
}

/// A weight or a number of days typed in a field: zero or more, at most a million.
fn number(
    errors: &mut Vec<(String, String)>,
    field: String,
    value: &str,
    what: &str,
) -> Option<Decimal> {
    let value = value.trim();
    match value.parse::<Decimal>() {
        _ if value.is_empty() => {
            errors.push((field, format!("Enter {what}.")));
            None
        }
        Ok(n) if n < Decimal::ZERO => {
            errors.push((field, "Use zero or more.".into()));
            None
        }
        Ok(n) if n > Decimal::from(1_000_000) => {
            errors.push((field, "Use at most 1,000,000.".into()));
            None
        }
        Ok(n) => Some(n),
        Err(_) => {
            errors.push((field, format!("\"{value}\" is not a number.")));
            None
        }
    }
}

impl SettingsForm {
    /// The form showing stored settings.
    pub fn from_settings(payable: AttributionModel, settings: &ModelSettings) -> SettingsForm {
        let mut role_weights: BTreeMap<String, String> = TouchpointKind::ALL
            .iter()
            .map(|kind| {
                let weight = settings.role_weights.by_kind.get(kind).copied();
                (
                    kind.as_str().to_owned(),
                    weight.map(text).unwrap_or_default(),
                )
            })
            .collect();
        role_weights.insert(OTHER_KINDS.into(), text(settings.role_weights.other));
        let slots = POSITION_MODELS
            .iter()
            .filter_map(|model| {
                let weights = settings.slots(*model)?;
                let values = SLOTS
                    .iter()
                    .zip(slot_values(weights))
                    .map(|((key, _), value)| ((*key).to_owned(), text(value)))
                    .collect();
                Some((model.as_str().to_owned(), values))
            })
            .collect();
        SettingsForm {
            payable_model: payable.as_str().to_owned(),
            half_life_days: text(settings.half_life_days),
            time_zone: settings.time_zone.name().to_owned(),
            role_weights,
            slots,
        }
    }

    /// The payable model and settings, starting from `base` for what the page does not edit
    /// (the data-driven models' settings), or every problem by field.
    pub fn validate(
        &self,
        base: &ModelSettings,
    ) -> Result<(AttributionModel, ModelSettings), Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut settings = base.clone();
        let payable = self
            .payable_model
            .parse::<AttributionModel>()
            .map_err(|_| {
                errors.push(("payable_model".into(), "Choose the payable model.".into()));
            })
            .ok();

        match number(
            &mut errors,
            "half_life_days".into(),
            &self.half_life_days,
            "the half-life in days",
        ) {
            Some(days) if days.is_zero() => {
                errors.push((
                    "half_life_days".into(),
                    "A half-life is more than zero days.".into(),
                ));
            }
            Some(days) => settings.half_life_days = days,
            None => {}
        }

        match time_zone(&self.time_zone) {
            Ok(zone) => settings.time_zone = zone,
            Err(message) => errors.push(("time_zone".into(), message)),
        }

        // A kind left empty weighs what "other kinds" weighs.
        let mut by_kind = BTreeMap::new();
        for kind in TouchpointKind::ALL {
            let typed = self
                .role_weights
                .get(kind.as_str())
                .map(String::as_str)
                .unwrap_or_default();
            if typed.trim().is_empty() {
                continue;
            }
            if let Some(weight) = number(&mut errors, role_field(kind.as_str()), typed, "a weight")
            {
                by_kind.insert(*kind, weight);
            }
        }
        let other = number(
            &mut errors,
            role_field(OTHER_KINDS),
            self.role_weights
                .get(OTHER_KINDS)
                .map(String::as_str)
                .unwrap_or_default(),
            "the weight of other kinds",
        );
        if let Some(other) = other {
            if other.is_zero() && by_kind.values().all(Decimal::is_zero) {
                errors.push((
                    role_field(OTHER_KINDS),
                    "At least one role weight must be more than zero.".into(),
                ));
            }
            settings.role_weights.by_kind = by_kind;
            settings.role_weights.other = other;
        }

        for model in POSITION_MODELS {
            let typed = self.slots.get(model.as_str());
            let values: Vec<Option<Decimal>> = SLOTS
                .iter()
                .map(|(slot, label)| {
                    let value = typed
                        .and_then(|t| t.get(*slot))
                        .map(String::as_str)
                        .unwrap_or_default();
                    number(
                        &mut errors,
                        slot_field(*model, slot),
                        value,
                        &format!("the {} weight", label.to_lowercase()),
                    )
                })
                .collect();
            let Some(values) = values.into_iter().collect::<Option<Vec<Decimal>>>() else {
                continue;
            };
            if values.iter().all(Decimal::is_zero) {
                errors.push((
                    slot_field(*model, "first"),
                    format!(
                        "{}: at least one weight must be more than zero.",
                        model.name()
                    ),
                ));
                continue;
            }
            let weights = SlotWeights {
                first: values[0],
                registration: values[1],
                opportunity: values[2],
                last: values[3],
                rest: values[4],
            };
            match model {
                AttributionModel::PositionBased => settings.position_based = weights,
                AttributionModel::WShaped => settings.w_shaped = weights,
                AttributionModel::FullPath => settings.full_path = weights,
                AttributionModel::JShaped => settings.j_shaped = weights,
                _ => settings.inverse_j = weights,
            }
        }

        match (payable, errors.is_empty()) {
            (Some(payable), true) => match settings.validate() {
                Ok(()) => Ok((payable, settings)),
                Err(e) => Err(vec![("form".into(), e.to_string())]),
            },
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_come_back_unchanged() {
        let settings = ModelSettings::default();
        for model in AttributionModel::ALL {
            let form = SettingsForm::from_settings(*model, &settings);
            assert_eq!(form.validate(&settings), Ok((*model, settings.clone())));
        }
    }

    #[test]
    fn changes_land_in_the_settings() {
        let base = ModelSettings::default();
        let mut form = SettingsForm::from_settings(AttributionModel::EqualSplit, &base);
        form.payable_model = "time_decay".into();
        form.half_life_days = " 45.5 ".into();
        form.time_zone = " america/new_york".into();
        form.role_weights.insert("demo".into(), "40".into());
        form.role_weights.insert("referral".into(), "".into());
        form.slots
            .get_mut("position_based")
            .unwrap()
            .insert("rest".into(), "50".into());
        let (payable, settings) = form.validate(&base).unwrap();
        assert_eq!(payable, AttributionModel::TimeDecay);
        assert_eq!(settings.half_life_days, Decimal::new(455, 1));
        assert_eq!(settings.time_zone, Tz::America__New_York);
        assert_eq!(
            SettingsForm::from_settings(payable, &settings).time_zone,
            "America/New_York",
            "shown as the zone's own name"
        );
        assert_eq!(
            settings.role_weights.weight(TouchpointKind::Demo),
            Decimal::from(40)
        );
        assert_eq!(
            settings.role_weights.weight(TouchpointKind::Referral),
            settings.role_weights.other,
            "an empty kind weighs as other kinds"
        );
        assert_eq!(settings.position_based.rest, Decimal::from(50));
        assert_eq!(settings.data_driven, base.data_driven, "kept from the base");
    }

    #[test]
    fn every_bad_field_is_named() {
        let base = ModelSettings::default();
        let mut form = SettingsForm::from_settings(AttributionModel::EqualSplit, &base);
        form.payable_model = "coin_toss".into();
        form.half_life_days = "0".into();
        form.time_zone = "Central European".into();
        form.role_weights.insert("demo".into(), "-1".into());
        form.role_weights.insert(OTHER_KINDS.into(), "lots".into());
        let slots = form.slots.get_mut("j_shaped").unwrap();
        for slot in SLOTS {
            slots.insert(slot.0.into(), "0".into());
        }
        let fields: Vec<String> = form
            .validate(&base)
            .unwrap_err()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(
            fields,
            [
                "payable_model",
                "half_life_days",
                "time_zone",
                "role_weights.demo",
                "role_weights.other",
                "slots.j_shaped.first",
            ]
        );
    }

    #[test]
    fn all_zero_role_weights_are_refused() {
        let base = ModelSettings::default();
        let mut form = SettingsForm::from_settings(AttributionModel::EqualSplit, &base);
        for weight in form.role_weights.values_mut() {
            *weight = "0".into();
        }
        let errors = form.validate(&base).unwrap_err();
        assert_eq!(errors[0].0, "role_weights.other");
    }
}
