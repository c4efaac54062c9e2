//! Latency of the workspace's heaviest server functions — the deals list (unfiltered, searched,
//! filtered by partner), the deal page, the leaderboard and the executive reports — over HTTP
//! against the real server with a large demo company.
//!
//! `cargo bench --features ssr --bench workspace` uses a fresh SQLite file with 100,000 deals;
//! `BENCH_DATABASE_URL=postgres://… ` uses a new database in that PostgreSQL server instead, and
//! `BENCH_DEALS=N` changes the size. Prints p50 / p95 / max per call; the target is p95 < 50 ms
//! for workspace calls and < 200 ms for reports.

use std::time::{Duration, Instant};

use backend::{database, demo};
use chrono::Utc;
use partner_attribution::server::config::{Config, EMBEDDED_LEPTOS_TOML};
use partner_attribution::server::http;
use partner_attribution::server::state::AppState;
use sea_orm::ConnectionTrait;

const SAMPLES: usize = 60;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn measure(
    client: &reqwest::Client,
    base: &str,
    label: &str,
    path: &str,
    forms: &[Vec<(&str, String)>],
) {
    let mut times = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let form = &forms[i % forms.len()];
        let started = Instant::now();
        let response = client
            .post(format!("{base}{path}"))
            .form(form)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let _ = response.bytes().await;
        times.push(started.elapsed());
        assert!(status.is_success(), "{label}: {status}");
    }
    times.sort();
    println!(
        "{label:<28} p50 {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let deals: usize = std::env::var("BENCH_DEALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(server) => {
            let admin = database::connect(&server).await.expect("connect");
            let name = format!("pa_bench_{}", std::process::id());
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
    let mut db = database::connect_and_migrate(&url).await.expect("migrate");
    let started = Instant::now();
    let data = demo::generate(2026, deals, Utc::now());
    let report = demo::load(&db, &data).await.expect("load");
    db = database::reopen(db, &url).await.expect("reopen");
    println!(
        "{} deals, {} touchpoints, {} partners loaded in {:.1} s ({})",
        report.deals,
        report.touchpoints,
        report.partners,
        started.elapsed().as_secs_f64(),
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
    );

    let mut config = Config::from_text(EMBEDDED_LEPTOS_TOML, |_| None).expect("config");
    config.auth.limits.attempts_per_ip_per_minute = 10_000;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(config.leptos, db, config.auth, true);
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
            ("email", "manager@northwind.example"),
            ("password", demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().is_success());

    let one = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    measure(
        &client,
        &base,
        "deals list, first page",
        "/api/deals/list",
        &[one(&[])],
    )
    .await;
    let pages: Vec<_> = (0..20)
        .map(|p| one(&[("page", &(p * 97).to_string())]))
        .collect();
    measure(
        &client,
        &base,
        "deals list, deep pages",
        "/api/deals/list",
        &pages,
    )
    .await;
    let searches: Vec<_> = ["acme", "renewal", "zen", "expansion", "global"]
        .iter()
        .map(|q| one(&[("filter[search]", q)]))
        .collect();
    measure(
        &client,
        &base,
        "deals list, search",
        "/api/deals/list",
        &searches,
    )
    .await;
    let partners: Vec<_> = (1..=20)
        .map(|p| {
            one(&[
                ("filter[partner_id]", &p.to_string()),
                ("filter[stage]", "won"),
            ])
        })
        .collect();
    measure(
        &client,
        &base,
        "deals list, partner + stage",
        "/api/deals/list",
        &partners,
    )
    .await;
    let ids: Vec<_> = (0..SAMPLES)
        .map(|i| one(&[("id", &((i * 1_613) % deals + 1).to_string())]))
        .collect();
    measure(&client, &base, "deal page", "/api/deals/get", &ids).await;
    let partner_pages: Vec<_> = (1..=20).map(|p| one(&[("id", &p.to_string())])).collect();
    measure(
        &client,
        &base,
        "partner profile performance",
        "/api/partners/performance",
        &partner_pages,
    )
    .await;
    for period in ["this_quarter", "last_12_months"] {
        measure(
            &client,
            &base,
            &format!("leaderboard, {period}"),
            "/api/partners/leaderboard",
            &[one(&[("period", period)])],
        )
        .await;
    }
    let reports: [(&str, &str, &str); 7] = [
        (
            "report: partner revenue",
            "/api/reports/revenue",
            "last_12_months",
        ),
        (
            "report: top partners",
            "/api/reports/top_partners",
            "last_12_months",
        ),
        (
            "report: models, quarter",
            "/api/reports/models",
            "last_quarter",
        ),
        (
            "report: models, 12 months",
            "/api/reports/models",
            "last_12_months",
        ),
        ("report: ROI", "/api/reports/roi", "last_12_months"),
        ("report: forecast", "/api/reports/forecast", ""),
        (
            "report: revenue, this year",
            "/api/reports/revenue",
            "this_year",
        ),
    ];
    for (label, path, period) in reports {
        let form = if period.is_empty() {
            one(&[])
        } else {
            one(&[("period", period)])
        };
        measure(&client, &base, label, path, &[form]).await;
    }
}
