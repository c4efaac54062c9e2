//! One partner's performance: credit by month under the payable model, deals influenced, win
//! rate, touches, open pipeline, recent deals and its commission ledger totals.

use std::collections::BTreeMap;

use chrono::{Days, Utc};

use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::attribution::{DealInput, Engine};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId};
use domain::leaderboard::PartnerStats;
use domain::ledger::EntryKind;
use domain::money::{Currency, Money};
use domain::payout::PayoutStatus;
use domain::reporting::{DateRange, month_start, trailing_months};
use wire::AppError;
use wire::dashboard::MonthlyRevenue;
use wire::partners::{CommissionTotals, PartnerDealLine, PartnerPerformance, RECENT_DEALS};

const MONTHS: u32 = 12;

pub async fn performance(caller: &Caller, id: PartnerId) -> Result<PartnerPerformance, AppError> {
    caller.require(Action::View, Resource::Partners)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    repo::partners::get(tenant, db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the partner".into()))?;
    let org = tenant.organization_id();
    let currency = repo::organizations::header(db, org).await?.base_currency;
    let (model, settings) = repo::organizations::attribution_settings(db, org).await?;
    let today = Utc::now().date_naive();
    let months = trailing_months(today, MONTHS);
    let range = DateRange {
        start: months.first().copied().unwrap_or(today),
        end: today + Days::new(1),
    };
    let inside = |at: chrono::DateTime<Utc>| {
        let day = at.date_naive();
        day >= range.start && day < range.end
    };

    let touched = repo::partner_stats::touched_deals(tenant, db, id, range).await?;
    let mut stats = PartnerStats {
        partner: id,
        attributed_minor: 0,
        deals_influenced: 0,
        deals_won: 0,
        deals_closed: 0,
    };
    let (mut open_deals, mut open_minor) = (0u64, 0i64);
    let mut won_here = Vec::new();
    for t in &touched {
        let stage: DealStage = t.deal.stage.0;
        if t.touched_in_range {
            stats.deals_influenced += 1;
        }
        match (stage, t.deal.closed_at) {
            (DealStage::Open, _) => {
                open_deals += 1;
                if t.deal.currency == currency {
                    open_minor += t.deal.amount_minor;
                }
            }
            (_, Some(closed_at)) if inside(closed_at) => {
                stats.deals_closed += 1;
                if stage == DealStage::Won {
                    stats.deals_won += 1;
                    if t.deal.currency == currency {
                        won_here.push((t.deal.id, t.deal.amount_minor, closed_at));
                    }
                }
            }
            _ => {}
        }
    }
    let touchpoints = repo::partner_stats::touches_in(tenant, db, id, range).await?;

    // The partner's credit on each won deal, under the payable model with every partner's touches.
    let ids: Vec<i64> = won_here.iter().map(|(id, ..)| *id).collect();
    let mut touches = repo::partner_stats::touches_of(tenant, db, &ids).await?;
    let mut engine = Engine::new(settings)?;
    if model.is_data_driven() {
        engine.learn_for(&repo::deals::history(tenant, db).await?, &[model]);
    }
    let mut by_month: BTreeMap<chrono::NaiveDate, (i64, u64)> =
        months.iter().map(|m| (*m, (0, 0))).collect();
    for (deal, minor, closed_at) in won_here {
        let input = DealInput {
            deal: DealId(deal),
            amount: Money::from_minor(minor, currency),
            closed_at,
            touches: touches.remove(&DealId(deal)).unwrap_or_default(),
        };
        let result = engine.attribute(&input, model)?;
        let Some(split) = result.splits().iter().find(|s| s.partner == id) else {
            continue;
        };
        let credit = split.amount.to_minor()?;
        stats.attributed_minor += i128::from(credit);
        if let Some(bucket) = by_month.get_mut(&month_start(closed_at.date_naive())) {
            bucket.0 += credit;
            bucket.1 += 1;
        }
    }

    let mut recent: Vec<&repo::partner_stats::TouchedDeal> = touched.iter().collect();
    recent.sort_by_key(|t| std::cmp::Reverse((t.last_touch, t.deal.id)));
    let recent_deals = recent
        .into_iter()
        .take(RECENT_DEALS)
        .map(|t| {
            Ok(PartnerDealLine {
                id: DealId(t.deal.id),
                name: t.deal.name.clone(),
                account_name: t.deal.account_name.clone(),
                stage: t.deal.stage.0,
                amount: repo::deals::amount_of(&t.deal),
                touches: t.touches,
                last_touch: t.last_touch,
            })
        })
        .collect::<Result<_, AppError>>()?;

    Ok(PartnerPerformance {
        range,
        currency,
        model,
        by_month: by_month
            .into_iter()
            .map(|(month, (minor, deals))| MonthlyRevenue {
                month,
                revenue: Money::from_minor(minor, currency),
                deals,
            })
            .collect(),
        attributed: Money::from_total(stats.attributed_minor, currency),
        deals_influenced: u64::from(stats.deals_influenced),
        deals_won: u64::from(stats.deals_won),
        deals_closed: u64::from(stats.deals_closed),
        win_rate: stats.win_rate(),
        touchpoints,
        open_deals,
        open_pipeline: Money::from_minor(open_minor, currency),
        commissions: commissions(
            repo::partner_stats::commission_totals(tenant, db, id).await?,
            currency,
        )?,
        recent_deals,
    })
}

/// Ledger sums by (status, kind, currency) as earned / paid / outstanding per currency, the base
/// currency first.
fn commissions(
    rows: Vec<(PayoutStatus, EntryKind, Currency, i128)>,
    base: Currency,
) -> Result<Vec<CommissionTotals>, AppError> {
    let mut totals: BTreeMap<(bool, Currency), [i128; 3]> = BTreeMap::new();
    for (status, kind, currency, minor) in rows {
        let signed = i128::from(kind.sign()) * minor;
        let entry = totals.entry((currency != base, currency)).or_default();
        match status {
            PayoutStatus::Rejected => continue,
            PayoutStatus::Paid => entry[1] += signed,
            PayoutStatus::Pending | PayoutStatus::Approved => entry[2] += signed,
        }
        entry[0] += signed;
    }
    Ok(totals
        .into_iter()
        .map(
            |((_, currency), [earned, paid, outstanding])| CommissionTotals {
                earned: Money::from_total(earned, currency),
                paid: Money::from_total(paid, currency),
                outstanding: Money::from_total(outstanding, currency),
            },
        )
        .collect())
}
