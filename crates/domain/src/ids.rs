//! Typed ids: a `PartnerId` cannot be passed where a `DealId` is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident,)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = super::DomainError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value.trim().parse::<i64>() {
                    Ok(id) if id > 0 => Ok($name(id)),
                    _ => Err(super::DomainError::InvalidId(value.to_owned())),
                }
            }
        }
    )+};
}

id_type! {
    /// A tenant: every other record belongs to exactly one organization.
    OrganizationId,
    UserId,
    PartnerId,
    DealId,
    TouchpointId,
    AttributionId,
    CommissionRuleId,
    PayoutId,
    DisputeId,
    RegistrationId,
    AuditEventId,
    ApiKeyId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_positive_integers_only() {
        assert_eq!("42".parse::<DealId>(), Ok(DealId(42)));
        assert_eq!(" 7 ".parse::<PartnerId>(), Ok(PartnerId(7)));
        assert!("0".parse::<DealId>().is_err());
        assert!("-3".parse::<DealId>().is_err());
        assert!("abc".parse::<DealId>().is_err());
    }

    #[test]
    fn ids_serialize_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&PayoutId(9)).unwrap(), "9");
        assert_eq!(serde_json::from_str::<PayoutId>("9").unwrap(), PayoutId(9));
    }
}
