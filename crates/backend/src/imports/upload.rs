//! `POST /api/imports/upload?name=…`: a CSV file as the request body, read as it arrives into
//! one buffer (its declared length reserved up front, the size limit checked on every chunk) and
//! stored for its uploader. A file sent inside JSON was held three or four times over while it
//! was decoded.

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::caller::Caller;
use crate::services::imports::{too_large, upload as keep};
use crate::state::Backend;
use crate::status_of;
use domain::access::{Action, Resource};
use wire::AppError;
use wire::imports::MAX_FILE_BYTES;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadQuery {
    name: String,
}

fn failure(status: StatusCode, err: AppError) -> Response {
    (status, Json(err)).into_response()
}

pub async fn upload(
    State(state): State<Backend>,
    viewer: Option<Extension<Viewer>>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = viewer.and_then(|Extension(v)| v.0);
    let caller = match Caller::authorized(&state, user, Action::Edit, Resource::Imports) {
        Ok(caller) => caller,
        Err(err) => return failure(status_of(&err), err),
    };
    let content = match receive(&headers, body).await {
        Ok(content) => content,
        Err((status, err)) => return failure(status, err),
    };
    let kept = keep(&caller, &query.name, content).await;
    crate::memory::release();
    match kept {
        Ok(uploaded) => Json(uploaded).into_response(),
        Err(err) => failure(status_of(&err), err),
    }
}

/// The body as text, refused (413) as soon as it is longer than the limit, whatever length it
/// declared.
async fn receive(headers: &HeaderMap, mut body: Body) -> Result<String, (StatusCode, AppError)> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES) {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, too_large()));
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(64 * 1024));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                AppError::bad_request(&format!("The file did not arrive whole: {e}")),
            )
        })?;
        if let Ok(chunk) = frame.into_data() {
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, too_large()));
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::invalid_field(
                "file",
                format!(
                    "Line {line} is not UTF-8 text. Save the file as \"CSV UTF-8\" and upload it again."
                ),
            ),
        )
    })
}
