use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use crate::domain::ids::OrganizationId;
use crate::domain::money::Currency;
use crate::server::entities::organizations;

/// The first organization created, if any.
pub async fn default_organization(
    db: &impl ConnectionTrait,
) -> Result<Option<OrganizationId>, DbErr> {
    let id: Option<i64> = organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .order_by_asc(organizations::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    Ok(id.map(OrganizationId))
}

pub struct OrganizationHeader {
    pub name: String,
    pub base_currency: Currency,
}

pub async fn header(
    db: &impl ConnectionTrait,
    id: OrganizationId,
) -> Result<OrganizationHeader, DbErr> {
    let row = organizations::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("organization {id}")))?;
    Ok(OrganizationHeader {
        base_currency: row
            .base_currency
            .parse()
            .map_err(|e| super::corrupt("organization currency", e))?,
        name: row.name,
    })
}
