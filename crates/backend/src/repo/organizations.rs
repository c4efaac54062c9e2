use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use crate::entities::organizations;
use domain::attribution::{AttributionModel, ModelSettings};
use domain::ids::OrganizationId;
use domain::money::Currency;

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
    /// Approvers may not approve commissions they created or last changed.
    pub payout_four_eyes: bool,
    /// Days an approved deal registration protects its account.
    pub registration_window_days: u32,
    pub tier_bars: domain::tier_program::TierBars,
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
        base_currency: row.base_currency.0,
        name: row.name,
        payout_four_eyes: row.payout_four_eyes,
        registration_window_days: u32::try_from(row.registration_window_days)
            .map_err(|e| DbErr::Custom(format!("stored registration window: {e}")))?,
        tier_bars: domain::tier_program::TierBars {
            silver: row.tier_silver_from,
            gold: row.tier_gold_from,
            platinum: row.tier_platinum_from,
        },
    })
}

/// The organization's payable attribution model and the settings of every model. An empty
/// settings object means the defaults; settings that fail validation are an error, never ignored.
pub async fn attribution_settings(
    db: &impl ConnectionTrait,
    id: OrganizationId,
) -> Result<(AttributionModel, ModelSettings), DbErr> {
    let (payable, settings, _) = settling(db, id).await?;
    Ok((payable, settings))
}

/// What settling a deal reads of its organization, in one read: the payable model, every
/// model's settings and the base currency.
pub async fn settling(
    db: &impl ConnectionTrait,
    id: OrganizationId,
) -> Result<(AttributionModel, ModelSettings, Currency), DbErr> {
    let row = organizations::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("organization {id}")))?;
    let payable = row.payable_model.0;
    let settings = if row.settings.trim() == "{}" {
        ModelSettings::default()
    } else {
        serde_json::from_str(&row.settings)
            .map_err(|e| DbErr::Custom(format!("stored attribution settings are invalid: {e}")))?
    };
    settings
        .validate()
        .map_err(|e| super::corrupt("attribution settings", e))?;
    Ok((payable, settings, row.base_currency.0))
}

/// Sets columns of the organization's row; an unknown organization is an error.
async fn set(
    db: &impl ConnectionTrait,
    id: OrganizationId,
    values: Vec<(organizations::Column, sea_orm::sea_query::SimpleExpr)>,
) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut update = organizations::Entity::update_many();
    for (column, value) in values {
        update = update.col_expr(column, value);
    }
    let result = update
        .filter(organizations::Column::Id.eq(id.0))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(DbErr::RecordNotFound(format!("organization {id}")))
    }
}

/// Stores the payable model and the settings of every model.
pub async fn save_attribution_settings(
    db: &impl ConnectionTrait,
    id: OrganizationId,
    payable: AttributionModel,
    settings: &ModelSettings,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    let json = serde_json::to_string(settings).map_err(|e| DbErr::Custom(e.to_string()))?;
    set(
        db,
        id,
        vec![
            (
                organizations::Column::PayableModel,
                Expr::value(payable.as_str()),
            ),
            (organizations::Column::Settings, Expr::value(json)),
        ],
    )
    .await
}

/// Turns the four-eyes rule for payout approvals on or off.
pub async fn set_payout_four_eyes(
    db: &impl ConnectionTrait,
    id: OrganizationId,
    on: bool,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    set(
        db,
        id,
        vec![(organizations::Column::PayoutFourEyes, Expr::value(on))],
    )
    .await
}

/// How many days an approved deal registration protects its account.
pub async fn set_registration_window(
    db: &impl ConnectionTrait,
    id: OrganizationId,
    days: u32,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    let days = i32::try_from(days).map_err(|e| DbErr::Custom(e.to_string()))?;
    set(
        db,
        id,
        vec![(
            organizations::Column::RegistrationWindowDays,
            Expr::value(days),
        )],
    )
    .await
}

/// The partner program's tier bars.
pub async fn set_tier_bars(
    db: &impl ConnectionTrait,
    id: OrganizationId,
    bars: domain::tier_program::TierBars,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    set(
        db,
        id,
        vec![
            (
                organizations::Column::TierSilverFrom,
                Expr::value(bars.silver),
            ),
            (organizations::Column::TierGoldFrom, Expr::value(bars.gold)),
            (
                organizations::Column::TierPlatinumFrom,
                Expr::value(bars.platinum),
            ),
        ],
    )
    .await
}
