//! The executive reports against totals worked out by hand on a small fixed data set: three
//! partners of the demo organization (1: reseller, registered tier, 5 % commission; 2: referral,
//! silver, 8 %; 3: technology, gold, 10 %) and five deals entered through the API.
//!
//! - D1 $10,000: partner 1 referral 20 days ago; won. Partner-sourced.
//! - D2 $6,000: partner 2 demo 30 days ago, partner 3 proposal 10 days ago; won. Influenced.
//! - D3 $4,000: no partner; won.
//! - D4 $2,000: partner 1 negotiation 5 days ago; lost.
//! - D5 $8,000: partner 2 referral 3 days ago and proposal 2 days ago; open, expected in 45 days.

use crate::common;

use backend::demo;
use chrono::{Duration, NaiveDate, Utc};
use partner_attribution::api::deals::DealPage;
use partner_attribution::api::reports::{
    ForecastReport, ModelComparison, RevenueReport, RoiReport, TopPartnersReport,
};
use partner_attribution::domain::attribution::AttributionModel;
use partner_attribution::domain::attribution::form::SettingsForm;
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::forecast::PipelineStage;
use partner_attribution::domain::ids::{DealId, PartnerId};
use partner_attribution::domain::money::Money;
use partner_attribution::domain::monthly_stats::month_of;
use partner_attribution::domain::reporting::Period;
use rust_decimal::Decimal;

fn minor(money: &Money) -> i64 {
    money.to_minor().unwrap()
}

/// Deals entered, touched and closed through the API, as the pages do.
struct Api<'a> {
    app: &'a common::TestApp,
    client: &'a reqwest::Client,
}

impl Api<'_> {
    async fn post(&self, path: &str, form: &[(&str, &str)]) {
        let response = self.app.call(self.client, path, form).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    async fn deal(&self, amount: &str, expected: String) -> DealId {
        let form = [
            ("form[name]", "Report deal"),
            ("form[account_name]", "Contoso"),
            ("form[amount]", amount),
            ("form[currency]", "USD"),
            ("form[expected_close_on]", expected.as_str()),
        ];
        let response = self.app.call(self.client, "/api/deals/save", &form).await;
        assert_eq!(response.status(), 200);
        response.json::<DealId>().await.unwrap()
    }

    async fn touch(&self, deal: DealId, partner: i64, kind: &str, on: String) {
        let (deal, partner) = (deal.to_string(), partner.to_string());
        let form = [
            ("deal_id", deal.as_str()),
            ("form[partner_id]", partner.as_str()),
            ("form[kind]", kind),
            ("form[occurred_on]", on.as_str()),
        ];
        self.post("/api/deals/touchpoints/add", &form).await;
    }

    async fn close(&self, deal: DealId, outcome: &str) {
        let deal = deal.to_string();
        let form = [
            ("id", deal.as_str()),
            ("outcome", outcome),
            ("reason", "No budget"),
        ];
        self.post("/api/deals/close", &form).await;
    }

    /// The won deals of `month` the deals list shows under "Partners: `involvement`": how many,
    /// their total in minor units, and which.
    async fn won_in(&self, month: NaiveDate, involvement: &str) -> ((i64, i64), Vec<DealId>) {
        let first = month.to_string();
        let last = (month + chrono::Months::new(1) - Duration::days(1)).to_string();
        let form = [
            ("filter[stage]", "won"),
            ("filter[close_from]", first.as_str()),
            ("filter[close_to]", last.as_str()),
            ("filter[involvement]", involvement),
        ];
        let response = self.app.call(self.client, "/api/deals/list", &form).await;
        assert_eq!(response.status(), 200);
        let page: DealPage = response.json().await.unwrap();
        assert!(
            page.total as usize <= page.rows.len(),
            "one page holds them"
        );
        let sum: i64 = page.rows.iter().map(|r| minor(&r.amount)).sum();
        let ids = page.rows.iter().map(|r| r.id).collect();
        ((page.total as i64, sum), ids)
    }
}

async fn reports_match_hand_computed_totals(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(7, 0, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let today = Utc::now().date_naive();
    let ago = |days: i64| (today - Duration::days(days)).to_string();

    let api = Api {
        app: &app,
        client: &manager,
    };
    let d1 = api.deal("10000", String::new()).await;
    api.touch(d1, 1, "referral", ago(20)).await;
    api.close(d1, "won").await;
    let d2 = api.deal("6000", String::new()).await;
    api.touch(d2, 2, "demo", ago(30)).await;
    api.touch(d2, 3, "proposal", ago(10)).await;
    api.close(d2, "won").await;
    let d3 = api.deal("4000", String::new()).await;
    api.close(d3, "won").await;
    let d4 = api.deal("2000", String::new()).await;
    api.touch(d4, 1, "negotiation", ago(5)).await;
    api.close(d4, "lost").await;
    let expected_close = today + Duration::days(45);
    let d5 = api.deal("8000", expected_close.to_string()).await;
    api.touch(d5, 2, "referral", ago(3)).await;
    api.touch(d5, 2, "proposal", ago(2)).await;

    let get = |path: &'static str, form: &'static [(&'static str, &'static str)]| {
        let (app, manager) = (&app, &manager);
        async move {
            let response = app.call(manager, path, form).await;
            assert_eq!(response.status(), 200, "{path}");
            response
        }
    };

    // Partner revenue: everything was won this month.
    let revenue: RevenueReport = get("/api/reports/revenue", &[("period", "this_quarter")])
        .await
        .json()
        .await
        .unwrap();
    let month = revenue
        .months
        .iter()
        .find(|m| month_of(m.month) == month_of(today))
        .expect("this month is in this quarter");
    assert_eq!(minor(&month.sourced), 1_000_000);
    assert_eq!(month.sourced_deals, 1);
    assert_eq!(minor(&month.influenced), 600_000);
    assert_eq!(month.influenced_deals, 1);
    assert_eq!(minor(&month.total), 2_000_000);
    // The drill-down behind the partner bars lists exactly the deals they add up; the direct
    // deals are the rest of the month's won revenue.
    let listed = |involvement| api.won_in(month.month, involvement);
    assert_eq!(
        listed("partnered").await.0,
        (
            month.sourced_deals + month.influenced_deals,
            minor(&month.partner())
        )
    );
    assert_eq!(
        listed("sourced").await.0,
        (month.sourced_deals, minor(&month.sourced))
    );
    assert_eq!(
        listed("influenced").await.0,
        (month.influenced_deals, minor(&month.influenced))
    );
    assert_eq!(
        listed("direct").await.0.1,
        minor(&month.total) - minor(&month.partner())
    );
    assert_eq!(revenue.total.partner_share(), Some(Decimal::new(8, 1)));
    assert_eq!(minor(&revenue.total.partner_last_year), 0);
    assert_eq!(revenue.total.year_over_year(), None);
    let types: Vec<(&str, i64, i64)> = revenue
        .by_type
        .iter()
        .map(|g| (g.key.as_str(), minor(&g.revenue), g.partners))
        .collect();
    // Equal split, the payable model: D2 shared by partners 2 and 3.
    assert_eq!(types[0], ("reseller", 1_000_000, 1));
    assert!(types.contains(&("referral", 300_000, 1)));
    assert!(types.contains(&("technology", 300_000, 1)));
    let tiers: Vec<(&str, i64)> = revenue
        .by_tier
        .iter()
        .map(|g| (g.key.as_str(), minor(&g.revenue)))
        .collect();
    assert_eq!(
        tiers,
        [
            ("gold", 300_000),
            ("silver", 300_000),
            ("registered", 1_000_000)
        ]
    );

    // Top partners.
    let top: TopPartnersReport = get("/api/reports/top_partners", &[("period", "this_year")])
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<_> = top
        .rows
        .iter()
        .map(|r| {
            (
                r.partner_id.0,
                minor(&r.attributed),
                r.deals_won,
                r.deals_closed,
                r.average_deal.map(|m| minor(&m)),
                r.cycle_days,
            )
        })
        .collect();
    assert_eq!(
        rows[0],
        (1, 1_000_000, 1, 2, Some(1_000_000), Some(Decimal::from(20)))
    );
    assert!(rows.contains(&(2, 300_000, 1, 1, Some(600_000), Some(Decimal::from(30)))));
    assert!(rows.contains(&(3, 300_000, 1, 1, Some(600_000), Some(Decimal::from(10)))));
    assert_eq!(top.rows[0].win_rate(), Some(Decimal::new(5, 1)));
    assert_eq!(top.partners, 3);

    // Model comparison: credit and the tier commission (5 / 8 / 10 %) under three models.
    let models: ModelComparison = get("/api/reports/models", &[("period", "this_quarter")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(models.deals, 2);
    let column = |model: AttributionModel| {
        models
            .models
            .iter()
            .position(|m| m.model == model)
            .expect("model present")
    };
    let cell = |partner: i64, model: AttributionModel| {
        let row = models
            .rows
            .iter()
            .find(|r| r.partner_id == PartnerId(partner))
            .unwrap();
        let i = column(model);
        (minor(&row.credit[i]), minor(&row.commission[i]))
    };
    use AttributionModel::{EqualSplit, FirstTouch, LastTouch};
    assert_eq!(cell(1, EqualSplit), (1_000_000, 50_000));
    assert_eq!(cell(1, LastTouch), (1_000_000, 50_000));
    assert_eq!(cell(2, EqualSplit), (300_000, 24_000));
    assert_eq!(cell(3, EqualSplit), (300_000, 30_000));
    assert_eq!(cell(2, FirstTouch), (600_000, 48_000));
    assert_eq!(cell(3, FirstTouch), (0, 0));
    assert_eq!(cell(3, LastTouch), (600_000, 60_000));
    for (model, commission) in [
        (EqualSplit, 104_000),
        (FirstTouch, 98_000),
        (LastTouch, 110_000),
    ] {
        let totals = &models.models[column(model)];
        assert_eq!(minor(&totals.credit), 1_600_000, "{model}");
        assert_eq!(minor(&totals.commission), commission, "{model}");
    }

    // ROI: the ledger's commission on the payable split, none paid yet.
    let roi: RoiReport = get("/api/reports/roi", &[("period", "this_quarter")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(minor(&roi.total.attributed), 1_600_000);
    assert_eq!(minor(&roi.total.commission), 104_000);
    assert_eq!(minor(&roi.total.paid), 0);
    assert_eq!(roi.total.cost_share(), Some(Decimal::new(65, 3)));
    let reseller = roi.by_type.iter().find(|r| r.key == "reseller").unwrap();
    assert_eq!(
        (minor(&reseller.attributed), minor(&reseller.commission)),
        (1_000_000, 50_000)
    );
    assert_eq!(roi.by_partner.len(), 3);

    // Forecast: D5 in partner 2's pipeline at the proposal stage, weighted by the only proposal
    // deal that closed (D2, won: 100 %, pooled over types as it is one deal).
    let forecast: ForecastReport = get("/api/reports/forecast", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(forecast.pipeline.len(), 1);
    let cell = &forecast.pipeline[0];
    assert_eq!(month_of(cell.month.unwrap()), month_of(expected_close));
    assert_eq!(cell.stage, PipelineStage::Proposal);
    assert_eq!((minor(&cell.amount), cell.deals), (800_000, 1));
    assert_eq!(minor(&cell.weighted), 800_000);
    let quarter = forecast
        .quarters
        .iter()
        .find(|q| expected_close >= q.range.start && expected_close < q.range.end)
        .unwrap();
    assert_eq!(minor(&quarter.weighted_pipeline), 800_000);
    assert_eq!(minor(&forecast.quarters[0].won_so_far), 1_600_000);
    // One month of history is too little for a trend.
    assert!(forecast.quarters.iter().all(|q| q.trend.is_none()));
    let rates: Vec<_> = forecast
        .rates
        .iter()
        .map(|r| (r.stage, r.rate.won, r.rate.closed, r.rate.pooled))
        .collect();
    assert_eq!(rates, [(PipelineStage::Proposal, 1, 1, true)]);

    // The drill-down from a partner type or tier: won deals a partner of it touched.
    let drill = |form: &'static [(&'static str, &'static str)]| {
        let (app, manager) = (&app, &manager);
        async move {
            let page: DealPage = app
                .call(manager, "/api/deals/list", form)
                .await
                .json()
                .await
                .unwrap();
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    let technology = drill(&[
        ("filter[stage]", "won"),
        ("filter[partner_type]", "technology"),
    ])
    .await;
    assert_eq!(technology, [d2]);
    let mut registered = drill(&[("filter[tier]", "registered")]).await;
    registered.sort();
    assert_eq!(registered, [d1, d4]);

    // CSV: the same numbers; executives may download, partners may not.
    let executive = app
        .signed_in("exec@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let csv = executive
        .get(app.url("/api/reports/top-partners.csv?period=this_year"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("top-partners-this-year.csv")
    );
    let body = csv.text().await.unwrap();
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("partner_id,partner,type,tier,currency,attributed_revenue")
    );
    assert!(lines.next().unwrap().starts_with("1,"), "{body}");
    assert!(
        body.contains(",USD,10000.00,1,2,50.0,10000.00,20"),
        "{body}"
    );
    let bad = executive
        .get(app.url("/api/reports/revenue.csv?period=someday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let partner = app
        .signed_in("partner@apex-cloud-partners.example", demo::DEMO_PASSWORD)
        .await;
    for path in ["/api/reports/forecast.csv", "/api/reports/models.csv"] {
        let refused = partner.get(app.url(path)).send().await.unwrap();
        assert_eq!(refused.status(), 403, "{path}");
    }
    let anonymous = app
        .browser()
        .get(app.url("/api/reports/roi.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // The comparison is remembered until the organization's data changes: a new touch on D1
    // (partner 3, so equal split gives it half of D1) shows at once.
    api.touch(d1, 3, "negotiation", ago(1)).await;
    let again: ModelComparison = get("/api/reports/models", &[("period", "this_quarter")])
        .await
        .json()
        .await
        .unwrap();
    let equal = again
        .models
        .iter()
        .position(|m| m.model == EqualSplit)
        .unwrap();
    let third = again
        .rows
        .iter()
        .find(|r| r.partner_id == PartnerId(3))
        .unwrap();
    assert_eq!(minor(&third.credit[equal]), 300_000 + 500_000);
}
on_both_databases!(
    reports_match_hand_computed_totals,
    reports_match_hand_computed_totals
);

/// Every month's sourced and influenced bars against the deals their drill-downs list, on a
/// demo company's history plus two deals whose first touches tie in time: the domain breaks
/// ties by partner, then by kind, and so must the list.
async fn each_revenue_bar_lists_the_deals_it_adds_up(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(23, 150, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let api = Api {
        app: &app,
        client: &manager,
    };
    let today = Utc::now().date_naive();
    let day = (today - Duration::days(2)).to_string();
    // Partner 1's demo comes first (lower partner id): influenced, though partner 2 referred it.
    let by_partner = api.deal("3000", String::new()).await;
    api.touch(by_partner, 2, "referral", day.clone()).await;
    api.touch(by_partner, 1, "demo", day.clone()).await;
    api.close(by_partner, "won").await;
    // One partner's referral and demo the same day: the referral comes first, so sourced.
    let by_kind = api.deal("5000", String::new()).await;
    api.touch(by_kind, 1, "demo", day.clone()).await;
    api.touch(by_kind, 1, "referral", day).await;
    api.close(by_kind, "won").await;

    let revenue: RevenueReport = app
        .call(
            &manager,
            "/api/reports/revenue",
            &[("period", "last_12_months")],
        )
        .await
        .json()
        .await
        .unwrap();
    let mut bars = 0;
    for month in &revenue.months {
        let (sourced, sourced_ids) = api.won_in(month.month, "sourced").await;
        let (influenced, influenced_ids) = api.won_in(month.month, "influenced").await;
        assert_eq!(
            sourced,
            (month.sourced_deals, minor(&month.sourced)),
            "{}",
            month.month
        );
        assert_eq!(
            influenced,
            (month.influenced_deals, minor(&month.influenced)),
            "{}",
            month.month
        );
        if month_of(month.month) == month_of(today) {
            assert!(sourced_ids.contains(&by_kind) && !sourced_ids.contains(&by_partner));
            assert!(influenced_ids.contains(&by_partner) && !influenced_ids.contains(&by_kind));
        }
        bars += usize::from(month.sourced_deals > 0) + usize::from(month.influenced_deals > 0);
    }
    assert!(bars > 12, "the demo fills most bars: {bars}");
}
on_both_databases!(
    each_revenue_bar_lists_the_deals_it_adds_up,
    each_revenue_bar_lists_the_deals_it_adds_up
);

/// The forecast on a demo company's history: its months of partner revenue, open pipeline and
/// back-tests against sums taken straight from the generated deals.
async fn forecast_follows_the_history(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(11, 900, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let executive = app
        .signed_in("exec@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let response = app.call(&executive, "/api/reports/forecast", &[]).await;
    assert_eq!(response.status(), 200);
    let forecast: ForecastReport = response.json().await.unwrap();

    let touched_by_close = |i: usize, closed: chrono::DateTime<Utc>| {
        data.touchpoints
            .iter()
            .any(|t| t.deal == i && t.occurred_at <= closed)
    };
    let mut by_month: std::collections::BTreeMap<String, i64> = Default::default();
    for (i, deal) in data.deals.iter().enumerate() {
        if let (DealStage::Won, Some(closed)) = (deal.stage, deal.closed_at)
            && touched_by_close(i, closed)
        {
            *by_month.entry(month_of(closed.date_naive())).or_default() +=
                deal.amount.to_minor().unwrap();
        }
    }
    assert!(
        forecast.history.len() >= 6,
        "{} months",
        forecast.history.len()
    );
    for (month, revenue) in &forecast.history {
        assert_eq!(
            minor(revenue),
            by_month.get(&month_of(*month)).copied().unwrap_or(0),
            "{month}"
        );
    }
    // Six months and more: a trend with a range around it for every quarter.
    for quarter in &forecast.quarters {
        let trend = quarter.trend.as_ref().expect("a trend");
        assert!(trend.low.amount() <= trend.expected.amount());
        assert!(trend.expected.amount() <= trend.high.amount());
    }
    // Each back-tested quarter's actual is its three months of history.
    assert!(!forecast.backtest.is_empty());
    for test in &forecast.backtest {
        let actual: i64 = forecast
            .history
            .iter()
            .filter(|(m, _)| *m >= test.range.start && *m < test.range.end)
            .map(|(_, r)| minor(r))
            .sum();
        assert_eq!(minor(&test.actual), actual, "{}", test.label);
    }

    // The open pipeline: every open deal a partner touched, once; weighting never adds.
    let open: i64 = data
        .deals
        .iter()
        .enumerate()
        .filter(|(i, d)| {
            d.stage == DealStage::Open && data.touchpoints.iter().any(|t| t.deal == *i)
        })
        .map(|(_, d)| d.amount.to_minor().unwrap())
        .sum();
    let open_deals = data
        .deals
        .iter()
        .enumerate()
        .filter(|(i, d)| {
            d.stage == DealStage::Open && data.touchpoints.iter().any(|t| t.deal == *i)
        })
        .count() as i64;
    assert_eq!(
        forecast
            .pipeline
            .iter()
            .map(|c| minor(&c.amount))
            .sum::<i64>(),
        open
    );
    assert_eq!(
        forecast.pipeline.iter().map(|c| c.deals).sum::<i64>(),
        open_deals
    );
    assert!(
        forecast
            .pipeline
            .iter()
            .all(|c| c.weighted.amount() <= c.amount.amount())
    );
    assert!(forecast.rates.iter().all(|r| r.rate.won <= r.rate.closed));
}
on_both_databases!(forecast_follows_the_history, forecast_follows_the_history);

/// Amounts stored at the 64-bit limit (before amounts had a bound, or written by hand) make
/// every total overflow a 64-bit sum; every page that totals them still answers, with the exact
/// total where one is shown.
async fn totals_of_amounts_at_the_64_bit_limit_still_answer(test_db: common::TestDb) {
    use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue};
    let db = test_db.migrated().await;
    let data = demo::generate(11, 80, Utc::now());
    demo::load(&db, &data).await.unwrap();
    // Two won deals of last quarter too, which the settings preview totals.
    let quarter = Period::LastQuarter.range(Utc::now().date_naive());
    let last_quarter: Vec<String> = (0..data.deals.len())
        .filter(|&i| {
            let deal = &data.deals[i];
            deal.stage == DealStage::Won
                && deal.closed_at.is_some_and(|at| {
                    let day = at.date_naive();
                    day >= quarter.start && day < quarter.end
                })
        })
        .take(2)
        .map(|i| (i + 1).to_string())
        .collect();
    assert_eq!(last_quarter.len(), 2, "the demo won deals last quarter");
    let partner_user = JsonValue::find_by_statement(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT email, partner_id FROM users WHERE role = 'partner' ORDER BY id LIMIT 1",
    ))
    .one(&db)
    .await
    .unwrap()
    .unwrap();
    let partner = partner_user["partner_id"].as_i64().unwrap();
    let max = i64::MAX;
    for sql in [
        format!(
            "UPDATE deals SET amount_minor = {max} WHERE id IN \
             (SELECT id FROM deals WHERE stage = 'won' AND currency = 'USD' ORDER BY id LIMIT 2)"
        ),
        format!(
            "UPDATE deals SET amount_minor = {max} WHERE id IN \
             (SELECT id FROM deals WHERE stage = 'open' AND currency = 'USD' ORDER BY id LIMIT 2)"
        ),
        format!(
            "UPDATE deals SET amount_minor = {max} WHERE id IN ({})",
            last_quarter.join(", ")
        ),
        format!("UPDATE payouts SET amount_minor = {max} WHERE partner_id = {partner}"),
        // The money totals (counts stay counts).
        format!(
            "UPDATE partner_monthly_stats SET value = {max} \
             WHERE metric IN ('credit', 'revenue', 'won_value', 'pipeline')"
        ),
        format!(
            "UPDATE organization_monthly_stats SET value = {max} \
             WHERE metric IN ('won_amount', 'won_total', 'sourced', 'influenced')"
        ),
        format!("UPDATE attributions SET amount_minor = {max} WHERE partner_id = {partner}"),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }

    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let partner_id = partner.to_string();
    let calls: &[(&str, Vec<(&str, &str)>)] = &[
        ("/api/dashboard/summary", vec![]),
        ("/api/reports/revenue", vec![("period", "last_12_months")]),
        (
            "/api/reports/top_partners",
            vec![("period", "last_12_months")],
        ),
        ("/api/reports/models", vec![("period", "last_12_months")]),
        ("/api/reports/roi", vec![]),
        ("/api/reports/forecast", vec![]),
        (
            "/api/partners/leaderboard",
            vec![("period", "last_12_months")],
        ),
        (
            "/api/partners/performance",
            vec![("id", partner_id.as_str())],
        ),
        ("/api/payouts/list", vec![]),
        ("/api/payouts/earnings", vec![]),
    ];
    for (path, form) in calls {
        let response = app.call(&manager, path, form).await;
        let status = response.status();
        assert_eq!(status, 200, "{path}: {}", response.text().await.unwrap());
    }
    // The settings preview totals each partner's credit and commission under both models.
    let settings: serde_json::Value = app
        .call(&manager, "/api/settings/attribution", &[])
        .await
        .json()
        .await
        .unwrap();
    let mut form: SettingsForm = serde_json::from_value(settings["form"].clone()).unwrap();
    form.payable_model = "last_touch".into();
    let fields = common::settings_fields(&form);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let preview = app
        .call(&manager, "/api/settings/attribution/preview", &pairs)
        .await;
    let status = preview.status();
    assert_eq!(status, 200, "preview: {}", preview.text().await.unwrap());

    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let csv = finance
        .get(app.url("/api/payouts/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);

    // The dashboard's won revenue holds both amounts exactly.
    let summary: serde_json::Value = app
        .call(&manager, "/api/dashboard/summary", &[])
        .await
        .json()
        .await
        .unwrap();
    let won: Decimal = summary["won_revenue"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        won >= Decimal::from(2 * i128::from(max)) / Decimal::from(100),
        "{won}"
    );

    let portal = app
        .signed_in(partner_user["email"].as_str().unwrap(), demo::DEMO_PASSWORD)
        .await;
    for path in ["/api/portal/overview", "/api/portal/statement"] {
        let response = app.call(&portal, path, &[]).await;
        let status = response.status();
        assert_eq!(status, 200, "{path}: {}", response.text().await.unwrap());
    }
}
on_both_databases!(
    totals_of_amounts_at_the_64_bit_limit_still_answer,
    totals_of_amounts_at_the_64_bit_limit_still_answer
);
