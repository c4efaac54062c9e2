//! Commission rule versions (`commission_rules`, one row per version) and what the rules are
//! computed from: partners' facts and their earlier credit in a quarter.
//!
//! A version's terms are written once; only its end (`effective_to`) and whether it was replaced
//! before it started (`active`) change afterwards, and the database refuses anything else.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationDef, Set,
};

use crate::entities::text::Text;
use crate::entities::{attributions, commission_rules, deals, partners};
use crate::tenant::Tenant;
use domain::attribution::AttributionModel;
use domain::commission_rules::{
    Band, KindName, PartnerFacts, ReplayDeal, Rule, RuleDraft, RuleKind, Scope,
};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId};
use domain::money::{Currency, Money};
use domain::partner::{CommissionRate, PartnerTier, PartnerType};
use domain::reporting::DateRange;

use super::sums::SelectTotal;

fn invalid(what: &str, detail: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!(
        "stored commission rule {what} is invalid: {detail}"
    ))
}

fn rule_of(row: &commission_rules::Model) -> Result<Rule, DbErr> {
    let rate = || -> Result<Option<Decimal>, DbErr> { Ok(row.rate.map(|r| r.0)) };
    let kind = match row.kind.0 {
        KindName::Percentage => RuleKind::Percentage {
            rate: rate()?.ok_or_else(|| invalid("rate", "missing"))?,
        },
        KindName::Flat => RuleKind::Flat {
            amount_minor: row
                .amount_minor
                .ok_or_else(|| invalid("amount", "missing"))?,
        },
        KindName::Tiered => RuleKind::Tiered {
            bands: serde_json::from_str::<Vec<Band>>(row.bands.as_deref().unwrap_or("[]"))
                .map_err(|e| invalid("bands", e))?,
        },
        KindName::Spif => RuleKind::Spif {
            min_deal_minor: row.min_deal_minor,
            rate: rate()?,
            amount_minor: row.amount_minor,
        },
    };
    Ok(Rule {
        id: row.id,
        rule_id: row.rule_id.unwrap_or(row.id),
        version: u32::try_from(row.version).map_err(|e| invalid("version", e))?,
        name: row.name.clone(),
        scope: Scope::parse(&row.scope, row.scope_value.as_deref())
            .map_err(|e| invalid("scope", e))?,
        kind,
        currency: row.currency.map(|c| c.0),
        priority: row.priority,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
    })
}

/// A stored version with who saved it and when.
pub struct Version {
    pub rule: Rule,
    /// False once a newer version replaced it before it ever applied.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
}

/// Every version of every rule (or of one), oldest first.
pub async fn versions(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    rule_id: Option<i64>,
) -> Result<Vec<Version>, DbErr> {
    let mut select = commission_rules::Entity::find()
        .filter(commission_rules::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(rule_id) = rule_id {
        select = select.filter(commission_rules::Column::RuleId.eq(rule_id));
    }
    select
        .order_by_asc(commission_rules::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(|row| {
            Ok(Version {
                rule: rule_of(row)?,
                active: row.active,
                created_at: row.created_at,
                created_by: row.created_by,
            })
        })
        .collect()
}

/// The versions that can apply: every active one.
pub async fn in_force(tenant: &Tenant, db: &impl ConnectionTrait) -> Result<Vec<Rule>, DbErr> {
    commission_rules::Entity::find()
        .filter(commission_rules::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(commission_rules::Column::Active.eq(true))
        .all(db)
        .await?
        .iter()
        .map(rule_of)
        .collect()
}

/// Saves `draft` as version `version` of `rule_id` (a new rule when `None`); returns its row.
pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    draft: &RuleDraft,
    rule_id: Option<i64>,
    version: u32,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Rule, DbErr> {
    let (rate, amount_minor, bands, min_deal_minor) = match &draft.kind {
        RuleKind::Percentage { rate } => (Some(Text(*rate)), None, None, None),
        RuleKind::Flat { amount_minor } => (None, Some(*amount_minor), None, None),
        RuleKind::Tiered { bands } => (
            None,
            None,
            Some(serde_json::to_string(bands).map_err(|e| DbErr::Custom(e.to_string()))?),
            None,
        ),
        RuleKind::Spif {
            min_deal_minor,
            rate,
            amount_minor,
        } => (rate.map(Text), *amount_minor, None, *min_deal_minor),
    };
    let row = commission_rules::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        name: Set(draft.name.clone()),
        scope: Set(draft.scope.name().as_str().to_owned()),
        scope_value: Set(draft.scope.value()),
        kind: Set(Text(draft.kind.name())),
        rate: Set(rate),
        amount_minor: Set(amount_minor),
        currency: Set(draft.currency.map(Text)),
        bands: Set(bands),
        effective_from: Set(draft.effective_from),
        effective_to: Set(draft.effective_to),
        priority: Set(draft.priority),
        active: Set(true),
        created_at: Set(at),
        rule_id: Set(rule_id),
        version: Set(i32::try_from(version).map_err(|e| DbErr::Custom(e.to_string()))?),
        min_deal_minor: Set(min_deal_minor),
        created_by: Set(Some(by)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if rule_id.is_none() {
        // A new rule is named after its first version.
        commission_rules::Entity::update_many()
            .col_expr(commission_rules::Column::RuleId, Expr::value(row.id))
            .filter(commission_rules::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    rule_of(&commission_rules::Model {
        rule_id: Some(rule_id.unwrap_or(row.id)),
        ..row
    })
}

/// Sets a version's last day (`None`: open-ended again) and whether it still applies at all.
/// Conditional on the version being unchanged since it was read, so two edits at once cannot
/// both end it.
pub async fn set_end(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    version: &Rule,
    effective_to: Option<NaiveDate>,
    active: bool,
) -> Result<bool, DbErr> {
    let mut update = commission_rules::Entity::update_many()
        .col_expr(
            commission_rules::Column::EffectiveTo,
            Expr::value(effective_to),
        )
        .col_expr(commission_rules::Column::Active, Expr::value(active))
        .filter(commission_rules::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(commission_rules::Column::Id.eq(version.id))
        .filter(commission_rules::Column::Active.eq(true));
    update = match version.effective_to {
        Some(end) => update.filter(commission_rules::Column::EffectiveTo.eq(end)),
        None => update.filter(commission_rules::Column::EffectiveTo.is_null()),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Id, type, tier and own commission rate.
type FactsRow = (i64, Text<PartnerType>, Text<PartnerTier>, Text<Decimal>);

/// What the rules need to know about each of the partners named.
pub async fn facts_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, PartnerFacts>, DbErr> {
    let mut facts = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<FactsRow> = partners::Entity::find()
            .select_only()
            .column(partners::Column::Id)
            .column(partners::Column::PartnerType)
            .column(partners::Column::Tier)
            .column(partners::Column::CommissionRate)
            .filter(partners::Column::OrganizationId.eq(tenant.organization_id().0))
            .filter(partners::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (id, Text(partner_type), Text(tier), Text(fraction)) in rows {
            facts.insert(
                id,
                PartnerFacts {
                    id: PartnerId(id),
                    partner_type,
                    tier,
                    default_rate: CommissionRate::from_fraction(fraction).map_err(DbErr::Custom)?,
                },
            );
        }
    }
    Ok(facts)
}

/// Attributions joined to their deal.
fn to_deal() -> RelationDef {
    attributions::Entity::belongs_to(deals::Entity)
        .from(attributions::Column::DealId)
        .to(deals::Column::Id)
        .into()
}

/// What each of `partners` was credited under `model` on deals won in the same calendar quarter
/// before `deal` (closed at `closed_at`; a deal closed at the same instant counts when its id is
/// lower), in `currency`: what tiered rules count from. One query for all of them.
pub async fn quarter_before(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    model: AttributionModel,
    partners: &[PartnerId],
    deal: DealId,
    closed_at: DateTime<Utc>,
    currency: Currency,
) -> Result<HashMap<PartnerId, Money>, DbErr> {
    let start = domain::reporting::quarter_start(closed_at.date_naive())
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let earlier = Expr::col((deals::Entity, deals::Column::ClosedAt))
        .lt(closed_at)
        .or(Expr::col((deals::Entity, deals::Column::ClosedAt))
            .eq(closed_at)
            .and(Expr::col((deals::Entity, deals::Column::Id)).lt(deal.0)));
    let mut credit = HashMap::new();
    for chunk in partners.chunks(500) {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = attributions::Entity::find()
            .select_only()
            .column(attributions::Column::PartnerId)
            .total_of(Expr::col((
                attributions::Entity,
                attributions::Column::AmountMinor,
            )))
            .join(JoinType::InnerJoin, to_deal())
            .filter(attributions::Column::OrganizationId.eq(tenant.organization_id().0))
            .filter(attributions::Column::PartnerId.is_in(chunk.iter().map(|p| p.0)))
            .filter(attributions::Column::Model.eq(model.as_str()))
            .filter(attributions::Column::Currency.eq(currency.code()))
            .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
            .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
            .filter(deals::Column::ClosedAt.gte(start))
            .filter(earlier.clone())
            .group_by(attributions::Column::PartnerId)
            .into_tuple()
            .all(db)
            .await?;
        for (partner, high, low) in rows {
            credit.insert(
                PartnerId(partner),
                Money::from_total(super::sums::total(high, low), currency),
            );
        }
    }
    Ok(credit)
}

/// Every partner's stored credit under `model` on deals won in `range`, in the order the deals
/// were won: what a what-if replay re-runs.
pub async fn credits_won(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    model: AttributionModel,
    range: DateRange,
) -> Result<Vec<ReplayDeal>, DbErr> {
    let at = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let org = tenant.organization_id().0;
    /// Partner, credit, its currency, the deal's amount, when it was won.
    type Row = (i64, i64, Text<Currency>, i64, Option<DateTime<Utc>>);
    let rows: Vec<Row> = attributions::Entity::find()
        .select_only()
        .column(attributions::Column::PartnerId)
        .column(attributions::Column::AmountMinor)
        .column(attributions::Column::Currency)
        .column_as(deals::Column::AmountMinor, "deal_amount_minor")
        .column(deals::Column::ClosedAt)
        .join(JoinType::InnerJoin, to_deal())
        .filter(attributions::Column::OrganizationId.eq(org))
        .filter(attributions::Column::Model.eq(model.as_str()))
        .filter(deals::Column::OrganizationId.eq(org))
        .filter(deals::Column::Stage.eq(DealStage::Won.as_str()))
        .filter(deals::Column::ClosedAt.gte(at(range.start)))
        .filter(deals::Column::ClosedAt.lt(at(range.end)))
        .order_by_asc(deals::Column::ClosedAt)
        .order_by_asc(deals::Column::Id)
        .order_by_asc(attributions::Column::PartnerId)
        .into_tuple()
        .all(db)
        .await?;
    let partners: Vec<i64> = {
        let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let facts = facts_of(tenant, db, &partners).await?;
    rows.into_iter()
        .filter_map(|(partner, minor, currency, deal_minor, closed_at)| {
            let closed_at = closed_at?;
            Some((partner, minor, currency, deal_minor, closed_at))
        })
        .map(|(partner, minor, Text(currency), deal_minor, closed_at)| {
            Ok(ReplayDeal {
                partner: *facts
                    .get(&partner)
                    .ok_or_else(|| DbErr::Custom("credited partner vanished".into()))?,
                attributed: Money::from_minor(minor, currency),
                deal_amount: Money::from_minor(deal_minor, currency),
                won_on: closed_at.date_naive(),
            })
        })
        .collect()
}
