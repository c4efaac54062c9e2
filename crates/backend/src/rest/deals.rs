//! `/api/v1/deals`: list (keyset pages, filters), read, create, update (including won / lost /
//! re-open), upsert by external id, and the stored attribution of a won deal. Writes go through
//! `services::deal_changes`: a win attributes the deal and books the commissions, as in the app.

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::extract::{Json, Path, Query};
use super::money::Amount;
use super::pagination::{self, Page};
use super::problem::Problem;
use super::respond::{self, external_id};
use crate::entities::{attributions, deals};
use crate::repo::Cursor;
use crate::repo::deals::amount_of;
use crate::services::{Saved, deal_changes, deals as service};
use crate::state::Backend;
use domain::attribution::AttributionModel;
use domain::deal::{DealForm, DealStage};
use domain::ids::{DealId, PartnerId};

pub fn routes() -> OpenApiRouter<Backend> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
        .routes(routes!(upsert))
        .routes(routes!(attribution))
}

/// A deal in the pipeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deal {
    pub id: i64,
    /// Where the deal came from: `manual`, `api`, or a CRM.
    pub source: String,
    /// The id the source knows the deal by (unique per source).
    pub external_id: Option<String>,
    pub name: String,
    pub account_name: String,
    pub amount: Amount,
    pub stage: DealStage,
    pub expected_close_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<deals::Model> for Deal {
    type Error = Problem;

    fn try_from(model: deals::Model) -> Result<Deal, Problem> {
        Ok(Deal {
            amount: amount_of(&model).into(),
            stage: model.stage.0,
            id: model.id,
            source: model.source,
            external_id: model.external_id,
            name: model.name,
            account_name: model.account_name,
            expected_close_on: model.expected_close_on,
            closed_at: model.closed_at,
            lost_reason: model.lost_reason,
            created_at: model.created_at,
            updated_at: model.updated_at,
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
    #[param(value_type = Option<DealStage>)]
    pub stage: Option<DealStage>,
    /// The external id of a deal created through the API.
    pub external_id: Option<String>,
    /// Only deals changed at or after this time (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A deal to create, or its new state (upsert). A stage other than `open` closes the deal (a
/// win attributes it and books commissions); `open` re-opens a closed one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub account_name: String,
    pub amount: Amount,
    pub expected_close_on: Option<NaiveDate>,
    /// Only on create (`POST`); the upsert takes it from the path.
    #[schema(min_length = 1, max_length = 255)]
    pub external_id: Option<String>,
    /// Upsert only; defaults to leaving the stage as it is (`open` for a new deal).
    pub stage: Option<DealStage>,
    /// Required when `stage` is `lost`.
    pub lost_reason: Option<String>,
}

/// The fields to change; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    pub name: Option<String>,
    pub account_name: Option<String>,
    pub amount: Option<Amount>,
    pub expected_close_on: Option<NaiveDate>,
    /// `won` or `lost` closes an open deal; `open` re-opens a closed one.
    pub stage: Option<DealStage>,
    /// Required when `stage` is `lost`.
    pub lost_reason: Option<String>,
}

fn form(name: String, account_name: String, amount: Amount, close: Option<NaiveDate>) -> DealForm {
    DealForm {
        name,
        account_name,
        amount: amount.amount.to_string(),
        currency: amount.currency,
        expected_close_on: close.map(|d| d.to_string()).unwrap_or_default(),
    }
}

async fn show(caller: &ApiCaller, id: DealId) -> Result<Deal, Problem> {
    service::get(caller, id).await?.try_into()
}

/// Moves the deal to `stage` unless it is there already.
async fn move_to(
    caller: &ApiCaller,
    id: DealId,
    stage: Option<DealStage>,
    reason: Option<&str>,
) -> Result<(), Problem> {
    let Some(to) = stage else { return Ok(()) };
    deal_changes::move_to(caller, id, to, reason, None)
        .await
        .map_err(|err| {
            // The app's form calls it `reason`; here it is `lost_reason`.
            let mut problem = Problem::from(err);
            for field in &mut problem.errors {
                if field.field == "reason" {
                    field.field = "lost_reason".into();
                }
            }
            problem
        })?;
    Ok(())
}

/// List deals
#[utoipa::path(operation_id = "list_deals", get, path = "/deals", tag = "deals", params(ListParams),
    responses((status = 200, body = Page<Deal>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    caller: ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<Deal>>, Problem> {
    let limit = pagination::limit(params.limit)?;
    let cursor = Cursor {
        after: pagination::decode(params.cursor.as_deref())?,
        updated_since: params.updated_since,
        external_id: params.external_id.as_deref(),
    };
    let models = service::after(&caller, params.stage, &cursor, limit).await?;
    Ok(Json(Page::of(models, limit, |m| m.id, Deal::try_from)?))
}

/// Create a deal
#[utoipa::path(operation_id = "create_deal", post, path = "/deals", tag = "deals", request_body = DealInput,
    responses((status = 201, body = Deal), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(caller: ApiCaller, Json(input): Json<DealInput>) -> Result<Response, Problem> {
    let external = input.external_id.as_deref().map(external_id).transpose()?;
    if let Some(external) = external
        && service::by_external_id(&caller, external).await?.is_some()
    {
        return Err(respond::external_id_taken("deal", "deals", external));
    }
    let form = form(
        input.name,
        input.account_name,
        input.amount,
        input.expected_close_on,
    );
    let (id, _) = deal_changes::save(&caller, None, form, external).await?;
    move_to(&caller, id, input.stage, input.lost_reason.as_deref()).await?;
    Ok(respond::created("deals", id.0, show(&caller, id).await?))
}

/// Read a deal
#[utoipa::path(operation_id = "read_deal", get, path = "/deals/{id}", tag = "deals", params(("id" = i64, Path)),
    responses((status = 200, body = Deal), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn read(caller: ApiCaller, Path(id): Path<i64>) -> Result<Json<Deal>, Problem> {
    Ok(Json(show(&caller, DealId(id)).await?))
}

/// Update a deal
#[utoipa::path(operation_id = "update_deal", patch, path = "/deals/{id}", tag = "deals", params(("id" = i64, Path)), request_body = DealPatch,
    responses((status = 200, body = Deal), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(patch): Json<DealPatch>,
) -> Result<Json<Deal>, Problem> {
    let id = DealId(id);
    let existing = service::get(&caller, id).await?;
    let mut form = service::form_of(&existing)?;
    let details = patch.name.is_some()
        || patch.account_name.is_some()
        || patch.amount.is_some()
        || patch.expected_close_on.is_some();
    if let Some(name) = patch.name {
        form.name = name;
    }
    if let Some(account) = patch.account_name {
        form.account_name = account;
    }
    if let Some(amount) = patch.amount {
        form.amount = amount.amount.to_string();
        form.currency = amount.currency;
    }
    if let Some(close) = patch.expected_close_on {
        form.expected_close_on = close.to_string();
    }
    if details {
        deal_changes::save(&caller, Some(id), form, None).await?;
    }
    move_to(&caller, id, patch.stage, patch.lost_reason.as_deref()).await?;
    Ok(Json(show(&caller, id).await?))
}

/// Create or update a deal by external id
///
/// Idempotent: sending the same body twice changes nothing the second time. Creates the deal
/// (201) when no deal created through the API has this external id.
#[utoipa::path(operation_id = "upsert_deal", put, path = "/deals/by-external-id/{external_id}", tag = "deals",
    params(("external_id" = String, Path, min_length = 1, max_length = 255)), request_body = DealInput,
    responses((status = 200, body = Deal), (status = 201, body = Deal), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn upsert(
    caller: ApiCaller,
    Path(external): Path<String>,
    Json(input): Json<DealInput>,
) -> Result<Response, Problem> {
    let external = respond::upsert_id(&external, input.external_id.as_deref())?;
    let existing = service::by_external_id(&caller, external).await?;
    let form = form(
        input.name,
        input.account_name,
        input.amount,
        input.expected_close_on,
    );
    let (id, saved) = deal_changes::save(
        &caller,
        existing.map(|d| DealId(d.id)),
        form,
        Some(external),
    )
    .await?;
    move_to(&caller, id, input.stage, input.lost_reason.as_deref()).await?;
    let deal = show(&caller, id).await?;
    Ok(match saved {
        Saved::Created => respond::created("deals", id.0, deal),
        Saved::Updated | Saved::Unchanged => Json(deal).into_response(),
    })
}

/// One partner's credit under one model.
#[derive(Debug, Serialize, ToSchema)]
pub struct Split {
    pub model: AttributionModel,
    pub partner_id: i64,
    /// The partner's fraction of the deal, 0 to 1.
    #[schema(value_type = String, example = "0.5")]
    pub share: rust_decimal::Decimal,
    /// The partner's credit: the shares of a model sum exactly to the deal amount.
    pub amount: Amount,
    /// Why the partner got this share, in words.
    pub explanation: String,
    pub computed_at: DateTime<Utc>,
}

/// The attribution of a won deal under every model (none while the deal is open or lost).
#[derive(Debug, Serialize, ToSchema)]
pub struct DealAttribution {
    pub deal_id: i64,
    /// The model commissions are paid under.
    pub payable_model: Option<AttributionModel>,
    pub splits: Vec<Split>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttributionParams {
    /// One model only.
    #[param(value_type = Option<AttributionModel>)]
    pub model: Option<AttributionModel>,
    /// One partner only.
    pub partner_id: Option<i64>,
}

fn split(model: attributions::Model) -> Result<Split, Problem> {
    let currency = model.currency.0;
    Ok(Split {
        model: model.model.0,
        partner_id: model.partner_id,
        share: model.share.0,
        amount: domain::money::Money::from_minor(model.amount_minor, currency).into(),
        explanation: model.explanation,
        computed_at: model.computed_at,
    })
}

/// A deal's attribution
#[utoipa::path(operation_id = "read_deal_attribution", get, path = "/deals/{id}/attribution", tag = "deals",
    params(("id" = i64, Path), AttributionParams),
    responses((status = 200, body = DealAttribution), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn attribution(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Query(params): Query<AttributionParams>,
) -> Result<Json<DealAttribution>, Problem> {
    let stored = service::attributions(&caller, DealId(id)).await?;
    let payable = service::payable_model(&caller).await?;
    let splits = stored
        .into_iter()
        .map(split)
        .filter(|s| match s {
            Ok(s) => {
                params.model.is_none_or(|m| m == s.model)
                    && params
                        .partner_id
                        .is_none_or(|p| PartnerId(p) == PartnerId(s.partner_id))
            }
            Err(_) => true,
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(DealAttribution {
        deal_id: id,
        payable_model: (!splits.is_empty()).then_some(payable),
        splits,
    }))
}
