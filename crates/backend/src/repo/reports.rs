//! What the executive reports read beyond the monthly totals: how partners are named and
//! grouped.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::partners;
use crate::entities::text::Text;
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
    let rows: Vec<(i64, String, Text<PartnerType>, Text<PartnerTier>)> = partners::Entity::find()
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
        .map(|(id, name, Text(partner_type), Text(tier))| {
            Ok((
                id,
                PartnerLabel {
                    name,
                    partner_type,
                    tier,
                },
            ))
        })
        .collect()
}
