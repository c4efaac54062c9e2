//! The one error type server functions return. It crosses the wire as JSON, so the browser gets
//! the same variants the server produced. Internal failures are logged in full on the server and
//! reach the user only as a generic message with a reference to quote.

use domain::DomainError;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// A message about one input field, so the form can show it next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("please sign in to continue")]
    Unauthorized,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_seconds: u64,
    },
    #[error("something went wrong on our side; if it keeps happening, quote reference {reference}")]
    Internal { reference: String },
    /// The request itself could not be read: missing or malformed arguments, a body that is
    /// not form data or JSON, invalid UTF-8 (400), or a body over the size limit (413).
    #[error("{message}")]
    BadRequest { message: String, too_large: bool },
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// Problems by field; the message sums them up.
    pub fn invalid_fields<F: Into<String>>(errors: Vec<(F, String)>) -> AppError {
        AppError::Invalid {
            message: match errors.as_slice() {
                [(_, only)] => only.clone(),
                _ => "Please correct the highlighted fields.".into(),
            },
            fields: errors
                .into_iter()
                .map(|(field, message)| FieldError {
                    field: field.into(),
                    message,
                })
                .collect(),
        }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Invalid {
            fields: vec![FieldError {
                field: field.to_owned(),
                message: message.clone(),
            }],
            message,
        }
    }

    /// A request whose arguments could not be read, from the decoder's own words.
    pub fn bad_request(detail: &str) -> AppError {
        // The body reader's words when the body passed the size limit.
        let too_large = detail.contains("length limit exceeded");
        let message = if too_large {
            "The request is larger than the server accepts.".to_owned()
        } else {
            let detail: String = detail.chars().take(300).collect();
            format!("The request could not be read: {detail}")
        };
        AppError::BadRequest { message, too_large }
    }

    /// The HTTP status this error answers with, alike for server functions and the REST API.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::BadRequest {
                too_large: true, ..
            } => 413,
            AppError::BadRequest { .. } => 400,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }

    /// Logs `detail` with a fresh reference and returns the generic error that quotes it.
    #[cfg(feature = "ssr")]
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        tracing::error!(%reference, %detail, "internal error");
        AppError::Internal { reference }
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::IllegalTransition { .. } => AppError::Conflict(err.to_string()),
            _ => AppError::Invalid {
                message: err.to_string(),
                fields: Vec::new(),
            },
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Two requests creating the same record at once: the database keeps one, the other is
        // told so (a retry finds the record), rather than getting a server error.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            tracing::info!(%detail, "unique constraint refused a concurrent write");
            return AppError::Conflict(
                "Another request saved the same record a moment ago; try again.".into(),
            );
        }
        AppError::internal(err)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these mean the request's arguments could not be read: the
            // caller's fault, answered 400 (413 for a body over the limit), never 500.
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail)
                if cfg!(feature = "ssr") =>
            {
                let error = AppError::bad_request(&detail);
                #[cfg(feature = "ssr")]
                if let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                {
                    response.set_status(
                        http::StatusCode::from_u16(error.status())
                            .expect("AppError statuses are valid HTTP statuses"),
                    );
                }
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_become_user_facing_errors() {
        let err: AppError = "x".parse::<domain::ids::DealId>().unwrap_err().into();
        assert!(matches!(err, AppError::Invalid { .. }));
        let err: AppError = domain::payout::PayoutStatus::Paid
            .transition(domain::payout::PayoutStatus::Pending)
            .unwrap_err()
            .into();
        assert_eq!(
            err,
            AppError::Conflict("a payout cannot go from paid to pending".into())
        );
    }

    #[test]
    fn errors_survive_the_wire() {
        let err = AppError::invalid_field("amount", "must be positive");
        let bytes = err.ser();
        assert_eq!(AppError::de(bytes), err);
    }
}
