//! Payout and dispute state machines. The database enforces the same rules (see migrations).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DomainError;
use super::ids::UserId;
use super::labels::label_enum;

label_enum! {
    /// pending → approved → paid; pending or approved → rejected. Paid and rejected are final.
    pub enum PayoutStatus ("payout status") {
        Pending => "pending",
        Approved => "approved",
        Paid => "paid",
        Rejected => "rejected",
    }
}

label_enum! {
    /// open → under_review → resolved | rejected; an open dispute may also be rejected at once.
    pub enum DisputeStatus ("dispute status") {
        Open => "open",
        UnderReview => "under_review",
        Resolved => "resolved",
        Rejected => "rejected",
    }
}

impl PayoutStatus {
    pub fn is_final(self) -> bool {
        matches!(self, PayoutStatus::Paid | PayoutStatus::Rejected)
    }

    pub fn transition(self, to: PayoutStatus) -> Result<PayoutStatus, DomainError> {
        use PayoutStatus::*;
        match (self, to) {
            (Pending, Approved) | (Approved, Paid) | (Pending | Approved, Rejected) => Ok(to),
            _ => Err(illegal("payout", self, to)),
        }
    }
}

impl DisputeStatus {
    pub fn is_final(self) -> bool {
        matches!(self, DisputeStatus::Resolved | DisputeStatus::Rejected)
    }

    pub fn transition(self, to: DisputeStatus) -> Result<DisputeStatus, DomainError> {
        use DisputeStatus::*;
        match (self, to) {
            (Open, UnderReview) | (Open, Rejected) | (UnderReview, Resolved | Rejected) => Ok(to),
            _ => Err(illegal("dispute", self, to)),
        }
    }
}

label_enum! {
    /// What finance does to a payout.
    pub enum PayoutVerb ("payout action") {
        Approve => "approve",
        Reject => "reject",
        MarkPaid => "mark_paid",
    }
}

/// A payout action as typed: the fields the verb needs, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutActionForm {
    pub verb: String,
    /// Why (rejections).
    pub reason: String,
    /// The payment's reference (payments).
    pub reference: String,
    /// `YYYY-MM-DD`: the day it was paid (payments).
    pub paid_on: String,
}

/// A payout action, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutAction {
    Approve,
    Reject {
        reason: String,
    },
    MarkPaid {
        reference: String,
        paid_on: NaiveDate,
    },
}

impl PayoutActionForm {
    /// `today` bounds the payment date: a payment cannot be recorded ahead of time.
    pub fn validate(&self, today: NaiveDate) -> Result<PayoutAction, Vec<(&'static str, String)>> {
        let verb: PayoutVerb = self
            .verb
            .parse()
            .map_err(|e: DomainError| vec![("verb", e.to_string())])?;
        match verb {
            PayoutVerb::Approve => Ok(PayoutAction::Approve),
            PayoutVerb::Reject => {
                let reason = self.reason.trim();
                if reason.is_empty() {
                    Err(vec![("reason", "Say why the payout is rejected.".into())])
                } else if reason.chars().count() > 500 {
                    Err(vec![("reason", "Use at most 500 characters.".into())])
                } else {
                    Ok(PayoutAction::Reject {
                        reason: reason.to_owned(),
                    })
                }
            }
            PayoutVerb::MarkPaid => {
                let mut errors = Vec::new();
                let reference = self.reference.trim();
                if reference.is_empty() {
                    errors.push(("reference", "Enter the payment's reference.".into()));
                } else if reference.chars().count() > 100 {
                    errors.push(("reference", "Use at most 100 characters.".into()));
                }
                let paid_on = match self.paid_on.trim().parse::<NaiveDate>() {
                    Ok(day) if day > today => {
                        errors.push(("paid_on", "A payment cannot be in the future.".into()));
                        None
                    }
                    Ok(day) => Some(day),
                    Err(_) => {
                        errors.push(("paid_on", "Use a date such as 2026-03-31.".into()));
                        None
                    }
                };
                match paid_on {
                    Some(paid_on) if errors.is_empty() => Ok(PayoutAction::MarkPaid {
                        reference: reference.to_owned(),
                        paid_on,
                    }),
                    _ => Err(errors),
                }
            }
        }
    }
}

impl PayoutAction {
    pub fn verb(&self) -> PayoutVerb {
        match self {
            PayoutAction::Approve => PayoutVerb::Approve,
            PayoutAction::Reject { .. } => PayoutVerb::Reject,
            PayoutAction::MarkPaid { .. } => PayoutVerb::MarkPaid,
        }
    }

    /// The status the action leads to.
    pub fn to(&self) -> PayoutStatus {
        match self {
            PayoutAction::Approve => PayoutStatus::Approved,
            PayoutAction::Reject { .. } => PayoutStatus::Rejected,
            PayoutAction::MarkPaid { .. } => PayoutStatus::Paid,
        }
    }
}

label_enum! {
    /// Why an action passed over a payout.
    pub enum SkipReason ("skip reason") {
        /// Its status does not allow the action (already approved, paid or rejected).
        Status => "status",
        /// Four-eyes: the actor created or last changed it.
        OwnChange => "own_change",
        /// Someone else changed it while the action ran.
        ChangedMeanwhile => "changed_meanwhile",
    }
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Status => "its status does not allow it",
            SkipReason::OwnChange => "you created or last changed it (four-eyes rule)",
            SkipReason::ChangedMeanwhile => "someone changed it at the same time",
        }
    }
}

/// The facts about a payout that decide whether `actor` may act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayoutState {
    pub status: PayoutStatus,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
}

/// Whether `actor` may take `action` on a payout in `state`: the workflow's transitions, and
/// with `four_eyes`, no approving a commission one created or last changed.
pub fn may_act(
    action: &PayoutAction,
    state: PayoutState,
    actor: UserId,
    four_eyes: bool,
) -> Result<(), SkipReason> {
    state
        .status
        .transition(action.to())
        .map_err(|_| SkipReason::Status)?;
    let own = state.created_by == Some(actor) || state.updated_by == Some(actor);
    if four_eyes && action.verb() == PayoutVerb::Approve && own {
        return Err(SkipReason::OwnChange);
    }
    Ok(())
}

fn illegal(kind: &str, from: impl ToString, to: impl ToString) -> DomainError {
    DomainError::IllegalTransition {
        kind: kind.into(),
        from: from.to_string(),
        to: to.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (from, to) pair, checked against the allowed list: nothing else may pass.
    fn check_all<S: Copy + PartialEq + std::fmt::Debug>(
        all: &[S],
        allowed: &[(S, S)],
        transition: impl Fn(S, S) -> Result<S, DomainError>,
    ) {
        for from in all {
            for to in all {
                let ok = allowed.contains(&(*from, *to));
                assert_eq!(transition(*from, *to).is_ok(), ok, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn payout_transitions_are_exactly_the_workflow() {
        use PayoutStatus::*;
        check_all(
            PayoutStatus::ALL,
            &[
                (Pending, Approved),
                (Approved, Paid),
                (Pending, Rejected),
                (Approved, Rejected),
            ],
            PayoutStatus::transition,
        );
        assert!(Paid.is_final() && Rejected.is_final() && !Approved.is_final());
    }

    #[test]
    fn dispute_transitions_are_exactly_the_workflow() {
        use DisputeStatus::*;
        check_all(
            DisputeStatus::ALL,
            &[
                (Open, UnderReview),
                (Open, Rejected),
                (UnderReview, Resolved),
                (UnderReview, Rejected),
            ],
            DisputeStatus::transition,
        );
    }

    #[test]
    fn illegal_transition_messages_name_both_states() {
        let err = PayoutStatus::Paid
            .transition(PayoutStatus::Pending)
            .unwrap_err();
        assert_eq!(err.to_string(), "a payout cannot go from paid to pending");
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn payout_actions_are_checked_as_typed() {
        let today = day(2026, 11, 27);
        let form = |verb: &str, reason: &str, reference: &str, paid_on: &str| PayoutActionForm {
            verb: verb.into(),
            reason: reason.into(),
            reference: reference.into(),
            paid_on: paid_on.into(),
        };
        assert_eq!(
            form("approve", "", "", "").validate(today),
            Ok(PayoutAction::Approve)
        );
        assert_eq!(
            form("reject", "  ", "", "").validate(today).unwrap_err()[0].0,
            "reason"
        );
        assert_eq!(
            form("reject", " Duplicate ", "", "").validate(today),
            Ok(PayoutAction::Reject {
                reason: "Duplicate".into()
            })
        );
        let fields: Vec<_> = form("mark_paid", "", "", "2999-01-01")
            .validate(today)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["reference", "paid_on"]);
        assert_eq!(
            form("mark_paid", "", "WIRE-7", "2026-11-27").validate(today),
            Ok(PayoutAction::MarkPaid {
                reference: "WIRE-7".into(),
                paid_on: today
            })
        );
        assert!(form("refund", "", "", "").validate(today).is_err());
    }

    #[test]
    fn four_eyes_stops_only_approving_ones_own_change() {
        let (me, author, other) = (UserId(1), UserId(2), UserId(3));
        let state = |status, created_by, updated_by| PayoutState {
            status,
            created_by,
            updated_by,
        };
        let mine = state(PayoutStatus::Pending, Some(author), Some(me));
        assert_eq!(
            may_act(&PayoutAction::Approve, mine, me, true),
            Err(SkipReason::OwnChange)
        );
        assert_eq!(may_act(&PayoutAction::Approve, mine, me, false), Ok(()));
        assert_eq!(may_act(&PayoutAction::Approve, mine, other, true), Ok(()));
        assert_eq!(
            may_act(&PayoutAction::Approve, mine, author, true),
            Err(SkipReason::OwnChange)
        );
        let reject = PayoutAction::Reject { reason: "x".into() };
        assert_eq!(may_act(&reject, mine, me, true), Ok(()));
        let system = state(PayoutStatus::Pending, None, None);
        assert_eq!(may_act(&PayoutAction::Approve, system, me, true), Ok(()));
        let paid = state(PayoutStatus::Paid, None, None);
        assert_eq!(
            may_act(&PayoutAction::Approve, paid, me, false),
            Err(SkipReason::Status)
        );
    }
}
