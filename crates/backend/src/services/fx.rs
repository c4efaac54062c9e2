//! Exchange rates for finance: read by those who see payouts, set and imported by those who
//! edit them; every change audited with the rate it replaced.

use chrono::Utc;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::fx::{Rate, RateForm, parse_csv};
use wire::AppError;
use wire::fx::{ImportResult, RateRow, RatesPage};

/// Import files larger than this are refused before parsing.
const LARGEST_IMPORT: usize = 1_000_000;

pub async fn list(caller: &Caller) -> Result<RatesPage, AppError> {
    caller.require(Action::View, Resource::Payouts)?;
    let base = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    let rates = repo::fx::all(&caller.tenant, caller.db()).await?;
    let mut missing = repo::deals::open_currencies(&caller.tenant, caller.db()).await?;
    missing.retain(|c| *c != base && !rates.iter().any(|(r, _)| r.currency == *c));
    Ok(RatesPage {
        base,
        rates: rates
            .into_iter()
            .map(|(rate, updated_at)| RateRow {
                currency: rate.currency,
                rate: rate.rate.to_string(),
                effective_on: rate.effective_on,
                updated_at,
            })
            .collect(),
        missing,
        can_edit: caller.can(Action::Edit, Resource::Payouts),
    })
}

async fn store(caller: &Caller, db: &impl ConnectionTrait, rate: &Rate) -> Result<(), AppError> {
    let before = repo::fx::upsert(&caller.tenant, db, rate, caller.user.id.0, Utc::now()).await?;
    audit::by_caller(caller, db, Entry {
            action: AuditAction::FxRateSaved,
            entity_type: "fx_rate",
            entity_id: None,
            before: before.map(|r| {
                json!({ "currency": rate.currency.to_string(), "effective_on": rate.effective_on, "rate": r.to_string() })
            }),
            after: Some(json!({
                "currency": rate.currency.to_string(),
                "effective_on": rate.effective_on,
                "rate": rate.rate.to_string(),
            })),
        },
    )
    .await?;
    Ok(())
}

/// The base currency rates are quoted against, for a caller who may edit them.
async fn editor(caller: &Caller) -> Result<domain::money::Currency, AppError> {
    caller.require(Action::Edit, Resource::Payouts)?;
    let base = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    Ok(base)
}

pub async fn save(caller: &Caller, form: RateForm) -> Result<(), AppError> {
    let base = editor(caller).await?;
    let rate = form.validate(base).map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    store(caller, &txn, &rate).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn import(caller: &Caller, csv: String) -> Result<ImportResult, AppError> {
    let base = editor(caller).await?;
    if csv.len() > LARGEST_IMPORT {
        return Err(AppError::invalid_field(
            "csv",
            "The file is larger than 1 MB; split it.",
        ));
    }
    let rates = match parse_csv(&csv, base) {
        Ok(rates) => rates,
        Err(errors) => return Ok(ImportResult { saved: 0, errors }),
    };
    let txn = crate::repo::begin_write(caller.db()).await?;
    for rate in &rates {
        store(caller, &txn, rate).await?;
    }
    txn.commit().await?;
    Ok(ImportResult {
        saved: rates.len() as u32,
        errors: Vec::new(),
    })
}
