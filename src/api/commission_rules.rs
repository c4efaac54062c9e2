//! Commission rules: the list in the order they apply, one rule with its versions, saving (a new
//! rule, or a new version of one from a date), ending a rule, and the what-if replay of last
//! quarter's won deals under a proposed version.

pub use wire::commission_rules::*;

use super::AppError;
use crate::domain::commission_rules::RuleForm;
use leptos::prelude::*;

#[server(endpoint = "commission-rules/list")]
pub async fn list_rules() -> Result<RulesPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::commission_rules::list(&caller).await }).await
}

#[server(endpoint = "commission-rules/get")]
pub async fn get_rule(rule_id: i64) -> Result<RuleDetail, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::commission_rules::get(&caller, rule_id).await })
        .await
}

/// Saves a new rule (`rule_id` empty) or a new version of one; returns the rule's id.
#[server(endpoint = "commission-rules/save")]
pub async fn save_rule(rule_id: Option<i64>, form: RuleForm) -> Result<i64, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::commission_rules::save(&caller, rule_id, form).await
    })
    .await
}

/// Ends a rule after `last_day` (YYYY-MM-DD).
#[server(endpoint = "commission-rules/end")]
pub async fn end_rule(rule_id: i64, last_day: String) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::commission_rules::end(&caller, rule_id, last_day).await
    })
    .await
}

/// Last quarter's won deals replayed under the proposal, nothing saved.
#[server(endpoint = "commission-rules/preview")]
pub async fn preview_rule(rule_id: Option<i64>, form: RuleForm) -> Result<RulePreview, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::commission_rules::preview(&caller, rule_id, form).await
    })
    .await
}
