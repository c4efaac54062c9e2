//! `/api/v1/partners`: list (keyset pages, filters), read, create, update, upsert by external id.
//! Writes go through `services::partners`, the web app's own rules and audit.

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::extract::{Json, Path, Query};
use super::pagination::{self, Page};
use super::problem::Problem;
use super::respond::{self, external_id};
use crate::entities::partners;
use crate::repo::Cursor;
use crate::repo::partners::Filter;
use crate::services::Saved;
use crate::services::partners as service;
use crate::state::Backend;
use domain::ids::PartnerId;
use domain::partner::{PartnerForm, PartnerStatus, PartnerTier, PartnerType};

pub fn routes() -> OpenApiRouter<Backend> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
        .routes(routes!(upsert))
}

/// A partner: a reseller, referral agency, technology alliance or marketplace.
#[derive(Debug, Serialize, ToSchema)]
pub struct Partner {
    pub id: i64,
    /// The id your CRM knows this partner by; unique in the organization.
    pub external_id: Option<String>,
    pub name: String,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
    pub status: PartnerStatus,
    /// Commission rate in percent (for example `12.5`).
    #[schema(value_type = String, example = "12.5")]
    pub commission_rate: Decimal,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub region: Option<String>,
    /// ISO 4217 code, when the partner is paid in one currency rather than each deal's own.
    pub payout_currency: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<partners::Model> for Partner {
    type Error = Problem;

    fn try_from(model: partners::Model) -> Result<Partner, Problem> {
        let row = crate::repo::partners::row(model.clone())?;
        Ok(Partner {
            id: model.id,
            external_id: model.external_id,
            name: model.name,
            partner_type: row.partner_type,
            tier: row.tier,
            status: row.status,
            commission_rate: row.commission_rate.percent(),
            contact_name: model.contact_name,
            contact_email: model.contact_email,
            website: model.website,
            region: model.region,
            payout_currency: model.payout_currency.map(|c| c.0.to_string()),
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
    /// Name, contact or region contains this (any case).
    pub q: Option<String>,
    #[param(value_type = Option<PartnerType>)]
    pub partner_type: Option<PartnerType>,
    #[param(value_type = Option<PartnerTier>)]
    pub tier: Option<PartnerTier>,
    #[param(value_type = Option<PartnerStatus>)]
    pub status: Option<PartnerStatus>,
    pub external_id: Option<String>,
    /// Only partners changed at or after this time (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A partner to create, or its new state (upsert).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    pub partner_type: PartnerType,
    /// Defaults to `registered`.
    pub tier: Option<PartnerTier>,
    /// In percent, 0 to 100.
    #[schema(value_type = String, example = "10", pattern = r"^\d{1,3}(\.\d+)?$")]
    pub commission_rate: Decimal,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub region: Option<String>,
    #[schema(pattern = "^[A-Z]{3}$")]
    pub payout_currency: Option<String>,
    /// Only on create (`POST`); the upsert takes it from the path.
    #[schema(min_length = 1, max_length = 255)]
    pub external_id: Option<String>,
}

/// The fields to change; absent fields keep their value, an empty string clears a text field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerPatch {
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    pub partner_type: Option<PartnerType>,
    pub tier: Option<PartnerTier>,
    #[schema(value_type = Option<String>, example = "10", pattern = r"^\d{1,3}(\.\d+)?$")]
    pub commission_rate: Option<Decimal>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub region: Option<String>,
    pub payout_currency: Option<String>,
    /// A move along the onboarding flow: invited → onboarding → active ⇄ inactive (invited →
    /// active skips onboarding).
    pub status: Option<PartnerStatus>,
}

fn form_of_input(input: PartnerInput) -> (PartnerForm, Option<String>) {
    let form = PartnerForm {
        name: input.name,
        partner_type: input.partner_type.as_str().to_owned(),
        tier: input
            .tier
            .unwrap_or(PartnerTier::Registered)
            .as_str()
            .to_owned(),
        commission_rate: input.commission_rate.to_string(),
        contact_name: input.contact_name.unwrap_or_default(),
        contact_email: input.contact_email.unwrap_or_default(),
        website: input.website.unwrap_or_default(),
        region: input.region.unwrap_or_default(),
        payout_currency: input.payout_currency.unwrap_or_default(),
    };
    (form, input.external_id)
}

async fn show(caller: &ApiCaller, id: PartnerId) -> Result<Partner, Problem> {
    service::get(caller, id).await?.try_into()
}

/// List partners
#[utoipa::path(operation_id = "list_partners", get, path = "/partners", tag = "partners", params(ListParams),
    responses((status = 200, body = Page<Partner>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    caller: ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<Partner>>, Problem> {
    let limit = pagination::limit(params.limit)?;
    let after = pagination::decode(params.cursor.as_deref())?;
    let filter = Filter {
        search: params.q.as_deref().unwrap_or(""),
        partner_type: params.partner_type,
        tier: params.tier,
        status: params.status,
    };
    let cursor = Cursor {
        after,
        updated_since: params.updated_since,
        external_id: params.external_id.as_deref(),
    };
    let models = service::after(&caller, &filter, &cursor, limit).await?;
    Ok(Json(Page::of(models, limit, |m| m.id, Partner::try_from)?))
}

/// Create a partner
#[utoipa::path(operation_id = "create_partner", post, path = "/partners", tag = "partners", request_body = PartnerInput,
    responses((status = 201, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(caller: ApiCaller, Json(input): Json<PartnerInput>) -> Result<Response, Problem> {
    let (form, external) = form_of_input(input);
    let external = external.as_deref().map(external_id).transpose()?;
    if let Some(external) = external
        && service::by_external_id(&caller, external).await?.is_some()
    {
        return Err(respond::external_id_taken("partner", "partners", external));
    }
    let (id, _) = service::save(&caller, None, form, external).await?;
    Ok(respond::created("partners", id.0, show(&caller, id).await?))
}

/// Read a partner
#[utoipa::path(operation_id = "read_partner", get, path = "/partners/{id}", tag = "partners", params(("id" = i64, Path)),
    responses((status = 200, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn read(caller: ApiCaller, Path(id): Path<i64>) -> Result<Json<Partner>, Problem> {
    Ok(Json(show(&caller, PartnerId(id)).await?))
}

/// Update a partner
#[utoipa::path(operation_id = "update_partner", patch, path = "/partners/{id}", tag = "partners", params(("id" = i64, Path)), request_body = PartnerPatch,
    responses((status = 200, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update(
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(patch): Json<PartnerPatch>,
) -> Result<Json<Partner>, Problem> {
    let id = PartnerId(id);
    let existing = service::get(&caller, id).await?;
    let mut form = service::form_of(&existing)?;
    let status = patch.status;
    apply_patch(&mut form, patch);
    service::save(&caller, Some(id), form, None).await?;
    if let Some(to) = status
        && existing.status != to
    {
        service::change_status(&caller, id, to).await?;
    }
    Ok(Json(show(&caller, id).await?))
}

fn apply_patch(form: &mut PartnerForm, patch: PartnerPatch) {
    let set = |field: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *field = value;
        }
    };
    set(&mut form.name, patch.name);
    set(
        &mut form.partner_type,
        patch.partner_type.map(|t| t.as_str().to_owned()),
    );
    set(&mut form.tier, patch.tier.map(|t| t.as_str().to_owned()));
    set(
        &mut form.commission_rate,
        patch.commission_rate.map(|r| r.to_string()),
    );
    set(&mut form.contact_name, patch.contact_name);
    set(&mut form.contact_email, patch.contact_email);
    set(&mut form.website, patch.website);
    set(&mut form.region, patch.region);
    set(&mut form.payout_currency, patch.payout_currency);
}

/// Create or update a partner by external id
///
/// Idempotent: sending the same body twice changes nothing the second time (200, no audit
/// entry). Creates the partner (201) when no partner has this external id.
#[utoipa::path(operation_id = "upsert_partner", put, path = "/partners/by-external-id/{external_id}", tag = "partners",
    params(("external_id" = String, Path, min_length = 1, max_length = 255)), request_body = PartnerInput,
    responses((status = 200, body = Partner), (status = 201, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn upsert(
    caller: ApiCaller,
    Path(external): Path<String>,
    Json(input): Json<PartnerInput>,
) -> Result<Response, Problem> {
    let external = respond::upsert_id(&external, input.external_id.as_deref())?;
    let (form, _) = form_of_input(input);
    let existing = service::by_external_id(&caller, external).await?;
    let (id, saved) = service::save(
        &caller,
        existing.map(|m| PartnerId(m.id)),
        form,
        Some(external),
    )
    .await?;
    let partner = show(&caller, id).await?;
    Ok(match saved {
        Saved::Created => respond::created("partners", id.0, partner),
        Saved::Updated | Saved::Unchanged => Json(partner).into_response(),
    })
}
