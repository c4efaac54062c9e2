//! Executive reports: partner revenue, top partners, attribution model comparison, program ROI,
//! and pipeline with forecast. Each is read from the monthly totals (`domain::monthly_stats`),
//! in the organization's base currency (other currencies at the rate locked at the win).

pub use wire::reports::*;

use super::AppError;
use crate::domain::reporting::Period;
use leptos::prelude::*;

#[server(endpoint = "reports/revenue")]
pub async fn load_revenue_report(period: Option<Period>) -> Result<RevenueReport, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::reports::revenue(&caller, period).await }).await
}

#[server(endpoint = "reports/top_partners")]
pub async fn load_top_partners(period: Option<Period>) -> Result<TopPartnersReport, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::reports::top_partners(&caller, period).await })
        .await
}

#[server(endpoint = "reports/models")]
pub async fn load_model_comparison(period: Option<Period>) -> Result<ModelComparison, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::reports::models(&caller, period).await }).await
}

#[server(endpoint = "reports/roi")]
pub async fn load_roi_report(period: Option<Period>) -> Result<RoiReport, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::reports::roi(&caller, period).await }).await
}

#[server(endpoint = "reports/forecast")]
pub async fn load_forecast() -> Result<ForecastReport, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::reports::forecast(&caller).await }).await
}
