//! Changing deals: create / edit, touchpoints, closing — won (attribution under every model,
//! stored, plus the pending commissions of the payable split, in one transaction) or lost (with
//! the reason) — and re-opening. A won deal whose touchpoints or amount change is re-attributed
//! and its commissions follow through the ledger: pending entries are resized, settled ones get
//! an adjustment or clawback. Every change is audited, and moves the monthly totals
//! (`repo::monthly_stats`) by what it changed, in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::deals;
use crate::entities::text::Text;
use crate::repo;
use crate::repo::monthly_stats::Tracker;
use crate::services::Saved;
use domain::access::{Action, Resource};
use domain::attribution::{Engine, Touch};
use domain::audit::AuditAction;
use domain::commission_rules;
use domain::deal::{DealForm, DealStage, lost_reason};
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::ledger;
use domain::money::Currency;
use domain::settlement;
use domain::touchpoint::{TouchpointDraft, TouchpointForm};
use wire::AppError;

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
            entity_type: "deal",
            entity_id: Some(id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

async fn deal_of(
    caller: &Caller,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<(deals::Model, DealStage), AppError> {
    let deal = repo::deals::get(&caller.tenant, db, id)
        .await?
        .ok_or_else(not_found)?;
    let stage = deal.stage.0;
    Ok((deal, stage))
}

/// Re-attributes a won deal after a change and records what moved as `deal.reattributed`.
async fn reattribute_if_won(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    why: &str,
) -> Result<(), AppError> {
    if deal.stage != DealStage::Won {
        return Ok(());
    }
    let closed_at = deal
        .closed_at
        .ok_or_else(|| AppError::internal("a won deal without its close time"))?;
    let moved = settle(caller, db, deal, Some(closed_at), why).await?;
    audit_deal(
        caller,
        db,
        AuditAction::DealReattributed,
        deal.id,
        None,
        Some(moved),
    )
    .await
}

/// Creates (`id` none; with the `external_id` an API client knows it by, if any) or updates a
/// deal, for the web app and the REST API alike.
pub async fn save(
    caller: &Caller,
    id: Option<DealId>,
    form: DealForm,
    external_id: Option<&str>,
) -> Result<(DealId, Saved), AppError> {
    let source = external_id.map(|id| (repo::deals::API_SOURCE, id));
    save_from(caller, id, form, source).await
}

/// [`save`] for a deal another system keeps: `source` is that system and its id of the deal
/// (a CRM connector's own source, so its ids never meet an API client's).
pub async fn save_from(
    caller: &Caller,
    id: Option<DealId>,
    form: DealForm,
    source: Option<(&str, &str)>,
) -> Result<(DealId, Saved), AppError> {
    caller.require(Action::Edit, Resource::Deals)?;
    let draft = form.validate().map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let (saved, before, action, totals) = match id {
        None => {
            let saved =
                repo::deals::insert(&caller.tenant, &txn, &draft, caller.user_id(), source).await?;
            let totals = Tracker::new_deal(DealId(saved.id));
            (saved, None, AuditAction::DealCreated, totals)
        }
        Some(id) => {
            let totals = Tracker::start(&caller.tenant, &txn, id).await?;
            let (existing, stage) = deal_of(caller, &txn, id).await?;
            if super::deals::form_of(&existing)?.validate().as_ref() == Ok(&draft) {
                return Ok((id, Saved::Unchanged));
            }
            if stage == DealStage::Won && existing.currency != draft.amount.currency() {
                return Err(AppError::invalid_fields(vec![(
                    "currency",
                    "Commissions were computed in this currency: re-open the deal to change it."
                        .into(),
                )]));
            }
            let before = snapshot(&existing);
            (
                repo::deals::update(&txn, existing, &draft).await?,
                Some(before),
                AuditAction::DealUpdated,
                totals,
            )
        }
    };
    // Only a new amount moves credit on a won deal (its touches and close stay).
    let amount_changed = before
        .as_ref()
        .is_some_and(|b| b["amount_minor"].as_i64() != Some(saved.amount_minor));
    audit_deal(
        caller,
        &txn,
        action,
        saved.id,
        before,
        Some(snapshot(&saved)),
    )
    .await?;
    if amount_changed {
        reattribute_if_won(caller, &txn, &saved, "Deal amount changed").await?;
    }
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    let outcome = if action == AuditAction::DealCreated {
        Saved::Created
    } else {
        Saved::Updated
    };
    Ok((DealId(saved.id), outcome))
}

/// Records a partner's touch on a deal (with the `external_id` an API client knows it by, if
/// any); on a won deal the deal is re-attributed.
pub async fn add_touchpoint(
    caller: &Caller,
    deal_id: DealId,
    form: TouchpointForm,
    external_id: Option<&str>,
) -> Result<TouchpointId, AppError> {
    caller.require(Action::Edit, Resource::Touchpoints)?;
    let draft = form
        .validate(Utc::now().date_naive())
        .map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let totals = Tracker::start(&caller.tenant, &txn, deal_id).await?;
    let (deal, _) = deal_of(caller, &txn, deal_id).await?;
    check_touch(caller, &txn, &deal, &draft).await?;
    let saved = repo::deals::insert_touchpoint(
        &caller.tenant,
        &txn,
        deal_id,
        &draft,
        caller.user_id(),
        external_id,
    )
    .await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::TouchpointCreated,
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
    reattribute_if_won(caller, &txn, &deal, "Touchpoint added after the win").await?;
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    Ok(TouchpointId(saved.id))
}

/// A touch the deal can take: by a partner of the program, and on a won deal not after the win.
async fn check_touch(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    draft: &TouchpointDraft,
) -> Result<(), AppError> {
    if let Some(closed_at) = deal.closed_at.filter(|_| deal.stage == DealStage::Won)
        && draft.occurred_at > closed_at
    {
        return Err(AppError::invalid_fields(vec![(
            "occurred_on",
            format!(
                "The deal was won on {}: only touches up to then count.",
                closed_at.date_naive()
            ),
        )]));
    }
    if repo::partners::get(&caller.tenant, db, draft.partner)
        .await?
        .is_none()
    {
        return Err(AppError::invalid_fields(vec![(
            "partner_id",
            "Choose a partner of your program.".into(),
        )]));
    }
    Ok(())
}

fn touch_snapshot(touch: &crate::entities::touchpoints::Model) -> serde_json::Value {
    json!({
        "deal_id": touch.deal_id,
        "partner_id": touch.partner_id,
        "kind": touch.kind,
        "occurred_at": touch.occurred_at,
        "note": touch.note,
    })
}

pub async fn update_touchpoint(
    caller: &Caller,
    id: TouchpointId,
    form: TouchpointForm,
) -> Result<Saved, AppError> {
    caller.require(Action::Edit, Resource::Touchpoints)?;
    let draft = form
        .validate(Utc::now().date_naive())
        .map_err(AppError::invalid_fields)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let touch = repo::deals::touchpoint(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the touchpoint".into()))?;
    let unchanged = touch.partner_id == draft.partner.0
        && touch.kind == draft.kind
        && touch.occurred_at == draft.occurred_at
        && touch.note == draft.note;
    if unchanged {
        return Ok(Saved::Unchanged);
    }
    let totals = Tracker::start(&caller.tenant, &txn, DealId(touch.deal_id)).await?;
    let (deal, _) = deal_of(caller, &txn, DealId(touch.deal_id)).await?;
    check_touch(caller, &txn, &deal, &draft).await?;
    let before = touch_snapshot(&touch);
    let saved = repo::deals::update_touchpoint(&txn, touch, &draft).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::TouchpointUpdated,
            entity_type: "touchpoint",
            entity_id: Some(id.0),
            before: Some(before),
            after: Some(touch_snapshot(&saved)),
        },
    )
    .await?;
    reattribute_if_won(caller, &txn, &deal, "Touchpoint changed after the win").await?;
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    Ok(Saved::Updated)
}

pub async fn remove_touchpoint(caller: &Caller, id: TouchpointId) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Touchpoints)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let touch = repo::deals::touchpoint(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the touchpoint".into()))?;
    let totals = Tracker::start(&caller.tenant, &txn, DealId(touch.deal_id)).await?;
    let (deal, _) = deal_of(caller, &txn, DealId(touch.deal_id)).await?;
    repo::deals::delete_touchpoint(&caller.tenant, &txn, id).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::TouchpointRemoved,
            entity_type: "touchpoint",
            entity_id: Some(id.0),
            before: Some(touch_snapshot(&touch)),
            after: None,
        },
    )
    .await?;
    reattribute_if_won(caller, &txn, &deal, "Touchpoint removed after the win").await?;
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    Ok(())
}

/// For each partner paid in a currency other than the deal's: that currency and the rate from
/// the deal's currency into it on `day`, through the base currency (the deal's locked rate when
/// it has one). A missing rate refuses the change, as for the deal's own.
async fn payout_conversions(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    base: Currency,
    partners: &[i64],
    day: chrono::NaiveDate,
) -> Result<HashMap<i64, (Currency, Decimal)>, AppError> {
    let wanted = repo::partners::payout_currencies(&caller.tenant, db, partners).await?;
    let currency: Currency = deal.currency.0;
    let wanted: Vec<(i64, Currency)> = wanted.into_iter().filter(|(_, c)| *c != currency).collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let to_base = async |of: Currency| -> Result<Decimal, AppError> {
        if of == base {
            return Ok(Decimal::ONE);
        }
        if of == currency
            && let Some(locked) = deal.fx_rate
        {
            return Ok(locked.0);
        }
        match repo::fx::rate_on(&caller.tenant, db, of, day).await? {
            Some(rate) => Ok(rate.rate),
            None => Err(AppError::Conflict(format!(
                "There is no {of} → {base} exchange rate on or before {day}, and a partner of \
                 this deal is paid in {of}: finance adds one under Payouts › Exchange rates."
            ))),
        }
    };
    let deal_to_base = to_base(currency).await?;
    // One rate per currency paid in, however many partners are paid in it.
    let mut rates: HashMap<Currency, Decimal> = HashMap::new();
    let mut conversions = HashMap::new();
    for (partner, paid_in) in wanted {
        let rate = match rates.get(&paid_in) {
            Some(rate) => *rate,
            None => {
                let rate = domain::fx::cross_rate(deal_to_base, to_base(paid_in).await?)
                    .ok_or_else(|| AppError::internal("a stored rate of zero"))?;
                rates.insert(paid_in, rate);
                rate
            }
        };
        conversions.insert(partner, (paid_in, rate));
    }
    Ok(conversions)
}

/// What settling `deal` needs, read once (with the organization's base currency, for the
/// conversions the writes make): its touches (when won), the payable model and the
/// engine (with what it learned, when the payable model learns from history), the credit stored
/// before, the ledger, and for the partners that touched it the rules' facts and their credit
/// earlier in the quarter (one query each, never one per partner).
async fn settlement_facts(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    closed_at: Option<DateTime<Utc>>,
) -> Result<(settlement::Facts, Currency), AppError> {
    let tenant = &caller.tenant;
    let id = DealId(deal.id);
    let amount = repo::deals::amount_of(deal);
    let (payable, settings, base) =
        repo::organizations::settling(db, tenant.organization_id()).await?;
    let mut engine = Engine::new(settings)?;
    let touches: Vec<Touch> = match closed_at {
        Some(_) => repo::deals::touchpoints_of(tenant, db, id)
            .await?
            .into_iter()
            .map(|t| Touch {
                partner: PartnerId(t.partner_id),
                kind: t.kind.0,
                at: t.occurred_at,
            })
            .collect(),
        None => Vec::new(),
    };
    let mut touching: Vec<PartnerId> = touches.iter().map(|t| t.partner).collect();
    touching.sort();
    touching.dedup();
    if closed_at.is_some() && payable.is_data_driven() {
        engine.learn_for(&repo::deals::history(tenant, db).await?, &[payable]);
    }
    let (rules, partners, quarter_before) = match closed_at {
        Some(closed_at) if !touching.is_empty() => {
            let ids: Vec<i64> = touching.iter().map(|p| p.0).collect();
            let partners: HashMap<PartnerId, commission_rules::PartnerFacts> =
                repo::commission_rules::facts_of(tenant, db, &ids)
                    .await?
                    .into_iter()
                    .map(|(id, facts)| (PartnerId(id), facts))
                    .collect();
            if partners.len() != touching.len() {
                return Err(AppError::internal("a partner of the deal vanished"));
            }
            let quarter_before = repo::commission_rules::quarter_before(
                tenant,
                db,
                payable,
                &touching,
                id,
                closed_at,
                amount.currency(),
            )
            .await?;
            let rules = repo::commission_rules::in_force(tenant, db).await?;
            (rules, partners, quarter_before)
        }
        _ => (Vec::new(), HashMap::new(), HashMap::new()),
    };
    let credit_before = repo::deals::stored_attributions(tenant, db, id)
        .await?
        .into_iter()
        .filter(|a| a.model == payable)
        .fold(BTreeMap::new(), |mut credit, a| {
            *credit.entry(PartnerId(a.partner_id)).or_default() += a.amount_minor;
            credit
        });
    let facts = settlement::Facts {
        deal: id,
        amount,
        closed_at,
        touches,
        payable,
        engine,
        credit_before,
        ledger: repo::commissions::entries_of(tenant, db, id)
            .await?
            .into_iter()
            .collect(),
        rules,
        partners,
        quarter_before,
    };
    Ok((facts, base))
}

/// Brings the deal's attributions and commission ledger in line with its current facts: with
/// `closed_at`, the deal is attributed as won then under every model and each partner's entries
/// are reconciled to its commission on the payable split; without, the attributions go and every
/// partner's entries are reconciled to zero. The plan is `domain::settlement`'s; this reads its
/// facts and writes it. Returns the audit record of what moved.
async fn settle(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    closed_at: Option<DateTime<Utc>>,
    why: &str,
) -> Result<serde_json::Value, AppError> {
    let (facts, base) = settlement_facts(caller, db, deal, closed_at).await?;
    let plan = settlement::plan(&facts)?;
    write_plan(caller, db, deal, &facts, base, &plan, why).await
}

/// Writes a settlement plan: the attributions, then each partner's ledger changes (each
/// audited), converted for partners paid in another currency.
async fn write_plan(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    facts: &settlement::Facts,
    base: Currency,
    plan: &settlement::Plan,
    why: &str,
) -> Result<serde_json::Value, AppError> {
    let tenant = &caller.tenant;
    let id = facts.deal;
    let now = Utc::now();
    let fx_rate = deal.fx_rate.map(|r| r.0);
    let stored =
        repo::commissions::store_attributions(tenant, db, id, &plan.attributions, now, fx_rate)
            .await?;
    let partners: Vec<i64> = plan.partner_ids().iter().map(|p| p.0).collect();
    let day = facts
        .closed_at
        .or(deal.closed_at)
        .unwrap_or(now)
        .date_naive();
    let conversions = payout_conversions(caller, db, deal, base, &partners, day).await?;

    let mut moved = Vec::new();
    for owed in &plan.partners {
        let partner = owed.partner;
        let entries = facts.ledger.get(&partner).map_or(&[][..], Vec::as_slice);
        let commission = owed.basis.as_ref().map(|b| &b.commission);
        let explanation = commission.map(|c| c.explanation()).unwrap_or_default();
        let place = repo::commissions::Target {
            deal: id,
            partner,
            currency: facts.amount.currency(),
            attribution: plan
                .payable
                .filter(|_| owed.basis.is_some())
                .and_then(|model| stored.get(&(model, partner)).copied()),
            note: why,
            at: now,
            by: caller.user_id().map(|u| u.0),
            commission_minor: owed.owed_minor,
            rule: commission.and_then(|c| c.base_rule()),
            explanation: &explanation,
            fx_rate,
            payout: conversions.get(&partner.0).copied(),
        };
        for change in &owed.changes {
            let Some(entry) = repo::commissions::apply(tenant, db, &place, *change).await? else {
                return Err(AppError::Conflict(
                    "A commission of this deal was approved or paid a moment ago; try again."
                        .into(),
                ));
            };
            audit_entry(caller, db, entries, entry, change, why).await?;
            moved.push(json!({
                "partner_id": partner.0,
                "payout_id": entry,
                "change": change_name(change),
                "kind": match change {
                    ledger::Change::Add { kind, .. } => Some(kind.as_str()),
                    _ => None,
                },
                "amount_minor": match change {
                    ledger::Change::Resize { amount_minor, .. }
                    | ledger::Change::Add { amount_minor, .. } => Some(*amount_minor),
                    ledger::Change::Cancel { .. } => None,
                },
            }));
        }
        if !owed.changes.is_empty() || owed.owed_minor != 0 {
            let basis = match &owed.basis {
                Some(basis) => json!({
                    "attributed_minor": basis.attributed.to_minor()?,
                    "quarter_before_minor": basis.quarter_before.to_minor()?,
                    "explanation": explanation,
                    "parts": basis.commission.parts,
                }),
                None => json!({}),
            };
            moved.push(json!({
                "partner_id": partner.0,
                "commission_minor": owed.owed_minor,
                "basis": basis,
            }));
        }
    }
    let by_id = |credit: &BTreeMap<PartnerId, i64>| -> BTreeMap<i64, i64> {
        credit.iter().map(|(p, minor)| (p.0, *minor)).collect()
    };
    Ok(json!({
        "why": why,
        // The currency the amounts below are in, so the history can show them as money.
        "currency": deal.currency,
        "payable_model": plan.payable.map(|m| m.as_str()),
        "credit_before": by_id(&facts.credit_before),
        "credit_after": by_id(&plan.credit_after),
        "commissions": moved,
    }))
}

/// The ledger entry's own history: what it was and what it is now.
async fn audit_entry(
    caller: &Caller,
    db: &impl ConnectionTrait,
    entries: &[ledger::Entry],
    id: i64,
    change: &ledger::Change,
    why: &str,
) -> Result<(), AppError> {
    let state = |e: &ledger::Entry| {
        json!({
            "kind": e.kind.as_str(),
            "status": e.status.as_str(),
            "amount_minor": e.amount_minor,
        })
    };
    let before = entries.iter().find(|e| e.id == id);
    let base: Vec<ledger::Entry> = before.copied().into_iter().collect();
    let after = ledger::apply(&base, std::slice::from_ref(change), id)
        .into_iter()
        .find(|e| e.id == id);
    let mut after = after.as_ref().map(state);
    if let Some(after) = after.as_mut() {
        after["note"] = json!(why);
        if let ledger::Change::Add { corrects, .. } = change {
            after["corrects_payout_id"] = json!(corrects);
        }
    }
    audit::by_caller(
        caller,
        db,
        Entry {
            action: match change {
                ledger::Change::Add { .. } => AuditAction::PayoutCreated,
                ledger::Change::Resize { .. } => AuditAction::PayoutResized,
                ledger::Change::Cancel { .. } => AuditAction::PayoutCancelled,
            },
            entity_type: "payout",
            entity_id: Some(id),
            before: before.map(state),
            after,
        },
    )
    .await?;
    Ok(())
}

fn change_name(change: &ledger::Change) -> &'static str {
    match change {
        ledger::Change::Resize { .. } => "resized",
        ledger::Change::Cancel { .. } => "cancelled",
        ledger::Change::Add { .. } => "added",
    }
}

/// Wins or loses an open deal at `at` (now, or a CRM's close date; never later than now).
pub async fn close(
    caller: &Caller,
    id: DealId,
    outcome: DealStage,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<DealStage, AppError> {
    caller.require(Action::Edit, Resource::Deals)?;
    let reason = match outcome {
        DealStage::Lost => Some(
            lost_reason(reason.unwrap_or_default())
                .map_err(|m| AppError::invalid_fields(vec![("reason", m)]))?,
        ),
        _ => None,
    };
    let txn = crate::repo::begin_write(caller.db()).await?;
    let totals = Tracker::start(&caller.tenant, &txn, id).await?;
    let (deal, from) = deal_of(caller, &txn, id).await?;
    from.transition(outcome)?;
    let now = at.min(Utc::now());
    let fx = match outcome {
        DealStage::Won => locked_rate(caller, &txn, &deal, now.date_naive()).await?,
        _ => None,
    };
    if !repo::deals::close(
        &caller.tenant,
        &txn,
        id,
        outcome,
        now,
        reason.as_deref(),
        fx.as_ref(),
    )
    .await?
    {
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
        let why = format!("Won on {}", now.date_naive());
        let won = deals::Model {
            fx_rate: fx.map(|r| Text(r.rate)),
            fx_rate_on: fx.map(|r| r.effective_on),
            ..deal.clone()
        };
        after["fx_rate"] = json!(won.fx_rate);
        after["fx_rate_on"] = json!(won.fx_rate_on);
        after["attribution"] = settle(caller, &txn, &won, Some(now), &why).await?;
    }
    audit_deal(
        caller,
        &txn,
        if outcome == DealStage::Won {
            AuditAction::DealWon
        } else {
            AuditAction::DealLost
        },
        id.0,
        Some(before),
        Some(after),
    )
    .await?;
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The rate a deal won on `day` locks: none in the base currency; otherwise the rate in force
/// that day, and without one the win is refused (never converted at a silent 1).
async fn locked_rate(
    caller: &Caller,
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    day: chrono::NaiveDate,
) -> Result<Option<domain::fx::Rate>, AppError> {
    let base = repo::organizations::header(db, caller.tenant.organization_id())
        .await?
        .base_currency;
    let currency: domain::money::Currency = deal.currency.0;
    if currency == base {
        return Ok(None);
    }
    match repo::fx::rate_on(&caller.tenant, db, currency, day).await? {
        Some(rate) => Ok(Some(rate)),
        None => Err(AppError::Conflict(format!(
            "There is no {currency} → {base} exchange rate on or before {day}, so this deal \
             cannot be won yet: finance adds one under Payouts › Exchange rates."
        ))),
    }
}

/// Moves a deal to `to` when it is elsewhere: closes an open deal (won or lost, with `reason`)
/// or re-opens a closed one; a won deal is not lost without being re-opened first. Answers
/// whether the stage changed. A close happens at `at` when given (a CRM's close date), else now.
pub async fn move_to(
    caller: &Caller,
    id: DealId,
    to: DealStage,
    reason: Option<&str>,
    at: Option<DateTime<Utc>>,
) -> Result<bool, AppError> {
    let now = super::deals::get(caller, id).await?.stage.0;
    if now == to {
        return Ok(false);
    }
    match to {
        DealStage::Open => reopen(caller, id).await?,
        outcome => {
            close(caller, id, outcome, reason, at.unwrap_or_else(Utc::now)).await?;
        }
    }
    Ok(true)
}

pub async fn reopen(caller: &Caller, id: DealId) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Deals)?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let totals = Tracker::start(&caller.tenant, &txn, id).await?;
    let (deal, from) = deal_of(caller, &txn, id).await?;
    from.transition(DealStage::Open)?;
    let now = Utc::now();
    if !repo::deals::reopen(&caller.tenant, &txn, id, from, now).await? {
        return Err(AppError::Conflict(
            "Someone changed this deal a moment ago; reload to see how.".into(),
        ));
    }
    let before = snapshot(&deal);
    let mut after = before.clone();
    after["stage"] = json!(DealStage::Open.as_str());
    after["closed_at"] = json!(null);
    after["lost_reason"] = json!(null);
    if from == DealStage::Won {
        let why = format!("Deal re-opened on {}", now.date_naive());
        after["attribution"] = settle(caller, &txn, &deal, None, &why).await?;
    }
    audit_deal(
        caller,
        &txn,
        AuditAction::DealReopened,
        id.0,
        Some(before),
        Some(after),
    )
    .await?;
    totals.finish(&caller.tenant, &txn).await?;
    txn.commit().await?;
    Ok(())
}
