//! Deals of one tenant: the filtered, sorted, paginated pipeline; one deal with its touchpoints.

use crate::entities::text::Text;
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, NullOrdering, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::entities::{attributions, deals, partners, touchpoints};
use crate::tenant::Tenant;
use domain::deal::{DealStage, Involvement};
use domain::ids::{DealId, PartnerId};
use domain::money::Money;
use domain::partner::{PartnerTier, PartnerType};
use domain::touchpoint::TouchpointKind;
use wire::deals::{DealRow, DealSort};

pub struct Filter<'a> {
    pub search: &'a str,
    pub stage: Option<DealStage>,
    pub partner_id: Option<PartnerId>,
    /// Minor units.
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    /// Deals a partner of this type (or tier) touched.
    pub partner_type: Option<PartnerType>,
    pub tier: Option<PartnerTier>,
    pub involvement: Option<Involvement>,
}

/// The ids of the deals `partner` touched. For lists, PostgreSQL would otherwise walk every deal
/// in sort order hoping the partner's turn up early, which takes a second for a partner with few
/// deals; `OFFSET 0` (on `Lists` over PostgreSQL) makes it collect the partner's deals first.
/// SQLite already does, and refuses OFFSET without LIMIT.
fn touched_by(
    tenant: &Tenant,
    partner: PartnerId,
    backend: Option<DatabaseBackend>,
) -> sea_orm::sea_query::SelectStatement {
    let mut touched = Query::select()
        .column(touchpoints::Column::DealId)
        .from(touchpoints::Entity)
        .and_where(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .and_where(touchpoints::Column::PartnerId.eq(partner.0))
        .to_owned();
    if backend == Some(DatabaseBackend::Postgres) {
        touched.offset(0);
    }
    touched
}

/// The ids of the deals touched by a partner of `partner_type` and `tier` (either may be any).
fn touched_by_kind(
    tenant: &Tenant,
    partner_type: Option<PartnerType>,
    tier: Option<PartnerTier>,
) -> sea_orm::sea_query::SelectStatement {
    let org = tenant.organization_id().0;
    let mut partners = Query::select()
        .column(partners::Column::Id)
        .from(partners::Entity)
        .and_where(partners::Column::OrganizationId.eq(org))
        .to_owned();
    if let Some(partner_type) = partner_type {
        partners.and_where(partners::Column::PartnerType.eq(partner_type.as_str()));
    }
    if let Some(tier) = tier {
        partners.and_where(partners::Column::Tier.eq(tier.as_str()));
    }
    Query::select()
        .column(touchpoints::Column::DealId)
        .from(touchpoints::Entity)
        .and_where(touchpoints::Column::OrganizationId.eq(org))
        .and_where(touchpoints::Column::PartnerId.in_subquery(partners))
        .to_owned()
}

/// The tenant's deals; `list_on` names the back end when the result is a sorted list.
fn scoped(tenant: &Tenant, list_on: Option<DatabaseBackend>) -> Select<deals::Entity> {
    let mut select =
        deals::Entity::find().filter(deals::Column::OrganizationId.eq(tenant.organization_id().0));
    // A partner user's tenant reaches only the deals its partner touched.
    if let Some(own) = tenant.partner_id() {
        select = select.filter(deals::Column::Id.in_subquery(touched_by(tenant, own, list_on)));
    }
    select
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Deals as partners worked on them: a touch up to the close counts (any touch while the deal
/// is open), as in the revenue totals, and the first such touch (by time, partner, then kind, as
/// `domain::monthly_stats` orders them) says whether partners sourced the deal.
fn involved(involvement: Involvement) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{CaseStatement, ExprTrait, Order, SimpleExpr, SubQueryStatement};
    let up_to_close = || {
        Expr::col((touchpoints::Entity, touchpoints::Column::DealId))
            .equals((deals::Entity, deals::Column::Id))
            .and(
                Expr::col((deals::Entity, deals::Column::ClosedAt))
                    .is_null()
                    .or(
                        Expr::col((touchpoints::Entity, touchpoints::Column::OccurredAt))
                            .lte(Expr::col((deals::Entity, deals::Column::ClosedAt))),
                    ),
            )
    };
    let touched = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(touchpoints::Entity)
            .and_where(up_to_close())
            .to_owned(),
    );
    // The kinds in their declared order, the order the domain breaks ties in.
    let rank =
        TouchpointKind::ALL
            .iter()
            .enumerate()
            .fold(CaseStatement::new(), |case, (rank, kind)| {
                case.case(
                    Expr::col((touchpoints::Entity, touchpoints::Column::Kind)).eq(kind.as_str()),
                    Expr::val(rank as i32),
                )
            });
    let opener = SimpleExpr::from(SubQueryStatement::from(
        Query::select()
            .column((touchpoints::Entity, touchpoints::Column::Kind))
            .from(touchpoints::Entity)
            .and_where(up_to_close())
            .order_by(
                (touchpoints::Entity, touchpoints::Column::OccurredAt),
                Order::Asc,
            )
            .order_by(
                (touchpoints::Entity, touchpoints::Column::PartnerId),
                Order::Asc,
            )
            .order_by_expr(rank.into(), Order::Asc)
            .limit(1)
            .to_owned(),
    ));
    let sourcing: Vec<&str> = TouchpointKind::ALL
        .iter()
        .filter(|kind| kind.sources())
        .map(|kind| kind.as_str())
        .collect();
    match involvement {
        Involvement::Partnered => touched,
        Involvement::Direct => touched.not(),
        Involvement::Sourced => opener.is_in(sourcing),
        // No touch leaves the opener NULL, which NOT IN never matches.
        Involvement::Influenced => opener.is_not_in(sourcing),
    }
}

fn filtered(
    tenant: &Tenant,
    filter: &Filter<'_>,
    backend: DatabaseBackend,
) -> Select<deals::Entity> {
    let mut select = scoped(tenant, Some(backend));
    let search = filter.search.trim();
    if backend == DatabaseBackend::Sqlite && search.chars().count() >= 3 {
        // The trigram index (migration 000008) finds the same substrings, ignoring case,
        // without reading every deal. As an FTS5 phrase: quoted, inner quotes doubled.
        let phrase = format!("\"{}\"", search.replace('"', "\"\""));
        select = select.filter(
            deals::Column::Id.in_subquery(
                Query::select()
                    .expr(Expr::col(Alias::new("rowid")))
                    .from(Alias::new("deals_search"))
                    .and_where(Expr::cust_with_values("deals_search MATCH ?", [phrase]))
                    .to_owned(),
            ),
        );
    } else if !search.is_empty() {
        // PostgreSQL answers this from its pg_trgm indexes when it has them.
        select = select.filter(super::contains_any(
            search,
            &[deals::Column::Name, deals::Column::AccountName],
        ));
    }
    if let Some(stage) = filter.stage {
        select = select.filter(deals::Column::Stage.eq(stage.as_str()));
    }
    if let Some(partner) = filter.partner_id {
        select = select.filter(deals::Column::Id.in_subquery(touched_by(
            tenant,
            partner,
            Some(backend),
        )));
    }
    if filter.partner_type.is_some() || filter.tier.is_some() {
        select = select.filter(deals::Column::Id.in_subquery(touched_by_kind(
            tenant,
            filter.partner_type,
            filter.tier,
        )));
    }
    if let Some(involvement) = filter.involvement {
        select = select.filter(involved(involvement));
    }
    if let Some(min) = filter.min_amount {
        select = select.filter(deals::Column::AmountMinor.gte(min));
    }
    if let Some(max) = filter.max_amount {
        select = select.filter(deals::Column::AmountMinor.lte(max));
    }
    if filter.close_from.is_some() || filter.close_to.is_some() {
        // Closed deals by their close, open deals by their expected close.
        let mut open = Condition::all().add(deals::Column::Stage.eq(DealStage::Open.as_str()));
        let mut closed = Condition::all().add(deals::Column::Stage.ne(DealStage::Open.as_str()));
        if let Some(from) = filter.close_from {
            open = open.add(deals::Column::ExpectedCloseOn.gte(from));
            closed = closed.add(deals::Column::ClosedAt.gte(start_of(from)));
        }
        if let Some(to) = filter.close_to {
            open = open.add(deals::Column::ExpectedCloseOn.lte(to));
            closed = closed.add(deals::Column::ClosedAt.lt(start_of(to) + Duration::days(1)));
        }
        select = select.filter(Condition::any().add(open).add(closed));
    }
    select
}

pub(crate) fn amount_of(model: &deals::Model) -> Money {
    Money::from_minor(model.amount_minor, model.currency.0)
}

/// Partner names per deal, in the order each partner first touched it.
async fn partner_names(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let touches: Vec<(i64, i64)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::PartnerId)
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::DealId.is_in(deal_ids.iter().copied()))
        .order_by_asc(touchpoints::Column::OccurredAt)
        .into_tuple()
        .all(db)
        .await?;
    let partner_ids: Vec<i64> = touches.iter().map(|(_, p)| *p).collect();
    let names = names_of(tenant, db, &partner_ids).await?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (deal, partner) in touches {
        if let Some(name) = names.get(&partner) {
            let list = out.entry(deal).or_default();
            if !list.contains(name) {
                list.push(name.clone());
            }
        }
    }
    Ok(out)
}

pub async fn names_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner_ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    let mut select = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(partners::Column::Id.is_in(partner_ids.iter().copied()));
    // A partner user never learns who else is on its deals.
    if let Some(own) = tenant.partner_id() {
        select = select.filter(partners::Column::Id.eq(own.0));
    }
    let rows: Vec<(i64, String)> = select.into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}

pub(crate) fn row(model: &deals::Model, partners: Vec<String>) -> Result<DealRow, DbErr> {
    Ok(DealRow {
        id: DealId(model.id),
        name: model.name.clone(),
        account_name: model.account_name.clone(),
        amount: amount_of(model),
        stage: model.stage.0,
        close_on: model
            .closed_at
            .map(|at| at.date_naive())
            .or(model.expected_close_on),
        partners,
    })
}

pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    sort: DealSort,
    descending: bool,
    page: u64,
    page_size: u64,
) -> Result<(Vec<DealRow>, u64), DbErr> {
    let backend = db.get_database_backend();
    let total = filtered(tenant, filter, backend).count(db).await?;
    let order = if descending { Order::Desc } else { Order::Asc };
    let select = filtered(tenant, filter, backend);
    let select = match sort {
        DealSort::Name => select.order_by(deals::Column::Name, order),
        DealSort::Account => select.order_by(deals::Column::AccountName, order),
        DealSort::Amount => select.order_by(deals::Column::AmountMinor, order),
        DealSort::Stage => select.order_by(deals::Column::Stage, order),
        DealSort::Created => select.order_by(deals::Column::CreatedAt, order),
        DealSort::Close => select
            .order_by_with_nulls(deals::Column::ClosedAt, order.clone(), NullOrdering::Last)
            .order_by_with_nulls(deals::Column::ExpectedCloseOn, order, NullOrdering::Last),
    };
    // The page's ids first (the sort carries one narrow column), then those rows in full: deep
    // pages no longer drag every earlier row through the sort.
    let ids: Vec<i64> = select
        .select_only()
        .column(deals::Column::Id)
        .order_by_desc(deals::Column::Id)
        .offset(page * page_size)
        .limit(page_size)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_id: HashMap<i64, deals::Model> = deals::Entity::find()
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let models: Vec<deals::Model> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    let mut names = partner_names(tenant, db, &ids).await?;
    let rows = models
        .iter()
        .map(|m| row(m, names.remove(&m.id).unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

pub async fn count(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    scoped(tenant, Some(db.get_database_backend()))
        .count(db)
        .await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<Option<deals::Model>, DbErr> {
    scoped(tenant, None)
        .filter(deals::Column::Id.eq(id.0))
        .one(db)
        .await
}

/// The deal's touchpoints in time order (for a partner user, only its own partner's).
pub async fn touchpoints_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<Vec<touchpoints::Model>, DbErr> {
    let mut select = touchpoints::Entity::find()
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::DealId.eq(id.0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(touchpoints::Column::PartnerId.eq(own.0));
    }
    select
        .order_by_asc(touchpoints::Column::OccurredAt)
        .order_by_asc(touchpoints::Column::Id)
        .all(db)
        .await
}

/// The attributions stored when the deal was won.
pub async fn stored_attributions(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<Vec<attributions::Model>, DbErr> {
    let mut select = attributions::Entity::find()
        .filter(attributions::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(attributions::Column::DealId.eq(id.0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(attributions::Column::PartnerId.eq(own.0));
    }
    select
        .order_by_asc(attributions::Column::Model)
        .order_by_asc(attributions::Column::PartnerId)
        .all(db)
        .await
}

/// Up to `limit` deals in id order from the cursor on (the REST API's keyset pagination).
pub async fn after(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    stage: Option<DealStage>,
    cursor: &super::Cursor<'_>,
    limit: u64,
) -> Result<Vec<deals::Model>, DbErr> {
    let mut select = scoped(tenant, Some(db.get_database_backend()));
    if let Some(stage) = stage {
        select = select.filter(deals::Column::Stage.eq(stage.as_str()));
    }
    if let Some(after) = cursor.after {
        select = select.filter(deals::Column::Id.gt(after));
    }
    if let Some(since) = cursor.updated_since {
        select = select.filter(deals::Column::UpdatedAt.gte(since));
    }
    if let Some(external_id) = cursor.external_id {
        select = select.filter(deals::Column::ExternalId.eq(external_id));
    }
    select
        .order_by_asc(deals::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The deal an API client created with `external_id`.
pub async fn by_external_id(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    source: &str,
    external_id: &str,
) -> Result<Option<deals::Model>, DbErr> {
    scoped(tenant, None)
        .filter(deals::Column::Source.eq(source))
        .filter(deals::Column::ExternalId.eq(external_id))
        .one(db)
        .await
}

/// Up to `limit` touchpoints in id order from the cursor on, of one deal or partner if given.
pub async fn touchpoints_after(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: Option<DealId>,
    partner: Option<PartnerId>,
    cursor: &super::Cursor<'_>,
    limit: u64,
) -> Result<Vec<touchpoints::Model>, DbErr> {
    let mut select = touchpoints::Entity::find()
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(touchpoints::Column::PartnerId.eq(own.0));
    }
    if let Some(deal) = deal {
        select = select.filter(touchpoints::Column::DealId.eq(deal.0));
    }
    if let Some(partner) = partner {
        select = select.filter(touchpoints::Column::PartnerId.eq(partner.0));
    }
    if let Some(after) = cursor.after {
        select = select.filter(touchpoints::Column::Id.gt(after));
    }
    if let Some(since) = cursor.updated_since {
        select = select.filter(touchpoints::Column::CreatedAt.gte(since));
    }
    if let Some(external_id) = cursor.external_id {
        select = select.filter(touchpoints::Column::ExternalId.eq(external_id));
    }
    select
        .order_by_asc(touchpoints::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The tenant's touchpoint an API client knows by `external_id`.
pub async fn touchpoint_by_external_id(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    external_id: &str,
) -> Result<Option<touchpoints::Model>, DbErr> {
    touchpoints::Entity::find()
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::ExternalId.eq(external_id))
        .one(db)
        .await
}

/// Where deals created through the REST API come from; their external ids are unique among
/// them (each CRM connector has its own source).
pub const API_SOURCE: &str = "api";

/// A new open deal: entered by hand, or from `(source, external id)`.
pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    draft: &domain::deal::DealDraft,
    owner: Option<domain::ids::UserId>,
    from: Option<(&str, &str)>,
) -> Result<deals::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let now = Utc::now();
    deals::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        name: Set(draft.name.clone()),
        account_name: Set(draft.account_name.clone()),
        amount_minor: Set(draft
            .amount
            .to_minor()
            .map_err(|e| DbErr::Custom(e.to_string()))?),
        currency: Set(Text(draft.amount.currency())),
        stage: Set(Text(DealStage::Open)),
        expected_close_on: Set(draft.expected_close_on),
        closed_at: Set(None),
        source: Set(from.map_or("manual", |(source, _)| source).to_owned()),
        external_id: Set(from.map(|(_, id)| id.to_owned())),
        owner_user_id: Set(owner.map(|u| u.0)),
        created_at: Set(now),
        updated_at: Set(now),
        lost_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update(
    db: &impl ConnectionTrait,
    existing: deals::Model,
    draft: &domain::deal::DealDraft,
) -> Result<deals::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let mut model: deals::ActiveModel = existing.into();
    model.name = Set(draft.name.clone());
    model.account_name = Set(draft.account_name.clone());
    model.amount_minor = Set(draft
        .amount
        .to_minor()
        .map_err(|e| DbErr::Custom(e.to_string()))?);
    model.currency = Set(Text(draft.amount.currency()));
    model.expected_close_on = Set(draft.expected_close_on);
    model.updated_at = Set(Utc::now());
    model.update(db).await
}

/// Closes the deal if it is still open: of two people closing it at once, one wins.
pub async fn close(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
    to: DealStage,
    at: DateTime<Utc>,
    lost_reason: Option<&str>,
    fx: Option<&domain::fx::Rate>,
) -> Result<bool, DbErr> {
    let result = deals::Entity::update_many()
        .col_expr(deals::Column::Stage, Expr::value(to.as_str()))
        .col_expr(
            deals::Column::FxRate,
            Expr::value(fx.map(|r| r.rate.to_string())),
        )
        .col_expr(
            deals::Column::FxRateOn,
            Expr::value(fx.map(|r| r.effective_on)),
        )
        .col_expr(deals::Column::ClosedAt, Expr::value(at))
        .col_expr(deals::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            deals::Column::LostReason,
            Expr::value(lost_reason.map(str::to_owned)),
        )
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Id.eq(id.0))
        .filter(deals::Column::Stage.eq(DealStage::Open.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Re-opens the deal if it is still `from`: clears when and why it closed.
pub async fn reopen(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
    from: DealStage,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = deals::Entity::update_many()
        .col_expr(deals::Column::Stage, Expr::value(DealStage::Open.as_str()))
        .col_expr(deals::Column::ClosedAt, Expr::value(None::<DateTime<Utc>>))
        .col_expr(deals::Column::UpdatedAt, Expr::value(at))
        .col_expr(deals::Column::LostReason, Expr::value(None::<String>))
        // A re-won deal locks the rate of its new close.
        .col_expr(deals::Column::FxRate, Expr::value(None::<String>))
        .col_expr(
            deals::Column::FxRateOn,
            Expr::value(None::<chrono::NaiveDate>),
        )
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Id.eq(id.0))
        .filter(deals::Column::Stage.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn insert_touchpoint(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: DealId,
    draft: &domain::touchpoint::TouchpointDraft,
    actor: Option<domain::ids::UserId>,
    external_id: Option<&str>,
) -> Result<touchpoints::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    touchpoints::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        deal_id: Set(deal.0),
        partner_id: Set(draft.partner.0),
        kind: Set(Text(draft.kind)),
        occurred_at: Set(draft.occurred_at),
        note: Set(draft.note.clone()),
        actor_user_id: Set(actor.map(|u| u.0)),
        created_at: Set(Utc::now()),
        external_id: Set(external_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update_touchpoint(
    db: &impl ConnectionTrait,
    existing: touchpoints::Model,
    draft: &domain::touchpoint::TouchpointDraft,
) -> Result<touchpoints::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let mut model: touchpoints::ActiveModel = existing.into();
    model.partner_id = Set(draft.partner.0);
    model.kind = Set(Text(draft.kind));
    model.occurred_at = Set(draft.occurred_at);
    model.note = Set(draft.note.clone());
    model.update(db).await
}

pub async fn touchpoint(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: domain::ids::TouchpointId,
) -> Result<Option<touchpoints::Model>, DbErr> {
    touchpoints::Entity::find_by_id(id.0)
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .one(db)
        .await
}

pub async fn delete_touchpoint(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: domain::ids::TouchpointId,
) -> Result<bool, DbErr> {
    Ok(touchpoints::Entity::delete_many()
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(touchpoints::Column::Id.eq(id.0))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Every closed deal's outcome and touches: what data-driven models learn from.
pub async fn history(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<domain::attribution::HistoricalDeal>, DbErr> {
    use domain::attribution::{HistoricalDeal, Touch};
    let closed: Vec<(i64, String, Option<DateTime<Utc>>)> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::Stage)
        .column(deals::Column::ClosedAt)
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Stage.ne(DealStage::Open.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let touches: Vec<(i64, i64, Text<TouchpointKind>, DateTime<Utc>)> = touchpoints::Entity::find()
        .select_only()
        .column(touchpoints::Column::DealId)
        .column(touchpoints::Column::PartnerId)
        .column(touchpoints::Column::Kind)
        .column(touchpoints::Column::OccurredAt)
        .filter(touchpoints::Column::OrganizationId.eq(tenant.organization_id().0))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_deal: HashMap<i64, Vec<Touch>> = HashMap::new();
    for (deal, partner, Text(kind), at) in touches {
        by_deal.entry(deal).or_default().push(Touch {
            partner: PartnerId(partner),
            kind,
            at,
        });
    }
    Ok(closed
        .into_iter()
        .filter_map(|(id, stage, closed_at)| {
            Some(HistoricalDeal {
                won: stage == DealStage::Won.as_str(),
                closed_at: closed_at?,
                touches: by_deal.remove(&id).unwrap_or_default(),
            })
        })
        .collect())
}

/// The commissions (payouts) created from the deal, oldest first.
pub async fn payouts_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: DealId,
) -> Result<Vec<crate::entities::payouts::Model>, DbErr> {
    use crate::entities::payouts;
    let mut select = payouts::Entity::find()
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(payouts::Column::DealId.eq(id.0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(payouts::Column::PartnerId.eq(own.0));
    }
    select.order_by_asc(payouts::Column::Id).all(db).await
}

/// The currencies of the tenant's open deals.
pub async fn open_currencies(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<domain::money::Currency>, DbErr> {
    let codes: Vec<Text<domain::money::Currency>> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Currency)
        .distinct()
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Stage.eq(DealStage::Open.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(codes.into_iter().map(|Text(c)| c).collect())
}

/// The names of the deals named (a partner user's tenant: only those its partner touched).
pub async fn titles_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    let rows: Vec<(i64, String)> = scoped(tenant, None)
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::Name)
        .filter(deals::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
