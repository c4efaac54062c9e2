//! Money on the wire: a decimal string and its ISO 4217 currency, always together.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use domain::money::Money;

/// An amount of money. `amount` is a decimal string, exact to the currency's minor unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    #[schema(value_type = String, example = "25000.00", pattern = r"^-?\d+(\.\d+)?$")]
    pub amount: Decimal,
    /// ISO 4217 code, such as `USD`.
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Amount {
        Amount {
            amount: money.amount(),
            currency: money.currency().code().to_owned(),
        }
    }
}
