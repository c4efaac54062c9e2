//! What the executive reports read beyond the monthly totals: partner labels, and the stored
//! credit of a period's won deals for replaying commission rules under every model.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};

use super::corrupt;
use crate::domain::attribution::AttributionModel;
use crate::domain::ids::PartnerId;
use crate::domain::money::{Currency, Money};
use crate::domain::partner::{PartnerTier, PartnerType};
use crate::domain::reporting::DateRange;
use crate::server::entities::{attributions, deals, partners};
use crate::server::tenant::Tenant;

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

/// One partner's stored credit under one model on a won deal.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditLine {
    pub deal: i64,
    pub closed_at: DateTime<Utc>,
    pub deal_amount: Money,
    /// The deal's rate into the base currency, locked at the win (`None` in the base currency).
    pub fx_rate: Option<Decimal>,
    pub model: AttributionModel,
    pub partner: PartnerId,
    pub credit: Money,
}

fn deal_of_attribution() -> RelationDef {
    attributions::Entity::belongs_to(deals::Entity)
        .from(attributions::Column::DealId)
        .to(deals::Column::Id)
        .into()
}

/// The credit stored on deals won in `range`, in the order they were won.
pub async fn credit_lines(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    range: DateRange,
) -> Result<Vec<CreditLine>, DbErr> {
    type Row = (
        i64,
        DateTime<Utc>,
        i64,
        String,
        Option<String>,
        String,
        i64,
        i64,
    );
    let start = range
        .start
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let end = range.end.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let org = tenant.organization_id().0;
    let rows: Vec<Row> = attributions::Entity::find()
        .select_only()
        .column(attributions::Column::DealId)
        .column(deals::Column::ClosedAt)
        .column(deals::Column::AmountMinor)
        .column(deals::Column::Currency)
        .column(deals::Column::FxRate)
        .column(attributions::Column::Model)
        .column(attributions::Column::PartnerId)
        .column(attributions::Column::AmountMinor)
        .join(JoinType::InnerJoin, deal_of_attribution())
        .filter(attributions::Column::OrganizationId.eq(org))
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Stage.eq("won"))
        .filter(deals::Column::ClosedAt.gte(start))
        .filter(deals::Column::ClosedAt.lt(end))
        .order_by_asc(deals::Column::ClosedAt)
        .order_by_asc(attributions::Column::DealId)
        .order_by_asc(attributions::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    let mut currencies: HashMap<String, Currency> = HashMap::new();
    rows.into_iter()
        .map(
            |(deal, closed_at, amount, code, rate, model, partner, credit)| {
                let currency = match currencies.get(&code) {
                    Some(c) => *c,
                    None => {
                        let c: Currency = code.parse().map_err(|e| corrupt("deal currency", e))?;
                        currencies.insert(code, c);
                        c
                    }
                };
                let fx_rate = rate
                    .map(|r| r.parse::<Decimal>())
                    .transpose()
                    .map_err(|e| DbErr::Custom(format!("stored deal rate is invalid: {e}")))?;
                Ok(CreditLine {
                    deal,
                    closed_at,
                    deal_amount: Money::from_minor(amount, currency),
                    fx_rate,
                    model: model.parse().map_err(|e| corrupt("attribution model", e))?,
                    partner: PartnerId(partner),
                    credit: Money::from_minor(credit, currency),
                })
            },
        )
        .collect()
}
