//! The organization's attribution settings: the payable model and the parameters of the
//! rule-based models, with a preview of how a change would move credit on last quarter's won deals.

use domain::attribution::AttributionModel;
use domain::attribution::form::SettingsForm;
use domain::ids::PartnerId;
use domain::money::{Currency, Money};
use domain::reporting::DateRange;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionSettings {
    pub form: SettingsForm,
    /// The settings a new organization starts with, for "reset to defaults".
    pub defaults: SettingsForm,
    /// Whether the caller may change them (others see them read-only).
    pub editable: bool,
}

/// One partner's credit on the preview's deals, now and under the proposed settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub partner_id: PartnerId,
    pub name: String,
    pub credit_now: Money,
    pub credit_proposed: Money,
    /// Under the commission rules in force, split by split.
    pub commission_now: Money,
    pub commission_proposed: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsPreview {
    pub range: DateRange,
    pub currency: Currency,
    pub payable_now: AttributionModel,
    pub payable_proposed: AttributionModel,
    /// Won deals in the range, in the base currency.
    pub deals: u64,
    /// Of those, the deals whose payable split would change.
    pub deals_moved: u64,
    /// Won deals in the range in another currency: not in the preview.
    pub other_currency_deals: u64,
    /// Partners whose credit moves most first; at most [`PREVIEW_ROWS`].
    pub rows: Vec<PreviewRow>,
    /// Partners with a change beyond those rows.
    pub more: u64,
    pub commission_now: Money,
    pub commission_proposed: Money,
}

/// Rows in the preview table.
pub const PREVIEW_ROWS: usize = 25;

/// The partner program's tier bars, as the program settings page edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSettings {
    pub form: domain::tier_program::TierBarsForm,
    /// The base currency the bars are in.
    pub currency: domain::money::Currency,
    pub editable: bool,
}
