//! The real server over HTTP: health, pages, the dashboard server function and its numbers, on a
//! fresh SQLite file and a fresh PostgreSQL database.

mod common;

use chrono::Utc;
use partner_attribution::api::AppError;
use partner_attribution::api::dashboard::DashboardSummary;
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::partner::PartnerStatus;
use partner_attribution::domain::payout::PayoutStatus;
use partner_attribution::domain::reporting::trailing_months;
use partner_attribution::server::demo;

async fn fetch_summary(app: &common::TestApp) -> reqwest::Response {
    app.client
        .post(app.url("/api/dashboard/summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("request")
}

async fn health_and_pages(test_db: common::TestDb) {
    let app = common::TestApp::spawn(test_db.migrated().await).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        health.headers().contains_key("x-request-id"),
        "responses carry a request id"
    );
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );

    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "<h1>Dashboard</h1>",
        "Partner portal",
        "Reports",
        "/pkg/partner-attribution.js",
    ] {
        assert!(html.contains(expected), "dashboard HTML lacks {expected}");
    }

    let missing = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}
on_both_databases!(health_pages_and_not_found, health_and_pages);

async fn empty_database_is_a_clear_error(test_db: common::TestDb) {
    let app = common::TestApp::spawn(test_db.migrated().await).await;
    let response = fetch_summary(&app).await;
    assert!(!response.status().is_success());
    let error: AppError =
        serde_json::from_slice(&response.bytes().await.unwrap()).expect("AppError JSON");
    assert!(matches!(error, AppError::NotFound(_)), "{error:?}");

    // The page shows the error instead of a blank area.
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Could not load this page"),
        "no error panel in {html}"
    );
}
on_both_databases!(
    dashboard_without_data_explains_itself,
    empty_database_is_a_clear_error
);

/// The server's totals equal totals computed independently from the generated records.
async fn dashboard_matches_data(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(11, 300, Utc::now());
    demo::load(&db, &data).await.expect("load demo data");
    let app = common::TestApp::spawn(db).await;

    let response = fetch_summary(&app).await;
    assert_eq!(response.status(), 200);
    let summary: DashboardSummary = response.json().await.expect("summary JSON");

    let sum_deals = |stage: DealStage| -> (i64, u64) {
        let deals: Vec<_> = data.deals.iter().filter(|d| d.stage == stage).collect();
        (
            deals.iter().map(|d| d.amount.to_minor().unwrap()).sum(),
            deals.len() as u64,
        )
    };
    let (won, won_count) = sum_deals(DealStage::Won);
    let (open, open_count) = sum_deals(DealStage::Open);
    assert_eq!(summary.organization_name, "Northwind Cloud");
    assert_eq!(summary.won_revenue.len(), 1, "one currency in the demo");
    assert_eq!(summary.won_revenue[0].to_minor().unwrap(), won);
    assert_eq!(summary.won_deals, won_count);
    assert_eq!(summary.open_pipeline[0].to_minor().unwrap(), open);
    assert_eq!(summary.open_deals, open_count);

    let active = data
        .partners
        .iter()
        .filter(|p| p.status == PartnerStatus::Active)
        .count();
    assert_eq!(summary.active_partners, active as u64);
    assert_eq!(summary.total_partners, data.partners.len() as u64);

    let pending: Vec<_> = data
        .payouts
        .iter()
        .filter(|p| p.status == PayoutStatus::Pending)
        .collect();
    assert_eq!(summary.pending_payout_count, pending.len() as u64);
    let pending_minor: i64 = pending.iter().map(|p| p.amount.to_minor().unwrap()).sum();
    assert_eq!(
        summary.pending_payouts[0].to_minor().unwrap(),
        pending_minor
    );

    let months = trailing_months(Utc::now().date_naive(), 12);
    assert_eq!(
        summary
            .revenue_by_month
            .iter()
            .map(|m| m.month)
            .collect::<Vec<_>>(),
        months
    );
    for month in &summary.revenue_by_month {
        let key = month.month.format("%Y-%m").to_string();
        let in_month: Vec<_> = data
            .deals
            .iter()
            .filter(|d| d.stage == DealStage::Won)
            .filter(|d| {
                d.closed_at
                    .is_some_and(|c| c.format("%Y-%m").to_string() == key)
            })
            .collect();
        let minor: i64 = in_month.iter().map(|d| d.amount.to_minor().unwrap()).sum();
        assert_eq!(month.revenue.to_minor().unwrap(), minor, "revenue in {key}");
        assert_eq!(month.deals, in_month.len() as u64, "deals in {key}");
    }
    assert!(
        summary.revenue_by_month.iter().any(|m| m.deals > 0),
        "the chart has data"
    );
}
on_both_databases!(dashboard_totals_match_the_data, dashboard_matches_data);

async fn demo_loads_once(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(3, 50, Utc::now());
    assert!(demo::load_if_empty(&db, &data).await.unwrap().is_some());
    assert!(
        demo::load_if_empty(&db, &data).await.unwrap().is_none(),
        "second load is skipped"
    );
    let err = demo::load(&db, &data).await.unwrap_err().to_string();
    assert!(err.contains("empty database"), "{err}");
}
on_both_databases!(demo_data_only_loads_into_an_empty_database, demo_loads_once);

async fn settings_round_trip(test_db: common::TestDb) {
    use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
    use partner_attribution::server::repo::organizations;
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(5, 20, Utc::now()))
        .await
        .unwrap();
    let org = organizations::default_organization(&db)
        .await
        .unwrap()
        .unwrap();
    let (payable, settings) = organizations::attribution_settings(&db, org).await.unwrap();
    assert_eq!(payable, AttributionModel::EqualSplit);
    assert_eq!(settings, ModelSettings::default());
}
on_both_databases!(
    attribution_settings_are_stored_with_the_organization,
    settings_round_trip
);
