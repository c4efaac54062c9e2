//! Deals over HTTP on both databases: the pipeline's filters and pages against the generated
//! data, and a deal's timeline and attribution panel (every model, amounts exact to the cent).

use crate::common;

use std::collections::BTreeSet;

use backend::{demo, repo};
use chrono::Utc;
use partner_attribution::api::deals::{DEAL_PAGE_SIZE, DealDetail, DealPage};
use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::ids::OrganizationId;
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::money::Money;
use partner_attribution::domain::payout::PayoutStatus;

async fn list(app: &common::TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> DealPage {
    let response = app.call(client, "/api/deals/list", form).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn pipeline_filters(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(31, 120, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;

    let all = list(&app, &manager, &[]).await;
    assert_eq!(all.total, data.deals.len() as u64);
    assert_eq!(all.rows.len() as u64, DEAL_PAGE_SIZE);
    let last_page = (all.total - 1) / DEAL_PAGE_SIZE;
    let tail = list(&app, &manager, &[("page", &last_page.to_string())]).await;
    assert_eq!(
        tail.rows.len() as u64,
        all.total - last_page * DEAL_PAGE_SIZE
    );

    for stage in DealStage::ALL {
        let expected = data.deals.iter().filter(|d| d.stage == *stage).count() as u64;
        let page = list(&app, &manager, &[("filter[stage]", stage.as_str())]).await;
        assert_eq!(page.total, expected, "{stage}");
        assert!(page.rows.iter().all(|r| r.stage == *stage));
    }

    // One partner's deals: those it touched.
    let partner = data.touchpoints[0].partner;
    let touched: BTreeSet<usize> = data
        .touchpoints
        .iter()
        .filter(|t| t.partner == partner)
        .map(|t| t.deal)
        .collect();
    let by_partner = list(
        &app,
        &manager,
        &[("filter[partner_id]", &(partner + 1).to_string())],
    )
    .await;
    assert_eq!(by_partner.total, touched.len() as u64);
    let name = &data.partners[partner].name;
    assert!(by_partner.rows.iter().all(|r| r.partners.contains(name)));

    // Amounts in the base currency's units.
    let threshold = Money::new(
        rust_decimal::Decimal::new(50_000, 0),
        data.organization.base_currency,
    )
    .unwrap()
    .to_minor()
    .unwrap();
    let big = data
        .deals
        .iter()
        .filter(|d| d.amount.to_minor().unwrap() >= threshold)
        .count() as u64;
    assert_eq!(
        list(&app, &manager, &[("filter[min_amount]", "50,000")])
            .await
            .total,
        big
    );
    let bad = app
        .call(
            &manager,
            "/api/deals/list",
            &[("filter[min_amount]", "lots")],
        )
        .await;
    assert_eq!(bad.status(), 422);

    // Search by account, ignoring case.
    let account = data.deals[5].account.clone();
    let found = list(
        &app,
        &manager,
        &[("filter[search]", &account.to_uppercase())],
    )
    .await;
    assert!(found.rows.iter().any(|r| r.account_name == account));
    // Every match and nothing else, however the text falls across words: the deal or account
    // name contains it, ignoring case (short texts, quotes and wildcards taken literally).
    let name = data.deals[7].name.clone();
    let middle: String = name.chars().skip(2).take(5).collect();
    let short: String = account.chars().take(2).collect();
    for text in [account.as_str(), &middle, &short, "\"x", "50%", "zzzq"] {
        let needle = text.to_lowercase();
        let expected = data
            .deals
            .iter()
            .filter(|d| {
                d.name.to_lowercase().contains(&needle)
                    || d.account.to_lowercase().contains(&needle)
            })
            .count() as u64;
        let page = list(&app, &manager, &[("filter[search]", text)]).await;
        assert_eq!(page.total, expected, "search {text:?}");
    }

    // Close dates: closed deals by their close, open ones by their expected close.
    let today = Utc::now().date_naive();
    let from = today - chrono::Duration::days(90);
    let expected = data
        .deals
        .iter()
        .filter(|d| {
            let on = match d.stage {
                DealStage::Open => d.expected_close_on,
                _ => d.closed_at.map(|at| at.date_naive()),
            };
            on.is_some_and(|on| on >= from && on <= today)
        })
        .count() as u64;
    let window = list(
        &app,
        &manager,
        &[
            ("filter[close_from]", &from.to_string()),
            ("filter[close_to]", &today.to_string()),
        ],
    )
    .await;
    assert_eq!(window.total, expected);
}
on_both_databases!(the_pipeline_filters_and_pages, pipeline_filters);

async fn deal_page(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(32, 80, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;

    // A won deal touched by at least two partners.
    let index = (0..data.deals.len())
        .find(|&i| {
            data.deals[i].stage == DealStage::Won
                && data
                    .touchpoints
                    .iter()
                    .filter(|t| t.deal == i)
                    .map(|t| t.partner)
                    .collect::<BTreeSet<_>>()
                    .len()
                    >= 2
        })
        .expect("a won deal with two partners");
    let deal = &data.deals[index];
    let detail: DealDetail = app
        .call(
            &manager,
            "/api/deals/get",
            &[("id", &(index + 1).to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.deal.name, deal.name);
    assert_eq!(detail.deal.amount, deal.amount);

    let touches = data.touchpoints.iter().filter(|t| t.deal == index).count();
    assert_eq!(detail.timeline.len(), touches);
    assert!(
        detail
            .timeline
            .windows(2)
            .all(|w| w[0].occurred_at <= w[1].occurred_at),
        "the timeline runs in time order"
    );
    let closed = deal.closed_at.unwrap();
    // Calendar days, as a person counts them on a calendar, whatever the hours.
    for entry in &detail.timeline {
        assert_eq!(
            entry.days_before_close,
            Some((closed.date_naive() - entry.occurred_at.date_naive()).num_days())
        );
    }
    // On the organization's calendar: 14 hours ahead of UTC, most days move.
    let zone = chrono_tz::Pacific::Kiritimati;
    let org = OrganizationId(1);
    let (payable, mut settings) = repo::organizations::attribution_settings(&app.db, org)
        .await
        .unwrap();
    settings.time_zone = zone;
    repo::organizations::save_attribution_settings(&app.db, org, payable, &settings)
        .await
        .unwrap();
    let mut moved = 0;
    for (i, deal) in data.deals.iter().enumerate() {
        let Some(closed) = deal.closed_at else {
            continue;
        };
        let there: DealDetail = app
            .call(&manager, "/api/deals/get", &[("id", &(i + 1).to_string())])
            .await
            .json()
            .await
            .unwrap();
        let close_day = closed.with_timezone(&zone).date_naive();
        for entry in &there.timeline {
            let days = (close_day - entry.occurred_at.with_timezone(&zone).date_naive()).num_days();
            let in_utc = (closed.date_naive() - entry.occurred_at.date_naive()).num_days();
            assert_eq!(entry.days_before_close, Some(days), "{}", deal.name);
            moved += usize::from(days != in_utc);
        }
        if moved > 0 && i > 20 {
            break;
        }
    }
    assert!(moved > 0, "the zone changes some counts");
    repo::organizations::save_attribution_settings(
        &app.db,
        org,
        payable,
        &ModelSettings::default(),
    )
    .await
    .unwrap();

    // The payable model first, stored; every rule-based model present; each split exact.
    let payable = &detail.attribution[0];
    assert!(payable.payable && payable.stored);
    assert_eq!(payable.model, data.organization.payable_model);
    let models: BTreeSet<AttributionModel> = detail.attribution.iter().map(|m| m.model).collect();
    for model in AttributionModel::RULE_BASED {
        assert!(models.contains(model), "{model} missing");
    }
    for split in &detail.attribution {
        let total = split
            .lines
            .iter()
            .try_fold(Money::zero(deal.amount.currency()), |sum, l| {
                sum.checked_add(l.amount)
            })
            .unwrap();
        assert_eq!(total, deal.amount, "{} adds up to the deal", split.model);
        for line in &split.lines {
            assert!(
                line.explanation.starts_with(split.model.name()),
                "explained in words: {}",
                line.explanation
            );
        }
    }
}
on_both_databases!(a_deal_shows_its_timeline_and_every_split, deal_page);

async fn create_touch_and_close(test_db: common::TestDb) {
    use backend::entities::{attributions, audit_events, payouts};
    use partner_attribution::domain::ids::DealId;
    use partner_attribution::domain::payout::PayoutStatus;
    use rust_decimal::Decimal;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let db = test_db.migrated().await;
    let data = demo::generate(33, 40, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;

    // A new deal, with every bad field named first.
    let bad = app
        .call(
            &manager,
            "/api/deals/save",
            &[
                ("form[name]", ""),
                ("form[amount]", "-5"),
                ("form[currency]", "USD"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let saved = app
        .call(
            &manager,
            "/api/deals/save",
            &[
                ("form[name]", "Northwind — analytics add-on"),
                ("form[account_name]", "Contoso"),
                ("form[amount]", "10,000.01"),
                ("form[currency]", "USD"),
                ("form[expected_close_on]", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let id: DealId = saved.json().await.unwrap();
    let id_text = id.to_string();

    // Search finds it as soon as it exists, and by its new name once renamed.
    let finds = |text: &'static str| {
        let (app, manager) = (&app, &manager);
        async move {
            list(app, manager, &[("filter[search]", text)])
                .await
                .rows
                .iter()
                .any(|r| r.id == id)
        }
    };
    assert!(finds("analytics add-on").await);
    let renamed = app
        .call(
            &manager,
            "/api/deals/save",
            &[
                ("id", &id_text),
                ("form[name]", "Northwind — Qwertyuiop suite"),
                ("form[account_name]", "Contoso"),
                ("form[amount]", "10,000.01"),
                ("form[currency]", "USD"),
                ("form[expected_close_on]", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert!(finds("QWERTYUIOP").await);
    assert!(!finds("analytics add-on").await);

    // Two partners touch it: one twice.
    let (a, b) = (1, 2);
    let rate = |p: usize| -> Decimal { data.partners[p - 1].commission_rate };
    for (partner, kind, day) in [
        (a, "referral", "2026-01-05"),
        (b, "demo", "2026-01-20"),
        (a, "proposal", "2026-02-01"),
    ] {
        let partner = partner.to_string();
        let response = app
            .call(
                &manager,
                "/api/deals/touchpoints/add",
                &[
                    ("deal_id", &id_text),
                    ("form[partner_id]", &partner),
                    ("form[kind]", kind),
                    ("form[occurred_on]", day),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let future = app
        .call(
            &manager,
            "/api/deals/touchpoints/add",
            &[
                ("deal_id", &id_text),
                ("form[partner_id]", "1"),
                ("form[kind]", "demo"),
                ("form[occurred_on]", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(future.status(), 422);

    // Lost needs a reason.
    let no_reason = app
        .call(
            &manager,
            "/api/deals/close",
            &[("id", &id_text), ("outcome", "lost")],
        )
        .await;
    assert_eq!(no_reason.status(), 422);

    // Won: every rule-based model stored, and pending commissions of the payable split.
    let won = app
        .call(
            &manager,
            "/api/deals/close",
            &[("id", &id_text), ("outcome", "won")],
        )
        .await;
    assert_eq!(won.status(), 200);
    let stored = attributions::Entity::find()
        .filter(attributions::Column::DealId.eq(id.0))
        .all(&app.db)
        .await
        .unwrap();
    for model in AttributionModel::RULE_BASED {
        let total: i64 = stored
            .iter()
            .filter(|s| s.model == *model)
            .map(|s| s.amount_minor)
            .sum();
        assert_eq!(total, 1_000_001, "{model} splits the whole amount");
    }
    // Equal split (the payable model): 3 touches, partner a has two.
    let payable: Vec<_> = stored
        .iter()
        .filter(|s| s.model == AttributionModel::EqualSplit)
        .collect();
    let share_of = |p: i64| {
        payable
            .iter()
            .find(|s| s.partner_id == p)
            .unwrap()
            .amount_minor
    };
    assert_eq!(share_of(a as i64) + share_of(b as i64), 1_000_001);
    assert_eq!(share_of(a as i64), 666_667);
    let commissions = payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(id.0))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(commissions.len(), 2);
    for c in &commissions {
        assert_eq!(c.status, PayoutStatus::Pending);
        let attributed = Decimal::new(share_of(c.partner_id), 2);
        let expected = (attributed * rate(c.partner_id as usize))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        assert_eq!(
            Decimal::new(c.amount_minor, 2),
            expected,
            "partner {}",
            c.partner_id
        );
    }

    // The page shows it; the deal is now closed to changes; a second close loses.
    let detail: DealDetail = app
        .call(&manager, "/api/deals/get", &[("id", &id_text)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.deal.stage, DealStage::Won);
    assert_eq!(detail.commissions.len(), 2);
    assert!(detail.attribution.iter().all(|m| m.stored));
    let again = app
        .call(
            &manager,
            "/api/deals/close",
            &[("id", &id_text), ("outcome", "lost"), ("reason", "x")],
        )
        .await;
    assert_eq!(again.status(), 409);
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.is_in(["deal", "touchpoint"]))
        .filter(audit_events::Column::ActorLabel.eq("manager@northwind.example"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        audited,
        1 + 1 + 3 + 1,
        "created, renamed, three touches, won"
    );
    let won_event = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("deal.won"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(won_event.after.unwrap().contains("\"commissions\""));
}
on_both_databases!(
    a_deal_is_created_touched_and_won_with_commissions,
    create_touch_and_close
);

/// The commission balance of a partner on a deal: entries that are not rejected, clawbacks negative.
async fn balance(db: &sea_orm::DatabaseConnection, deal: i64, partner: i64) -> i64 {
    use backend::entities::payouts;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(deal))
        .filter(payouts::Column::PartnerId.eq(partner))
        .filter(payouts::Column::Status.ne("rejected"))
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|p| {
            if p.kind == EntryKind::Clawback {
                -p.amount_minor
            } else {
                p.amount_minor
            }
        })
        .sum()
}

async fn reattribute_and_reopen(test_db: common::TestDb) {
    use backend::entities::{attributions, audit_events, payouts, touchpoints};
    use partner_attribution::domain::ids::DealId;
    use rust_decimal::Decimal;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

    let db = test_db.migrated().await;
    let data = demo::generate(34, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
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
    let saved = call(
        "/api/deals/save",
        vec![
            ("form[name]", "Renewal".into()),
            ("form[account_name]", "Fabrikam".into()),
            ("form[amount]", "1000".into()),
            ("form[currency]", "USD".into()),
        ],
    )
    .await;
    let id: DealId = saved.json().await.unwrap();
    let deal = id.to_string();
    let touch = |partner: i64, day: &'static str| {
        call(
            "/api/deals/touchpoints/add",
            vec![
                ("deal_id", deal.clone()),
                ("form[partner_id]", partner.to_string()),
                ("form[kind]", "referral".into()),
                ("form[occurred_on]", day.into()),
            ],
        )
    };
    let (a, b) = (1_i64, 2_i64);
    assert_eq!(touch(a, "2026-01-05").await.status(), 200);
    assert_eq!(touch(b, "2026-01-06").await.status(), 200);
    let close = call(
        "/api/deals/close",
        vec![("id", deal.clone()), ("outcome", "won".into())],
    );
    assert_eq!(close.await.status(), 200);

    // What a partner is owed on `credit` cents of attributed revenue.
    let owed = |partner: i64, credit: i64| -> i64 {
        let rate = data.partners[partner as usize - 1].commission_rate;
        let amount = (Decimal::new(credit, 2) * rate)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        (amount * Decimal::ONE_HUNDRED).try_into().unwrap()
    };
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 50_000));
    assert_eq!(balance(&app.db, id.0, b).await, owed(b, 50_000));

    // Finance pays partner a's commission: from now on it is never edited.
    let paid = payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(id.0))
        .filter(payouts::Column::PartnerId.eq(a))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let (paid_id, today) = (paid.id.to_string(), Utc::now().date_naive().to_string());
    for form in [
        vec![("id", paid_id.as_str()), ("form[verb]", "approve")],
        vec![
            ("id", paid_id.as_str()),
            ("form[verb]", "mark_paid"),
            ("form[reference]", "WIRE-1"),
            ("form[paid_on]", today.as_str()),
        ],
    ] {
        let acted = app.call(&finance, "/api/payouts/act", &form).await;
        assert_eq!(acted.status(), 200);
    }

    // Partner b's touch goes: a has all the credit; its paid commission stays and an adjustment
    // for the difference is pending; b's pending commission is cancelled.
    let b_touch = touchpoints::Entity::find()
        .filter(touchpoints::Column::DealId.eq(id.0))
        .filter(touchpoints::Column::PartnerId.eq(b))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let removed = call(
        "/api/deals/touchpoints/remove",
        vec![("id", b_touch.id.to_string())],
    );
    assert_eq!(removed.await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 100_000));
    assert_eq!(balance(&app.db, id.0, b).await, 0);
    let a_entries = payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(id.0))
        .filter(payouts::Column::PartnerId.eq(a))
        .all(&app.db)
        .await
        .unwrap();
    let unchanged = a_entries.iter().find(|p| p.id == paid.id).unwrap();
    assert_eq!(
        (unchanged.status.0.as_str(), unchanged.amount_minor),
        ("paid", paid.amount_minor)
    );
    let adjustment = a_entries
        .iter()
        .find(|p| p.kind == EntryKind::Adjustment)
        .unwrap();
    assert_eq!(adjustment.corrects_payout_id, Some(paid.id));
    assert_eq!(adjustment.status, PayoutStatus::Pending);
    let stored: Vec<_> = attributions::Entity::find()
        .filter(attributions::Column::DealId.eq(id.0))
        .filter(attributions::Column::Model.eq("equal_split"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|s| (s.partner_id, s.amount_minor))
            .collect::<Vec<_>>(),
        vec![(a, 100_000)]
    );

    // A touch after the win does not count and is refused; one before it brings b back.
    assert_eq!(touch(b, "2099-01-01").await.status(), 422);
    assert_eq!(touch(b, "2026-01-06").await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 50_000));
    assert_eq!(balance(&app.db, id.0, b).await, owed(b, 50_000));

    // A new amount re-attributes too; the currency of a won deal stays.
    let resized = call(
        "/api/deals/save",
        vec![
            ("id", deal.clone()),
            ("form[name]", "Renewal".into()),
            ("form[account_name]", "Fabrikam".into()),
            ("form[amount]", "3000".into()),
            ("form[currency]", "USD".into()),
        ],
    );
    assert_eq!(resized.await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 150_000));
    assert_eq!(balance(&app.db, id.0, b).await, owed(b, 150_000));
    let recurrency = call(
        "/api/deals/save",
        vec![
            ("id", deal.clone()),
            ("form[name]", "Renewal".into()),
            ("form[account_name]", "Fabrikam".into()),
            ("form[amount]", "3000".into()),
            ("form[currency]", "EUR".into()),
        ],
    );
    assert_eq!(recurrency.await.status(), 422);

    // Re-opened: nothing is owed any more; a's paid commission is clawed back, not edited.
    let reopened = call("/api/deals/reopen", vec![("id", deal.clone())]);
    assert_eq!(reopened.await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, 0);
    assert_eq!(balance(&app.db, id.0, b).await, 0);
    let clawback = payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(id.0))
        .filter(payouts::Column::Kind.eq("clawback"))
        .filter(payouts::Column::Status.eq("pending"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            clawback.partner_id,
            clawback.amount_minor,
            clawback.corrects_payout_id
        ),
        (a, paid.amount_minor, Some(paid.id))
    );
    assert!(clawback.note.unwrap().starts_with("Deal re-opened"));
    let left = attributions::Entity::find()
        .filter(attributions::Column::DealId.eq(id.0))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "an open deal has no stored attribution");
    let detail: DealDetail = call("/api/deals/get", vec![("id", deal.clone())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.deal.stage, DealStage::Open);
    assert!(detail.closed_at.is_none());
    assert!(
        detail
            .commissions
            .iter()
            .any(|c| c.corrects == Some(paid.id))
    );
    let again = call("/api/deals/reopen", vec![("id", deal.clone())]);
    assert_eq!(again.await.status(), 409, "an open deal is not re-opened");

    // Won again at the same credit: the clawback is cancelled, the balance is back.
    let close = call(
        "/api/deals/close",
        vec![("id", deal.clone()), ("outcome", "won".into())],
    );
    assert_eq!(close.await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 150_000));
    assert_eq!(balance(&app.db, id.0, b).await, owed(b, 150_000));

    // Every ledger write has its own audit entry; the paid entry only its creation.
    let payout_events = |id: i64| {
        audit_events::Entity::find()
            .filter(audit_events::Column::EntityType.eq("payout"))
            .filter(audit_events::Column::EntityId.eq(id))
            .order_by_asc(audit_events::Column::Id)
            .all(&app.db)
    };
    let clawback_events = payout_events(clawback.id).await.unwrap();
    assert_eq!(clawback_events[0].action, "payout.created");
    assert!(
        clawback_events[0]
            .after
            .as_deref()
            .unwrap()
            .contains(&format!("\"corrects_payout_id\":{}", paid.id))
    );
    assert_eq!(
        clawback_events.last().unwrap().action,
        "payout.cancelled",
        "won again: the clawback is no longer owed"
    );
    let paid_events: Vec<String> = payout_events(paid.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        paid_events,
        ["payout.created", "payout.approved", "payout.paid"],
        "created on the win, approved and paid by finance, then never changed"
    );

    // Partner b's touch is edited into partner a's: a has all the credit; an edit to a day
    // after the win is refused.
    let b_touch = touchpoints::Entity::find()
        .filter(touchpoints::Column::DealId.eq(id.0))
        .filter(touchpoints::Column::PartnerId.eq(b))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let edit = |day: &'static str| {
        call(
            "/api/deals/touchpoints/update",
            vec![
                ("id", b_touch.id.to_string()),
                ("form[partner_id]", a.to_string()),
                ("form[kind]", "co_sell".into()),
                ("form[occurred_on]", day.into()),
                ("form[note]", "Was logged under the wrong partner".into()),
            ],
        )
    };
    assert_eq!(edit("2099-01-01").await.status(), 422);
    assert_eq!(edit("2026-01-07").await.status(), 200);
    assert_eq!(balance(&app.db, id.0, a).await, owed(a, 300_000));
    assert_eq!(balance(&app.db, id.0, b).await, 0);

    let actions: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("deal"))
        .filter(audit_events::Column::EntityId.eq(id.0))
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "deal.created",
            "deal.won",
            "deal.reattributed",
            "deal.reattributed",
            "deal.updated",
            "deal.reattributed",
            "deal.reopened",
            "deal.won",
            "deal.reattributed",
        ]
    );

    // The deal page's history: the deal's own events, its touchpoints' and its commissions',
    // newest first, and nothing of other deals.
    let history: Vec<partner_attribution::api::audit::AuditRow> = app
        .call(&manager, "/api/deals/history", &[("id", &deal)])
        .await
        .json()
        .await
        .unwrap();
    let seen: std::collections::BTreeSet<&str> =
        history.iter().map(|r| r.action.as_str()).collect();
    for action in [
        "deal.created",
        "deal.won",
        "deal.reopened",
        "touchpoint.created",
        "payout.created",
        "payout.paid",
    ] {
        assert!(seen.contains(action), "{action} in {seen:?}");
    }
    assert!(history.windows(2).all(|w| w[0].at >= w[1].at));
    assert!(
        history
            .iter()
            .all(|r| r.entity_type != "deal" || r.entity_id == Some(id.0))
    );
    let partner = app
        .signed_in("partner@apex-cloud-partners.example", demo::DEMO_PASSWORD)
        .await;
    let refused = app
        .call(&partner, "/api/deals/history", &[("id", &deal)])
        .await;
    assert_eq!(refused.status(), 403);
}
on_both_databases!(
    a_won_deal_is_re_attributed_and_re_opened_through_the_ledger,
    reattribute_and_reopen
);
