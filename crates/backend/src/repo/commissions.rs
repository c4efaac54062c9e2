//! A won deal's stored attributions and its commission ledger entries (the `payouts` table).
//!
//! Writes to pending entries are conditional on them still being pending, so finance approving an
//! entry at the same moment makes the re-attribution fail and retry, never overwrite approved money.

use crate::entities::text::Text;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use crate::entities::{attributions, payouts};
use crate::tenant::Tenant;
use domain::attribution::{AttributionModel, DealAttribution};
use domain::ids::{DealId, PartnerId};
use domain::ledger::{Change, Entry, EntryKind};
use domain::money::{Currency, Money};
use domain::payout::PayoutStatus;
use rust_decimal::Decimal;

/// Stores `results` as the deal's attributions: rows of the same model and partner are updated
/// (so commissions keep pointing at them), new ones inserted, the rest deleted. Returns the row
/// id of each (model, partner).
pub async fn store_attributions(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: DealId,
    results: &[DealAttribution],
    at: DateTime<Utc>,
    fx_rate: Option<Decimal>,
) -> Result<HashMap<(AttributionModel, PartnerId), i64>, DbErr> {
    let org = tenant.organization_id().0;
    let mut existing: HashMap<(AttributionModel, i64), attributions::Model> =
        attributions::Entity::find()
            .filter(attributions::Column::OrganizationId.eq(org))
            .filter(attributions::Column::DealId.eq(deal.0))
            .all(db)
            .await?
            .into_iter()
            .map(|a| ((a.model.0, a.partner_id), a))
            .collect();
    let mut ids = HashMap::new();
    for result in results {
        for split in result.splits() {
            let explanation = serde_json::to_string(&split.explanation)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            let amount_minor = split
                .amount
                .to_minor()
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            let key = (result.model, split.partner.0);
            let mut row: attributions::ActiveModel = match existing.remove(&key) {
                Some(old) => old.into(),
                None => attributions::ActiveModel {
                    organization_id: Set(org),
                    deal_id: Set(deal.0),
                    model: Set(Text(key.0)),
                    partner_id: Set(split.partner.0),
                    ..Default::default()
                },
            };
            row.share = Set(Text(split.share));
            row.amount_minor = Set(amount_minor);
            row.currency = Set(Text(split.amount.currency()));
            row.explanation = Set(explanation);
            row.computed_at = Set(at);
            row.fx_rate = Set(fx_rate.map(Text));
            let saved = row.save(db).await?;
            let id = saved.id.unwrap();
            ids.insert((result.model, split.partner), id);
        }
    }
    let stale: Vec<i64> = existing.into_values().map(|a| a.id).collect();
    if !stale.is_empty() {
        attributions::Entity::delete_many()
            .filter(attributions::Column::OrganizationId.eq(org))
            .filter(attributions::Column::Id.is_in(stale))
            .exec(db)
            .await?;
    }
    Ok(ids)
}

/// The deal's ledger entries per partner, as the domain reads them.
pub async fn entries_of(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    deal: DealId,
) -> Result<HashMap<PartnerId, Vec<Entry>>, DbErr> {
    // A dispute's adjustments are the dispute's: the commission is reconciled without them.
    let rows = payouts::Entity::find()
        .filter(payouts::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(payouts::Column::DealId.eq(deal.0))
        .filter(payouts::Column::DisputeId.is_null())
        .all(db)
        .await?;
    let mut by_partner: HashMap<PartnerId, Vec<Entry>> = HashMap::new();
    for row in rows {
        by_partner
            .entry(PartnerId(row.partner_id))
            .or_default()
            .push(Entry {
                id: row.id,
                kind: row.kind.0,
                status: row.status.0,
                amount_minor: row.amount_minor,
            });
    }
    for entries in by_partner.values_mut() {
        entries.sort_by_key(|e| e.id);
    }
    Ok(by_partner)
}

/// Where a change lands, and why it was made.
pub struct Target<'a> {
    pub deal: DealId,
    pub partner: PartnerId,
    pub currency: Currency,
    /// The payable attribution the entry is computed from, if the partner still has credit.
    pub attribution: Option<i64>,
    pub note: &'a str,
    pub at: DateTime<Utc>,
    /// The user whose change this is (none for system work).
    pub by: Option<i64>,
    /// The partner's whole commission on the deal now, the base rule version it came from
    /// (none: the partner's own rate) and how it was computed.
    pub commission_minor: i64,
    pub rule: Option<i64>,
    pub explanation: &'a str,
    /// The deal's locked rate into the base currency, if it is in another.
    pub fx_rate: Option<Decimal>,
    /// For a partner paid in a currency of its own: that currency and the rate into it.
    pub payout: Option<(Currency, Decimal)>,
}

impl Target<'_> {
    /// An entry's amount in the partner's own currency, and the rate, when it has one.
    fn paid_as(&self, amount_minor: i64) -> (Option<Text<Currency>>, Option<i64>, Option<String>) {
        match self.payout {
            Some((currency, rate)) => {
                let amount = Money::from_minor(amount_minor, self.currency);
                let converted = domain::fx::convert(amount, rate, currency);
                (
                    Some(Text(currency)),
                    converted.to_minor().ok(),
                    Some(rate.to_string()),
                )
            }
            None => (None, None, None),
        }
    }

    /// What a written entry says about its amount: a commission its computation, a correction
    /// the commission it brings the deal to.
    fn explanation(&self, kind: EntryKind) -> String {
        let total = Money::from_minor(self.commission_minor, self.currency).format();
        match kind {
            EntryKind::Commission => self.explanation.to_owned(),
            _ if self.explanation.is_empty() => format!("Commission now {total}: no credit"),
            _ => format!("Commission now {total}: {}", self.explanation),
        }
    }
}

/// Writes one change. `Ok(None)` when a pending entry was no longer pending (someone acted on it
/// meanwhile); otherwise the id of the entry written.
pub async fn apply(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    target: &Target<'_>,
    change: Change,
) -> Result<Option<i64>, DbErr> {
    let org = tenant.organization_id().0;
    let pending = |id: i64| {
        payouts::Entity::update_many()
            .filter(payouts::Column::OrganizationId.eq(org))
            .filter(payouts::Column::Id.eq(id))
            .filter(payouts::Column::Status.eq(PayoutStatus::Pending.as_str()))
            .col_expr(payouts::Column::UpdatedAt, Expr::value(target.at))
            .col_expr(payouts::Column::UpdatedBy, Expr::value(target.by))
    };
    let written = |id: i64, rows: u64| (rows == 1).then_some(id);
    match change {
        Change::Resize { id, amount_minor } => {
            let (paid_in, paid_minor, paid_rate) = target.paid_as(amount_minor);
            let result = pending(id)
                .col_expr(payouts::Column::PayoutCurrency, Expr::value(paid_in))
                .col_expr(payouts::Column::PayoutAmountMinor, Expr::value(paid_minor))
                .col_expr(payouts::Column::PayoutRate, Expr::value(paid_rate))
                .col_expr(payouts::Column::AmountMinor, Expr::value(amount_minor))
                .col_expr(
                    payouts::Column::AttributionId,
                    Expr::value(target.attribution),
                )
                .col_expr(payouts::Column::Note, Expr::value(target.note))
                .col_expr(payouts::Column::CommissionRuleId, Expr::value(target.rule))
                .col_expr(
                    payouts::Column::FxRate,
                    Expr::value(target.fx_rate.map(Text)),
                )
                .col_expr(
                    payouts::Column::Explanation,
                    Expr::value(target.explanation(EntryKind::Commission)),
                )
                .exec(db)
                .await?;
            Ok(written(id, result.rows_affected))
        }
        Change::Cancel { id } => {
            let result = pending(id)
                .col_expr(
                    payouts::Column::Status,
                    Expr::value(PayoutStatus::Rejected.as_str()),
                )
                .col_expr(payouts::Column::RejectedReason, Expr::value(target.note))
                .exec(db)
                .await?;
            Ok(written(id, result.rows_affected))
        }
        Change::Add {
            kind,
            amount_minor,
            corrects,
        } => {
            let (paid_in, paid_minor, paid_rate) = target.paid_as(amount_minor);
            let row = payouts::ActiveModel {
                payout_currency: Set(paid_in),
                payout_amount_minor: Set(paid_minor),
                payout_rate: Set(paid_rate),
                organization_id: Set(org),
                partner_id: Set(target.partner.0),
                deal_id: Set(Some(target.deal.0)),
                attribution_id: Set(target.attribution),
                commission_rule_id: Set(target.rule),
                explanation: Set(Some(target.explanation(kind))),
                fx_rate: Set(target.fx_rate.map(Text)),
                amount_minor: Set(amount_minor),
                currency: Set(Text(target.currency)),
                status: Set(Text(PayoutStatus::Pending)),
                kind: Set(Text(kind)),
                corrects_payout_id: Set(corrects),
                note: Set(Some(target.note.to_owned())),
                created_at: Set(target.at),
                updated_at: Set(target.at),
                created_by: Set(target.by),
                updated_by: Set(target.by),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Ok(Some(row.id))
        }
    }
}
