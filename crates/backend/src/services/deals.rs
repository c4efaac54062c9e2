//! Deals: the pipeline list and one deal with its timeline and the split under every model.

use std::collections::BTreeMap;

use chrono::Utc;

use crate::caller::Caller;
use crate::repo;
use crate::repo::deals::Filter;
use domain::access::{Action, Resource};
use domain::attribution::{self, AttributionModel, DealInput, Touch, calendar_days, close_day};
use domain::deal::DealForm;
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::money::{Currency, Money, parse_amount};
use wire::AppError;
use wire::deals::{
    CommissionLine, DEAL_PAGE_SIZE, DealDetail, DealFilter, DealPage, DealSort, LockedRate,
    ModelSplit, SplitLine, TimelineEntry,
};

/// An amount typed in the base currency (a list's amount filter), as minor units.
pub(super) fn minor(
    field: &str,
    text: Option<&str>,
    currency: Currency,
) -> Result<Option<i64>, AppError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let amount = parse_amount(text).ok_or_else(|| {
        AppError::invalid_field(
            field,
            format!("\"{text}\" is not an amount (such as 25000)."),
        )
    })?;
    Money::entered(amount, currency)
        .and_then(|m| m.to_minor())
        .map(Some)
        .map_err(|e| AppError::invalid_field(field, e.to_string()))
}

pub async fn list(
    caller: &Caller,
    query: DealFilter,
    sort: DealSort,
    descending: bool,
    page: u64,
) -> Result<DealPage, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    let base = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    let filter = Filter {
        search: &query.search,
        stage: query.stage,
        partner_id: query.partner_id,
        min_amount: minor("min_amount", query.min_amount.as_deref(), base)?,
        max_amount: minor("max_amount", query.max_amount.as_deref(), base)?,
        close_from: query.close_from,
        close_to: query.close_to,
        partner_type: query.partner_type,
        tier: query.tier,
        involvement: query.involvement,
    };
    let (rows, total) = repo::deals::page(
        &caller.tenant,
        caller.db(),
        &filter,
        sort,
        descending,
        page,
        DEAL_PAGE_SIZE,
    )
    .await?;
    let partner_name = match query.partner_id {
        Some(id) => repo::deals::names_of(&caller.tenant, caller.db(), &[id.0])
            .await?
            .remove(&id.0),
        None => None,
    };
    Ok(DealPage {
        partner_name,
        rows,
        total,
        page,
        page_size: DEAL_PAGE_SIZE,
        organization_total: repo::deals::count(&caller.tenant, caller.db()).await?,
    })
}

pub async fn detail(caller: &Caller, id: DealId) -> Result<DealDetail, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let deal = repo::deals::get(tenant, db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the deal".into()))?;
    let touchpoints = repo::deals::touchpoints_of(tenant, db, id).await?;
    let stored = repo::deals::stored_attributions(tenant, db, id).await?;
    let mut partner_ids: Vec<i64> = touchpoints.iter().map(|t| t.partner_id).collect();
    partner_ids.extend(stored.iter().map(|a| a.partner_id));
    let names = repo::deals::names_of(tenant, db, &partner_ids).await?;
    let name_of = |id: i64| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Partner {id}"))
    };

    let (payable, settings) =
        repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
    let zone = settings.time_zone;
    // Days are counted to the close, or for an open deal to its expected close.
    let close_on = close_day(deal.closed_at, deal.expected_close_on, zone);
    let close_at = deal.closed_at.or_else(|| {
        deal.expected_close_on
            .and_then(|day| attribution::start_of(day, zone))
    });
    let mut timeline = Vec::with_capacity(touchpoints.len());
    let mut touches = Vec::with_capacity(touchpoints.len());
    for t in &touchpoints {
        let kind = t.kind.0;
        touches.push(Touch {
            partner: PartnerId(t.partner_id),
            kind,
            at: t.occurred_at,
        });
        timeline.push(TimelineEntry {
            id: TouchpointId(t.id),
            partner_id: PartnerId(t.partner_id),
            partner_name: name_of(t.partner_id),
            kind,
            occurred_at: t.occurred_at,
            note: t.note.clone(),
            days_before_close: close_on.map(|day| calendar_days(t.occurred_at, day, zone)),
        });
    }

    let amount = repo::deals::amount_of(&deal);
    let mut attribution: Vec<ModelSplit> = Vec::new();

    // What was stored when the deal was won, per model.
    // Keyed by label first, so the stored models list in the order they always have.
    let mut stored_by_model: BTreeMap<(&str, AttributionModel), Vec<SplitLine>> = BTreeMap::new();
    for a in &stored {
        let currency = a.currency.0;
        stored_by_model
            .entry((a.model.0.as_str(), a.model.0))
            .or_default()
            .push(SplitLine {
                partner_id: PartnerId(a.partner_id),
                partner_name: name_of(a.partner_id),
                share: a.share.0,
                amount: Money::from_minor(a.amount_minor, currency),
                // Stored as the structured explanation; plain text is shown as it is.
                explanation: serde_json::from_str::<attribution::Explanation>(&a.explanation)
                    .map_or_else(|_| a.explanation.clone(), |e| e.sentence()),
            });
    }
    for ((_, model), lines) in stored_by_model {
        attribution.push(ModelSplit {
            model,
            model_name: model.name().to_owned(),
            payable: model == payable,
            stored: true,
            lines,
        });
    }

    // Every rule-based model, computed now, for comparison (partner users see their own line).
    let note = if touches.is_empty() {
        Some("No partner has touched this deal yet.".to_owned())
    } else {
        None
    };
    if note.is_none() && tenant.partner_id().is_none() {
        let input = DealInput {
            deal: id,
            amount,
            closed_at: close_at.unwrap_or_else(Utc::now),
            touches,
        };
        let results = attribution::compare(
            std::slice::from_ref(&input),
            AttributionModel::RULE_BASED,
            &settings,
        )?;
        for (model, result) in AttributionModel::RULE_BASED.iter().zip(results) {
            if attribution.iter().any(|m| m.model == *model) {
                continue;
            }
            let lines = result
                .first()
                .map(|r| {
                    r.splits()
                        .iter()
                        .map(|s| SplitLine {
                            partner_id: s.partner,
                            partner_name: name_of(s.partner.0),
                            share: s.share,
                            amount: s.amount,
                            explanation: s.explanation.sentence(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            attribution.push(ModelSplit {
                model: *model,
                model_name: model.name().to_owned(),
                payable: *model == payable,
                stored: false,
                lines,
            });
        }
    }
    // The payable model first, then stored results, then the rest in the engine's order.
    attribution.sort_by_key(|m| {
        (
            !m.payable,
            !m.stored,
            AttributionModel::ALL.iter().position(|x| *x == m.model),
        )
    });

    let partners: Vec<String> = {
        let mut seen = Vec::new();
        for t in &timeline {
            if !seen.contains(&t.partner_name) {
                seen.push(t.partner_name.clone());
            }
        }
        seen
    };
    let mut commissions = Vec::new();
    for payout in repo::deals::payouts_of(tenant, db, id).await? {
        let currency = payout.currency.0;
        let attributed = stored
            .iter()
            .find(|a| Some(a.id) == payout.attribution_id)
            .map(|a| Money::from_minor(a.amount_minor, currency));
        commissions.push(CommissionLine {
            id: payout.id,
            partner_id: PartnerId(payout.partner_id),
            partner_name: name_of(payout.partner_id),
            attributed,
            kind: payout.kind.0,
            amount: Money::from_minor(payout.amount_minor, currency),
            status: payout.status.0,
            corrects: payout.corrects_payout_id,
            note: payout.rejected_reason.clone().or(payout.note.clone()),
            explanation: payout.explanation.clone(),
        });
    }
    let form = form_of(&deal)?;
    let locked_rate = match (&deal.fx_rate, deal.fx_rate_on) {
        (Some(rate), Some(effective_on)) => {
            let base = repo::organizations::header(db, tenant.organization_id())
                .await?
                .base_currency;
            let exact = rate.0;
            Some(LockedRate {
                rate: exact.to_string(),
                effective_on,
                base_amount: domain::fx::convert(repo::deals::amount_of(&deal), exact, base),
            })
        }
        _ => None,
    };
    Ok(DealDetail {
        locked_rate,
        today: Utc::now().date_naive(),
        lost_reason: deal.lost_reason.clone(),
        commissions,
        form,
        deal: repo::deals::row(&deal, partners)?,
        source: deal.source.clone(),
        expected_close_on: deal.expected_close_on,
        closed_at: deal.closed_at,
        created_at: deal.created_at,
        timeline,
        attribution,
        attribution_note: note,
    })
}

/// The edit form filled with the deal as stored.
pub(crate) fn form_of(deal: &crate::entities::deals::Model) -> Result<DealForm, AppError> {
    let amount = repo::deals::amount_of(deal);
    Ok(DealForm {
        name: deal.name.clone(),
        account_name: deal.account_name.clone(),
        amount: amount.amount().to_string(),
        currency: amount.currency().to_string(),
        expected_close_on: deal
            .expected_close_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    })
}

// The REST API's reads: records as stored, for `server::rest` to put on the wire.

fn deal_not_found() -> AppError {
    AppError::NotFound("the deal".into())
}

pub async fn get(
    caller: &crate::caller::Caller,
    id: DealId,
) -> Result<crate::entities::deals::Model, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    repo::deals::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(deal_not_found)
}

pub async fn after(
    caller: &crate::caller::Caller,
    stage: Option<domain::deal::DealStage>,
    cursor: &repo::Cursor<'_>,
    limit: u64,
) -> Result<Vec<crate::entities::deals::Model>, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    Ok(repo::deals::after(&caller.tenant, caller.db(), stage, cursor, limit).await?)
}

/// The deal an API client created with `external_id`, if any.
pub async fn by_external_id(
    caller: &crate::caller::Caller,
    external_id: &str,
) -> Result<Option<crate::entities::deals::Model>, AppError> {
    by_source(caller, repo::deals::API_SOURCE, external_id).await
}

/// The deal another system (`source`: the API, a CRM) knows by `external_id`, if any.
pub async fn by_source(
    caller: &crate::caller::Caller,
    source: &str,
    external_id: &str,
) -> Result<Option<crate::entities::deals::Model>, AppError> {
    caller.require(Action::View, Resource::Deals)?;
    Ok(repo::deals::by_external_id(&caller.tenant, caller.db(), source, external_id).await?)
}

/// The attribution stored when the deal was won, under every model (none while it is open).
pub async fn attributions(
    caller: &crate::caller::Caller,
    id: DealId,
) -> Result<Vec<crate::entities::attributions::Model>, AppError> {
    caller.require(Action::View, Resource::Attribution)?;
    get(caller, id).await?;
    Ok(repo::deals::stored_attributions(&caller.tenant, caller.db(), id).await?)
}

pub async fn touchpoint(
    caller: &crate::caller::Caller,
    id: TouchpointId,
) -> Result<crate::entities::touchpoints::Model, AppError> {
    caller.require(Action::View, Resource::Touchpoints)?;
    repo::deals::touchpoint(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("the touchpoint".into()))
}

pub async fn touchpoints_after(
    caller: &crate::caller::Caller,
    deal: Option<DealId>,
    partner: Option<PartnerId>,
    cursor: &repo::Cursor<'_>,
    limit: u64,
) -> Result<Vec<crate::entities::touchpoints::Model>, AppError> {
    caller.require(Action::View, Resource::Touchpoints)?;
    Ok(
        repo::deals::touchpoints_after(&caller.tenant, caller.db(), deal, partner, cursor, limit)
            .await?,
    )
}

/// The deal's touchpoints in time order (a partner user's: its own partner's only).
pub async fn touchpoints_of(
    caller: &crate::caller::Caller,
    deal: DealId,
) -> Result<Vec<crate::entities::touchpoints::Model>, AppError> {
    caller.require(Action::View, Resource::Touchpoints)?;
    Ok(repo::deals::touchpoints_of(&caller.tenant, caller.db(), deal).await?)
}

pub async fn touchpoint_by_external_id(
    caller: &crate::caller::Caller,
    external_id: &str,
) -> Result<Option<crate::entities::touchpoints::Model>, AppError> {
    caller.require(Action::View, Resource::Touchpoints)?;
    Ok(repo::deals::touchpoint_by_external_id(&caller.tenant, caller.db(), external_id).await?)
}

/// The model the organization pays commissions under.
pub async fn payable_model(caller: &crate::caller::Caller) -> Result<AttributionModel, AppError> {
    caller.require(Action::View, Resource::Attribution)?;
    let (payable, _) =
        repo::organizations::attribution_settings(caller.db(), caller.tenant.organization_id())
            .await?;
    Ok(payable)
}
