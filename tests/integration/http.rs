//! The real server over HTTP: health, pages, the dashboard server function and its numbers, on a
//! fresh SQLite file and a fresh PostgreSQL database.

use crate::common;

use backend::demo;
use chrono::Utc;
use partner_attribution::api::AppError;
use partner_attribution::api::dashboard::DashboardSummary;
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::partner::PartnerStatus;
use partner_attribution::domain::payout::PayoutStatus;
use partner_attribution::domain::reporting::trailing_months;

async fn fetch_summary(app: &common::TestApp, client: &reqwest::Client) -> reqwest::Response {
    app.call(client, "/api/dashboard/summary", &[]).await
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

    // Signed out, the workspace sends the browser to the sign-in page and back afterwards.
    let browser = app.browser();
    let page = browser
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 302);
    assert_eq!(page.headers()["location"], "/sign-in?next=/");

    let page = browser.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce in the policy")
        .to_owned();
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    for expected in [
        "<h1>Sign in</h1>",
        "/pkg/partner-attribution.js",
        &format!("nonce=\"{nonce}\""),
    ] {
        assert!(html.contains(expected), "sign-in HTML lacks {expected}");
    }
    assert!(
        !html.contains("Partner portal"),
        "signed-out navigation shows no areas"
    );

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

async fn new_organization_starts_empty(test_db: common::TestDb) {
    let app = common::TestApp::spawn(test_db.migrated().await).await;
    let anonymous = fetch_summary(&app, &app.browser()).await;
    assert_eq!(anonymous.status(), 401);
    let error: AppError =
        serde_json::from_slice(&anonymous.bytes().await.unwrap()).expect("AppError JSON");
    assert_eq!(error, AppError::Unauthorized);

    let admin = app.browser();
    let signed_up = app
        .call(
            &admin,
            "/api/auth/sign-up",
            &[
                ("organization", "Fresh Start GmbH"),
                ("currency", "eur"),
                ("name", "Greta Gründer"),
                ("email", "greta@fresh-start.example"),
                ("password", "amber-tundra-signal-64"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    let summary: DashboardSummary = fetch_summary(&app, &admin).await.json().await.unwrap();
    assert_eq!(summary.organization_name, "Fresh Start GmbH");
    assert_eq!(summary.base_currency.code(), "EUR");
    assert_eq!(summary.won_deals, 0);
    assert_eq!(summary.total_partners, 0);
    assert!(summary.won_revenue.iter().all(|m| m.amount().is_zero()));

    let html = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<h1>Dashboard</h1>"), "{html}");
    assert!(
        html.contains("Greta Gründer"),
        "the user menu names the user"
    );
}
on_both_databases!(
    a_new_organization_has_an_empty_dashboard,
    new_organization_starts_empty
);

/// The server's totals equal totals computed independently from the generated records.
async fn dashboard_matches_data(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(11, 300, Utc::now());
    demo::load(&db, &data).await.expect("load demo data");
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;

    let response = fetch_summary(&app, &manager).await;
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
    use backend::repo::organizations;
    use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
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
