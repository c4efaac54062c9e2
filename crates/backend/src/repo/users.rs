//! Users and the partners they may belong to. Everything here is scoped by a `Tenant` except the
//! two look-ups that establish one: the session's user by id and a sign-in by email (emails are
//! unique across organizations).

use crate::entities::text::Text;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entities::{organizations, partners, users};
use crate::tenant::Tenant;
use domain::ids::{OrganizationId, PartnerId, UserId};
use domain::user::{Email, Role};
use wire::auth::SessionUser;
use wire::users::{PartnerOption, UserRow};

/// The active user behind a session, with the names the interface shows.
pub async fn session_user(
    db: &impl ConnectionTrait,
    id: UserId,
) -> Result<Option<SessionUser>, DbErr> {
    let Some(user) = users::Entity::find_by_id(id.0)
        .filter(users::Column::Active.eq(true))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let organization = organizations::Entity::find_by_id(user.organization_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("organization of user {id}")))?;
    let partner_name = match user.partner_id {
        Some(partner) => partners::Entity::find_by_id(partner)
            .filter(partners::Column::OrganizationId.eq(user.organization_id))
            .one(db)
            .await?
            .map(|p| p.name),
        None => None,
    };
    Ok(Some(SessionUser {
        id: UserId(user.id),
        role: user.role.0,
        name: user.name,
        email: user.email,
        organization_id: OrganizationId(user.organization_id),
        organization_name: organization.name,
        partner_id: user.partner_id.map(PartnerId),
        partner_name,
    }))
}

/// The account an email signs in to, active or not.
pub async fn by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: UserId,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id.0)
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .one(db)
        .await
}

pub async fn list(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    caller: UserId,
) -> Result<Vec<UserRow>, DbErr> {
    let rows = users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_asc(users::Column::Name)
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let partner_names: std::collections::HashMap<i64, String> = partner_options(tenant, db)
        .await?
        .into_iter()
        .map(|p| (p.id.0, p.name))
        .collect();
    rows.into_iter()
        .map(|row| {
            Ok(UserRow {
                id: UserId(row.id),
                role: row.role.0,
                partner_name: row.partner_id.and_then(|p| partner_names.get(&p).cloned()),
                is_you: row.id == caller.0,
                name: row.name,
                email: row.email,
                active: row.active,
                last_login_at: row.last_login_at,
            })
        })
        .collect()
}

/// Active admins other than `except`: an organization must keep at least one.
pub async fn other_active_admins(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    except: UserId,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::Id.ne(except.0))
        .count(db)
        .await
}

pub async fn partner_options(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<PartnerOption>, DbErr> {
    let rows: Vec<(i64, String)> = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_asc(partners::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| PartnerOption {
            id: PartnerId(id),
            name,
        })
        .collect())
}

pub async fn partner_name(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: PartnerId,
) -> Result<Option<String>, DbErr> {
    Ok(partners::Entity::find_by_id(id.0)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .one(db)
        .await?
        .map(|p| p.name))
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub partner_id: Option<PartnerId>,
}

pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    user: NewUser<'_>,
) -> Result<UserId, DbErr> {
    // A partner's first portal user (while it has no active administrator) administers it.
    let partner_admin = match user.partner_id {
        Some(partner) if user.role == Role::Partner => {
            use sea_orm::PaginatorTrait;
            users::Entity::find()
                .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
                .filter(users::Column::PartnerId.eq(partner.0))
                .filter(users::Column::PartnerAdmin.eq(true))
                .filter(users::Column::Active.eq(true))
                .count(db)
                .await?
                == 0
        }
        _ => false,
    };
    let row = users::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        email: Set(user.email.as_str().to_owned()),
        name: Set(user.name.to_owned()),
        password_hash: Set(user.password_hash),
        role: Set(Text(user.role)),
        partner_id: Set(user.partner_id.map(|p| p.0)),
        active: Set(true),
        created_at: Set(chrono::Utc::now()),
        last_login_at: Set(None),
        partner_admin: Set(partner_admin),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(UserId(row.id))
}

/// One active login per role (the lowest id), two for partners (of two partners), for the demo
/// sign-in hints.
pub async fn demo_logins(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<users::Model>, DbErr> {
    let rows = users::Entity::find()
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    // Partners see only their own records, so two partner logins show the difference.
    let mut seen = std::collections::HashMap::<Role, usize>::new();
    let mut partners = std::collections::HashSet::new();
    let mut picked: Vec<users::Model> = rows
        .into_iter()
        .filter(|row| {
            let wanted = if row.role == Role::Partner { 2 } else { 1 };
            let count = seen.entry(row.role.0).or_default();
            let new_partner = row.partner_id.is_none_or(|p| partners.insert(p));
            let take = *count < wanted && new_partner;
            *count += usize::from(take);
            take
        })
        .collect();
    picked.sort_by_key(|row| {
        Role::ALL
            .iter()
            .position(|r| row.role == *r)
            .unwrap_or(usize::MAX)
    });
    Ok(picked)
}

/// The ids of a partner's portal users.
pub async fn ids_of_partner(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    partner: PartnerId,
) -> Result<Vec<i64>, DbErr> {
    users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::PartnerId.eq(partner.0))
        .into_tuple()
        .all(db)
        .await
}

/// The names of the users named (for "saved by" columns).
pub async fn names_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    let rows: Vec<(i64, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .filter(users::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
