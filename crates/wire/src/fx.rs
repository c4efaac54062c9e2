//! Exchange rates into the base currency: the list, one rate set by hand, and a CSV import.

use chrono::{DateTime, NaiveDate, Utc};
use domain::fx::LineError;
use domain::money::Currency;
use serde::{Deserialize, Serialize};

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
