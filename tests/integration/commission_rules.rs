//! Commission rules through their server functions, on SQLite and PostgreSQL: saving with field
//! errors, who may, a tiered rule paying marginally over the quarter when deals are won, new
//! versions from a date that leave earned commissions alone, the database refusing to rewrite a
//! version, and the what-if replay of last quarter.

use crate::common;

use backend::demo;
use backend::entities::{audit_events, commission_rules, partners, payouts};
use chrono::{Duration, Utc};
use partner_attribution::api::AppError;
use partner_attribution::api::commission_rules::{
    RuleDetail, RulePreview, RulesPage, VersionStatus,
};
use partner_attribution::domain::ids::{DealId, PartnerId};
use partner_attribution::domain::money::{Currency, Money};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

const FINANCE: &str = "finance@northwind.example";
const MANAGER: &str = "manager@northwind.example";

fn fields(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid { fields, .. } => fields.iter().map(|f| f.field.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn rule_form<'a>(extra: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
    let mut form = vec![
        ("form[name]", "Harbor ramp"),
        ("form[scope]", "partner"),
        ("form[kind]", "tiered"),
        ("form[currency]", "USD"),
        ("form[bands]", "10 % up to 1000; 20 %"),
        ("form[priority]", "100"),
        ("form[effective_from]", "2020-01-01"),
    ];
    for (key, value) in extra {
        form.retain(|(k, _)| k != key);
        form.push((key, value));
    }
    form
}

/// Creates a deal of `dollars` touched by `partner` only and wins it; returns its commission.
async fn win_deal(
    app: &common::TestApp,
    manager: &reqwest::Client,
    partner: PartnerId,
    dollars: &str,
) -> payouts::Model {
    let saved = app
        .call(
            manager,
            "/api/deals/save",
            &[
                ("form[name]", &format!("Harbor deal {dollars}")),
                ("form[account_name]", "Contoso"),
                ("form[amount]", dollars),
                ("form[currency]", "USD"),
                ("form[expected_close_on]", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let deal: DealId = saved.json().await.unwrap();
    // Touches are dated (at noon): yesterday's is before the win whatever the hour.
    let yesterday = (Utc::now().date_naive() - Duration::days(1)).to_string();
    let touched = app
        .call(
            manager,
            "/api/deals/touchpoints/add",
            &[
                ("deal_id", &deal.to_string()),
                ("form[partner_id]", &partner.to_string()),
                ("form[kind]", "referral"),
                ("form[occurred_on]", &yesterday),
            ],
        )
        .await;
    assert_eq!(touched.status(), 200);
    let won = app
        .call(
            manager,
            "/api/deals/close",
            &[("id", &deal.to_string()), ("outcome", "won")],
        )
        .await;
    assert_eq!(won.status(), 200, "{:?}", won.text().await);
    payouts::Entity::find()
        .filter(payouts::Column::DealId.eq(deal.0))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the deal's commission")
}

async fn rules_end_to_end(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(71, 60, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let finance = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;
    let partner_user = app
        .signed_in("partner@apex-cloud-partners.example", demo::DEMO_PASSWORD)
        .await;

    // A partner of its own, so earlier credit in the quarter is only what this test wins.
    let created = app
        .call(
            &manager,
            "/api/partners/save",
            &[
                ("form[name]", "Harbor Ramp Partners"),
                ("form[partner_type]", "referral"),
                ("form[tier]", "registered"),
                ("form[commission_rate]", "5"),
                ("form[contact_name]", ""),
                ("form[contact_email]", ""),
                ("form[website]", ""),
                ("form[region]", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    let harbor: PartnerId = created.json().await.unwrap();
    let harbor_text = harbor.to_string();

    // Every bad field is named; what may save is finance's.
    let bad = app
        .call(
            &finance,
            "/api/commission-rules/save",
            &rule_form(&[
                ("form[scope_value]", "999999"),
                ("form[bands]", "10 % up to 1000"),
                ("form[effective_from]", "soon"),
            ]),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let mut named = fields(&bad.json().await.unwrap());
    named.sort();
    assert_eq!(named, ["bands", "effective_from"]);
    let stranger = app
        .call(
            &finance,
            "/api/commission-rules/save",
            &rule_form(&[("form[scope_value]", "999999")]),
        )
        .await;
    assert_eq!(stranger.status(), 422);
    assert_eq!(fields(&stranger.json().await.unwrap()), ["scope_value"]);
    let form = rule_form(&[("form[scope_value]", &harbor_text)]);
    for client in [&manager, &partner_user] {
        let refused = app.call(client, "/api/commission-rules/save", &form).await;
        assert_eq!(refused.status(), 403);
    }
    assert_eq!(
        app.call(&partner_user, "/api/commission-rules/list", &[])
            .await
            .status(),
        403
    );
    let saved = app
        .call(&finance, "/api/commission-rules/save", &form)
        .await;
    assert_eq!(saved.status(), 200);
    let rule_id: i64 = saved.json().await.unwrap();

    // The list shows it first among base rules: a one-partner rule beats the tier rules.
    let list: RulesPage = app
        .call(&manager, "/api/commission-rules/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!list.can_edit);
    assert_eq!(list.rules[0].rule_id, rule_id);
    assert_eq!(list.rules[0].precedence, Some(1));
    assert_eq!(list.rules[0].latest.scope, "Harbor Ramp Partners");
    assert_eq!(list.rules[0].latest.status, VersionStatus::InForce);
    // The partner's profile says the rule pays it, not its own rate.
    let profile: partner_attribution::api::partners::PartnerDetail = app
        .call(
            &manager,
            "/api/partners/get",
            &[("id", &harbor.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        profile.paid_by_rule.as_deref(),
        Some("rule Harbor ramp v1, not the default rate")
    );

    // Two wins in the quarter: the second crosses the band and pays marginally.
    let first = win_deal(&app, &manager, harbor, "800").await;
    assert_eq!(first.amount_minor, 8_000);
    let second = win_deal(&app, &manager, harbor, "400").await;
    // 200 at 10 % + 200 at 20 %.
    assert_eq!(second.amount_minor, 2_000 + 4_000);
    let v1 = commission_rules::Entity::find()
        .filter(commission_rules::Column::RuleId.eq(rule_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.commission_rule_id, Some(v1.id));
    let explanation = second.explanation.clone().unwrap();
    assert!(
        explanation.contains("10 % from $0 to $1,000") || explanation.contains("10 % up to $1,000"),
        "{explanation}"
    );
    assert!(
        explanation.contains("20 % above $1,000") && explanation.contains("Harbor ramp v1"),
        "{explanation}"
    );

    // A new version from tomorrow: version 1 ends today, earned commissions stay as they are.
    let tomorrow = (Utc::now().date_naive() + Duration::days(1)).to_string();
    let rule_text = rule_id.to_string();
    let mut next = rule_form(&[
        ("form[scope_value]", &harbor_text),
        ("form[kind]", "percentage"),
        ("form[rate]", "50"),
        ("form[effective_from]", &tomorrow),
    ]);
    next.push(("rule_id", &rule_text));
    let versioned = app
        .call(&finance, "/api/commission-rules/save", &next)
        .await;
    assert_eq!(versioned.status(), 200);
    let detail: RuleDetail = app
        .call(
            &finance,
            "/api/commission-rules/get",
            &[("rule_id", &rule_text)],
        )
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<_> = detail
        .versions
        .iter()
        .map(|v| (v.version, v.status))
        .collect();
    assert_eq!(
        statuses,
        [(2, VersionStatus::Scheduled), (1, VersionStatus::InForce)]
    );
    assert_eq!(
        detail.versions[1].effective_to,
        Some(Utc::now().date_naive())
    );
    assert_eq!(detail.form.rate, "50");
    let unchanged = payouts::Entity::find_by_id(second.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (unchanged.amount_minor, unchanged.explanation),
        (second.amount_minor, second.explanation)
    );
    // Still today's rule: a third win pays 20 % on all of it (above the band already).
    let third = win_deal(&app, &manager, harbor, "100").await;
    assert_eq!(third.amount_minor, 2_000);

    // A version from the same day as the scheduled one replaces it; one before version 2
    // starts is refused.
    let too_early = rule_form(&[
        ("form[scope_value]", &harbor_text),
        ("form[kind]", "percentage"),
        ("form[rate]", "40"),
        ("rule_id", &rule_text),
    ]);
    let refused = app
        .call(&finance, "/api/commission-rules/save", &too_early)
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(fields(&refused.json().await.unwrap()), ["effective_from"]);
    let mut same_day = next.clone();
    same_day.retain(|(k, _)| *k != "form[rate]");
    same_day.push(("form[rate]", "40"));
    assert_eq!(
        app.call(&finance, "/api/commission-rules/save", &same_day)
            .await
            .status(),
        200
    );
    let detail: RuleDetail = app
        .call(
            &finance,
            "/api/commission-rules/get",
            &[("rule_id", &rule_text)],
        )
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<_> = detail
        .versions
        .iter()
        .map(|v| (v.version, v.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (3, VersionStatus::Scheduled),
            (2, VersionStatus::Replaced),
            (1, VersionStatus::InForce)
        ]
    );

    // Ending the rule: not before its latest version starts.
    let end = |day: String| {
        let (app, finance, rule_text) = (&app, &finance, rule_text.clone());
        async move {
            app.call(
                finance,
                "/api/commission-rules/end",
                &[("rule_id", rule_text.as_str()), ("last_day", day.as_str())],
            )
            .await
            .status()
        }
    };
    assert_eq!(end("2020-06-01".into()).await, 422);
    assert_eq!(end("2099-12-31".into()).await, 200);

    // Every change is audited.
    let actions: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("commission_rule"))
        .filter(audit_events::Column::EntityId.eq(rule_id))
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
            "commission_rule.created",
            "commission_rule.versioned",
            "commission_rule.versioned",
            "commission_rule.ended"
        ]
    );

    // The database refuses to rewrite a version's terms or delete it; its end may move.
    let rewrite = app
        .db
        .execute_unprepared(&format!(
            "UPDATE commission_rules SET rate = '0.99' WHERE id = {}",
            v1.id
        ))
        .await;
    assert!(rewrite.is_err(), "a version's terms are fixed");
    let delete = app
        .db
        .execute_unprepared(&format!(
            "DELETE FROM commission_rules WHERE id = {}",
            v1.id
        ))
        .await;
    assert!(delete.is_err(), "versions are kept");

    // What-if: gold partners at 50 % over last quarter, dated next year (so replayed as if in
    // force all quarter). Every gold partner with credit gains; nobody else moves.
    let preview = app
        .call(
            &manager,
            "/api/commission-rules/preview",
            &[
                ("form[name]", "Gold boost"),
                ("form[scope]", "tier"),
                ("form[scope_value]", "gold"),
                ("form[kind]", "percentage"),
                ("form[rate]", "50"),
                ("form[priority]", "1000"),
                ("form[effective_from]", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(preview.status(), 200);
    let preview: RulePreview = preview.json().await.unwrap();
    assert!(preview.as_if_whole_period);
    assert!(preview.credits > 0, "demo data has wins last quarter");
    assert!(!preview.rows.is_empty());
    let gold: Vec<i64> = partners::Entity::find()
        .filter(partners::Column::Tier.eq("gold"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    for row in &preview.rows {
        assert!(gold.contains(&row.partner_id.0), "{}", row.partner_name);
        assert!(row.proposed.amount() > row.current.amount() * rust_decimal::Decimal::from(4));
    }
    let usd_gain: rust_decimal::Decimal = preview
        .rows
        .iter()
        .filter(|r| r.difference.currency() == Currency::USD)
        .map(|r| r.difference.amount())
        .sum();
    let (now, proposed) = preview
        .totals
        .iter()
        .find(|(now, _)| now.currency() == Currency::USD)
        .copied()
        .unwrap_or((Money::zero(Currency::USD), Money::zero(Currency::USD)));
    assert_eq!(proposed.amount() - now.amount(), usd_gain);

    // Nothing of the preview was saved.
    let boosted = commission_rules::Entity::find()
        .filter(commission_rules::Column::Name.eq("Gold boost"))
        .one(&app.db)
        .await
        .unwrap();
    assert!(boosted.is_none());
}

on_both_databases!(rules_end_to_end, rules_end_to_end);
