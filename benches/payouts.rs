//! Bulk approval of 10,000 pending payouts in one request, over HTTP against the real server, as
//! finance does it ("approve everything pending"): each run adds 10,000 pending commissions and
//! approves them all, with the four-eyes check, the conditional writes and one audit event each.
//!
//! `cargo bench --features ssr --bench payouts` uses a fresh SQLite file;
//! `BENCH_DATABASE_URL=postgres://…` a new database in that PostgreSQL server. Target: under 2 s.

use std::time::Instant;

use backend::entities::payouts;
use backend::{database, demo};
use chrono::Utc;
use partner_attribution::api::payouts::BulkResult;
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::money::Currency;
use partner_attribution::domain::payout::PayoutStatus;
use partner_attribution::server::config::{Config, EMBEDDED_LEPTOS_TOML};
use partner_attribution::server::http;
use partner_attribution::server::state::AppState;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

const PAYOUTS: usize = 10_000;
const RUNS: usize = 5;

async fn add_pending(db: &impl ConnectionTrait, partners: i64) {
    let now = Utc::now();
    let rows: Vec<payouts::ActiveModel> = (0..PAYOUTS)
        .map(|i| payouts::ActiveModel {
            organization_id: Set(1),
            partner_id: Set(i as i64 % partners + 1),
            amount_minor: Set(10_000 + i as i64),
            currency: Set(Currency::USD.into()),
            status: Set(PayoutStatus::Pending.into()),
            kind: Set(EntryKind::Commission.into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(1_000) {
        payouts::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("insert payouts");
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(server) => {
            let admin = database::connect(&server).await.expect("connect");
            let name = format!("pa_bench_payouts_{}", std::process::id());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
        Err(_) => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
    };
    let db = database::connect_and_migrate(&url).await.expect("migrate");
    let data = demo::generate(2026, 200, Utc::now());
    demo::load(&db, &data).await.expect("load");
    let partners = data.partners.len() as i64;

    let mut config = Config::from_text(EMBEDDED_LEPTOS_TOML, |_| None).expect("config");
    config.auth.limits.attempts_per_ip_per_minute = 10_000;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(config.leptos, db.clone(), config.auth, true);
    tokio::spawn(http::serve(
        listener,
        http::router(state),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let signed_in = client
        .post(format!("{base}/api/auth/sign-in"))
        .form(&[
            ("email", "finance@northwind.example"),
            ("password", demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().is_success());

    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut times = Vec::new();
    for run in 0..RUNS {
        add_pending(&db, partners).await;
        let key = format!("bench-{run}");
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/payouts/bulk"))
            .form(&[
                ("selection[all_matching]", "true"),
                ("selection[filter][status]", "pending"),
                ("form[verb]", "approve"),
                ("idempotency_key", key.as_str()),
            ])
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let elapsed = started.elapsed();
        assert!(status.is_success(), "{status}: {body}");
        let result: BulkResult = serde_json::from_str(&body).expect("result");
        assert!(result.succeeded >= PAYOUTS as u64, "{result:?}");
        times.push(elapsed);
    }
    times.sort();
    println!(
        "bulk-approve {PAYOUTS} payouts ({backend})  median {:>7.0} ms   max {:>7.0} ms",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}
