//! Changing deals: create / edit, touchpoints, and closing — won (attribution under every model,
//! stored, plus the pending commissions of the payable split, in one transaction) or lost (with
//! the reason). Every change is audited.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, TransactionTrait};
use serde_json::json;

use crate::api::AppError;
use crate::api::error::FieldError;
use crate::domain::access::{Action, Resource};
use crate::domain::attribution::{AttributionModel, DealAttribution, DealInput, Engine, Touch};
use crate::domain::deal::{DealForm, DealStage, lost_reason};
use crate::domain::ids::{DealId, PartnerId, TouchpointId};
use crate::domain::partner::CommissionRate;
use crate::domain::payout::PayoutStatus;
use crate::domain::touchpoint::TouchpointForm;
use crate::server::audit::{self, Actor, Entry};
use crate::server::context::{self, Caller};
use crate::server::entities::{attributions, deals, payouts};
use crate::server::repo;
use crate::server::tenant::Tenant;

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Invalid {
        message: if errors.len() > 1 {
            "Please correct the highlighted fields.".into()
        } else {
            errors.first().map(|(_, m)| m.clone()).unwrap_or_default()
        },
        fields: errors
            .into_iter()
            .map(|(field, message)| FieldError {
                field: field.to_owned(),
                message,
            })
            .collect(),
    }
}

fn not_found() -> AppError {
    AppError::NotFound("the deal".into())
}

fn snapshot(deal: &deals::Model) -> serde_json::Value {
    json!({
        "name": deal.name,
        "account_name": deal.account_name,
        "amount_minor": deal.amount_minor,
        "currency": deal.currency,
        "stage": deal.stage,
        "expected_close_on": deal.expected_close_on,
        "closed_at": deal.closed_at,
        "lost_reason": deal.lost_reason,
    })
}

async fn audit_deal(
    caller: &Caller,
    db: &impl ConnectionTrait,
    action: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit::record(
        &caller.tenant,
        db,
        Actor::User(&caller.user),
        Entry {
            action,
            entity_type: "deal",
            entity_id: Some(id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

/// An open deal of the caller's tenant, or why it cannot be changed.
async fn open_deal(
    caller: &Caller,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<deals::Model, AppError> {
    let deal = repo::deals::get(&caller.tenant, db, id)
        .await?
        .ok_or_else(not_found)?;
    if deal.stage != DealStage::Open.as_str() {
        return Err(AppError::Conflict(format!(
            "This deal is {}: closed deals keep the facts they were closed with.",
            deal.stage
        )));
    }
    Ok(deal)
}

pub async fn save(id: Option<DealId>, form: DealForm) -> Result<DealId, AppError> {
    let caller = context::authorize(Action::Edit, Resource::Deals).await?;
    let draft = form.validate().map_err(invalid)?;
    let txn = caller.db.begin().await?;
    let (saved, before, action) = match id {
        None => (
            repo::deals::insert(&caller.tenant, &txn, &draft, Some(caller.user.id)).await?,
            None,
            "deal.created",
        ),
        Some(id) => {
            let existing = open_deal(&caller, &txn, id).await?;
            let before = snapshot(&existing);
            (
                repo::deals::update(&txn, existing, &draft).await?,
                Some(before),
                "deal.updated",
            )
        }
    };
    audit_deal(
        &caller,
        &txn,
        action,
        saved.id,
        before,
        Some(snapshot(&saved)),
    )
    .await?;
    txn.commit().await?;
    Ok(DealId(saved.id))
}

pub async fn add_touchpoint(
    deal_id: DealId,
    form: TouchpointForm,
) -> Result<TouchpointId, AppError> {
    let caller = context::authorize(Action::Edit, Resource::Touchpoints).await?;
    let draft = form.validate(Utc::now().date_naive()).map_err(invalid)?;
    let txn = caller.db.begin().await?;
    open_deal(&caller, &txn, deal_id).await?;
    if repo::partners::get(&caller.tenant, &txn, draft.partner)
        .await?
        .is_none()
    {
        return Err(invalid(vec![(
            "partner_id",
            "Choose a partner of your program.".into(),
        )]));
    }
    let saved =
        repo::deals::insert_touchpoint(&caller.tenant, &txn, deal_id, &draft, Some(caller.user.id))
            .await?;
    audit::record(
        &caller.tenant,
        &txn,
        Actor::User(&caller.user),
        Entry {
            action: "touchpoint.created",
            entity_type: "touchpoint",
            entity_id: Some(saved.id),
            before: None,
            after: Some(json!({
                "deal_id": deal_id.0,
                "partner_id": draft.partner.0,
                "kind": draft.kind.as_str(),
                "occurred_at": draft.occurred_at,
                "note": draft.note,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(TouchpointId(saved.id))
}

pub async fn remove_touchpoint(id: TouchpointId) -> Result<(), AppError> {
    let caller = context::authorize(Action::Edit, Resource::Touchpoints).await?;
    let txn = caller.db.begin().await?;
    let touch = repo::deals::touchpoint(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the touchpoint".into()))?;
    open_deal(&caller, &txn, DealId(touch.deal_id)).await?;
    repo::deals::delete_touchpoint(&caller.tenant, &txn, id).await?;
    audit::record(
        &caller.tenant,
        &txn,
        Actor::User(&caller.user),
        Entry {
            action: "touchpoint.removed",
            entity_type: "touchpoint",
            entity_id: Some(id.0),
            before: Some(json!({
                "deal_id": touch.deal_id,
                "partner_id": touch.partner_id,
                "kind": touch.kind,
                "occurred_at": touch.occurred_at,
                "note": touch.note,
            })),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The deal attributed under every rule-based model, and under the payable model when that one
/// learns from history.
async fn attribute(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    input: &DealInput,
) -> Result<(AttributionModel, Vec<DealAttribution>), AppError> {
    let (payable, settings) =
        repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
    let mut engine = Engine::new(settings)?;
    let mut models = AttributionModel::RULE_BASED.to_vec();
    if payable.is_data_driven() {
        engine.learn_for(&repo::deals::history(tenant, db).await?, &[payable]);
        models.push(payable);
    }
    let results = models
        .iter()
        .map(|model| engine.attribute(input, *model))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((payable, results))
}

pub async fn close(
    id: DealId,
    outcome: DealStage,
    reason: Option<&str>,
) -> Result<DealStage, AppError> {
    let caller = context::authorize(Action::Edit, Resource::Deals).await?;
    let reason = match outcome {
        DealStage::Lost => Some(
            lost_reason(reason.unwrap_or_default()).map_err(|m| invalid(vec![("reason", m)]))?,
        ),
        _ => None,
    };
    let txn = caller.db.begin().await?;
    let deal = repo::deals::get(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let from: DealStage = deal.stage.parse().map_err(AppError::internal)?;
    from.transition(outcome)?;
    let now = Utc::now();
    if !repo::deals::close(&caller.tenant, &txn, id, outcome, now, reason.as_deref()).await? {
        return Err(AppError::Conflict(
            "Someone closed this deal a moment ago; reload to see how.".into(),
        ));
    }
    let before = snapshot(&deal);
    let mut after = before.clone();
    after["stage"] = json!(outcome.as_str());
    after["closed_at"] = json!(now);
    after["lost_reason"] = json!(reason);

    if outcome == DealStage::Won {
        let touches: Vec<Touch> = repo::deals::touchpoints_of(&caller.tenant, &txn, id)
            .await?
            .into_iter()
            .map(|t| {
                Ok(Touch {
                    partner: PartnerId(t.partner_id),
                    kind: t.kind.parse().map_err(AppError::internal)?,
                    at: t.occurred_at,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let input = DealInput {
            deal: id,
            amount: repo::deals::amount_of(&deal)?,
            closed_at: now,
            touches,
        };
        let (payable, results) = attribute(&caller.tenant, &txn, &input).await?;
        let mut commissions = Vec::new();
        for result in &results {
            for split in result.splits() {
                let stored = attributions::ActiveModel {
                    organization_id: Set(caller.tenant.organization_id().0),
                    deal_id: Set(id.0),
                    model: Set(result.model.as_str().to_owned()),
                    partner_id: Set(split.partner.0),
                    share: Set(split.share.to_string()),
                    amount_minor: Set(split.amount.to_minor()?),
                    currency: Set(split.amount.currency().to_string()),
                    explanation: Set(
                        serde_json::to_string(&split.explanation).map_err(AppError::internal)?
                    ),
                    computed_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                if result.model != payable {
                    continue;
                }
                // The pending commission: the partner's default rate on its payable credit.
                let partner = repo::partners::get(&caller.tenant, &txn, split.partner)
                    .await?
                    .ok_or_else(|| AppError::internal("attributed partner vanished"))?;
                let rate = CommissionRate::from_fraction(
                    partner
                        .commission_rate
                        .parse()
                        .map_err(AppError::internal)?,
                )
                .map_err(AppError::internal)?;
                let amount = rate.commission_on(split.amount);
                let payout = payouts::ActiveModel {
                    organization_id: Set(caller.tenant.organization_id().0),
                    partner_id: Set(split.partner.0),
                    deal_id: Set(Some(id.0)),
                    attribution_id: Set(Some(stored.id)),
                    commission_rule_id: Set(None),
                    amount_minor: Set(amount.to_minor()?),
                    currency: Set(amount.currency().to_string()),
                    status: Set(PayoutStatus::Pending.as_str().to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                commissions.push(json!({
                    "payout_id": payout.id,
                    "partner_id": split.partner.0,
                    "attributed_minor": split.amount.to_minor()?,
                    "rate": rate.fraction().to_string(),
                    "commission_minor": payout.amount_minor,
                }));
            }
        }
        after["payable_model"] = json!(payable.as_str());
        after["commissions"] = json!(commissions);
    }
    audit_deal(
        &caller,
        &txn,
        if outcome == DealStage::Won {
            "deal.won"
        } else {
            "deal.lost"
        },
        id.0,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}
