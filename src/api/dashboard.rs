//! The manager dashboard: headline numbers and revenue by month.

pub use wire::dashboard::*;

use super::AppError;
use leptos::prelude::*;

#[server(endpoint = "dashboard/summary")]
pub async fn load_dashboard() -> Result<DashboardSummary, AppError> {
    use crate::domain::access::{Action, Resource};
    use crate::server::context;
    use backend::repo;
    context::serve(|caller| async move {
        caller.require(Action::View, Resource::Dashboard)?;
        repo::dashboard::summary(&caller.tenant, caller.db(), chrono::Utc::now()).await
    })
    .await
}
