//! The leaderboard against numbers computed independently from the generated data.

use crate::common;

use std::collections::{BTreeSet, HashMap};

use backend::demo;
use chrono::Utc;
use partner_attribution::api::leaderboard::Leaderboard;
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::reporting::Period;

async fn leaderboard_numbers(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(41, 200, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let response = app
        .call(
            &manager,
            "/api/partners/leaderboard",
            &[
                ("period", "last_12_months"),
                ("model", "equal_split"),
                ("ranking", "revenue"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let board: Leaderboard = response.json().await.unwrap();
    let range = Period::Last12Months.range(Utc::now().date_naive());
    let inside = |day: chrono::NaiveDate| day >= range.start && day < range.end;

    // Revenue: every won deal in the period with a touch before its close is fully credited.
    let credited: i64 = data
        .deals
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.stage == DealStage::Won && d.closed_at.is_some_and(|c| inside(c.date_naive()))
        })
        .filter(|(i, d)| {
            data.touchpoints
                .iter()
                .any(|t| t.deal == *i && Some(t.occurred_at) <= d.closed_at)
        })
        .map(|(_, d)| d.amount.to_minor().unwrap())
        .sum();
    let board_total: i64 = board
        .rows
        .iter()
        .map(|r| r.attributed.to_minor().unwrap())
        .sum();
    // Under a model the demo did not store (its history was "imported"), the credit is computed
    // now, and every credited deal is still split whole.
    let first_touch: Leaderboard = app
        .call(
            &manager,
            "/api/partners/leaderboard",
            &[
                ("period", "last_12_months"),
                ("model", "first_touch"),
                ("ranking", "revenue"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let first_touch_total: i64 = first_touch
        .rows
        .iter()
        .map(|r| r.attributed.to_minor().unwrap())
        .sum();
    assert_eq!(first_touch_total, credited);
    assert_eq!(board_total, credited);

    // Deals influenced and outcomes per partner.
    let mut influenced: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    for t in data
        .touchpoints
        .iter()
        .filter(|t| inside(t.occurred_at.date_naive()))
    {
        influenced.entry(t.partner).or_default().insert(t.deal);
    }
    for row in &board.rows {
        let partner = (row.partner_id.0 - 1) as usize;
        assert_eq!(row.name, data.partners[partner].name);
        assert_eq!(
            row.deals_influenced as usize,
            influenced.get(&partner).map_or(0, BTreeSet::len),
            "{}",
            row.name
        );
        let closed: BTreeSet<usize> = data
            .touchpoints
            .iter()
            .filter(|t| t.partner == partner)
            .map(|t| t.deal)
            .filter(|&d| {
                data.deals[d].stage != DealStage::Open
                    && data.deals[d]
                        .closed_at
                        .is_some_and(|c| inside(c.date_naive()))
            })
            .collect();
        let won = closed
            .iter()
            .filter(|&&d| data.deals[d].stage == DealStage::Won)
            .count();
        assert_eq!(
            (row.deals_won as usize, row.deals_closed as usize),
            (won, closed.len())
        );
    }

    // Ranked by revenue, highest first.
    assert!(
        board
            .rows
            .windows(2)
            .all(|w| w[0].attributed.to_minor().unwrap() >= w[1].attributed.to_minor().unwrap())
    );
    assert_eq!(board.rows[0].rank, Some(1));

    // Data-driven models are not offered here.
    let refused = app
        .call(
            &manager,
            "/api/partners/leaderboard",
            &[("model", "shapley")],
        )
        .await;
    assert_eq!(refused.status(), 422);
}
on_both_databases!(the_leaderboard_matches_the_data, leaderboard_numbers);
