//! Attribution settings over HTTP on both databases: the preview against numbers computed
//! independently from the generated data, validation by field, who may save, and the audit.

use crate::common;

use std::collections::{BTreeSet, HashMap};

use backend::demo;
use chrono::Utc;
use partner_attribution::api::settings::{AttributionSettings, SettingsPreview};
use partner_attribution::domain::attribution::form::SettingsForm;
use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::reporting::Period;
use rust_decimal::{Decimal, RoundingStrategy};

async fn post(
    app: &common::TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &SettingsForm,
) -> reqwest::Response {
    let fields = common::settings_fields(form);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call(client, path, &pairs).await
}

async fn preview_save_and_audit(test_db: common::TestDb) {
    use backend::entities::audit_events;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = test_db.migrated().await;
    let data = demo::generate(52, 300, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app
        .signed_in("admin@northwind.example", demo::DEMO_PASSWORD)
        .await;

    let current: AttributionSettings = app
        .call(&admin, "/api/settings/attribution", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(current.editable);
    assert_eq!(
        current.form,
        SettingsForm::from_settings(AttributionModel::EqualSplit, &ModelSettings::default())
    );

    // Unchanged settings move nothing.
    let same: SettingsPreview = post(
        &app,
        &admin,
        "/api/settings/attribution/preview",
        &current.form,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(same.deals_moved, 0);
    assert_eq!(same.commission_now, same.commission_proposed);
    assert!(same.rows.iter().all(|r| r.credit_now == r.credit_proposed));

    // First touch instead of equal split, checked against the generated deals.
    let mut first_touch = current.form.clone();
    first_touch.payable_model = "first_touch".into();
    let preview: SettingsPreview = post(
        &app,
        &admin,
        "/api/settings/attribution/preview",
        &first_touch,
    )
    .await
    .json()
    .await
    .unwrap();
    let range = Period::LastQuarter.range(Utc::now().date_naive());
    let mut deals = 0;
    let mut moved = 0;
    let mut credit: HashMap<i64, i64> = HashMap::new();
    let mut commission: HashMap<i64, Decimal> = HashMap::new();
    for (i, deal) in data.deals.iter().enumerate() {
        let Some(closed_at) = deal.closed_at else {
            continue;
        };
        let day = closed_at.date_naive();
        if deal.stage != DealStage::Won || day < range.start || day >= range.end {
            continue;
        }
        deals += 1;
        let mut touches: Vec<_> = data
            .touchpoints
            .iter()
            .filter(|t| t.deal == i && t.occurred_at <= closed_at)
            .collect();
        touches.sort_by_key(|t| t.occurred_at);
        let partners: BTreeSet<usize> = touches.iter().map(|t| t.partner).collect();
        if partners.len() > 1 {
            moved += 1;
        }
        if let Some(first) = touches.first() {
            let id = first.partner as i64 + 1;
            *credit.entry(id).or_default() += deal.amount.to_minor().unwrap();
            let rate = data.partners[first.partner].commission_rate;
            *commission.entry(id).or_default() += (deal.amount.amount() * rate)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        }
    }
    assert!(deals > 5, "the demo has won deals last quarter");
    assert_eq!(preview.deals, deals);
    assert_eq!(preview.deals_moved, moved);
    assert_eq!(preview.payable_proposed, AttributionModel::FirstTouch);
    assert!(!preview.rows.is_empty());
    for row in &preview.rows {
        let id = row.partner_id.0;
        assert_eq!(
            row.credit_proposed.to_minor().unwrap(),
            credit.get(&id).copied().unwrap_or_default(),
            "{}",
            row.name
        );
        assert_eq!(
            row.commission_proposed.amount(),
            commission.get(&id).copied().unwrap_or_default().normalize(),
            "{}",
            row.name
        );
    }

    // Bad fields are named; nothing is saved.
    let mut bad = first_touch.clone();
    bad.half_life_days = "-3".into();
    bad.role_weights.insert("demo".into(), "many".into());
    bad.time_zone = "Atlantis/Capital".into();
    let refused = post(&app, &admin, "/api/settings/attribution/save", &bad).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("half_life_days")
            && body.contains("role_weights.demo")
            && body.contains("time_zone")
            && body.contains("Atlantis/Capital"),
        "{body}"
    );

    // Only an administrator saves; others may look.
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let as_manager: AttributionSettings = app
        .call(&manager, "/api/settings/attribution", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!as_manager.editable);
    let forbidden = post(
        &app,
        &manager,
        "/api/settings/attribution/save",
        &first_touch,
    )
    .await;
    assert_eq!(forbidden.status(), 403);

    let mut changed = first_touch.clone();
    changed.half_life_days = "45".into();
    changed.time_zone = "europe/berlin".into();
    let saved = post(&app, &admin, "/api/settings/attribution/save", &changed).await;
    assert_eq!(saved.status(), 200);
    // Read back under the zone's own spelling.
    changed.time_zone = "Europe/Berlin".into();
    let after: AttributionSettings = app
        .call(&admin, "/api/settings/attribution", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after.form, changed);
    let event = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("attribution_settings.updated"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("audited");
    let (before, after) = (event.before.unwrap(), event.after.unwrap());
    assert!(
        before.contains("equal_split") && after.contains("first_touch"),
        "{after}"
    );
    assert!(after.contains("\"half_life_days\":\"45\""), "{after}");
    assert!(after.contains("\"time_zone\":\"Europe/Berlin\""), "{after}");

    // The saved settings are now the ones in force: previewing them moves nothing.
    let settled: SettingsPreview =
        post(&app, &admin, "/api/settings/attribution/preview", &changed)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(
        (settled.payable_now, settled.deals_moved),
        (AttributionModel::FirstTouch, 0)
    );
}
on_both_databases!(
    attribution_settings_preview_save_and_audit,
    preview_save_and_audit
);
