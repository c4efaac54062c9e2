//! The commission ledger reconciles, on SQLite and PostgreSQL, through a random sequence of deal
//! changes (wins, re-attributions, re-opens, amount edits) and payout actions (approve, reject,
//! pay): on every deal, each partner's balance (its entries that are not rejected, clawbacks
//! negative) is exactly the commission its current credit earns, and the payout queue's totals
//! per status are exactly the sums of the entries in that status.

use crate::common;

use std::collections::HashMap;

use backend::demo;
use backend::entities::{attributions, commission_rules, deals, partners, payouts};
use chrono::{Duration, Utc};
use partner_attribution::api::payouts::PayoutPage;
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::ids::{DealId, TouchpointId};
use partner_attribution::domain::payout::PayoutStatus;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

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

fn signed(entry: &payouts::Model) -> i64 {
    match entry.kind.0.as_str() {
        "clawback" => -entry.amount_minor,
        _ => entry.amount_minor,
    }
}

/// Every test deal's entries per partner add up to what its credit earns now: the tier rule's
/// rate on the payable (equal split) credit of a won deal, nothing otherwise.
async fn assert_balanced_except(
    db: &DatabaseConnection,
    ours: &[DealId],
    except: &[(i64, i64)],
    step: &str,
) -> usize {
    let rate_of_tier: HashMap<String, Decimal> = commission_rules::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.scope_value.unwrap(), r.rate.unwrap().0))
        .collect();
    let tier_of: HashMap<i64, String> = partners::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.tier.0.as_str().to_owned()))
        .collect();
    let ids: Vec<i64> = ours.iter().map(|d| d.0).collect();
    let won: HashMap<i64, bool> = deals::Entity::find()
        .filter(deals::Column::Id.is_in(ids.clone()))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.stage == DealStage::Won))
        .collect();
    let mut expected: HashMap<(i64, i64), i64> = HashMap::new();
    for a in attributions::Entity::find()
        .filter(attributions::Column::DealId.is_in(ids.clone()))
        .filter(attributions::Column::Model.eq("equal_split"))
        .all(db)
        .await
        .unwrap()
    {
        assert!(
            won[&a.deal_id],
            "after {step}: deal {} is not won but has credit",
            a.deal_id
        );
        let rate = rate_of_tier[&tier_of[&a.partner_id]];
        let commission = (Decimal::new(a.amount_minor, 2) * rate)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        *expected.entry((a.deal_id, a.partner_id)).or_default() +=
            i64::try_from(commission * Decimal::ONE_HUNDRED).unwrap();
    }
    let mut balance: HashMap<(i64, i64), i64> = HashMap::new();
    for entry in payouts::Entity::find()
        .filter(payouts::Column::DealId.is_in(ids))
        .all(db)
        .await
        .unwrap()
    {
        let key = (entry.deal_id.unwrap(), entry.partner_id);
        let sum = balance.entry(key).or_default();
        if entry.status != PayoutStatus::Rejected {
            *sum += signed(&entry);
        }
        expected.entry(key).or_default();
    }
    let mut checked = 0;
    for (key, owed) in &expected {
        if except.contains(key) {
            continue;
        }
        checked += usize::from(*owed != 0);
        assert_eq!(
            balance.get(key).copied().unwrap_or_default(),
            *owed,
            "after {step}: deal {} partner {}",
            key.0,
            key.1
        );
    }
    checked
}

/// The queue's totals per status are the sums of the entries in that status (all currencies,
/// clawbacks negative), and its counts their number.
async fn assert_totals(app: &common::TestApp, finance: &reqwest::Client, step: &str) {
    let page: PayoutPage = app
        .call(finance, "/api/payouts/list", &[])
        .await
        .json()
        .await
        .unwrap();
    let entries = payouts::Entity::find().all(&app.db).await.unwrap();
    for total in &page.totals {
        let mine: Vec<&payouts::Model> = entries
            .iter()
            .filter(|e| e.status == total.status)
            .collect();
        assert_eq!(
            total.count,
            mine.len() as u64,
            "after {step}: {}",
            total.status
        );
        let mut sums: HashMap<String, i64> = HashMap::new();
        for e in &mine {
            *sums.entry(e.currency.0.code().to_owned()).or_default() += signed(e);
        }
        for amount in &total.amounts {
            assert_eq!(
                amount.to_minor().unwrap(),
                sums.remove(amount.currency().code()).unwrap_or_default(),
                "after {step}: {} in {}",
                total.status,
                amount.currency()
            );
        }
        assert!(
            sums.values().all(|v| *v == 0),
            "after {step}: {} totals miss {sums:?}",
            total.status
        );
    }
}

async fn random_operations(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(83, 30, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let call = |who: &'static str, path: &'static str, form: Vec<(&'static str, String)>| {
        let (app, client) = (&app, if who == "finance" { &finance } else { &manager });
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(client, path, &form).await
        }
    };
    let today = Utc::now().date_naive();
    let mut dice = Dice(0xD1B5_4A32_D192_ED03);
    let mut ours: Vec<DealId> = Vec::new();
    let mut touches: Vec<TouchpointId> = Vec::new();
    let mut moves = HashMap::<&str, u32>::new();
    // The most partner balances owed money that one check compared.
    let mut checked = 0;
    for step in 0..120 {
        let pick = |dice: &mut Dice, n: usize| dice.roll(n as u64) as usize;
        let deal = (!ours.is_empty()).then(|| ours[pick(&mut dice, ours.len())].to_string());
        let touch =
            (!touches.is_empty()).then(|| touches[pick(&mut dice, touches.len())].to_string());
        let ids: Vec<i64> = ours.iter().map(|d| d.0).collect();
        let entries = payouts::Entity::find()
            .filter(payouts::Column::DealId.is_in(ids))
            .all(&app.db)
            .await
            .unwrap();
        let entry_in = |dice: &mut Dice, statuses: &[&str]| {
            let found: Vec<&payouts::Model> = entries
                .iter()
                .filter(|e| statuses.contains(&e.status.0.as_str()))
                .collect();
            (!found.is_empty()).then(|| found[pick(dice, found.len())].id.to_string())
        };
        let amount = (1_000 + dice.roll(50_000)).to_string();
        let (what, response) = match (dice.roll(13), deal, touch) {
            (0 | 1, _, _) | (_, None, _) => {
                let form = vec![
                    ("form[name]", format!("Ledger deal {step}")),
                    ("form[account_name]", "Contoso".into()),
                    ("form[amount]", amount),
                    ("form[currency]", "USD".into()),
                ];
                let response = call("manager", "/api/deals/save", form).await;
                assert_eq!(response.status(), 200);
                let deal: DealId = response.json().await.unwrap();
                ours.push(deal);
                // Every deal starts with a partner's touch, so most wins pay someone.
                let form = vec![
                    ("deal_id", deal.to_string()),
                    ("form[partner_id]", (1 + dice.roll(6)).to_string()),
                    ("form[kind]", "referral".into()),
                    (
                        "form[occurred_on]",
                        (today - Duration::days(30)).to_string(),
                    ),
                ];
                let response = call("manager", "/api/deals/touchpoints/add", form).await;
                assert_eq!(response.status(), 200);
                touches.push(response.json().await.unwrap());
                continue;
            }
            (2..=4, Some(deal), _) => {
                let day = (today - Duration::days(1 + dice.roll(60) as i64)).to_string();
                let form = vec![
                    ("deal_id", deal),
                    ("form[partner_id]", (1 + dice.roll(6)).to_string()),
                    ("form[kind]", "referral".into()),
                    ("form[occurred_on]", day),
                ];
                let response = call("manager", "/api/deals/touchpoints/add", form).await;
                if response.status() == 200 {
                    touches.push(response.json().await.unwrap());
                    checked = checked.max(
                        assert_balanced_after_rejections(&app.db, &ours, "add a touchpoint").await,
                    );
                    continue;
                }
                ("add a touchpoint", response)
            }
            (5, _, Some(touch)) => (
                "remove a touchpoint",
                call(
                    "manager",
                    "/api/deals/touchpoints/remove",
                    vec![("id", touch)],
                )
                .await,
            ),
            (6 | 7, Some(deal), _) => (
                "win",
                call(
                    "manager",
                    "/api/deals/close",
                    vec![("id", deal), ("outcome", "won".into())],
                )
                .await,
            ),
            (8, Some(deal), _) => (
                "re-open",
                call("manager", "/api/deals/reopen", vec![("id", deal)]).await,
            ),
            (9, _, _) => match entry_in(&mut dice, &["pending"]) {
                Some(id) => (
                    "approve",
                    call(
                        "finance",
                        "/api/payouts/act",
                        vec![("id", id), ("form[verb]", "approve".into())],
                    )
                    .await,
                ),
                None => continue,
            },
            (10, _, _) => match entry_in(&mut dice, &["approved"]) {
                Some(id) => (
                    "pay",
                    call(
                        "finance",
                        "/api/payouts/act",
                        vec![
                            ("id", id),
                            ("form[verb]", "mark_paid".into()),
                            ("form[reference]", format!("PAY-{step}")),
                            ("form[paid_on]", today.to_string()),
                        ],
                    )
                    .await,
                ),
                None => continue,
            },
            (11, _, _) if dice.roll(3) == 0 => {
                match entry_in(&mut dice, &["pending", "approved"]) {
                    Some(id) => (
                        "reject",
                        call(
                            "finance",
                            "/api/payouts/act",
                            vec![
                                ("id", id),
                                ("form[verb]", "reject".into()),
                                ("form[reason]", "Duplicate claim".into()),
                            ],
                        )
                        .await,
                    ),
                    None => continue,
                }
            }
            (_, Some(deal), _) => {
                let form = vec![
                    ("id", deal),
                    ("form[name]", format!("Ledger deal {step}")),
                    ("form[account_name]", "Contoso".into()),
                    ("form[amount]", amount),
                    ("form[currency]", "USD".into()),
                ];
                (
                    "edit the amount",
                    call("manager", "/api/deals/save", form).await,
                )
            }
        };
        let status = response.status().as_u16();
        assert!(
            [200, 404, 409, 422].contains(&status),
            "{what}: {status} {}",
            response.text().await.unwrap_or_default()
        );
        if status == 200 {
            *moves.entry(what).or_default() += 1;
        }
        // A rejection by finance is a decision, not a change of credit: the balance no longer
        // covers the rejected entry until the deal's credit next moves.
        if what != "reject" {
            checked = checked.max(assert_balanced_after_rejections(&app.db, &ours, what).await);
        }
        assert_totals(&app, &finance, what).await;
    }
    assert!(
        checked >= 10,
        "only {checked} balances were ever owed money: {moves:?} on {} deals",
        ours.len()
    );
    for what in ["win", "approve", "pay", "re-open"] {
        assert!(
            moves.get(what).copied().unwrap_or(0) > 0,
            "no {what} went through: {moves:?}"
        );
    }
}

/// [`assert_balanced`], leaving out each partner's entries on a deal where finance rejected one:
/// a rejected commission stays rejected (no entry replaces it by itself), so that partner is owed
/// less there until the deal's credit next moves.
async fn assert_balanced_after_rejections(
    db: &DatabaseConnection,
    ours: &[DealId],
    step: &str,
) -> usize {
    let decided: Vec<(i64, i64)> = payouts::Entity::find()
        .filter(payouts::Column::RejectedReason.eq("Duplicate claim"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|p| Some((p.deal_id?, p.partner_id)))
        .collect();
    assert_balanced_except(db, ours, &decided, step).await
}

on_both_databases!(ledger_reconciles, random_operations);
