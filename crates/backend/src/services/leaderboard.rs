//! The leaderboard: stats per partner for a period and the one before, ranked.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::attribution::{self, AttributionModel};
use domain::ids::PartnerId;
use domain::leaderboard::{PartnerStats, Ranking, rank};
use domain::money::{Currency, Money};
use domain::reporting::{DateRange, Period};
use wire::AppError;
use wire::leaderboard::{LEADERBOARD_SIZE, LeaderRow, Leaderboard};

/// Which numbers a period needs: all of them for the period shown; for the one before, only
/// the one the ranking compares (its ranks give the rank change).
#[derive(Clone, Copy)]
struct Needs {
    credit: bool,
    influenced: bool,
    outcomes: bool,
}

impl Needs {
    const ALL: Needs = Needs {
        credit: true,
        influenced: true,
        outcomes: true,
    };

    fn for_ranking(ranking: Ranking) -> Needs {
        Needs {
            credit: ranking == Ranking::Revenue,
            influenced: ranking == Ranking::Deals,
            outcomes: ranking == Ranking::WinRate,
        }
    }
}

/// Credit as stored when each deal was won (or re-attributed); deals won before they were in
/// this database (imported history) are attributed now.
async fn credit(
    caller: &Caller,
    range: DateRange,
    model: AttributionModel,
    currency: Currency,
    settings: &attribution::ModelSettings,
) -> Result<HashMap<i64, i128>, AppError> {
    let (tenant, db) = (&caller.tenant, caller.db());
    let (mut attributed, missing) =
        repo::leaderboard::stored_credit(tenant, db, range, model, currency).await?;
    if !missing {
        return Ok(attributed);
    }
    let missing = repo::leaderboard::won_deals(tenant, db, range, currency, Some(model)).await?;
    for result in attribution::compare(&missing, &[model], settings)?
        .into_iter()
        .flatten()
    {
        for split in result.splits() {
            *attributed.entry(split.partner.0).or_default() += split.amount.total_minor();
        }
    }
    Ok(attributed)
}

async fn stats(
    caller: &Caller,
    range: DateRange,
    model: AttributionModel,
    currency: Currency,
    settings: &attribution::ModelSettings,
    needs: Needs,
) -> Result<Vec<PartnerStats>, AppError> {
    let (tenant, db) = (&caller.tenant, caller.db());
    let attributed = match needs.credit {
        true => credit(caller, range, model, currency, settings).await?,
        false => HashMap::new(),
    };
    let influenced = match needs.influenced {
        true => repo::leaderboard::influenced(tenant, db, range).await?,
        false => HashMap::new(),
    };
    let outcomes = match needs.outcomes {
        true => repo::leaderboard::outcomes(tenant, db, range).await?,
        false => HashMap::new(),
    };
    let partners: HashSet<i64> = attributed
        .keys()
        .chain(influenced.keys())
        .chain(outcomes.keys())
        .copied()
        .collect();
    Ok(partners
        .into_iter()
        .map(|p| {
            let (won, closed) = outcomes.get(&p).copied().unwrap_or_default();
            PartnerStats {
                partner: PartnerId(p),
                attributed_minor: attributed.get(&p).copied().unwrap_or_default(),
                deals_influenced: influenced.get(&p).copied().unwrap_or_default(),
                deals_won: won,
                deals_closed: closed,
            }
        })
        .collect())
}

pub async fn board(
    caller: &Caller,
    period: Period,
    model: Option<AttributionModel>,
    ranking: Ranking,
) -> Result<Leaderboard, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    let (payable, settings) =
        repo::organizations::attribution_settings(caller.db(), caller.tenant.organization_id())
            .await?;
    let model = model.unwrap_or(payable);
    if model.is_data_driven() {
        return Err(AppError::invalid_field(
            "model",
            "Leaderboards compare rule-based models; data-driven credit is in the deal pages.",
        ));
    }
    let currency = repo::organizations::header(caller.db(), caller.tenant.organization_id())
        .await?
        .base_currency;
    let today = Utc::now().date_naive();
    let (range, previous) = (period.range(today), period.previous(today));
    let current = stats(caller, range, model, currency, &settings, Needs::ALL).await?;
    let other_currency_deals =
        repo::leaderboard::won_in_other_currencies(&caller.tenant, caller.db(), range, currency)
            .await?;
    let needs = Needs::for_ranking(ranking);
    let before = stats(caller, previous, model, currency, &settings, needs).await?;
    let previous_ranks: HashMap<PartnerId, Option<u32>> =
        rank(&before, ranking).into_iter().collect();
    let ranked = rank(&current, ranking);
    let ids: Vec<i64> = ranked.iter().map(|(p, _)| p.0).collect();
    let names = repo::deals::names_of(&caller.tenant, caller.db(), &ids).await?;
    let by_id: HashMap<PartnerId, &PartnerStats> = current.iter().map(|s| (s.partner, s)).collect();
    let rows = ranked
        .into_iter()
        .take(LEADERBOARD_SIZE)
        .filter_map(|(partner, rank)| {
            let s = by_id.get(&partner)?;
            Some(LeaderRow {
                rank,
                previous_rank: previous_ranks.get(&partner).copied().flatten(),
                partner_id: partner,
                name: names
                    .get(&partner.0)
                    .cloned()
                    .unwrap_or_else(|| format!("Partner {partner}")),
                attributed: Money::from_total(s.attributed_minor, currency),
                deals_influenced: s.deals_influenced,
                deals_won: s.deals_won,
                deals_closed: s.deals_closed,
                win_rate: s.win_rate(),
            })
        })
        .collect();
    Ok(Leaderboard {
        period,
        range,
        previous,
        model,
        ranking,
        currency,
        rows,
        other_currency_deals,
    })
}
