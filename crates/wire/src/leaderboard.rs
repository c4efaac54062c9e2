//! The partner leaderboard: who brought the most, for a period and an attribution model, with
//! each partner's rank change since the period before.

use domain::attribution::AttributionModel;
use domain::ids::PartnerId;
use domain::leaderboard::Ranking;
use domain::money::{Currency, Money};
use domain::reporting::{DateRange, Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderRow {
    /// `None` when there is nothing to rank by (no closed deal, for the win rate).
    pub rank: Option<u32>,
    /// The rank in the period before; `None` when the partner was not ranked then.
    pub previous_rank: Option<u32>,
    pub partner_id: PartnerId,
    pub name: String,
    pub attributed: Money,
    pub deals_influenced: u32,
    pub deals_won: u32,
    pub deals_closed: u32,
    pub win_rate: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub period: Period,
    pub range: DateRange,
    pub previous: DateRange,
    pub model: AttributionModel,
    pub ranking: Ranking,
    pub currency: Currency,
    pub rows: Vec<LeaderRow>,
    /// Won deals in other currencies, left out of the revenue until exchange rates exist.
    pub other_currency_deals: u64,
}

/// Rows shown: the top of the board.
pub const LEADERBOARD_SIZE: usize = 50;
