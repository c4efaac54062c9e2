//! `/api/v1/payouts`: the commission ledger, read-only. Each entry is a commission (or a later
//! adjustment or clawback) owed to a partner on a deal, with its way to payment: pending →
//! approved → paid, or rejected. Approving and paying stay with people in the app.

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
use crate::entities::payouts;
use crate::repo::Cursor;
use crate::repo::payouts::Filter;
use crate::services::payouts as service;
use crate::state::Backend;
use domain::ids::{DealId, PartnerId, PayoutId};
use domain::ledger::EntryKind;
use domain::money::Money;
use domain::payout::PayoutStatus;

pub fn routes() -> OpenApiRouter<Backend> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
}

/// A commission entry owed to a partner, and where it stands on its way to payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payout {
    pub id: i64,
    pub partner_id: i64,
    pub deal_id: Option<i64>,
    pub kind: EntryKind,
    pub status: PayoutStatus,
    /// Negative for a clawback.
    pub amount: Amount,
    /// What the partner is paid, when in another currency than the deal's.
    pub payout_amount: Option<Amount>,
    /// The entry an adjustment or clawback corrects.
    pub corrects: Option<i64>,
    /// How the commission was worked out (rule, rate, credit).
    pub explanation: Option<String>,
    pub note: Option<String>,
    pub rejected_reason: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    /// The payment's reference (bank transfer id and the like).
    pub paid_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<payouts::Model> for Payout {
    type Error = Problem;

    fn try_from(model: payouts::Model) -> Result<Payout, Problem> {
        let currency = model.currency.0;
        let payout_amount = match (&model.payout_currency, model.payout_amount_minor) {
            (Some(code), Some(minor)) => Some(Money::from_minor(minor, code.0).into()),
            _ => None,
        };
        Ok(Payout {
            id: model.id,
            partner_id: model.partner_id,
            deal_id: model.deal_id,
            kind: model.kind.0,
            status: model.status.0,
            amount: Money::from_minor(model.amount_minor, currency).into(),
            payout_amount,
            corrects: model.corrects_payout_id,
            explanation: model.explanation,
            note: model.note,
            rejected_reason: model.rejected_reason,
            approved_at: model.approved_at,
            paid_on: model.paid_on,
            paid_reference: model.paid_reference,
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
    #[param(value_type = Option<PayoutStatus>)]
    pub status: Option<PayoutStatus>,
    #[param(value_type = Option<EntryKind>)]
    pub kind: Option<EntryKind>,
    pub partner_id: Option<i64>,
    pub deal_id: Option<i64>,
    /// Only entries changed at or after this time (RFC 3339): new ones, approvals, payments.
    pub updated_since: Option<DateTime<Utc>>,
}

/// List payouts
#[utoipa::path(operation_id = "list_payouts", get, path = "/payouts", tag = "payouts", params(ListParams),
    responses((status = 200, body = Page<Payout>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    caller: ApiCaller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<Payout>>, Problem> {
    let limit = pagination::limit(params.limit)?;
    let cursor = Cursor {
        after: pagination::decode(params.cursor.as_deref())?,
        updated_since: params.updated_since,
        external_id: None,
    };
    let filter = Filter {
        status: params.status,
        partner_id: params.partner_id.map(PartnerId),
        deal_id: params.deal_id.map(DealId),
        ..Filter::default()
    };
    let models = service::after(&caller, &filter, params.kind, &cursor, limit).await?;
    Ok(Json(Page::of(models, limit, |m| m.id, Payout::try_from)?))
}

/// Read a payout
#[utoipa::path(operation_id = "read_payout", get, path = "/payouts/{id}", tag = "payouts", params(("id" = i64, Path)),
    responses((status = 200, body = Payout), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn read(caller: ApiCaller, Path(id): Path<i64>) -> Result<Json<Payout>, Problem> {
    Ok(Json(service::get(&caller, PayoutId(id)).await?.try_into()?))
}
