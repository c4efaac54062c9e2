//! Exchange rates into the base currency, one row per currency and day.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::entities::fx_rates;
use crate::entities::text::Text;
use crate::tenant::Tenant;
use domain::fx::Rate;
use domain::money::Currency;

fn rate_of(row: &fx_rates::Model) -> Result<Rate, DbErr> {
    Ok(Rate {
        currency: row.currency.0,
        rate: row.rate.0,
        effective_on: row.effective_on,
    })
}

/// Every rate with when it was last set, by currency then newest day first.
pub async fn all(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<(Rate, DateTime<Utc>)>, DbErr> {
    fx_rates::Entity::find()
        .filter(fx_rates::Column::OrganizationId.eq(tenant.organization_id().0))
        .order_by_asc(fx_rates::Column::Currency)
        .order_by_desc(fx_rates::Column::EffectiveOn)
        .all(db)
        .await?
        .iter()
        .map(|row| Ok((rate_of(row)?, row.updated_at)))
        .collect()
}

/// The rate of `currency` in force on `day`: the latest effective on or before it.
pub async fn rate_on(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    currency: Currency,
    day: NaiveDate,
) -> Result<Option<Rate>, DbErr> {
    fx_rates::Entity::find()
        .filter(fx_rates::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(fx_rates::Column::Currency.eq(currency.code()))
        .filter(fx_rates::Column::EffectiveOn.lte(day))
        .order_by_desc(fx_rates::Column::EffectiveOn)
        .one(db)
        .await?
        .as_ref()
        .map(rate_of)
        .transpose()
}

/// Sets the rate of its currency and day; returns the rate it replaced, if any.
pub async fn upsert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    rate: &Rate,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Option<Decimal>, DbErr> {
    let existing = fx_rates::Entity::find()
        .filter(fx_rates::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(fx_rates::Column::Currency.eq(rate.currency.code()))
        .filter(fx_rates::Column::EffectiveOn.eq(rate.effective_on))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let before = rate_of(&row)?.rate;
            let mut row: fx_rates::ActiveModel = row.into();
            row.rate = Set(Text(rate.rate));
            row.created_by = Set(Some(by));
            row.updated_at = Set(at);
            row.update(db).await?;
            Ok(Some(before))
        }
        None => {
            fx_rates::ActiveModel {
                organization_id: Set(tenant.organization_id().0),
                currency: Set(Text(rate.currency)),
                rate: Set(Text(rate.rate)),
                effective_on: Set(rate.effective_on),
                created_by: Set(Some(by)),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Ok(None)
        }
    }
}
