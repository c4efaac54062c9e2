//! The payout workflow through its server functions, on SQLite and PostgreSQL: the queue and its
//! totals, every transition (and the ones refused), the four-eyes rule, two approvals at once,
//! bulk actions and their idempotency, and who may see and do what.

use crate::common;

use backend::demo;
use backend::entities::{audit_events, organizations, payouts};
use chrono::Utc;
use partner_attribution::api::payouts::{BulkResult, PayoutPage, PayoutRow};
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::payout::{PayoutStatus, PayoutVerb, SkipReason};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

const FINANCE: &str = "finance@northwind.example";

async fn count(db: &sea_orm::DatabaseConnection, status: PayoutStatus) -> u64 {
    payouts::Entity::find()
        .filter(payouts::Column::Status.eq(status.as_str()))
        .count(db)
        .await
        .unwrap()
}

async fn first(db: &sea_orm::DatabaseConnection, status: PayoutStatus) -> payouts::Model {
    payouts::Entity::find()
        .filter(payouts::Column::Status.eq(status.as_str()))
        .order_by_asc(payouts::Column::Id)
        .one(db)
        .await
        .unwrap()
        .expect("a payout in that status")
}

async fn workflow(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(61, 80, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let today = Utc::now().date_naive().to_string();

    // The queue: every payout, with counts per status whatever the status filter.
    let page: PayoutPage = app
        .call(
            &finance,
            "/api/payouts/list",
            &[("filter[status]", "pending")],
        )
        .await
        .json()
        .await
        .unwrap();
    for total in &page.totals {
        assert_eq!(
            total.count,
            count(&app.db, total.status).await,
            "{}",
            total.status
        );
    }
    let pending = count(&app.db, PayoutStatus::Pending).await;
    assert_eq!(page.total, pending);
    assert!(page.rows.iter().all(|r| r.status == PayoutStatus::Pending));

    // Approve, then pay with a reference and date.
    let target = first(&app.db, PayoutStatus::Pending).await;
    let id = target.id.to_string();
    let act = |form: Vec<(&'static str, String)>| {
        let (app, finance, id) = (&app, &finance, id.clone());
        async move {
            let mut fields: Vec<(&str, String)> = vec![("id", id)];
            fields.extend(form);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(finance, "/api/payouts/act", &fields).await
        }
    };
    let approved = act(vec![("form[verb]", "approve".into())]).await;
    assert_eq!(approved.status(), 200);
    let row: PayoutRow = approved.json().await.unwrap();
    assert_eq!(row.status, PayoutStatus::Approved);
    // Approving twice is refused, and says why.
    let twice = act(vec![("form[verb]", "approve".into())]).await;
    assert_eq!(twice.status(), 409);
    // Paying needs a reference and a date; what is missing is named by field.
    let incomplete = act(vec![("form[verb]", "mark_paid".into())]).await;
    assert_eq!(incomplete.status(), 422);
    let body = incomplete.text().await.unwrap();
    assert!(
        body.contains("form.reference") && body.contains("form.paid_on"),
        "{body}"
    );
    let paid = act(vec![
        ("form[verb]", "mark_paid".into()),
        ("form[reference]", "WIRE-2026-001".into()),
        ("form[paid_on]", today.clone()),
    ])
    .await;
    assert_eq!(paid.status(), 200);
    let stored = payouts::Entity::find_by_id(target.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, PayoutStatus::Paid);
    assert_eq!(stored.paid_reference.as_deref(), Some("WIRE-2026-001"));
    assert_eq!(stored.paid_on, Some(Utc::now().date_naive()));
    // Paid is final.
    let reject = act(vec![
        ("form[verb]", "reject".into()),
        ("form[reason]", "Duplicate".into()),
    ])
    .await;
    assert_eq!(reject.status(), 409);

    // Every step audited, before and after.
    let events: Vec<audit_events::Model> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("payout"))
        .filter(audit_events::Column::EntityId.eq(target.id))
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["payout.approved", "payout.paid"]);
    assert!(events[1].before.as_deref().unwrap().contains("approved"));
    assert!(
        events[1]
            .after
            .as_deref()
            .unwrap()
            .contains("WIRE-2026-001")
    );

    // A rejection needs its reason.
    let other = first(&app.db, PayoutStatus::Pending).await.id.to_string();
    let no_reason = app
        .call(
            &finance,
            "/api/payouts/act",
            &[("id", &other), ("form[verb]", "reject")],
        )
        .await;
    assert_eq!(no_reason.status(), 422);

    // Managers see the queue but do not approve; partner users see neither (their portal
    // shows their own earnings).
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let seen = app.call(&manager, "/api/payouts/list", &[]).await;
    assert_eq!(seen.status(), 200);
    let refused = app
        .call(
            &manager,
            "/api/payouts/act",
            &[("id", &other), ("form[verb]", "approve")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let partner = app
        .signed_in("partner@apex-cloud-partners.example", demo::DEMO_PASSWORD)
        .await;
    let everything = [
        ("selection[all_matching]", "true"),
        ("form[verb]", "approve"),
        ("idempotency_key", "k"),
    ];
    let one: [(&str, &str); 2] = [("id", &other), ("form[verb]", "approve")];
    for (path, form) in [
        ("/api/payouts/list", &[][..]),
        ("/api/payouts/act", &one[..]),
        ("/api/payouts/bulk", &everything[..]),
    ] {
        let response = app.call(&partner, path, form).await;
        assert_eq!(response.status(), 403, "{path}");
    }
}
on_both_databases!(payouts_follow_the_workflow, workflow);

async fn four_eyes_and_races(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(62, 60, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let finance_id = backend::entities::users::Entity::find()
        .filter(backend::entities::users::Column::Email.eq(FINANCE))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    // Finance turns four eyes on (audited); from then on it may not approve a commission it
    // last changed. Partner managers may not change the rule.
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let refused = app
        .call(&manager, "/api/payouts/four-eyes", &[("enabled", "true")])
        .await;
    assert_eq!(refused.status(), 403);
    let on = app
        .call(&finance, "/api/payouts/four-eyes", &[("enabled", "true")])
        .await;
    assert_eq!(on.status(), 200);
    let org = organizations::Entity::find_by_id(1)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(org.payout_four_eyes);
    let changed_rule = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("payout_settings.updated"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed_rule.after.as_deref(), Some(r#"{"four_eyes":true}"#));
    let own = first(&app.db, PayoutStatus::Pending).await;
    let mut changed = own.clone().into_active_model();
    changed.updated_by = Set(Some(finance_id));
    changed.update(&app.db).await.unwrap();
    let refused = app
        .call(
            &finance,
            "/api/payouts/act",
            &[("id", &own.id.to_string()), ("form[verb]", "approve")],
        )
        .await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("four-eyes"));

    // Two approvals of one payout at once: exactly one wins.
    let target = payouts::Entity::find()
        .filter(payouts::Column::Status.eq("pending"))
        .filter(payouts::Column::Id.ne(own.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let second = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let form = [("id", target.as_str()), ("form[verb]", "approve")];
    let (a, b) = tokio::join!(
        app.call(&finance, "/api/payouts/act", &form),
        app.call(&second, "/api/payouts/act", &form),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let approvals = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("payout.approved"))
        .filter(audit_events::Column::EntityId.eq(target.parse::<i64>().unwrap()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(approvals, 1);
}
on_both_databases!(four_eyes_and_simultaneous_approvals, four_eyes_and_races);

async fn bulk(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(63, 120, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let pending = count(&app.db, PayoutStatus::Pending).await;
    let approved = count(&app.db, PayoutStatus::Approved).await;
    assert!(pending > 0);

    // Everything pending, approved in one request.
    let approve_all = [
        ("selection[all_matching]", "true"),
        ("selection[filter][status]", "pending"),
        ("form[verb]", "approve"),
        ("idempotency_key", "approve-all-1"),
    ];
    let result: BulkResult = app
        .call(&finance, "/api/payouts/bulk", &approve_all)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result.verb, PayoutVerb::Approve);
    assert_eq!(result.succeeded, pending);
    assert!(!result.replayed);
    assert_eq!(count(&app.db, PayoutStatus::Pending).await, 0);
    assert_eq!(
        count(&app.db, PayoutStatus::Approved).await,
        approved + pending
    );
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("payout.approved"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, pending);

    // The same request again answers the same and does nothing more.
    let again: BulkResult = app
        .call(&finance, "/api/payouts/bulk", &approve_all)
        .await
        .json()
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.succeeded, pending);
    assert_eq!(
        audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq("payout.approved"))
            .count(&app.db)
            .await
            .unwrap(),
        audited
    );
    // The key names one request: reusing it for another is refused.
    let reused = app
        .call(
            &finance,
            "/api/payouts/bulk",
            &[
                ("selection[all_matching]", "true"),
                ("form[verb]", "reject"),
                ("form[reason]", "x"),
                ("idempotency_key", "approve-all-1"),
            ],
        )
        .await;
    assert_eq!(reused.status(), 422);

    // Paying a selection: the approved ones are paid with one reference, the paid one skipped.
    let approved_ids: Vec<i64> = payouts::Entity::find()
        .filter(payouts::Column::Status.eq("approved"))
        .order_by_asc(payouts::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .take(3)
        .map(|p| p.id)
        .collect();
    let paid_id = first(&app.db, PayoutStatus::Paid).await.id;
    let ids: Vec<String> = approved_ids
        .iter()
        .chain([&paid_id])
        .map(i64::to_string)
        .collect();
    let mut form: Vec<(String, &str)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("selection[ids][{i}]"), id.as_str()))
        .collect();
    let today = Utc::now().date_naive().to_string();
    form.extend([
        ("form[verb]".to_owned(), "mark_paid"),
        ("form[reference]".to_owned(), "BATCH-42"),
        ("form[paid_on]".to_owned(), today.as_str()),
        ("idempotency_key".to_owned(), "pay-1"),
    ]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let paid: BulkResult = app
        .call(&finance, "/api/payouts/bulk", &form)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paid.succeeded, approved_ids.len() as u64);
    assert_eq!(paid.skipped.len(), 1);
    assert_eq!(paid.skipped[0].reason, SkipReason::Status);
    assert_eq!(paid.skipped[0].examples[0].0, paid_id);
    let batch: Vec<payouts::Model> = payouts::Entity::find()
        .filter(payouts::Column::Id.is_in(approved_ids.clone()))
        .all(&app.db)
        .await
        .unwrap();
    assert!(batch.iter().all(|p| p.status == PayoutStatus::Paid
        && p.paid_reference.as_deref() == Some("BATCH-42")
        && p.batch_id.as_deref() == Some("pay-1")));
}
on_both_databases!(bulk_actions_are_idempotent, bulk);

async fn export(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(64, 80, Utc::now()))
        .await
        .unwrap();
    // A name a spreadsheet would run as a formula.
    let mut partner = backend::entities::partners::Entity::find_by_id(1)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    partner.name = Set("=HYPERLINK(\"x\")".into());
    partner.update(&db).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let get = |client: &reqwest::Client, query: &str| {
        client
            .get(app.url(&format!("/api/payouts/export.csv{query}")))
            .send()
    };

    let response = get(&finance, "?status=paid").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, partner_attribution::api::payouts::EXPORT_COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let paid: Vec<payouts::Model> = payouts::Entity::find()
        .filter(payouts::Column::Status.eq("paid"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(records.len(), paid.len());
    // Each row is its payout: amount to the cent, currency, reference.
    for record in &records {
        let id: i64 = record[0].parse().unwrap();
        let stored = paid.iter().find(|p| p.id == id).expect("a paid payout");
        let amount: rust_decimal::Decimal = record[7].parse().unwrap();
        let cents = i64::try_from(amount * rust_decimal::Decimal::ONE_HUNDRED).unwrap();
        let sign = if stored.kind == EntryKind::Clawback {
            -1
        } else {
            1
        };
        assert_eq!(cents, sign * stored.amount_minor);
        assert_eq!(&record[8], stored.currency.0.code());
        assert_eq!(&record[6], "paid");
        assert_eq!(Some(&record[12]), stored.paid_reference.as_deref());
        if stored.partner_id == 1 {
            assert_eq!(&record[2], "'=HYPERLINK(\"x\")", "formulas are defused");
        }
    }

    // Who may download: finance and admins; not managers, partners or strangers.
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(get(&manager, "").await.unwrap().status(), 403);
    let partner = app
        .signed_in("partner@apex-cloud-partners.example", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(get(&partner, "").await.unwrap().status(), 403);
    assert_eq!(get(&app.browser(), "").await.unwrap().status(), 401);
    // A filter it cannot read is named.
    let bad = get(&finance, "?status=lost").await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("status"));
}
on_both_databases!(payouts_export_as_csv, export);

async fn earnings(test_db: common::TestDb) {
    use partner_attribution::api::payouts::Earnings;
    use partner_attribution::domain::reporting::Period;
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(65, 120, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let response = app
        .call(
            &manager,
            "/api/payouts/earnings",
            &[("period", "last_12_months")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let earnings: Earnings = response.json().await.unwrap();
    assert_eq!(earnings.months.len(), 12);

    // The same sums, computed here from the rows: base currency, earned in the period,
    // clawbacks negative, rejected left out.
    let range = Period::Last12Months.range(Utc::now().date_naive());
    let base = earnings.totals.paid.currency();
    let rows: Vec<payouts::Model> = payouts::Entity::find().all(&app.db).await.unwrap();
    let inside: Vec<&payouts::Model> = rows
        .iter()
        .filter(|p| {
            let day = p.created_at.date_naive();
            day >= range.start && day < range.end
        })
        .collect();
    let sum = |status: PayoutStatus, partner: Option<i64>| -> i64 {
        inside
            .iter()
            .filter(|p| p.status == status && p.currency == base)
            .filter(|p| partner.is_none_or(|id| p.partner_id == id))
            .map(|p| {
                if p.kind == EntryKind::Clawback {
                    -p.amount_minor
                } else {
                    p.amount_minor
                }
            })
            .sum()
    };
    assert_eq!(
        earnings.totals.paid.to_minor().unwrap(),
        sum(PayoutStatus::Paid, None)
    );
    assert_eq!(
        earnings.totals.approved.to_minor().unwrap(),
        sum(PayoutStatus::Approved, None)
    );
    assert_eq!(
        earnings.totals.pending.to_minor().unwrap(),
        sum(PayoutStatus::Pending, None)
    );
    let by_month: i64 = earnings
        .months
        .iter()
        .map(|m| m.paid.to_minor().unwrap())
        .sum();
    assert_eq!(by_month, sum(PayoutStatus::Paid, None));
    for partner in &earnings.partners {
        let id = partner.partner_id.0;
        assert_eq!(
            partner.paid.to_minor().unwrap(),
            sum(PayoutStatus::Paid, Some(id)),
            "{}",
            partner.name
        );
        assert_eq!(
            partner.total.to_minor().unwrap(),
            sum(PayoutStatus::Paid, Some(id))
                + sum(PayoutStatus::Approved, Some(id))
                + sum(PayoutStatus::Pending, Some(id))
        );
    }
    assert!(
        earnings
            .partners
            .windows(2)
            .all(|w| w[0].total.amount() >= w[1].total.amount())
    );
    let others = inside.iter().filter(|p| p.currency != base).count() as u64;
    assert_eq!(earnings.other_currency_payouts, others);

    // One partner's earnings are its own.
    let first = earnings.partners[0].partner_id.0.to_string();
    let one: Earnings = app
        .call(
            &manager,
            "/api/payouts/earnings",
            &[("partner_id", first.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one.partners.len(), 1);
    assert_eq!(
        one.partner_name.as_deref(),
        Some(earnings.partners[0].name.as_str())
    );
}
on_both_databases!(partner_earnings_add_up, earnings);

async fn statement(test_db: common::TestDb) {
    use partner_attribution::api::payouts::{STATEMENT_COLUMNS, Statement};
    use partner_attribution::domain::reporting::Period;
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(66, 120, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let range = Period::Last12Months.range(Utc::now().date_naive());
    let rows: Vec<payouts::Model> = payouts::Entity::find().all(&app.db).await.unwrap();
    let inside = |p: &&payouts::Model| {
        let day = p.created_at.date_naive();
        day >= range.start && day < range.end
    };
    // The partner with the most entries in the period.
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for p in rows.iter().filter(inside) {
        *counts.entry(p.partner_id).or_default() += 1;
    }
    let (&partner, &entries) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let form = [
        ("partner_id", partner.to_string()),
        ("period", "last_12_months".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.call(&finance, "/api/payouts/statement", &form).await;
    assert_eq!(response.status(), 200);
    let statement: Statement = response.json().await.unwrap();
    assert_eq!(statement.lines.len(), entries);
    assert!(statement.lines.iter().all(|l| l.partner_id.0 == partner));
    assert!(
        statement
            .lines
            .windows(2)
            .all(|w| w[0].created_on <= w[1].created_on),
        "oldest first"
    );
    // Totals per status: clawbacks negative.
    for total in &statement.totals {
        for amount in &total.amounts {
            let expected: i64 = rows
                .iter()
                .filter(inside)
                .filter(|p| p.partner_id == partner && p.status == total.status)
                .filter(|p| p.currency == amount.currency())
                .map(|p| {
                    if p.kind == EntryKind::Clawback {
                        -p.amount_minor
                    } else {
                        p.amount_minor
                    }
                })
                .sum();
            assert_eq!(amount.to_minor().unwrap(), expected, "{}", total.status);
        }
    }

    // The same lines as CSV.
    let csv = finance
        .get(app.url(&format!(
            "/api/payouts/statement.csv?partner={partner}&period=last_12_months"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, STATEMENT_COLUMNS);
    assert_eq!(reader.records().count(), entries);

    // An unknown partner is not found; a bad period is named.
    let unknown = app
        .call(
            &finance,
            "/api/payouts/statement",
            &[("partner_id", "999999")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let bad = finance
        .get(app.url(&format!(
            "/api/payouts/statement.csv?partner={partner}&period=soon"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}
on_both_databases!(a_partners_commission_statement, statement);
