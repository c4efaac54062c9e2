//! Partners over HTTP on both databases: search, filters, sorting and pages against the data;
//! create / edit with field errors and the unique name; the onboarding status flow; the audit.

use crate::common;

use backend::demo;
use backend::entities::audit_events;
use chrono::Utc;
use partner_attribution::api::AppError;
use partner_attribution::api::partners::{PAGE_SIZE, PartnerDetail, PartnerPage};
use partner_attribution::domain::ids::PartnerId;
use partner_attribution::domain::partner::{PartnerStatus, PartnerTier};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const MANAGER: &str = "manager@northwind.example";

async fn list(
    app: &common::TestApp,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> PartnerPage {
    let response = app.call(client, "/api/partners/list", form).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn list_search_filter_sort_and_page(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(21, 40, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;

    let first = list(&app, &manager, &[]).await;
    assert_eq!(first.total, data.partners.len() as u64);
    assert_eq!(first.organization_total, data.partners.len() as u64);
    assert_eq!(first.rows.len() as u64, PAGE_SIZE.min(first.total));
    let second = list(&app, &manager, &[("page", "1")]).await;
    assert_eq!(
        second.rows.len() as u64,
        first.total.saturating_sub(PAGE_SIZE).min(PAGE_SIZE)
    );
    assert!(
        first
            .rows
            .iter()
            .all(|a| second.rows.iter().all(|b| a.id != b.id)),
        "pages do not overlap"
    );

    // Filters agree with the data.
    let active = data
        .partners
        .iter()
        .filter(|p| p.status == PartnerStatus::Active)
        .count() as u64;
    let filtered = list(&app, &manager, &[("status", "active")]).await;
    assert_eq!(filtered.total, active);
    assert!(
        filtered
            .rows
            .iter()
            .all(|r| r.status == PartnerStatus::Active)
    );
    let gold = data
        .partners
        .iter()
        .filter(|p| p.tier == PartnerTier::Gold && p.status == PartnerStatus::Active)
        .count() as u64;
    assert_eq!(
        list(&app, &manager, &[("status", "active"), ("tier", "gold")])
            .await
            .total,
        gold
    );

    // Search ignores case, covers the contact, and treats % literally.
    let target = &data.partners[3];
    let needle = target.name.to_uppercase();
    let found = list(&app, &manager, &[("search", &needle)]).await;
    assert!(found.rows.iter().any(|r| r.name == target.name), "{needle}");
    let by_contact = list(&app, &manager, &[("search", &target.contact_email)]).await;
    assert!(by_contact.rows.iter().any(|r| r.name == target.name));
    let literal = list(&app, &manager, &[("search", "%")]).await;
    assert_eq!(literal.total, 0);
    assert_eq!(literal.organization_total, data.partners.len() as u64);

    // Tier sorts by rank, rate numerically.
    let by_tier = list(&app, &manager, &[("sort", "tier"), ("descending", "true")]).await;
    assert!(
        by_tier.rows.windows(2).all(|w| w[0].tier >= w[1].tier),
        "tiers descend"
    );
    let by_rate = list(&app, &manager, &[("sort", "rate")]).await;
    assert!(
        by_rate
            .rows
            .windows(2)
            .all(|w| w[0].commission_rate <= w[1].commission_rate)
    );
}
on_both_databases!(
    the_partner_list_searches_filters_sorts_and_pages,
    list_search_filter_sort_and_page
);

fn form<'a>(name: &'a str, rate: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("form[name]", name),
        ("form[partner_type]", "technology"),
        ("form[tier]", "silver"),
        ("form[commission_rate]", rate),
        ("form[contact_name]", "Ines Harbor"),
        ("form[contact_email]", email),
        ("form[website]", "harbor.example"),
        ("form[region]", "EMEA"),
    ]
}

fn fields(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid { fields, .. } => fields.iter().map(|f| f.field.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn create_edit_and_onboard(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(22, 20, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;

    // Every bad field at once; the existing name is taken regardless of case.
    let taken = data.partners[0].name.to_lowercase();
    let bad = app
        .call(
            &manager,
            "/api/partners/save",
            &form(&taken, "120", "ines@"),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let error: AppError = bad.json().await.unwrap();
    let mut named = fields(&error);
    named.sort();
    assert_eq!(named, ["commission_rate", "contact_email", "name"]);

    // A name of invisible characters is no name; one that reverses its text is refused.
    for hidden in ["\u{200b}\u{200c}\u{feff}", "Harbor\u{202e}latigiD"] {
        let bad = app
            .call(
                &manager,
                "/api/partners/save",
                &form(hidden, "12.5", "ines@harbor.example"),
            )
            .await;
        assert_eq!(bad.status(), 422, "{hidden:?}");
        assert_eq!(fields(&bad.json().await.unwrap()), ["name"], "{hidden:?}");
    }

    let created = app
        .call(
            &manager,
            "/api/partners/save",
            &form(" Harbor Digital\u{200b}", "12.5", "Ines@Harbor.example"),
        )
        .await;
    assert_eq!(created.status(), 200);
    let id: PartnerId = created.json().await.unwrap();
    let detail: PartnerDetail = app
        .call(&manager, "/api/partners/get", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail.partner.name, "Harbor Digital",
        "trimmed, invisible end included"
    );
    assert_eq!(detail.partner.status, PartnerStatus::Invited);
    assert_eq!(
        detail.partner.commission_rate.fraction(),
        Decimal::new(125, 3)
    );
    assert_eq!(
        detail.partner.contact_email.as_deref(),
        Some("ines@harbor.example")
    );
    assert_eq!(detail.website.as_deref(), Some("https://harbor.example"));
    assert_eq!(detail.form.commission_rate, "12.5");
    assert_eq!(
        detail.next_statuses,
        [PartnerStatus::Onboarding, PartnerStatus::Active]
    );

    // Editing keeps its own name free and records before and after.
    let mut edit = form("Harbor Digital", "15", "ines@harbor.example");
    let id_text = id.to_string();
    edit.push(("id", &id_text));
    assert_eq!(
        app.call(&manager, "/api/partners/save", &edit)
            .await
            .status(),
        200
    );

    // The status flow: legal moves pass, illegal ones are refused by the domain.
    let status = |to: &'static str| {
        let id = id_text.clone();
        let manager = manager.clone();
        let app = &app;
        async move {
            app.call(
                &manager,
                "/api/partners/status",
                &[("id", &id), ("status", to)],
            )
            .await
            .status()
            .as_u16()
        }
    };
    assert_eq!(status("onboarding").await, 200);
    assert_eq!(status("invited").await, 409);
    assert_eq!(status("active").await, 200);
    assert_eq!(status("inactive").await, 200);
    assert_eq!(status("onboarding").await, 409);
    assert_eq!(status("active").await, 200);

    let trail: Vec<audit_events::Model> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("partner"))
        .filter(audit_events::Column::EntityId.eq(id.0))
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "partner.created",
            "partner.updated",
            "partner.status_changed",
            "partner.status_changed",
            "partner.status_changed",
            "partner.status_changed",
        ]
    );
    // The profile's history shows the same, newest first, with what changed.
    let history: Vec<partner_attribution::api::audit::AuditRow> = app
        .call(&manager, "/api/partners/history", &[("id", &id_text)])
        .await
        .json()
        .await
        .unwrap();
    let shown: Vec<&str> = history.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(shown, actions);
    let last = history[0]
        .changes
        .iter()
        .find(|c| c.field == "status")
        .unwrap();
    assert_eq!(
        (last.before.as_deref(), last.after.as_deref()),
        (Some("inactive"), Some("active"))
    );
    let update = &trail[1];
    assert!(
        update
            .before
            .as_deref()
            .unwrap()
            .contains(r#""commission_rate":"0.125""#)
    );
    assert!(
        update
            .after
            .as_deref()
            .unwrap()
            .contains(r#""commission_rate":"0.15""#)
    );
    assert!(trail.iter().all(|e| e.actor_label == MANAGER));

    // Finance reads partners but may not change them.
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        app.call(&finance, "/api/partners/get", &[("id", &id_text)])
            .await
            .status(),
        200
    );
    assert_eq!(
        app.call(&finance, "/api/partners/save", &edit)
            .await
            .status(),
        403
    );
}
on_both_databases!(
    partners_are_created_edited_and_onboarded,
    create_edit_and_onboard
);

/// A partner's performance against numbers computed independently from the generated data.
async fn performance(test_db: common::TestDb) {
    use partner_attribution::api::partners::PartnerPerformance;
    use partner_attribution::domain::deal::DealStage;
    use partner_attribution::domain::payout::PayoutStatus;
    use std::collections::BTreeSet;

    let db = test_db.migrated().await;
    let data = demo::generate(61, 400, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;

    // The busiest partner.
    let partner = (0..data.partners.len())
        .max_by_key(|p| data.touchpoints.iter().filter(|t| t.partner == *p).count())
        .unwrap();
    let id = (partner + 1).to_string();
    let response = app
        .call(&manager, "/api/partners/performance", &[("id", &id)])
        .await;
    assert_eq!(response.status(), 200);
    let p: PartnerPerformance = response.json().await.unwrap();
    let inside = |at: chrono::DateTime<Utc>| {
        let day = at.date_naive();
        day >= p.range.start && day < p.range.end
    };
    assert_eq!(p.by_month.len(), 12);

    let touches: Vec<_> = data
        .touchpoints
        .iter()
        .filter(|t| t.partner == partner)
        .collect();
    let deals: BTreeSet<usize> = touches.iter().map(|t| t.deal).collect();
    assert_eq!(
        p.touchpoints as usize,
        touches.iter().filter(|t| inside(t.occurred_at)).count()
    );
    assert_eq!(
        p.deals_influenced as usize,
        touches
            .iter()
            .filter(|t| inside(t.occurred_at))
            .map(|t| t.deal)
            .collect::<BTreeSet<_>>()
            .len()
    );
    let closed: Vec<usize> = deals
        .iter()
        .copied()
        .filter(|d| data.deals[*d].closed_at.is_some_and(inside))
        .collect();
    let won: Vec<usize> = closed
        .iter()
        .copied()
        .filter(|d| data.deals[*d].stage == DealStage::Won)
        .collect();
    assert_eq!(
        (p.deals_won as usize, p.deals_closed as usize),
        (won.len(), closed.len())
    );
    assert_eq!(
        p.open_deals as usize,
        deals
            .iter()
            .filter(|d| data.deals[**d].stage == DealStage::Open)
            .count()
    );

    // Equal split is payable: the demo stored each won deal's equal split.
    let credited: i64 = data
        .attributions
        .iter()
        .filter(|a| a.partner == partner && won.contains(&a.deal))
        .filter(|a| a.amount.currency() == p.currency)
        .map(|a| a.amount.to_minor().unwrap())
        .sum();
    assert!(credited > 0, "the busiest partner has credit");
    assert_eq!(p.attributed.to_minor().unwrap(), credited);
    let by_month: i64 = p
        .by_month
        .iter()
        .map(|m| m.revenue.to_minor().unwrap())
        .sum();
    assert_eq!(by_month, credited, "the months add up to the total");

    // Commissions: every entry not rejected is earned; paid ones are paid.
    let sum = |keep: &dyn Fn(PayoutStatus) -> bool| -> i64 {
        data.payouts
            .iter()
            .filter(|x| x.partner == partner && keep(x.status))
            .filter(|x| x.amount.currency() == p.currency)
            .map(|x| x.amount.to_minor().unwrap())
            .sum()
    };
    let base = p
        .commissions
        .iter()
        .find(|c| c.earned.currency() == p.currency)
        .expect("commissions in the base currency");
    assert_eq!(
        base.earned.to_minor().unwrap(),
        sum(&|s| s != PayoutStatus::Rejected)
    );
    assert_eq!(
        base.paid.to_minor().unwrap(),
        sum(&|s| s == PayoutStatus::Paid)
    );
    assert_eq!(
        base.outstanding.to_minor().unwrap(),
        sum(&|s| matches!(s, PayoutStatus::Pending | PayoutStatus::Approved))
    );
    assert!(!p.recent_deals.is_empty());
    assert!(
        p.recent_deals
            .windows(2)
            .all(|w| w[0].last_touch >= w[1].last_touch),
        "most recent first"
    );

    // The type-ahead picker: matches by part of the name, names starting with it first.
    let name = &data.partners[partner].name;
    let typed = name[1..4].to_lowercase();
    let choices: Vec<partner_attribution::api::users::PartnerOption> = app
        .call(&manager, "/api/partners/choices", &[("search", &typed)])
        .await
        .json()
        .await
        .unwrap();
    assert!(choices.len() as u64 <= partner_attribution::api::partners::CHOICES);
    assert!(
        choices.iter().any(|c| &c.name == name),
        "{typed}: {choices:?}"
    );
    assert!(
        choices
            .iter()
            .all(|c| c.name.to_lowercase().contains(&typed))
    );
    let starts: Vec<bool> = choices
        .iter()
        .map(|c| c.name.to_lowercase().starts_with(&typed))
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] >= w[1]),
        "prefix matches first"
    );

    let missing = app
        .call(&manager, "/api/partners/performance", &[("id", "99999")])
        .await;
    assert_eq!(missing.status(), 404);
}
on_both_databases!(a_partner_profile_shows_its_performance, performance);
