//! The monthly totals stay equal to totals rebuilt from the deals, through a random sequence of
//! everything the workspace can do to a deal, on SQLite and PostgreSQL.

use crate::common;

use backend::demo;
use backend::entities::partner_monthly_stats;
use backend::repo::monthly_stats;
use chrono::{Duration, Utc};
use partner_attribution::domain::ids::{DealId, OrganizationId, TouchpointId};
use sea_orm::{DatabaseConnection, EntityTrait};

/// A small deterministic generator (xorshift): the same sequence on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

async fn assert_in_step(db: &DatabaseConnection, step: &str) {
    let org = OrganizationId(1);
    let stored = monthly_stats::stored(org, db).await.unwrap();
    let computed = monthly_stats::computed(org, db).await.unwrap();
    if stored != computed {
        let differing: Vec<_> = computed
            .iter()
            .filter(|(k, v)| stored.get(*k) != Some(*v))
            .chain(stored.iter().filter(|(k, _)| !computed.contains_key(*k)))
            .take(5)
            .collect();
        panic!("after {step}: totals differ from the deals, e.g. {differing:?}");
    }
}

async fn random_changes(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(52, 40, Utc::now());
    demo::load(&db, &data).await.unwrap();
    assert_in_step(&db, "the demo load").await;

    // Databases from before the totals get them at start-up.
    partner_monthly_stats::Entity::delete_many()
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(monthly_stats::rebuild_missing(&db).await.unwrap(), 1);
    assert_in_step(&db, "rebuilding missing totals").await;
    assert_eq!(monthly_stats::rebuild_missing(&db).await.unwrap(), 0);

    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let call = |path: &'static str, form: Vec<(&'static str, String)>| {
        let (app, manager) = (&app, &manager);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(manager, path, &form).await
        }
    };
    let today = Utc::now().date_naive();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut deals: Vec<DealId> = Vec::new();
    let mut touches: Vec<TouchpointId> = Vec::new();
    let mut applied = 0;
    for step in 0..60 {
        let day = (today - Duration::days(dice.roll(420) as i64)).to_string();
        let partner = (dice.roll(6) + 1).to_string();
        let amount = (100 + dice.roll(90_000)).to_string();
        let currency = if dice.roll(5) == 0 { "EUR" } else { "USD" };
        // Kinds that source a deal and kinds that move it along (sourced vs influenced, stages).
        let kind = ["referral", "demo", "proposal", "negotiation"][dice.roll(4) as usize];
        let expected = match dice.roll(3) {
            0 => String::new(),
            n => (today + Duration::days(30 * n as i64)).to_string(),
        };
        let deal = match deals.len() {
            0 => None,
            n => Some(deals[dice.roll(n as u64) as usize].to_string()),
        };
        let touch = match touches.len() {
            0 => None,
            n => Some(touches[dice.roll(n as u64) as usize].to_string()),
        };
        let (what, response) = match (dice.roll(8), deal, touch) {
            (0, _, _) | (_, None, _) => {
                let form = vec![
                    ("form[name]", format!("Deal {step}")),
                    ("form[account_name]", "Contoso".into()),
                    ("form[amount]", amount),
                    ("form[currency]", currency.into()),
                    ("form[expected_close_on]", expected),
                ];
                let response = call("/api/deals/save", form).await;
                if response.status() == 200 {
                    deals.push(response.json().await.unwrap());
                    assert_in_step(&app.db, "create").await;
                    applied += 1;
                    continue;
                }
                ("create", response)
            }
            (1 | 2, Some(deal), _) => {
                let form = vec![
                    ("deal_id", deal),
                    ("form[partner_id]", partner),
                    ("form[kind]", kind.into()),
                    ("form[occurred_on]", day),
                ];
                let response = call("/api/deals/touchpoints/add", form).await;
                if response.status() == 200 {
                    touches.push(response.json().await.unwrap());
                    assert_in_step(&app.db, "add a touchpoint").await;
                    applied += 1;
                    continue;
                }
                ("add a touchpoint", response)
            }
            (3, _, Some(touch)) => {
                let form = vec![
                    ("id", touch),
                    ("form[partner_id]", partner),
                    ("form[kind]", "co_sell".into()),
                    ("form[occurred_on]", day),
                ];
                (
                    "edit a touchpoint",
                    call("/api/deals/touchpoints/update", form).await,
                )
            }
            (4, _, Some(touch)) => (
                "remove a touchpoint",
                call("/api/deals/touchpoints/remove", vec![("id", touch)]).await,
            ),
            (5, Some(deal), _) => {
                let form = vec![("id", deal), ("outcome", "won".into())];
                ("win", call("/api/deals/close", form).await)
            }
            (6, Some(deal), _) => {
                let form = vec![
                    ("id", deal),
                    ("outcome", "lost".into()),
                    ("reason", "No budget".into()),
                ];
                ("lose", call("/api/deals/close", form).await)
            }
            (7, Some(deal), _) if dice.roll(2) == 0 => (
                "re-open",
                call("/api/deals/reopen", vec![("id", deal)]).await,
            ),
            (_, Some(deal), _) => {
                let form = vec![
                    ("id", deal),
                    ("form[name]", format!("Deal {step}")),
                    ("form[account_name]", "Contoso".into()),
                    ("form[amount]", amount),
                    ("form[currency]", currency.into()),
                ];
                ("edit the amount", call("/api/deals/save", form).await)
            }
        };
        // Refusals (a touch after the win, a deal closed twice, a removed touch) change nothing.
        let status = response.status().as_u16();
        assert!(
            [200, 404, 409, 422].contains(&status),
            "{what}: {status} {}",
            response.text().await.unwrap_or_default()
        );
        applied += usize::from(status == 200);
        assert_in_step(&app.db, what).await;
    }
    assert!(applied > 30, "only {applied} changes went through");
}
on_both_databases!(totals_follow_every_change, random_changes);
