//! Touchpoints: what a partner did on a deal.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ids::PartnerId;
use super::labels::label_enum;

label_enum! {
    pub enum TouchpointKind ("touchpoint kind") {
        Referral => "referral",
        Introduction => "introduction",
        Demo => "demo",
        Proposal => "proposal",
        CoSell => "co_sell",
        Negotiation => "negotiation",
        TechnicalValidation => "technical_validation",
        DealRegistration => "deal_registration",
        MarketplaceListing => "marketplace_listing",
    }
}

impl TouchpointKind {
    /// Whether a deal whose first partner touch is of this kind was brought in by the partner
    /// (partner-sourced) rather than worked on once it existed (partner-influenced).
    pub fn sources(self) -> bool {
        matches!(
            self,
            TouchpointKind::Referral
                | TouchpointKind::Introduction
                | TouchpointKind::DealRegistration
                | TouchpointKind::MarketplaceListing
        )
    }
}

/// A touchpoint as typed: which partner, what kind, on which day, with an optional note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TouchpointForm {
    pub partner_id: String,
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub occurred_on: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchpointDraft {
    pub partner: PartnerId,
    pub kind: TouchpointKind,
    /// Noon UTC of the day given: touches are recorded by day.
    pub occurred_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl TouchpointForm {
    /// `today` bounds the date: a touch cannot be recorded in the future.
    pub fn validate(
        &self,
        today: NaiveDate,
    ) -> Result<TouchpointDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let partner = self
            .partner_id
            .parse::<PartnerId>()
            .map_err(|_| errors.push(("partner_id", "Choose the partner.".to_owned())))
            .ok();
        let kind = self
            .kind
            .parse::<TouchpointKind>()
            .map_err(|e| errors.push(("kind", e.to_string())))
            .ok();
        let day = match self.occurred_on.trim().parse::<NaiveDate>() {
            Ok(day) if day > today => {
                errors.push(("occurred_on", "A touch cannot be in the future.".to_owned()));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(("occurred_on", "Use a date such as 2026-03-31.".to_owned()));
                None
            }
        };
        let note = self.note.trim();
        if note.chars().count() > 1000 {
            errors.push(("note", "Use at most 1000 characters.".to_owned()));
        }
        match (partner, kind, day) {
            (Some(partner), Some(kind), Some(day)) if errors.is_empty() => Ok(TouchpointDraft {
                partner,
                kind,
                occurred_at: day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc(),
                note: (!note.is_empty()).then(|| note.to_owned()),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touchpoint_forms_parse_or_name_every_bad_field() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let form = TouchpointForm {
            partner_id: "7".into(),
            kind: "co_sell".into(),
            occurred_on: "2026-05-20".into(),
            note: " Joint call ".into(),
        };
        let draft = form.validate(today).unwrap();
        assert_eq!(draft.partner, PartnerId(7));
        assert_eq!(draft.occurred_at.to_rfc3339(), "2026-05-20T12:00:00+00:00");
        assert_eq!(draft.note.as_deref(), Some("Joint call"));
        let bad = TouchpointForm {
            partner_id: "".into(),
            kind: "lunch".into(),
            occurred_on: "2026-06-02".into(),
            note: String::new(),
        };
        let fields: Vec<_> = bad
            .validate(today)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["partner_id", "kind", "occurred_on"]);
    }

    #[test]
    fn kinds_use_snake_case_labels_and_readable_titles() {
        assert_eq!(TouchpointKind::CoSell.as_str(), "co_sell");
        assert_eq!(
            TouchpointKind::TechnicalValidation.title(),
            "Technical validation"
        );
        assert_eq!(
            "deal_registration".parse(),
            Ok(TouchpointKind::DealRegistration)
        );
        assert!("co-sell".parse::<TouchpointKind>().is_err());
    }
}
