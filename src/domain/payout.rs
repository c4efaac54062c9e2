//! Payout and dispute state machines. The database enforces the same rules (see migrations).

use super::DomainError;
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
}
