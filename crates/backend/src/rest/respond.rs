//! Answers and checks every resource module shares: 201 with its Location, the external id of
//! an upsert, the refusal of a second record with the same external id.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::BASE;
use super::extract::Json;
use super::problem::Problem;
use wire::AppError;

/// 201 Created, with the new record's address (`/api/v1/<collection>/<id>`).
pub fn created(collection: &str, id: i64, body: impl Serialize) -> Response {
    let location = format!("{BASE}/{collection}/{id}");
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}

/// An external id as given: trimmed, 1 to 255 characters.
pub fn external_id(value: &str) -> Result<&str, Problem> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 255 {
        return Err(Problem::invalid(
            "external_id",
            "An external id has 1 to 255 characters.",
        ));
    }
    Ok(value)
}

/// The upsert's external id (from the path); the body may repeat it but not contradict it.
pub fn upsert_id<'a>(path: &'a str, body: Option<&str>) -> Result<&'a str, Problem> {
    let external = external_id(path)?;
    if body.is_some_and(|body| body.trim() != external) {
        return Err(Problem::invalid(
            "external_id",
            "The external id in the body differs from the one in the path; leave it out.",
        ));
    }
    Ok(external)
}

/// The refusal of a create whose external id is taken.
pub fn external_id_taken(what: &str, collection: &str, external: &str) -> Problem {
    AppError::Conflict(format!(
        "A {what} with external id \"{external}\" exists; update it, or upsert with PUT \
         /{collection}/by-external-id/{{external_id}}."
    ))
    .into()
}
