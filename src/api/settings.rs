//! The organization's attribution settings: the payable model and the parameters of the
//! rule-based models, with a preview of how a change would move credit on last quarter's won deals.

pub use wire::settings::*;

use super::AppError;
use crate::domain::attribution::form::SettingsForm;
use leptos::prelude::*;

#[server(endpoint = "settings/attribution")]
pub async fn get_attribution_settings() -> Result<AttributionSettings, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::attribution_settings::current(&caller).await })
        .await
}

/// How the proposed settings would split last quarter's won deals, next to the current ones.
#[server(endpoint = "settings/attribution/preview")]
pub async fn preview_attribution_settings(
    #[server(default)] form: SettingsForm,
) -> Result<SettingsPreview, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::attribution_settings::preview(&caller, form).await },
    )
    .await
}

/// Saves the settings. Deals won from now on use them; won deals keep their stored splits until
/// they are re-attributed.
#[server(endpoint = "settings/attribution/save")]
pub async fn save_attribution_settings(
    #[server(default)] form: SettingsForm,
) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(
        |caller| async move { services::attribution_settings::save(&caller, form).await },
    )
    .await
}

#[server(endpoint = "settings/program")]
pub async fn load_program_settings() -> Result<ProgramSettings, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::program_settings::current(&caller).await }).await
}

#[server(endpoint = "settings/program/save")]
pub async fn save_program_settings(
    form: crate::domain::tier_program::TierBarsForm,
) -> Result<ProgramSettings, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::program_settings::save(&caller, form).await })
        .await
}
