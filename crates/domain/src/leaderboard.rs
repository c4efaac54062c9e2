//! Ranking partners for a period: by attributed revenue, by deals influenced, or by win rate.

use rust_decimal::Decimal;

use super::ids::PartnerId;
use super::labels::label_enum;

label_enum! {
    /// What a leaderboard ranks by.
    pub enum Ranking ("ranking") {
        /// Won revenue credited to the partner under the chosen model.
        Revenue => "revenue",
        /// Deals the partner touched during the period.
        Deals => "deals",
        /// Won deals among the closed deals the partner touched.
        WinRate => "win_rate",
    }
}

/// One partner's numbers for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerStats {
    pub partner: PartnerId,
    /// Minor units of the base currency (a total, so wider than a stored amount).
    pub attributed_minor: i128,
    pub deals_influenced: u32,
    pub deals_won: u32,
    pub deals_closed: u32,
}

impl PartnerStats {
    /// Won over closed, exact; `None` with no closed deal.
    pub fn win_rate(&self) -> Option<Decimal> {
        (self.deals_closed > 0)
            .then(|| Decimal::from(self.deals_won) / Decimal::from(self.deals_closed))
    }

    fn key(&self, ranking: Ranking) -> Option<Decimal> {
        match ranking {
            Ranking::Revenue => Some(Decimal::from(self.attributed_minor)),
            Ranking::Deals => Some(Decimal::from(self.deals_influenced)),
            Ranking::WinRate => self.win_rate(),
        }
    }
}

/// Partners in leaderboard order with their rank: highest first, ties sharing a rank (1, 2, 2,
/// 4) and listed by partner id; partners with nothing to rank by (no closed deal, for the win
/// rate) come last, unranked.
pub fn rank(stats: &[PartnerStats], ranking: Ranking) -> Vec<(PartnerId, Option<u32>)> {
    let mut ordered: Vec<&PartnerStats> = stats.iter().collect();
    ordered.sort_by(|a, b| {
        b.key(ranking)
            .cmp(&a.key(ranking))
            .then(a.partner.cmp(&b.partner))
    });
    let mut out = Vec::with_capacity(ordered.len());
    let mut previous: Option<(Decimal, u32)> = None;
    for (index, s) in ordered.into_iter().enumerate() {
        let rank = s.key(ranking).map(|key| match previous {
            Some((last, rank)) if last == key => rank,
            _ => {
                let rank = index as u32 + 1;
                previous = Some((key, rank));
                rank
            }
        });
        out.push((s.partner, rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(id: i64, minor: i128, influenced: u32, won: u32, closed: u32) -> PartnerStats {
        PartnerStats {
            partner: PartnerId(id),
            attributed_minor: minor,
            deals_influenced: influenced,
            deals_won: won,
            deals_closed: closed,
        }
    }

    #[test]
    fn ranks_descend_and_ties_share_a_rank() {
        let all = [
            stats(3, 500, 1, 0, 0),
            stats(1, 900, 4, 1, 2),
            stats(2, 500, 4, 2, 2),
            stats(4, 100, 9, 1, 4),
        ];
        assert_eq!(
            rank(&all, Ranking::Revenue),
            [
                (PartnerId(1), Some(1)),
                (PartnerId(2), Some(2)),
                (PartnerId(3), Some(2)),
                (PartnerId(4), Some(4))
            ]
        );
        assert_eq!(
            rank(&all, Ranking::Deals),
            [
                (PartnerId(4), Some(1)),
                (PartnerId(1), Some(2)),
                (PartnerId(2), Some(2)),
                (PartnerId(3), Some(4))
            ]
        );
        // 2: 100 %, 1: 50 %, 4: 25 %, 3: no closed deal.
        assert_eq!(
            rank(&all, Ranking::WinRate),
            [
                (PartnerId(2), Some(1)),
                (PartnerId(1), Some(2)),
                (PartnerId(4), Some(3)),
                (PartnerId(3), None)
            ]
        );
    }

    #[test]
    fn win_rates_are_exact() {
        assert_eq!(
            stats(1, 0, 0, 1, 3).win_rate(),
            Some(Decimal::ONE / Decimal::from(3))
        );
        assert_eq!(stats(1, 0, 0, 0, 0).win_rate(), None);
    }
}
