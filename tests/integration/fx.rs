//! Exchange rates through their server functions, on SQLite and PostgreSQL: finance sets and
//! imports rates (all or nothing), a deal in another currency cannot be won without a rate for
//! its close date, and once won its rate is locked on the deal, its attributions and its
//! commissions, whatever rate is entered later.

use crate::common;

use backend::demo;
use backend::entities::{attributions, audit_events, deals, payouts};
use chrono::{Duration, Utc};
use partner_attribution::api::AppError;
use partner_attribution::api::fx::{ImportResult, RatesPage};
use partner_attribution::domain::ids::DealId;
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::money::Currency;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn rates_lock_at_close(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(17, 40, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let today = Utc::now().date_naive();

    // Bad input is named by field; only those who edit payouts may set rates.
    let bad = app
        .call(
            &finance,
            "/api/fx/save",
            &[
                ("form[currency]", "USD"),
                ("form[rate]", "0"),
                ("form[effective_on]", "someday"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let error: AppError = bad.json().await.unwrap();
    let AppError::Invalid { fields, .. } = error else {
        panic!("field errors expected")
    };
    let named: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["currency", "rate", "effective_on"]);
    let refused = app
        .call(
            &manager,
            "/api/fx/save",
            &[
                ("form[currency]", "EUR"),
                ("form[rate]", "1.1"),
                ("form[effective_on]", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);

    // A EUR deal with a partner's touch cannot be won without a rate.
    let saved = app
        .call(
            &manager,
            "/api/deals/save",
            &[
                ("form[name]", "Euro rollout"),
                ("form[account_name]", "Fabrikam"),
                ("form[amount]", "10000"),
                ("form[currency]", "EUR"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let deal: DealId = saved.json().await.unwrap();
    let touched = app
        .call(
            &manager,
            "/api/deals/touchpoints/add",
            &[
                ("deal_id", &deal.to_string()),
                ("form[partner_id]", "1"),
                ("form[kind]", "referral"),
                (
                    "form[occurred_on]",
                    &(today - Duration::days(3)).to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(touched.status(), 200);
    let win = || {
        let (app, manager) = (&app, &manager);
        async move {
            app.call(
                manager,
                "/api/deals/close",
                &[("id", &deal.to_string()), ("outcome", "won")],
            )
            .await
        }
    };
    let blocked = win().await;
    assert_eq!(blocked.status(), 409);
    assert!(
        blocked
            .text()
            .await
            .unwrap()
            .contains("no EUR → USD exchange rate"),
    );
    let page: RatesPage = app
        .call(&finance, "/api/fx/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.missing, [Currency::EUR]);

    // An import with a bad line saves nothing; a good one saves every line.
    let import = |csv: String| {
        let (app, finance) = (&app, &finance);
        async move {
            let result: ImportResult = app
                .call(finance, "/api/fx/import", &[("csv", &csv)])
                .await
                .json()
                .await
                .unwrap();
            result
        }
    };
    let week_ago = today - Duration::days(7);
    let rejected = import(format!(
        "currency,rate,effective_on\nEUR,1.05,2026-01-01\nEUR,abc,{week_ago}\n"
    ))
    .await;
    assert_eq!(rejected.saved, 0);
    assert_eq!(rejected.errors.len(), 1);
    assert_eq!(rejected.errors[0].line, 3);
    let rates = || {
        let app = &app;
        async move {
            backend::entities::fx_rates::Entity::find()
                .count(&app.db)
                .await
                .unwrap()
        }
    };
    assert_eq!(rates().await, 0);
    let imported = import(format!(
        "currency,rate,effective_on\nEUR,1.05,2026-01-01\nEUR,1.0842,{week_ago}\nGBP,1.27,{week_ago}\n"
    ))
    .await;
    assert_eq!((imported.saved, imported.errors.len()), (3, 0));

    // Partner 1 is paid in pounds from now on.
    let detail: partner_attribution::api::partners::PartnerDetail = app
        .call(&manager, "/api/partners/get", &[("id", "1")])
        .await
        .json()
        .await
        .unwrap();
    let f = detail.form;
    let saved = app
        .call(
            &manager,
            "/api/partners/save",
            &[
                ("id", "1"),
                ("form[name]", &f.name),
                ("form[partner_type]", &f.partner_type),
                ("form[tier]", &f.tier),
                ("form[commission_rate]", &f.commission_rate),
                ("form[contact_name]", &f.contact_name),
                ("form[contact_email]", &f.contact_email),
                ("form[website]", &f.website),
                ("form[region]", &f.region),
                ("form[payout_currency]", "gbp"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);

    // Won: the rate in force on the close date is locked everywhere the deal's money is.
    assert_eq!(win().await.status(), 200);
    let locked = deals::Entity::find_by_id(deal.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (locked.fx_rate.map(|r| r.to_string()), locked.fx_rate_on),
        (Some("1.0842".to_owned()), Some(week_ago))
    );
    let shown: partner_attribution::api::deals::DealDetail = app
        .call(&manager, "/api/deals/get", &[("id", &deal.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let fx = shown.locked_rate.expect("the locked rate is shown");
    assert_eq!(
        (fx.rate.as_str(), fx.base_amount.to_minor().unwrap()),
        ("1.0842", 1_084_200)
    );
    let stored = attributions::Entity::find()
        .filter(attributions::Column::DealId.eq(deal.0))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!stored.is_empty());
    assert!(
        stored
            .iter()
            .all(|a| a.fx_rate.map(|r| r.to_string()).as_deref() == Some("1.0842"))
    );
    let commissions = payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(deal.0))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!commissions.is_empty());
    assert!(
        commissions.iter().all(
            |p| p.fx_rate.map(|r| r.to_string()).as_deref() == Some("1.0842")
                && p.currency == Currency::EUR
        )
    );
    // Partner 1's commission is also in pounds, at EUR → USD → GBP on the close date.
    let pounds = commissions.iter().find(|p| p.partner_id == 1).unwrap();
    assert_eq!(pounds.payout_currency.map(|c| c.0), Some(Currency::GBP));
    assert_eq!(pounds.payout_rate.as_deref(), Some("0.8537007874"));
    let expected = (rust_decimal::Decimal::new(pounds.amount_minor, 2)
        * "0.8537007874".parse::<rust_decimal::Decimal>().unwrap())
    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(
        pounds.payout_amount_minor,
        Some(i64::try_from(expected * rust_decimal::Decimal::ONE_HUNDRED).unwrap())
    );
    let queue: partner_attribution::api::payouts::PayoutPage = app
        .call(
            &finance,
            "/api/payouts/list",
            &[("filter[partner_id]", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let row = queue.rows.iter().find(|r| r.id.0 == pounds.id).unwrap();
    let (paid, rate) = row.paid_as.clone().expect("the converted amount is shown");
    assert_eq!(
        (paid.currency(), rate.as_str()),
        (Currency::GBP, "0.8537007874")
    );

    // Earnings in the base currency count the EUR commissions at the locked rate.
    use partner_attribution::domain::reporting::Period;
    let range = Period::ThisQuarter.range(today);
    let earnings: partner_attribution::api::payouts::Earnings = app
        .call(
            &finance,
            "/api/payouts/earnings",
            &[("period", "this_quarter"), ("partner_id", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let pending: i64 = payouts::Entity::find()
        .filter(payouts::Column::PartnerId.eq(1))
        .filter(payouts::Column::Status.eq("pending"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| {
            let day = p.created_at.date_naive();
            range.start <= day && day < range.end
        })
        .map(|p| {
            let sign = if p.kind == EntryKind::Clawback { -1 } else { 1 };
            let minor = match p.fx_rate.map(|r| r.0) {
                Some(rate) if p.currency != Currency::USD => {
                    partner_attribution::domain::fx::convert(
                        partner_attribution::domain::money::Money::from_minor(
                            p.amount_minor,
                            p.currency.0,
                        ),
                        rate,
                        Currency::USD,
                    )
                    .to_minor()
                    .unwrap()
                }
                _ => p.amount_minor,
            };
            sign * minor
        })
        .sum();
    assert_eq!(earnings.totals.pending.to_minor().unwrap(), pending);
    assert_eq!(earnings.other_currency_payouts, 0);

    // A new rate for the same day changes the table, not the won deal.
    let reset = app
        .call(
            &finance,
            "/api/fx/save",
            &[
                ("form[currency]", "eur"),
                ("form[rate]", "1.2"),
                ("form[effective_on]", &week_ago.to_string()),
            ],
        )
        .await;
    assert_eq!(reset.status(), 200);
    let page: RatesPage = app
        .call(&finance, "/api/fx/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(page.missing.is_empty());
    assert!(
        page.rates
            .iter()
            .any(|r| r.currency == Currency::EUR && r.effective_on == week_ago && r.rate == "1.2")
    );
    assert_eq!(
        deals::Entity::find_by_id(deal.0)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .fx_rate
            .map(|r| r.to_string()),
        Some("1.0842".to_owned())
    );
    // Each saved rate is audited, the replaced one with its old value.
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("fx_rate.saved"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 4);
    assert!(
        audited
            .iter()
            .any(|e| e.before.as_deref().is_some_and(|b| b.contains("1.0842")))
    );
}

on_both_databases!(exchange_rates, rates_lock_at_close);
