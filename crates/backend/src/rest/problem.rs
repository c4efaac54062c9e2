//! Errors of the REST API as RFC 9457 problem details (`application/problem+json`), with the
//! fields at fault listed under `errors`. Built from the app's own `AppError`, so the API refuses
//! exactly what the web app refuses, in the same words.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::status_of;
use wire::AppError;

/// A problem with a request (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem; resolves to its explanation in the API docs.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of problem in words; the same for every occurrence of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// For invalid input: each field at fault, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For 429: seconds until a request will be accepted again (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// One field at fault: its name (a JSON pointer for nested input) and the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The problem kinds, each documented on the API page under `#problem-<kind>`.
const KINDS: &[(u16, &str, &str)] = &[
    (400, "bad-request", "The request could not be read"),
    (401, "unauthorized", "An API key is required"),
    (403, "forbidden", "The key's scope does not allow this"),
    (404, "not-found", "No such resource"),
    (
        409,
        "conflict",
        "The request conflicts with the current state",
    ),
    (415, "unsupported-media-type", "Send JSON"),
    (422, "invalid", "The input is invalid"),
    (429, "rate-limited", "Too many requests"),
    (500, "internal", "Something went wrong on our side"),
];

/// Every problem kind: status, slug and title.
pub fn kinds() -> impl Iterator<Item = (u16, &'static str, &'static str)> {
    KINDS.iter().copied()
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        let (slug, title) = KINDS
            .iter()
            .find(|(code, ..)| *code == status.as_u16())
            .map(|(_, slug, title)| (*slug, *title))
            .unwrap_or(("about:blank", status.canonical_reason().unwrap_or("Error")));
        Problem {
            kind: if slug == "about:blank" {
                slug.to_owned()
            } else {
                format!("/api-docs#problem-{slug}")
            },
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn not_found(what: &str) -> Problem {
        AppError::NotFound(what.to_owned()).into()
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Problem {
        AppError::invalid_field(field, message).into()
    }

    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Problem {
        let status = status_of(&err);
        let detail = match &err {
            AppError::Unauthorized => crate::services::api_keys::KEY_REFUSED.to_owned(),
            AppError::Forbidden => "This API key's scope does not allow this request.".to_owned(),
            other => other.to_string(),
        };
        let mut problem = Problem::new(status, detail);
        match err {
            AppError::Invalid { fields, .. } => {
                problem.errors = fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        field: f.field,
                        message: f.message,
                    })
                    .collect();
            }
            AppError::RateLimited {
                retry_after_seconds,
                ..
            } => problem.retry_after = Some(retry_after_seconds),
            _ => {}
        }
        problem
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(err: sea_orm::DbErr) -> Problem {
        AppError::from(err).into()
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Problem {
        let status = match rejection {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        Problem::new(status, rejection.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, rejection.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, rejection.body_text())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_and_retry_after_carry_over_from_app_errors() {
        let problem: Problem = AppError::invalid_fields(vec![
            ("name", "Name the partner.".to_owned()),
            ("tier", "Unknown tier.".to_owned()),
        ])
        .into();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.kind, "/api-docs#problem-invalid");
        assert_eq!(problem.errors.len(), 2);
        assert_eq!(problem.errors[1].field, "tier");

        let limited: Problem = AppError::RateLimited {
            message: "slow down".into(),
            retry_after_seconds: 7,
        }
        .into();
        let response = limited.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
