//! The partner portal's reads. Each starts from the caller's own partner (a partner user's
//! tenant), so the queries below cannot reach another partner's rows; other partners on a shared
//! deal are only counted.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::caller::Caller;
use crate::repo;
use crate::tenant::Tenant;
use domain::access::{Action, Resource};
use domain::attribution::{
    AttributionModel, DealInput, Engine, Explanation, Touch, calendar_days, close_day,
};
use domain::deal::DealStage;
use domain::earnings::{ByStatus, awaiting_payment, earned_since, summarize};
use domain::ids::{DealId, PartnerId};
use domain::money::{Currency, Money};
use domain::reporting::{DateRange, Period, quarter_start, trailing_months};
use domain::tier_program;
use wire::AppError;
use wire::deals::DealSort;
use wire::payouts::{EarningsMonth, Statement};
use wire::portal::{
    Credit, EarnedTotals, NextPayment, PORTAL_DEAL_PAGE_SIZE, PortalDealDetail, PortalDealPage,
    PortalDealRow, PortalOverview, PortalTouch,
};

const MONTHS: u32 = 12;

/// The caller and its partner; staff have no partner and no portal.
/// The partner a portal user acts for: `Forbidden` for anyone else.
fn partner_of(caller: &Caller, action: Action) -> Result<PartnerId, AppError> {
    caller.require(action, Resource::Portal)?;
    caller.tenant.partner_id().ok_or(AppError::Forbidden)
}

fn money_of(minor: i128, currency: Currency) -> Money {
    Money::from_total(minor, currency)
}

fn totals(start: NaiveDate, sums: ByStatus, currency: Currency) -> EarnedTotals {
    EarnedTotals {
        start,
        pending: money_of(sums.pending, currency),
        approved: money_of(sums.approved, currency),
        paid: money_of(sums.paid, currency),
    }
}

pub async fn overview(caller: &Caller) -> Result<PortalOverview, AppError> {
    let partner = partner_of(caller, Action::View)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let org = repo::organizations::header(db, tenant.organization_id()).await?;
    let currency = org.base_currency;
    let profile = repo::partners::get(tenant, db, partner)
        .await?
        .ok_or_else(|| AppError::NotFound("the partner".into()))?;
    let tier = profile.tier.0;
    let today = Utc::now().date_naive();
    let months = trailing_months(today, MONTHS);
    let tomorrow = today + chrono::Days::new(1);
    let twelve_months = DateRange {
        start: months.first().copied().unwrap_or(today),
        end: tomorrow,
    };

    // The whole ledger: approved entries of any age are owed by the next payment run.
    let all_time = DateRange {
        start: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(today),
        end: tomorrow,
    };
    let (entries, other_currency_payouts) =
        repo::payouts::earned(tenant, db, all_time, currency, Some(partner)).await?;
    let quarter = quarter_start(today);
    let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let (owed, owed_entries) = awaiting_payment(&entries);

    let touched = repo::partner_stats::touched_deals(tenant, db, partner, twelve_months).await?;
    let (mut influenced, mut won, mut open) = (0, 0, 0);
    for t in &touched {
        influenced += u64::from(t.touched_in_range);
        match t.deal.stage.0 {
            DealStage::Open => open += 1,
            DealStage::Won
                if t.deal
                    .closed_at
                    .is_some_and(|at| at.date_naive() >= twelve_months.start) =>
            {
                won += 1
            }
            _ => {}
        }
    }

    let (model, _) =
        repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
    let credit =
        repo::partner_stats::credit_won_in(tenant, db, partner, model, twelve_months).await?;
    let mut attributed = Money::zero(currency);
    for (minor, code, rate) in credit {
        let amount = Money::from_minor(minor, code);
        let in_base = match rate {
            _ if amount.currency() == currency => amount,
            Some(rate) => domain::fx::convert(amount, rate, currency),
            // Won before rates were locked: it cannot count toward a tier in the base currency.
            None => continue,
        };
        attributed = attributed.checked_add(in_base)?;
    }

    Ok(PortalOverview {
        organization: org.name,
        partner_name: profile.name,
        currency,
        quarter: totals(quarter, earned_since(&entries, quarter), currency),
        year: totals(year, earned_since(&entries, year), currency),
        months: summarize(&entries, &months)
            .months
            .into_iter()
            .map(|(month, s)| EarningsMonth {
                month,
                pending: money_of(s.pending, currency),
                approved: money_of(s.approved, currency),
                paid: money_of(s.paid, currency),
            })
            .collect(),
        next_payment: (owed_entries > 0).then(|| NextPayment {
            amount: money_of(owed, currency),
            entries: owed_entries,
        }),
        deals_influenced: influenced,
        deals_won: won,
        open_deals: open,
        tier: tier_program::progress(tier, attributed, &org.tier_bars),
        other_currency_payouts,
        open_disputes: repo::disputes::open_count(tenant, db).await?,
    })
}

/// Credit for the deals named: stored for won deals, projected for open ones from every
/// partner's touches today (under the payable model), none for lost deals.
struct Credits {
    model: AttributionModel,
    /// The organization's calendar, which days before a close are counted in.
    zone: Tz,
    engine: Engine,
    stored: HashMap<i64, crate::entities::attributions::Model>,
    touches: HashMap<DealId, Vec<Touch>>,
}

impl Credits {
    async fn load(
        caller: &Caller,
        partner: PartnerId,
        deals: &[(DealId, DealStage)],
    ) -> Result<Credits, AppError> {
        let (tenant, db) = (&caller.tenant, caller.db());
        let (model, settings) =
            repo::organizations::attribution_settings(db, tenant.organization_id()).await?;
        let ids: Vec<i64> = deals.iter().map(|(id, _)| id.0).collect();
        let touches = repo::partner_stats::touches_of(tenant, db, &ids).await?;
        let won: Vec<i64> = deals
            .iter()
            .filter(|(_, stage)| *stage == DealStage::Won)
            .map(|(id, _)| id.0)
            .collect();
        let stored =
            repo::partner_stats::credit_on(tenant, db, partner, model.as_str(), &won).await?;
        let zone = settings.time_zone;
        let mut engine = Engine::new(settings)?;
        let projecting = deals.iter().any(|(_, stage)| *stage == DealStage::Open);
        if projecting && model.is_data_driven() {
            // Learned from the whole organization's history, as the company's own figures are;
            // only this partner's share of the result leaves the server.
            let all = Tenant::system(tenant.organization_id());
            engine.learn_for(&repo::deals::history(&all, db).await?, &[model]);
        }
        Ok(Credits {
            model,
            zone,
            engine,
            stored,
            touches,
        })
    }

    /// The partner's touches and how many other partners touched the deal.
    fn counts(&self, deal: DealId, partner: PartnerId) -> (u32, u32) {
        let touches = self.touches.get(&deal).map(Vec::as_slice).unwrap_or(&[]);
        let own = touches.iter().filter(|t| t.partner == partner).count();
        let others: HashSet<PartnerId> = touches
            .iter()
            .map(|t| t.partner)
            .filter(|p| *p != partner)
            .collect();
        (own as u32, others.len() as u32)
    }

    fn credit(
        &mut self,
        partner: PartnerId,
        deal: DealId,
        stage: DealStage,
        amount: Money,
        close_on: Option<NaiveDate>,
    ) -> Result<Option<Credit>, AppError> {
        match stage {
            DealStage::Lost => Ok(None),
            DealStage::Won => self
                .stored
                .get(&deal.0)
                .map(|a| {
                    Ok(Credit {
                        share: a.share.0,
                        amount: Money::from_minor(a.amount_minor, a.currency.0),
                        projected: false,
                        explanation: serde_json::from_str::<Explanation>(&a.explanation)
                            .map_or_else(|_| a.explanation.clone(), |e| e.sentence()),
                    })
                })
                .transpose(),
            DealStage::Open => {
                let touches = self.touches.get(&deal).cloned().unwrap_or_default();
                let closed_at = close_on
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc())
                    .unwrap_or_else(Utc::now);
                let input = DealInput {
                    deal,
                    amount,
                    closed_at,
                    touches,
                };
                let result = self.engine.attribute(&input, self.model)?;
                Ok(result
                    .splits()
                    .iter()
                    .find(|s| s.partner == partner)
                    .map(|s| Credit {
                        share: s.share,
                        amount: s.amount,
                        projected: true,
                        explanation: s.explanation.sentence(),
                    }))
            }
        }
    }

    fn row(
        &mut self,
        partner: PartnerId,
        deal: wire::deals::DealRow,
    ) -> Result<PortalDealRow, AppError> {
        let (touches, other_partners) = self.counts(deal.id, partner);
        let credit = self.credit(partner, deal.id, deal.stage, deal.amount, deal.close_on)?;
        Ok(PortalDealRow {
            id: deal.id,
            name: deal.name,
            account_name: deal.account_name,
            stage: deal.stage,
            amount: deal.amount,
            close_on: deal.close_on,
            touches,
            other_partners,
            credit,
        })
    }
}

pub async fn deals(
    caller: &Caller,
    search: String,
    stage: Option<DealStage>,
    page: u64,
) -> Result<PortalDealPage, AppError> {
    let partner = partner_of(caller, Action::View)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    let filter = repo::deals::Filter {
        search: &search,
        stage,
        partner_id: None,
        min_amount: None,
        max_amount: None,
        close_from: None,
        close_to: None,
        partner_type: None,
        tier: None,
        involvement: None,
    };
    let (rows, total) = repo::deals::page(
        tenant,
        db,
        &filter,
        DealSort::Close,
        true,
        page,
        PORTAL_DEAL_PAGE_SIZE,
    )
    .await?;
    let keys: Vec<(DealId, DealStage)> = rows.iter().map(|r| (r.id, r.stage)).collect();
    let mut credits = Credits::load(caller, partner, &keys).await?;
    let model_name = credits.model.name().to_owned();
    let rows = rows
        .into_iter()
        .map(|row| credits.row(partner, row))
        .collect::<Result<_, _>>()?;
    Ok(PortalDealPage {
        rows,
        total,
        page,
        page_size: PORTAL_DEAL_PAGE_SIZE,
        all_deals: repo::deals::count(tenant, db).await?,
        model_name,
    })
}

pub async fn deal(caller: &Caller, id: DealId) -> Result<PortalDealDetail, AppError> {
    let partner = partner_of(caller, Action::View)?;
    let (tenant, db) = (&caller.tenant, caller.db());
    // Scoped to the deals the partner touched: any other answers as if it did not exist.
    let model = repo::deals::get(tenant, db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the deal".into()))?;
    let row = repo::deals::row(&model, Vec::new())?;
    let own = repo::deals::touchpoints_of(tenant, db, id).await?;
    let mut credits = Credits::load(caller, partner, &[(row.id, row.stage)]).await?;
    let zone = credits.zone;
    let close_on = close_day(model.closed_at, model.expected_close_on, zone);
    let timeline = own
        .iter()
        .filter(|t| t.partner_id == partner.0)
        .map(|t| {
            Ok(PortalTouch {
                kind: t.kind.0,
                occurred_at: t.occurred_at,
                note: t.note.clone(),
                days_before_close: close_on.map(|day| calendar_days(t.occurred_at, day, zone)),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let model_name = credits.model.name().to_owned();
    let deal = credits.row(partner, row)?;
    let filter = repo::payouts::Filter {
        deal_id: Some(id),
        ..Default::default()
    };
    Ok(PortalDealDetail {
        deal,
        model_name,
        timeline,
        commissions: repo::payouts::all(tenant, db, &filter).await?,
    })
}

pub async fn statement(caller: &Caller, period: Period) -> Result<Statement, AppError> {
    let partner = partner_of(caller, Action::View)?;
    crate::services::payouts::statement_for(caller, partner, period).await
}
