//! `/api/v1/touchpoints`: a partner's touches on deals: list (keyset pages, by deal or partner),
//! read, record, change, remove, upsert by external id. On a won deal every change re-attributes
//! the deal (and moves its commissions), as in the app.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::extract::{Json, Path, Query};
use super::pagination::{self, Page};
use super::problem::Problem;
use super::respond::{self, external_id};
use crate::entities::touchpoints;
use crate::repo::Cursor;
use crate::services::{Saved, deal_changes, deals as service};
use crate::state::Backend;
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::touchpoint::{TouchpointForm, TouchpointKind};

pub fn routes() -> OpenApiRouter<Backend> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(upsert))
}

/// A partner's touch on a deal: a referral, a demo, a deal registration…
#[derive(Debug, Serialize, ToSchema)]
pub struct Touchpoint {
    pub id: i64,
    /// The id your system knows this touch by; unique in the organization.
    pub external_id: Option<String>,
    pub deal_id: i64,
    pub partner_id: i64,
    pub kind: TouchpointKind,
    /// Touches are recorded by day (at noon UTC).
    pub occurred_on: NaiveDate,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<touchpoints::Model> for Touchpoint {
    type Error = Problem;

    fn try_from(model: touchpoints::Model) -> Result<Touchpoint, Problem> {
        Ok(Touchpoint {
            kind: model.kind.0,
            id: model.id,
            external_id: model.external_id,
            deal_id: model.deal_id,
            partner_id: model.partner_id,
            occurred_on: model.occurred_at.date_naive(),
            note: model.note,
            created_at: model.created_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Records per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub deal_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub external_id: Option<String>,
    /// Only touchpoints recorded at or after this time (RFC 3339).
    pub created_since: Option<DateTime<Utc>>,
}

/// A touch to record, or its new state (upsert).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchpointInput {
    pub deal_id: i64,
    pub partner_id: i64,
    pub kind: TouchpointKind,
    /// Not in the future; on a won deal, not after the win.
    pub occurred_on: NaiveDate,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// Only on create (`POST`); the upsert takes it from the path.
    #[schema(min_length = 1, max_length = 255)]
    pub external_id: Option<String>,
}

/// The fields to change; absent fields keep their value. A touch stays on its deal.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchpointPatch {
    pub partner_id: Option<i64>,
    pub kind: Option<TouchpointKind>,
    pub occurred_on: Option<NaiveDate>,
    pub note: Option<String>,
}

fn form_of(model: &touchpoints::Model) -> TouchpointForm {
    TouchpointForm {
        partner_id: model.partner_id.to_string(),
        kind: model.kind.0.to_string(),
        occurred_on: model.occurred_at.date_naive().to_string(),
        note: model.note.clone().unwrap_or_default(),
    }
}

fn form_of_input(input: &TouchpointInput) -> TouchpointForm {
    TouchpointForm {
        partner_id: input.partner_id.to_string(),
        kind: input.kind.as_str().to_owned(),
        occurred_on: input.occurred_on.to_string(),
        note: input.note.clone().unwrap_or_default(),
    }
}

async fn show(caller: &ApiCaller, id: TouchpointId) -> Result<Touchpoint, Problem> {
    service::touchpoint(caller, id).await?.try_into()
}

/// The deal a new touch goes on, which must be the caller's (404 otherwise, as for any record).
async fn deal_of(caller: &ApiCaller, deal_id: i64) -> Result<DealId, Problem> {
    service::get(caller, DealId(deal_id))
        .await
        .map_err(|_| Problem::invalid("deal_id", "No deal of your organization has this id."))?;
    Ok(DealId(deal_id))
}

/// List touchpoints
#[utoipa::path(operation_id = "list_touchpoints", get, path = "/touchpoints", tag = "touchpoints", params(ListParams),
    responses((status = 200, body = Page<Touchpoint>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    caller: ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<Touchpoint>>, Problem> {
    let limit = pagination::limit(params.limit)?;
    let cursor = Cursor {
        after: pagination::decode(params.cursor.as_deref())?,
        updated_since: params.created_since,
        external_id: params.external_id.as_deref(),
    };
    let models = service::touchpoints_after(
        &caller,
        params.deal_id.map(DealId),
        params.partner_id.map(PartnerId),
        &cursor,
        limit,
    )
    .await?;
    Ok(Json(Page::of(
        models,
        limit,
        |m| m.id,
        Touchpoint::try_from,
    )?))
}

/// Record a touchpoint
#[utoipa::path(operation_id = "create_touchpoint", post, path = "/touchpoints", tag = "touchpoints", request_body = TouchpointInput,
    responses((status = 201, body = Touchpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(
    caller: ApiCaller,
    Json(input): Json<TouchpointInput>,
) -> Result<Response, Problem> {
    let external = input.external_id.as_deref().map(external_id).transpose()?;
    if let Some(external) = external
        && service::touchpoint_by_external_id(&caller, external)
            .await?
            .is_some()
    {
        return Err(respond::external_id_taken(
            "touchpoint",
            "touchpoints",
            external,
        ));
    }
    let deal = deal_of(&caller, input.deal_id).await?;
    let id = deal_changes::add_touchpoint(&caller, deal, form_of_input(&input), external).await?;
    Ok(respond::created(
        "touchpoints",
        id.0,
        show(&caller, id).await?,
    ))
}

/// Read a touchpoint
#[utoipa::path(operation_id = "read_touchpoint", get, path = "/touchpoints/{id}", tag = "touchpoints", params(("id" = i64, Path)),
    responses((status = 200, body = Touchpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn read(caller: ApiCaller, Path(id): Path<i64>) -> Result<Json<Touchpoint>, Problem> {
    Ok(Json(show(&caller, TouchpointId(id)).await?))
}

/// Update a touchpoint
#[utoipa::path(operation_id = "update_touchpoint", patch, path = "/touchpoints/{id}", tag = "touchpoints", params(("id" = i64, Path)), request_body = TouchpointPatch,
    responses((status = 200, body = Touchpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(patch): Json<TouchpointPatch>,
) -> Result<Json<Touchpoint>, Problem> {
    let id = TouchpointId(id);
    let mut form = form_of(&service::touchpoint(&caller, id).await?);
    if let Some(partner) = patch.partner_id {
        form.partner_id = partner.to_string();
    }
    if let Some(kind) = patch.kind {
        form.kind = kind.as_str().to_owned();
    }
    if let Some(day) = patch.occurred_on {
        form.occurred_on = day.to_string();
    }
    if let Some(note) = patch.note {
        form.note = note;
    }
    deal_changes::update_touchpoint(&caller, id, form).await?;
    Ok(Json(show(&caller, id).await?))
}

/// Remove a touchpoint
#[utoipa::path(operation_id = "remove_touchpoint", delete, path = "/touchpoints/{id}", tag = "touchpoints", params(("id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn remove(caller: ApiCaller, Path(id): Path<i64>) -> Result<StatusCode, Problem> {
    deal_changes::remove_touchpoint(&caller, TouchpointId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record or update a touchpoint by external id
///
/// Idempotent: sending the same body twice changes nothing the second time. A touch stays on
/// the deal it was recorded on.
#[utoipa::path(operation_id = "upsert_touchpoint", put, path = "/touchpoints/by-external-id/{external_id}", tag = "touchpoints",
    params(("external_id" = String, Path, min_length = 1, max_length = 255)), request_body = TouchpointInput,
    responses((status = 200, body = Touchpoint), (status = 201, body = Touchpoint), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn upsert(
    caller: ApiCaller,
    Path(external): Path<String>,
    Json(input): Json<TouchpointInput>,
) -> Result<Response, Problem> {
    let external = respond::upsert_id(&external, input.external_id.as_deref())?;
    match service::touchpoint_by_external_id(&caller, external).await? {
        Some(existing) => {
            if existing.deal_id != input.deal_id {
                return Err(Problem::invalid(
                    "deal_id",
                    "This touchpoint is on another deal; a touch cannot move between deals.",
                ));
            }
            let id = TouchpointId(existing.id);
            let saved = deal_changes::update_touchpoint(&caller, id, form_of_input(&input)).await?;
            debug_assert!(saved != Saved::Created);
            Ok(Json(show(&caller, id).await?).into_response())
        }
        None => {
            let deal = deal_of(&caller, input.deal_id).await?;
            let id =
                deal_changes::add_touchpoint(&caller, deal, form_of_input(&input), Some(external))
                    .await?;
            Ok(respond::created(
                "touchpoints",
                id.0,
                show(&caller, id).await?,
            ))
        }
    }
}
