//! The organization's attribution settings: the payable model and the parameters of the
//! rule-based models, with a preview of how a change would move credit on last quarter's won deals.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::attribution::AttributionModel;
use crate::domain::attribution::form::SettingsForm;
use crate::domain::ids::PartnerId;
use crate::domain::money::{Currency, Money};
use crate::domain::reporting::DateRange;

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

#[server(endpoint = "settings/attribution")]
pub async fn get_attribution_settings() -> Result<AttributionSettings, AppError> {
    use crate::server::{context, services};
    context::finish(services::attribution_settings::current().await)
}

/// How the proposed settings would split last quarter's won deals, next to the current ones.
#[server(endpoint = "settings/attribution/preview")]
pub async fn preview_attribution_settings(
    #[server(default)] form: SettingsForm,
) -> Result<SettingsPreview, AppError> {
    use crate::server::{context, services};
    context::finish(services::attribution_settings::preview(form).await)
}

/// Saves the settings. Deals won from now on use them; won deals keep their stored splits until
/// they are re-attributed.
#[server(endpoint = "settings/attribution/save")]
pub async fn save_attribution_settings(
    #[server(default)] form: SettingsForm,
) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::attribution_settings::save(form).await)
}

/// The partner program's tier bars, as the program settings page edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSettings {
    pub form: crate::domain::tier_program::TierBarsForm,
    /// The base currency the bars are in.
    pub currency: crate::domain::money::Currency,
    pub editable: bool,
}

#[server(endpoint = "settings/program")]
pub async fn load_program_settings() -> Result<ProgramSettings, AppError> {
    use crate::server::{context, services};
    context::finish(services::program_settings::current().await)
}

#[server(endpoint = "settings/program/save")]
pub async fn save_program_settings(
    form: crate::domain::tier_program::TierBarsForm,
) -> Result<ProgramSettings, AppError> {
    use crate::server::{context, services};
    context::finish(services::program_settings::save(form).await)
}
