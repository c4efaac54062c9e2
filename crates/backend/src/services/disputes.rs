//! Disputes: partner users open and discuss their own partner's; partner managers and admins
//! open them for any partner, review, resolve (adding the adjustment to the ledger as a pending
//! entry finance approves like any other) or reject them; finance reads them. Every step is
//! audited and written into the thread both sides read.

use crate::entities::text::Text;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::{disputes, payouts};
use crate::repo;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::dispute::{DisputeAction, DisputeActionForm, DisputeForm, Side, Subject, text};
use domain::ids::{DealId, DisputeId, PartnerId, PayoutId, UserId};
use domain::ledger::EntryKind;
use domain::money::{Currency, Money};
use domain::payout::{DisputeStatus, PayoutStatus};
use wire::AppError;
use wire::disputes::{DISPUTE_PAGE_SIZE, DisputeDetail, DisputePage, DisputeRow, ThreadMessage};

/// The company with `action` on disputes, or a partner user through the portal (its tenant then
/// reaches only its own partner's disputes).
fn allow(caller: &Caller, action: Action) -> Result<(), AppError> {
    match caller.require(action, Resource::Disputes) {
        Err(AppError::Forbidden) if matches!(action, Action::View | Action::Edit) => {
            caller.require(action, Resource::Portal)?;
            match caller.tenant.partner_id() {
                Some(_) => Ok(()),
                None => Err(AppError::Forbidden),
            }
        }
        other => other,
    }
}

fn side_of(caller: &Caller) -> Side {
    match caller.tenant.partner_id() {
        Some(_) => Side::Partner,
        None => Side::Company,
    }
}

fn not_found() -> AppError {
    AppError::NotFound("the dispute".into())
}

async fn rows_of(
    caller: &Caller,
    models: Vec<disputes::Model>,
) -> Result<Vec<DisputeRow>, AppError> {
    let partners: Vec<i64> = models.iter().map(|d| d.partner_id).collect();
    let deals: Vec<i64> = models.iter().filter_map(|d| d.deal_id).collect();
    let partner_names = repo::deals::names_of(&caller.tenant, caller.db(), &partners).await?;
    let deal_names = repo::deals::titles_of(&caller.tenant, caller.db(), &deals).await?;
    models
        .into_iter()
        .map(|d| {
            Ok(DisputeRow {
                id: DisputeId(d.id),
                partner_id: PartnerId(d.partner_id),
                partner_name: partner_names
                    .get(&d.partner_id)
                    .cloned()
                    .unwrap_or_default(),
                deal_id: d.deal_id.map(DealId),
                deal_name: d.deal_id.and_then(|id| deal_names.get(&id).cloned()),
                payout_id: d.payout_id.map(PayoutId),
                status: d.status.0,
                reason: d.reason,
                opened_at: d.created_at,
                closed_at: d.resolved_at,
            })
        })
        .collect()
}

pub async fn list(
    caller: &Caller,
    status: Option<DisputeStatus>,
    partner: Option<PartnerId>,
    page: u64,
) -> Result<DisputePage, AppError> {
    allow(caller, Action::View)?;
    let (models, total) = repo::disputes::page(
        &caller.tenant,
        caller.db(),
        status,
        partner,
        page,
        DISPUTE_PAGE_SIZE,
    )
    .await?;
    Ok(DisputePage {
        rows: rows_of(caller, models).await?,
        total,
        page,
        page_size: DISPUTE_PAGE_SIZE,
        open: repo::disputes::open_count(&caller.tenant, caller.db()).await?,
    })
}

fn signed(entry: &payouts::Model) -> Result<Money, AppError> {
    let kind: EntryKind = entry.kind.0;
    let currency: Currency = entry.currency.0;
    Ok(Money::from_minor(
        kind.sign() * entry.amount_minor,
        currency,
    ))
}

/// The disputed payout's amount, or what the partner holds on the deal (entries not rejected).
async fn amount_in_question(
    caller: &Caller,
    dispute: &disputes::Model,
) -> Result<Option<Money>, AppError> {
    if let Some(payout) = dispute.payout_id {
        return match repo::disputes::payout(&caller.tenant, caller.db(), payout).await? {
            Some(entry) => signed(&entry).map(Some),
            None => Ok(None),
        };
    }
    let Some(deal) = dispute.deal_id else {
        return Ok(None);
    };
    let entries = repo::payouts::of_deal_and_partner(
        &caller.tenant,
        caller.db(),
        DealId(deal),
        PartnerId(dispute.partner_id),
    )
    .await?;
    let mut total: Option<Money> = None;
    for entry in entries
        .iter()
        .filter(|e| e.status != PayoutStatus::Rejected)
    {
        let amount = signed(entry)?;
        total = Some(match total {
            Some(sum) => sum.checked_add(amount)?,
            None => amount,
        });
    }
    Ok(total)
}

pub async fn get(caller: &Caller, id: DisputeId) -> Result<DisputeDetail, AppError> {
    allow(caller, Action::View)?;
    let model = repo::disputes::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let status = model.status.0;
    // Who opened it, and from which side (imported history: the partner).
    let opener = match model.opened_by {
        Some(user) => repo::users::get(&caller.tenant, caller.db(), UserId(user)).await?,
        None => None,
    };
    let opened_by = opener.as_ref().map(|u| u.name.clone());
    let opener_side = match &opener {
        Some(user) if user.partner_id.is_none() => Side::Company,
        _ => Side::Partner,
    };
    let adjustment = match model.adjustment_payout_id {
        Some(payout) => match repo::disputes::payout(&caller.tenant, caller.db(), payout).await? {
            Some(entry) => Some((PayoutId(entry.id), signed(&entry)?)),
            None => None,
        },
        None => None,
    };
    let amount_in_question = amount_in_question(caller, &model).await?;
    let partner_name = repo::deals::names_of(&caller.tenant, caller.db(), &[model.partner_id])
        .await?
        .remove(&model.partner_id)
        .unwrap_or_default();
    let mut thread = vec![ThreadMessage {
        author: opened_by.clone().unwrap_or(partner_name),
        side: opener_side,
        body: model.reason.clone(),
        at: model.created_at,
    }];
    for message in repo::disputes::messages(&caller.tenant, caller.db(), id).await? {
        thread.push(ThreadMessage {
            author: message.author_name,
            side: message.side.parse().map_err(AppError::internal)?,
            body: message.body,
            at: message.created_at,
        });
    }
    let verbs = if caller.can(Action::Approve, Resource::Disputes) {
        status.verbs()
    } else {
        Vec::new()
    };
    let can_reply = !status.is_final()
        && (caller.can(Action::Edit, Resource::Disputes) || caller.tenant.partner_id().is_some());
    let resolution = model.resolution.clone();
    let dispute = rows_of(caller, vec![model])
        .await?
        .pop()
        .ok_or_else(not_found)?;
    Ok(DisputeDetail {
        dispute,
        opened_by,
        resolution,
        adjustment,
        amount_in_question,
        thread,
        verbs,
        can_reply,
    })
}

async fn audit_dispute(
    caller: &Caller,
    db: &impl ConnectionTrait,
    action: AuditAction,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit::by_caller(
        caller,
        db,
        Entry {
            action,
            entity_type: "dispute",
            entity_id: Some(id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

pub async fn open(caller: &Caller, form: DisputeForm) -> Result<DisputeId, AppError> {
    allow(caller, Action::Edit)?;
    let draft = form.validate().map_err(AppError::invalid_fields)?;
    // What the caller cannot reach answers as if it did not exist.
    let (deal, payout) = match draft.subject {
        Subject::Attribution(deal) => {
            repo::deals::get(&caller.tenant, caller.db(), deal)
                .await?
                .ok_or_else(|| AppError::NotFound("the deal".into()))?;
            (Some(deal.0), None)
        }
        Subject::Payout(id) => {
            let entry = repo::disputes::payout(&caller.tenant, caller.db(), id.0)
                .await?
                .ok_or_else(|| AppError::NotFound("the payout".into()))?;
            (entry.deal_id, Some(entry))
        }
    };
    let partner = match (caller.tenant.partner_id(), draft.partner) {
        (Some(own), _) => own,
        (None, Some(partner)) => {
            repo::partners::get(&caller.tenant, caller.db(), partner)
                .await?
                .ok_or_else(|| AppError::NotFound("the partner".into()))?;
            partner
        }
        (None, None) => {
            return Err(AppError::invalid_field(
                "partner_id",
                "Choose the partner the dispute is for.",
            ));
        }
    };
    if payout.as_ref().is_some_and(|p| p.partner_id != partner.0) {
        return Err(AppError::invalid_field(
            "subject",
            "That payout is another partner's.",
        ));
    }
    let payout = payout.map(|p| p.id);
    let now = Utc::now();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let model = repo::disputes::insert(
        &caller.tenant,
        &txn,
        &repo::disputes::NewDispute {
            partner,
            deal,
            payout,
            reason: &draft.reason,
            by: caller.user.id.0,
            at: now,
        },
    )
    .await?;
    audit_dispute(
        caller,
        &txn,
        AuditAction::DisputeOpened,
        model.id,
        None,
        Some(json!({
            "partner_id": partner.0,
            "deal_id": deal,
            "payout_id": payout,
            "reason": draft.reason,
            "status": DisputeStatus::Open.as_str(),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(DisputeId(model.id))
}

pub async fn reply(caller: &Caller, id: DisputeId, body: String) -> Result<(), AppError> {
    allow(caller, Action::Edit)?;
    let body =
        text(&body, "Write a message first.").map_err(|e| AppError::invalid_field("body", e))?;
    let model = repo::disputes::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    if model.status.0.is_final() {
        return Err(AppError::Conflict(
            "This dispute is closed; its thread is read-only.".into(),
        ));
    }
    let now = Utc::now();
    let txn = crate::repo::begin_write(caller.db()).await?;
    repo::disputes::add_message(
        &caller.tenant,
        &txn,
        id,
        (caller.user.id.0, &caller.user.name),
        side_of(caller),
        &body,
        now,
    )
    .await?;
    audit_dispute(
        caller,
        &txn,
        AuditAction::DisputeReplied,
        id.0,
        None,
        Some(json!({ "side": side_of(caller).as_str(), "body": body })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The deal, currency and locked rate (for another currency than the base) an adjustment lands
/// on: the disputed payout's, or the deal's.
async fn adjustment_target(
    caller: &Caller,
    db: &impl ConnectionTrait,
    model: &disputes::Model,
) -> Result<(Option<i64>, Currency, Option<Text<rust_decimal::Decimal>>), AppError> {
    if let Some(payout) = model.payout_id {
        let entry = repo::disputes::payout(&caller.tenant, db, payout)
            .await?
            .ok_or_else(|| AppError::internal("disputed payout vanished"))?;
        return Ok((entry.deal_id, entry.currency.0, entry.fx_rate));
    }
    let deal_id = model
        .deal_id
        .ok_or_else(|| AppError::internal("a dispute names a deal or a payout"))?;
    let deal = repo::deals::get(&caller.tenant, db, DealId(deal_id))
        .await?
        .ok_or_else(|| AppError::internal("disputed deal vanished"))?;
    Ok((Some(deal_id), deal.currency.0, deal.fx_rate))
}

pub async fn act(caller: &Caller, id: DisputeId, form: DisputeActionForm) -> Result<(), AppError> {
    caller.require(Action::Approve, Resource::Disputes)?;
    let action = form.validate().map_err(AppError::invalid_fields)?;
    let now = Utc::now();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let model = repo::disputes::get(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let from = model.status.0;
    let to = from.transition(action.to())?;
    let (answer, adjustment, message) = match &action {
        DisputeAction::StartReview => (None, None, "Started the review.".to_owned()),
        DisputeAction::Reject { answer } => {
            (Some(answer.clone()), None, format!("Rejected: {answer}"))
        }
        DisputeAction::Resolve { answer, adjustment } => {
            let (deal, currency, fx_rate) = adjustment_target(caller, &txn, &model).await?;
            let amount = Money::entered(adjustment.abs(), currency)
                .and_then(|m| m.to_minor())
                .map_err(|e| AppError::invalid_field("adjustment", e.to_string()))?;
            let kind = if adjustment.is_sign_negative() {
                EntryKind::Clawback
            } else {
                EntryKind::Adjustment
            };
            let signed = Money::from_minor(kind.sign() * amount, currency);
            let entry = payouts::ActiveModel {
                organization_id: Set(caller.tenant.organization_id().0),
                partner_id: Set(model.partner_id),
                deal_id: Set(deal),
                amount_minor: Set(amount),
                currency: Set(Text(currency)),
                status: Set(Text(PayoutStatus::Pending)),
                kind: Set(Text(kind)),
                corrects_payout_id: Set(model.payout_id),
                note: Set(Some(format!("Dispute #{} resolved", model.id))),
                explanation: Set(Some(answer.clone())),
                dispute_id: Set(Some(model.id)),
                fx_rate: Set(fx_rate),
                created_at: Set(now),
                updated_at: Set(now),
                created_by: Set(Some(caller.user.id.0)),
                updated_by: Set(Some(caller.user.id.0)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            audit::by_caller(
                caller,
                &txn,
                Entry {
                    action: AuditAction::PayoutCreated,
                    entity_type: "payout",
                    entity_id: Some(entry.id),
                    before: None,
                    after: Some(json!({
                        "kind": kind.as_str(),
                        "amount_minor": amount,
                        "currency": currency.to_string(),
                        "status": PayoutStatus::Pending.as_str(),
                        "dispute_id": model.id,
                    })),
                },
            )
            .await?;
            (
                Some(answer.clone()),
                Some(entry.id),
                format!(
                    "Resolved with an adjustment of {}: {answer}",
                    signed.format()
                ),
            )
        }
    };
    let closing = answer
        .as_deref()
        .map(|answer| repo::disputes::Closing { answer, adjustment });
    if !repo::disputes::transition(&caller.tenant, &txn, id, (from, to), closing, now).await? {
        return Err(AppError::Conflict(
            "Someone acted on this dispute a moment ago; reload it.".into(),
        ));
    }
    repo::disputes::add_message(
        &caller.tenant,
        &txn,
        id,
        (caller.user.id.0, &caller.user.name),
        Side::Company,
        &message,
        now,
    )
    .await?;
    audit_dispute(
        caller,
        &txn,
        AuditAction::dispute_reached(to),
        id.0,
        Some(json!({ "status": from.as_str() })),
        Some(json!({
            "status": to.as_str(),
            "resolution": answer,
            "adjustment_payout_id": adjustment,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
