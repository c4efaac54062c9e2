//! Disputes: a partner (in the portal) or a partner manager questions a deal's attribution or a
//! payout, with a reason; the company reviews it and resolves it with an adjustment, positive or
//! negative, or rejects it with an answer. Both sides write in the dispute's thread.
//! The status machine itself is [`DisputeStatus`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::ids::{DealId, PartnerId, PayoutId};
use super::labels::label_enum;
use super::payout::DisputeStatus;

label_enum! {
    /// Who wrote a message: the partner, or someone at the company.
    pub enum Side ("side") {
        Partner => "partner",
        Company => "company",
    }
}

label_enum! {
    /// What the company does with a dispute.
    pub enum DisputeVerb ("dispute action") {
        StartReview => "start_review",
        Resolve => "resolve",
        Reject => "reject",
    }
}

/// What is disputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    /// The partner's credit on a deal.
    Attribution(DealId),
    Payout(PayoutId),
}

/// A new dispute as typed. A partner user's own partner is implied; a manager names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisputeForm {
    pub deal_id: String,
    pub payout_id: String,
    pub partner_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeDraft {
    pub subject: Subject,
    pub partner: Option<PartnerId>,
    pub reason: String,
}

type Errors = Vec<(&'static str, String)>;

const LONGEST: usize = 2000;

/// A message or answer: trimmed, not empty, at most 2,000 characters.
pub fn text(body: &str, empty: &str) -> Result<String, String> {
    let body = body.trim();
    if body.is_empty() {
        Err(empty.to_owned())
    } else if body.chars().count() > LONGEST {
        Err(format!("Use at most {LONGEST} characters."))
    } else {
        Ok(body.to_owned())
    }
}

fn id(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

impl DisputeForm {
    pub fn validate(&self) -> Result<DisputeDraft, Errors> {
        let mut errors = Vec::new();
        let subject = match (id(&self.deal_id), id(&self.payout_id)) {
            (_, Some(payout)) => Some(Subject::Payout(PayoutId(payout))),
            (Some(deal), None) => Some(Subject::Attribution(DealId(deal))),
            (None, None) => {
                errors.push((
                    "subject",
                    "Choose the deal or the payout in question.".into(),
                ));
                None
            }
        };
        let partner = match self.partner_id.trim() {
            "" => None,
            text => match id(text) {
                Some(p) => Some(PartnerId(p)),
                None => {
                    errors.push(("partner_id", "Choose a partner.".into()));
                    None
                }
            },
        };
        let reason = text(&self.reason, "Say what is wrong and why.")
            .map_err(|e| errors.push(("reason", e)))
            .ok();
        match (subject, reason) {
            (Some(subject), Some(reason)) if errors.is_empty() => Ok(DisputeDraft {
                subject,
                partner,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// The company's action as typed. `adjustment` is signed: negative takes money back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisputeActionForm {
    pub verb: String,
    pub answer: String,
    pub adjustment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeAction {
    StartReview,
    /// The answer, and the adjustment (never zero) in the subject's currency.
    Resolve {
        answer: String,
        adjustment: Decimal,
    },
    Reject {
        answer: String,
    },
}

impl DisputeActionForm {
    pub fn validate(&self) -> Result<DisputeAction, Errors> {
        let verb: DisputeVerb = self
            .verb
            .parse()
            .map_err(|e: DomainError| vec![("verb", e.to_string())])?;
        let answer = || text(&self.answer, "Write the answer the partner will read.");
        match verb {
            DisputeVerb::StartReview => Ok(DisputeAction::StartReview),
            DisputeVerb::Reject => answer()
                .map(|answer| DisputeAction::Reject { answer })
                .map_err(|e| vec![("answer", e)]),
            DisputeVerb::Resolve => {
                let mut errors = Vec::new();
                let answer = answer().map_err(|e| errors.push(("answer", e))).ok();
                let typed = self.adjustment.trim();
                let adjustment = match super::money::parse_amount(typed) {
                    _ if typed.is_empty() => {
                        errors.push((
                            "adjustment",
                            "Enter the adjustment: positive pays the partner more, negative takes money back."
                                .into(),
                        ));
                        None
                    }
                    Some(value) if value.is_zero() => {
                        errors.push((
                            "adjustment",
                            "A resolution adjusts the commission; with nothing to change, reject the dispute with an answer."
                                .into(),
                        ));
                        None
                    }
                    Some(value) => Some(value),
                    None => {
                        errors.push((
                            "adjustment",
                            format!(
                                "\"{}\" is not an amount (such as 250 or -120.50).",
                                self.adjustment.trim()
                            ),
                        ));
                        None
                    }
                };
                match (answer, adjustment) {
                    (Some(answer), Some(adjustment)) => {
                        Ok(DisputeAction::Resolve { answer, adjustment })
                    }
                    _ => Err(errors),
                }
            }
        }
    }
}

impl DisputeAction {
    pub fn to(&self) -> DisputeStatus {
        match self {
            DisputeAction::StartReview => DisputeStatus::UnderReview,
            DisputeAction::Resolve { .. } => DisputeStatus::Resolved,
            DisputeAction::Reject { .. } => DisputeStatus::Rejected,
        }
    }
}

impl DisputeStatus {
    /// The company's actions from this status, in the order a manager would offer them.
    pub fn verbs(self) -> Vec<DisputeVerb> {
        DisputeVerb::ALL
            .iter()
            .copied()
            .filter(|v| {
                let to = match v {
                    DisputeVerb::StartReview => DisputeStatus::UnderReview,
                    DisputeVerb::Resolve => DisputeStatus::Resolved,
                    DisputeVerb::Reject => DisputeStatus::Rejected,
                };
                self.transition(to).is_ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(verb: &str, answer: &str, adjustment: &str) -> Result<DisputeAction, Errors> {
        DisputeActionForm {
            verb: verb.into(),
            answer: answer.into(),
            adjustment: adjustment.into(),
        }
        .validate()
    }

    #[test]
    fn a_dispute_names_its_subject_and_its_reason() {
        let form = DisputeForm {
            deal_id: "12".into(),
            reason: "  We introduced the buyer.  ".into(),
            ..DisputeForm::default()
        };
        let draft = form.validate().unwrap();
        assert_eq!(draft.subject, Subject::Attribution(DealId(12)));
        assert_eq!(draft.reason, "We introduced the buyer.");
        let payout = DisputeForm {
            payout_id: "7".into(),
            ..form.clone()
        };
        assert_eq!(
            payout.validate().unwrap().subject,
            Subject::Payout(PayoutId(7))
        );
        let empty = DisputeForm {
            partner_id: "x".into(),
            reason: "x".repeat(2001),
            ..DisputeForm::default()
        };
        let fields: Vec<_> = empty
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, ["subject", "partner_id", "reason"]);
    }

    #[test]
    fn resolving_needs_an_answer_and_a_signed_adjustment() {
        assert_eq!(
            act("resolve", "Credit split with Apex.", "-1,250.50"),
            Ok(DisputeAction::Resolve {
                answer: "Credit split with Apex.".into(),
                adjustment: Decimal::new(-125_050, 2),
            })
        );
        let fields = |r: Result<DisputeAction, Errors>| -> Vec<&str> {
            r.unwrap_err().into_iter().map(|e| e.0).collect()
        };
        assert_eq!(fields(act("resolve", "", "0")), ["answer", "adjustment"]);
        assert_eq!(fields(act("resolve", "ok", "ten")), ["adjustment"]);
        assert_eq!(fields(act("reject", " ", "")), ["answer"]);
        assert_eq!(fields(act("escalate", "", "")), ["verb"]);
        assert_eq!(act("start_review", "", ""), Ok(DisputeAction::StartReview));
    }

    #[test]
    fn each_status_offers_only_its_legal_moves() {
        use DisputeVerb::*;
        assert_eq!(DisputeStatus::Open.verbs(), [StartReview, Reject]);
        assert_eq!(DisputeStatus::UnderReview.verbs(), [Resolve, Reject]);
        assert!(DisputeStatus::Resolved.verbs().is_empty());
        assert!(DisputeStatus::Rejected.verbs().is_empty());
    }
}
