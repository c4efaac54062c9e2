//! Exchange rates into the base currency: the list, one rate set by hand, and a CSV import.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::fx::{LineError, RateForm};
use crate::domain::money::Currency;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRow {
    pub currency: Currency,
    /// Base-currency units for one unit of `currency`, as entered.
    pub rate: String,
    pub effective_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatesPage {
    pub base: Currency,
    /// By currency, newest day first.
    pub rates: Vec<RateRow>,
    /// Currencies of open deals with no rate yet: they cannot be won until one is entered.
    pub missing: Vec<Currency>,
    pub can_edit: bool,
}

/// What an import did: every line saved, or none and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub saved: u32,
    pub errors: Vec<LineError>,
}

#[server(endpoint = "fx/list")]
pub async fn list_rates() -> Result<RatesPage, AppError> {
    use crate::server::{context, services};
    context::finish(services::fx::list().await)
}

#[server(endpoint = "fx/save")]
pub async fn save_rate(form: RateForm) -> Result<(), AppError> {
    use crate::server::{context, services};
    context::finish(services::fx::save(form).await)
}

/// Rates from CSV text (`currency,rate,effective_on`), all or nothing.
#[server(endpoint = "fx/import")]
pub async fn import_rates(csv: String) -> Result<ImportResult, AppError> {
    use crate::server::{context, services};
    context::finish(services::fx::import(csv).await)
}
