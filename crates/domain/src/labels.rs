//! `label_enum!`: a closed set of values with one lower-snake-case spelling each, used alike in JSON,
//! the database and URLs. Parsing rejects unknown values with a message that lists the valid ones.

#[macro_export]
macro_rules! label_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What this kind of value is called in messages.
            pub const KIND: &'static str = $kind;

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The label with its first letter upper-cased and underscores as spaces, for display.
            pub fn title(self) -> String {
                let text = self.as_str().replace('_', " ");
                let mut chars = text.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::DomainError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($label => Ok($name::$variant),)+
                    _ => Err($crate::DomainError::UnknownValue {
                        kind: $kind.to_owned(),
                        value: value.to_owned(),
                        expected: [$($label),+].join(", "),
                    }),
                }
            }
        }

        impl $crate::labels::__private::serde::Serialize for $name {
            fn serialize<S: $crate::labels::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        $crate::__openapi_schema!($name, [$($label),+]);

        impl<'de> $crate::labels::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::labels::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as $crate::labels::__private::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err($crate::labels::__private::serde::de::Error::custom)
            }
        }
    };
}

pub use crate::label_enum;

/// What the macro's expansion names, reachable from any crate that invokes it.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    #[cfg(feature = "ssr")]
    pub use utoipa;
}

/// In the server build, documents a label enum in the REST API's OpenAPI document as a string with
/// its allowed values; in the browser build, nothing. Decided here, by this crate's features, not
/// by the features of the crate that invokes `label_enum!`.
#[cfg(feature = "ssr")]
#[doc(hidden)]
#[macro_export]
macro_rules! __openapi_schema {
    ($name:ident, [$($label:literal),+]) => {
        impl $crate::labels::__private::utoipa::PartialSchema for $name {
            fn schema() -> $crate::labels::__private::utoipa::openapi::RefOr<
                $crate::labels::__private::utoipa::openapi::schema::Schema,
            > {
                $crate::labels::__private::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type($crate::labels::__private::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($label),+]))
                    .into()
            }
        }

        impl $crate::labels::__private::utoipa::ToSchema for $name {}
    };
}

#[cfg(not(feature = "ssr"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __openapi_schema {
    ($name:ident, [$($label:literal),+]) => {};
}
