//! The payout workflow: the queue, and approving, rejecting or paying one payout or many in one
//! transaction. Each payout's move is decided by the domain (`payout::may_act`: transitions and
//! the four-eyes rule), written conditionally on the status it was read in, and audited. A bulk
//! request is remembered under its idempotency key with its result, so sending it again answers
//! the same instead of acting twice.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::{bulk_operations, payouts};
use crate::repo;
use crate::repo::payouts::{Candidate, Chosen, Filter, Step};
use crate::services::deals::minor;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::ids::PayoutId;
use domain::ledger::EntryKind;
use domain::money::{Currency, Money};
use domain::payout::{self, PayoutAction, PayoutActionForm, SkipReason};
use wire::AppError;
use wire::payouts::{
    BulkResult, EXPORT_COLUMNS, Earnings, EarningsMonth, PAYOUT_PAGE_SIZE, PartnerEarnings,
    PayoutFilter, PayoutPage, PayoutRow, PayoutSelection, PayoutSort, STATEMENT_COLUMNS, Skipped,
    Statement,
};

/// How many skipped payouts a result names.
const EXAMPLES: usize = 5;

fn parse_filter(filter: &PayoutFilter, base: Currency) -> Result<Filter, AppError> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(AppError::invalid_field(
            "to",
            "The period ends before it starts.",
        ));
    }
    Ok(Filter {
        status: filter.status,
        partner_id: filter.partner_id,
        deal_id: None,
        from: filter.from,
        to: filter.to,
        min_amount: minor("min_amount", filter.min_amount.as_deref(), base)?,
        max_amount: minor("max_amount", filter.max_amount.as_deref(), base)?,
    })
}

/// Field errors of the action form, named as the page's inputs are (`form.reference`).
fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::invalid_fields(
        errors
            .into_iter()
            .map(|(field, message)| (format!("form.{field}"), message))
            .collect(),
    )
}

pub async fn list(
    caller: &Caller,
    filter: PayoutFilter,
    sort: PayoutSort,
    descending: bool,
    page: u64,
) -> Result<PayoutPage, AppError> {
    caller.require(Action::View, Resource::Payouts)?;
    let org = repo::organizations::header(caller.db(), caller.tenant.organization_id()).await?;
    let parsed = parse_filter(&filter, org.base_currency)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let (rows, total) = repo::payouts::page(
        tenant,
        db,
        &parsed,
        sort,
        descending,
        page,
        PAYOUT_PAGE_SIZE,
    )
    .await?;
    let totals = repo::payouts::totals(tenant, db, &parsed).await?;
    let partner_name = match filter.partner_id {
        Some(id) => repo::deals::names_of(tenant, db, &[id.0])
            .await?
            .remove(&id.0),
        None => None,
    };
    Ok(PayoutPage {
        rows,
        total,
        page,
        page_size: PAYOUT_PAGE_SIZE,
        totals,
        partner_name,
        four_eyes: org.payout_four_eyes,
        today: Utc::now().date_naive(),
    })
}

/// What acting on the candidates did.
struct Outcome {
    moved: Vec<Candidate>,
    skipped: BTreeMap<SkipReason, Vec<i64>>,
}

/// Decides, writes and audits the action on each candidate, inside the caller's transaction.
async fn act(
    caller: &Caller,
    db: &impl ConnectionTrait,
    candidates: Vec<Candidate>,
    action: &PayoutAction,
    four_eyes: bool,
    batch: Option<&str>,
) -> Result<Outcome, AppError> {
    let mut skipped: BTreeMap<SkipReason, Vec<i64>> = BTreeMap::new();
    let mut by_status: BTreeMap<&'static str, Vec<Candidate>> = BTreeMap::new();
    for candidate in candidates {
        match payout::may_act(action, candidate.state, caller.user.id, four_eyes) {
            Ok(()) => by_status
                .entry(candidate.state.status.as_str())
                .or_default()
                .push(candidate),
            Err(reason) => skipped.entry(reason).or_default().push(candidate.id),
        }
    }
    let step = Step {
        action,
        actor: caller.user.id,
        batch,
        at: Utc::now(),
    };
    let mut moved = Vec::new();
    for group in by_status.into_values() {
        let from = group[0].state.status;
        let ids: Vec<i64> = group.iter().map(|c| c.id).collect();
        let count = repo::payouts::transition(&caller.tenant, db, &ids, from, &step).await?;
        // The rows were locked (PostgreSQL) or the database was (SQLite): nothing else can
        // have moved them since they were read.
        if count != ids.len() as u64 {
            return Err(AppError::Conflict(
                "Some of these payouts changed at the same moment; nothing was done. Try again."
                    .into(),
            ));
        }
        moved.extend(group);
    }
    let details = match action {
        PayoutAction::Approve => json!({}),
        PayoutAction::Reject { reason } => json!({ "rejected_reason": reason }),
        PayoutAction::MarkPaid { reference, paid_on } => {
            json!({ "paid_reference": reference, "paid_on": paid_on, "batch_id": batch })
        }
    };
    let verb = match action {
        PayoutAction::Approve => AuditAction::PayoutApproved,
        PayoutAction::Reject { .. } => AuditAction::PayoutRejected,
        PayoutAction::MarkPaid { .. } => AuditAction::PayoutPaid,
    };
    let entries = moved
        .iter()
        .map(|c| {
            let mut after = details.clone();
            after["status"] = json!(action.to().as_str());
            Entry {
                action: verb,
                entity_type: "payout",
                entity_id: Some(c.id),
                before: Some(json!({ "status": c.state.status.as_str() })),
                after: Some(after),
            }
        })
        .collect();
    audit::record_many(&caller.tenant, db, audit::actor_of(caller), entries).await?;
    Ok(Outcome { moved, skipped })
}

pub async fn act_on_one(
    caller: &Caller,
    id: PayoutId,
    form: PayoutActionForm,
) -> Result<PayoutRow, AppError> {
    caller.require(Action::Approve, Resource::Payouts)?;
    let action = form.validate(Utc::now().date_naive()).map_err(invalid)?;
    let org = repo::organizations::header(caller.db(), caller.tenant.organization_id()).await?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    repo::payouts::lock_for_update(&txn).await?;
    let ids = [id];
    let candidates = repo::payouts::candidates(&caller.tenant, &txn, Chosen::Ids(&ids)).await?;
    let Some(status) = candidates.first().map(|c| c.state.status) else {
        return Err(AppError::NotFound("the payout".into()));
    };
    let outcome = act(
        caller,
        &txn,
        candidates,
        &action,
        org.payout_four_eyes,
        None,
    )
    .await?;
    if let Some(reason) = outcome.skipped.keys().next() {
        // "a payout cannot go from paid to approved" says more than "its status does not allow".
        let message = match reason {
            SkipReason::Status => status.transition(action.to()).err().map(|e| e.to_string()),
            _ => None,
        };
        return Err(AppError::Conflict(message.unwrap_or_else(|| {
            format!("This payout was not changed: {}.", reason.describe())
        })));
    }
    txn.commit().await?;
    repo::payouts::row(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("the payout".into()))
}

pub async fn act_on_many(
    caller: &Caller,
    selection: PayoutSelection,
    form: PayoutActionForm,
    idempotency_key: String,
) -> Result<BulkResult, AppError> {
    caller.require(Action::Approve, Resource::Payouts)?;
    let key = idempotency_key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::invalid_field(
            "idempotency_key",
            "Send a key of 1 to 100 characters that names this request.",
        ));
    }
    let action = form.validate(Utc::now().date_naive()).map_err(invalid)?;
    if !selection.all_matching && selection.ids.is_empty() {
        return Err(AppError::invalid_field(
            "selection",
            "Choose the payouts to act on.",
        ));
    }
    let org = repo::organizations::header(caller.db(), caller.tenant.organization_id()).await?;
    let filter = parse_filter(&selection.filter, org.base_currency)?;
    let request = json!({ "selection": selection, "form": form }).to_string();

    let txn = crate::repo::begin_write(caller.db()).await?;
    repo::payouts::lock_for_update(&txn).await?;
    let org_id = caller.tenant.organization_id().0;
    if let Some(done) = bulk_operations::Entity::find_by_id((org_id, key.to_owned()))
        .one(&txn)
        .await?
    {
        if done.request != request {
            return Err(AppError::invalid_field(
                "idempotency_key",
                "This key was already used for a different request.",
            ));
        }
        let mut result: BulkResult =
            serde_json::from_str(&done.result).map_err(AppError::internal)?;
        result.replayed = true;
        return Ok(result);
    }
    let chosen = if selection.all_matching {
        Chosen::Matching(&filter)
    } else {
        Chosen::Ids(&selection.ids)
    };
    let candidates = repo::payouts::candidates(&caller.tenant, &txn, chosen).await?;
    let batch = matches!(action, PayoutAction::MarkPaid { .. }).then_some(key);
    let outcome = act(
        caller,
        &txn,
        candidates,
        &action,
        org.payout_four_eyes,
        batch,
    )
    .await?;

    let mut amounts: BTreeMap<Currency, Money> = BTreeMap::new();
    for candidate in &outcome.moved {
        let currency = candidate.amount.currency();
        let sum = amounts.entry(currency).or_insert(Money::zero(currency));
        *sum = sum
            .checked_add(candidate.amount)
            .map_err(AppError::internal)?;
    }
    let result = BulkResult {
        verb: action.verb(),
        succeeded: outcome.moved.len() as u64,
        amounts: amounts.into_values().collect(),
        skipped: outcome
            .skipped
            .into_iter()
            .map(|(reason, ids)| Skipped {
                reason,
                count: ids.len() as u64,
                examples: ids.into_iter().take(EXAMPLES).map(PayoutId).collect(),
            })
            .collect(),
        replayed: false,
    };
    bulk_operations::ActiveModel {
        organization_id: Set(org_id),
        idempotency_key: Set(key.to_owned()),
        request: Set(request),
        result: Set(serde_json::to_string(&result).map_err(AppError::internal)?),
        user_id: Set(Some(caller.user.id.0)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(result)
}

/// A cell as text, defused: spreadsheet programs run text that starts with `=`, `+`, `-` or `@`
/// as a formula, so such text gets a leading apostrophe.
pub(crate) fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The payouts a filter matches as CSV (`EXPORT_COLUMNS`): amounts in each payout's own
/// currency, clawbacks negative, dates as `YYYY-MM-DD`.
pub fn to_csv(rows: &[PayoutRow]) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(EXPORT_COLUMNS)
        .map_err(AppError::internal)?;
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for row in rows {
        let amount = match row.kind {
            EntryKind::Clawback => -row.amount.amount(),
            _ => row.amount.amount(),
        };
        out.write_record([
            row.id.to_string(),
            row.partner_id.to_string(),
            cell(&row.partner_name),
            row.deal_id.map(|d| d.to_string()).unwrap_or_default(),
            cell(row.deal_name.as_deref().unwrap_or_default()),
            row.kind.as_str().to_owned(),
            row.status.as_str().to_owned(),
            format!(
                "{amount:.prec$}",
                prec = row.amount.currency().minor_units() as usize
            ),
            row.amount.currency().code().to_owned(),
            row.created_on.to_string(),
            day(row.approved_on),
            day(row.paid_on),
            cell(row.paid_reference.as_deref().unwrap_or_default()),
            cell(row.rejected_reason.as_deref().unwrap_or_default()),
            row.corrects.map(|p| p.to_string()).unwrap_or_default(),
            cell(row.note.as_deref().unwrap_or_default()),
            cell(row.explanation.as_deref().unwrap_or_default()),
            row.paid_as
                .as_ref()
                .map(|(m, _)| m.currency().code().to_owned())
                .unwrap_or_default(),
            row.paid_as
                .as_ref()
                .map(|(m, _)| {
                    let sign = if row.kind == EntryKind::Clawback {
                        "-"
                    } else {
                        ""
                    };
                    format!(
                        "{sign}{:.prec$}",
                        m.amount(),
                        prec = m.currency().minor_units() as usize
                    )
                })
                .unwrap_or_default(),
            row.paid_as
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    let bytes = out.into_inner().map_err(AppError::internal)?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

/// The CSV download of the payouts `filter` matches.
pub async fn export(caller: &Caller, filter: &PayoutFilter) -> Result<String, AppError> {
    let org = repo::organizations::header(caller.db(), caller.tenant.organization_id()).await?;
    let parsed = parse_filter(filter, org.base_currency)?;
    let rows = repo::payouts::all(&caller.tenant, caller.db(), &parsed).await?;
    to_csv(&rows)
}

pub async fn earnings(
    caller: &Caller,
    period: domain::reporting::Period,
    partner: Option<domain::ids::PartnerId>,
) -> Result<Earnings, AppError> {
    use domain::earnings::{ByStatus, summarize};
    caller.require(Action::View, Resource::Payouts)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let currency = repo::organizations::header(db, tenant.organization_id())
        .await?
        .base_currency;
    let range = period.range(Utc::now().date_naive());
    let mut months = Vec::new();
    let mut month = range.start;
    while month < range.end {
        months.push(month);
        month = month
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(|| AppError::internal("month overflow"))?;
    }
    let (entries, other_currency_payouts) =
        repo::payouts::earned(tenant, db, range, currency, partner).await?;
    let summary = summarize(&entries, &months);
    let (by_month, by_partner) = (summary.months, summary.partners);
    let money = |minor: i128| Money::from_total(minor, currency);
    let month_of = |month: chrono::NaiveDate, s: ByStatus| EarningsMonth {
        month,
        pending: money(s.pending),
        approved: money(s.approved),
        paid: money(s.paid),
    };
    let ids: Vec<i64> = by_partner.iter().map(|(p, _)| p.0).collect();
    let names = repo::deals::names_of(tenant, db, &ids).await?;
    let mut totals = ByStatus::default();
    for (_, s) in &by_partner {
        totals.pending += s.pending;
        totals.approved += s.approved;
        totals.paid += s.paid;
    }
    Ok(Earnings {
        period,
        start: range.start,
        end: range.end,
        months: by_month.into_iter().map(|(m, s)| month_of(m, s)).collect(),
        partners: by_partner
            .into_iter()
            .map(|(partner, s)| PartnerEarnings {
                partner_id: partner,
                name: names.get(&partner.0).cloned().unwrap_or_default(),
                pending: money(s.pending),
                approved: money(s.approved),
                paid: money(s.paid),
                total: money(s.total()),
            })
            .collect(),
        totals: month_of(range.start, totals),
        other_currency_payouts,
        partner_name: match partner {
            Some(p) => repo::deals::names_of(tenant, db, &[p.0])
                .await?
                .remove(&p.0),
            None => None,
        },
    })
}

pub async fn set_four_eyes(caller: &Caller, enabled: bool) -> Result<bool, AppError> {
    caller.require(Action::Edit, Resource::Payouts)?;
    let org = caller.tenant.organization_id();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let before = repo::organizations::header(&txn, org)
        .await?
        .payout_four_eyes;
    if before != enabled {
        repo::organizations::set_payout_four_eyes(&txn, org, enabled).await?;
        audit::by_caller(
            caller,
            &txn,
            Entry {
                action: AuditAction::PayoutSettingsUpdated,
                entity_type: "organization",
                entity_id: Some(org.0),
                before: Some(json!({ "four_eyes": before })),
                after: Some(json!({ "four_eyes": enabled })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(enabled)
}

/// A partner's statement for a period. Staff with payout access read any partner's.
pub async fn statement(
    caller: &Caller,
    partner: domain::ids::PartnerId,
    period: domain::reporting::Period,
) -> Result<Statement, AppError> {
    caller.require(Action::View, Resource::Payouts)?;
    statement_for(caller, partner, period).await
}

pub async fn statement_for(
    caller: &Caller,
    partner: domain::ids::PartnerId,
    period: domain::reporting::Period,
) -> Result<Statement, AppError> {
    let (tenant, db) = (&caller.tenant, caller.db());
    let name = repo::deals::names_of(tenant, db, &[partner.0])
        .await?
        .remove(&partner.0)
        .ok_or_else(|| AppError::NotFound("the partner".into()))?;
    let org = repo::organizations::header(db, tenant.organization_id()).await?;
    let range = period.range(Utc::now().date_naive());
    let filter = Filter {
        partner_id: Some(partner),
        from: Some(range.start),
        to: range.end.pred_opt(),
        ..Filter::default()
    };
    let mut lines = repo::payouts::all(tenant, db, &filter).await?;
    lines.reverse(); // oldest first, as statements read
    let totals = repo::payouts::totals(tenant, db, &filter).await?;
    Ok(Statement {
        organization: org.name,
        partner_id: partner,
        partner_name: name,
        period,
        start: range.start,
        end: range.end,
        lines,
        totals,
    })
}

/// A statement as CSV (`STATEMENT_COLUMNS`), in each entry's currency, clawbacks negative.
pub fn statement_csv(statement: &Statement) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(STATEMENT_COLUMNS)
        .map_err(AppError::internal)?;
    let decimal = |m: &Money, negative: bool| {
        let amount = if negative { -m.amount() } else { m.amount() };
        format!(
            "{amount:.prec$}",
            prec = m.currency().minor_units() as usize
        )
    };
    for row in &statement.lines {
        out.write_record([
            row.id.to_string(),
            row.created_on.to_string(),
            row.deal_id.map(|d| d.to_string()).unwrap_or_default(),
            cell(row.deal_name.as_deref().unwrap_or_default()),
            row.kind.as_str().to_owned(),
            row.status.as_str().to_owned(),
            row.attributed
                .as_ref()
                .map(|m| decimal(m, false))
                .unwrap_or_default(),
            decimal(&row.amount, row.kind == EntryKind::Clawback),
            row.amount.currency().code().to_owned(),
            row.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            cell(row.paid_reference.as_deref().unwrap_or_default()),
            cell(row.note.as_deref().unwrap_or_default()),
            cell(row.explanation.as_deref().unwrap_or_default()),
            row.paid_as
                .as_ref()
                .map(|(m, _)| m.currency().code().to_owned())
                .unwrap_or_default(),
            row.paid_as
                .as_ref()
                .map(|(m, _)| decimal(m, row.kind == EntryKind::Clawback))
                .unwrap_or_default(),
            row.paid_as
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    let bytes = out.into_inner().map_err(AppError::internal)?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

// The REST API's reads: entries as stored, for `server::rest` to put on the wire.

pub async fn get(caller: &Caller, id: PayoutId) -> Result<payouts::Model, AppError> {
    caller.require(Action::View, Resource::Payouts)?;
    repo::payouts::get(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("the payout".into()))
}

pub async fn after(
    caller: &Caller,
    filter: &Filter,
    kind: Option<EntryKind>,
    cursor: &repo::Cursor<'_>,
    limit: u64,
) -> Result<Vec<payouts::Model>, AppError> {
    caller.require(Action::View, Resource::Payouts)?;
    Ok(repo::payouts::after(&caller.tenant, caller.db(), filter, kind, cursor, limit).await?)
}
