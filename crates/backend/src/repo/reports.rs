//! What the executive reports read beyond the monthly totals: how partners are named and
//! grouped.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::corrupt;
use crate::entities::partners;
use crate::tenant::Tenant;
use domain::partner::{PartnerTier, PartnerType};

/// How reports name and group a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerLabel {
    pub name: String,
    pub partner_type: PartnerType,
    pub tier: PartnerTier,
}

/// Every partner of the organization, by id.
pub async fn partner_labels(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<HashMap<i64, PartnerLabel>, DbErr> {
    let rows: Vec<(i64, String, String, String)> = partners::Entity::find()
        .select_only()
        .column(partners::Column::Id)
        .column(partners::Column::Name)
        .column(partners::Column::PartnerType)
        .column(partners::Column::Tier)
        .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, name, partner_type, tier)| {
            Ok((
                id,
                PartnerLabel {
                    name,
                    partner_type: partner_type
                        .parse()
                        .map_err(|e| corrupt("partner type", e))?,
                    tier: tier.parse().map_err(|e| corrupt("tier", e))?,
                },
            ))
        })
        .collect()
}
