//! Partners of one tenant: the filtered, sorted, paginated list; one partner; writes.

use crate::entities::text::Text;
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

use crate::entities::{partners, users};
use crate::tenant::Tenant;
use domain::ids::{PartnerId, UserId};
use domain::partner::PartnerTier;
use domain::partner::{CommissionRate, PartnerDraft, PartnerStatus};
use wire::partners::{PartnerRow, PartnerSort, PartnerUser};

pub struct Filter<'a> {
    pub search: &'a str,
    pub partner_type: Option<domain::partner::PartnerType>,
    pub tier: Option<domain::partner::PartnerTier>,
    pub status: Option<PartnerStatus>,
}

fn scoped(tenant: &Tenant) -> Select<partners::Entity> {
    let mut select = partners::Entity::find()
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0));
    // A partner user's tenant reaches its own partner only.
    if let Some(own) = tenant.partner_id() {
        select = select.filter(partners::Column::Id.eq(own.0));
    }
    select
}

fn filtered(tenant: &Tenant, filter: &Filter<'_>) -> Select<partners::Entity> {
    let mut select = scoped(tenant);
    if !filter.search.trim().is_empty() {
        select = select.filter(super::contains_any(
            filter.search,
            &[
                partners::Column::Name,
                partners::Column::ContactName,
                partners::Column::ContactEmail,
                partners::Column::Region,
            ],
        ));
    }
    if let Some(t) = filter.partner_type {
        select = select.filter(partners::Column::PartnerType.eq(t.as_str()));
    }
    if let Some(t) = filter.tier {
        select = select.filter(partners::Column::Tier.eq(t.as_str()));
    }
    if let Some(s) = filter.status {
        select = select.filter(partners::Column::Status.eq(s.as_str()));
    }
    select
}

pub(crate) fn row(model: partners::Model) -> Result<PartnerRow, DbErr> {
    let rate: Decimal = model.commission_rate.0;
    Ok(PartnerRow {
        id: PartnerId(model.id),
        partner_type: model.partner_type.0,
        tier: model.tier.0,
        status: model.status.0,
        commission_rate: CommissionRate::from_fraction(rate).map_err(DbErr::Custom)?,
        name: model.name,
        region: model.region,
        contact_email: model.contact_email,
        created_at: model.created_at,
    })
}

/// Up to `limit` partners in id order from the cursor on (the REST API's keyset pagination).
pub async fn after(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    cursor: &super::Cursor<'_>,
    limit: u64,
) -> Result<Vec<partners::Model>, DbErr> {
    let mut select = filtered(tenant, filter);
    if let Some(after) = cursor.after {
        select = select.filter(partners::Column::Id.gt(after));
    }
    if let Some(since) = cursor.updated_since {
        select = select.filter(partners::Column::UpdatedAt.gte(since));
    }
    if let Some(external_id) = cursor.external_id {
        select = select.filter(partners::Column::ExternalId.eq(external_id));
    }
    select
        .order_by(partners::Column::Id, Order::Asc)
        .limit(limit)
        .all(db)
        .await
}

/// One page of the list and the number of matches.
pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    filter: &Filter<'_>,
    sort: PartnerSort,
    descending: bool,
    page: u64,
    page_size: u64,
) -> Result<(Vec<PartnerRow>, u64), DbErr> {
    let total = filtered(tenant, filter).count(db).await?;
    let order = if descending { Order::Desc } else { Order::Asc };
    let column = match sort {
        PartnerSort::Name => partners::Column::Name,
        PartnerSort::Type => partners::Column::PartnerType,
        PartnerSort::Tier => partners::Column::Tier,
        PartnerSort::Status => partners::Column::Status,
        PartnerSort::Rate => partners::Column::CommissionRate,
        PartnerSort::Created => partners::Column::CreatedAt,
    };
    let mut select = filtered(tenant, filter);
    select = match sort {
        // Tiers sort by rank, not alphabetically; rates numerically (stored as decimal text).
        PartnerSort::Tier => select.order_by(
            Into::<Expr>::into(
                Expr::case(
                    partners::Column::Tier.eq(PartnerTier::Registered.as_str()),
                    0,
                )
                .case(partners::Column::Tier.eq(PartnerTier::Silver.as_str()), 1)
                .case(partners::Column::Tier.eq(PartnerTier::Gold.as_str()), 2)
                .finally(3),
            ),
            order.clone(),
        ),
        PartnerSort::Rate => select.order_by(
            Expr::col(partners::Column::CommissionRate)
                .cast_as(sea_orm::sea_query::Alias::new("REAL")),
            order.clone(),
        ),
        _ => select.order_by(column, order.clone()),
    };
    let rows = select
        .order_by(partners::Column::Name, Order::Asc)
        .order_by(partners::Column::Id, Order::Asc)
        .offset(page * page_size)
        .limit(page_size)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(row).collect::<Result<_, _>>()?, total))
}

pub async fn count(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    scoped(tenant).count(db).await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PartnerId,
) -> Result<Option<partners::Model>, DbErr> {
    scoped(tenant)
        .filter(partners::Column::Id.eq(id.0))
        .one(db)
        .await
}

/// The tenant's partner a CRM or API client knows by `external_id`.
pub async fn by_external_id(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    external_id: &str,
) -> Result<Option<partners::Model>, DbErr> {
    scoped(tenant)
        .filter(partners::Column::ExternalId.eq(external_id))
        .one(db)
        .await
}

/// The tenant's partner with this name (compared without case, as names are unique so).
pub async fn by_name(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<partners::Model>, DbErr> {
    scoped(tenant)
        .filter(
            Expr::expr(Func::lower(Expr::col(partners::Column::Name)))
                .eq(name.trim().to_lowercase()),
        )
        .one(db)
        .await
}

/// Whether another partner of the tenant already has this name (compared without case).
pub async fn name_taken(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<PartnerId>,
) -> Result<bool, DbErr> {
    let mut select = scoped(tenant).filter(
        Expr::expr(Func::lower(Expr::col(partners::Column::Name))).eq(name.trim().to_lowercase()),
    );
    if let Some(id) = except {
        select = select.filter(partners::Column::Id.ne(id.0));
    }
    Ok(select.count(db).await? > 0)
}

pub async fn users_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PartnerId,
) -> Result<Vec<PartnerUser>, DbErr> {
    Ok(users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::PartnerId.eq(id.0))
        .order_by_asc(users::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|u| PartnerUser {
            id: UserId(u.id),
            name: u.name,
            email: u.email,
            active: u.active,
        })
        .collect())
}

fn apply(model: &mut partners::ActiveModel, draft: &PartnerDraft) {
    model.name = Set(draft.name.clone());
    model.partner_type = Set(Text(draft.partner_type));
    model.tier = Set(Text(draft.tier));
    model.commission_rate = Set(Text(draft.commission_rate.fraction()));
    model.contact_name = Set(draft.contact_name.clone());
    model.contact_email = Set(draft.contact_email.as_ref().map(|e| e.to_string()));
    model.website = Set(draft.website.clone());
    model.region = Set(draft.region.clone());
    model.payout_currency = Set(draft.payout_currency.map(Text));
    model.updated_at = Set(Utc::now());
}

/// A new partner starts as invited.
pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    draft: &PartnerDraft,
    external_id: Option<&str>,
) -> Result<partners::Model, DbErr> {
    let mut model = partners::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        external_id: Set(external_id.map(str::to_owned)),
        status: Set(Text(PartnerStatus::Invited)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut model, draft);
    model.insert(db).await
}

pub async fn update(
    db: &impl ConnectionTrait,
    existing: partners::Model,
    draft: &PartnerDraft,
) -> Result<partners::Model, DbErr> {
    let mut model: partners::ActiveModel = existing.into();
    apply(&mut model, draft);
    model.update(db).await
}

/// Moves the status only if it still is `from`: of two people acting at once, one wins.
pub async fn set_status(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PartnerId,
    from: PartnerStatus,
    to: PartnerStatus,
) -> Result<bool, DbErr> {
    let result = partners::Entity::update_many()
        .col_expr(partners::Column::Status, Expr::value(to.as_str()))
        .col_expr(partners::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(partners::Column::Id.eq(id.0))
        .filter(partners::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Partners whose name contains `search`, names starting with it first, then by name.
pub async fn choices(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    search: &str,
    limit: u64,
) -> Result<Vec<wire::users::PartnerOption>, DbErr> {
    let mut select = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0));
    let search = search.trim();
    if !search.is_empty() {
        select = select.filter(super::contains_any(search, &[partners::Column::Name]));
    }
    let rows: Vec<(i64, String)> = select
        .order_by_asc(partners::Column::Name)
        .order_by_asc(partners::Column::Id)
        .limit(limit * 4)
        .into_tuple()
        .all(db)
        .await?;
    let lower = search.to_lowercase();
    let mut options: Vec<wire::users::PartnerOption> = rows
        .into_iter()
        .map(|(id, name)| wire::users::PartnerOption {
            id: PartnerId(id),
            name,
        })
        .collect();
    // Stable: names that start with the search first, each group still by name.
    options.sort_by_key(|o| !o.name.to_lowercase().starts_with(&lower));
    options.truncate(limit as usize);
    Ok(options)
}

/// The payout currency of each of the partners named that has one.
pub async fn payout_currencies(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, domain::money::Currency)>, DbErr> {
    let rows: Vec<(i64, Option<Text<domain::money::Currency>>)> = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::PayoutCurrency)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(partners::Column::Id.is_in(ids.iter().copied()))
        .filter(partners::Column::PayoutCurrency.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .filter_map(|(id, code)| Some((id, code?)))
        .map(|(id, Text(code))| Ok((id, code)))
        .collect()
}

/// The partner's portal users, administrators first, then by name.
pub async fn portal_users(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PartnerId,
) -> Result<Vec<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::PartnerId.eq(id.0))
        .order_by_desc(users::Column::PartnerAdmin)
        .order_by_asc(users::Column::Name)
        .all(db)
        .await
}

pub async fn set_contacts(
    db: &impl ConnectionTrait,
    existing: partners::Model,
    contacts: &domain::partner::Contacts,
) -> Result<partners::Model, DbErr> {
    let mut model: partners::ActiveModel = existing.into();
    model.contact_name = Set(contacts.contact_name.clone());
    model.contact_email = Set(contacts.contact_email.as_ref().map(|e| e.to_string()));
    model.website = Set(contacts.website.clone());
    model.updated_at = Set(chrono::Utc::now());
    model.update(db).await
}

/// Sets the method and holder, and the account when a new one is given.
pub async fn set_payout_details(
    db: &impl ConnectionTrait,
    existing: partners::Model,
    details: &domain::payout_details::PayoutDetails,
) -> Result<partners::Model, DbErr> {
    let mut model: partners::ActiveModel = existing.into();
    model.payout_method = Set(Some(Text(details.method)));
    model.payout_holder = Set(Some(details.holder.clone()));
    if let Some(account) = &details.account {
        model.payout_account = Set(Some(account.clone()));
    }
    model.updated_at = Set(chrono::Utc::now());
    model.update(db).await
}
