//! `Text<T>`: a column holding a domain value as its text — a label enum (`won`, `reseller`), a
//! currency code, a decimal fraction. Rows decode straight into the typed value, so no repository
//! or service parses strings, and a value the type does not know is a database error at the row
//! that holds it.
//!
//! Why a wrapper: the domain crate depends on no database crate, and Rust lets only the crate of
//! a type or of a trait join the two, so the back end stores domain values through this one
//! generic column type instead of an impl per enum.

use std::fmt::Display;
use std::str::FromStr;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, Value, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable};

/// Serializes as the value itself (audit snapshots of rows read the same as before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Text<T>(pub T);

/// `row.stage == DealStage::Won`: a column compares with the value it holds.
impl<T: PartialEq> PartialEq<T> for Text<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

impl<T: Display> Display for Text<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> From<T> for Text<T> {
    fn from(value: T) -> Text<T> {
        Text(value)
    }
}

impl<T: Display> From<Text<T>> for Value {
    fn from(value: Text<T>) -> Value {
        Value::String(Some(value.0.to_string()))
    }
}

/// Reads `text` as a `T`, naming the type and the value when it is not one.
fn parse<T>(text: &str) -> Result<T, String>
where
    T: FromStr,
    T::Err: Display,
{
    text.parse().map_err(|err| {
        format!(
            "{} column holds {text:?}: {err}",
            std::any::type_name::<T>()
        )
    })
}

impl<T> TryGetable for Text<T>
where
    T: FromStr,
    T::Err: Display,
{
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, index)?;
        parse(&text)
            .map(Text)
            .map_err(|err| TryGetError::DbErr(DbErr::Type(err)))
    }
}

impl<T> ValueType for Text<T>
where
    T: FromStr,
    T::Err: Display,
{
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(value)?;
        parse(&text).map(Text).map_err(|_| ValueTypeErr)
    }

    fn type_name() -> String {
        format!("Text<{}>", std::any::type_name::<T>())
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::Text
    }
}

impl<T> Nullable for Text<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::deal::DealStage;

    #[test]
    fn values_round_trip_through_their_text() {
        let value: Value = Text(DealStage::Won).into();
        assert_eq!(value, Value::String(Some("won".to_owned())));
        assert_eq!(
            <Text<DealStage> as ValueType>::try_from(value).ok(),
            Some(Text(DealStage::Won))
        );
    }

    #[test]
    fn an_unknown_value_is_an_error_naming_the_value() {
        let err = parse::<DealStage>("wonn").unwrap_err();
        assert!(err.contains("\"wonn\""), "{err}");
        let stored = Value::String(Some("wonn".to_owned()));
        assert!(<Text<DealStage> as ValueType>::try_from(stored).is_err());
    }
}
