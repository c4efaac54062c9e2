use serde::{Deserialize, Serialize};

/// Why a domain value or operation was refused. Messages are written for the person who typed the
/// value: they say what was wrong and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DomainError {
    #[error("unknown {kind} \"{value}\": expected one of {expected}")]
    UnknownValue {
        kind: String,
        value: String,
        expected: String,
    },
    #[error("\"{0}\" is not an ISO 4217 currency code (three letters, such as USD or EUR)")]
    InvalidCurrency(String),
    #[error("{amount} has more decimal places than {currency} allows ({allowed})")]
    TooPrecise {
        amount: String,
        currency: String,
        allowed: u32,
    },
    #[error("cannot combine {left} with {right}: amounts in different currencies")]
    CurrencyMismatch { left: String, right: String },
    #[error("amount out of range")]
    Overflow,
    #[error("Amounts go up to {max}.")]
    TooLarge { max: String },
    #[error("cannot split an amount by weights that {0}")]
    InvalidWeights(String),
    #[error("a {kind} cannot go from {from} to {to}")]
    IllegalTransition {
        kind: String,
        from: String,
        to: String,
    },
    #[error("\"{0}\" is not a valid id")]
    InvalidId(String),
    #[error("invalid attribution settings: {0}")]
    InvalidSettings(String),
    #[error("the {0} model learns from closed deals and needs that history to attribute")]
    NeedsHistory(String),
}
