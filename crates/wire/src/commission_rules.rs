//! Commission rules: the list in the order they apply, one rule with its versions, saving (a new
//! rule, or a new version of one from a date), ending a rule, and the what-if replay of last
//! quarter's won deals under a proposed version.

use chrono::NaiveDate;
use domain::commission_rules::{KindName, RuleForm};
use domain::ids::PartnerId;
use domain::labels::label_enum;
use domain::money::Money;
use serde::{Deserialize, Serialize};

label_enum! {
    /// Where a version stands today.
    pub enum VersionStatus ("version status") {
        /// Starts later.
        Scheduled => "scheduled",
        InForce => "in_force",
        Ended => "ended",
        /// A newer version from the same day took its place before anything was paid on it.
        Replaced => "replaced",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    /// The version's own row: what payouts name.
    pub id: i64,
    pub version: u32,
    /// The terms in a few words ("10 % of attributed revenue").
    pub summary: String,
    pub scope: String,
    pub priority: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub status: VersionStatus,
    pub saved_by: Option<String>,
    pub saved_on: NaiveDate,
}

/// A rule as listed: its latest version, and its place in the order base rules are chosen in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRow {
    pub rule_id: i64,
    pub name: String,
    pub kind: KindName,
    pub latest: VersionRow,
    pub versions: u32,
    /// 1 for the base rule that wins first when several cover a partner; `None` for SPIFs,
    /// which all add up.
    pub precedence: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesPage {
    pub rules: Vec<RuleRow>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDetail {
    pub rule_id: i64,
    pub name: String,
    /// The latest version, as the form shows it; the next version's start defaults to today.
    pub form: RuleForm,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    /// The partner of a one-partner rule, for the picker.
    pub partner: Option<(PartnerId, String)>,
    pub can_edit: bool,
}

/// One partner's commissions on the replayed deals, now and under the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub deals: u32,
    pub current: Money,
    pub proposed: Money,
    pub difference: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePreview {
    /// "Q3 2026".
    pub period: String,
    /// Partner credits replayed (one per partner per won deal).
    pub credits: u32,
    /// The proposal's dates miss the period, so it was replayed as if in force throughout.
    pub as_if_whole_period: bool,
    /// Partners whose commission changes, the largest change first.
    pub rows: Vec<PreviewRow>,
    /// Totals per currency: now and proposed.
    pub totals: Vec<(Money, Money)>,
    /// Partners whose commission is unchanged.
    pub unchanged: u32,
}
