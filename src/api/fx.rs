//! Exchange rates into the base currency: the list, one rate set by hand, and a CSV import.

pub use wire::fx::*;

use super::AppError;
use crate::domain::fx::RateForm;
use leptos::prelude::*;

#[server(endpoint = "fx/list")]
pub async fn list_rates() -> Result<RatesPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::fx::list(&caller).await }).await
}

#[server(endpoint = "fx/save")]
pub async fn save_rate(form: RateForm) -> Result<(), AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::fx::save(&caller, form).await }).await
}

/// Rates from CSV text (`currency,rate,effective_on`), all or nothing.
#[server(endpoint = "fx/import")]
pub async fn import_rates(csv: String) -> Result<ImportResult, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::fx::import(&caller, csv).await }).await
}
