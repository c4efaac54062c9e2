//! Partner earnings: payouts summed per status, by month and by partner. Clawbacks count
//! negative; rejected entries earn nothing and are left out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::PartnerId;
use super::ledger::EntryKind;
use super::payout::PayoutStatus;

/// One ledger entry, as the summary needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    pub partner: PartnerId,
    pub month: NaiveDate,
    pub status: PayoutStatus,
    pub kind: EntryKind,
    /// One entry's amount, or the database's sum of several (which can exceed 64 bits).
    pub amount_minor: i128,
}

impl Earned {
    fn signed(&self) -> i128 {
        i128::from(self.kind.sign()) * self.amount_minor
    }
}

/// Pending, approved and paid amounts (minor units; totals, so wider than a stored amount).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByStatus {
    pub pending: i128,
    pub approved: i128,
    pub paid: i128,
}

impl ByStatus {
    fn add(&mut self, status: PayoutStatus, minor: i128) {
        match status {
            PayoutStatus::Pending => self.pending += minor,
            PayoutStatus::Approved => self.approved += minor,
            PayoutStatus::Paid => self.paid += minor,
            PayoutStatus::Rejected => {}
        }
    }

    pub fn total(&self) -> i128 {
        self.pending + self.approved + self.paid
    }
}

/// Sums per month and per partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Every month asked for, in order, zero where nothing was earned.
    pub months: Vec<(NaiveDate, ByStatus)>,
    /// Largest total first, ties by id.
    pub partners: Vec<(PartnerId, ByStatus)>,
}

pub fn summarize(entries: &[Earned], months: &[NaiveDate]) -> Summary {
    let mut by_month: BTreeMap<NaiveDate, ByStatus> =
        months.iter().map(|m| (*m, ByStatus::default())).collect();
    let mut by_partner: BTreeMap<PartnerId, ByStatus> = BTreeMap::new();
    for entry in entries {
        if entry.status == PayoutStatus::Rejected {
            continue;
        }
        let minor = entry.signed();
        if let Some(month) = by_month.get_mut(&entry.month) {
            month.add(entry.status, minor);
        }
        by_partner
            .entry(entry.partner)
            .or_default()
            .add(entry.status, minor);
    }
    let mut partners: Vec<(PartnerId, ByStatus)> = by_partner.into_iter().collect();
    partners.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(&b.0)));
    Summary {
        months: by_month.into_iter().collect(),
        partners,
    }
}

/// Everything earned from `since` on (by the month it was earned), per status.
pub fn earned_since(entries: &[Earned], since: NaiveDate) -> ByStatus {
    let mut sums = ByStatus::default();
    for entry in entries.iter().filter(|e| e.month >= since) {
        sums.add(entry.status, entry.signed());
    }
    sums
}

/// What the next payment run owes: the approved entries' sum and how many there are.
pub fn awaiting_payment(entries: &[Earned]) -> (i128, u64) {
    entries
        .iter()
        .filter(|e| e.status == PayoutStatus::Approved)
        .fold((0, 0), |(sum, n), e| (sum + e.signed(), n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, 1).unwrap()
    }

    fn entry(partner: i64, m: u32, status: PayoutStatus, kind: EntryKind, minor: i128) -> Earned {
        Earned {
            partner: PartnerId(partner),
            month: month(m),
            status,
            kind,
            amount_minor: minor,
        }
    }

    #[test]
    fn sums_per_status_with_clawbacks_negative_and_rejections_left_out() {
        use EntryKind::*;
        use PayoutStatus::*;
        let entries = [
            entry(1, 1, Paid, Commission, 1_000),
            entry(1, 2, Pending, Clawback, 300),
            entry(2, 2, Approved, Commission, 5_000),
            entry(2, 2, Rejected, Commission, 9_999),
            entry(3, 9, Paid, Commission, 50),
        ];
        let Summary { months, partners } = summarize(&entries, &[month(1), month(2), month(3)]);
        assert_eq!(months.len(), 3);
        assert_eq!(months[0].1.paid, 1_000);
        assert_eq!(
            months[1].1,
            ByStatus {
                pending: -300,
                approved: 5_000,
                paid: 0
            }
        );
        assert_eq!(months[2].1.total(), 0);
        let order: Vec<i64> = partners.iter().map(|(p, _)| p.0).collect();
        assert_eq!(order, [2, 1, 3]);
        assert_eq!(partners[1].1.total(), 700);
    }

    #[test]
    fn earned_since_counts_from_the_month_named_and_awaiting_payment_sums_approved() {
        use EntryKind::*;
        use PayoutStatus::*;
        let entries = [
            entry(1, 3, Paid, Commission, 1_000),
            entry(1, 4, Approved, Commission, 2_000),
            entry(1, 5, Approved, Clawback, 500),
            entry(1, 6, Pending, Commission, 300),
            entry(1, 6, Rejected, Commission, 9_999),
        ];
        assert_eq!(
            earned_since(&entries, month(4)),
            ByStatus {
                pending: 300,
                approved: 1_500,
                paid: 0
            }
        );
        assert_eq!(earned_since(&entries, month(1)).paid, 1_000);
        assert_eq!(awaiting_payment(&entries), (1_500, 2));
    }
}
