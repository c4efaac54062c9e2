//! The commission ledger of one deal and one partner, and how it follows a change of credit.
//!
//! A deal's commissions are entries: the commission itself, and later adjustments (more money)
//! and clawbacks (money back) when the deal is re-attributed or re-opened. Entries finance has
//! approved or paid are settled: they are never edited; a change of credit adds a compensating
//! entry instead. Pending entries are not yet promised, so they are brought to the new amount
//! (or cancelled). After [`reconcile`], the partner's open balance on the deal, the sum of its
//! entries that are not rejected, equals the new commission exactly.
//!
//! Amounts here are minor units of the deal's one currency: the caller keeps the currency.

use super::labels::label_enum;
use super::payout::PayoutStatus;

label_enum! {
    /// What a ledger entry is: its amount is stored positive, a clawback counts negative.
    pub enum EntryKind ("commission kind") {
        /// The commission on the partner's credit when the deal was won.
        Commission => "commission",
        /// More commission after the credit grew (once something was already settled).
        Adjustment => "adjustment",
        /// Commission taken back after the credit shrank or the deal re-opened.
        Clawback => "clawback",
    }
}

impl EntryKind {
    /// +1 or -1: how an entry's amount counts toward the balance.
    pub fn sign(self) -> i64 {
        match self {
            EntryKind::Clawback => -1,
            _ => 1,
        }
    }
}

/// One existing entry, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub kind: EntryKind,
    pub status: PayoutStatus,
    /// Positive minor units; [`EntryKind::sign`] gives the direction.
    pub amount_minor: i64,
}

impl Entry {
    fn signed(&self) -> i64 {
        self.kind.sign() * self.amount_minor
    }

    fn is_settled(&self) -> bool {
        matches!(self.status, PayoutStatus::Approved | PayoutStatus::Paid)
    }
}

/// One write that brings the ledger to the new commission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A pending entry gets a new amount.
    Resize { id: i64, amount_minor: i64 },
    /// A pending entry is no longer owed (rejected as superseded).
    Cancel { id: i64 },
    /// A new pending entry; a compensating one names the latest settled entry it corrects.
    Add {
        kind: EntryKind,
        amount_minor: i64,
        corrects: Option<i64>,
    },
}

/// What counts toward the balance: every entry that is not rejected.
pub fn balance(entries: &[Entry]) -> i64 {
    entries
        .iter()
        .filter(|e| e.status != PayoutStatus::Rejected)
        .map(Entry::signed)
        .sum()
}

/// The changes that make the entries' balance equal `target` (minor units, zero or more), touching
/// only pending entries and adding at most one. Applying them twice changes nothing more.
pub fn reconcile(entries: &[Entry], target: i64) -> Vec<Change> {
    let settled: Vec<&Entry> = entries.iter().filter(|e| e.is_settled()).collect();
    let pending: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.status == PayoutStatus::Pending)
        .collect();
    let owed = target - settled.iter().map(|e| e.signed()).sum::<i64>();
    let kind = match owed {
        0 => None,
        _ if owed < 0 => Some(EntryKind::Clawback),
        _ if settled.is_empty() => Some(EntryKind::Commission),
        _ => Some(EntryKind::Adjustment),
    };
    let amount_minor = owed.abs();
    // Keep the oldest pending entry of the right kind, resized; cancel the others.
    let kept = kind.and_then(|kind| pending.iter().find(|e| e.kind == kind).map(|e| e.id));
    let mut changes: Vec<Change> = pending
        .iter()
        .filter_map(|e| match kept {
            Some(id) if id == e.id => {
                (e.amount_minor != amount_minor).then_some(Change::Resize { id, amount_minor })
            }
            _ => Some(Change::Cancel { id: e.id }),
        })
        .collect();
    if let (Some(kind), None) = (kind, kept) {
        changes.push(Change::Add {
            kind,
            amount_minor,
            corrects: settled.iter().map(|e| e.id).max(),
        });
    }
    changes
}

/// The entries after `changes`, with `next_id` numbering the added ones: what the database holds
/// once the service has written them. Used by tests and previews.
pub fn apply(entries: &[Entry], changes: &[Change], mut next_id: i64) -> Vec<Entry> {
    let mut result = entries.to_vec();
    for change in changes {
        match *change {
            Change::Resize { id, amount_minor } => {
                if let Some(e) = result.iter_mut().find(|e| e.id == id) {
                    e.amount_minor = amount_minor;
                }
            }
            Change::Cancel { id } => {
                if let Some(e) = result.iter_mut().find(|e| e.id == id) {
                    e.status = PayoutStatus::Rejected;
                }
            }
            Change::Add {
                kind, amount_minor, ..
            } => {
                result.push(Entry {
                    id: next_id,
                    kind,
                    status: PayoutStatus::Pending,
                    amount_minor,
                });
                next_id += 1;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryKind::*;
    use PayoutStatus::*;
    use proptest::prelude::*;

    fn entry(id: i64, kind: EntryKind, status: PayoutStatus, amount_minor: i64) -> Entry {
        Entry {
            id,
            kind,
            status,
            amount_minor,
        }
    }

    #[test]
    fn first_win_creates_the_commission() {
        assert_eq!(
            reconcile(&[], 1_250),
            vec![Change::Add {
                kind: Commission,
                amount_minor: 1_250,
                corrects: None
            }]
        );
        assert!(reconcile(&[], 0).is_empty(), "no credit, no entry");
    }

    #[test]
    fn a_pending_commission_is_resized_or_cancelled() {
        let pending = [entry(1, Commission, Pending, 1_000)];
        assert_eq!(
            reconcile(&pending, 600),
            vec![Change::Resize {
                id: 1,
                amount_minor: 600
            }]
        );
        assert_eq!(reconcile(&pending, 0), vec![Change::Cancel { id: 1 }]);
        assert!(reconcile(&pending, 1_000).is_empty(), "unchanged credit");
    }

    #[test]
    fn a_paid_commission_is_never_touched_but_clawed_back() {
        let paid = [entry(7, Commission, Paid, 1_000)];
        assert_eq!(
            reconcile(&paid, 0),
            vec![Change::Add {
                kind: Clawback,
                amount_minor: 1_000,
                corrects: Some(7)
            }]
        );
        assert_eq!(
            reconcile(&paid, 1_300),
            vec![Change::Add {
                kind: Adjustment,
                amount_minor: 300,
                corrects: Some(7)
            }]
        );
    }

    #[test]
    fn re_winning_at_the_same_credit_cancels_the_clawback() {
        let entries = [
            entry(7, Commission, Paid, 1_000),
            entry(8, Clawback, Pending, 1_000),
        ];
        assert_eq!(reconcile(&entries, 1_000), vec![Change::Cancel { id: 8 }]);
    }

    #[test]
    fn rejected_entries_count_for_nothing() {
        let entries = [entry(1, Commission, Rejected, 1_000)];
        assert_eq!(balance(&entries), 0);
        assert_eq!(
            reconcile(&entries, 500),
            vec![Change::Add {
                kind: Commission,
                amount_minor: 500,
                corrects: None
            }]
        );
    }

    proptest! {
        /// Whatever happened before (credit changes, finance approving, paying and rejecting),
        /// after reconciling the balance is the new commission, settled entries are untouched,
        /// and reconciling again changes nothing.
        #[test]
        fn the_balance_always_follows_the_credit(
            steps in prop::collection::vec((0i64..5_000, 0u8..4), 1..12),
        ) {
            let mut entries: Vec<Entry> = Vec::new();
            for (target, finance) in steps {
                let settled: Vec<Entry> = entries.iter().filter(|e| e.is_settled()).copied().collect();
                let changes = reconcile(&entries, target);
                let next = entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
                entries = apply(&entries, &changes, next);
                prop_assert_eq!(balance(&entries), target);
                prop_assert!(entries.iter().all(|e| e.amount_minor >= 0));
                for before in &settled {
                    prop_assert!(entries.contains(before), "settled entry changed: {:?}", before);
                }
                prop_assert!(reconcile(&entries, target).is_empty());
                // Finance acts on the pending entries between changes of credit.
                for e in entries.iter_mut().filter(|e| e.status == Pending) {
                    e.status = match finance { 0 => Pending, 1 => Approved, 2 => Paid, _ => Rejected };
                    if e.status == Paid && e.amount_minor == 0 { e.status = Pending; }
                }
            }
        }
    }
}
