//! Downloads: plain GET routes that answer with a file rather than a server function's JSON,
//! authorized exactly like server functions (the viewer resolved by the auth layer, the role
//! matrix, the tenant).

use axum::extract::{Extension, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::auth::Viewer;
use super::caller::Caller;
use super::services;
use super::state::Backend;
use super::status_of;
use domain::access::{Action, Resource};
use domain::ids::PartnerId;
use domain::payout::PayoutStatus;
use domain::reporting::Period;
use wire::AppError;
use wire::payouts::PayoutFilter;
use wire::reports::Report;

/// The payout queue's query keys, as its address spells them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PayoutQuery {
    status: Option<String>,
    partner: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min: Option<String>,
    max: Option<String>,
}

impl PayoutQuery {
    fn filter(self) -> Result<PayoutFilter, AppError> {
        fn parsed<T: std::str::FromStr>(
            field: &str,
            text: Option<String>,
        ) -> Result<Option<T>, AppError> {
            match text.filter(|t| !t.trim().is_empty()) {
                None => Ok(None),
                Some(text) => text.trim().parse().map(Some).map_err(|_| {
                    AppError::invalid_field(field, format!("\"{text}\" is not a valid {field}."))
                }),
            }
        }
        Ok(PayoutFilter {
            status: parsed::<PayoutStatus>("status", self.status)?,
            partner_id: parsed::<PartnerId>("partner", self.partner)?,
            from: parsed::<NaiveDate>("from", self.from)?,
            to: parsed::<NaiveDate>("to", self.to)?,
            min_amount: self.min,
            max_amount: self.max,
        })
    }
}

fn failure(err: AppError) -> Response {
    (status_of(&err), err.to_string()).into_response()
}

/// A CSV file to download under `name`.
fn csv_file(name: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response()
}

/// `GET /api/payouts/export.csv?status=…&partner=…`: the payouts the queue's filter matches.
pub async fn payouts_csv(
    State(state): State<Backend>,
    viewer: Option<Extension<Viewer>>,
    Query(query): Query<PayoutQuery>,
) -> Response {
    let user = viewer.and_then(|Extension(v)| v.0);
    let caller = match Caller::authorized(&state, user, Action::Export, Resource::Payouts) {
        Ok(caller) => caller,
        Err(err) => return failure(err),
    };
    let csv = match query.filter() {
        Ok(filter) => services::payouts::export(&caller, &filter).await,
        Err(err) => Err(err),
    };
    match csv {
        Ok(csv) => csv_file(&format!("payouts-{}.csv", Utc::now().date_naive()), csv),
        Err(err) => failure(err),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatementQuery {
    partner: Option<String>,
    period: Option<String>,
}

/// `GET /api/payouts/statement.csv?partner=…&period=…`: one partner's commission statement.
/// A partner user (through the portal) always gets its own partner's, whatever `partner` says.
pub async fn statement_csv(
    State(state): State<Backend>,
    viewer: Option<Extension<Viewer>>,
    Query(query): Query<StatementQuery>,
) -> Response {
    let user = viewer.and_then(|Extension(v)| v.0);
    let resource = match user.as_ref().and_then(|u| u.partner_id) {
        Some(_) => Resource::Portal,
        None => Resource::Payouts,
    };
    let caller = match Caller::authorized(&state, user, Action::View, resource) {
        Ok(caller) => caller,
        Err(err) => return failure(err),
    };
    let partner = match (
        caller.tenant.partner_id(),
        query.partner.as_deref().map(str::parse::<PartnerId>),
    ) {
        (Some(own), _) => own,
        (None, Some(Ok(partner))) => partner,
        _ => {
            return failure(AppError::invalid_field(
                "partner",
                "Name the partner (its id).",
            ));
        }
    };
    let period = match query.period.as_deref().filter(|p| !p.is_empty()) {
        None => Period::LastQuarter,
        Some(text) => match text.parse::<Period>() {
            Ok(period) => period,
            Err(err) => return failure(AppError::invalid_field("period", err.to_string())),
        },
    };
    let statement = services::payouts::statement_for(&caller, partner, period).await;
    match statement.and_then(|s| Ok((services::payouts::statement_csv(&s)?, s))) {
        Ok((csv, statement)) => {
            let name = format!(
                "statement-{}-{}-{}.csv",
                statement.partner_id,
                statement.start,
                statement.end.pred_opt().unwrap_or(statement.end)
            );
            csv_file(&name, csv)
        }
        Err(err) => failure(err),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    period: Option<String>,
}

/// `GET /api/reports/<report>.csv?period=…`: the table behind one executive report.
pub async fn report_csv(
    state: Backend,
    viewer: Option<Extension<Viewer>>,
    query: ReportQuery,
    report: Report,
) -> Response {
    let user = viewer.and_then(|Extension(v)| v.0);
    let caller = match Caller::authorized(&state, user, Action::Export, Resource::Reports) {
        Ok(caller) => caller,
        Err(err) => return failure(err),
    };
    let period = match query.period.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(text) => match text.parse::<Period>() {
            Ok(period) => Some(period),
            Err(err) => return failure(AppError::invalid_field("period", err.to_string())),
        },
    };
    match services::reports::csv(&caller, report, period).await {
        Ok((name, csv)) => csv_file(&name, csv),
        Err(err) => failure(err),
    }
}

/// `GET /api/imports/{id}/errors.csv`: every bad row of an import (the page lists the first
/// ones), by line, to fix in the file before importing it again.
pub async fn import_errors_csv(
    State(state): State<Backend>,
    viewer: Option<Extension<Viewer>>,
    Path(id): Path<i64>,
) -> Response {
    let user = viewer.and_then(|Extension(v)| v.0);
    let caller = match Caller::authorized(&state, user, Action::View, Resource::Imports) {
        Ok(caller) => caller,
        Err(err) => return failure(err),
    };
    match services::imports::errors_csv(&caller, id).await {
        Ok((name, csv)) => csv_file(&name, csv),
        Err(err) => failure(err),
    }
}
