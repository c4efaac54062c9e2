//! The organization's attribution settings: read, previewed against last quarter's won deals,
//! and saved (audited, before and after).

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::attribution::form::SettingsForm;
use domain::attribution::{AttributionModel, DealInput, Engine, ModelSettings, Split};
use domain::audit::AuditAction;
use domain::commission_rules::{self, ReplayDeal};
use domain::ids::PartnerId;
use domain::money::Money;
use domain::reporting::Period;
use wire::AppError;
use wire::settings::{AttributionSettings, PREVIEW_ROWS, PreviewRow, SettingsPreview};

pub async fn current(caller: &Caller) -> Result<AttributionSettings, AppError> {
    caller.require(Action::View, Resource::Attribution)?;
    let (payable, settings) =
        repo::organizations::attribution_settings(caller.db(), caller.tenant.organization_id())
            .await?;
    Ok(AttributionSettings {
        form: SettingsForm::from_settings(payable, &settings),
        defaults: SettingsForm::from_settings(
            AttributionModel::EqualSplit,
            &ModelSettings::default(),
        ),
        editable: caller.can(Action::Edit, Resource::Attribution),
    })
}

/// Each deal's payable splits under one model and settings (data-driven models learn first).
async fn splits(
    caller: &Caller,
    deals: &[DealInput],
    model: AttributionModel,
    settings: ModelSettings,
) -> Result<Vec<Vec<Split>>, AppError> {
    let mut engine = Engine::new(settings)?;
    if model.is_data_driven() {
        engine.learn_for(
            &repo::deals::history(&caller.tenant, caller.db()).await?,
            &[model],
        );
    }
    deals
        .iter()
        .map(|deal| Ok(engine.attribute(deal, model)?.splits().to_vec()))
        .collect()
}

pub async fn preview(caller: &Caller, form: SettingsForm) -> Result<SettingsPreview, AppError> {
    caller.require(Action::View, Resource::Attribution)?;
    let (payable_now, settings_now) =
        repo::organizations::attribution_settings(caller.db(), caller.tenant.organization_id())
            .await?;
    let (payable_proposed, settings_proposed) = form
        .validate(&settings_now)
        .map_err(AppError::invalid_fields)?;
    let currency = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    let range = Period::LastQuarter.range(Utc::now().date_naive());
    let mut deals =
        repo::leaderboard::won_deals(&caller.tenant, caller.db(), range, currency, None).await?;
    // In the order they were won: tiered rules count earlier credit in the quarter.
    deals.sort_by_key(|d| (d.closed_at, d.deal));
    let other_currency_deals =
        repo::leaderboard::won_in_other_currencies(&caller.tenant, caller.db(), range, currency)
            .await?;
    let now = splits(caller, &deals, payable_now, settings_now).await?;
    let proposed = splits(caller, &deals, payable_proposed, settings_proposed).await?;

    let partners: BTreeSet<i64> = now
        .iter()
        .chain(&proposed)
        .flatten()
        .map(|s| s.partner.0)
        .collect();
    let partners: Vec<i64> = partners.into_iter().collect();
    let facts = repo::commission_rules::facts_of(&caller.tenant, caller.db(), &partners).await?;
    let rules = repo::commission_rules::in_force(&caller.tenant, caller.db()).await?;
    // Each split's commission under the rules in force, deal by deal in the order they were won.
    let commissions = |per_deal: &[Vec<Split>]| -> Result<Vec<Money>, AppError> {
        let credits = deals
            .iter()
            .zip(per_deal)
            .flat_map(|(deal, splits)| splits.iter().map(move |split| (deal, split)))
            .map(|(deal, split)| {
                Ok(ReplayDeal {
                    partner: *facts
                        .get(&split.partner.0)
                        .ok_or_else(|| AppError::internal("attributed partner vanished"))?,
                    attributed: split.amount,
                    deal_amount: deal.amount,
                    won_on: deal.closed_at.date_naive(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(commission_rules::commissions(&rules, &credits)?)
    };
    let mut commission_now = commissions(&now)?.into_iter();
    let mut commission_proposed = commissions(&proposed)?.into_iter();
    // Per partner: credit and commission (minor units), now and proposed; 128 bits, so no
    // stored amounts overflow them.
    let mut totals: HashMap<i64, [i128; 4]> = HashMap::new();
    let mut add =
        |split: &Split, offset: usize, commission: Option<Money>| -> Result<(), AppError> {
            let commission = commission.map_or(0, |c| c.total_minor());
            let entry = totals.entry(split.partner.0).or_default();
            entry[offset] += split.amount.total_minor();
            entry[offset + 2] += commission;
            Ok(())
        };
    let mut deals_moved = 0;
    for (a, b) in now.iter().zip(&proposed) {
        let credit = |splits: &[Split]| -> Vec<(PartnerId, Money)> {
            splits.iter().map(|s| (s.partner, s.amount)).collect()
        };
        if credit(a) != credit(b) {
            deals_moved += 1;
        }
        for split in a {
            add(split, 0, commission_now.next())?;
        }
        for split in b {
            add(split, 1, commission_proposed.next())?;
        }
    }

    let mut moved: Vec<(i64, [i128; 4])> = totals.into_iter().collect();
    moved.sort_by_key(|(id, [now, proposed, ..])| {
        (
            std::cmp::Reverse((proposed - now).abs()),
            std::cmp::Reverse(*now),
            *id,
        )
    });
    let total =
        |index: usize| Money::from_total(moved.iter().map(|(_, t)| t[index]).sum(), currency);
    let (commission_now, commission_proposed) = (total(2), total(3));
    let shown: Vec<i64> = moved.iter().take(PREVIEW_ROWS).map(|(id, _)| *id).collect();
    let names = repo::deals::names_of(&caller.tenant, caller.db(), &shown).await?;
    let more = moved
        .iter()
        .skip(PREVIEW_ROWS)
        .filter(|(_, [now, proposed, ..])| now != proposed)
        .count() as u64;
    let rows = moved
        .into_iter()
        .take(PREVIEW_ROWS)
        .map(
            |(
                id,
                [
                    credit_now,
                    credit_proposed,
                    commission_now,
                    commission_proposed,
                ],
            )| {
                PreviewRow {
                    partner_id: PartnerId(id),
                    name: names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("Partner {id}")),
                    credit_now: Money::from_total(credit_now, currency),
                    credit_proposed: Money::from_total(credit_proposed, currency),
                    commission_now: Money::from_total(commission_now, currency),
                    commission_proposed: Money::from_total(commission_proposed, currency),
                }
            },
        )
        .collect();
    Ok(SettingsPreview {
        range,
        currency,
        payable_now,
        payable_proposed,
        deals: deals.len() as u64,
        deals_moved,
        other_currency_deals,
        rows,
        more,
        commission_now,
        commission_proposed,
    })
}

pub async fn save(caller: &Caller, form: SettingsForm) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Attribution)?;
    let org = caller.tenant.organization_id();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let (payable_before, settings_before) =
        repo::organizations::attribution_settings(&txn, org).await?;
    let (payable, settings) = form
        .validate(&settings_before)
        .map_err(AppError::invalid_fields)?;
    repo::organizations::save_attribution_settings(&txn, org, payable, &settings).await?;
    audit::by_caller(
        caller,
        &txn,
        Entry {
            action: AuditAction::AttributionSettingsUpdated,
            entity_type: "organization",
            entity_id: Some(org.0),
            before: Some(json!({ "payable_model": payable_before, "settings": settings_before })),
            after: Some(json!({ "payable_model": payable, "settings": settings })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
