//! Payouts (the commission ledger's entries) for the queue: filtered pages, totals per status,
//! and the workflow's conditional status changes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::sums::SelectTotal;
use crate::entities::text::Text;
use crate::entities::{attributions, deals, partners, payouts};
use crate::tenant::Tenant;
use domain::ids::{DealId, PartnerId, PayoutId, UserId};
use domain::ledger::EntryKind;
use domain::money::{Currency, Money};
use domain::payout::{PayoutAction, PayoutState, PayoutStatus};
use wire::payouts::{PayoutRow, PayoutSort, StatusTotal};

/// The queue's filter, parsed.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<PayoutStatus>,
    pub partner_id: Option<PartnerId>,
    pub deal_id: Option<DealId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The tenant's payouts (a partner user's tenant: its partner's alone) matching the filter.
fn filtered(tenant: &Tenant, filter: &Filter) -> Select<payouts::Entity> {
    let mut select = payouts::Entity::find()
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(payouts::Column::PartnerId.eq(own.0));
    }
    if let Some(status) = filter.status {
        select = select.filter(payouts::Column::Status.eq(status.as_str()));
    }
    if let Some(partner) = filter.partner_id {
        select = select.filter(payouts::Column::PartnerId.eq(partner.0));
    }
    if let Some(deal) = filter.deal_id {
        select = select.filter(payouts::Column::DealId.eq(deal.0));
    }
    if let Some(from) = filter.from {
        select = select.filter(payouts::Column::CreatedAt.gte(start_of(from)));
    }
    if let Some(to) = filter.to {
        select =
            select.filter(payouts::Column::CreatedAt.lt(start_of(to) + chrono::Duration::days(1)));
    }
    if let Some(min) = filter.min_amount {
        select = select.filter(payouts::Column::AmountMinor.gte(min));
    }
    if let Some(max) = filter.max_amount {
        select = select.filter(payouts::Column::AmountMinor.lte(max));
    }
    select
}

/// Up to `limit` entries in id order from the cursor on (the REST API's keyset pagination).
pub async fn after(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter,
    kind: Option<EntryKind>,
    cursor: &super::Cursor<'_>,
    limit: u64,
) -> Result<Vec<payouts::Model>, DbErr> {
    let mut select = filtered(tenant, filter);
    if let Some(kind) = kind {
        select = select.filter(payouts::Column::Kind.eq(kind.as_str()));
    }
    if let Some(after) = cursor.after {
        select = select.filter(payouts::Column::Id.gt(after));
    }
    if let Some(since) = cursor.updated_since {
        select = select.filter(payouts::Column::UpdatedAt.gte(since));
    }
    select
        .order_by(payouts::Column::Id, Order::Asc)
        .limit(limit)
        .all(db)
        .await
}

/// One entry of the tenant's ledger.
pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PayoutId,
) -> Result<Option<payouts::Model>, DbErr> {
    filtered(tenant, &Filter::default())
        .filter(payouts::Column::Id.eq(id.0))
        .one(db)
        .await
}

/// Rows ready for the queue, names included.
async fn rows(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    models: Vec<payouts::Model>,
) -> Result<Vec<PayoutRow>, DbErr> {
    let org = tenant.organization_id().0;
    let partner_ids: Vec<i64> = models.iter().map(|m| m.partner_id).collect();
    let deal_ids: Vec<i64> = models.iter().filter_map(|m| m.deal_id).collect();
    let partner_names: HashMap<i64, String> = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .filter(partners::Column::OrganizationId.eq(org))
        .filter(partners::Column::Id.is_in(partner_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let attribution_ids: Vec<i64> = models.iter().filter_map(|m| m.attribution_id).collect();
    let attributed: HashMap<i64, (i64, Currency)> = attributions::Entity::find()
        .select_only()
        .column(attributions::Column::Id)
        .column(attributions::Column::AmountMinor)
        .column(attributions::Column::Currency)
        .filter(attributions::Column::OrganizationId.eq(org))
        .filter(attributions::Column::Id.is_in(attribution_ids))
        .into_tuple::<(i64, i64, Text<Currency>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, minor, currency)| (id, (minor, currency.0)))
        .collect();
    let deal_names: HashMap<i64, String> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::Name)
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Id.is_in(deal_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    models
        .into_iter()
        .map(|m| {
            Ok(PayoutRow {
                id: PayoutId(m.id),
                partner_id: PartnerId(m.partner_id),
                partner_name: partner_names
                    .get(&m.partner_id)
                    .cloned()
                    .unwrap_or_default(),
                deal_id: m.deal_id.map(DealId),
                deal_name: m.deal_id.and_then(|d| deal_names.get(&d).cloned()),
                amount: Money::from_minor(m.amount_minor, m.currency.0),
                kind: m.kind.0,
                status: m.status.0,
                created_on: m.created_at.date_naive(),
                approved_on: m.approved_at.map(|at| at.date_naive()),
                paid_on: m.paid_on,
                paid_reference: m.paid_reference,
                rejected_reason: m.rejected_reason,
                corrects: m.corrects_payout_id.map(PayoutId),
                note: m.note,
                paid_as: match (&m.payout_currency, m.payout_amount_minor, &m.payout_rate) {
                    (Some(code), Some(minor), Some(rate)) => {
                        Some((Money::from_minor(minor, code.0), rate.clone()))
                    }
                    _ => None,
                },
                explanation: m.explanation,
                attributed: m
                    .attribution_id
                    .and_then(|a| attributed.get(&a))
                    .map(|(minor, currency)| Money::from_minor(*minor, *currency)),
            })
        })
        .collect()
}

pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter,
    sort: PayoutSort,
    descending: bool,
    page: u64,
    page_size: u64,
) -> Result<(Vec<PayoutRow>, u64), DbErr> {
    let total = filtered(tenant, filter).count(db).await?;
    let order = if descending { Order::Desc } else { Order::Asc };
    let select = filtered(tenant, filter);
    let select = match sort {
        PayoutSort::Created => select.order_by(payouts::Column::CreatedAt, order.clone()),
        PayoutSort::Amount => select.order_by(payouts::Column::AmountMinor, order.clone()),
        PayoutSort::Status => select.order_by(payouts::Column::Status, order.clone()),
        PayoutSort::Partner => select.order_by(payouts::Column::PartnerId, order.clone()),
    };
    let models = select
        .order_by(payouts::Column::Id, order)
        .offset(page * page_size)
        .limit(page_size)
        .all(db)
        .await?;
    Ok((rows(tenant, db, models).await?, total))
}

/// Every payout matching the filter, newest first (exports).
pub async fn all(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter,
) -> Result<Vec<PayoutRow>, DbErr> {
    let models = filtered(tenant, filter)
        .order_by_desc(payouts::Column::CreatedAt)
        .order_by_desc(payouts::Column::Id)
        .all(db)
        .await?;
    rows(tenant, db, models).await
}

pub async fn row(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PayoutId,
) -> Result<Option<PayoutRow>, DbErr> {
    let model = filtered(tenant, &Filter::default())
        .filter(payouts::Column::Id.eq(id.0))
        .one(db)
        .await?;
    Ok(rows(tenant, db, model.into_iter().collect()).await?.pop())
}

/// Count and amounts (clawbacks negative) per status and currency of the payouts matching the
/// filter, whatever status it names.
pub async fn totals(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter,
) -> Result<Vec<StatusTotal>, DbErr> {
    let any_status = Filter {
        status: None,
        ..filter.clone()
    };
    // Status, currency, count and the amount's partial sums.
    type Row = (
        Text<PayoutStatus>,
        Text<Currency>,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let sums: Vec<Row> = filtered(tenant, &any_status)
        .select_only()
        .column(payouts::Column::Status)
        .column(payouts::Column::Currency)
        .column_as(payouts::Column::Id.count(), "count")
        // Clawbacks count negative, as in every balance.
        .total_of(
            CaseStatement::new()
                .case(
                    Expr::col(payouts::Column::Kind).eq(EntryKind::Clawback.as_str()),
                    Expr::col(payouts::Column::AmountMinor).mul(-1),
                )
                .finally(Expr::col(payouts::Column::AmountMinor)),
        )
        .group_by(payouts::Column::Status)
        .group_by(payouts::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_status: BTreeMap<usize, StatusTotal> = PayoutStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, status)| {
            (
                i,
                StatusTotal {
                    status: *status,
                    count: 0,
                    amounts: Vec::new(),
                },
            )
        })
        .collect();
    for (status, currency, count, high, low) in sums {
        let status = status.0;
        let index = PayoutStatus::ALL
            .iter()
            .position(|s| *s == status)
            .unwrap_or(0);
        if let Some(total) = by_status.get_mut(&index) {
            total.count += u64::try_from(count).unwrap_or_default();
            total
                .amounts
                .push(Money::from_total(super::sums::total(high, low), currency.0));
        }
    }
    Ok(by_status.into_values().collect())
}

/// Which payouts to act on: these ids, or all matching the filter.
pub enum Chosen<'a> {
    Ids(&'a [PayoutId]),
    Matching(&'a Filter),
}

/// A payout about to be acted on.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub state: PayoutState,
    pub amount: Money,
}

/// Takes the write lock first on SQLite, so a concurrent action waits for this one instead of
/// both reading the same statuses (PostgreSQL locks the chosen rows instead).
pub async fn lock_for_update(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    super::write_lock_first(db).await
}

/// id, status, created by, updated by, amount (minor units), currency.
type CandidateRow = (
    i64,
    Text<PayoutStatus>,
    Option<i64>,
    Option<i64>,
    i64,
    Text<Currency>,
);

/// The chosen payouts with what decides whether they can be acted on, locked on PostgreSQL
/// until the transaction ends.
pub async fn candidates(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    chosen: Chosen<'_>,
) -> Result<Vec<Candidate>, DbErr> {
    let mut select = match chosen {
        Chosen::Ids(ids) => filtered(tenant, &Filter::default())
            .filter(payouts::Column::Id.is_in(ids.iter().map(|id| id.0))),
        Chosen::Matching(filter) => filtered(tenant, filter),
    };
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    let rows: Vec<CandidateRow> = select
        .select_only()
        .column(payouts::Column::Id)
        .column(payouts::Column::Status)
        .column(payouts::Column::CreatedBy)
        .column(payouts::Column::UpdatedBy)
        .column(payouts::Column::AmountMinor)
        .column(payouts::Column::Currency)
        .order_by_asc(payouts::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, status, created_by, updated_by, minor, currency)| {
            Ok(Candidate {
                id,
                state: PayoutState {
                    status: status.0,
                    created_by: created_by.map(UserId),
                    updated_by: updated_by.map(UserId),
                },
                amount: Money::from_minor(minor, currency.0),
            })
        })
        .collect()
}

/// A workflow step as written: what, by whom, when, and (payments in bulk) the batch.
pub struct Step<'a> {
    pub action: &'a PayoutAction,
    pub actor: UserId,
    pub batch: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Moves the payouts that are still `from` to the action's status; returns how many moved.
pub async fn transition(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    ids: &[i64],
    from: PayoutStatus,
    step: &Step<'_>,
) -> Result<u64, DbErr> {
    let Step {
        action,
        actor,
        batch,
        at: now,
    } = *step;
    let mut moved = 0;
    // Chunks stay under SQLite's limit on bound values per statement.
    for chunk in ids.chunks(5_000) {
        let mut update = payouts::Entity::update_many()
            .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
            .filter(payouts::Column::Id.is_in(chunk.iter().copied()))
            .filter(payouts::Column::Status.eq(from.as_str()))
            .col_expr(payouts::Column::Status, Expr::value(action.to().as_str()))
            .col_expr(payouts::Column::UpdatedAt, Expr::value(now));
        update = match action {
            PayoutAction::Approve => update
                .col_expr(payouts::Column::ApprovedBy, Expr::value(actor.0))
                .col_expr(payouts::Column::ApprovedAt, Expr::value(now)),
            PayoutAction::Reject { reason } => {
                update.col_expr(payouts::Column::RejectedReason, Expr::value(reason.clone()))
            }
            PayoutAction::MarkPaid { reference, paid_on } => update
                .col_expr(payouts::Column::PaidAt, Expr::value(now))
                .col_expr(payouts::Column::PaidOn, Expr::value(*paid_on))
                .col_expr(
                    payouts::Column::PaidReference,
                    Expr::value(reference.clone()),
                )
                .col_expr(
                    payouts::Column::BatchId,
                    Expr::value(batch.map(str::to_owned)),
                ),
        };
        moved += update.exec(db).await?.rows_affected;
    }
    Ok(moved)
}

/// The ledger entries earned (created) in the range, in `currency` (others converted at their
/// deal's locked rate), for the earnings summary; and how many in the range are in another
/// currency with no locked rate (left out).
pub async fn earned(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: domain::reporting::DateRange,
    currency: Currency,
    partner: Option<PartnerId>,
) -> Result<(Vec<domain::earnings::Earned>, u64), DbErr> {
    let filter = Filter {
        partner_id: partner,
        from: Some(range.start),
        to: range.end.pred_opt(),
        ..Filter::default()
    };
    // Entries in another currency count at the rate their deal locked when it was won, so the
    // figures never move with later rates; entries without one are only counted apart.
    let rows: Vec<EarnedRow> = earned_columns(
        filtered(tenant, &filter).filter(
            sea_orm::Condition::any()
                .add(payouts::Column::Currency.eq(currency.code()))
                .add(payouts::Column::FxRate.is_not_null()),
        ),
    )
    .into_tuple()
    .all(db)
    .await?;
    let others = filtered(tenant, &filter)
        .filter(payouts::Column::Currency.ne(currency.code()))
        .filter(payouts::Column::FxRate.is_null())
        .count(db)
        .await?;
    let entries = rows
        .into_iter()
        .map(|row| earned_of(row, currency))
        .collect::<Result<_, DbErr>>()?;
    Ok((entries, others))
}

type EarnedRow = (
    i64,
    Text<PayoutStatus>,
    Text<EntryKind>,
    i64,
    Text<Currency>,
    Option<Text<rust_decimal::Decimal>>,
    DateTime<Utc>,
);

fn earned_columns(select: Select<payouts::Entity>) -> Select<payouts::Entity> {
    select
        .select_only()
        .column(payouts::Column::PartnerId)
        .column(payouts::Column::Status)
        .column(payouts::Column::Kind)
        .column(payouts::Column::AmountMinor)
        .column(payouts::Column::Currency)
        .column(payouts::Column::FxRate)
        .column(payouts::Column::CreatedAt)
}

/// An entry in `currency`: converted at its deal's locked rate when in another one.
fn earned_of(
    (partner, status, kind, minor, code, rate, at): EarnedRow,
    currency: Currency,
) -> Result<domain::earnings::Earned, DbErr> {
    let amount_minor = match rate {
        Some(rate) if code != currency => {
            let rate = rate.0;
            let amount = Money::from_minor(minor, code.0);
            domain::fx::convert(amount, rate, currency).total_minor()
        }
        _ => i128::from(minor),
    };
    Ok(domain::earnings::Earned {
        partner: PartnerId(partner),
        month: domain::reporting::month_start(at.date_naive()),
        status: status.0,
        kind: kind.0,
        amount_minor,
    })
}

/// `earned` summed per partner, status and kind (each total's `month` is the range's first):
/// the database sums the entries in `currency`; entries in another one with a locked rate are
/// converted one by one, as `earned` converts them.
pub async fn earned_by_partner(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: domain::reporting::DateRange,
    currency: Currency,
) -> Result<Vec<domain::earnings::Earned>, DbErr> {
    use sea_orm::sea_query::Expr;
    let filter = Filter {
        from: Some(range.start),
        to: range.end.pred_opt(),
        ..Filter::default()
    };
    // Partner, status, kind and the total's partial sums.
    type Row = (
        i64,
        Text<PayoutStatus>,
        Text<EntryKind>,
        Option<i64>,
        Option<i64>,
    );
    let sums: Vec<Row> = filtered(tenant, &filter)
        .filter(payouts::Column::Currency.eq(currency.code()))
        .select_only()
        .column(payouts::Column::PartnerId)
        .column(payouts::Column::Status)
        .column(payouts::Column::Kind)
        .total_of(Expr::col(payouts::Column::AmountMinor))
        .group_by(payouts::Column::PartnerId)
        .group_by(payouts::Column::Status)
        .group_by(payouts::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let mut entries = sums
        .into_iter()
        .map(|(partner, status, kind, high, low)| {
            Ok(domain::earnings::Earned {
                partner: PartnerId(partner),
                month: range.start,
                status: status.0,
                kind: kind.0,
                amount_minor: super::sums::total(high, low),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    let foreign: Vec<EarnedRow> = earned_columns(
        filtered(tenant, &filter)
            .filter(payouts::Column::Currency.ne(currency.code()))
            .filter(payouts::Column::FxRate.is_not_null()),
    )
    .into_tuple()
    .all(db)
    .await?;
    for row in foreign {
        entries.push(earned_of(row, currency)?);
    }
    Ok(entries)
}

/// A partner's ledger entries on one deal (for a partner user, only its own).
pub async fn of_deal_and_partner(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: DealId,
    partner: PartnerId,
) -> Result<Vec<payouts::Model>, DbErr> {
    if tenant.partner_id().is_some_and(|own| own != partner) {
        return Ok(Vec::new());
    }
    payouts::Entity::find()
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(payouts::Column::DealId.eq(deal.0))
        .filter(payouts::Column::PartnerId.eq(partner.0))
        .all(db)
        .await
}
